//! Turning whatever went wrong on the wire into one precise, user-facing [`TransportError`].
//!
//! Classification walks the `source()` chain and downcasts to rustls, hyper and io errors; no
//! error text is matched.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use rustls::{AlertDescription, CertificateError};

/// Why an exchange with the endpoint could not be completed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("request header {name} has a value that cannot be sent over HTTP")]
    InvalidHeader { name: String },
    #[error(
        "connection refused by {address}: is the endpoint running, and is the port in the URL right?"
    )]
    ConnectionRefused { address: String },
    #[error(
        "could not connect to {address} within {timeout:?} (connect timeout): is the host reachable? Raise --connect-timeout if it is just slow"
    )]
    ConnectTimeout { address: String, timeout: Duration },
    #[error(
        "{address} sent nothing for {timeout:?} (read timeout): the endpoint stopped answering. Raise --read-timeout if it is just slow"
    )]
    ReadTimeout { address: String, timeout: Duration },
    #[error(
        "the exchange with {address} did not finish within {timeout:?} (total timeout). Raise --timeout if the endpoint is just slow"
    )]
    TotalTimeout { address: String, timeout: Duration },
    #[error("{address} closed the connection before sending a complete response head")]
    ClosedBeforeResponse { address: String },
    #[error("{address} closed the connection mid-response, after {received} body bytes")]
    ClosedMidResponse { address: String, received: u64 },
    #[error("the connection to {address} was reset by the peer")]
    ConnectionReset { address: String },
    #[error(
        "the response from {address} is larger than the cap of {limit} bytes{}: kontrakt stopped reading it. Raise --max-response-bytes if such answers are legitimate",
        declared.map(|length| format!(" (it declares {length} bytes)")).unwrap_or_default()
    )]
    ResponseTooLarge {
        address: String,
        limit: u64,
        declared: Option<u64>,
    },
    #[error(
        "redirect to {target} not followed (HTTP {status}, Location: {location}): kontrakt never follows redirects; point the endpoint URL at the final address if that is intended"
    )]
    RedirectNotFollowed {
        status: u16,
        location: String,
        target: String,
    },
    #[error(
        "the server certificate of {address} is not trusted (unknown CA): pass --ca <bundle.pem> with the CA that issued it"
    )]
    ServerCertificateUntrusted { address: String },
    #[error(
        "the server certificate of {address} is outside its validity period ({detail}): the endpoint must renew it, or check this machine's clock"
    )]
    ServerCertificateExpired { address: String, detail: String },
    #[error(
        "the server certificate is not valid for the host name {host}{}: use the host name the certificate was issued for",
        if presented.is_empty() { String::new() } else { format!(" (it names {})", presented.join(", ")) }
    )]
    ServerCertificateWrongHost {
        host: String,
        presented: Vec<String>,
    },
    #[error("the server certificate of {address} was rejected: {detail}")]
    ServerCertificateInvalid { address: String, detail: String },
    #[error(
        "{address} requires a client certificate: pass --client-cert and --client-key, or --client-p12"
    )]
    ClientCertificateRequired { address: String },
    #[error(
        "{address} rejected our client certificate ({reason}): check --client-cert / --client-p12 (issued by the CA the endpoint trusts, and still valid?)"
    )]
    ClientCertificateRejected { address: String, reason: String },
    #[error("the TLS handshake with {address} failed: {detail}")]
    TlsHandshake { address: String, detail: String },
    #[error("the HTTP exchange with {address} failed: {detail}")]
    Other { address: String, detail: String },
}

/// What the client was doing when the error struck; the same io error means different things
/// before and after the response head arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    AwaitingResponse,
    ReadingBody { received: u64 },
}

/// The connect timeout struck before the TCP connection and, for `https`, the TLS handshake were
/// complete. Raised by the client's connector, found again in the error it comes back in.
#[derive(Debug, thiserror::Error)]
#[error("connect timeout")]
pub(crate) struct ConnectTimedOut;

/// The facts about the request that error messages need.
pub(crate) struct Attempt<'a> {
    pub address: &'a str,
    pub host: &'a str,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub sent_client_certificate: bool,
}

