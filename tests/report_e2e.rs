//! End to end: `kontrakt run --evidence --redact-cpr --baseline …` against the embedded reference
//! provider, then `kontrakt report verify` on the bundle it wrote, intact and tampered with.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

const FORBIDDEN_STATUS: &str = "kontanthjaelp::RetBevilling::golden::ansoegt-afvises";
const ALLOWED_STATUS: &str = "kontanthjaelp::RetBevilling::golden::i-gang-uden-referencer";

fn kontrakt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kontrakt"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("KONTRAKT_ENDPOINT")
        .env_remove("KONTRAKT_BASELINE")
        .args(args)
        .output()
        .expect("kontrakt runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run_folder(reports: &Path) -> PathBuf {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(reports)
        .expect("reports folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders.remove(0)
}

fn write_baseline(dir: &Path, trial: &str, expires: &str) -> PathBuf {
    let path = dir.join("baseline.toml");
    std::fs::write(
        &path,
        format!(
            "[[accepted]]\ntrial = \"{trial}\"\nreason = \"VEN-12 accepted until the fix ships\"\nexpires = \"{expires}\"\n\n\
             [[accepted]]\ntrial = \"kontanthjaelp::RetBevilling::golden::no-such-trial\"\nreason = \"stale\"\n"
        ),
    )
    .expect("write baseline");
    path
}

fn run(reports: &Path, baseline: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--reports",
        reports.to_str().expect("utf-8 path"),
        "--baseline",
        baseline.to_str().expect("utf-8 path"),
        "--provider-fault",
        "accept-forbidden-status",
    ];
    args.extend_from_slice(extra);
    kontrakt(&args)
}

#[test]
fn a_baselined_failure_passes_the_run_and_the_bundle_verifies() {
    let work = tempfile::tempdir().expect("tempdir");
    let reports = work.path().join("reports");
    let baseline = write_baseline(work.path(), FORBIDDEN_STATUS, "2999-12-31");
    let output = run(
        &reports,
        &baseline,
        &[
            "--evidence",
            "--redact-cpr",
            "--exact",
            FORBIDDEN_STATUS,
            ALLOWED_STATUS,
        ],
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!("BASELINED  {FORBIDDEN_STATUS}")),
        "{out}"
    );
    assert!(out.contains("no-such-trial matches no trial"), "{out}");
    assert!(out.contains("1 baselined"), "{out}");

    let folder = run_folder(&reports);
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("results.json")).expect("results.json"),
    )
    .expect("json");
    assert_eq!(results["failed"], 0);
    assert_eq!(results["baselined"], 1);
    assert_eq!(
        results["services"][0]["contract"]["sha256"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    let junit = std::fs::read_to_string(folder.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains("<skipped message=\"baselined (VEN-12"),
        "{junit}"
    );
    let html = std::fs::read_to_string(folder.join("report.html")).expect("report.html");
    assert!(html.contains("Accepted deviation: VEN-12"), "{html}");
    assert!(folder.join("report.md").is_file());

    let bundle = folder.join("evidence.tar.gz");
    let verified = kontrakt(&["report", "verify", bundle.to_str().expect("utf-8")]);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));

    let mut entries = unpack(&bundle);
    let requests = entries
        .keys()
        .filter(|p| p.ends_with("/request.xml"))
        .count();
    assert_eq!(
        requests,
        results["cases"].as_array().map(Vec::len).unwrap_or(0)
    );
    let mut redacted = 0;
    for (path, bytes) in &entries {
        let body = String::from_utf8_lossy(bytes);
        assert!(
            !body.contains("2103924417"),
            "{path}: CPR not redacted\n{body}"
        );
        redacted += body.matches("CPRNummer>XXXXXX-XXXX<").count();
    }
    assert!(
        redacted >= 2,
        "the golden requests' CPR numbers were not redacted"
    );

    let victim = entries
        .keys()
        .find(|p| p.ends_with("/response.xml"))
        .cloned()
        .expect("a response in the bundle");
    if let Some(bytes) = entries.get_mut(&victim) {
        bytes[10] ^= 0x20;
    }
    let tampered = work.path().join("tampered.tar.gz");
    std::fs::write(&tampered, repack(&entries)).expect("write tampered");
    let verified = kontrakt(&["report", "verify", tampered.to_str().expect("utf-8")]);
    let out = text(&verified);
    assert_eq!(verified.status.code(), Some(1), "{out}");
    assert!(out.contains(&format!("altered: {victim}")), "{out}");

    let garbage = work.path().join("garbage.tar.gz");
    std::fs::write(&garbage, b"not an archive").expect("write garbage");
    let verified = kontrakt(&["report", "verify", garbage.to_str().expect("utf-8")]);
    assert_eq!(verified.status.code(), Some(2), "{}", text(&verified));
}

#[test]
fn an_expired_entry_no_longer_suppresses_the_failure() {
    let work = tempfile::tempdir().expect("tempdir");
    let baseline = write_baseline(work.path(), FORBIDDEN_STATUS, "2000-01-01");
    let output = run(
        &work.path().join("reports"),
        &baseline,
        &["--exact", FORBIDDEN_STATUS],
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains(&format!("FAIL  {FORBIDDEN_STATUS}")), "{out}");
    assert!(out.contains("expired on 2000-01-01"), "{out}");
}

#[test]
fn a_failure_outside_the_baseline_still_fails_the_run() {
    let work = tempfile::tempdir().expect("tempdir");
    let baseline = write_baseline(
        work.path(),
        "kontanthjaelp::RetBevilling::golden::afslaaet-afvises",
        "2999-12-31",
    );
    let output = run(
        &work.path().join("reports"),
        &baseline,
        &["--exact", FORBIDDEN_STATUS],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
}

#[test]
fn a_bad_baseline_is_exit_2_naming_file_and_line() {
    let work = tempfile::tempdir().expect("tempdir");
    let baseline = work.path().join("baseline.toml");
    std::fs::write(
        &baseline,
        "[[accepted]]\ntrial = \"x\"\nreason = \"y\"\nexpires = \"next week\"\n",
    )
    .expect("write baseline");
    let output = run(&work.path().join("reports"), &baseline, &[]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("baseline.toml:4"), "{out}");
    assert!(
        !work.path().join("reports").exists(),
        "nothing may run: {out}"
    );
}

fn unpack(bundle: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(bundle).expect("bundle");
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    archive
        .entries()
        .expect("tar")
        .map(|entry| {
            let mut entry = entry.expect("entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read entry");
            (entry.path().expect("path").display().to_string(), bytes)
        })
        .collect()
}

fn repack(entries: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut archive = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for (path, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        archive
            .append_data(&mut header, path, bytes.as_slice())
            .expect("append");
    }
    archive
        .into_inner()
        .and_then(|gz| gz.finish())
        .expect("finish")
}
