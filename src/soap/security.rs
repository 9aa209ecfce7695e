//! Serviceplatformen's identification and security blocks, as the genuine files show them
//! (domain.md, contracts-upstream/serviceplatformen-common):
//!
//! - The contexts travel in the Body as the first children of the request element, in the order
//!   `CallContext?`, `AuthorityContext?`, `InvocationContext?`.
//! - The token model puts a SAML 2.0 assertion in a `wsse:Security` SOAP header next to the
//!   WS-Addressing headers (`examples/service_template.xml`).
//! - KOMBIT pass-through wrappers carry a `RequestHeader` SOAP header with a `TransactionUUID`.
//!
//! The assertion is a bearer secret: it is never kept in a `Debug`/`Display` form, and every
//! envelope built here comes with a display copy in which the assertion is replaced by
//! [`REDACTED_ASSERTION`].

use std::borrow::Cow;
use std::cell::LazyCell;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset};
use roxmltree::Node;
use serde::{Deserialize, Serialize};

use crate::domain::cvr::Cvr;

use super::SoapVersion;

pub const AUTHORITY_CONTEXT_NS: &str =
    "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
pub const INVOCATION_CONTEXT_NS: &str =
    "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/";
pub const CALL_CONTEXT_NS: &str = "http://serviceplatformen.dk/xml/schemas/CallContext/1/";
pub const KOMBIT_REQUEST_HEADER_NS: &str = "http://kombit.dk/xml/schemas/RequestHeader/1/";
pub const SAML2_ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const WSA_NS: &str = "http://www.w3.org/2005/08/addressing";
const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// What stands in the display copy of an envelope where the SAML assertion was sent.
pub const REDACTED_ASSERTION: &str = "[saml-assertion redacted]";

/// How long the `wsu:Timestamp` of a request says it is valid.
const TIMESTAMP_VALIDITY_MINUTES: i64 = 5;

/// A security model a contract declares in `[service] security`: what the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityModel {
    /// Certificate + `AuthorityContext` (the authority's CVR) in the request element.
    AuthorityContext,
    /// `InvocationContext` (service agreement, user system, user, service UUIDs) in the request
    /// element; sent when configured.
    InvocationContext,
    /// SAML token in a `wsse:Security` header; sent when a token file is configured.
    Saml,
}

impl SecurityModel {
    /// The name used in contract.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityModel::AuthorityContext => "authority-context",
            SecurityModel::InvocationContext => "invocation-context",
            SecurityModel::Saml => "saml",
        }
    }
}

/// A SOAP header block a contract asks for in `[service] headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderBlock {
    /// KOMBIT `RequestHeader` with a fresh `TransactionUUID` per call.
    KombitRequestHeader,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SecurityError {
    #[error("authority CVR `{value}` is not usable in AuthorityContext: {reason}")]
    BadAuthorityCvr { value: String, reason: String },
    #[error(
        "invocation context: {field} `{value}` is not a lower-case UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, digits and a-f)"
    )]
    NotLowerCaseUuid { field: &'static str, value: String },
    #[error("invocation context: {field} is longer than 255 characters")]
    TooLong { field: &'static str },
    #[error("invocation context is incomplete: {field} is missing")]
    MissingInvocationValue { field: &'static str },
    #[error("cannot read the SAML token {}: {reason}", path.display())]
    UnreadableToken { path: PathBuf, reason: String },
    #[error("{}: not a SAML token: {reason}", path.display())]
    NotAnAssertion { path: PathBuf, reason: String },
    #[error(
        "contract {contract} accepts only the SAML token model ({models}); configure a SAML token file (--saml-token or saml_token in kontrakt.toml)"
    )]
    MissingSamlToken { contract: String, models: String },
    #[error("the request element <{0}> is empty; contexts go before its payload")]
    EmptyRequest(String),
}

/// `AuthorityContext`: the authority (municipality) the call is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityContext {
    cvr: Cvr,
}

