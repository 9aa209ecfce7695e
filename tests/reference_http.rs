//! The reference provider over real HTTP on a loopback socket: every golden request gets the
//! answer its sidecar expects, protocol errors become SOAP faults, and every fault mode changes
//! the answers in exactly the way it claims and no other.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kontrakt::reference::{self, FaultMode, ProviderOptions, ReferenceError, Running};
use kontrakt::soap::{Envelope, SoapVersion, build_envelope};
use roxmltree::Node;

const NS: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/";
const FD: &str = "http://serviceplatformen.dk/xml/schemas/jobcenter/Faellesdel/1/";
const SERVICE: &str = "/service/JC/Kontanthjaelp/2";
const TODAY: &str = "2024-02-29";

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn options(fault: Option<FaultMode>) -> ProviderOptions {
    ProviderOptions {
        today: Some(TODAY.parse().unwrap()),
        fault,
        fixture: repo(reference::DEFAULT_FIXTURE),
    }
}

fn client() -> reqwest::Client {
    // reqwest is built with `rustls-no-provider`: even a plain-HTTP client needs a crypto
    // provider installed before it is built.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// One golden request, placeholders expanded.
struct Case {
    operation: String,
    name: String,
    request: String,
    message_id: String,
    expect_fault: bool,
}

impl Case {
    fn soap_action(&self) -> String {
        format!("{NS}{}", self.operation)
    }

    /// Text of the request element with local name `name`.
    fn field(&self, name: &str) -> String {
        let doc = roxmltree::Document::parse(&self.request).unwrap();
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .unwrap()
            .to_owned()
    }
}

fn golden_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for operation in ["RetBevilling", "SletBevilling"] {
        let dir = repo(&format!("golden/kontanthjaelp/{operation}"));
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        paths.sort();
        for path in paths {
            let message_id = uuid::Uuid::new_v4().to_string();
            let sidecar: Option<toml::Table> = std::fs::read_to_string(path.with_extension("toml"))
                .ok()
                .map(|text| toml::from_str(&text).unwrap());
            cases.push(Case {
                operation: operation.to_owned(),
                name: path.file_stem().unwrap().to_str().unwrap().to_owned(),
                request: std::fs::read_to_string(&path)
                    .unwrap()
                    .replace("${authority_cvr}", "29189846")
                    .replace("${message_id}", &message_id)
                    .replace("${now}", "2024-02-29T09:15:00+01:00"),
                message_id,
                expect_fault: sidecar
                    .is_some_and(|s| s.get("expect").and_then(|e| e.as_str()) == Some("fault")),
            });
        }
    }
    assert!(cases.len() >= 8, "golden cases missing: {}", cases.len());
    cases
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

/// A running provider and a client for it (one per test: building a client is not cheap, and
/// its connection pool belongs to the test's runtime).
struct Endpoint {
    running: Running,
    client: reqwest::Client,
}

impl Endpoint {
    async fn start(options: ProviderOptions) -> Endpoint {
        Endpoint {
            running: reference::spawn(options).await.unwrap(),
            client: client(),
        }
    }

    fn url(&self) -> String {
        format!("{}{SERVICE}", self.running.base_url())
    }
}

async fn post(endpoint: &Endpoint, soap_action: &str, body: &str) -> Answer {
    let response = endpoint
        .client
        .post(endpoint.url())
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", format!("\"{soap_action}\""))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    Answer {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.text().await.unwrap(),
    }
}

async fn send(endpoint: &Endpoint, case: &Case) -> Answer {
    let envelope = build_envelope(SoapVersion::V11, &[], &case.request);
    post(endpoint, &case.soap_action(), &envelope).await
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name)
}

