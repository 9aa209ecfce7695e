//! SOAP 1.1 and 1.2 envelopes: building requests, reading answers (hardened roxmltree), and
//! faults as a typed value.

mod fault;
pub mod security;

pub use fault::{Fault, FaultDetailError, build_fault};

use roxmltree::{Document, Node};
use serde::{Deserialize, Serialize};

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoapVersion {
    #[serde(rename = "1.1")]
    V11,
    #[serde(rename = "1.2")]
    V12,
}

impl SoapVersion {
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11_NS,
            SoapVersion::V12 => SOAP12_NS,
        }
    }

    fn from_namespace(namespace: &str) -> Option<Self> {
        match namespace {
            SOAP11_NS => Some(SoapVersion::V11),
            SOAP12_NS => Some(SoapVersion::V12),
            _ => None,
        }
    }

    /// HTTP headers that carry the action: SOAP 1.1 uses `SOAPAction`, SOAP 1.2 the `action`
    /// parameter of the media type.
    pub fn http_headers(self, action: &str) -> Vec<(&'static str, String)> {
        match self {
            SoapVersion::V11 => vec![
                (
                    "content-type",
                    format!("{}; charset=utf-8", self.media_type()),
                ),
                ("soapaction", format!("\"{action}\"")),
            ],
            SoapVersion::V12 => vec![(
                "content-type",
                format!("{}; charset=utf-8; action=\"{action}\"", self.media_type()),
            )],
        }
    }

    /// The media type a message of this version must be labelled with.
    pub fn media_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml",
            SoapVersion::V12 => "application/soap+xml",
        }
    }

    /// The action a request carries in its HTTP headers (the inverse of [`Self::http_headers`]).
    pub fn action_from_headers(
        self,
        soap_action: Option<&str>,
        content_type: Option<&str>,
    ) -> Option<String> {
        let raw = match self {
            SoapVersion::V11 => soap_action?.to_owned(),
            SoapVersion::V12 => content_type?
                .split(';')
                .find_map(|p| p.trim().strip_prefix("action="))?
                .to_owned(),
        };
        Some(raw.trim().trim_matches('"').to_owned())
    }
}

impl std::fmt::Display for SoapVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SoapVersion::V11 => "SOAP 1.1",
            SoapVersion::V12 => "SOAP 1.2",
        })
    }
}

/// Why a document is not a usable SOAP envelope.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SoapError {
    #[error("root element is {found}, not a SOAP Envelope")]
    NotAnEnvelope { found: String },
    #[error("expected a {expected} envelope, got {found}")]
    WrongVersion {
        expected: SoapVersion,
        found: SoapVersion,
    },
    #[error("the envelope has no Body")]
    NoBody,
    #[error("the Body is empty")]
    EmptyBody,
    #[error("the Body has {0} element children; a document/literal message has exactly one")]
    SeveralBodyChildren(usize),
    #[error("malformed SOAP Fault: {0}")]
    BadFault(String),
}

/// A parsed envelope borrowing its document.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a, 'i> {
    pub version: SoapVersion,
    pub header: Option<Node<'a, 'i>>,
    /// The one element inside the Body: the payload or a Fault.
    pub body_child: Node<'a, 'i>,
}

impl<'a, 'i> Envelope<'a, 'i> {
    /// Reads the envelope structure of `doc`. Any SOAP version is accepted here; callers compare
    /// [`Envelope::version`] with what the contract says.
    pub fn read(doc: &'a Document<'i>) -> Result<Self, SoapError> {
        let root = doc.root_element();
        let version = root
            .tag_name()
            .namespace()
            .and_then(SoapVersion::from_namespace)
            .filter(|_| root.tag_name().name() == "Envelope")
            .ok_or_else(|| SoapError::NotAnEnvelope {
                found: clark_name(root),
            })?;
        let ns = version.namespace();
        let child = |name: &str| {
            root.children().find(|n| {
                n.is_element()
                    && n.tag_name().namespace() == Some(ns)
                    && n.tag_name().name() == name
            })
        };
        let body = child("Body").ok_or(SoapError::NoBody)?;
        let elements: Vec<Node> = body.children().filter(Node::is_element).collect();
        let body_child = match elements.as_slice() {
            [] => return Err(SoapError::EmptyBody),
            [one] => *one,
            many => return Err(SoapError::SeveralBodyChildren(many.len())),
        };
        Ok(Envelope {
            version,
            header: child("Header"),
            body_child,
        })
    }

