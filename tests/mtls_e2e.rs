//! The `kontrakt` binary certifying the reference provider over mutual TLS, end to end: a PKI
//! generated at run time, `kontrakt serve` requiring client certificates, `kontrakt run` with a
//! PKCS#12 identity whose password comes from the environment. Also proves that no secret (the
//! PKCS#12 password, the private key, the SAML assertion) reaches any output of a run.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use common::{INVOCATION_CONTEXT_ARGS, Pki, kontrakt, text};

/// Distinctive, so that finding it anywhere in the output can only mean it leaked.
const P12_PASSWORD: &str = "pw-LEAK-CANARY-5d1e9c";
const TOKEN_MARKER: &str = "TOKEN-LEAK-CANARY-8b2f47";

/// The certificates every test needs.
struct World {
    pki: Pki,
}

impl World {
    fn new() -> World {
        let pki = Pki::new();
        let ca = pki.ca("ca");
        let other_ca = pki.ca("other-ca");
        pki.server("server", &ca, &["127.0.0.1"], false);
        pki.server("wrong-host", &ca, &["wrong.example"], false);
        let client = pki.client("client", &ca, false);
        pki.pkcs12("id.p12", &ca, &client, P12_PASSWORD);
        pki.client("stranger", &other_ca, false);
        pki.client("expired-client", &ca, true);
        World { pki }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.pki.path(name)
    }

    /// `kontrakt serve` over HTTPS with `<server>.pem`, requiring client certificates from "ca".
    fn serve(&self, server: &str) -> Server {
        let mut child = kontrakt()
            .args(["serve", "--addr", "127.0.0.1:0", "--tls-cert"])
            .arg(self.path(&format!("{server}.pem")))
            .arg("--tls-key")
            .arg(self.path(&format!("{server}.key")))
            .arg("--client-ca")
            .arg(self.path("ca.pem"))
            .stderr(Stdio::piped())
            .spawn()
            .expect("kontrakt serve starts");
        let mut line = String::new();
        BufReader::new(child.stderr.take().expect("stderr"))
            .read_line(&mut line)
            .expect("a line");
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("https://"))
            .unwrap_or_else(|| panic!("no https URL in {line:?}"))
            .to_owned();
        Server { child, url }
    }

    /// `kontrakt run` against `url` trusting "ca", with `identity` arguments.
    fn run(&self, url: &str, identity: &[&str], reports: &Path) -> Output {
        kontrakt()
            // One service keeps the handshake load (and the run time) small on 2-core CI.
            .args(["run", "kontanthjaelp::", "--endpoint", url, "--ca"])
            .arg(self.path("ca.pem"))
            .args(identity)
            // The golden trials exercise the TLS paths; hundreds of generated trials failing
            // the same handshake would only add pooled-connection noise.
            .arg("::golden::")
            .arg("--reports")
            .arg(reports)
            .env("KONTRAKT_P12_PASSWORD", P12_PASSWORD)
            .output()
            .expect("kontrakt run")
    }

    fn pem_identity(&self, name: &str) -> Vec<String> {
        vec![
            "--client-cert".into(),
            self.path(&format!("{name}.pem")).display().to_string(),
            "--client-key".into(),
            self.path(&format!("{name}.key")).display().to_string(),
        ]
    }

    fn p12_identity(&self) -> Vec<String> {
        vec![
            "--client-p12".into(),
            self.path("id.p12").display().to_string(),
        ]
    }
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The summary line `N passed, 0 failed` and its N.
fn passed_without_failures(out: &str) -> usize {
    let summary = out
        .lines()
        .find(|line| line.ends_with(" passed, 0 failed"))
        .unwrap_or_else(|| panic!("no clean summary line:\n{out}"));
    summary
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count")
}

/// Asserts exit 2, that no case passed or failed, and that the refusal names `cause`. (Under
/// heavy load a rejected TLS 1.3 connection can surface as a timeout rather than the alert, so
/// not every line is required to carry the cause.)
fn assert_could_not_test_because(output: &Output, cause: &str) {
    let out = text(output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.starts_with("PASS  ") || l.starts_with("FAIL  ")),
        "{out}"
    );
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("ERROR  ")).collect();
    assert!(!errors.is_empty(), "{out}");
    assert!(
        errors.iter().any(|line| line.contains(cause)),
        "`{cause}` in no ERROR line:\n{out}"
    );
}

