//! Error and report types of the XSD processor.

use std::fmt;
use std::path::PathBuf;

/// A schema set that could not be compiled: the first schema error found, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemaError {
    /// The schema document the error is in (or the file that could not be read).
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// The constraint of XML Schema 1.0 that is broken, e.g. `cos-nonambig` or `src-resolve`.
    pub rule: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.rule,
            self.message
        )
    }
}

/// One way in which an instance document is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// 1-based line of the offending element or attribute.
    pub line: u32,
    /// 1-based column of the offending element or attribute.
    pub column: u32,
    /// Element path from the validation root, with `[n]` positions among same-named siblings.
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.column, self.path, self.message
        )
    }
}

/// The outcome of validating a document or element: every error found, up to a limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    /// The errors, in document order of discovery.
    pub errors: Vec<ValidationError>,
    /// True when more errors were found than the limit allowed to keep.
    pub truncated: bool,
}

impl ValidationReport {
    /// True when the document is valid.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}
