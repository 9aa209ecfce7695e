//! Hostile and broken endpoints, for tests and `kontrakt serve --hostile <mode>`.
//!
//! Written on raw TCP rather than an HTTP framework so each mode can misbehave at byte level:
//! stall, trickle, cut the connection, reset it, or lie about the body. Every connection reads
//! one request and gets one answer (`Connection: close`). Modes with an XML body send a
//! SOAP 1.1-shaped envelope; whether the harness judges those bodies correctly is for the SOAP
//! parser and the checks to prove.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The ways a hostile endpoint misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostileMode {
    /// Accepts and reads the request, then stays silent for as long as the client waits.
    NeverAnswer,
    /// Sends a valid answer one byte per second.
    Trickle,
    /// Declares a body length, sends half of it, then closes.
    CloseMidResponse,
    /// Resets the connection (SO_LINGER 0, then close) instead of answering.
    Reset,
    /// Declares a 1 GiB body with `Content-Length` and streams it.
    HugeBody,
    /// Streams a 1 GiB body with chunked encoding, so only reading reveals its size.
    HugeBodyChunked,
    Doctype,
    /// Billion laughs: nested internal entities.
    EntityBomb,
    /// An external entity pointing at `file:///etc/passwd`.
    ExternalEntity,
    NonXml,
    Html500,
    FaultWith200,
    SuccessWith500,
    /// A valid SOAP envelope labelled `application/json`.
    WrongContentType,
    /// `302 Found` to `http://other.invalid/`.
    RedirectOtherHost,
    /// 100,000 nested elements.
    DeepNesting,
    /// An attribute whose name and value are 1 MiB each.
    LongNames,
    InvalidUtf8,
    /// An element that looks like `soapenv:Fault` but whose prefix was rebound to another
    /// namespace.
    PrefixRebinding,
    /// The same namespace prefix declared twice on one element (not namespace-well-formed).
    DuplicatePrefix,
}

const ALL_MODES: [HostileMode; 20] = [
    HostileMode::NeverAnswer,
    HostileMode::Trickle,
    HostileMode::CloseMidResponse,
    HostileMode::Reset,
    HostileMode::HugeBody,
    HostileMode::HugeBodyChunked,
    HostileMode::Doctype,
    HostileMode::EntityBomb,
    HostileMode::ExternalEntity,
    HostileMode::NonXml,
    HostileMode::Html500,
    HostileMode::FaultWith200,
    HostileMode::SuccessWith500,
    HostileMode::WrongContentType,
    HostileMode::RedirectOtherHost,
    HostileMode::DeepNesting,
    HostileMode::LongNames,
    HostileMode::InvalidUtf8,
    HostileMode::PrefixRebinding,
    HostileMode::DuplicatePrefix,
];

impl HostileMode {
    pub fn all() -> &'static [HostileMode] {
        &ALL_MODES
    }

    /// Whether the mode misbehaves at the HTTP/TCP level (the transport must turn it into an
    /// error) rather than in a well-framed response body (the SOAP layer must judge it).
    pub fn is_transport_level(self) -> bool {
        canned_answer(self).is_none() || self == HostileMode::RedirectOtherHost
    }

    pub fn name(self) -> &'static str {
        match self {
            HostileMode::NeverAnswer => "never-answer",
            HostileMode::Trickle => "trickle",
            HostileMode::CloseMidResponse => "close-mid-response",
            HostileMode::Reset => "reset",
            HostileMode::HugeBody => "huge-body",
            HostileMode::HugeBodyChunked => "huge-body-chunked",
            HostileMode::Doctype => "doctype",
            HostileMode::EntityBomb => "entity-bomb",
            HostileMode::ExternalEntity => "external-entity",
            HostileMode::NonXml => "non-xml",
            HostileMode::Html500 => "html-500",
            HostileMode::FaultWith200 => "fault-with-200",
            HostileMode::SuccessWith500 => "success-with-500",
            HostileMode::WrongContentType => "wrong-content-type",
            HostileMode::RedirectOtherHost => "redirect-other-host",
            HostileMode::DeepNesting => "deep-nesting",
            HostileMode::LongNames => "long-names",
            HostileMode::InvalidUtf8 => "invalid-utf8",
            HostileMode::PrefixRebinding => "prefix-rebinding",
            HostileMode::DuplicatePrefix => "duplicate-prefix",
        }
    }
}