impl AuthorityContext {
    pub fn new(cvr: &str) -> Result<AuthorityContext, SecurityError> {
        cvr.parse().map(|cvr| AuthorityContext { cvr }).map_err(
            |e: crate::domain::cvr::CvrError| SecurityError::BadAuthorityCvr {
                value: cvr.to_owned(),
                reason: e.to_string(),
            },
        )
    }

    pub fn cvr(&self) -> String {
        self.cvr.to_string()
    }

    fn element(&self) -> String {
        format!(
            "<authctx:AuthorityContext xmlns:authctx=\"{AUTHORITY_CONTEXT_NS}\"><authctx:MunicipalityCVR>{}</authctx:MunicipalityCVR></authctx:AuthorityContext>",
            self.cvr
        )
    }
}

/// The values of an `InvocationContext` as configured; [`InvocationContextValues::validate`]
/// turns them into an [`InvocationContext`] or names the first missing or malformed value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvocationContextValues {
    pub service_agreement_uuid: Option<String>,
    pub user_system_uuid: Option<String>,
    pub user_uuid: Option<String>,
    pub service_uuid: Option<String>,
    pub on_behalf_of_user: Option<String>,
    pub accounting_info: Option<String>,
}

impl InvocationContextValues {
    /// `None` when nothing at all is configured (the context is then not sent).
    pub fn validate(&self) -> Result<Option<InvocationContext>, SecurityError> {
        if *self == InvocationContextValues::default() {
            return Ok(None);
        }
        let uuid = |field: &'static str, value: &Option<String>| {
            let value = value
                .as_deref()
                .ok_or(SecurityError::MissingInvocationValue { field })?;
            if is_lower_case_uuid(value) {
                Ok(value.to_owned())
            } else {
                Err(SecurityError::NotLowerCaseUuid {
                    field,
                    value: value.to_owned(),
                })
            }
        };
        let text = |field: &'static str, value: &Option<String>| match value {
            Some(text) if text.chars().count() > 255 => Err(SecurityError::TooLong { field }),
            other => Ok(other.clone()),
        };
        Ok(Some(InvocationContext {
            service_agreement_uuid: uuid("service_agreement_uuid", &self.service_agreement_uuid)?,
            user_system_uuid: uuid("user_system_uuid", &self.user_system_uuid)?,
            user_uuid: uuid("user_uuid", &self.user_uuid)?,
            service_uuid: uuid("service_uuid", &self.service_uuid)?,
            on_behalf_of_user: text("on_behalf_of_user", &self.on_behalf_of_user)?,
            accounting_info: text("accounting_info", &self.accounting_info)?,
        }))
    }
}

/// A complete, validated `InvocationContext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationContext {
    service_agreement_uuid: String,
    user_system_uuid: String,
    user_uuid: String,
    service_uuid: String,
    on_behalf_of_user: Option<String>,
    accounting_info: Option<String>,
}

impl InvocationContext {
    /// One line for `config check`: the UUIDs are identifiers, not secrets.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "service agreement {}, user system {}, user {}, service {}",
            self.service_agreement_uuid, self.user_system_uuid, self.user_uuid, self.service_uuid
        );
        if let Some(user) = &self.on_behalf_of_user {
            text.push_str(&format!(", on behalf of {user}"));
        }
        if let Some(info) = &self.accounting_info {
            text.push_str(&format!(", accounting info {info}"));
        }
        text
    }

    fn element(&self) -> String {
        let mut out =
            format!("<invctx:InvocationContext xmlns:invctx=\"{INVOCATION_CONTEXT_NS}\">");
        let mut child = |name: &str, value: &str| {
            out.push_str(&format!(
                "<invctx:{name}>{}</invctx:{name}>",
                escape_text(value)
            ));
        };
        child("ServiceAgreementUUID", &self.service_agreement_uuid);
        child("UserSystemUUID", &self.user_system_uuid);
        child("UserUUID", &self.user_uuid);
        if let Some(user) = &self.on_behalf_of_user {
            child("OnBehalfOfUser", user);
        }
        child("ServiceUUID", &self.service_uuid);
        if let Some(info) = &self.accounting_info {
            child("AccountingInfo", info);
        }
        out.push_str("</invctx:InvocationContext>");
        out
    }
}

