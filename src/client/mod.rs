//! Transport: HTTP(S) with rustls, mTLS identities, timeouts, response size cap, redirect policy.
//!
//! Policies that keep a hostile endpoint from hanging or exhausting the harness:
//! - Three timeouts: connect, read (no byte for that long, also while waiting for the response
//!   head) and total (the whole exchange, body included).
//! - The body is read chunk by chunk and reading stops at `max_response_bytes`; a larger
//!   declared `Content-Length` is refused before any body byte is read. Memory per exchange is
//!   bounded by the cap plus one network chunk.
//! - No compression: nothing decodes bodies and every request says `Accept-Encoding: identity`,
//!   so a compressed answer reaches the checks as the opaque bytes it is and a gzip bomb is never
//!   expanded.
//! - Redirects are never followed, to any host: a SOAP endpoint that redirects is misconfigured,
//!   and following a POST would silently re-target the certification run. A 3xx with a
//!   `Location` becomes [`TransportError::RedirectNotFollowed`].
//! - No proxy, not even from the environment: the harness talks to exactly the endpoint given.
//! - A request lost to a pooled keep-alive connection that the endpoint had closed without
//!   saying so is sent again, at most twice (see [`pool`]); any other failure is reported as is.
//!
//! Built on hyper's connection-level HTTP/1.1 and HTTP/2 handshakes with a small pool of its own
//! (with rustls through hyper-rustls) rather than on a general-purpose or pooled client: the
//! runner sends tens of thousands of requests, and what such clients do for each (URL round
//! trips, pool keys, a task to return each connection, a timer per wait) is a noticeable part of
//! the harness's CPU per exchange. The endpoint URL is prepared once as a [`Target`]; an
//! exchange keeps one timer for its read and total deadlines (see [`deadline`]).

mod deadline;
mod error;
mod pool;

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::StatusCode;
use hyper::body::Body as _;
use hyper::header::{
    ACCEPT, ACCEPT_ENCODING, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT,
};
use tokio::time::Instant;
use url::Url;

use crate::tls::{TlsClientOptions, TlsError};
use deadline::{Deadline, Expired};
pub use error::TransportError;
use error::{Attempt, Phase};
use pool::{Connector, Pools, Route};

/// How the client connects and how long and how much it is willing to wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
    pub max_response_bytes: u64,
    pub tls: TlsClientOptions,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(60),
            max_response_bytes: 16 * 1024 * 1024,
            tls: TlsClientOptions::default(),
        }
    }
}

/// Why a [`Client`] could not be built; reported before any request is sent.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// The headers of a request, checked and encoded once: a run sends the same SOAPAction and
/// Content-Type with every request of an operation. Always asks for `Accept-Encoding: identity`
/// and names kontrakt as the user agent.
#[derive(Debug, Clone)]
pub struct RequestHeaders(HeaderMap);

impl RequestHeaders {
    /// Fails on a value HTTP cannot carry, naming the header but never echoing the value.
    pub fn new(headers: &[(HeaderName, String)]) -> Result<RequestHeaders, TransportError> {
        let mut map = base_headers(headers.len());
        for (name, value) in headers {
            let value =
                HeaderValue::from_str(value).map_err(|_| TransportError::InvalidHeader {
                    name: name.to_string(),
                })?;
            map.insert(name.clone(), value);
        }
        Ok(RequestHeaders(map))
    }
}

impl Default for RequestHeaders {
    fn default() -> RequestHeaders {
        RequestHeaders(base_headers(0))
    }
}

/// What every request carries, with room for `more`.
fn base_headers(more: usize) -> HeaderMap {
    // Each request gets a copy, which keeps the table's size: room for the `Host` and
    // `Content-Length` added to it on the way out spares rebuilding the table per request.
    let mut map = HeaderMap::with_capacity(more + 3 + 2);
    map.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    map.insert(ACCEPT, HeaderValue::from_static("*/*"));
    map.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("kontrakt/", env!("CARGO_PKG_VERSION"))),
    );
    map
}

/// One complete request/response exchange.
#[derive(Debug, Clone)]
pub struct HttpExchange {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// An endpoint URL prepared for requests once rather than per request: how requests to it are
/// addressed, the names its errors use, and the connections to its origin. It belongs to the
/// [`Client`] that prepared it, whose connections it uses.
#[derive(Debug, Clone)]
pub struct Target {
    url: Url,
    /// `host:port`, as messages name the endpoint.
    address: String,
    /// The host name, as certificate messages name it.
    host: String,
    /// Why the URL cannot carry a request, reported by every exchange with it.
    route: Result<Route, String>,
}

impl Target {
    pub fn url(&self) -> &Url {
        &self.url
    }
}

/// The harness's HTTP client. Cheap to clone; clones share the connection pools.
#[derive(Debug, Clone)]
pub struct Client {
    pools: Arc<Pools>,
    options: ClientOptions,
    client_certificate_thumbprint: Option<String>,
}

impl Client {
    pub fn new(options: &ClientOptions) -> Result<Client, ClientError> {
        let client_certificate_thumbprint = match &options.tls.identity {
            Some(source) => Some(source.load()?.thumbprint_sha256()),
            None => None,
        };
        let tls = crate::tls::client_config(&options.tls)?;
        Ok(Client {
            pools: Arc::new(Pools::new(Connector::new(tls, options.connect_timeout))),
            options: options.clone(),
            client_certificate_thumbprint,
        })
    }