impl fmt::Display for HostileMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown hostile mode '{given}'; known modes: {}", known_names())]
pub struct UnknownHostileMode {
    pub given: String,
}

fn known_names() -> String {
    let names: Vec<&str> = ALL_MODES.iter().map(|mode| mode.name()).collect();
    names.join(", ")
}

impl FromStr for HostileMode {
    type Err = UnknownHostileMode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ALL_MODES
            .iter()
            .copied()
            .find(|mode| mode.name() == text)
            .ok_or_else(|| UnknownHostileMode {
                given: text.to_owned(),
            })
    }
}

/// Serves `mode` on every connection accepted from `listener`, until the task is dropped.
pub async fn serve_hostile(listener: TcpListener, mode: HostileMode) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                tokio::spawn(misbehave(stream, mode));
            }
            // Out of descriptors or an aborted handshake: pause rather than spin, then go on.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const ONE_GIB: u64 = 1 << 30;
const STREAM_CHUNK: usize = 64 * 1024;
/// Requests larger than this are not read to the end; the answer does not depend on them.
const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Every write error below means the client went away, which ends this connection's job and
/// is exactly what several modes provoke; none of them is worth reporting.
async fn misbehave(mut stream: TcpStream, mode: HostileMode) {
    if read_request(&mut stream).await.is_err() {
        return;
    }
    let _client_gone = match mode {
        HostileMode::NeverAnswer => wait_until_closed(&mut stream).await,
        HostileMode::Trickle => trickle(&mut stream).await,
        HostileMode::CloseMidResponse => close_mid_response(&mut stream).await,
        HostileMode::Reset => stream.set_zero_linger(),
        HostileMode::HugeBody => huge_body(&mut stream, false).await,
        HostileMode::HugeBodyChunked => huge_body(&mut stream, true).await,
        canned => match canned_answer(canned) {
            Some(answer) => stream.write_all(&answer).await,
            None => Ok(()),
        },
    };
}

