//! End-to-end tests of the `kontrakt` binary: real processes, real sockets, exit codes.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::{INVOCATION_CONTEXT_ARGS, kontrakt, root, text};

fn run_with(args: &[&str], reports: &Path) -> Output {
    kontrakt()
        .arg("run")
        .arg("--reports")
        .arg(reports)
        .args(args)
        .output()
        .expect("kontrakt runs")
}

/// The single run folder a run wrote below `reports`.
fn run_folder(reports: &Path) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(reports)
        .expect("reports folder exists")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders.into_iter().next().expect("one folder")
}

/// A copy of contracts/ and golden/ that a test may break.
fn copy_of_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for folder in ["contracts", "golden"] {
        copy_dir(&root().join(folder), &dir.path().join(folder));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

#[test]
fn run_without_endpoint_certifies_the_reference_provider() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&[], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let summary = out
        .lines()
        .find(|l| l.ends_with("0 failed"))
        .expect("summary line");
    let passed: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 8, "{out}");
    assert!(
        out.contains("PASS  kontanthjaelp::RetBevilling::golden::ansoegt-afvises"),
        "{out}"
    );
    let folder = run_folder(reports.path());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["passed"].as_u64(), Some(passed as u64));
    assert_eq!(results["failed"].as_u64(), Some(0));
    let junit = std::fs::read_to_string(folder.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), passed, "{junit}");
}

#[test]
fn a_faulty_provider_fails_the_run_naming_case_and_reason() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(
        &["--provider-fault", "accept-forbidden-status"],
        reports.path(),
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("FAIL  kontanthjaelp::RetBevilling::golden::ansoegt-afvises"))
        .unwrap_or_else(|| panic!("no FAIL line for the forbidden status:\n{out}"));
    assert!(line.contains("expected a SOAP fault"), "{line}");
    let junit = std::fs::read_to_string(run_folder(reports.path()).join("junit.xml")).unwrap();
    assert!(
        junit.contains("<failure message=\"outcome: expected a SOAP fault"),
        "{junit}"
    );
}

#[test]
fn a_closed_port_means_could_not_test() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let reports = tempfile::tempdir().unwrap();
    let endpoint = format!("http://127.0.0.1:{port}/service/");
    let output = run_with(&["--endpoint", &endpoint], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("ERROR  kontanthjaelp::"), "{out}");
    assert!(out.to_lowercase().contains("refused"), "{out}");
    assert!(run_folder(reports.path()).join("results.json").is_file());
}

#[test]
fn an_endpoint_that_is_not_a_url_is_a_clear_error() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&["--endpoint", "not a url"], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("endpoint `not a url` is not a URL"), "{out}");
}

#[test]
fn a_contract_typo_names_file_and_line() {
    let project = copy_of_project();
    let file = project.path().join("contracts/kontanthjaelp/contract.toml");
    let contract = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, contract.replacen("soap_action", "soap_acton", 1)).unwrap();
    let output = kontrakt()
        .current_dir(project.path())
        .args(["run", "--reports", "reports"])
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("contracts/kontanthjaelp/contract.toml"),
        "{out}"
    );
    assert!(out.contains("line"), "{out}");
    assert!(out.contains("soap_acton"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}

#[test]
fn a_missing_schema_file_is_named() {
    let project = copy_of_project();
    std::fs::remove_file(
        project
            .path()
            .join("contracts/kontanthjaelp/xsd/KontanthjaelpServiceMsg.xsd"),
    )
    .unwrap();
    let output = kontrakt()
        .current_dir(project.path())
        .args(["list"])
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("KontanthjaelpServiceMsg.xsd does not exist"),
        "{out}"
    );
}

#[test]
fn a_golden_file_that_is_not_xml_is_named() {
    let project = copy_of_project();
    let file = project
        .path()
        .join("golden/kontanthjaelp/SletBevilling/uden-referencer.xml");
    std::fs::write(&file, "this is <not xml").unwrap();
    let output = kontrakt()
        .current_dir(project.path())
        .args(["run", "--reports", "reports", "uden-referencer"])
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("uden-referencer.xml: not well-formed XML"),
        "{out}"
    );
}

#[test]
fn a_filter_that_selects_nothing_is_could_not_test() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&["no-such-trial"], reports.path());
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("no trial matches"));
}