impl Attempt<'_> {
    /// Nothing arrived for the read timeout, while waiting for the response head or a body chunk.
    pub(crate) fn read_timed_out(&self) -> TransportError {
        TransportError::ReadTimeout {
            address: self.address.to_owned(),
            timeout: self.read_timeout,
        }
    }

    /// Whether the connection was reset or closed before a response head arrived.
    pub(crate) fn closed_before_answering(&self, error: &(dyn StdError + 'static)) -> bool {
        matches!(
            self.classify(error, Phase::AwaitingResponse),
            TransportError::ConnectionReset { .. } | TransportError::ClosedBeforeResponse { .. }
        )
    }

    pub(crate) fn classify(
        &self,
        error: &(dyn StdError + 'static),
        phase: Phase,
    ) -> TransportError {
        let address = self.address.to_owned();
        let chain = causes(error);
        if let Some(tls) = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
            return self.classify_tls(tls);
        }
        if chain.iter().any(|e| e.is::<ConnectTimedOut>()) {
            return TransportError::ConnectTimeout {
                address,
                timeout: self.connect_timeout,
            };
        }
        let io_kind = chain
            .iter()
            .find_map(|e| e.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => {
                return TransportError::ConnectionRefused { address };
            }
            Some(io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted) => {
                return TransportError::ConnectionReset { address };
            }
            _ => {}
        }
        let connection_closed = io_kind == Some(io::ErrorKind::UnexpectedEof)
            || chain
                .iter()
                .filter_map(|e| e.downcast_ref::<hyper::Error>())
                .any(hyper::Error::is_incomplete_message);
        match (connection_closed, phase) {
            (true, Phase::AwaitingResponse) => TransportError::ClosedBeforeResponse { address },
            (true, Phase::ReadingBody { received }) => {
                TransportError::ClosedMidResponse { address, received }
            }
            (false, _) => TransportError::Other {
                address,
                detail: render_chain(&chain),
            },
        }
    }

    fn classify_tls(&self, error: &rustls::Error) -> TransportError {
        let address = self.address.to_owned();
        match error {
            rustls::Error::InvalidCertificate(certificate) => {
                self.classify_server_certificate(certificate)
            }
            rustls::Error::AlertReceived(alert) => match (alert, self.sent_client_certificate) {
                (AlertDescription::CertificateRequired, _)
                | (
                    AlertDescription::HandshakeFailure
                    | AlertDescription::BadCertificate
                    | AlertDescription::CertificateUnknown,
                    false,
                ) => TransportError::ClientCertificateRequired { address },
                (
                    AlertDescription::BadCertificate
                    | AlertDescription::UnsupportedCertificate
                    | AlertDescription::CertificateRevoked
                    | AlertDescription::CertificateExpired
                    | AlertDescription::CertificateUnknown
                    | AlertDescription::UnknownCA
                    | AlertDescription::AccessDenied,
                    true,
                ) => TransportError::ClientCertificateRejected {
                    address,
                    reason: describe_rejection(*alert).to_owned(),
                },
                (other, _) => TransportError::TlsHandshake {
                    address,
                    detail: format!("the server sent the TLS alert {other:?}"),
                },
            },
            other => TransportError::TlsHandshake {
                address,
                detail: other.to_string(),
            },
        }
    }

    fn classify_server_certificate(&self, error: &CertificateError) -> TransportError {
        let address = self.address.to_owned();
        match error {
            CertificateError::UnknownIssuer => {
                TransportError::ServerCertificateUntrusted { address }
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => {
                TransportError::ServerCertificateExpired {
                    address,
                    detail: error.to_string(),
                }
            }
            CertificateError::NotValidForName => TransportError::ServerCertificateWrongHost {
                host: self.host.to_owned(),
                presented: Vec::new(),
            },
            CertificateError::NotValidForNameContext { presented, .. } => {
                TransportError::ServerCertificateWrongHost {
                    host: self.host.to_owned(),
                    presented: presented.iter().map(|name| readable_name(name)).collect(),
                }
            }
            other => TransportError::ServerCertificateInvalid {
                address,
                detail: other.to_string(),
            },
        }
    }
}

/// rustls reports presented names in its Debug form (`DnsName("a.example")`); users want the name.
fn readable_name(presented: &str) -> String {
    let inner = presented
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(presented);
    inner.trim_matches('"').to_owned()
}

fn describe_rejection(alert: AlertDescription) -> &'static str {
    match alert {
        AlertDescription::CertificateExpired => "certificate expired",
        AlertDescription::UnknownCA => "issued by a CA the server does not trust (unknown CA)",
        AlertDescription::CertificateRevoked => "certificate revoked",
        AlertDescription::UnsupportedCertificate => "certificate type not supported",
        AlertDescription::AccessDenied => "access denied for this certificate",
        _ => "bad certificate",
    }
}

/// The error and its causes, outermost first. `io::Error::source` skips the error it wraps, so
/// that wrapped error is visited explicitly: it is where rustls puts its own error.
fn causes<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        chain.push(current);
        next = match current
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
        {
            Some(wrapped) => Some(wrapped as &(dyn StdError + 'static)),
            None => current.source(),
        };
    }
    chain
}

fn render_chain(chain: &[&(dyn StdError + 'static)]) -> String {
    let mut rendered: Vec<String> = Vec::with_capacity(chain.len());
    for cause in chain {
        let text = cause.to_string();
        // Wrappers often repeat their cause's text verbatim; say it once.
        if rendered.last() != Some(&text) {
            rendered.push(text);
        }
    }
    rendered.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn chain_visits_the_error_inside_an_io_error() {
        let tls = rustls::Error::AlertReceived(AlertDescription::UnknownCA);
        let outer = Outer(io::Error::new(io::ErrorKind::InvalidData, tls));
        let chain = causes(&outer);
        assert!(
            chain
                .iter()
                .any(|e| e.downcast_ref::<rustls::Error>().is_some())
        );
    }

    #[test]
    fn presented_names_lose_their_debug_wrapping() {
        assert_eq!(readable_name("DnsName(\"wrong.example\")"), "wrong.example");
        assert_eq!(readable_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(readable_name("plain.example"), "plain.example");
    }

    #[test]
    fn repeated_texts_are_rendered_once() {
        let outer = Outer(io::Error::other("outer"));
        assert_eq!(render_chain(&causes(&outer)), "outer");
    }

    fn attempt(sent_client_certificate: bool) -> Attempt<'static> {
        Attempt {
            address: "127.0.0.1:8443",
            host: "127.0.0.1",
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(1),
            sent_client_certificate,
        }
    }

    #[test]
    fn missing_client_certificate_is_told_apart_from_a_rejected_one() {
        let alert = rustls::Error::AlertReceived(AlertDescription::BadCertificate);
        assert!(matches!(
            attempt(false).classify_tls(&alert),
            TransportError::ClientCertificateRequired { .. }
        ));
        assert!(matches!(
            attempt(true).classify_tls(&alert),
            TransportError::ClientCertificateRejected { .. }
        ));
    }
}