fn is_lower_case_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length
                && group
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn escape_text(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A SAML 2.0 assertion read from a file (issued by the STS), sent verbatim. Its text is only
/// reachable through [`SamlToken::assertion`]; `Debug` shows the file.
#[derive(Clone)]
pub struct SamlToken {
    assertion: String,
    path: PathBuf,
}

impl SamlToken {
    /// Reads `path` and checks that it holds one `saml:Assertion` element (an XML declaration
    /// before it is dropped). Errors never quote the file's content.
    pub fn load(path: &Path) -> Result<SamlToken, SecurityError> {
        let text = std::fs::read_to_string(path).map_err(|e| SecurityError::UnreadableToken {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let not_assertion = |reason: String| SecurityError::NotAnAssertion {
            path: path.to_owned(),
            reason,
        };
        let doc = crate::xml::parse(&text)
            .map_err(|_| not_assertion("the file is not well-formed XML".into()))?;
        let root = doc.root_element();
        if root.tag_name().name() != "Assertion"
            || root.tag_name().namespace() != Some(SAML2_ASSERTION_NS)
        {
            return Err(not_assertion(format!(
                "the root element is {}, not {{{SAML2_ASSERTION_NS}}}Assertion",
                super::clark_name(root)
            )));
        }
        let assertion = text[root.range()].to_owned();
        Ok(SamlToken {
            assertion,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The assertion's text, for the request that is sent and nothing else.
    pub fn assertion(&self) -> &str {
        &self.assertion
    }
}

impl fmt::Debug for SamlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SamlToken({}, ********)", self.path.display())
    }
}

/// Who the harness says it is calling as: the configured identification blocks.
#[derive(Debug, Clone)]
pub struct CallerIdentity {
    pub authority: AuthorityContext,
    pub invocation: Option<InvocationContext>,
    pub saml: Option<SamlToken>,
}

/// What varies per call in the blocks.
pub struct CallDetails<'a> {
    pub action: &'a str,
    /// The service URL, for `wsa:To`.
    pub to: &'a str,
    /// Made only for the header blocks that carry its values: most services need none, and
    /// fresh identifiers and a zoned clock reading cost more than the rest of the envelope.
    pub stamp: &'a (dyn Fn() -> CallStamp + Sync),
}

/// The identifiers and time of one call.
#[derive(Debug, Clone)]
pub struct CallStamp {
    pub message_id: String,
    pub transaction_id: String,
    pub now: DateTime<FixedOffset>,
}

/// An envelope as sent, and the copy that may be shown, logged or stored (assertion redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct SecuredEnvelope {
    pub sent: String,
    /// Set only when `sent` carries an assertion: without one the envelope is shown as sent,
    /// and a call need not pay for a second copy.
    redacted: Option<String>,
}

impl SecuredEnvelope {
    /// The envelope as it may be shown, logged or stored.
    pub fn display(&self) -> &str {
        self.redacted.as_deref().unwrap_or(&self.sent)
    }
}

impl fmt::Debug for SecuredEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecuredEnvelope")
            .field(&self.display())
            .finish()
    }
}

impl CallerIdentity {
    pub fn new(authority: AuthorityContext) -> CallerIdentity {
        CallerIdentity {
            authority,
            invocation: None,
            saml: None,
        }
    }

