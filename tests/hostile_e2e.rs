//! Hostile and broken endpoints end to end: `kontrakt serve --hostile <mode>` in one process,
//! `kontrakt run --endpoint` against it in another. Each mode must give the right verdict, a
//! message naming the cause, and the right exit code — never a hang, a crash or a false pass.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const CASE: &str = "kontanthjaelp::SletBevilling::golden::uden-referencer";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kontrakt() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kontrakt"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    command
}

/// Starts a hostile endpoint and returns it with its base URL.
fn hostile(mode: &str) -> (Server, String) {
    let mut child = kontrakt()
        .args(["serve", "--addr", "127.0.0.1:0", "--hostile", mode])
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("banner");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (Server(child), url)
}

/// Runs the one case against `mode` and returns (exit code, the case's output line).
fn verdict(mode: &str) -> (Option<i32>, String) {
    let (_server, url) = hostile(mode);
    let reports = tempfile::tempdir().expect("tempdir");
    let output = kontrakt()
        .args(["run", "--exact", CASE, "--endpoint", &url])
        .args([
            "--connect-timeout",
            "2",
            "--read-timeout",
            "2",
            "--timeout",
            "4",
        ])
        .args(["--max-response-bytes", "8388608", "--reports"])
        .arg(reports.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{mode}: {stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains(CASE))
        .unwrap_or_else(|| panic!("{mode}: no line for the case:\n{stdout}{stderr}"))
        .to_owned();
    // Whatever happened, the run's reports exist.
    let runs: Vec<_> = std::fs::read_dir(reports.path())
        .expect("reports")
        .collect();
    assert_eq!(runs.len(), 1, "{mode}: reports missing");
    (output.status.code(), line)
}

fn expect(mode: &str, code: i32, label: &str, needle: &str) {
    let (exit, line) = verdict(mode);
    assert_eq!(exit, Some(code), "{mode}: {line}");
    assert!(line.starts_with(label), "{mode}: {line}");
    assert!(
        line.to_lowercase().contains(&needle.to_lowercase()),
        "{mode}: expected {needle:?} in {line}"
    );
}

#[test]
fn silent_and_slow_endpoints_time_out_as_could_not_test() {
    expect("never-answer", 2, "ERROR", "timeout");
    expect("trickle", 2, "ERROR", "timeout");
}

#[test]
fn broken_connections_are_could_not_test() {
    expect("close-mid-response", 2, "ERROR", "closed the connection");
    expect("reset", 2, "ERROR", "reset");
    expect("redirect-other-host", 2, "ERROR", "redirect to");
}

#[test]
fn huge_bodies_stop_at_the_cap() {
    expect("huge-body", 2, "ERROR", "larger than the cap");
    expect("huge-body-chunked", 2, "ERROR", "larger than the cap");
}

#[test]
fn dtds_and_entities_are_refused_never_expanded() {
    for mode in ["doctype", "entity-bomb", "external-entity"] {
        expect(mode, 1, "FAIL", "DTD");
    }
}

#[test]
fn bodies_that_are_not_soap_fail_conformance() {
    expect("non-xml", 1, "FAIL", "not well-formed");
    expect("html-500", 1, "FAIL", "HTTP 500");
    expect("invalid-utf8", 1, "FAIL", "not UTF-8");
    expect("deep-nesting", 1, "FAIL", "nested deeper");
    expect("duplicate-prefix", 1, "FAIL", "envelope");
}

#[test]
fn misleading_status_codes_and_labels_fail_conformance() {
    expect("fault-with-200", 1, "FAIL", "fault");
    expect("success-with-500", 1, "FAIL", "HTTP 500");
    expect("wrong-content-type", 1, "FAIL", "Content-Type");
}

#[test]
fn oversized_names_and_prefix_tricks_do_not_pass() {
    for mode in ["long-names", "prefix-rebinding"] {
        let (exit, line) = verdict(mode);
        assert_eq!(exit, Some(1), "{mode}: {line}");
        assert!(line.starts_with("FAIL"), "{mode}: {line}");
    }
}
