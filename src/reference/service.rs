//! The SOAP endpoint shared by every hosted service: a service is data (its path, SOAP version,
//! namespace and operations with their SOAPAction and handler), and this module turns it into an
//! axum route that parses the envelope, dispatches on the Body's root element, checks the
//! SOAPAction and renders the handler's answer or refusal.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use roxmltree::Node;

use super::ReferenceError;
use super::clock::Clock;
use super::fault_mode::FaultMode;
use crate::soap::{Envelope, FaultDetailError, SoapVersion, build_envelope, build_fault};
use crate::xsd::{CompileOptions, SchemaSet};

/// Namespace the `wrong-response-namespace` fault mode puts response elements in.
const FOREIGN_NAMESPACE: &str = "urn:kontrakt:reference:not-the-service-namespace";

/// What every hosted service shares: the clock, the fault mode the provider runs with and
/// where the services' schemas are.
#[derive(Debug)]
pub(super) struct Provider {
    pub clock: Clock,
    pub fault: Option<FaultMode>,
    /// The contracts folder the schema paths of [`ServiceSpec::schemas`] are relative to.
    pub contracts_dir: PathBuf,
}

/// One hosted service, described as data.
pub(super) struct ServiceSpec<S: 'static> {
    /// Contract path; the route is `/service/<path>`.
    pub path: &'static str,
    pub soap: SoapVersion,
    /// Namespace of the request and response wrappers.
    pub namespace: &'static str,
    /// The schema documents requests are validated against, relative to the contracts folder:
    /// a request the schema refuses is refused before any handler sees it.
    pub schemas: &'static [&'static str],
    pub operations: &'static [Operation<S>],
}

/// An operation: the request element it answers (in the service namespace), the SOAPAction the
/// request must carry, and the handler producing the response payload.
pub(super) struct Operation<S> {
    pub request: &'static str,
    pub soap_action: &'static str,
    pub handle: fn(&S, &Call) -> Result<String, Refusal>,
}

/// A request as a handler sees it.
pub(super) struct Call<'a, 'i> {
    /// The request wrapper element (the Body's child).
    pub request: Node<'a, 'i>,
    pub received: DateTime<Tz>,
    pub today: NaiveDate,
    pub fault: Option<FaultMode>,
    /// Namespace the handler writes its response wrapper in.
    pub response_namespace: &'static str,
}

impl Call<'_, '_> {
    pub(super) fn broken(&self, mode: FaultMode) -> bool {
        self.fault == Some(mode)
    }
}

/// Why a request is refused: becomes a SOAP fault with a ServiceplatformFault detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    /// The caller's mistake (Client) rather than the provider's (Server).
    pub client: bool,
    pub code: &'static str,
    /// Danish, as Serviceplatformen answers.
    pub text: String,
}

impl Refusal {
    pub(super) fn client(code: &'static str, text: impl Into<String>) -> Self {
        Refusal {
            client: true,
            code,
            text: text.into(),
        }
    }

    pub(super) fn invalid_message(text: impl Into<String>) -> Self {
        Refusal::client("UgyldigBesked", text)
    }
}

/// The axum route for one service with its state; compiles the service's schemas.
pub(super) fn route<S: Send + Sync + 'static>(
    spec: &'static ServiceSpec<S>,
    state: S,
    provider: Arc<Provider>,
) -> Result<Router, ReferenceError> {
    let files: Vec<PathBuf> = spec
        .schemas
        .iter()
        .map(|file| provider.contracts_dir.join(file))
        .collect();
    let schemas = SchemaSet::compile(&files, &CompileOptions::default())
        .map_err(|e| ReferenceError::Schema(format!("{}: {e}", spec.path)))?;
    let service = Arc::new((state, schemas));
    Ok(Router::new().route(
        &format!("/service/{}", spec.path),
        post(move |headers: HeaderMap, body: Bytes| {
            let (service, provider) = (service.clone(), provider.clone());
            async move {
                let (state, schemas) = &*service;
                answer(spec, state, schemas, &provider, &headers, &body)
            }
        }),
    ))
}