    /// SHA-256 thumbprint of the client certificate presented to the endpoint, for reports.
    pub fn client_certificate_thumbprint(&self) -> Option<&str> {
        self.client_certificate_thumbprint.as_deref()
    }

    /// Prepares `url` for [`Client::post`]. A URL that cannot carry a request fails each
    /// exchange with it, as a transport error.
    pub fn target(&self, url: Url) -> Target {
        let host = url.host_str().unwrap_or_default().to_owned();
        let address = match url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        Target {
            route: self.pools.route(&url),
            url,
            address,
            host,
        }
    }

    /// POSTs `body` with the caller's headers (SOAPAction, Content-Type, ...) and reads the whole
    /// answer within the configured timeouts and size cap.
    pub async fn post(
        &self,
        target: &Target,
        headers: &RequestHeaders,
        body: Vec<u8>,
    ) -> Result<HttpExchange, TransportError> {
        let started = Instant::now();
        let route = target
            .route
            .as_ref()
            .map_err(|detail| TransportError::Other {
                address: target.address.clone(),
                detail: detail.clone(),
            })?;
        let attempt = Attempt {
            address: &target.address,
            host: &target.host,
            connect_timeout: self.options.connect_timeout,
            read_timeout: self.options.read_timeout,
            sent_client_certificate: self.client_certificate_thumbprint.is_some(),
        };
        let timed_out = |expired| match expired {
            Expired::Read => attempt.read_timed_out(),
            Expired::Total => TransportError::TotalTimeout {
                address: target.address.clone(),
                timeout: self.options.total_timeout,
            },
        };
        let timer = pin!(tokio::time::sleep_until(started));
        let mut deadline = Deadline::new(
            timer,
            started,
            self.options.read_timeout,
            self.options.total_timeout,
        );
        let sending = route.send(&headers.0, Bytes::from(body), started, &attempt);
        let (response, lease) = deadline.within(sending).await.map_err(timed_out)??;
        let status = response.status();
        if status.is_redirection()
            && let Some(location) = response.headers().get(LOCATION)
        {
            return Err(redirect_not_followed(&target.url, status, location));
        }
        let (head, mut body) = response.into_parts();
        let limit = self.options.max_response_bytes;
        let too_large = |declared| TransportError::ResponseTooLarge {
            address: target.address.clone(),
            limit,
            declared,
        };
        // The declared Content-Length, as the body reports it.
        let declared = body.size_hint().exact();
        if declared.is_some_and(|length| length > limit) {
            return Err(too_large(declared));
        }
        // Sized by the declared length, which is within the cap by now.
        let mut received = Vec::with_capacity(declared.unwrap_or(0) as usize);
        loop {
            let phase = Phase::ReadingBody {
                received: received.len() as u64,
            };
            let frame = match deadline.within(body.frame()).await.map_err(timed_out)? {
                Some(Ok(frame)) => frame,
                Some(Err(error)) => return Err(attempt.classify(&error, phase)),
                None => break,
            };
            // Trailers carry nothing the checks read.
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            if (received.len() + chunk.len()) as u64 > limit {
                return Err(too_large(declared));
            }
            received.extend_from_slice(&chunk);
        }
        let finished = Instant::now();
        route.check_in(lease, finished);
        Ok(HttpExchange {
            status,
            headers: head.headers,
            body: received,
            elapsed: finished - started,
        })
    }
}

fn redirect_not_followed(url: &Url, status: StatusCode, location: &HeaderValue) -> TransportError {
    let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
    let target = match url.join(&location) {
        Ok(resolved) if same_origin(url, &resolved) => format!("{resolved} (same host)"),
        Ok(resolved) => match (resolved.host_str(), resolved.port_or_known_default()) {
            (Some(host), Some(port)) => format!("other host {host}:{port}"),
            _ => resolved.to_string(),
        },
        Err(_) => location.clone(),
    };
    TransportError::RedirectNotFollowed {
        status: status.as_u16(),
        location,
        target,
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_says_where_it_would_have_gone() {
        let url = Url::parse("http://127.0.0.1:8080/soap").unwrap();
        let cases = [
            (
                "http://other.invalid/",
                "redirect to other host other.invalid:80 not followed",
            ),
            (
                "/v2/soap",
                "redirect to http://127.0.0.1:8080/v2/soap (same host) not followed",
            ),
        ];
        for (location, expected) in cases {
            let error =
                redirect_not_followed(&url, StatusCode::FOUND, &HeaderValue::from_static(location));
            assert!(error.to_string().starts_with(expected), "{error}");
        }
    }

    #[test]
    fn header_values_are_not_echoed_when_invalid() {
        let headers = [(
            HeaderName::from_static("x-token"),
            "secret\nvalue".to_owned(),
        )];
        let error = RequestHeaders::new(&headers).unwrap_err();
        assert!(!error.to_string().contains("secret"));
        assert!(error.to_string().contains("x-token"));
    }

    #[test]
    fn identity_encoding_is_requested() {
        let soap_action = [(
            HeaderName::from_static("soapaction"),
            "\"urn:a\"".to_owned(),
        )];
        for headers in [
            RequestHeaders::default(),
            RequestHeaders::new(&soap_action).unwrap(),
        ] {
            assert_eq!(headers.0[ACCEPT_ENCODING], "identity");
        }
    }

    #[test]
    fn defaults_cap_responses_at_sixteen_mebibytes() {
        assert_eq!(ClientOptions::default().max_response_bytes, 16 << 20);
    }
}
