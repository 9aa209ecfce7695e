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
//!   saying so is sent again, at most twice (see [`reuse`]); any other failure is reported as is.
//!
//! Built on hyper's pooled client directly (with rustls through hyper-rustls) rather than on a
//! general-purpose client: the runner sends tens of thousands of requests, and the layers such
//! a client adds to each (redirect and retry services, URL round trips, request builders) cost
//! a fifth of the harness's CPU per exchange.

mod error;
mod reuse;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper::body::Incoming;
use hyper::header::{
    ACCEPT, ACCEPT_ENCODING, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT,
};
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use url::Url;

use crate::tls::{TlsClientOptions, TlsError};
pub use error::TransportError;
use error::{Attempt, ConnectTimedOut, Phase};
use reuse::TrackedStream;

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

/// Requests sent for one exchange at most: the first, and retries after pooled connections
/// that turned out closed (see [`reuse`]). Bounded so that an endpoint closing every connection
/// right after its first answer cannot keep the client retrying.
const MAX_ATTEMPTS: usize = 3;

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
    let mut map = HeaderMap::with_capacity(more + 3);
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

/// The harness's HTTP client. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    http: hyper_util::client::legacy::Client<Connector, Full<Bytes>>,
    options: ClientOptions,
    client_certificate_thumbprint: Option<String>,
}

/// Opens connections: TCP, then TLS for `https`, both within the connect timeout. HTTP/2 is used
/// when the TLS handshake negotiates it (ALPN), HTTP/1.1 otherwise.
#[derive(Debug, Clone)]
struct Connector {
    https: HttpsConnector<HttpConnector>,
    timeout: Duration,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Uri> for Connector {
    type Response = TrackedStream<MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.https.poll_ready(context)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.https.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected.map(TrackedStream::new),
                Err(_elapsed) => Err(Box::new(ConnectTimedOut) as BoxError),
            }
        })
    }
}

impl Client {
    pub fn new(options: &ClientOptions) -> Result<Client, ClientError> {
        let client_certificate_thumbprint = match &options.tls.identity {
            Some(source) => Some(source.load()?.thumbprint_sha256()),
            None => None,
        };
        let tls = crate::tls::client_config(&options.tls)?;
        let mut tcp = HttpConnector::new();
        // `https` URLs are handed on to TLS rather than refused.
        tcp.enforce_http(false);
        // A request goes out in one write and waits for its answer: nothing to coalesce.
        tcp.set_nodelay(true);
        // A pooled connection whose peer vanished is noticed rather than kept (probes every 15 s,
        // given up after 3 unanswered), and unacknowledged data is not retransmitted forever.
        tcp.set_keepalive(Some(Duration::from_secs(15)));
        tcp.set_keepalive_interval(Some(Duration::from_secs(15)));
        tcp.set_keepalive_retries(Some(3));
        #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
        tcp.set_tcp_user_timeout(Some(Duration::from_secs(30)));
        let connector = Connector {
            https: HttpsConnector::from((tcp, tls)),
            timeout: options.connect_timeout,
        };
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Ok(Client {
            http,
            options: options.clone(),
            client_certificate_thumbprint,
        })
    }

    /// SHA-256 thumbprint of the client certificate presented to the endpoint, for reports.
    pub fn client_certificate_thumbprint(&self) -> Option<&str> {
        self.client_certificate_thumbprint.as_deref()
    }

    /// POSTs `body` with the caller's headers (SOAPAction, Content-Type, ...) and reads the whole
    /// answer within the configured timeouts and size cap.
    pub async fn post(
        &self,
        url: &Url,
        headers: &RequestHeaders,
        body: Vec<u8>,
    ) -> Result<HttpExchange, TransportError> {
        let host = url.host_str().unwrap_or_default().to_owned();
        let address = match url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let attempt = Attempt {
            address: &address,
            host: &host,
            connect_timeout: self.options.connect_timeout,
            read_timeout: self.options.read_timeout,
            sent_client_certificate: self.client_certificate_thumbprint.is_some(),
        };
        let started = Instant::now();
        let exchange = self.exchange(url, headers, body, &attempt, started);
        match tokio::time::timeout(self.options.total_timeout, exchange).await {
            Ok(result) => result,
            Err(_elapsed) => Err(TransportError::TotalTimeout {
                address,
                timeout: self.options.total_timeout,
            }),
        }
    }

    async fn exchange(
        &self,
        url: &Url,
        headers: &RequestHeaders,
        body: Vec<u8>,
        attempt: &Attempt<'_>,
        started: Instant,
    ) -> Result<HttpExchange, TransportError> {
        let read_timeout = self.options.read_timeout;
        let uri: Uri = url
            .as_str()
            .parse()
            .map_err(|error| TransportError::Other {
                address: attempt.address.to_owned(),
                detail: format!("{url} is not a usable request URI: {error}"),
            })?;
        // The read timeout runs from the start: connecting and sending count as waiting for
        // the response head.
        let sending = self.send(uri, headers, Bytes::from(body), attempt);
        let response = match tokio::time::timeout(read_timeout, sending).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(attempt.classify(&error, Phase::AwaitingResponse)),
            Err(_elapsed) => return Err(attempt.read_timed_out()),
        };
        let status = response.status();
        if status.is_redirection()
            && let Some(location) = response.headers().get(LOCATION)
        {
            return Err(redirect_not_followed(url, status, location));
        }
        let (head, mut body) = response.into_parts();
        let limit = self.options.max_response_bytes;
        let too_large = |declared| TransportError::ResponseTooLarge {
            address: attempt.address.to_owned(),
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
            let frame = match tokio::time::timeout(read_timeout, body.frame()).await {
                Ok(Some(Ok(frame))) => frame,
                Ok(Some(Err(error))) => return Err(attempt.classify(&error, phase)),
                Ok(None) => break,
                Err(_elapsed) => return Err(attempt.read_timed_out()),
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
        Ok(HttpExchange {
            status,
            headers: head.headers,
            body: received,
            elapsed: started.elapsed(),
        })
    }

    /// Sends the request and waits for the response head. A request lost to a pooled connection
    /// that the endpoint had closed without saying so (it reset or closed before answering, on a
    /// connection that had answered before) is sent again; the endpoint never answered it.
    async fn send(
        &self,
        uri: Uri,
        headers: &RequestHeaders,
        body: Bytes,
        attempt: &Attempt<'_>,
    ) -> Result<Response<Incoming>, hyper_util::client::legacy::Error> {
        let mut attempts = 1;
        loop {
            let mut request = Request::new(Full::new(body.clone()));
            *request.method_mut() = Method::POST;
            *request.uri_mut() = uri.clone();
            *request.headers_mut() = headers.0.clone();
            match self.http.request(request).await {
                Ok(response) => {
                    reuse::mark_answered(&response);
                    return Ok(response);
                }
                Err(error)
                    if attempts < MAX_ATTEMPTS
                        && reuse::on_answered_connection(&error)
                        && attempt.closed_before_answering(&error) =>
                {
                    attempts += 1;
                }
                Err(error) => return Err(error),
            }
        }
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
