//! SOAP faults, including Serviceplatformen's `ServiceplatformFault` detail.

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use roxmltree::Node;
use serde::Serialize;

use super::{SoapError, SoapVersion, build_envelope};

/// One `Error{ErrorCode, ErrorText}` of a ServiceplatformFault (or any detail shaped like it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultDetailError {
    pub code: String,
    pub text: String,
}

/// A SOAP fault, whatever the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// `faultcode` (1.1) or `Code/Value` (1.2), as written.
    pub code: String,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub reason: String,
    /// Errors listed in the detail (`ErrorList/Error`).
    pub errors: Vec<FaultDetailError>,
}

impl Fault {
    pub(super) fn read(fault: Node, version: SoapVersion) -> Result<Fault, SoapError> {
        let ns = version.namespace();
        let child = |parent, name, namespaced| child_element(parent, ns, name, namespaced);
        let text = |node: Option<Node>| node.and_then(|n| n.text()).map(|t| t.trim().to_owned());
        // SOAP 1.1 fault children are unqualified; SOAP 1.2 ones are in the envelope namespace.
        let (code, reason, detail) = match version {
            SoapVersion::V11 => (
                text(child(fault, "faultcode", false)),
                text(child(fault, "faultstring", false)),
                child(fault, "detail", false),
            ),
            SoapVersion::V12 => (
                text(child(fault, "Code", true).and_then(|c| child(c, "Value", true))),
                text(child(fault, "Reason", true).and_then(|r| child(r, "Text", true))),
                child(fault, "Detail", true),
            ),
        };
        let code = code.ok_or_else(|| SoapError::BadFault("no fault code".into()))?;
        let reason = reason.ok_or_else(|| SoapError::BadFault("no fault reason".into()))?;
        let errors = detail
            .map(|d| {
                d.descendants()
                    .filter(|n| n.is_element() && n.tag_name().name() == "Error")
                    .map(|e| {
                        let field = |name: &str| {
                            e.children()
                                .find(|n| n.is_element() && n.tag_name().name() == name)
                                .and_then(|n| n.text())
                                .unwrap_or_default()
                                .trim()
                                .to_owned()
                        };
                        FaultDetailError {
                            code: field("ErrorCode"),
                            text: field("ErrorText"),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Fault {
            code,
            reason,
            errors,
        })
    }
}

fn child_element<'a, 'i>(
    parent: Node<'a, 'i>,
    soap_ns: &str,
    name: &str,
    namespaced: bool,
) -> Option<Node<'a, 'i>> {
    parent.children().find(|n| {
        n.is_element()
            && n.tag_name().name() == name
            && (n.tag_name().namespace() == Some(soap_ns)) == namespaced
    })
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.reason)?;
        for error in &self.errors {
            write!(f, " [{} {}]", error.code, error.text)?;
        }
        Ok(())
    }
}

/// Namespace of Serviceplatformen's fault detail.
pub const SERVICEPLATFORM_FAULT_NS: &str =
    "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";

/// A complete fault envelope with a ServiceplatformFault detail, as Serviceplatformen answers.
/// `client` selects the sender-side code (the request was wrong) over the receiver-side one.
pub fn build_fault(version: SoapVersion, client: bool, errors: &[FaultDetailError]) -> String {
    let reason = errors
        .first()
        .map(|e| e.text.as_str())
        .unwrap_or("Fejl i behandlingen");
    let mut writer = Writer::new(Vec::new());
    let start = |w: &mut Writer<Vec<u8>>, name: &str| {
        let _ = w.write_event(Event::Start(BytesStart::new(name)));
    };
    let end = |w: &mut Writer<Vec<u8>>, name: &str| {
        let _ = w.write_event(Event::End(BytesEnd::new(name)));
    };
    let leaf = |w: &mut Writer<Vec<u8>>, name: &str, text: &str| {
        let _ = w.write_event(Event::Start(BytesStart::new(name)));
        let _ = w.write_event(Event::Text(BytesText::new(text)));
        let _ = w.write_event(Event::End(BytesEnd::new(name)));
    };
    start(&mut writer, "soap:Fault");
    let detail_name = match version {
        SoapVersion::V11 => {
            leaf(
                &mut writer,
                "faultcode",
                if client { "soap:Client" } else { "soap:Server" },
            );
            leaf(&mut writer, "faultstring", reason);
            "detail"
        }
        SoapVersion::V12 => {
            start(&mut writer, "soap:Code");
            leaf(
                &mut writer,
                "soap:Value",
                if client {
                    "soap:Sender"
                } else {
                    "soap:Receiver"
                },
            );
            end(&mut writer, "soap:Code");
            start(&mut writer, "soap:Reason");
            let mut text = BytesStart::new("soap:Text");
            text.push_attribute(("xml:lang", "da"));
            let _ = writer.write_event(Event::Start(text));
            let _ = writer.write_event(Event::Text(BytesText::new(reason)));
            end(&mut writer, "soap:Text");
            end(&mut writer, "soap:Reason");
            "soap:Detail"
        }
    };
    start(&mut writer, detail_name);
    let mut sp = BytesStart::new("sp:ServiceplatformFault");
    sp.push_attribute(("xmlns:sp", SERVICEPLATFORM_FAULT_NS));
    let _ = writer.write_event(Event::Start(sp));
    start(&mut writer, "sp:ErrorList");
    for error in errors {
        start(&mut writer, "sp:Error");
        leaf(&mut writer, "sp:ErrorCode", &error.code);
        leaf(&mut writer, "sp:ErrorText", &error.text);
        end(&mut writer, "sp:Error");
    }
    end(&mut writer, "sp:ErrorList");
    end(&mut writer, "sp:ServiceplatformFault");
    end(&mut writer, detail_name);
    end(&mut writer, "soap:Fault");
    build_envelope(version, &[], &String::from_utf8_lossy(&writer.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::Envelope;

    #[test]
    fn built_faults_read_back_typed() {
        let errors = vec![FaultDetailError {
            code: "KH-001".into(),
            text: "Status ansøgt må ikke sendes".into(),
        }];
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let text = build_fault(version, true, &errors);
            let doc = crate::xml::parse(&text).unwrap();
            let fault = Envelope::read(&doc).unwrap().fault().unwrap().unwrap();
            assert!(fault.code.ends_with(if version == SoapVersion::V11 {
                "Client"
            } else {
                "Sender"
            }));
            assert_eq!(fault.reason, "Status ansøgt må ikke sendes");
            assert_eq!(fault.errors, errors);
        }
    }

    #[test]
    fn fault_without_code_is_malformed() {
        let text = format!(
            "<s:Envelope xmlns:s=\"{}\"><s:Body><s:Fault><faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>",
            crate::soap::SOAP11_NS
        );
        let doc = crate::xml::parse(&text).unwrap();
        assert!(matches!(
            Envelope::read(&doc).unwrap().fault(),
            Some(Err(SoapError::BadFault(_)))
        ));
    }
}
