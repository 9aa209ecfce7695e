//! Own XML Schema 1.0 processor: compiles schema sets (parsed with roxmltree) and validates
//! documents as they stream from a reader (quick-xml), or elements of an already parsed tree.
//!
//! ```no_run
//! use kontrakt::xsd::{CompileOptions, SchemaSet};
//! let set = SchemaSet::compile(&["main.xsd"], &CompileOptions::default())?;
//! let file = std::io::BufReader::new(std::fs::File::open("a.xml")?);
//! for e in set.validate_reader(file)?.errors {
//!     eprintln!("a.xml:{e}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The module has no dependency on the rest of kontrakt. Schema documents and instances are
//! parsed with DTDs refused: the W3C suite has no document with a DOCTYPE, and a contract
//! harness has no use for entity expansion from untrusted input.

mod api;
mod automaton;
mod compile;
mod content;
pub mod datatypes;
mod error;
mod files;
pub mod generate;
mod identity;
mod lesson;
mod loader;
mod memo;
mod model;
pub mod mutate;
mod restrict;
mod s4s;
mod simple;
mod stream;
#[cfg(test)]
mod tests;
mod validate;
mod walk;
mod wellformed;
mod wildcard;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use api::{
    AttributeUseRef, ElementDeclRef, ParticleRef, SimpleTypeRef, TermRef, TypeRef, WildcardRef,
};
pub use error::{SchemaError, ValidationError, ValidationReport};
pub use files::{FileOutcome, FileResult, validate_files};
pub use lesson::Lesson;
pub use stream::ReadError;

pub(crate) const XS: &str = "http://www.w3.org/2001/XMLSchema";
pub(crate) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// How to compile a schema set.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// Where to find the schema of a namespace when an `xs:import` has no usable
    /// `schemaLocation`: namespace -> file.
    pub catalogue: HashMap<String, PathBuf>,
    /// The most errors a validation report keeps.
    pub error_limit: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            catalogue: HashMap::new(),
            error_limit: 100,
        }
    }
}

/// A compiled, immutable schema set: compile once, share across threads.
#[derive(Debug)]
pub struct SchemaSet {
    components: model::Components,
    nullable: Vec<bool>,
    automata: automaton::Automata,
    /// By element declaration: its elements' start when they have no attributes.
    plain_starts: Vec<Option<validate::ContentStart>>,
    error_limit: usize,
    /// By type: whether its valid values may be remembered across validations.
    context_free: Vec<bool>,
    /// This set's identity in the memo of valid values.
    identity: u64,
}

impl SchemaSet {
    /// Compiles the schema documents at `paths` and everything they include, import and
    /// redefine. An empty list gives a set with only the built-in types.
    pub fn compile(
        paths: &[impl AsRef<Path>],
        options: &CompileOptions,
    ) -> Result<SchemaSet, SchemaError> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_owned()).collect();
        let components = compile::compile(&paths, options)?;
        let nullable = content::compute_nullable(&components.particles);
        let automata = automaton::Automata::build(
            &components,
            &content::Models::new(&components.particles, &nullable),
        );
        let context_free = simple::context_free_types(&components);
        let plain_starts = validate::plain_starts(&components);
        Ok(SchemaSet {
            components,
            nullable,
            automata,
            plain_starts,
            error_limit: options.error_limit,
            context_free,
            identity: memo::new_set_identity(),
        })
    }

    /// Validates the document element against its global element declaration.
    pub fn validate_document(&self, doc: &roxmltree::Document) -> ValidationReport {
        self.validate_element(doc.root_element())
    }

    /// Validates one element (e.g. the child of soap:Body) against its global declaration.
    pub fn validate_element(&self, element: roxmltree::Node) -> ValidationReport {
        let mut validator = self.validator();
        walk::feed(&mut validator, element);
        walk::locate(validator.finish(), element)
    }

    /// Validates the document `reader` holds as it streams by, without building a tree: memory
    /// follows the document's depth, not its size. A document with errors is read a second
    /// time (hence `Seek`) to give them their element paths. DTDs are refused; a byte order mark
    /// is skipped.
    pub fn validate_reader<R: std::io::BufRead + std::io::Seek>(
        &self,
        reader: R,
    ) -> Result<ValidationReport, ReadError> {
        stream::validate(self.validator(), reader)
    }

    /// Validates a document held in memory as bytes, through a tree: for a document of a few
    /// kilobytes faster than streaming, at a memory cost that grows with the document. The
    /// same errors as [`SchemaSet::validate_reader`].
    pub fn validate_bytes(&self, bytes: &[u8]) -> Result<ValidationReport, ReadError> {
        let document = stream::parse(stream::text(bytes)?)?;
        Ok(self.validate_document(&document))
    }

    fn validator(&self) -> validate::Validator<'_> {
        validate::Validator::new(
            &self.components,
            &self.nullable,
            &self.automata,
            &self.plain_starts,
            self.error_limit,
            memo::ValidValues::new(self.identity, &self.context_free),
        )
    }

    /// The global element declaration with this name, for reading the schema's model.
    pub fn global_element(
        &self,
        namespace: Option<&str>,
        local: &str,
    ) -> Option<ElementDeclRef<'_>> {
        let id = *self.components.global_elements.get(&model::QNameRef {
            ns: namespace,
            local,
        })?;
        Some(ElementDeclRef::new(&self.components, id))
    }
}