    /// Fails when a contract can only be called in a way this identity is not configured for,
    /// so the run stops before any request is sent.
    pub fn check_usable_for(
        &self,
        contract: &str,
        models: &[SecurityModel],
    ) -> Result<(), SecurityError> {
        let token_only = models.contains(&SecurityModel::Saml)
            && !models.contains(&SecurityModel::AuthorityContext);
        if token_only && self.saml.is_none() {
            return Err(SecurityError::MissingSamlToken {
                contract: contract.to_owned(),
                models: models
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(())
    }

    /// Puts the contexts the contract accepts into `request` (the request element, parsed by the
    /// caller, which checks it anyway; its document's text is what is sent) and wraps it in an
    /// envelope with the header blocks the contract asks for.
    pub fn secure(
        &self,
        version: SoapVersion,
        models: &[SecurityModel],
        headers: &[HeaderBlock],
        request: Node,
        call: &CallDetails,
    ) -> Result<SecuredEnvelope, SecurityError> {
        // Built only when the request lacks the context: most golden requests carry it.
        let mut contexts: Vec<(&str, &str, &dyn Fn() -> String)> = Vec::new();
        let authority = || self.authority.element();
        if models.contains(&SecurityModel::AuthorityContext) {
            contexts.push((AUTHORITY_CONTEXT_NS, "AuthorityContext", &authority));
        }
        let invocation = self.invocation.as_ref().map(|i| move || i.element());
        if let (true, Some(invocation)) = (
            models.contains(&SecurityModel::InvocationContext),
            &invocation,
        ) {
            contexts.push((INVOCATION_CONTEXT_NS, "InvocationContext", invocation));
        }
        let payload = insert_contexts(request, &contexts)?;
        let stamp = LazyCell::new(|| (call.stamp)());
        let mut blocks = Vec::new();
        if headers.contains(&HeaderBlock::KombitRequestHeader) {
            blocks.push(format!(
                "<kombit:RequestHeader xmlns:kombit=\"{KOMBIT_REQUEST_HEADER_NS}\"><kombit:TransactionUUID>{}</kombit:TransactionUUID></kombit:RequestHeader>",
                stamp.transaction_id
            ));
        }
        let token = self
            .saml
            .as_ref()
            .filter(|_| models.contains(&SecurityModel::Saml));
        let Some(token) = token else {
            return Ok(SecuredEnvelope {
                sent: super::build_envelope(version, &blocks, &payload),
                redacted: None,
            });
        };
        blocks.extend(addressing_headers(call, &stamp));
        let security = |content: &str| wsse_security(stamp.now, content);
        let mut sent_blocks = blocks.clone();
        sent_blocks.push(security(token.assertion()));
        blocks.push(security(REDACTED_ASSERTION));
        Ok(SecuredEnvelope {
            sent: super::build_envelope(version, &sent_blocks, &payload),
            redacted: Some(super::build_envelope(version, &blocks, &payload)),
        })
    }
}

/// WS-Addressing headers as in service_template.xml, each with a `wsu:Id` a signature could
/// refer to.
fn addressing_headers(call: &CallDetails, stamp: &CallStamp) -> Vec<String> {
    let header = |name: &str, id: u8, content: &str| {
        format!(
            "<{name} xmlns=\"{WSA_NS}\" xmlns:wsu=\"{WSU_NS}\" wsu:Id=\"_wsa-{id}\">{content}</{name}>"
        )
    };
    vec![
        header("Action", 1, &escape_text(call.action)),
        header("MessageID", 2, &format!("urn:uuid:{}", stamp.message_id)),
        header("To", 3, &escape_text(call.to)),
        header(
            "ReplyTo",
            4,
            "<Address>http://www.w3.org/2005/08/addressing/anonymous</Address>",
        ),
    ]
}

/// `wsse:Security` with a timestamp and `content` (the assertion, or its redaction marker).
fn wsse_security(now: DateTime<FixedOffset>, content: &str) -> String {
    let format = |t: DateTime<FixedOffset>| t.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    format!(
        "<wsse:Security xmlns:wsse=\"{WSSE_NS}\" xmlns:wsu=\"{WSU_NS}\" soap:mustUnderstand=\"1\"><wsu:Timestamp wsu:Id=\"TS-1\"><wsu:Created>{}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp>{content}</wsse:Security>",
        format(now),
        format(now + Duration::minutes(TIMESTAMP_VALIDITY_MINUTES)),
    )
}

/// The order of the contexts at the start of a Serviceplatformen request element.
const CONTEXT_ORDER: [(&str, &str); 3] = [
    (CALL_CONTEXT_NS, "CallContext"),
    (AUTHORITY_CONTEXT_NS, "AuthorityContext"),
    (INVOCATION_CONTEXT_NS, "InvocationContext"),
];

/// Inserts each `(namespace, name, element)` the request element does not already carry, in
/// [`CONTEXT_ORDER`]. A context the golden request already has is left as it is: the request
/// author chose it (perhaps deliberately wrong).
fn insert_contexts<'a>(
    request: Node<'a, '_>,
    contexts: &[(&str, &str, &dyn Fn() -> String)],
) -> Result<Cow<'a, str>, SecurityError> {
    let payload = request.document().input_text();
    if contexts.is_empty() {
        return Ok(Cow::Borrowed(payload));
    }
    let first = request
        .first_child()
        .ok_or_else(|| SecurityError::EmptyRequest(request.tag_name().name().to_owned()))?;
    let leading: Vec<Node> = request
        .children()
        .filter(roxmltree::Node::is_element)
        .take_while(|n| {
            CONTEXT_ORDER.iter().any(|(ns, name)| {
                n.tag_name().namespace() == Some(*ns) && n.tag_name().name() == *name
            })
        })
        .collect();
    let rank = |ns: &str, name: &str| CONTEXT_ORDER.iter().position(|c| *c == (ns, name));
    // (byte offset, text) insertions; offsets refer to the original payload.
    let mut insertions: Vec<(usize, String)> = Vec::new();
    for (ns, name, element) in contexts {
        if leading
            .iter()
            .any(|n| n.tag_name().namespace() == Some(*ns) && n.tag_name().name() == *name)
        {
            continue;
        }
        let own_rank = rank(ns, name);
        let offset = leading
            .iter()
            .filter(|n| {
                rank(
                    n.tag_name().namespace().unwrap_or_default(),
                    n.tag_name().name(),
                ) < own_rank
            })
            .map(|n| n.range().end)
            .next_back()
            .unwrap_or(first.range().start);
        insertions.push((offset, element()));
    }
    if insertions.is_empty() {
        return Ok(Cow::Borrowed(payload));
    }
    let mut out = String::with_capacity(payload.len() + 512);
    let mut copied = 0;
    for (offset, element) in insertions {
        out.push_str(&payload[copied..offset]);
        out.push_str(&element);
        copied = offset;
    }
    out.push_str(&payload[copied..]);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = "<r:Req xmlns:r=\"urn:r\"><r:Payload>1</r:Payload></r:Req>";
    const TOKEN: &str = "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a\"><saml:Issuer>MARKER-TOKEN-Q7</saml:Issuer></saml:Assertion>";

    fn invocation() -> InvocationContextValues {
        InvocationContextValues {
            service_agreement_uuid: Some("42b7e5a4-8d3c-4c5e-9f61-0a1b2c3d4e5f".into()),
            user_system_uuid: Some("0f8fad5b-d9cb-469f-a165-70867728950e".into()),
            user_uuid: Some("7c9e6679-7425-40de-944b-e07fc1f90ae7".into()),
            service_uuid: Some("c0ffee00-1234-4abc-8def-0123456789ab".into()),
            on_behalf_of_user: None,
            accounting_info: Some("afdeling <7> & co".into()),
        }
    }

    fn identity(with_token: bool) -> CallerIdentity {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token.xml");
        std::fs::write(&file, format!("<?xml version=\"1.0\"?>\n{TOKEN}\n")).unwrap();
        CallerIdentity {
            authority: AuthorityContext::new("29189846").unwrap(),
            invocation: invocation().validate().unwrap(),
            saml: with_token.then(|| SamlToken::load(&file).unwrap()),
        }
    }

    /// `identity.secure(…)` of the request text `request`, parsed as the runner does.
    fn secure(
        identity: &CallerIdentity,
        version: SoapVersion,
        models: &[SecurityModel],
        headers: &[HeaderBlock],
        request: &str,
    ) -> SecuredEnvelope {
        let doc = crate::xml::parse(request).unwrap();
        identity
            .secure(version, models, headers, doc.root_element(), &call())
            .unwrap()
    }

    fn call() -> CallDetails<'static> {
        CallDetails {
            action: "urn:r/Req",
            to: "https://h/service/X/1",
            stamp: &|| CallStamp {
                message_id: "11111111-2222-4333-8444-555555555555".into(),
                transaction_id: "66666666-7777-4888-9999-aaaaaaaaaaaa".into(),
                now: DateTime::parse_from_rfc3339("2026-03-31T10:00:00+02:00").unwrap(),
            },
        }
    }

