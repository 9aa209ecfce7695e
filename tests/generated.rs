//! Generated trials prove their worth against reference-provider faults no golden case catches:
//! each run goes through the binary with a fixed seed and must fail only edge or property
//! trials, with the property shrunk (against the live provider) to the expected minimal value.

mod common;

use std::path::Path;

use common::{kontrakt, text};
use kontrakt::domain::cpr;
use kontrakt::xsd::mutate::KINDS;

const SEED: &str = "7";

struct Run {
    code: Option<i32>,
    stdout: String,
    failed: Vec<String>,
}

fn kontrakt_run(args: &[&str], regressions: &Path) -> Run {
    let reports = tempfile::tempdir().expect("tempdir");
    let (command, rest) = args.split_first().expect("a command");
    let output = kontrakt()
        .arg(command)
        .args(["--today", "2026-03-31", "--seed", SEED, "--reports"])
        .arg(reports.path())
        .arg("--regressions")
        .arg(regressions)
        .args(rest)
        .output()
        .expect("kontrakt runs");
    let stdout = text(&output);
    let failed = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL  "))
        .map(|rest| rest.split(" — ").next().unwrap_or(rest).to_owned())
        .collect();
    Run {
        code: output.status.code(),
        stdout,
        failed,
    }
}

fn run_with_fault(fault: &str, filter: &str, regressions: &Path) -> Run {
    kontrakt_run(&["run", "--provider-fault", fault, filter], regressions)
}

/// The minimal value the failing property trial `trial` reports.
fn shrunk(run: &Run, trial: &str) -> String {
    let line = run
        .stdout
        .lines()
        .find(|line| line.starts_with(&format!("FAIL  {trial} — property: minimal failing")))
        .unwrap_or_else(|| panic!("{trial} did not fail:\n{}", run.stdout));
    let start = line.find("= \"").expect("a quoted value") + 3;
    let end = start + line[start..].find("\" (").expect("end of the value");
    line[start..end].to_owned()
}

fn assert_only_generated_trials_fail(run: &Run) {
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(!run.failed.is_empty(), "{}", run.stdout);
    for trial in &run.failed {
        assert!(
            trial.contains("::edge::") || trial.contains("::property::"),
            "{trial} is not a generated trial:\n{}",
            run.stdout
        );
    }
}

