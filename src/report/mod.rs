//! Reports of a run under `reports/<run-id>/`: `results.json` (the stable machine-readable
//! record, documented in docs/results-schema.md), `junit.xml` (one testcase per trial),
//! `report.md` and `report.html` (for certification), the canonical responses for review and,
//! on request, the evidence bundle `evidence.tar.gz`.
//!
//! This module only turns a [`RunRecord`] into files; it knows nothing of the network or the
//! runner. [`services`] reads the contracts to record what was certified against.

mod escape;
pub mod evidence;
mod html;
mod junit;
mod markdown;
mod provenance;
mod redact;
mod summary;

pub use provenance::{FileHash, OperationRecord, ServiceRecord, services};
pub use redact::redact_cpr;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::cases::Expectation;
use crate::checks::{CheckResult, Outcome, Verdict};

/// Version of the results.json layout; bumped on any incompatible change.
pub const RESULTS_SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub run_id: String,
    pub harness_version: String,
    pub endpoint: String,
    pub today: NaiveDate,
    pub interrupted: bool,
    pub duration_ms: u64,
    /// SHA-256 of the DER client certificate presented over mTLS, when one was.
    pub client_certificate_sha256: Option<String>,
    /// The seed of generated cases, when the run had one.
    pub seed: Option<u64>,
    /// The contracts the run certified against, with file hashes and rules.
    pub services: Vec<ServiceRecord>,
    /// Warnings about the baseline of accepted deviations (stale, expired or unmatched entries).
    pub baseline_warnings: Vec<String>,
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
    /// The reason from the baseline when this failure is an accepted deviation.
    pub baselined: Option<String>,
    /// The seed that generated this case, when it was generated.
    pub seed: Option<u64>,
    /// A command line that runs this trial alone.
    pub replay: Option<String>,
    #[serde(skip)]
    pub canonical_response: Option<String>,
    /// The SOAP envelope sent, when the case got that far.
    #[serde(skip)]
    pub request: Option<String>,
    /// The raw response body, when one came back.
    #[serde(skip)]
    pub response: Option<Vec<u8>>,
}

impl CaseRecord {
    /// `check: message` for every failing (or, with `errors`, erroring) check.
    pub fn problems(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter_map(|c| match &c.verdict {
                Verdict::Fail(m) | Verdict::Error(m) => Some(format!("{}: {m}", c.check)),
                Verdict::Pass | Verdict::NotRun(_) => None,
            })
            .collect()
    }

    /// How this trial counts: a baselined failure counts as neither passed nor failed.
    pub fn standing(&self) -> Standing {
        match (self.outcome, &self.baselined) {
            (Outcome::Passed, _) => Standing::Passed,
            (Outcome::Failed, Some(_)) => Standing::Baselined,
            (Outcome::Failed, None) => Standing::Failed,
            (Outcome::CouldNotTest, _) => Standing::CouldNotTest,
        }
    }
}

/// A trial's place in the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Passed,
    Failed,
    Baselined,
    CouldNotTest,
}

/// Counts by [`Standing`]; `failed` excludes accepted (baselined) failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub baselined: usize,
    pub could_not_test: usize,
}

impl Tally {
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseRecord>) -> Tally {
        let mut tally = Tally::default();
        for case in cases {
            match case.standing() {
                Standing::Passed => tally.passed += 1,
                Standing::Failed => tally.failed += 1,
                Standing::Baselined => tally.baselined += 1,
                Standing::CouldNotTest => tally.could_not_test += 1,
            }
        }
        tally
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.baselined + self.could_not_test
    }
}

impl RunRecord {
    pub fn tally(&self) -> Tally {
        Tally::of(&self.cases)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct ReportError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl ReportError {
    fn at(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError {
        let path = path.to_owned();
        move |source| ReportError { path, source }
    }
}

#[derive(Serialize)]
struct ResultsFile<'a> {
    schema_version: u32,
    #[serde(flatten)]
    tally: Tally,
    #[serde(flatten)]
    run: &'a RunRecord,
}

/// One report file, named relative to the run folder.
#[derive(Debug, Clone)]
pub struct ReportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The report files of a run, each written by [`Report::render_into`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    Results,
    Junit,
    Markdown,
    Html,
}

impl Report {
    const ALL: [Report; 4] = [
        Report::Results,
        Report::Junit,
        Report::Markdown,
        Report::Html,
    ];

    fn file_name(self) -> &'static str {
        match self {
            Report::Results => "results.json",
            Report::Junit => "junit.xml",
            Report::Markdown => "report.md",
            Report::Html => "report.html",
        }
    }

    /// Writes the report into `out`; results.json is streamed, the largest of them for a run of
    /// many cases.
    fn render_into(self, run: &RunRecord, out: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
            Report::Results => {
                let results = ResultsFile {
                    schema_version: RESULTS_SCHEMA_VERSION,
                    tally: run.tally(),
                    run,
                };
                // A record of strings, numbers and dates always serialises; only `out` can fail.
                serde_json::to_writer_pretty(out, &results).map_err(std::io::Error::from)
            }
            Report::Junit => out.write_all(junit::render(run).as_bytes()),
            Report::Markdown => out.write_all(markdown::render(run).as_bytes()),
            Report::Html => out.write_all(html::render(run).as_bytes()),
        }
    }
}