#[test]
fn a_pkcs12_identity_certifies_the_reference_provider_over_mtls() {
    let world = World::new();
    let server = world.serve("server");
    let reports = tempfile::tempdir().unwrap();
    let output = world.run(&server.url, &strs(&world.p12_identity()), reports.path());
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(passed_without_failures(&out) >= 8, "{out}");
    assert!(out.contains(&format!("against {}", server.url)), "{out}");
    // The certification report names the client certificate by its SHA-256 thumbprint.
    let run = std::fs::read_dir(reports.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap()).unwrap();
    let thumbprint = results["client_certificate_sha256"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(thumbprint.len(), 64, "{results}");
    assert!(
        thumbprint.chars().all(|c| c.is_ascii_hexdigit()),
        "{thumbprint}"
    );
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        html.contains(thumbprint),
        "thumbprint missing from report.html"
    );
}

#[test]
fn without_a_client_certificate_the_run_cannot_test_and_says_so() {
    let world = World::new();
    let server = world.serve("server");
    let reports = tempfile::tempdir().unwrap();
    let output = world.run(&server.url, &[], reports.path());
    assert_could_not_test_because(&output, "requires a client certificate");
}

#[test]
fn a_client_certificate_from_another_ca_is_named_as_unknown_ca() {
    let world = World::new();
    let server = world.serve("server");
    let reports = tempfile::tempdir().unwrap();
    let output = world.run(
        &server.url,
        &strs(&world.pem_identity("stranger")),
        reports.path(),
    );
    assert_could_not_test_because(&output, "unknown CA");
}

#[test]
fn an_expired_client_certificate_is_named_as_expired() {
    let world = World::new();
    let server = world.serve("server");
    let reports = tempfile::tempdir().unwrap();
    let output = world.run(
        &server.url,
        &strs(&world.pem_identity("expired-client")),
        reports.path(),
    );
    assert_could_not_test_because(&output, "expired");
}

#[test]
fn a_server_certificate_for_another_host_is_named() {
    let world = World::new();
    let server = world.serve("wrong-host");
    let reports = tempfile::tempdir().unwrap();
    let output = world.run(&server.url, &strs(&world.p12_identity()), reports.path());
    assert_could_not_test_because(&output, "host name 127.0.0.1 (it names wrong.example)");
}

#[test]
fn a_wrong_pkcs12_password_stops_the_run_before_any_request() {
    let world = World::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("https://{}/service/", listener.local_addr().unwrap());
    let reports = tempfile::tempdir().unwrap();
    let output = kontrakt()
        .args(["run", "--endpoint", &url, "--ca"])
        .arg(world.path("ca.pem"))
        .args(world.p12_identity())
        .arg("--reports")
        .arg(reports.path())
        .env("KONTRAKT_P12_PASSWORD", "not the password")
        .output()
        .unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("id.p12: wrong PKCS#12 password"), "{out}");
    assert!(out.contains("KONTRAKT_P12_PASSWORD"), "{out}");
    assert!(!out.contains("not the password"), "{out}");
    assert_eq!(
        listener.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "the harness connected although its identity was unusable"
    );
    assert!(!out.contains("ERROR  "), "{out}");
}

/// Every file below `dir`, recursively.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn secrets_never_reach_the_terminal_or_the_reports() {
    let world = World::new();
    let server = world.serve("server");
    let token = world.pki.write(
        "token.xml",
        format!(
            "<?xml version=\"1.0\"?>\n<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_t\" Version=\"2.0\"><saml:Issuer>{TOKEN_MARKER}</saml:Issuer></saml:Assertion>\n"
        ),
    );
    let key_pem = std::fs::read_to_string(world.path("client.key")).unwrap();
    let key_body: String = key_pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let key_line = key_pem
        .lines()
        .find(|line| !line.starts_with("-----") && line.len() >= 32)
        .expect("a base64 line")
        .to_owned();
    let mut secrets = vec![P12_PASSWORD.to_owned(), TOKEN_MARKER.to_owned(), key_line];
    secrets.push(key_body);
    let reports = tempfile::tempdir().unwrap();
    let mut identity = world.p12_identity();
    identity.extend(["--saml-token".to_owned(), token.display().to_string()]);
    identity.extend(INVOCATION_CONTEXT_ARGS.map(str::to_owned));
    let run = world.run(&server.url, &strs(&identity), reports.path());
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let check = kontrakt()
        .args(["config", "check", "--endpoint", &server.url, "--ca"])
        .arg(world.path("ca.pem"))
        .args(&identity)
        .env("KONTRAKT_P12_PASSWORD", P12_PASSWORD)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert!(
        text(&check).contains("token.xml (assertion ********)"),
        "{}",
        text(&check)
    );
    let mut outputs = vec![
        ("run output".to_owned(), text(&run)),
        ("config check output".to_owned(), text(&check)),
    ];
    let files = files_below(reports.path());
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        let content = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        outputs.push((file.display().to_string(), content));
    }
    for (place, content) in &outputs {
        for secret in &secrets {
            assert!(!content.contains(secret.as_str()), "{place} leaks a secret");
        }
    }
}
