//! Connections to each origin, opened on demand and reused, and the rule for sending a request
//! again when the connection it went out on had been closed under it.
//!
//! Built on hyper's connection-level handshakes: an HTTP/1.1 connection carries one request at a
//! time and waits on its origin's stack of idle connections in between; when TLS negotiates
//! `h2`, one HTTP/2 connection is shared by all requests to the origin. Each connection is
//! driven by a task of its own. An idle connection is dropped after [`IDLE_TIMEOUT`].
//!
//! A server or load balancer may close an idle keep-alive connection at any moment without
//! announcing it. If the pool hands that connection out before its close arrives, the request is
//! written into a dead socket and the error looks like any other reset or early close. So a
//! request whose connection closed before answering is sent again when that connection came
//! from the pool: only connections that have answered are pooled, and the request was never
//! answered (usually never even read), so sending it again cannot hide a wrong answer. A
//! connection that fails its very first request is the endpoint's doing and is reported.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::{TrySendError, http1, http2};
use hyper::header::{HOST, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, Uri};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::time::Instant;
use tower_service::Service;
use url::Url;

use super::error::{Attempt, ConnectTimedOut, Phase, TransportError};

/// Requests sent for one exchange at most: the first, and resends after pooled connections that
/// turned out closed. Bounded so that an endpoint closing every connection right after its
/// first answer cannot keep the client resending.
const MAX_ATTEMPTS: usize = 3;

/// How long a connection may stay unused before it is closed rather than reused.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

type Body = Full<Bytes>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Stream = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;

/// Opens connections: TCP, then TLS for `https`, both within the connect timeout, then the
/// HTTP handshake: HTTP/2 when TLS negotiates it (ALPN), HTTP/1.1 otherwise.
#[derive(Debug, Clone)]
pub(super) struct Connector {
    https: HttpsConnector<HttpConnector>,
    timeout: Duration,
    http2: http2::Builder<TokioExecutor>,
}

impl Connector {
    pub(super) fn new(tls: rustls::ClientConfig, timeout: Duration) -> Connector {
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
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        http2.timer(TokioTimer::new());
        Connector {
            https: HttpsConnector::from((tcp, tls)),
            timeout,
            http2,
        }
    }

    /// A new connection to `origin` (scheme and authority), ready for its first request.
    async fn open(&self, origin: &Uri) -> Result<Sender, BoxError> {
        let connecting = self.https.clone().call(origin.clone());
        let stream = match tokio::time::timeout(self.timeout, connecting).await {
            Ok(connected) => connected?,
            Err(_elapsed) => return Err(Box::new(ConnectTimedOut)),
        };
        if negotiated_h2(&stream) {
            let (sender, connection) = self.http2.handshake(stream).await?;
            drive(connection);
            Ok(Sender::Http2(sender))
        } else {
            let (sender, connection) = http1::handshake(stream).await?;
            drive(connection);
            Ok(Sender::Http1(sender))
        }
    }
}

fn negotiated_h2(stream: &Stream) -> bool {
    match stream {
        MaybeHttpsStream::Http(_) => false,
        MaybeHttpsStream::Https(tls) => tls.inner().get_ref().1.alpn_protocol() == Some(b"h2"),
    }
}

/// Runs a connection's I/O until it closes.
fn drive<C>(connection: C)
where
    C: Future<Output = hyper::Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        // A connection that fails fails the request on it, whose exchange reports the error.
        let _ = connection.await;
    });
}

/// The sending half of a connection.
#[derive(Debug)]
enum Sender {
    Http1(http1::SendRequest<Body>),
    Http2(http2::SendRequest<Body>),
}

/// A connection carrying one request, and whether it came from the pool (and so had answered).
#[derive(Debug)]
pub(super) struct Lease {
    sender: Sender,
    pooled: bool,
}

/// The connections of one client, one pool per origin.
#[derive(Debug)]
pub(super) struct Pools {
    connector: Connector,
    by_origin: Mutex<HashMap<Uri, Arc<Pool>>>,
}

