//! What the client writes on the wire and how it takes an answer that is not HTTP, seen from a
//! raw TCP server on loopback: the request head is pinned byte for byte, so a change to how
//! requests are built cannot silently change what endpoints receive.

use hyper::header::{CONTENT_TYPE, HeaderName};
use kontrakt::client::{Client, ClientOptions, RequestHeaders, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

const BODY: &[u8] = b"<Envelope/>";

/// Reads one request (head and `Content-Length` body) and returns it as text.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    loop {
        if let Some(head_end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(received[..head_end + 4].to_vec()).unwrap();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .map_or(0, |value| value.parse().unwrap());
            if received.len() >= head_end + 4 + length {
                return String::from_utf8(received).unwrap();
            }
        }
        assert_ne!(
            stream.read_buf(&mut received).await.unwrap(),
            0,
            "closed early"
        );
    }
}

/// A server that answers each of `answers` on one connection after reading a request, and
/// returns the requests it read.
async fn serve(answers: &'static [&'static [u8]]) -> (Url, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut requests = Vec::new();
        for answer in answers {
            requests.push(read_request(&mut stream).await);
            stream.write_all(answer).await.unwrap();
        }
        requests
    });
    let url = Url::parse(&format!(
        "http://{address}/service/JC/Kontanthjaelp/2?mode=a%20b"
    ))
    .unwrap();
    (url, served)
}

fn soap_headers() -> RequestHeaders {
    RequestHeaders::new(&[
        (CONTENT_TYPE, "text/xml; charset=utf-8".to_owned()),
        (
            HeaderName::from_static("soapaction"),
            "\"urn:ping\"".to_owned(),
        ),
    ])
    .unwrap()
}

#[tokio::test]
async fn the_request_head_is_origin_form_with_host_and_the_callers_headers() {
    const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
    let (url, served) = serve(&[OK, OK]).await;
    let client = Client::new(&ClientOptions::default()).unwrap();
    let target = client.target(url.clone());
    for _ in 0..2 {
        let exchange = client
            .post(&target, &soap_headers(), BODY.to_vec())
            .await
            .unwrap();
        assert_eq!(
            (exchange.status.as_u16(), exchange.body.as_slice()),
            (200, &b"ok"[..])
        );
    }
    let host = url.host_str().unwrap();
    let port = url.port().unwrap();
    let expected = format!(
        "POST /service/JC/Kontanthjaelp/2?mode=a%20b HTTP/1.1\r\n\
         accept-encoding: identity\r\n\
         accept: */*\r\n\
         user-agent: kontrakt/{}\r\n\
         content-type: text/xml; charset=utf-8\r\n\
         soapaction: \"urn:ping\"\r\n\
         host: {host}:{port}\r\n\
         content-length: {}\r\n\
         \r\n\
         <Envelope/>",
        env!("CARGO_PKG_VERSION"),
        BODY.len(),
    );
    // Both requests went over the one connection the server accepted, each the same.
    assert_eq!(served.await.unwrap(), [expected.clone(), expected]);
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_reported_with_the_parsers_reason() {
    let (url, _served) = serve(&[b"HELLO THERE\r\n\r\n"]).await;
    let client = Client::new(&ClientOptions::default()).unwrap();
    let error = client
        .post(&client.target(url.clone()), &soap_headers(), BODY.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Other { .. }), "{error:?}");
    let address = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    assert_eq!(
        error.to_string(),
        format!("the HTTP exchange with {address} failed: invalid HTTP version parsed")
    );
}
