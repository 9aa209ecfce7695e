//! HTTP/2 over TLS end to end: an endpoint that negotiates `h2` by ALPN (and offers nothing
//! else) is certified by `kontrakt run` with every exchange over HTTP/2 and the verdicts it gets
//! over HTTP/1.1.

mod common;

use hyper::Version;

use common::loopback::serve_reference_over_tls;
use common::{Pki, kontrakt, text};

#[tokio::test]
async fn an_endpoint_speaking_only_h2_passes_the_golden_trials_over_http2() {
    let pki = Pki::new();
    let ca = pki.ca("ca");
    pki.server("server", &ca, &["127.0.0.1"], false);
    let (endpoint, seen) = serve_reference_over_tls(&pki, "server", &[b"h2"]).await;
    let reports = tempfile::tempdir().unwrap();
    let mut run = kontrakt();
    run.args(["run", "kontanthjaelp::RetBevilling::golden::", "--endpoint"])
        .arg(&endpoint)
        .arg("--ca")
        .arg(pki.path("ca.pem"))
        .arg("--reports")
        .arg(reports.path());
    let output = tokio::process::Command::from(run).output().await.unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let passed: usize = out
        .lines()
        .find_map(|line| line.strip_suffix(" passed, 0 failed"))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no clean summary line:\n{out}"));
    assert!(passed >= 5, "{out}");
    let versions = seen.all();
    assert!(versions.len() >= passed, "{versions:?}\n{out}");
    assert!(
        versions.iter().all(|version| *version == Version::HTTP_2),
        "{versions:?}"
    );
}
