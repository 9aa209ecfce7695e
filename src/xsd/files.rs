//! Validating files, for `kontrakt xsd validate --schema main.xsd a.xml b.xml`.

use std::path::PathBuf;

use super::{CompileOptions, SchemaError, SchemaSet, ValidationError};

/// What happened to one instance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Valid,
    /// Not schema-valid: the errors (line, column, path, message).
    Invalid(Vec<ValidationError>),
    /// Could not be validated: unreadable or not well-formed.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    pub path: PathBuf,
    pub outcome: FileOutcome,
}

/// Compiles `schema` once and validates every document. A schema error is returned as Err
/// (exit 2); otherwise one result per document in order (exit 0 when all are Valid, 1 when some
/// are Invalid, 2 when some are Unreadable).
pub fn validate_files(
    schema: &[PathBuf],
    docs: &[PathBuf],
) -> Result<Vec<FileResult>, SchemaError> {
    let set = SchemaSet::compile(schema, &CompileOptions::default())?;
    Ok(docs
        .iter()
        .map(|path| FileResult {
            path: path.clone(),
            outcome: validate_file(&set, path),
        })
        .collect())
}

fn validate_file(set: &SchemaSet, path: &PathBuf) -> FileOutcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return FileOutcome::Unreadable(format!("cannot read: {e}")),
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(
        text.strip_prefix('\u{feff}').unwrap_or(&text),
        options,
    ) {
        Ok(d) => d,
        Err(e) => return FileOutcome::Unreadable(format!("not well-formed: {e}")),
    };
    let report = set.validate_document(&doc);
    if report.errors.is_empty() {
        FileOutcome::Valid
    } else {
        FileOutcome::Invalid(report.errors)
    }
}