    fn request_children(envelope: &str) -> Vec<String> {
        let doc = crate::xml::parse(envelope).unwrap();
        let read = super::super::Envelope::read(&doc).unwrap();
        read.body_child
            .children()
            .filter(roxmltree::Node::is_element)
            .map(super::super::clark_name)
            .collect()
    }

    #[test]
    fn contexts_go_first_in_schema_order() {
        let all = [
            SecurityModel::AuthorityContext,
            SecurityModel::InvocationContext,
        ];
        let secured = secure(&identity(false), SoapVersion::V11, &all, &[], REQUEST);
        assert_eq!(
            request_children(&secured.sent),
            [
                format!("{{{AUTHORITY_CONTEXT_NS}}}AuthorityContext"),
                format!("{{{INVOCATION_CONTEXT_NS}}}InvocationContext"),
                "{urn:r}Payload".to_owned()
            ]
        );
        assert!(secured.sent.contains("<authctx:MunicipalityCVR>29189846<"));
        assert!(secured.sent.contains("afdeling &lt;7&gt; &amp; co"));
        assert_eq!(secured.sent, secured.display());
    }

    #[test]
    fn invocation_context_goes_after_a_present_authority_context_and_that_is_kept() {
        let with_authority = format!(
            "<r:Req xmlns:r=\"urn:r\" xmlns:a=\"{AUTHORITY_CONTEXT_NS}\">\n  <a:AuthorityContext><a:MunicipalityCVR>12345674</a:MunicipalityCVR></a:AuthorityContext>\n  <r:Payload/></r:Req>"
        );
        let secured = secure(
            &identity(false),
            SoapVersion::V11,
            &[
                SecurityModel::AuthorityContext,
                SecurityModel::InvocationContext,
            ],
            &[],
            &with_authority,
        );
        let children = request_children(&secured.sent);
        assert_eq!(children.len(), 3, "{}", secured.sent);
        assert!(children[1].ends_with("}InvocationContext"), "{children:?}");
        assert!(secured.sent.contains("12345674"));
        assert!(!secured.sent.contains("29189846"));
    }

