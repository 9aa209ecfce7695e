//! Cases: what the harness sends. Golden cases come from `golden/<service>/<operation>/*.xml`
//! (with an optional `*.toml` beside each stating the expected outcome). Loading reads file names
//! and sidecars only; request XML is read and checked when a case runs, so listing stays cheap.

mod generated;
mod schema;
mod sequence;
mod template;

pub use generated::{Edge, Generated, generated_cases, is_valid, strategy, substitute};
pub use schema::{FieldOverrides, SchemaTrial, schema_cases};
pub use sequence::{Capture, SEQUENCES_DIR, Side, Step, ValueCheck};
pub use template::{TemplateError, Variables};

use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use hashbrown::HashMap;
use serde::Deserialize;

use crate::contract::Contract;
use crate::xml::{Parsed, Refillable, XmlError};
use crate::xsd::Lesson;

/// What a conforming provider must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    /// A response element of the operation's response type.
    Success,
    /// A SOAP fault.
    Fault,
    /// Either, as long as it is what the contract allows: a schema-generated request is valid
    /// but may name things the provider does not hold, which it rightly refuses.
    ReceiptOrFault,
}

/// Where a case came from; the third part of a trial name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Golden,
    /// A golden request with one field set to a named edge value.
    Edge,
    /// A golden request with one field set to generated values, shrunk on failure.
    Property,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Golden => "golden",
            CaseKind::Edge => "edge",
            CaseKind::Property => "property",
        }
    }
}

/// What a case sends: one request, or a stateful sequence of steps.
#[derive(Debug, Clone)]
pub enum Plan {
    Single,
    Sequence(Vec<Step>),
    /// The golden request `source` with a bound field replaced.
    Generated(Box<Generated>),
    /// Requests generated from the request element's schema, valid or mutated.
    Schema(SchemaTrial),
}

/// One request (or sequence of requests) to send, with what must come back.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<service>::<operation>::<kind>::<case>`; sequences use `sequence` as the operation.
    pub name: String,
    /// The contract key (folder name under contracts/).
    pub service: String,
    pub operation: String,
    pub kind: CaseKind,
    /// The request file, or the sequence file.
    pub source: PathBuf,
    pub plan: Plan,
    /// The sidecar's expectation; `None` lets the contract's rules decide.
    pub expect: Option<Expectation>,
    pub description: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("cannot read {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", file.display())]
    Sidecar { file: PathBuf, message: String },
    #[error("{}: operation folder `{operation}` is not an operation of contract {}", dir.display(), contract.display())]
    UnknownOperation {
        dir: PathBuf,
        operation: String,
        contract: PathBuf,
    },
    #[error("{}: {source}", file.display())]
    Template {
        file: PathBuf,
        source: TemplateError,
    },
    #[error(
        "{}: operation {operation}, field {field}: no golden case {} to generate from",
        contract.display(),
        wanted.as_deref().map(|w| format!("`{w}` that does not expect a fault")).unwrap_or_else(|| "that does not expect a fault".into())
    )]
    NoTemplate {
        contract: PathBuf,
        operation: String,
        field: String,
        wanted: Option<String>,
    },
    #[error("{}: {message}", file.display())]
    Substitute { file: PathBuf, message: String },
    #[error("{}: not well-formed XML: {source}", file.display())]
    NotXml {
        file: PathBuf,
        source: crate::xml::XmlError,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    expect: Option<Expectation>,
    description: Option<String>,
}

/// Golden cases of every contract, in a stable order (service, operation, case).
pub fn golden_cases(golden_dir: &Path, contracts: &[Contract]) -> Result<Vec<Case>, CaseError> {
    let mut cases = Vec::new();
    for contract in contracts {
        let service_dir = golden_dir.join(&contract.key);
        let Ok(entries) = std::fs::read_dir(&service_dir) else {
            continue;
        };
        let mut operation_dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        operation_dirs.sort();
        for dir in operation_dirs {
            let operation = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if operation == SEQUENCES_DIR {
                cases.extend(sequences_in(&dir, contract)?);
                continue;
            }
            if contract.operation(&operation).is_none() {
                return Err(CaseError::UnknownOperation {
                    dir,
                    operation,
                    contract: contract.file.clone(),
                });
            }
            cases.extend(cases_in(&dir, &contract.key, &operation)?);
        }
    }
    Ok(cases)
}