impl Pools {
    pub(super) fn new(connector: Connector) -> Pools {
        Pools {
            connector,
            by_origin: Mutex::new(HashMap::new()),
        }
    }

    /// How requests to `url` are addressed, and the pool of its origin; `Err` says why the URL
    /// cannot carry a request.
    pub(super) fn route(&self, url: &Url) -> Result<Route, String> {
        let unusable = |reason: String| format!("{url} is not a usable request URI: {reason}");
        let absolute = Uri::try_from(url.as_str()).map_err(|error| unusable(error.to_string()))?;
        let (Some(scheme), Some(authority)) = (absolute.scheme(), absolute.authority()) else {
            return Err(unusable("it names no host".to_owned()));
        };
        let origin = Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query("/")
            .build()
            .map_err(|error| unusable(error.to_string()))?;
        let host = host_header(&absolute).map_err(|error| unusable(error.to_string()))?;
        // HTTP/1.1 sends the path and query alone, and the origin in `Host`.
        let origin_form = match absolute.path_and_query() {
            Some(path) if path.as_str() != "/" => Uri::from(path.clone()),
            _ => Uri::default(),
        };
        let mut by_origin = self
            .by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let pool = by_origin.entry(origin.clone()).or_insert_with(|| {
            Arc::new(Pool {
                origin,
                host,
                connector: self.connector.clone(),
                idle: Mutex::new(Idle::default()),
            })
        });
        Ok(Route {
            absolute,
            origin_form,
            pool: Arc::clone(pool),
        })
    }
}

/// The `Host` header HTTP/1.1 requests carry: the host, and the port unless it is the scheme's
/// default.
fn host_header(uri: &Uri) -> Result<HeaderValue, hyper::header::InvalidHeaderValue> {
    let host = uri.host().unwrap_or_default();
    let default_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    match uri.port_u16() {
        Some(port) if port != default_port => HeaderValue::from_str(&format!("{host}:{port}")),
        _ => HeaderValue::from_str(host),
    }
}

/// How requests to one URL are addressed, prepared once.
#[derive(Debug, Clone)]
pub(super) struct Route {
    /// The whole URI, as HTTP/2 sends it.
    absolute: Uri,
    /// The path and query, as HTTP/1.1 sends it.
    origin_form: Uri,
    pool: Arc<Pool>,
}

impl Route {
    /// Sends a POST of `body` with `headers` and waits for the response head. A request lost to
    /// a pooled connection that had been closed under it is sent again (see the module comment).
    pub(super) async fn send(
        &self,
        headers: &HeaderMap,
        mut body: Bytes,
        now: Instant,
        attempt: &Attempt<'_>,
    ) -> Result<(Response<Incoming>, Lease), TransportError> {
        let mut attempts = 1;
        loop {
            let mut lease = self
                .pool
                .check_out(now)
                .await
                .map_err(|error| attempt.classify(&*error, Phase::AwaitingResponse))?;
            // A copy is kept only while a resend is still possible.
            let resendable = may_resend(lease.pooled, attempts);
            let sent = if resendable {
                body.clone()
            } else {
                std::mem::take(&mut body)
            };
            let answered = match &mut lease.sender {
                Sender::Http1(sender) => {
                    let mut request = post(self.origin_form.clone(), headers, sent);
                    request.headers_mut().insert(HOST, self.pool.host.clone());
                    sender.try_send_request(request).await
                }
                Sender::Http2(sender) => {
                    let request = post(self.absolute.clone(), headers, sent);
                    sender.try_send_request(request).await
                }
            };
            match answered {
                Ok(response) => {
                    self.pool.share(&lease, now);
                    return Ok((response, lease));
                }
                Err(failed) => {
                    if resends(Loss::of(&failed, attempt), lease.pooled, attempts) {
                        attempts += 1;
                    } else {
                        let error = failed.into_error();
                        return Err(attempt.classify(&error, Phase::AwaitingResponse));
                    }
                }
            }
        }
    }

    /// Returns a connection whose response was read to the end to its origin's pool.
    pub(super) fn check_in(&self, lease: Lease, now: Instant) {
        self.pool.park(lease, now);
    }
}

