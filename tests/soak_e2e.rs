//! A soak (`run --repeat`) judges every repetition on its own. Its later requests and responses
//! are refilled from the first ones and validated by their new values alone, so a provider whose
//! answers go wrong in a value only, midway, must still fail exactly those repetitions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use http_body_util::BodyExt;
use hyper::Response;
use tokio::net::TcpListener;

mod common;

use common::loopback::reference_router;
use common::{kontrakt, text};

const TRIAL: &str = "kontanthjaelp::RetBevilling::golden::i-gang-uden-referencer";

/// The receipt's time with month 13: the same length and markup, only the value is invalid.
fn with_month_13(receipt: &str) -> String {
    let tag = "ModtagetTidspunkt>";
    let month = receipt.find(tag).expect("a receipt time") + tag.len() + "2026-".len();
    format!("{}13{}", &receipt[..month], &receipt[month + 2..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soak_fails_the_repetitions_whose_answers_go_wrong() {
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = answered.clone();
    let every_third_broken = move |request: Request, next: Next| {
        let counter = counter.clone();
        async move {
            let response = next.run(request).await;
            if counter.fetch_add(1, Ordering::SeqCst) % 3 != 2 {
                return response;
            }
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.expect("the body").to_bytes();
            let receipt = String::from_utf8(bytes.to_vec()).expect("UTF-8");
            Response::from_parts(parts, Body::from(with_month_13(&receipt)))
        }
    };
    let app = reference_router().layer(axum::middleware::from_fn(every_third_broken));
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/service/", tcp.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(tcp, app).await });

    let reports = tempfile::tempdir().unwrap();
    let reports_path = reports.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        kontrakt()
            .args(["run", "--endpoint", &endpoint, "--exact", TRIAL])
            .args(["--repeat", "6", "--jobs", "1", "--reports"])
            .arg(reports_path)
            .output()
            .expect("kontrakt runs")
    })
    .await
    .unwrap();
    let out = text(&output);
    assert_eq!(answered.load(Ordering::SeqCst), 6, "{out}");
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("4 passed, 2 failed"), "{out}");
    let failure = out
        .lines()
        .find(|line| line.starts_with("FAIL"))
        .unwrap_or_else(|| panic!("no FAIL line:\n{out}"));
    assert!(failure.contains("ModtagetTidspunkt"), "{failure}");
}
