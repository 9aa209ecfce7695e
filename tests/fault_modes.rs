//! The harness's own mutation score: the conformance suite, run through the binary against the
//! embedded reference provider broken in each named way (`kontrakt run --provider-fault <mode>`),
//! must exit 1 and name at least one failed trial for every mode.

use std::path::Path;
use std::process::Command;

use kontrakt::reference::FaultMode;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the suite against the provider with `mode`; returns the exit code and the failed trials.
fn run_with_fault(mode: FaultMode, reports: &Path) -> (Option<i32>, Vec<String>) {
    let output = Command::new(env!("CARGO_BIN_EXE_kontrakt"))
        .current_dir(root())
        .env_remove("KONTRAKT_ENDPOINT")
        .args([
            "run",
            "--today",
            "2026-03-31",
            "--cases",
            "8",
            "--provider-fault",
        ])
        .arg(mode.name())
        .arg("--reports")
        .arg(reports)
        .arg("--regressions")
        .arg(reports.join("regressions"))
        .output()
        .expect("kontrakt runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let failed = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL  "))
        .map(|rest| rest.split(" — ").next().unwrap_or(rest).to_owned())
        .collect();
    (output.status.code(), failed)
}

#[test]
fn every_fault_mode_is_caught_by_a_named_trial() {
    let reports = tempfile::tempdir().expect("tempdir");
    let modes = FaultMode::all();
    let mut caught = 0;
    let mut missed = Vec::new();
    for &mode in modes {
        let (code, failed) = run_with_fault(mode, reports.path());
        if code == Some(1) && !failed.is_empty() {
            caught += 1;
            println!(
                "{:<28} caught by {} trial(s), e.g. {}",
                mode.name(),
                failed.len(),
                failed[0]
            );
        } else {
            missed.push(format!("{mode}: exit {code:?}, failed trials {failed:?}"));
        }
    }
    println!(
        "mutation score: {caught}/{} fault modes caught ({:.0} %)",
        modes.len(),
        100.0 * caught as f64 / modes.len() as f64
    );
    assert!(modes.len() >= 15, "only {} fault modes", modes.len());
    assert!(missed.is_empty(), "fault modes not caught: {missed:#?}");
}

#[test]
fn the_conforming_provider_passes_the_whole_suite() {
    let reports = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_kontrakt"))
        .current_dir(root())
        .env_remove("KONTRAKT_ENDPOINT")
        .args(["run", "--today", "2026-03-31", "--reports"])
        .arg(reports.path())
        .arg("--regressions")
        .arg(reports.path().join("regressions"))
        .output()
        .expect("kontrakt runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("sygefravaer::sequence::golden::opdatering-ses-i-hentsag"),
        "{stdout}"
    );
}