/// What is wrong with `answer` to `case`, each as a short label; empty when it conforms.
fn judge(case: &Case, answer: &Answer) -> BTreeSet<String> {
    let mut broken = BTreeSet::new();
    let Ok(doc) = kontrakt::xml::parse(&answer.body) else {
        broken.insert("not SOAP".to_owned());
        return broken;
    };
    let Ok(envelope) = Envelope::read(&doc) else {
        broken.insert("not SOAP".to_owned());
        return broken;
    };
    match envelope.fault() {
        Some(fault) => {
            let fault = fault.unwrap();
            assert_eq!(answer.status, 500, "{}: fault must be HTTP 500", case.name);
            assert_eq!(fault.code, "soap:Client", "{}", case.name);
            assert!(
                fault
                    .errors
                    .iter()
                    .all(|e| !e.code.is_empty() && !e.text.is_empty())
                    && !fault.errors.is_empty(),
                "{}: {fault}",
                case.name
            );
            if !case.expect_fault {
                broken.insert(format!("refused {}: {fault}", case.name));
            }
            return broken;
        }
        None if case.expect_fault => {
            broken.insert(format!("accepted {}", case.name));
        }
        None => {}
    }
    assert_eq!(answer.status, 200, "{}", case.name);
    assert!(answer.content_type.starts_with("text/xml"), "{}", case.name);
    let root = envelope.body_child;
    assert_eq!(
        root.tag_name().name(),
        format!("{}Response", case.operation),
        "{}",
        case.name
    );
    if root.tag_name().namespace() != Some(NS) {
        broken.insert("response namespace".to_owned());
    }
    let names: Vec<&str> = root
        .children()
        .filter(Node::is_element)
        .map(|n| n.tag_name().name())
        .collect();
    let expected: &[&str] = match case.operation.as_str() {
        "RetBevilling" => &["Kvittering", "BevillingId"],
        _ => &["Kvittering", "BevillingId", "SletningVirkningsdato"],
    };
    assert_eq!(names, expected, "{}", case.name);
    let text = |node: Option<Node>| node.and_then(|n| n.text()).map(str::to_owned);
    let receipt = child(root, FD, "Kvittering").unwrap();
    match text(child(receipt, FD, "BeskedId")) {
        None => {
            broken.insert("receipt BeskedId missing".to_owned());
        }
        Some(id) if id != case.message_id => {
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
            broken.insert("receipt BeskedId not echoed".to_owned());
        }
        Some(_) => {}
    }
    let received = text(child(receipt, FD, "ModtagetTidspunkt")).unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&received).is_ok(),
        "{received}"
    );
    assert_eq!(
        text(child(receipt, FD, "Myndighedskode")),
        Some(case.field("Myndighedskode"))
    );
    assert_eq!(
        text(child(receipt, FD, "CPRNummer")),
        Some(case.field("CPRNummer"))
    );
    assert_eq!(
        text(child(receipt, FD, "Reaktion")).as_deref(),
        Some("Modtaget")
    );
    let namespace = root.tag_name().namespace().unwrap();
    assert_eq!(
        text(child(root, namespace, "BevillingId")),
        Some(case.field("BevillingId"))
    );
    if case.operation == "SletBevilling"
        && text(child(root, namespace, "SletningVirkningsdato")).as_deref() != Some(TODAY)
    {
        broken.insert("deletion date".to_owned());
    }
    broken
}

/// Every golden case against a provider in `mode`, and everything found wrong.
async fn run_golden(mode: Option<FaultMode>) -> BTreeSet<String> {
    let endpoint = Endpoint::start(options(mode)).await;
    let mut broken = BTreeSet::new();
    for case in golden_cases() {
        let answer = send(&endpoint, &case).await;
        broken.extend(judge(&case, &answer));
    }
    broken
}

#[tokio::test]
async fn conforming_provider_answers_every_golden_request_as_its_sidecar_says() {
    let broken = run_golden(None).await;
    assert!(broken.is_empty(), "{broken:?}");
}