/// Reads the request head and as much of a `Content-Length` body as is sent, up to a bound.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut buffer = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 8 * 1024];
    let head_end = loop {
        if let Some(position) = find(&buffer, b"\r\n\r\n") {
            break position + 4;
        }
        if buffer.len() > MAX_REQUEST_BYTES {
            return Ok(());
        }
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let declared = content_length(&buffer[..head_end]).min(MAX_REQUEST_BYTES);
    let mut remaining = declared.saturating_sub(buffer.len() - head_end);
    while remaining > 0 {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        remaining = remaining.saturating_sub(read);
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

async fn wait_until_closed(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut sink = [0u8; 1024];
    while stream.read(&mut sink).await? > 0 {}
    Ok(())
}

async fn trickle(stream: &mut TcpStream) -> std::io::Result<()> {
    let answer = response("200 OK", "text/xml; charset=utf-8", &success_envelope());
    for byte in answer {
        stream.write_all(&[byte]).await?;
        stream.flush().await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}

async fn close_mid_response(stream: &mut TcpStream) -> std::io::Result<()> {
    let answer = response("200 OK", "text/xml; charset=utf-8", &success_envelope());
    let head_length = find(&answer, b"\r\n\r\n").map_or(0, |position| position + 4);
    let cut = head_length + (answer.len() - head_length) / 2;
    stream.write_all(&answer[..cut]).await?;
    stream.shutdown().await
}

/// Streams 1 GiB from one reused buffer, so the server's memory stays at one chunk too.
async fn huge_body(stream: &mut TcpStream, chunked: bool) -> std::io::Result<()> {
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {ONE_GIB}")
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let filler = vec![b' '; STREAM_CHUNK];
    let chunk_header = format!("{STREAM_CHUNK:x}\r\n");
    let mut sent = 0u64;
    while sent < ONE_GIB {
        if chunked {
            stream.write_all(chunk_header.as_bytes()).await?;
        }
        stream.write_all(&filler).await?;
        if chunked {
            stream.write_all(b"\r\n").await?;
        }
        sent += STREAM_CHUNK as u64;
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    Ok(())
}

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

fn envelope(prolog: &str, body_content: &str) -> Vec<u8> {
    envelope_bytes(prolog, body_content.as_bytes())
}

fn envelope_bytes(prolog: &str, body_content: &[u8]) -> Vec<u8> {
    let mut document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{prolog}<soapenv:Envelope xmlns:soapenv=\"{SOAP_ENVELOPE_NS}\"><soapenv:Body>"
    )
    .into_bytes();
    document.extend_from_slice(body_content);
    document.extend_from_slice(b"</soapenv:Body></soapenv:Envelope>");
    document
}

const SUCCESS_CONTENT: &str = "<Answer xmlns=\"urn:kontrakt:hostile\">ok</Answer>";

fn success_envelope() -> Vec<u8> {
    envelope("", SUCCESS_CONTENT)
}

/// The fixed answer of a mode that misbehaves in content only; `None` for the byte-level ones.
fn canned_answer(mode: HostileMode) -> Option<Vec<u8>> {
    const XML: &str = "text/xml; charset=utf-8";
    let answer = match mode {
        HostileMode::Doctype => response(
            "200 OK",
            XML,
            &envelope(
                "<!DOCTYPE soapenv:Envelope [<!ELEMENT Answer (#PCDATA)>]>\n",
                SUCCESS_CONTENT,
            ),
        ),
        HostileMode::EntityBomb => response("200 OK", XML, &entity_bomb()),
        HostileMode::ExternalEntity => response(
            "200 OK",
            XML,
            &envelope(
                "<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                "<Answer xmlns=\"urn:kontrakt:hostile\">&xxe;</Answer>",
            ),
        ),
        HostileMode::NonXml => response("200 OK", XML, b"this is not XML {\"at\": [all]}\n"),
        HostileMode::Html500 => response(
            "500 Internal Server Error",
            "text/html; charset=utf-8",
            b"<!DOCTYPE html><html><head><title>500</title></head><body><h1>Internal Server Error</h1></body></html>",
        ),
        HostileMode::FaultWith200 => response("200 OK", XML, &fault_envelope()),
        HostileMode::SuccessWith500 => {
            response("500 Internal Server Error", XML, &success_envelope())
        }
        HostileMode::WrongContentType => response("200 OK", "application/json", &success_envelope()),
        HostileMode::RedirectOtherHost => {
            b"HTTP/1.1 302 Found\r\nLocation: http://other.invalid/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec()
        }
        HostileMode::DeepNesting => response("200 OK", XML, &deep_nesting(100_000)),
        HostileMode::LongNames => response("200 OK", XML, &long_names(1 << 20)),
        HostileMode::InvalidUtf8 => response("200 OK", XML, &invalid_utf8()),
        HostileMode::PrefixRebinding => response(
            "200 OK",
            XML,
            &envelope(
                "",
                "<soapenv:Fault xmlns:soapenv=\"urn:kontrakt:not-soap\"><faultcode>soapenv:Server</faultcode><faultstring>not a SOAP fault: the prefix is rebound</faultstring></soapenv:Fault>",
            ),
        ),
        HostileMode::DuplicatePrefix => response(
            "200 OK",
            XML,
            &envelope(
                "",
                "<h:Answer xmlns:h=\"urn:kontrakt:hostile\" xmlns:h=\"urn:kontrakt:other\">ok</h:Answer>",
            ),
        ),
        HostileMode::NeverAnswer
        | HostileMode::Trickle
        | HostileMode::CloseMidResponse
        | HostileMode::Reset
        | HostileMode::HugeBody
        | HostileMode::HugeBodyChunked => return None,
    };
    Some(answer)
}

fn fault_envelope() -> Vec<u8> {
    envelope(
        "",
        "<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>hostile endpoint fault</faultstring></soapenv:Fault>",
    )
}

fn entity_bomb() -> Vec<u8> {
    let mut prolog = String::from("<!DOCTYPE soapenv:Envelope [\n<!ENTITY lol0 \"lol\">\n");
    for level in 1..=9 {
        let previous = format!("&lol{};", level - 1).repeat(10);
        prolog.push_str(&format!("<!ENTITY lol{level} \"{previous}\">\n"));
    }
    prolog.push_str("]>\n");
    envelope(
        &prolog,
        "<Answer xmlns=\"urn:kontrakt:hostile\">&lol9;</Answer>",
    )
}

fn deep_nesting(depth: usize) -> Vec<u8> {
    let content = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    envelope("", &content)
}

fn long_names(length: usize) -> Vec<u8> {
    let name = "n".repeat(length);
    let value = "v".repeat(length);
    envelope(
        "",
        &format!("<Answer xmlns=\"urn:kontrakt:hostile\" {name}=\"{value}\">ok</Answer>"),
    )
}

fn invalid_utf8() -> Vec<u8> {
    // A lone continuation byte, an overlong encoding and a byte never valid in UTF-8.
    envelope_bytes(
        "",
        b"<Answer xmlns=\"urn:kontrakt:hostile\">\x80\xC0\xAF\xFF</Answer>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_round_trips_through_its_name() {
        for &mode in HostileMode::all() {
            assert_eq!(mode.to_string().parse::<HostileMode>().unwrap(), mode);
        }
    }

    #[test]
    fn byte_level_modes_and_redirects_are_transport_level() {
        let transport: Vec<&str> = HostileMode::all()
            .iter()
            .filter(|mode| mode.is_transport_level())
            .map(|mode| mode.name())
            .collect();
        assert_eq!(
            transport,
            [
                "never-answer",
                "trickle",
                "close-mid-response",
                "reset",
                "huge-body",
                "huge-body-chunked",
                "redirect-other-host"
            ]
        );
    }

    #[test]
    fn unknown_mode_lists_the_known_ones() {
        let error = "slowloris".parse::<HostileMode>().unwrap_err();
        assert!(error.to_string().contains("never-answer"));
        assert!(error.to_string().contains("slowloris"));
    }

    #[test]
    fn entity_bomb_nests_nine_levels_of_ten() {
        let text = String::from_utf8(entity_bomb()).unwrap();
        assert!(text.contains("<!ENTITY lol9 \"&lol8;&lol8;&lol8;"));
        assert_eq!(text.matches("&lol8;").count(), 10);
    }

    #[test]
    fn deep_nesting_has_the_requested_depth() {
        let body = deep_nesting(100_000);
        assert!(find(&body, b"</a></soapenv:Body>").is_some());
        assert_eq!(
            String::from_utf8(body).unwrap().matches("<a>").count(),
            100_000
        );
    }

    #[test]
    fn invalid_utf8_body_is_not_utf8_but_otherwise_an_envelope() {
        let body = invalid_utf8();
        assert!(std::str::from_utf8(&body).is_err());
        assert!(find(&body, b"</soapenv:Envelope>").is_some());
        assert!(!body.contains(&0));
    }

    #[test]
    fn long_names_are_a_mebibyte_each() {
        let body = long_names(1 << 20);
        assert!(body.len() > 2 << 20);
    }

    #[test]
    fn content_length_is_read_case_insensitively() {
        assert_eq!(
            content_length(b"POST / HTTP/1.1\r\ncontent-LENGTH: 42\r\n\r\n"),
            42
        );
        assert_eq!(content_length(b"POST / HTTP/1.1\r\n\r\n"), 0);
    }
}