fn cases_in(dir: &Path, service: &str, operation: &str) -> Result<Vec<Case>, CaseError> {
    // One directory listing instead of a stat per case keeps listing 10,000 trials fast.
    let sidecars: std::collections::HashSet<PathBuf> = files_in(dir, "toml")?.into_iter().collect();
    files_in(dir, "xml")?
        .into_iter()
        .map(|source| {
            let case = source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let sidecar_file = source.with_extension("toml");
            let sidecar = if sidecars.contains(&sidecar_file) {
                read_sidecar(&sidecar_file)?
            } else {
                None
            };
            Ok(Case {
                name: format!("{service}::{operation}::golden::{case}"),
                service: service.to_owned(),
                operation: operation.to_owned(),
                kind: CaseKind::Golden,
                expect: sidecar.as_ref().and_then(|s| s.expect),
                description: sidecar.and_then(|s| s.description),
                source,
                plan: Plan::Single,
            })
        })
        .collect()
}

/// Files with extension `extension` directly in `dir`, sorted.
fn files_in(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, CaseError> {
    let read_dir = std::fs::read_dir(dir).map_err(|source| CaseError::Read {
        file: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = read_dir
        .filter_map(Result::ok)
        .filter(|e| {
            // The listing already knows the type; only symbolic links need a stat.
            e.file_type()
                .is_ok_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file()))
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    Ok(files)
}

fn sequences_in(dir: &Path, contract: &Contract) -> Result<Vec<Case>, CaseError> {
    files_in(dir, "toml")?
        .into_iter()
        .map(|source| {
            let name = source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (steps, description) = sequence::load(&source, contract)?;
            Ok(Case {
                name: format!("{}::{SEQUENCES_OPERATION}::golden::{name}", contract.key),
                service: contract.key.clone(),
                operation: SEQUENCES_OPERATION.to_owned(),
                kind: CaseKind::Golden,
                expect: None,
                description,
                source,
                plan: Plan::Sequence(steps),
            })
        })
        .collect()
}

/// The operation part of a sequence's trial name.
pub const SEQUENCES_OPERATION: &str = "sequence";

fn read_sidecar(file: &Path) -> Result<Option<Sidecar>, CaseError> {
    if !file.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(file).map_err(|source| CaseError::Read {
        file: file.to_owned(),
        source,
    })?;
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| CaseError::Sidecar {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
}

impl Case {
    /// Reads the request template, fills in the variables and returns the payload element's text
    /// (without XML declaration). Repeated runs use [`Templates`] instead, which read each file
    /// once.
    pub fn render(&self, variables: &Variables) -> Result<String, CaseError> {
        RequestTemplate::load(&self.source)?.render(variables)
    }

    /// [`Case::render`] with the generated field set to `value` (its prefix added).
    pub fn render_with(
        &self,
        variables: &Variables,
        generated: &Generated,
        value: &str,
    ) -> Result<String, CaseError> {
        let payload = self.render(variables)?;
        substitute(&payload, &generated.field, value).map_err(|message| CaseError::Substitute {
            file: self.source.clone(),
            message,
        })
    }
}

/// A request file, read and checked for well-formedness once: its text and where the payload
/// element lies in it. Placeholders are plain text to the XML parser, so the file parses before
/// they are filled in.
#[derive(Debug)]
pub struct RequestTemplate {
    file: PathBuf,
    text: String,
    payload: Range<usize>,
    /// The first payload parsed, kept for the later ones to refill, with what validating it
    /// taught; `None` inside when its placeholders are not text nodes of their own.
    parsed: OnceLock<Option<Refillable<Option<Lesson>>>>,
}

impl RequestTemplate {
    pub fn load(file: &Path) -> Result<RequestTemplate, CaseError> {
        let text = std::fs::read_to_string(file).map_err(|source| CaseError::Read {
            file: file.to_owned(),
            source,
        })?;
        let payload = crate::xml::parse(&text)
            .map_err(|source| CaseError::NotXml {
                file: file.to_owned(),
                source,
            })?
            .root_element()
            .range();
        Ok(RequestTemplate {
            file: file.to_owned(),
            text,
            payload,
            parsed: OnceLock::new(),
        })
    }

    /// The payload element with the variables filled in. A value can still make it ill-formed
    /// (a captured `<`); the runner parses every payload before sending it.
    pub fn render(&self, variables: &Variables) -> Result<String, CaseError> {
        variables
            .expand(&self.text[self.payload.clone()])
            .map_err(|source| CaseError::Template {
                file: self.file.clone(),
                source,
            })
    }

    /// `payload`, rendered with `variables`, as a tree: what [`crate::xml::parse`] gives, but a
    /// soak's repetitions, which differ only in their values (message id, clock), refill the
    /// template's first payload instead of parsing each (see [`Refillable`]).
    pub fn parse<'t>(
        &'t self,
        payload: &'t str,
        variables: &Variables,
    ) -> Result<Parsed<'t, Option<Lesson>>, XmlError> {
        let parsed = self.parsed.get_or_init(|| {
            let mut holes = Vec::new();
            let sample = variables
                .expand_marking(&self.text[self.payload.clone()], |value| holes.push(value))
                .ok()?;
            Refillable::new(sample, &holes)
        });
        match parsed {
            Some(refillable) => refillable.parse(payload),
            None => crate::xml::parse(payload).map(Parsed::from),
        }
    }
}

/// Request templates by file, shared by the repetitions of a run so a soak reads and parses each
/// file once instead of once per exchange.
#[derive(Debug, Default)]
pub struct Templates {
    /// Keyed by the path's bytes under hashbrown's hasher: `Path` hashes component by component
    /// with SipHash, which cost a quarter as much as rendering the template, on every exchange.
    loaded: Mutex<HashMap<OsString, Arc<RequestTemplate>>>,
}

/// Templates kept at most; a run over more distinct files starts over rather than holding every
/// file it has seen, so memory does not grow with the number of cases.
const TEMPLATES_KEPT: usize = 256;

impl Templates {
    pub fn get(&self, file: &Path) -> Result<Arc<RequestTemplate>, CaseError> {
        if let Some(template) = self.lock().get(file.as_os_str()) {
            return Ok(template.clone());
        }
        let template = Arc::new(RequestTemplate::load(file)?);
        let mut loaded = self.lock();
        if loaded.len() >= TEMPLATES_KEPT {
            loaded.clear();
        }
        loaded.insert(file.as_os_str().to_owned(), template.clone());
        Ok(template)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<OsString, Arc<RequestTemplate>>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_strips_the_declaration_and_names_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.xml");
        std::fs::write(&good, "<?xml version=\"1.0\"?>\n<a>${today}</a>\n").unwrap();
        let bad = dir.path().join("bad.xml");
        std::fs::write(&bad, "<a><b></a>").unwrap();
        let case = |source: PathBuf| Case {
            name: "s::o::golden::c".into(),
            service: "s".into(),
            operation: "o".into(),
            kind: CaseKind::Golden,
            source,
            expect: None,
            description: None,
            plan: Plan::Single,
        };
        let vars = Variables::for_test();
        assert_eq!(case(good).render(&vars).unwrap(), "<a>2024-05-31</a>");
        let message = case(bad).render(&vars).unwrap_err().to_string();
        assert!(
            message.contains("bad.xml: not well-formed XML"),
            "{message}"
        );
    }

    #[test]
    fn templates_read_a_file_once_and_stay_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.xml");
        std::fs::write(&file, "<a>${today}</a>").unwrap();
        let templates = Templates::default();
        let first = templates.get(&file).unwrap();
        std::fs::write(&file, "<b/>").unwrap();
        let again = templates.get(&file).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "read again");
        assert_eq!(
            again.render(&Variables::for_test()).unwrap(),
            "<a>2024-05-31</a>"
        );
        for i in 0..TEMPLATES_KEPT {
            let other = dir.path().join(format!("{i}.xml"));
            std::fs::write(&other, "<c/>").unwrap();
            templates.get(&other).unwrap();
        }
        assert!(templates.lock().len() <= TEMPLATES_KEPT);
        let reread = templates.get(&file).unwrap();
        assert_eq!(reread.render(&Variables::for_test()).unwrap(), "<b/>");
    }
}