#[tokio::test]
async fn each_fault_mode_breaks_exactly_what_it_claims() {
    let set = |labels: &[&str]| {
        labels
            .iter()
            .map(|l| l.to_string())
            .collect::<BTreeSet<_>>()
    };
    for &mode in FaultMode::all() {
        let expected = match mode {
            FaultMode::AcceptForbiddenStatus => {
                set(&["accepted afslaaet-afvises", "accepted ansoegt-afvises"])
            }
            FaultMode::DropReceiptMessageId => set(&["receipt BeskedId missing"]),
            FaultMode::NonSoap200 => set(&["not SOAP"]),
            FaultMode::WrongResponseNamespace => set(&["response namespace"]),
            FaultMode::AcceptUnknownMunicipality => {
                set(&["accepted ukendt-myndighedskode-afvises"])
            }
            FaultMode::WrongDeletionDate => set(&["deletion date"]),
            FaultMode::EchoWrongMessageId => set(&["receipt BeskedId not echoed"]),
            // Modes of the other services leave every Kontanthjaelp answer conforming; the
            // suite-level test (tests/fault_modes.rs) shows each is caught.
            FaultMode::AcceptCodeAndRejection
            | FaultMode::EchoWrongNemrefusionsId
            | FaultMode::UnknownCaseReceipt
            | FaultMode::ForgetUpdate
            | FaultMode::OtherCitizensCases
            | FaultMode::IgnorePeriod
            | FaultMode::LeakFilteredField
            | FaultMode::AcceptOutOfWindowBound
            | FaultMode::ClampBound
            | FaultMode::IgnoreDefaultWindow
            | FaultMode::ReplaceBound
            | FaultMode::IgnoreKle => BTreeSet::new(),
            // No golden request carries what these break; tests/generated.rs shows the
            // generated trials catch them.
            FaultMode::RejectNonModulus11Cpr
            | FaultMode::RejectLeapDay
            | FaultMode::WindowStartOffByOne
            | FaultMode::TruncateText
            | FaultMode::SkipSchemaValidation => BTreeSet::new(),
        };
        assert_eq!(run_golden(Some(mode)).await, expected, "fault mode {mode}");
    }
}

#[tokio::test]
async fn non_soap_mode_answers_http_200_with_html() {
    let endpoint = Endpoint::start(options(Some(FaultMode::NonSoap200))).await;
    let case = &golden_cases()[0];
    let answer = send(&endpoint, case).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.content_type.starts_with("text/html"),
        "{}",
        answer.content_type
    );
    assert!(answer.body.contains("<html>"));
}

#[tokio::test]
async fn protocol_errors_are_client_faults_with_http_500() {
    let endpoint = Endpoint::start(options(None)).await;
    let case = golden_cases()
        .into_iter()
        .find(|c| !c.expect_fault)
        .unwrap();
    let envelope11 = build_envelope(SoapVersion::V11, &[], &case.request);
    let envelope12 = build_envelope(SoapVersion::V12, &[], &case.request);
    let unknown_operation = build_envelope(
        SoapVersion::V11,
        &[],
        &format!("<kh:HentBevillingRequest xmlns:kh=\"{NS}\"/>"),
    );
    let without_declaration = envelope11.trim_start_matches(|c| c != '>')[1..].to_owned();
    let schema_invalid = build_envelope(
        SoapVersion::V11,
        &[],
        &case
            .request
            .replace("</kh:Bevilling>", "<kh:UkendtElement/></kh:Bevilling>"),
    );
    let attempts = [
        (
            "wrong SOAPAction",
            format!("{NS}SletBevilling"),
            envelope11.clone(),
            "ForkertSOAPAction",
        ),
        (
            "SOAP 1.2 envelope",
            case.soap_action(),
            envelope12,
            "ForkertSOAPVersion",
        ),
        (
            "not an envelope",
            case.soap_action(),
            case.request.clone(),
            "UgyldigBesked",
        ),
        (
            "not XML",
            case.soap_action(),
            "RetBevilling please".to_owned(),
            "UgyldigBesked",
        ),
        (
            "DTD",
            case.soap_action(),
            format!("<!DOCTYPE x [<!ENTITY e \"e\">]>{without_declaration}"),
            "UgyldigBesked",
        ),
        (
            "unknown operation",
            case.soap_action(),
            unknown_operation,
            "UkendtOperation",
        ),
        (
            "element the schema does not declare",
            case.soap_action(),
            schema_invalid,
            "UgyldigBesked",
        ),
    ];
    for (what, action, body, code) in attempts {
        let answer = post(&endpoint, &action, &body).await;
        assert_eq!(answer.status, 500, "{what}: {}", answer.body);
        let doc = kontrakt::xml::parse(&answer.body).unwrap();
        let fault = Envelope::read(&doc).unwrap().fault().unwrap().unwrap();
        assert_eq!(fault.code, "soap:Client", "{what}");
        assert_eq!(fault.errors[0].code, code, "{what}: {fault}");
    }
    let invalid_utf8 = endpoint
        .client
        .post(endpoint.url())
        .header("soapaction", case.soap_action())
        .body(vec![0xff, 0xfe, b'<'])
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_utf8.status().as_u16(), 500);
    let get = endpoint.client.get(endpoint.url()).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
}

