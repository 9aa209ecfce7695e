//! Pooled HTTP/1.1 connections that the server closes without announcing it (no
//! `Connection: close`), as a load balancer does after a number of requests or after idling, cost
//! a run nothing: the client reconnects and no trial becomes "could not test". Each test also
//! shows from the server's counts that connections really were closed under the client. A new
//! connection closed without an answer, though, is the endpoint's failure and is not retried.

mod common;

use std::time::Duration;

use kontrakt::client::{Client, ClientOptions, RequestHeaders, TransportError};
use url::Url;

use common::loopback::{Closing, Served, serve_reference_closing};
use common::{kontrakt, text};

const TRIAL: &str = "kontanthjaelp::RetBevilling::golden::ansoegt-afvises";
const REPETITIONS: usize = 200;

/// Runs `kontrakt run --exact TRIAL --repeat REPETITIONS --jobs 4` against the reference
/// provider closing connections as `closing` says, asserts that every repetition passed, and
/// returns what the server counted.
async fn every_repetition_passes(closing: Closing) -> Served {
    let (endpoint, served) = serve_reference_closing(closing).await;
    let reports = tempfile::tempdir().unwrap();
    let mut run = kontrakt();
    run.args(["run", "--exact", TRIAL, "--endpoint", &endpoint])
        .args(["--jobs", "4", "--repeat", &REPETITIONS.to_string()])
        .arg("--reports")
        .arg(reports.path());
    let output = tokio::process::Command::from(run).output().await.unwrap();
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "{REPETITIONS} passed, 0 failed (1 trials × {REPETITIONS} repetitions)"
        )),
        "{out}"
    );
    assert!(served.responses() >= REPETITIONS, "{served:?}");
    served
}

#[tokio::test]
async fn connections_closed_after_every_response_cost_no_verdict() {
    let served = every_repetition_passes(Closing::AfterResponses(1)).await;
    assert_eq!(served.connections(), served.responses(), "{served:?}");
}

#[tokio::test]
async fn connections_closed_after_every_second_response_cost_no_verdict() {
    let served = every_repetition_passes(Closing::AfterResponses(2)).await;
    // Reused once each, then closed under the pool.
    assert!(served.connections() < served.responses(), "{served:?}");
    assert!(served.connections() >= served.responses() / 2, "{served:?}");
}

/// The kontanthjaelp service at `endpoint`.
fn service_url(endpoint: &str) -> Url {
    Url::parse(endpoint)
        .and_then(|base| base.join("JC/Kontanthjaelp/2"))
        .unwrap()
}

#[tokio::test]
async fn connections_closed_while_idle_are_replaced_without_error() {
    const REQUESTS: usize = 4;
    let idle = Duration::from_millis(100);
    let (endpoint, served) = serve_reference_closing(Closing::WhenIdleFor(idle)).await;
    let client = Client::new(&ClientOptions::default()).unwrap();
    let target = client.target(service_url(&endpoint));
    for request in 0..REQUESTS {
        if request > 0 {
            tokio::time::sleep(idle * 3).await;
        }
        let exchange = client
            .post(&target, &RequestHeaders::default(), b"<Envelope/>".to_vec())
            .await;
        assert!(exchange.is_ok(), "request {request}: {exchange:?}");
    }
    assert_eq!(served.responses(), REQUESTS, "{served:?}");
    assert_eq!(served.connections(), REQUESTS, "{served:?}");
}

#[tokio::test]
async fn a_new_connection_closed_unanswered_is_reported_not_retried() {
    let (endpoint, served) = serve_reference_closing(Closing::WithoutAnswering).await;
    let client = Client::new(&ClientOptions::default()).unwrap();
    let error = client
        .post(
            &client.target(service_url(&endpoint)),
            &RequestHeaders::default(),
            b"<Envelope/>".to_vec(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::ClosedBeforeResponse { .. } | TransportError::ConnectionReset { .. }
        ),
        "{error:?}"
    );
    assert_eq!(served.connections(), 1, "{served:?}");
}