    /// The fault in the Body, if the Body holds one.
    pub fn fault(&self) -> Option<Result<Fault, SoapError>> {
        let name = self.body_child.tag_name();
        (name.namespace() == Some(self.version.namespace()) && name.name() == "Fault")
            .then(|| Fault::read(self.body_child, self.version))
    }
}

/// `{namespace}local`, the unambiguous way to name an element in a message.
pub fn clark_name(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("{{{ns}}}{}", node.tag_name().name()),
        None => node.tag_name().name().to_owned(),
    }
}

/// Wraps a payload (an XML element, without XML declaration) and optional header blocks into an
/// envelope. The payload and header blocks are trusted fragments produced by the harness.
pub fn build_envelope(version: SoapVersion, header_blocks: &[String], payload: &str) -> String {
    // Written out directly rather than through an XML writer: every piece is markup already
    // (the blocks and the payload are inserted verbatim, the namespace is a constant that needs
    // no escaping), and this runs once per request sent.
    const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    let blocks_len: usize = header_blocks.iter().map(String::len).sum();
    let mut out = String::with_capacity(DECLARATION.len() + 128 + blocks_len + payload.len());
    out.push_str(DECLARATION);
    out.push_str("<soap:Envelope xmlns:soap=\"");
    out.push_str(version.namespace());
    out.push_str("\">");
    if !header_blocks.is_empty() {
        out.push_str("<soap:Header>");
        for block in header_blocks {
            out.push_str(block);
        }
        out.push_str("</soap:Header>");
    }
    out.push_str("<soap:Body>");
    out.push_str(payload);
    out.push_str("</soap:Body></soap:Envelope>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_envelope_reads_back_for_both_versions() {
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let text = build_envelope(
                version,
                &["<h:RequestHeader xmlns:h=\"urn:h\"/>".to_owned()],
                "<p:Ping xmlns:p=\"urn:p\">æøå</p:Ping>",
            );
            let doc = crate::xml::parse(&text).unwrap();
            let envelope = Envelope::read(&doc).unwrap();
            assert_eq!(envelope.version, version);
            assert_eq!(clark_name(envelope.body_child), "{urn:p}Ping");
            assert_eq!(envelope.body_child.text(), Some("æøå"));
            assert!(envelope.header.is_some());
            assert!(envelope.fault().is_none());
        }
    }

    #[test]
    fn rejects_what_is_not_an_envelope() {
        let read = |xml: &str| {
            let doc = crate::xml::parse(xml).unwrap();
            Envelope::read(&doc).map(|e| clark_name(e.body_child))
        };
        assert_eq!(
            read("<Envelope/>"),
            Err(SoapError::NotAnEnvelope {
                found: "Envelope".into()
            })
        );
        let ns = SOAP11_NS;
        assert_eq!(
            read(&format!("<s:Envelope xmlns:s=\"{ns}\"/>")),
            Err(SoapError::NoBody)
        );
        assert_eq!(
            read(&format!(
                "<s:Envelope xmlns:s=\"{ns}\"><s:Body/></s:Envelope>"
            )),
            Err(SoapError::EmptyBody)
        );
        assert_eq!(
            read(&format!(
                "<s:Envelope xmlns:s=\"{ns}\"><s:Body><a/><b/></s:Body></s:Envelope>"
            )),
            Err(SoapError::SeveralBodyChildren(2))
        );
    }

    #[test]
    fn action_round_trips_through_http_headers() {
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let headers = version.http_headers("urn:act/Op");
            let get = |name: &str| {
                headers
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(
                version
                    .action_from_headers(get("soapaction"), get("content-type"))
                    .as_deref(),
                Some("urn:act/Op")
            );
        }
    }
}