fn answer<S>(
    spec: &ServiceSpec<S>,
    state: &S,
    schemas: &SchemaSet,
    provider: &Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if provider.fault == Some(FaultMode::NonSoap200) {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html><body><h1>Service midlertidigt utilgængelig</h1></body></html>",
        )
            .into_response();
    }
    let content_type = match spec.soap {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    };
    match dispatch(spec, state, schemas, provider, headers, body) {
        Ok(payload) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type)],
            build_envelope(spec.soap, &[], &payload),
        )
            .into_response(),
        Err(refusal) => {
            let fault = build_fault(
                spec.soap,
                refusal.client,
                &[FaultDetailError {
                    code: refusal.code.to_owned(),
                    text: refusal.text,
                }],
            );
            // SOAP 1.1 and 1.2 both answer faults with HTTP 500, whoever was at fault.
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, content_type)],
                fault,
            )
                .into_response()
        }
    }
}

fn dispatch<S>(
    spec: &ServiceSpec<S>,
    state: &S,
    schemas: &SchemaSet,
    provider: &Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, Refusal> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Refusal::invalid_message("Beskeden er ikke gyldig UTF-8"))?;
    let doc = crate::xml::parse(text)
        .map_err(|e| Refusal::invalid_message(format!("Beskeden er ikke gyldig XML: {e}")))?;
    let envelope = Envelope::read(&doc)
        .map_err(|e| Refusal::invalid_message(format!("Ugyldig SOAP-konvolut: {e}")))?;
    if envelope.version != spec.soap {
        return Err(Refusal::client(
            "ForkertSOAPVersion",
            format!(
                "Tjenesten taler {}, beskeden er {}",
                spec.soap, envelope.version
            ),
        ));
    }
    let request = envelope.body_child;
    let name = request.tag_name();
    let operation = spec
        .operations
        .iter()
        .find(|op| name.namespace() == Some(spec.namespace) && name.name() == op.request)
        .ok_or_else(|| {
            Refusal::client(
                "UkendtOperation",
                format!(
                    "Tjenesten kender ingen operation for {}",
                    crate::soap::clark_name(request)
                ),
            )
        })?;
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let action = spec
        .soap
        .action_from_headers(header_text("soapaction"), header_text("content-type"));
    if action.as_deref() != Some(operation.soap_action) {
        return Err(Refusal::client(
            "ForkertSOAPAction",
            format!(
                "SOAPAction {} passer ikke til {}; forventet {}",
                action.as_deref().unwrap_or("(mangler)"),
                operation.request,
                operation.soap_action
            ),
        ));
    }
    if provider.fault != Some(FaultMode::SkipSchemaValidation)
        && let Some(error) = schemas.validate_element(request).errors.first()
    {
        return Err(Refusal::invalid_message(format!(
            "Beskeden overholder ikke skemaet: {error}"
        )));
    }
    if provider.fault == Some(FaultMode::RejectLeapDay) && carries_leap_day(request) {
        return Err(Refusal::invalid_message("Datoen 29. februar findes ikke"));
    }
    let received = provider.clock.now();
    let call = Call {
        request,
        received,
        today: provider.clock.today_at(received),
        fault: provider.fault,
        response_namespace: if provider.fault == Some(FaultMode::WrongResponseNamespace) {
            FOREIGN_NAMESPACE
        } else {
            spec.namespace
        },
    };
    (operation.handle)(state, &call)
}

/// Whether any text of the request is an xs:date on 29 February (timestamps such as the
/// message time are left alone, so the fault stays invisible on a real 29 February).
fn carries_leap_day(request: roxmltree::Node) -> bool {
    request.descendants().filter_map(|n| n.text()).any(|text| {
        let text = text.trim();
        !text.contains('T') && text.get(4..10) == Some("-02-29")
    })
}
