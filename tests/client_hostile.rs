//! The client against real hostile endpoints on loopback: every transport-level misbehaviour
//! ends in the right `TransportError`, within the configured (small) timeouts and size cap.

use std::time::Duration;

use hyper::header::{CONTENT_TYPE, HeaderName};
use kontrakt::client::{Client, ClientOptions, HttpExchange, RequestHeaders, TransportError};
use kontrakt::hostile::{HostileMode, serve_hostile};
use tokio::net::TcpListener;
use url::Url;

const PATIENT: Duration = Duration::from_secs(30);
const IMPATIENT: Duration = Duration::from_millis(300);

async fn hostile_endpoint(mode: HostileMode) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve_hostile(listener, mode));
    Url::parse(&format!("http://{address}/soap")).unwrap()
}

fn client(read_timeout: Duration, total_timeout: Duration, max_response_bytes: u64) -> Client {
    Client::new(&ClientOptions {
        connect_timeout: PATIENT,
        read_timeout,
        total_timeout,
        max_response_bytes,
        ..ClientOptions::default()
    })
    .unwrap()
}

async fn post(client: &Client, url: &Url) -> Result<HttpExchange, TransportError> {
    let headers: [(HeaderName, String); 2] = [
        (CONTENT_TYPE, "text/xml; charset=utf-8".into()),
        (HeaderName::from_static("soapaction"), "\"urn:ping\"".into()),
    ];
    let headers = RequestHeaders::new(&headers).unwrap();
    client
        .post(
            &client.target(url.clone()),
            &headers,
            b"<Envelope/>".to_vec(),
        )
        .await
}

async fn failure(mode: HostileMode, client: &Client) -> TransportError {
    let url = hostile_endpoint(mode).await;
    match post(client, &url).await {
        Ok(exchange) => panic!("{mode}: expected a transport error, got {exchange:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn closed_port_is_connection_refused_naming_the_address() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{address}/soap")).unwrap();
    let error = post(&client(PATIENT, PATIENT, 1 << 20), &url)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::ConnectionRefused { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&address.to_string()), "{error}");
}

#[tokio::test]
async fn silent_endpoint_hits_the_read_timeout() {
    let error = failure(
        HostileMode::NeverAnswer,
        &client(IMPATIENT, PATIENT, 1 << 20),
    )
    .await;
    assert!(
        matches!(error, TransportError::ReadTimeout { timeout, .. } if timeout == IMPATIENT),
        "{error:?}"
    );
    assert!(error.to_string().contains("read timeout"), "{error}");
}

#[tokio::test]
async fn silent_endpoint_hits_the_total_timeout_when_that_is_shorter() {
    let error = failure(
        HostileMode::NeverAnswer,
        &client(PATIENT, IMPATIENT, 1 << 20),
    )
    .await;
    assert!(
        matches!(error, TransportError::TotalTimeout { timeout, .. } if timeout == IMPATIENT),
        "{error:?}"
    );
}

#[tokio::test]
async fn trickling_endpoint_cannot_outlast_the_total_timeout() {
    // A byte a second keeps a 5 s read timeout satisfied; only the total timeout stops it.
    let error = failure(
        HostileMode::Trickle,
        &client(Duration::from_secs(5), Duration::from_millis(1500), 1 << 20),
    )
    .await;
    assert!(
        matches!(error, TransportError::TotalTimeout { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn close_mid_response_is_reported_as_such() {
    let error = failure(
        HostileMode::CloseMidResponse,
        &client(PATIENT, PATIENT, 1 << 20),
    )
    .await;
    assert!(
        matches!(error, TransportError::ClosedMidResponse { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn reset_is_reported_as_connection_reset() {
    let error = failure(HostileMode::Reset, &client(PATIENT, PATIENT, 1 << 20)).await;
    assert!(
        matches!(error, TransportError::ConnectionReset { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("reset"), "{error}");
}

#[tokio::test]
async fn declared_gibibyte_is_refused_by_the_cap() {
    let error = failure(HostileMode::HugeBody, &client(PATIENT, PATIENT, 1 << 20)).await;
    assert!(
        matches!(
            error,
            TransportError::ResponseTooLarge {
                limit: 1_048_576,
                declared: Some(1_073_741_824),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn undeclared_gibibyte_is_cut_off_at_the_cap() {
    let error = failure(
        HostileMode::HugeBodyChunked,
        &client(PATIENT, PATIENT, 1 << 20),
    )
    .await;
    assert!(
        matches!(
            error,
            TransportError::ResponseTooLarge {
                limit: 1_048_576,
                declared: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn redirect_to_another_host_is_not_followed() {
    let error = failure(
        HostileMode::RedirectOtherHost,
        &client(PATIENT, PATIENT, 1 << 20),
    )
    .await;
    assert!(
        matches!(
            error,
            TransportError::RedirectNotFollowed { status: 302, .. }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("redirect to other host other.invalid:80 not followed"),
        "{error}"
    );
}

/// The content-level modes are well-formed HTTP: the transport hands their bodies over intact
/// for the SOAP layer to judge.
#[tokio::test]
async fn content_level_modes_arrive_as_complete_exchanges() {
    let client = client(PATIENT, PATIENT, 16 << 20);
    for &mode in HostileMode::all() {
        if mode.is_transport_level() {
            continue;
        }
        let url = hostile_endpoint(mode).await;
        let exchange = post(&client, &url)
            .await
            .unwrap_or_else(|error| panic!("{mode}: {error}"));
        assert!(!exchange.body.is_empty(), "{mode}: empty body");
        let content_type = exchange.headers[CONTENT_TYPE].to_str().unwrap();
        match mode {
            HostileMode::Html500 => {
                assert_eq!(exchange.status, 500);
                assert!(content_type.starts_with("text/html"));
            }
            HostileMode::SuccessWith500 => assert_eq!(exchange.status, 500),
            HostileMode::WrongContentType => assert_eq!(content_type, "application/json"),
            HostileMode::LongNames => assert!(exchange.body.len() > 2 << 20),
            HostileMode::InvalidUtf8 => assert!(std::str::from_utf8(&exchange.body).is_err()),
            _ => assert_eq!(exchange.status, 200, "{mode}"),
        }
    }
}