#[test]
fn list_prints_terse_trial_names() {
    let output = kontrakt()
        .args(["list", "--format", "terse"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 8, "{stdout}");
    for line in &lines {
        let name = line
            .strip_suffix(": test")
            .unwrap_or_else(|| panic!("not terse: {line}"));
        assert_eq!(name.split("::").count(), 4, "{line}");
    }
    assert!(lines.contains(&"kontanthjaelp::SletBevilling::golden::uden-referencer: test"));
}

#[test]
fn serve_runs_the_provider_standalone_for_a_remote_run() {
    let mut server = kontrakt()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&["--endpoint", &url], reports.path());
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_keeps_partial_reports() {
    // An endpoint that accepts connections and never answers keeps the run busy.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/service/", listener.local_addr().unwrap());
    let reports = tempfile::tempdir().unwrap();
    let mut child = kontrakt()
        .args([
            "run",
            "--jobs",
            "1",
            "--timeout",
            "60",
            "--endpoint",
            &endpoint,
            "--reports",
        ])
        .arg(reports.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("run "), "{first}");
    // The run is now waiting on the silent endpoint.
    let _connection = listener.accept().unwrap();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130));
    let folder = run_folder(reports.path());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["interrupted"].as_bool(), Some(true));
}

#[test]
fn config_check_prints_the_local_profile_and_flags_override_it() {
    let output = kontrakt()
        .args(["config", "check", "--profile", "local", "--jobs", "3"])
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("(embedded reference provider)"), "{out}");
    assert!(out.contains("profile                = local"), "{out}");
    assert!(out.contains("jobs                   = 3"), "{out}");
    assert!(out.contains("configuration ok"), "{out}");
}

#[test]
fn environment_overrides_the_profile_and_flags_override_the_environment() {
    let check = |extra: &[&str]| {
        let output = kontrakt()
            .args(["config", "check", "--profile", "local"])
            .args(extra)
            .env("KONTRAKT_AUTHORITY_CVR", "12345674")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        text(&output)
    };
    assert!(check(&[]).contains("authority_cvr          = 12345674"));
    assert!(check(&["--authority-cvr", "29189846"]).contains("authority_cvr          = 29189846"));
}

#[test]
fn an_unknown_profile_is_named_before_anything_runs() {
    let reports = tempfile::tempdir().unwrap();
    let output = kontrakt()
        .args(["run", "--reports"])
        .arg(reports.path())
        .env("KONTRAKT_PROFILE", "staging")
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("unknown profile `staging`"), "{out}");
    assert!(out.contains("local"), "{out}");
    assert!(!out.contains("PASS"), "{out}");
}

#[test]
fn exttest_profile_without_its_files_names_the_missing_file() {
    let output = kontrakt()
        .args(["config", "check", "--profile", "exttest"])
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("cannot read certs/foces-test.p12"), "{out}");
    assert_eq!(out.matches("No such file").count(), 1, "{out}");
}

#[test]
fn an_unreadable_certificate_is_named_before_any_request() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(
        &[
            "--client-cert",
            "no/such/client.pem",
            "--client-key",
            "no/such/client.key",
        ],
        reports.path(),
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("cannot read no/such/client.pem"), "{out}");
    assert!(!out.contains("PASS"), "{out}");
}

#[test]
fn an_incomplete_invocation_context_names_the_missing_value() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&INVOCATION_CONTEXT_ARGS[..6], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("service_uuid is missing"), "{out}");
    let output = run_with(
        &[
            "--service-agreement-uuid",
            "42B7E5A4-8D3C-4C5E-9F61-0A1B2C3D4E5F",
        ],
        reports.path(),
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("service_agreement_uuid"), "{out}");
    assert!(out.contains("not a lower-case UUID"), "{out}");
}

#[test]
fn a_configured_invocation_context_is_accepted_by_the_reference_provider() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&INVOCATION_CONTEXT_ARGS, reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

#[test]
fn services_restrict_the_run_and_an_unknown_one_is_named() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&["--services", "no-such-service"], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("unknown service `no-such-service`"), "{out}");
}

