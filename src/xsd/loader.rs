//! Finding the documents of a schema set: the given files plus everything they include, import
//! and redefine, resolved relative to the referring file and then through the catalogue.
//!
//! Documents are cached by file and effective target namespace, never by namespace alone: two
//! files may define two versions of one namespace, and a chameleon include of one file into two
//! namespaces yields two documents.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::SchemaError;
use super::{CompileOptions, XS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Include,
    Redefine,
    Import,
}

/// One schema document as it takes part in the set.
#[derive(Debug)]
pub struct DocInfo {
    pub file: usize,
    /// The target namespace its components get (the includer's for a chameleon include).
    pub tns: Option<String>,
    /// True when the document has no targetNamespace but was included into one.
    pub chameleon: bool,
    /// Documents this one includes, redefines or imports: (how, document, index of the referring
    /// element among the root's element children).
    pub references: Vec<(Reference, usize, usize)>,
}

/// A namespace that was imported but whose document could not be found.
#[derive(Debug, Clone)]
pub struct MissingImport {
    pub namespace: Option<String>,
    pub tried: Vec<PathBuf>,
}

pub struct Files {
    pub paths: Vec<PathBuf>,
    pub texts: Vec<String>,
    pub docs: Vec<DocInfo>,
    pub missing_imports: Vec<MissingImport>,
}

pub fn parse_schema_text(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
}

pub fn not_well_formed(path: &Path, e: &roxmltree::Error) -> SchemaError {
    let pos = e.pos();
    SchemaError {
        file: path.to_owned(),
        line: pos.row,
        column: pos.col,
        rule: "well-formed",
        message: e.to_string(),
    }
}

struct Loader<'o> {
    options: &'o CompileOptions,
    files: Files,
    file_index: HashMap<PathBuf, usize>,
    doc_index: HashMap<(usize, Option<String>), usize>,
}

/// Loads the given schema files and everything they refer to.
pub fn load(paths: &[PathBuf], options: &CompileOptions) -> Result<Files, SchemaError> {
    let mut loader = Loader {
        options,
        files: Files {
            paths: vec![],
            texts: vec![],
            docs: vec![],
            missing_imports: vec![],
        },
        file_index: HashMap::new(),
        doc_index: HashMap::new(),
    };
    for path in paths {
        let Some(file) = loader.read(path)? else {
            return Err(SchemaError {
                file: path.clone(),
                line: 0,
                column: 0,
                rule: "schema-file",
                message: "cannot read the schema file".to_owned(),
            });
        };
        loader.add_doc(file, None)?;
    }
    Ok(loader.files)
}

impl Loader<'_> {
    /// Reads a file once; None when it does not exist or cannot be read.
    fn read(&mut self, path: &Path) -> Result<Option<usize>, SchemaError> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        if let Some(&i) = self.file_index.get(&key) {
            return Ok(Some(i));
        }
        let Ok(bytes) = std::fs::read(&key) else {
            return Ok(None);
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return Err(SchemaError {
                    file: path.to_owned(),
                    line: 0,
                    column: 0,
                    rule: "well-formed",
                    message: "the schema document is not UTF-8".to_owned(),
                });
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_owned)
            .unwrap_or(text);
        let i = self.files.texts.len();
        self.files.texts.push(text);
        self.files.paths.push(path.to_owned());
        self.file_index.insert(key, i);
        Ok(Some(i))
    }

    /// Adds the document in `file`, as included into `chameleon_tns` when that is Some, and
    /// everything it refers to. Returns the document index.
    fn add_doc(
        &mut self,
        file: usize,
        includer_tns: Option<Option<String>>,
    ) -> Result<usize, SchemaError> {
        let (own_tns, refs) = {
            let text = &self.files.texts[file];
            let path = &self.files.paths[file];
            let doc = parse_schema_text(text).map_err(|e| not_well_formed(path, &e))?;
            let root = doc.root_element();
            if !root.has_tag_name((XS, "schema")) {
                return Err(SchemaError {
                    file: path.clone(),
                    line: 1,
                    column: 1,
                    rule: "schema-root",
                    message: format!(
                        "the document element is {{{}}}{}, not xs:schema",
                        root.tag_name().namespace().unwrap_or(""),
                        root.tag_name().name()
                    ),
                });
            }
            let own_tns = root.attribute("targetNamespace").map(str::to_owned);
            let mut refs = vec![];
            for (index, child) in root.children().filter(|c| c.is_element()).enumerate() {
                if child.tag_name().namespace() != Some(XS) {
                    continue;
                }
                let kind = match child.tag_name().name() {
                    "include" => Reference::Include,
                    "redefine" => Reference::Redefine,
                    "import" => Reference::Import,
                    _ => continue,
                };
                let location = child.attribute("schemaLocation").map(str::to_owned);
                let namespace = child.attribute("namespace").map(str::to_owned);
                refs.push((index, kind, location, namespace));
            }
            (own_tns, refs)
        };
        let (tns, chameleon) = match (&own_tns, includer_tns) {
            (None, Some(outer)) => (outer.clone(), outer.is_some()),
            _ => (own_tns.clone(), false),
        };
        let key = (file, tns.clone());
        if let Some(&d) = self.doc_index.get(&key) {
            return Ok(d);
        }
        let doc_id = self.files.docs.len();
        self.files.docs.push(DocInfo {
            file,
            tns: tns.clone(),
            chameleon,
            references: vec![],
        });
        self.doc_index.insert(key, doc_id);
        let base_dir = self.files.paths[file]
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default();
        for (index, kind, location, namespace) in refs {
            let mut candidates: Vec<PathBuf> = location.iter().map(|l| base_dir.join(l)).collect();
            if kind == Reference::Import
                && let Some(p) = namespace
                    .as_ref()
                    .and_then(|ns| self.options.catalogue.get(ns))
            {
                candidates.push(p.clone());
            }
            let mut found = None;
            for candidate in &candidates {
                if let Some(f) = self.read(candidate)? {
                    found = Some(f);
                    break;
                }
            }
            let Some(included) = found else {
                if kind == Reference::Import {
                    self.files.missing_imports.push(MissingImport {
                        namespace: namespace.clone(),
                        tried: candidates,
                    });
                }
                continue;
            };
            let referred = match kind {
                Reference::Import => self.add_doc(included, None)?,
                Reference::Include | Reference::Redefine => {
                    self.add_doc(included, Some(tns.clone()))?
                }
            };
            self.files.docs[doc_id]
                .references
                .push((kind, referred, index));
        }
        Ok(doc_id)
    }
}