/// Renders results.json, junit.xml, report.md and report.html.
pub fn render(run: &RunRecord) -> Vec<ReportFile> {
    Report::ALL
        .into_iter()
        .map(|report| {
            let mut bytes = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = report.render_into(run, &mut bytes);
            ReportFile {
                name: report.file_name().to_owned(),
                bytes,
            }
        })
        .collect()
}

/// How the evidence bundle is made, when one is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    None,
    Bundle,
    /// A bundle with CPR numbers in element text replaced by `XXXXXX-XXXX`.
    RedactedBundle,
}

/// Writes every report file into `dir` (created if needed) and returns the paths written.
/// Without evidence each file goes straight to disk, so a run of many cases never holds all of
/// them in memory at once; the bundle needs their bytes.
pub fn write(dir: &Path, run: &RunRecord, evidence: Evidence) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(ReportError::at(dir))?;
    let mut written = Vec::new();
    let bundled = (evidence != Evidence::None).then(|| render(run));
    match &bundled {
        None => {
            for report in Report::ALL {
                let path = dir.join(report.file_name());
                write_streamed(&path, |out| report.render_into(run, out))
                    .map_err(ReportError::at(&path))?;
                written.push(path);
            }
        }
        Some(files) => {
            for file in files {
                let path = dir.join(&file.name);
                std::fs::write(&path, &file.bytes).map_err(ReportError::at(&path))?;
                written.push(path);
            }
        }
    }
    for case in &run.cases {
        if let Some(text) = &case.canonical_response {
            write_canonical_response(dir, &case.name, text)?;
        }
    }
    if let Some(files) = &bundled {
        let path = dir.join(evidence::BUNDLE_NAME);
        let bundle = evidence::bundle(run, files, evidence == Evidence::RedactedBundle);
        std::fs::write(&path, bundle).map_err(ReportError::at(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes a trial's canonical response to `responses/` in the run folder `dir`, for review. The
/// runner writes a trial's as soon as its verdict is final, so a run of many trials need not
/// hold them all; [`write`] writes those still in the record.
pub fn write_canonical_response(dir: &Path, trial: &str, text: &str) -> Result<(), ReportError> {
    let responses = dir.join("responses");
    std::fs::create_dir_all(&responses).map_err(ReportError::at(&responses))?;
    let file = responses.join(format!("{}.xml", file_stem(trial)));
    std::fs::write(&file, text).map_err(ReportError::at(&file))
}

fn write_streamed(
    path: &Path,
    render: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    render(&mut out)?;
    out.flush()
}

/// A file name for a trial: `::` becomes `__` and anything but letters, digits, `-`, `_` and
/// `.` becomes `_`, so hostile names cannot leave the folder.
pub(crate) fn file_stem(trial: &str) -> String {
    trial
        .replace("::", "__")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_owned()
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tally_keeps_baselined_failures_apart() {
        let run = fixture::run();
        let tally = run.tally();
        assert_eq!(tally.passed, 2);
        assert_eq!(tally.failed, 1);
        assert_eq!(tally.baselined, 1);
        assert_eq!(tally.could_not_test, 1);
        assert_eq!(tally.total(), run.cases.len());
    }

    #[test]
    fn results_json_carries_the_documented_fields() {
        let files = render(&fixture::run());
        let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
        assert_eq!(json["schema_version"], RESULTS_SCHEMA_VERSION);
        assert_eq!(json["failed"], 1);
        assert_eq!(json["baselined"], 1);
        assert_eq!(
            json["services"][0]["contract"]["sha256"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
        let baselined = json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| !c["baselined"].is_null())
            .unwrap();
        assert_eq!(baselined["outcome"], "failed");
        assert!(
            json["cases"][0].get("request").is_none(),
            "exchanges stay out of results.json"
        );
    }

    /// docs/results-schema.md must document every field results.json carries.
    #[test]
    fn the_schema_document_names_every_field() {
        let doc = include_str!("../../docs/results-schema.md");
        assert!(doc.starts_with(&format!(
            "# results.json — schema version {RESULTS_SCHEMA_VERSION}"
        )));
        let files = render(&fixture::run());
        let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
        let objects = [
            &json,
            &json["services"][0],
            &json["services"][0]["contract"],
            &json["services"][0]["operations"][0],
            &json["cases"][1],
            &json["cases"][1]["checks"][1],
        ];
        for object in objects {
            for key in object.as_object().unwrap().keys() {
                assert!(
                    doc.contains(&format!("| `{key}` |")) || doc.contains(&format!("\"{key}\"")),
                    "docs/results-schema.md does not document `{key}`"
                );
            }
        }
    }

    /// Without evidence the files are streamed to disk; they must be the very bytes the bundle
    /// would hash.
    #[test]
    fn streamed_reports_match_the_rendered_ones() {
        let run = fixture::run();
        let dir = tempfile::tempdir().unwrap();
        let written = write(dir.path(), &run, Evidence::None).unwrap();
        let rendered = render(&run);
        assert_eq!(written.len(), rendered.len());
        for file in rendered {
            let on_disk = std::fs::read(dir.path().join(&file.name)).unwrap();
            assert!(on_disk == file.bytes, "{} differs", file.name);
        }
        assert!(!dir.path().join(evidence::BUNDLE_NAME).exists());
    }

    #[test]
    fn file_stems_cannot_escape_the_folder() {
        assert_eq!(file_stem("a::b::golden::c-1"), "a__b__golden__c-1");
        assert_eq!(file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert!(!file_stem("x/<y>").contains('/'));
    }
}