#[test]
fn unwritable_reports_are_named_exit_2_and_the_results_still_print() {
    // A regular file where a folder must be: refused even for root, like a read-only or full disk.
    let scratch = tempfile::tempdir().unwrap();
    let blocker = scratch.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let reports = blocker.join("reports");
    let output = run_with(&["RetBevilling"], &reports);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("PASS  kontanthjaelp::RetBevilling::golden::ansoegt-afvises"),
        "{out}"
    );
    assert!(out.contains(" passed, 0 failed"), "{out}");
    let message = out
        .lines()
        .find(|l| l.starts_with("error: cannot write the reports"))
        .unwrap_or_else(|| panic!("no report error:\n{out}"));
    assert!(
        message.contains(&reports.display().to_string()),
        "{message}"
    );
    assert!(!out.lines().any(|l| l.starts_with("reports: ")), "{out}");
}

#[test]
fn repeat_runs_each_trial_n_times_and_counts_every_repetition() {
    let reports = tempfile::tempdir().unwrap();
    let trial = "kontanthjaelp::RetBevilling::golden::ansoegt-afvises";
    let output = run_with(&["--exact", trial, "--repeat", "5"], reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert_eq!(out.matches(&format!("PASS  {trial}")).count(), 5, "{out}");
    assert!(
        out.contains("5 passed, 0 failed (1 trials × 5 repetitions)"),
        "{out}"
    );
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run_folder(reports.path()).join("results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["cases"].as_array().map(Vec::len), Some(1));
}

#[test]
fn repeat_zero_is_refused() {
    let reports = tempfile::tempdir().unwrap();
    let output = run_with(&["--repeat", "0"], reports.path());
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

#[test]
fn xsd_validate_works_like_xmllint_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let schema = root().join("contracts/common/serviceplatformen/ServiceplatformFault_1.xsd");
    let ns = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";
    let valid = dir.path().join("valid.xml");
    std::fs::write(
        &valid,
        format!("<sp:ServiceplatformFault xmlns:sp=\"{ns}\"/>"),
    )
    .unwrap();
    let invalid = dir.path().join("invalid.xml");
    std::fs::write(
        &invalid,
        format!("<sp:ServiceplatformFault xmlns:sp=\"{ns}\"><sp:Oops/></sp:ServiceplatformFault>"),
    )
    .unwrap();
    let validate = |docs: &[&Path]| {
        kontrakt()
            .args(["xsd", "validate", "--schema"])
            .arg(&schema)
            .args(docs)
            .output()
            .unwrap()
    };
    let ok = validate(&[&valid]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("valid.xml validates"));
    let bad = validate(&[&valid, &invalid]);
    let out = text(&bad);
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.contains("invalid.xml:1:"), "{out}");
    assert!(out.contains("/ServiceplatformFault/Oops"), "{out}");
    assert!(out.contains("expected one of {ErrorList}"), "{out}");
    assert!(out.contains("invalid.xml fails to validate"), "{out}");
    let with_jobs = |jobs: &str| {
        kontrakt()
            .args(["xsd", "validate", "--jobs", jobs, "--schema"])
            .arg(&schema)
            .args([&valid, &invalid, &valid])
            .output()
            .unwrap()
    };
    let (in_parallel, one_by_one) = (with_jobs("2"), with_jobs("1"));
    assert_eq!(in_parallel.status.code(), Some(1));
    assert_eq!(text(&in_parallel), text(&one_by_one));
}

#[test]
fn xsd_validate_names_the_broken_rule_of_an_invalid_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("ambiguous.xsd");
    std::fs::write(
        &schema,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="r">
    <xs:complexType>
      <xs:choice>
        <xs:sequence><xs:element name="a"/><xs:element name="b"/></xs:sequence>
        <xs:sequence><xs:element name="a"/><xs:element name="c"/></xs:sequence>
      </xs:choice>
    </xs:complexType>
  </xs:element>
</xs:schema>"#,
    )
    .unwrap();
    let doc = dir.path().join("r.xml");
    std::fs::write(&doc, "<r><a/><b/></r>").unwrap();
    let output = kontrakt()
        .args(["xsd", "validate", "--schema"])
        .arg(&schema)
        .arg(&doc)
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("ambiguous.xsd:"), "{out}");
    assert!(out.contains("cos-nonambig"), "{out}");
}
