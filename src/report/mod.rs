//! Reports of a run under `reports/<run-id>/`: `results.json` (the stable machine-readable
//! record), `junit.xml` (one testcase per trial) and the canonical responses for review.

mod junit;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::cases::Expectation;
use crate::checks::{CheckResult, Outcome};

/// Version of the results.json layout; bumped on any incompatible change.
pub const RESULTS_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub run_id: String,
    pub harness_version: String,
    pub endpoint: String,
    pub today: NaiveDate,
    pub interrupted: bool,
    pub duration_ms: u64,
    pub cases: Vec<CaseRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    pub name: String,
    pub service: String,
    pub operation: String,
    pub kind: String,
    pub source: String,
    pub outcome: Outcome,
    pub expectation: Expectation,
    pub checks: Vec<CheckResult>,
    pub duration_ms: u64,
    #[serde(skip)]
    pub canonical_response: Option<String>,
}

impl RunRecord {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct ReportError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

#[derive(Serialize)]
struct ResultsFile<'a> {
    schema_version: u32,
    passed: usize,
    failed: usize,
    could_not_test: usize,
    #[serde(flatten)]
    run: &'a RunRecord,
}

/// Writes every report file into `dir` (created if needed) and returns the files written.
pub fn write(dir: &Path, run: &RunRecord) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ReportError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let results = ResultsFile {
        schema_version: RESULTS_SCHEMA_VERSION,
        passed: run.count(Outcome::Passed),
        failed: run.count(Outcome::Failed),
        could_not_test: run.count(Outcome::CouldNotTest),
        run,
    };
    let json_path = dir.join("results.json");
    let json = serde_json::to_string_pretty(&results).map_err(|e| ReportError {
        path: json_path.clone(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&json_path, json).map_err(io(&json_path))?;
    let junit_path = dir.join("junit.xml");
    std::fs::write(&junit_path, junit::render(run)).map_err(io(&junit_path))?;
    let responses = dir.join("responses");
    for case in &run.cases {
        if let Some(text) = &case.canonical_response {
            std::fs::create_dir_all(&responses).map_err(io(&responses))?;
            let file = responses.join(format!("{}.xml", case.name.replace("::", "__")));
            std::fs::write(&file, text).map_err(io(&file))?;
        }
    }
    Ok(vec![json_path, junit_path])
}
