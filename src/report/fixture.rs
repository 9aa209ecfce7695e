//! A constructed run for renderer tests: every standing, a hostile trial name and a CPR number
//! in the exchanged XML.

use chrono::NaiveDate;

use super::{CaseRecord, FileHash, OperationRecord, RunRecord, ServiceRecord};
use crate::cases::Expectation;
use crate::checks::{CheckResult, Outcome, Verdict};

pub(crate) const HOSTILE: &str =
    "kontanthjaelp::RetBevilling::golden::<script>alert('x')</script>|a&b";
pub(crate) const CPR: &str = "0101901234";

fn check(name: &str, verdict: Verdict) -> CheckResult {
    CheckResult {
        check: name.to_owned().into(),
        verdict,
    }
}

pub(crate) fn case(name: &str, operation: &str, checks: Vec<CheckResult>) -> CaseRecord {
    let outcome = if checks.iter().any(|c| matches!(c.verdict, Verdict::Fail(_))) {
        Outcome::Failed
    } else if checks
        .iter()
        .any(|c| matches!(c.verdict, Verdict::Error(_)))
    {
        Outcome::CouldNotTest
    } else {
        Outcome::Passed
    };
    CaseRecord {
        name: format!("kontanthjaelp::{operation}::golden::{name}"),
        service: "kontanthjaelp".into(),
        operation: operation.into(),
        kind: "golden".into(),
        source: format!("golden/kontanthjaelp/{operation}/{name}.xml"),
        outcome,
        expectation: Expectation::Success,
        checks,
        duration_ms: 12,
        baselined: None,
        seed: None,
        replay: Some(format!(
            "kontrakt run --exact kontanthjaelp::{operation}::golden::{name}"
        )),
        canonical_response: None,
        request: Some(format!(
            "<soap:Envelope><soap:Body><fd:CPRNummer>{CPR}</fd:CPRNummer></soap:Body></soap:Envelope>"
        )),
        response: Some(format!("<r><fd:CPRNummer>{CPR}</fd:CPRNummer></r>").into_bytes()),
    }
}

pub(crate) fn run() -> RunRecord {
    let pass = || {
        vec![
            check("transport", Verdict::Pass),
            check("outcome", Verdict::Pass),
        ]
    };
    let mut hostile = case(
        "x",
        "RetBevilling",
        vec![
            check("transport", Verdict::Pass),
            check(
                "outcome",
                Verdict::Fail("expected a SOAP fault (status <ansøgt>), got {kh}Svar".into()),
            ),
        ],
    );
    hostile.name = HOSTILE.to_owned();
    hostile.replay = None;
    let mut baselined = case(
        "known-deviation",
        "SletBevilling",
        vec![check(
            "rule date-is-today kh:SletningVirkningsdato",
            Verdict::Fail("expected 2024-05-31, got 2024-05-30".into()),
        )],
    );
    baselined.baselined = Some("vendor ticket VEN-12: off by one day until release 4.2".into());
    let mut unreachable = case(
        "unreachable",
        "SletBevilling",
        vec![check(
            "transport",
            Verdict::Error("connection refused".into()),
        )],
    );
    unreachable.request = None;
    unreachable.response = None;
    RunRecord {
        run_id: "20240531T120000Z-abc123".into(),
        harness_version: "0.1.0".into(),
        endpoint: "https://exttest.example/service/".into(),
        today: NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(),
        interrupted: false,
        duration_ms: 1234,
        client_certificate_sha256: Some("ab".repeat(32)),
        seed: None,
        services: vec![ServiceRecord {
            key: "kontanthjaelp".into(),
            id: "SF1780".into(),
            name: "Kontanthjaelp".into(),
            version: "2".into(),
            schema_provenance: "modelled".into(),
            contract: FileHash {
                path: "contracts/kontanthjaelp/contract.toml".into(),
                sha256: "12".repeat(32),
            },
            schemas: vec![FileHash {
                path: "contracts/kontanthjaelp/xsd/KontanthjaelpServiceMsg.xsd".into(),
                sha256: "34".repeat(32),
            }],
            operations: vec![
                OperationRecord {
                    name: "RetBevilling".into(),
                    rules: vec![
                        "reject-values kh:Bevilling/kh:BevillingStatus in {ansøgt, afslået}".into(),
                        "echo fd:Faellesdel/fd:BeskedId -> fd:Kvittering/fd:BeskedId".into(),
                    ],
                },
                OperationRecord {
                    name: "SletBevilling".into(),
                    rules: vec!["date-is-today kh:SletningVirkningsdato".into()],
                },
            ],
        }],
        baseline_warnings: vec!["baseline.toml:7: kontanthjaelp::X now passes".into()],
        cases: vec![
            case("afgjort", "RetBevilling", pass()),
            hostile,
            case("slet", "SletBevilling", pass()),
            baselined,
            unreachable,
        ],
    }
}
