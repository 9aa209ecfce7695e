//! Stateful sequences: `golden/<service>/sequences/<name>.toml` lists steps, each an operation
//! and a request file, run in order against one endpoint. A step may capture a value from its
//! request or response; later steps use it as a `${name}` placeholder in their requests and in
//! their value checks.
//!
//! ```toml
//! description = "what the sequence proves"
//! [[step]]
//! operation = "SendOpdateringFravaer"
//! request = "opdatering-ses-i-hentsag/1-opdatering.xml"   # relative to the sequences folder
//! expect = "success"                                     # optional, as in a case sidecar
//!   [[step.capture]]
//!   name = "bemaerkning"
//!   from = "request"                                     # or "response" (the default)
//!   path = "sf:Jobcenteroplysninger/sf:Bemaerkning"
//! [[step]]
//! operation = "HentSag"
//! request = "opdatering-ses-i-hentsag/2-hentsag.xml"
//!   [[step.check]]                                       # the response value at path
//!   path = "sf:Sag/sf:Jobcenteroplysninger/sf:Bemaerkning"
//!   equals = "${bemaerkning}"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{CaseError, Expectation};
use crate::contract::Contract;
use crate::xml::path::XmlPath;

/// The folder below `golden/<service>/` that holds sequences instead of an operation's cases.
pub const SEQUENCES_DIR: &str = "sequences";

/// Which message of a step a value is captured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Request,
    #[default]
    Response,
}

#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub from: Side,
    pub path: XmlPath,
}

/// The response value at `path` must equal `equals` (placeholders expanded).
#[derive(Debug, Clone)]
pub struct ValueCheck {
    pub path: XmlPath,
    pub equals: String,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub operation: String,
    pub request: PathBuf,
    pub expect: Option<Expectation>,
    pub captures: Vec<Capture>,
    pub checks: Vec<ValueCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSequence {
    description: Option<String>,
    #[serde(rename = "step")]
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    operation: String,
    request: PathBuf,
    expect: Option<Expectation>,
    #[serde(default, rename = "capture")]
    captures: Vec<RawCapture>,
    #[serde(default, rename = "check")]
    checks: Vec<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapture {
    name: String,
    #[serde(default)]
    from: Side,
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    path: String,
    equals: String,
}

/// Reads one sequence file; paths use the contract's namespaces and request files are resolved
/// against the file's folder (and must exist, so a typo is found when listing).
pub(super) fn load(
    file: &Path,
    contract: &Contract,
) -> Result<(Vec<Step>, Option<String>), CaseError> {
    let text = std::fs::read_to_string(file).map_err(|source| CaseError::Read {
        file: file.to_owned(),
        source,
    })?;
    let invalid = |message: String| CaseError::Sidecar {
        file: file.to_owned(),
        message,
    };
    let raw: RawSequence =
        toml::from_str(&text).map_err(|e| invalid(e.to_string().trim_end().to_owned()))?;
    if raw.steps.is_empty() {
        return Err(invalid("a sequence needs at least one [[step]]".into()));
    }
    let folder = file.parent().unwrap_or(Path::new("."));
    let path = |p: &str| {
        XmlPath::parse(p, &contract.namespaces).map_err(|e| invalid(format!("path `{p}`: {e}")))
    };
    let mut steps = Vec::new();
    for (index, step) in raw.steps.into_iter().enumerate() {
        let number = index + 1;
        if contract.operation(&step.operation).is_none() {
            return Err(invalid(format!(
                "step {number}: `{}` is not an operation of {}",
                step.operation,
                contract.file.display()
            )));
        }
        let request = folder.join(&step.request);
        if !request.is_file() {
            return Err(invalid(format!(
                "step {number}: request file {} does not exist",
                request.display()
            )));
        }
        steps.push(Step {
            operation: step.operation,
            request,
            expect: step.expect,
            captures: step
                .captures
                .into_iter()
                .map(|c| {
                    Ok(Capture {
                        path: path(&c.path)?,
                        name: c.name,
                        from: c.from,
                    })
                })
                .collect::<Result<_, CaseError>>()?,
            checks: step
                .checks
                .into_iter()
                .map(|c| {
                    Ok(ValueCheck {
                        path: path(&c.path)?,
                        equals: c.equals,
                    })
                })
                .collect::<Result<_, CaseError>>()?,
        });
    }
    Ok((steps, raw.description))
}