    #[test]
    fn a_contract_without_the_models_gets_nothing_added() {
        let secured = secure(&identity(true), SoapVersion::V12, &[], &[], REQUEST);
        assert_eq!(request_children(&secured.sent), ["{urn:r}Payload"]);
        assert!(!secured.sent.contains("Header"));
    }

    #[test]
    fn saml_token_is_sent_verbatim_and_redacted_in_the_display_copy() {
        let secured = secure(
            &identity(true),
            SoapVersion::V11,
            &[SecurityModel::Saml],
            &[],
            REQUEST,
        );
        assert!(secured.sent.contains(TOKEN), "{}", secured.sent);
        assert!(!secured.display().contains("MARKER-TOKEN-Q7"));
        assert!(secured.display().contains(REDACTED_ASSERTION));
        assert!(!format!("{secured:?}").contains("MARKER-TOKEN-Q7"));
        let doc = crate::xml::parse(&secured.sent).unwrap();
        let envelope = super::super::Envelope::read(&doc).unwrap();
        let header: Vec<String> = envelope
            .header
            .unwrap()
            .children()
            .filter(roxmltree::Node::is_element)
            .map(super::super::clark_name)
            .collect();
        assert_eq!(
            header,
            [
                format!("{{{WSA_NS}}}Action"),
                format!("{{{WSA_NS}}}MessageID"),
                format!("{{{WSA_NS}}}To"),
                format!("{{{WSA_NS}}}ReplyTo"),
                format!("{{{WSSE_NS}}}Security"),
            ]
        );
        assert!(
            secured
                .sent
                .contains("urn:uuid:11111111-2222-4333-8444-555555555555")
        );
        assert!(secured.sent.contains("<wsu:Created>2026-03-31T08:00:00Z<"));
        assert!(secured.sent.contains("<wsu:Expires>2026-03-31T08:05:00Z<"));
        crate::xml::parse(secured.display()).unwrap();
    }