fn post(uri: Uri, headers: &HeaderMap, body: Bytes) -> Request<Body> {
    let mut request = Request::new(Full::new(body));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers.clone();
    request
}

/// How a request failed before its response head arrived, as far as sending it again goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    /// It never went out: the connection closed before taking it.
    Unsent,
    /// The connection was reset or closed before answering it.
    Unanswered,
    /// Anything else (a malformed answer, a TLS failure, ...): the endpoint's doing.
    Failed,
}

impl Loss {
    fn of(failed: &TrySendError<Request<Body>>, attempt: &Attempt<'_>) -> Loss {
        if failed.message().is_some() {
            Loss::Unsent
        } else if attempt.closed_before_answering(failed.error()) {
            Loss::Unanswered
        } else {
            Loss::Failed
        }
    }
}

/// Whether the request of the `attempts`th attempt could still go out again if lost: only from a
/// pooled connection, and only so often.
fn may_resend(pooled: bool, attempts: usize) -> bool {
    pooled && attempts < MAX_ATTEMPTS
}

/// Whether a request lost as `loss` is sent again.
fn resends(loss: Loss, pooled: bool, attempts: usize) -> bool {
    may_resend(pooled, attempts) && loss != Loss::Failed
}

/// The connections to one origin.
#[derive(Debug)]
struct Pool {
    /// Scheme and authority, as the connector takes them.
    origin: Uri,
    host: HeaderValue,
    connector: Connector,
    idle: Mutex<Idle>,
}

/// A pool's connections that have answered and wait for the next request.
#[derive(Debug, Default)]
struct Idle {
    /// HTTP/1.1 connections, the most recently returned on top.
    http1: Vec<Parked<http1::SendRequest<Body>>>,
    /// The HTTP/2 connection all requests share, once the origin has answered over one.
    http2: Option<Parked<http2::SendRequest<Body>>>,
    /// Whether the task closing connections idle for too long runs.
    swept: bool,
}

#[derive(Debug)]
struct Parked<S> {
    sender: S,
    /// Since when it was unused: when an HTTP/1.1 connection came back, when the HTTP/2 one was
    /// last handed out.
    since: Instant,
}

impl<S> Parked<S> {
    fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.since) > IDLE_TIMEOUT
    }
}

impl Idle {
    /// A connection that had answered and is neither closed nor idle for too long, if any.
    fn take(&mut self, now: Instant) -> Option<Sender> {
        if let Some(shared) = &mut self.http2 {
            if !shared.sender.is_closed() && !shared.expired(now) {
                shared.since = now;
                return Some(Sender::Http2(shared.sender.clone()));
            }
            self.http2 = None;
        }
        while let Some(parked) = self.http1.pop() {
            if !parked.expired(now) {
                return Some(Sender::Http1(parked.sender));
            }
        }
        None
    }

    fn drop_expired(&mut self, now: Instant) {
        self.http1.retain(|parked| !parked.expired(now));
        if self
            .http2
            .as_ref()
            .is_some_and(|shared| shared.expired(now))
        {
            self.http2 = None;
        }
    }
}

impl Pool {
    fn idle(&self) -> MutexGuard<'_, Idle> {
        // The lists stay consistent whatever panicked while holding the lock.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection that had answered, or else a new one.
    async fn check_out(&self, now: Instant) -> Result<Lease, BoxError> {
        loop {
            let taken = self.idle().take(now);
            match taken {
                Some(Sender::Http1(mut sender)) => {
                    // One the endpoint closed while it was idle is dropped for the next.
                    if sender.ready().await.is_ok() {
                        return Ok(Lease {
                            sender: Sender::Http1(sender),
                            pooled: true,
                        });
                    }
                }
                Some(shared) => {
                    return Ok(Lease {
                        sender: shared,
                        pooled: true,
                    });
                }
                None => {
                    return Ok(Lease {
                        sender: self.connector.open(&self.origin).await?,
                        pooled: false,
                    });
                }
            }
        }
    }

