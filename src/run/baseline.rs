//! The baseline of accepted deviations: a TOML file listing failing trials a vendor has agreed
//! to live with for now, each with a reason and an optional expiry date.
//!
//! ```toml
//! [[accepted]]
//! trial = "kontanthjaelp::SletBevilling::golden::slet-i-dag"
//! reason = "VEN-12: effective date off by one until release 4.2"
//! expires = "2026-12-31"
//! ```
//!
//! A listed failure is reported as baselined and does not fail the run. An entry is in force up
//! to and including its expiry date; after that the failure counts again. Baselined trials that
//! now pass, expired entries and entries matching no trial of the run are warned about.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::checks::Outcome;
use crate::report::RunRecord;

/// One accepted deviation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub trial: String,
    pub reason: String,
    pub expires: Option<NaiveDate>,
    /// Line of the `trial` key in the baseline file, for messages.
    pub line: usize,
}

impl Accepted {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.expires.is_none_or(|expires| today <= expires)
    }
}

#[derive(Debug, Clone)]
pub struct Baseline {
    pub file: PathBuf,
    pub entries: Vec<Accepted>,
}

/// Why a baseline file cannot be used; names the file and, where known, the line.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline {}: {message}", file.display())]
    Syntax { file: PathBuf, message: String },
    #[error("baseline {}:{line}: {message}", file.display())]
    Invalid {
        file: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    #[serde(default)]
    accepted: Vec<RawAccepted>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccepted {
    trial: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
}

impl Baseline {
    pub fn load(file: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(file).map_err(|source| BaselineError::Read {
            file: file.to_owned(),
            source,
        })?;
        Baseline::parse(&text, file)
    }

    pub fn parse(text: &str, file: &Path) -> Result<Baseline, BaselineError> {
        let raw: RawBaseline = toml::from_str(text).map_err(|e| BaselineError::Syntax {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let line_of = |span: std::ops::Range<usize>| {
            1 + text[..span.start.min(text.len())].matches('\n').count()
        };
        let invalid = |line: usize, message: String| BaselineError::Invalid {
            file: file.to_owned(),
            line,
            message,
        };
        let mut entries: Vec<Accepted> = Vec::new();
        for raw in raw.accepted {
            let line = line_of(raw.trial.span());
            let trial = raw.trial.into_inner().trim().to_owned();
            if trial.is_empty() {
                return Err(invalid(line, "`trial` is empty".into()));
            }
            if let Some(earlier) = entries.iter().find(|e| e.trial == trial) {
                return Err(invalid(
                    line,
                    format!("`{trial}` is already listed on line {}", earlier.line),
                ));
            }
            if raw.reason.get_ref().trim().is_empty() {
                return Err(invalid(
                    line_of(raw.reason.span()),
                    format!("`{trial}` needs a reason"),
                ));
            }
            let expires = match raw.expires {
                None => None,
                Some(date) => Some(
                    NaiveDate::parse_from_str(date.get_ref(), "%Y-%m-%d").map_err(|_| {
                        invalid(
                            line_of(date.span()),
                            format!("expires `{}` is not a YYYY-MM-DD date", date.get_ref()),
                        )
                    })?,
                ),
            };
            entries.push(Accepted {
                trial,
                reason: raw.reason.into_inner().trim().to_owned(),
                expires,
                line,
            });
        }
        Ok(Baseline {
            file: file.to_owned(),
            entries,
        })
    }

    /// The entry in force on `today` that accepts `trial`'s failure, if any.
    pub fn accepting(&self, trial: &str, today: NaiveDate) -> Option<&Accepted> {
        self.entries
            .iter()
            .find(|e| e.trial == trial && e.in_force(today))
    }

    /// Marks the run's accepted failures as baselined and returns the warnings, which are also
    /// kept in the record.
    pub fn apply(&self, run: &mut RunRecord, today: NaiveDate) -> Vec<String> {
        let mut warnings = Vec::new();
        let at = |entry: &Accepted| format!("{}:{}", self.file.display(), entry.line);
        for entry in &self.entries {
            let case = run.cases.iter_mut().find(|c| c.name == entry.trial);
            if !entry.in_force(today) {
                warnings.push(format!(
                    "{}: the entry for {} expired on {}; its failure counts again",
                    at(entry),
                    entry.trial,
                    entry.expires.map(|d| d.to_string()).unwrap_or_default()
                ));
                continue;
            }
            match case {
                None => warnings.push(format!(
                    "{}: {} matches no trial of this run",
                    at(entry),
                    entry.trial
                )),
                Some(case) => match case.outcome {
                    Outcome::Failed => case.baselined = Some(entry.reason.clone()),
                    Outcome::Passed => warnings.push(format!(
                        "{}: {} is baselined but now passes; remove the entry",
                        at(entry),
                        entry.trial
                    )),
                    Outcome::CouldNotTest => {}
                },
            }
        }
        run.baseline_warnings.extend(warnings.iter().cloned());
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CaseRecord, RunRecord};
    use crate::run::{ExitStatus, exit_status};

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn case(name: &str, outcome: Outcome) -> CaseRecord {
        CaseRecord {
            name: name.into(),
            service: "s".into(),
            operation: "o".into(),
            kind: "golden".into(),
            source: format!("golden/s/o/{name}.xml"),
            outcome,
            expectation: crate::cases::Expectation::Success,
            checks: vec![],
            duration_ms: 1,
            baselined: None,
            seed: None,
            replay: None,
            canonical_response: None,
            request: None,
            response: None,
        }
    }

    fn run(cases: Vec<CaseRecord>) -> RunRecord {
        RunRecord {
            run_id: "r".into(),
            harness_version: "0".into(),
            endpoint: "http://x/".into(),
            today: date("2026-01-01"),
            interrupted: false,
            duration_ms: 1,
            client_certificate_sha256: None,
            seed: None,
            services: vec![],
            baseline_warnings: vec![],
            cases,
        }
    }

    fn baseline(text: &str) -> Baseline {
        Baseline::parse(text, Path::new("baseline.toml")).unwrap()
    }

    const KNOWN: &str = r#"
[[accepted]]
trial = "s::o::golden::known"
reason = "VEN-12"
expires = "2026-06-30"
"#;

    #[test]
    fn a_known_failure_passes_the_run_and_a_new_one_still_fails_it() {
        let mut known = run(vec![case("s::o::golden::known", Outcome::Failed)]);
        let warnings = baseline(KNOWN).apply(&mut known, date("2026-06-30"));
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(known.cases[0].baselined.as_deref(), Some("VEN-12"));
        assert_eq!(exit_status(&known), ExitStatus::Passed);

        let mut new = run(vec![
            case("s::o::golden::known", Outcome::Failed),
            case("s::o::golden::new", Outcome::Failed),
        ]);
        baseline(KNOWN).apply(&mut new, date("2026-06-30"));
        assert_eq!(exit_status(&new), ExitStatus::ConformanceFailure);
    }

    #[test]
    fn an_expired_entry_counts_again_and_is_warned_about() {
        let mut known = run(vec![case("s::o::golden::known", Outcome::Failed)]);
        let warnings = baseline(KNOWN).apply(&mut known, date("2026-07-01"));
        assert_eq!(known.cases[0].baselined, None);
        assert_eq!(exit_status(&known), ExitStatus::ConformanceFailure);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("baseline.toml:3"), "{warnings:?}");
        assert!(
            warnings[0].contains("expired on 2026-06-30"),
            "{warnings:?}"
        );
    }

    #[test]
    fn stale_and_unmatched_entries_are_warned_about() {
        let text =
            format!("{KNOWN}\n[[accepted]]\ntrial = \"s::o::golden::gone\"\nreason = \"old\"\n");
        let mut passing = run(vec![case("s::o::golden::known", Outcome::Passed)]);
        let warnings = baseline(&text).apply(&mut passing, date("2026-01-01"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("now passes"), "{warnings:?}");
        assert!(warnings[1].contains("baseline.toml:8"), "{warnings:?}");
        assert!(warnings[1].contains("matches no trial"), "{warnings:?}");
        assert_eq!(passing.baseline_warnings, warnings);
        assert_eq!(exit_status(&passing), ExitStatus::Passed);
    }

    #[test]
    fn could_not_test_is_never_accepted() {
        let mut unreachable = run(vec![case("s::o::golden::known", Outcome::CouldNotTest)]);
        baseline(KNOWN).apply(&mut unreachable, date("2026-01-01"));
        assert_eq!(exit_status(&unreachable), ExitStatus::CouldNotTest);
    }

    #[test]
    fn bad_files_name_file_and_line() {
        let error = |text: &str| {
            Baseline::parse(text, Path::new("ci/baseline.toml"))
                .unwrap_err()
                .to_string()
        };
        let typo = error("[[accepted]]\ntrial = \"a\"\nreasn = \"b\"\n");
        assert!(typo.contains("ci/baseline.toml"), "{typo}");
        assert!(typo.contains("line 3"), "{typo}");
        let bad_date =
            error("[[accepted]]\ntrial = \"a\"\nreason = \"b\"\nexpires = \"31-12-2026\"\n");
        assert!(
            bad_date.starts_with("baseline ci/baseline.toml:4:"),
            "{bad_date}"
        );
        let twice = error(
            "[[accepted]]\ntrial = \"a\"\nreason = \"b\"\n[[accepted]]\ntrial = \"a\"\nreason = \"c\"\n",
        );
        assert!(
            twice.contains(":5: `a` is already listed on line 2"),
            "{twice}"
        );
        let no_reason = error("[[accepted]]\ntrial = \"a\"\nreason = \" \"\n");
        assert!(no_reason.contains(":3: `a` needs a reason"), "{no_reason}");
    }
}