    #[test]
    fn kombit_request_header_carries_the_transaction_uuid() {
        let secured = secure(
            &identity(false),
            SoapVersion::V11,
            &[],
            &[HeaderBlock::KombitRequestHeader],
            REQUEST,
        );
        let doc = crate::xml::parse(&secured.sent).unwrap();
        let header = super::super::Envelope::read(&doc).unwrap().header.unwrap();
        let transaction = header
            .descendants()
            .find(|n| n.tag_name().name() == "TransactionUUID")
            .unwrap();
        assert_eq!(
            transaction.tag_name().namespace(),
            Some(KOMBIT_REQUEST_HEADER_NS)
        );
        assert_eq!(
            transaction.text(),
            Some((call().stamp)().transaction_id.as_str())
        );
    }

    #[test]
    fn invocation_values_are_checked_and_named() {
        assert_eq!(InvocationContextValues::default().validate(), Ok(None));
        let missing = InvocationContextValues {
            user_uuid: None,
            ..invocation()
        };
        assert_eq!(
            missing.validate(),
            Err(SecurityError::MissingInvocationValue { field: "user_uuid" })
        );
        let upper = InvocationContextValues {
            service_uuid: Some("C0FFEE00-1234-4ABC-8DEF-0123456789AB".into()),
            ..invocation()
        };
        let message = upper.validate().unwrap_err().to_string();
        assert!(message.contains("service_uuid"), "{message}");
        assert!(message.contains("lower-case UUID"), "{message}");
        for bad in [
            "",
            "0f8fad5b-d9cb-469f-a165",
            "0f8fad5bd9cb469fa16570867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
        ] {
            assert!(!is_lower_case_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn authority_cvr_must_be_a_cvr_number() {
        assert!(AuthorityContext::new("29189846").is_ok());
        let message = AuthorityContext::new("2918984").unwrap_err().to_string();
        assert!(message.contains("`2918984`"), "{message}");
    }

    #[test]
    fn a_token_file_that_is_no_assertion_is_named_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token.xml");
        std::fs::write(&file, "<Secret>MARKER-TOKEN-Q7</Secret>").unwrap();
        let message = SamlToken::load(&file).unwrap_err().to_string();
        assert!(message.contains("token.xml: not a SAML token"), "{message}");
        assert!(!message.contains("MARKER-TOKEN-Q7"), "{message}");
        std::fs::write(&file, "MARKER-TOKEN-Q7 <").unwrap();
        let message = SamlToken::load(&file).unwrap_err().to_string();
        assert!(!message.contains("MARKER-TOKEN-Q7"), "{message}");
        let missing = SamlToken::load(&dir.path().join("gone.xml")).unwrap_err();
        assert!(missing.to_string().contains("gone.xml"), "{missing}");
    }

    #[test]
    fn token_only_contracts_need_a_token() {
        let error = identity(false)
            .check_usable_for("terminaladgang", &[SecurityModel::Saml])
            .unwrap_err();
        assert!(error.to_string().contains("terminaladgang"), "{error}");
        assert!(
            identity(true)
                .check_usable_for("terminaladgang", &[SecurityModel::Saml])
                .is_ok()
        );
        assert!(
            identity(false)
                .check_usable_for(
                    "kontanthjaelp",
                    &[SecurityModel::AuthorityContext, SecurityModel::Saml]
                )
                .is_ok()
        );
    }
}