#[tokio::test]
async fn state_persists_between_calls() {
    let endpoint = Endpoint::start(options(None)).await;
    let cases = golden_cases();
    let find = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    // Deleting twice is acknowledged both times, and amending afterwards stores the grant again.
    for name in [
        "med-sag-og-kontaktforloeb",
        "med-sag-og-kontaktforloeb",
        "afgjort-med-sag-og-kontaktforloeb",
    ] {
        let answer = send(&endpoint, find(name)).await;
        assert!(
            judge(find(name), &answer).is_empty(),
            "{name}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn without_a_fixed_date_deletion_takes_effect_on_the_copenhagen_date() {
    let copenhagen_today = || {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .date_naive()
    };
    let endpoint = Endpoint::start(ProviderOptions {
        today: None,
        ..options(None)
    })
    .await;
    let case = golden_cases()
        .into_iter()
        .find(|c| c.operation == "SletBevilling" && !c.expect_fault)
        .unwrap();
    let before = copenhagen_today();
    let answer = send(&endpoint, &case).await;
    let after = copenhagen_today();
    let doc = kontrakt::xml::parse(&answer.body).unwrap();
    let date: NaiveDate = doc
        .descendants()
        .find(|n| n.tag_name().name() == "SletningVirkningsdato")
        .and_then(|n| n.text())
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        date == before || date == after,
        "{date} not {before}/{after}"
    );
}

#[tokio::test]
async fn bad_fixture_is_an_error_naming_the_file() {
    let missing = reference::spawn(ProviderOptions {
        fixture: repo("contracts/no-such-fixture.toml"),
        ..options(None)
    })
    .await
    .unwrap_err();
    assert!(matches!(missing, ReferenceError::Unreadable { .. }));
    assert!(
        missing.to_string().contains("no-such-fixture.toml"),
        "{missing}"
    );
    let not_toml = reference::router(ProviderOptions {
        fixture: repo("golden/kontanthjaelp/RetBevilling/ansoegt-afvises.xml"),
        ..options(None)
    })
    .unwrap_err();
    assert!(
        matches!(not_toml, ReferenceError::InvalidFixture { .. }),
        "{not_toml}"
    );
    assert!(
        not_toml.to_string().contains("ansoegt-afvises.xml"),
        "{not_toml}"
    );
}

#[tokio::test]
async fn serve_runs_until_shutdown_and_stopped_provider_closes_its_port() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(reference::serve(listener, options(None), async {
        let _ = stopped.await;
    }));
    let response = client()
        .get(format!("http://{addr}{SERVICE}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        405,
        "the service route is mounted"
    );
    drop(response);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();

    // The client keeps its keep-alive connection open: stopping must not wait for it.
    let endpoint = Endpoint::start(options(None)).await;
    let case = golden_cases().into_iter().next().unwrap();
    assert!(judge(&case, &send(&endpoint, &case).await).is_empty());
    let Endpoint { running, client } = endpoint;
    let addr = running.addr;
    running.stop().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    drop(client);
}
