//! The certification view shared by report.md and report.html: run facts, then per service and
//! operation the tally, rules, case kinds and cases.

use super::{CaseRecord, RunRecord, ServiceRecord, Standing, Tally};

pub(super) struct ServiceSummary<'a> {
    pub key: &'a str,
    /// Absent when cases name a service the record has no contract for.
    pub record: Option<&'a ServiceRecord>,
    pub operations: Vec<OperationSummary<'a>>,
}

pub(super) struct OperationSummary<'a> {
    pub name: &'a str,
    pub tally: Tally,
    pub rules: &'a [String],
    pub kinds: Vec<&'a str>,
    pub cases: Vec<&'a CaseRecord>,
}

/// Run facts as label/value rows; optional facts say plainly that they are absent.
pub(super) fn facts(run: &RunRecord) -> Vec<(&'static str, String)> {
    let tally = run.tally();
    let or_none = |value: Option<String>, why: &str| value.unwrap_or_else(|| why.to_owned());
    vec![
        ("Run", run.run_id.clone()),
        (
            "Harness version",
            format!("kontrakt {}", run.harness_version),
        ),
        ("Endpoint", run.endpoint.clone()),
        ("Provider date (today)", run.today.to_string()),
        (
            "Client certificate SHA-256",
            or_none(run.client_certificate_sha256.clone(), "none presented"),
        ),
        (
            "Seed",
            or_none(run.seed.map(|s| s.to_string()), "none (golden cases only)"),
        ),
        (
            "Duration",
            format!("{:.3} s", run.duration_ms as f64 / 1000.0),
        ),
        (
            "Result",
            format!(
                "{} passed, {} failed, {} baselined, {} could not be tested{}",
                tally.passed,
                tally.failed,
                tally.baselined,
                tally.could_not_test,
                if run.interrupted {
                    " (interrupted)"
                } else {
                    ""
                }
            ),
        ),
    ]
}

pub(super) fn services(run: &RunRecord) -> Vec<ServiceSummary<'_>> {
    let mut keys: Vec<&str> = run.services.iter().map(|s| s.key.as_str()).collect();
    for case in &run.cases {
        if !keys.contains(&case.service.as_str()) {
            keys.push(&case.service);
        }
    }
    keys.into_iter()
        .map(|key| {
            let record = run.services.iter().find(|s| s.key == key);
            let in_service: Vec<&CaseRecord> =
                run.cases.iter().filter(|c| c.service == key).collect();
            let mut names: Vec<&str> = record
                .map(|r| r.operations.iter().map(|o| o.name.as_str()).collect())
                .unwrap_or_default();
            for case in &in_service {
                if !names.contains(&case.operation.as_str()) {
                    names.push(&case.operation);
                }
            }
            let operations = names
                .into_iter()
                .map(|name| {
                    let cases: Vec<&CaseRecord> = in_service
                        .iter()
                        .copied()
                        .filter(|c| c.operation == name)
                        .collect();
                    let mut kinds: Vec<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    OperationSummary {
                        name,
                        tally: Tally::of(cases.iter().copied()),
                        rules: record
                            .and_then(|r| r.operations.iter().find(|o| o.name == name))
                            .map(|o| o.rules.as_slice())
                            .unwrap_or_default(),
                        kinds,
                        cases,
                    }
                })
                .collect();
            ServiceSummary {
                key,
                record,
                operations,
            }
        })
        .collect()
}

/// Trials that did not pass, in run order.
pub(super) fn not_passed(run: &RunRecord) -> impl Iterator<Item = &CaseRecord> {
    run.cases
        .iter()
        .filter(|c| c.standing() != Standing::Passed)
}

pub(super) fn standing_label(standing: Standing) -> &'static str {
    match standing {
        Standing::Passed => "passed",
        Standing::Failed => "FAILED",
        Standing::Baselined => "baselined",
        Standing::CouldNotTest => "could not test",
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn operations_carry_their_own_tally_kinds_and_rules() {
        let run = fixture::run();
        let services = services(&run);
        assert_eq!(services.len(), 1);
        let ret = &services[0].operations[0];
        assert_eq!(ret.name, "RetBevilling");
        assert_eq!(ret.tally.total(), ret.cases.len());
        assert_eq!(ret.kinds, vec!["golden"]);
        assert!(!ret.rules.is_empty());
        let total: usize = services[0].operations.iter().map(|o| o.tally.total()).sum();
        assert_eq!(total, run.cases.len());
    }
}
