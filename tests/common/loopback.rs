//! The reference provider's router served on loopback with a transport behaviour the client
//! must cope with: HTTP/2 negotiated over TLS, and HTTP/1.1 connections the server closes while
//! the client may still hold them as reusable. Each server counts what it saw, so a test can show
//! the behaviour really happened rather than assume it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use http_body_util::BodyExt;
use hyper::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use hyper::{Response, Version};
use kontrakt::reference::{DEFAULT_FIXTURE, ProviderOptions, router};
use kontrakt::tls::{TlsListener, server_config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower_service::Service;

use super::{Pki, root};

/// The reference provider's services, as `kontrakt serve` hosts them.
pub fn reference_router() -> Router {
    router(ProviderOptions {
        fixture: root().join(DEFAULT_FIXTURE),
        ..ProviderOptions::default()
    })
    .expect("the reference fixture loads")
}

/// The HTTP version of every request a server answered, in arrival order.
#[derive(Debug, Clone, Default)]
pub struct SeenVersions(Arc<Mutex<Vec<Version>>>);

impl SeenVersions {
    pub fn all(&self) -> Vec<Version> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// Serves the reference provider over TLS with `<server>.pem`/`<server>.key` from `pki`, offering
/// only `alpn` (e.g. `h2`), so a client that cannot speak it fails the handshake. Returns the
/// services' base URL and the versions the requests arrived with.
pub async fn serve_reference_over_tls(
    pki: &Pki,
    server: &str,
    alpn: &[&[u8]],
) -> (String, SeenVersions) {
    let mut config = server_config(
        &pki.path(&format!("{server}.pem")),
        &pki.path(&format!("{server}.key")),
        None,
    )
    .expect("server certificate loads")
    .as_ref()
    .clone();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    let seen = SeenVersions::default();
    let recorder = seen.clone();
    let app = reference_router().layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            recorder
                .0
                .lock()
                .expect("not poisoned")
                .push(request.version());
            next.run(request)
        },
    ));
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(TlsListener::new(tcp, Arc::new(config)), app).await });
    (format!("https://{address}/service/"), seen)
}

/// When a [`serve_reference_closing`] server closes a connection. Never announced with
/// `Connection: close`: like a load balancer, the server just closes, and the client learns of
/// it from the socket alone.
#[derive(Debug, Clone, Copy)]
pub enum Closing {
    /// Right after writing this many responses on the connection.
    AfterResponses(usize),
    /// When no request started for this long.
    WhenIdleFor(Duration),
    /// On reading the first request, which is never answered.
    WithoutAnswering,
}

/// Connections accepted and responses written by a [`serve_reference_closing`] server.
#[derive(Debug, Clone, Default)]
pub struct Served {
    connections: Arc<AtomicUsize>,
    responses: Arc<AtomicUsize>,
}

impl Served {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn responses(&self) -> usize {
        self.responses.load(Ordering::SeqCst)
    }
}

/// Serves the reference provider over plain HTTP/1.1 with keep-alive (no `Connection` header on
/// any response), closing connections as `closing` says. Returns the services' base URL.
pub async fn serve_reference_closing(closing: Closing) -> (String, Served) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    let served = Served::default();
    let counters = served.clone();
    let app = reference_router();
    tokio::spawn(async move {
        while let Ok((stream, _peer)) = tcp.accept().await {
            counters.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer_until_closing(
                stream,
                app.clone(),
                closing,
                counters.clone(),
            ));
        }
    });
    (format!("http://{address}/service/"), served)
}

/// Answers requests on one connection in turn, then drops it (a plain FIN, or a reset if the
/// client already sent more), or stops on any I/O or parse error.
async fn answer_until_closing(
    mut stream: TcpStream,
    mut app: Router,
    closing: Closing,
    served: Served,
) {
    let mut answered = 0;
    let mut unread = Vec::new();
    loop {
        let next = read_request(&mut stream, &mut unread);
        let request = match closing {
            Closing::AfterResponses(_) => next.await,
            Closing::WhenIdleFor(idle) => tokio::time::timeout(idle, next).await.ok().flatten(),
            Closing::WithoutAnswering => {
                next.await;
                return;
            }
        };
        let Some(request) = request else { return };
        let response = match Service::call(&mut app, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if write_response(&mut stream, response).await.is_none() {
            return;
        }
        served.responses.fetch_add(1, Ordering::SeqCst);
        answered += 1;
        if matches!(closing, Closing::AfterResponses(limit) if answered == limit) {
            return;
        }
    }
}

/// Reads one request with a `Content-Length` body; `None` at end of stream or on anything else.
/// Bytes read past the request stay in `unread` for the next one.
async fn read_request(stream: &mut TcpStream, unread: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = unread.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, unread).await?;
    };
    let head = std::str::from_utf8(&unread[..head_end]).ok()?.to_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let mut builder = Request::builder()
        .method(request_line.next()?)
        .uri(request_line.next()?);
    let mut body_length = 0;
    for line in lines.filter(|line| !line.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case(CONTENT_LENGTH.as_str()) {
            body_length = value.parse().ok()?;
        }
        builder = builder.header(name, value);
    }
    while unread.len() < head_end + body_length {
        read_more(stream, unread).await?;
    }
    let body: Vec<u8> = unread
        .drain(..head_end + body_length)
        .skip(head_end)
        .collect();
    builder.body(Body::from(body)).ok()
}

async fn read_more(stream: &mut TcpStream, unread: &mut Vec<u8>) -> Option<()> {
    match stream.read_buf(unread).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(()),
    }
}

/// Writes `response` as HTTP/1.1 with a `Content-Length` and without any `Connection` header.
async fn write_response(stream: &mut TcpStream, response: Response<Body>) -> Option<()> {
    let (head, body) = response.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    let mut bytes = format!("HTTP/1.1 {}\r\n", head.status).into_bytes();
    for (name, value) in &head.headers {
        if name != CONTENT_LENGTH && name != TRANSFER_ENCODING && name != CONNECTION {
            bytes.extend_from_slice(format!("{name}: ").as_bytes());
            bytes.extend_from_slice(value.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
    }
    bytes.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(&body);
    stream.write_all(&bytes).await.ok()
}