#[test]
fn rejecting_non_modulus11_cpr_numbers_shrinks_to_a_january_first_number() {
    let regressions = tempfile::tempdir().expect("tempdir");
    let run = run_with_fault(
        "reject-non-modulus11-cpr",
        "terminaladgang",
        regressions.path(),
    );
    assert_only_generated_trials_fail(&run);
    assert!(
        run.failed.contains(
            &"terminaladgang::Fremsoeg::edge::Part-CPR-january-first-without-modulus11".to_owned()
        ),
        "{:?}",
        run.failed
    );
    let value = shrunk(&run, "terminaladgang::Fremsoeg::property::Part-CPR");
    let number = cpr::validate(&value).expect("a valid CPR number");
    assert_eq!(
        chrono::Datelike::ordinal(&number.birth_date()),
        1,
        "{value}"
    );
    assert!(!number.has_modulus11(), "{value}");
    assert!(
        run.stdout.contains(&format!(
            "replay: kontrakt replay 'terminaladgang::Fremsoeg::property::Part-CPR' --seed {SEED}"
        )),
        "{}",
        run.stdout
    );
    // The diff from the golden request shows just the changed CPR line.
    assert!(
        run.stdout.contains(&format!(
            "+             <gd:ReferenceID><sd:URNIdentifikator>urn:oio:cpr-nr:{value}<"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn rejecting_29_february_is_caught_at_the_leap_day() {
    let regressions = tempfile::tempdir().expect("tempdir");
    let run = run_with_fault("reject-leap-day", "HentSagsListe", regressions.path());
    assert_only_generated_trials_fail(&run);
    assert!(
        run.failed
            .contains(&"sygefravaer::HentSagsListe::edge::FraDato-leap-day-2024".to_owned()),
        "{:?}",
        run.failed
    );
    let value = shrunk(&run, "sygefravaer::HentSagsListe::property::FraDato");
    assert_eq!(value.get(4..10), Some("-02-29"), "{value}");
}

#[test]
fn a_window_starting_one_day_late_is_caught_on_its_first_day() {
    let regressions = tempfile::tempdir().expect("tempdir");
    let run = run_with_fault(
        "window-start-off-by-one",
        "terminaladgang",
        regressions.path(),
    );
    assert_only_generated_trials_fail(&run);
    assert!(
        run.failed.contains(
            &"terminaladgang::Fremsoeg::edge::DispositionsDato-Fra-window-first-day".to_owned()
        ),
        "{:?}",
        run.failed
    );
    // Today is 2026-03-31: the window starts on 1 December 2025.
    assert_eq!(
        shrunk(
            &run,
            "terminaladgang::Fremsoeg::property::DispositionsDato-Fra"
        ),
        "2025-12-01T12:00:00"
    );
}

#[test]
fn truncated_text_shrinks_to_one_character_past_the_cut_and_replays() {
    let regressions = tempfile::tempdir().expect("tempdir");
    let trial = "sygefravaer::SendForretningsSvarForlaengelse::property::Begrundelse";
    let run = run_with_fault("truncate-text", "Forlaengelse", regressions.path());
    assert_only_generated_trials_fail(&run);
    let value = shrunk(&run, trial);
    // The provider cuts at 100 characters: 101 is the shortest text it breaks.
    assert_eq!(value.chars().count(), 101, "{value}");
    assert!(value.chars().all(|c| c == 'a'), "{value}");

    // The minimal value is recorded under the trial's name and replayed first next time.
    let file = regressions.path().join("sygefravaer.toml");
    let recorded = std::fs::read_to_string(&file).expect("regressions written");
    assert!(recorded.contains(trial), "{recorded}");
    assert!(recorded.contains(&value), "{recorded}");
    let again = kontrakt_run(
        &["replay", trial, "--provider-fault", "truncate-text"],
        regressions.path(),
    );
    assert_eq!(again.failed, vec![trial.to_owned()], "{}", again.stdout);
    assert!(
        again.stdout.contains("recorded regression fails again"),
        "{}",
        again.stdout
    );
    assert_eq!(shrunk(&again, trial), value);
}

#[test]
fn the_seed_is_printed_and_a_replay_without_regressions_draws_the_same_values() {
    let trial = "sygefravaer::SendForretningsSvarForlaengelse::property::Begrundelse";
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    let run_once = |dir: &Path| {
        let run = kontrakt_run(&["replay", trial, "--provider-fault", "truncate-text"], dir);
        assert!(
            run.stdout.contains(&format!("seed {SEED} ")),
            "{}",
            run.stdout
        );
        shrunk(&run, trial)
    };
    assert_eq!(run_once(first.path()), run_once(second.path()));
}

/// The label and draw of the minimal failing mutation a schema-negative trial reports.
fn shrunk_mutation(run: &Run, trial: &str) -> (String, String) {
    let prefix = format!("FAIL  {trial} — property: minimal failing mutation ");
    let line = run
        .stdout
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{trial} did not fail on a mutation:\n{}", run.stdout));
    let rest = &line[prefix.len()..];
    let (label, rest) = rest
        .split_once(" (draw ")
        .expect("the draw follows the label");
    let draw = rest.split(": ").next().expect("the draw").to_owned();
    (label.to_owned(), draw)
}

#[test]
fn skipping_schema_validation_is_caught_by_a_labelled_mutation_and_replays() {
    let regressions = tempfile::tempdir().expect("tempdir");
    let trial = "kontanthjaelp::RetBevilling::property::schema-negative";
    let run = run_with_fault(
        "skip-schema-validation",
        "kontanthjaelp",
        regressions.path(),
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(run.failed.contains(&trial.to_owned()), "{:?}", run.failed);
    for failed in &run.failed {
        assert!(
            failed.ends_with("::property::schema-negative"),
            "{failed} is not a schema-negative trial:\n{}",
            run.stdout
        );
    }
    let (label, draw) = shrunk_mutation(&run, trial);
    let (kind, path) = label.split_once(':').expect("kind:path");
    assert!(KINDS.contains(&kind), "{label}");
    // The failure shows the request that was accepted; the label's last name is in it.
    let last = path.rsplit(['/', ':']).next().expect("a name");
    assert!(run.stdout.contains(&format!(":{last}")), "{}", run.stdout);
    assert!(
        run.stdout.contains("expected a SOAP fault"),
        "{}",
        run.stdout
    );

    // The draw is recorded, fails again on replay with the same label, and passes against the
    // conforming provider, which refuses the mutated request.
    let recorded = std::fs::read_to_string(regressions.path().join("kontanthjaelp.toml"))
        .expect("regressions written");
    assert!(recorded.contains(&draw), "{recorded}");
    let again = kontrakt_run(
        &[
            "replay",
            trial,
            "--provider-fault",
            "skip-schema-validation",
        ],
        regressions.path(),
    );
    assert!(
        again.stdout.contains("recorded regression fails again"),
        "{}",
        again.stdout
    );
    assert_eq!(shrunk_mutation(&again, trial).0, label);
    let conforming = kontrakt_run(&["replay", trial], regressions.path());
    assert_eq!(conforming.code, Some(0), "{}", conforming.stdout);
}