    /// Pools an HTTP/1.1 connection whose response was read to the end.
    fn park(self: &Arc<Pool>, lease: Lease, now: Instant) {
        if let Sender::Http1(sender) = lease.sender {
            let mut idle = self.idle();
            idle.http1.push(Parked { sender, since: now });
            self.sweep(&mut idle);
        }
    }

    /// Shares a new HTTP/2 connection that has just answered, unless another one already is.
    fn share(self: &Arc<Pool>, lease: &Lease, now: Instant) {
        let Sender::Http2(sender) = &lease.sender else {
            return;
        };
        let mut idle = self.idle();
        if !lease.pooled
            && idle
                .http2
                .as_ref()
                .is_none_or(|shared| shared.sender.is_closed())
        {
            idle.http2 = Some(Parked {
                sender: sender.clone(),
                since: now,
            });
            self.sweep(&mut idle);
        }
    }

    /// Starts, once, the task that closes connections left idle too long even when no request
    /// comes along to notice.
    fn sweep(self: &Arc<Pool>, idle: &mut Idle) {
        if idle.swept {
            return;
        }
        idle.swept = true;
        let pool = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(IDLE_TIMEOUT).await;
                let Some(pool) = pool.upgrade() else {
                    return;
                };
                pool.idle().drop_expired(Instant::now());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{TlsClientOptions, client_config};

    fn pools() -> Pools {
        let tls = client_config(&TlsClientOptions {
            insecure: true,
            ..TlsClientOptions::default()
        })
        .unwrap();
        Pools::new(Connector::new(tls, Duration::from_secs(1)))
    }

    fn route(pools: &Pools, url: &str) -> Route {
        pools.route(&Url::parse(url).unwrap()).unwrap()
    }

    #[test]
    fn only_requests_lost_to_pooled_connections_go_out_again_and_only_so_often() {
        for loss in [Loss::Unsent, Loss::Unanswered] {
            assert!(resends(loss, true, 1));
            assert!(resends(loss, true, MAX_ATTEMPTS - 1));
            assert!(!resends(loss, true, MAX_ATTEMPTS));
            // A new connection failing its first request is the endpoint's doing.
            assert!(!resends(loss, false, 1));
        }
        assert!(!resends(Loss::Failed, true, 1));
    }

    #[test]
    fn http1_requests_name_the_path_and_query_and_carry_the_origin_in_host() {
        let pools = pools();
        let cases = [
            (
                "http://127.0.0.1:8080/soap?a=b",
                "/soap?a=b",
                "127.0.0.1:8080",
            ),
            ("http://example.org/", "/", "example.org"),
            ("http://example.org:80/x", "/x", "example.org"),
            ("https://example.org:443/x", "/x", "example.org"),
            ("https://example.org:8443/x", "/x", "example.org:8443"),
            ("http://[::1]:8080/x", "/x", "[::1]:8080"),
        ];
        for (url, path, host) in cases {
            let route = route(&pools, url);
            assert_eq!(route.origin_form, path, "{url}");
            // As the URL has it, a default port left out.
            assert_eq!(route.absolute, Url::parse(url).unwrap().as_str(), "{url}");
            assert_eq!(route.pool.host, host, "{url}");
        }
    }

    #[test]
    fn urls_of_one_origin_share_a_pool() {
        let pools = pools();
        let a = route(&pools, "http://127.0.0.1:8080/a");
        let b = route(&pools, "http://127.0.0.1:8080/b?c");
        let other_port = route(&pools, "http://127.0.0.1:8081/a");
        let other_scheme = route(&pools, "https://127.0.0.1:8080/a");
        assert!(Arc::ptr_eq(&a.pool, &b.pool));
        assert!(!Arc::ptr_eq(&a.pool, &other_port.pool));
        assert!(!Arc::ptr_eq(&a.pool, &other_scheme.pool));
        assert_eq!(a.pool.origin, "http://127.0.0.1:8080/");
    }

    #[test]
    fn a_url_without_a_host_says_it_cannot_carry_a_request() {
        let error = pools()
            .route(&Url::parse("file:///tmp/soap").unwrap())
            .unwrap_err();
        assert!(error.contains("is not a usable request URI"), "{error}");
    }
}
