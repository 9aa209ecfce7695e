//! Property-based fuzzing of everything that reads an endpoint's answer: hardened XML parsing,
//! SOAP envelopes and faults, the canonical form, the rule path language, and `checks::judge`
//! as a whole. Inputs are arbitrary bytes, mutations of real messages, and generated XML trees.
//! Every property asserts "no panic" plus something that can fail.
//!
//! `PROPTEST_CASES=200000 cargo test --release --test fuzz_xml` for a sustained run.

mod fuzz_support;

use kontrakt::xsd::{CompileOptions, SchemaSet};
use std::collections::BTreeMap;
use std::path::Path;

use kontrakt::checks::{self, Answer, Context, Outcome};
use kontrakt::contract::Contract;
use kontrakt::soap::{
    Envelope, FaultDetailError, SOAP11_NS, SOAP12_NS, SoapVersion, build_envelope, build_fault,
};
use kontrakt::xml::canonical::canonicalize;
use kontrakt::xml::path::{Namespaces, XmlPath};
use kontrakt::xml::{self, MAX_DEPTH, XmlError};
use proptest::prelude::*;

use fuzz_support::{Mutation, apply, mutations};

const KH: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/";
const FD: &str = "http://serviceplatformen.dk/xml/schemas/jobcenter/Faellesdel/1/";
const SP: &str = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";

const NAMESPACES: [&str; 6] = [SOAP11_NS, SOAP12_NS, KH, FD, SP, "urn:other"];
const NAMES: [&str; 18] = [
    "Envelope",
    "Header",
    "Body",
    "Fault",
    "faultcode",
    "faultstring",
    "detail",
    "Code",
    "Value",
    "Reason",
    "Text",
    "Detail",
    "ErrorList",
    "Error",
    "ErrorCode",
    "ErrorText",
    "Kvittering",
    "BeskedId",
];

/// Pieces of XML syntax that mutations splice in, chosen to reach the hardened paths.
const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "&",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "&unknown;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?pi x?>",
    "<!DOCTYPE a [<!ENTITY x \"xx\">]>",
    "<!DOCTYPE a SYSTEM \"file:///etc/passwd\">",
    " xmlns=\"\"",
    " xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"",
    " xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"",
    " xmlns:xml=\"urn:rebind\"",
    " a=\"1\" a=\"2\"",
    "<soap:Fault><faultcode>c</faultcode><faultstring>s</faultstring></soap:Fault>",
    "<a><a><a><a><a><a><a><a>",
    "\u{0}",
    "\u{FEFF}",
    "æøå",
];

fn receipt() -> String {
    format!(
        r#"<kh:RetBevillingResponse xmlns:kh="{KH}" xmlns:fd="{FD}"><fd:Kvittering><fd:BeskedId>0f8fad5b-d9cb-469f-a165-70867728950e</fd:BeskedId><fd:ModtagetTidspunkt>2026-03-31T10:00:00+02:00</fd:ModtagetTidspunkt><fd:Myndighedskode>751</fd:Myndighedskode><fd:CPRNummer>2103924417</fd:CPRNummer><fd:Reaktion>Modtaget</fd:Reaktion></fd:Kvittering><kh:BevillingId>KY-2024-000102</kh:BevillingId></kh:RetBevillingResponse>"#
    )
}

const REQUEST: &str = r#"<kh:RetBevillingRequest xmlns:kh="http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/" xmlns:authctx="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/" xmlns:fd="http://serviceplatformen.dk/xml/schemas/jobcenter/Faellesdel/1/"><authctx:AuthorityContext><authctx:MunicipalityCVR>29189846</authctx:MunicipalityCVR></authctx:AuthorityContext><fd:Faellesdel><fd:BeskedId>0f8fad5b-d9cb-469f-a165-70867728950e</fd:BeskedId><fd:BeskedTidspunkt>2026-03-31T10:00:00+02:00</fd:BeskedTidspunkt><fd:AfsenderSystem>KY</fd:AfsenderSystem><fd:Myndighedskode>751</fd:Myndighedskode><fd:CPRNummer>2103924417</fd:CPRNummer></fd:Faellesdel><kh:Bevilling><kh:BevillingId>KY-2024-000102</kh:BevillingId><kh:Ydelsestype>uddannelseshjælp</kh:Ydelsestype><kh:BevillingStatus>i gang</kh:BevillingStatus><kh:GyldigFra>2024-06-15</kh:GyldigFra></kh:Bevilling></kh:RetBevillingRequest>"#;

/// Real messages of both SOAP versions: a receipt and Serviceplatformen faults.
fn seeds() -> Vec<String> {
    let errors = [FaultDetailError {
        code: "KH-001".into(),
        text: "Status ansøgt må ikke sendes".into(),
    }];
    let mut seeds = Vec::new();
    for version in [SoapVersion::V11, SoapVersion::V12] {
        seeds.push(build_envelope(version, &[], &receipt()));
        seeds.push(build_fault(version, true, &errors));
        seeds.push(build_fault(version, false, &[]));
    }
    seeds
}

/// Everything the harness does with a response body, short of the network. Returns the
/// canonical text when the body is an envelope.
fn read_response(text: &str) -> Result<Option<String>, XmlError> {
    let doc = xml::parse(text)?;
    assert!(
        max_depth(&doc) <= MAX_DEPTH,
        "parse let a too deep document through"
    );
    let Ok(envelope) = Envelope::read(&doc) else {
        return Ok(None);
    };
    if let Some(Ok(fault)) = envelope.fault() {
        let _ = fault.to_string();
    }
    let mut prefixes = BTreeMap::new();
    prefixes.insert(envelope.version.namespace().to_owned(), "soap".to_owned());
    Ok(Some(canonicalize(envelope.body_child, &prefixes)))
}

fn max_depth(doc: &roxmltree::Document) -> usize {
    doc.descendants()
        .filter(|n| n.is_element())
        .map(|n| n.ancestors().filter(|a| a.is_element()).count())
        .max()
        .unwrap_or(0)
}

fn kontanthjaelp() -> &'static (Contract, SchemaSet) {
    static CONTRACT: std::sync::OnceLock<(Contract, SchemaSet)> = std::sync::OnceLock::new();
    CONTRACT.get_or_init(|| {
        let contract =
            Contract::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts/kontanthjaelp"))
                .expect("the shipped contract loads");
        let schemas = SchemaSet::compile(&contract.service.schemas, &CompileOptions::default())
            .expect("the shipped schemas compile");
        (contract, schemas)
    })
}

/// `checks::judge` on an answer for a RetBevilling request.
fn judge(status: u16, content_type: Option<&str>, body: &[u8]) -> checks::Judgement {
    let (contract, schemas) = kontanthjaelp();
    let ctx = Context {
        contract,
        operation: contract.operation("RetBevilling").expect("operation"),
        stated: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
        schemas,
        responses: None,
    };
    checks::judge(
        &ctx,
        REQUEST,
        Ok(Answer {
            status,
            content_type,
            body,
        }),
    )
}

/// A generated element: names from small pools so SOAP structure appears often.
#[derive(Debug, Clone)]
struct Element {
    namespace: Option<usize>,
    name: usize,
    attributes: Vec<(Option<usize>, usize, String)>,
    text: String,
    children: Vec<Element>,
}

fn element_tree() -> impl Strategy<Value = Element> {
    let text = "[a-zA-Z0-9 æøå&<>\"'-]{0,12}";
    let leaf = (
        proptest::option::of(0..NAMESPACES.len()),
        0..NAMES.len(),
        proptest::collection::vec(
            (
                proptest::option::of(0..NAMESPACES.len()),
                0..NAMES.len(),
                text,
            ),
            0..3,
        ),
        text,
    )
        .prop_map(|(namespace, name, attributes, text)| Element {
            namespace,
            name,
            attributes,
            text,
            children: Vec::new(),
        });
    leaf.prop_recursive(6, 48, 4, |inner| {
        (inner.clone(), proptest::collection::vec(inner, 0..4)).prop_map(|(mut e, children)| {
            e.children = children;
            e
        })
    })
}

/// An envelope of either version around generated Body children, sometimes with a Header.
fn envelope_tree() -> impl Strategy<Value = Element> {
    (
        0..2usize,
        any::<bool>(),
        proptest::collection::vec(element_tree(), 0..3),
    )
        .prop_map(|(version, header, body)| {
            let soap = |name: usize, children| Element {
                namespace: Some(version),
                name,
                attributes: Vec::new(),
                text: String::new(),
                children,
            };
            let mut children = Vec::new();
            if header {
                children.push(soap(1, Vec::new()));
            }
            children.push(soap(2, body));
            soap(0, children)
        })
}

/// How namespaces are spelled when rendering: the same tree renders to different text.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    /// `p0:` … `p5:`, all declared on the root.
    Prefixed,
    /// Elements of namespace 0 use the default namespace, the others `q1:` … declared where used.
    DefaultAndLocal,
}

fn render(element: &Element, spelling: Spelling) -> String {
    let mut out = String::new();
    render_element(element, spelling, true, &mut out);
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

fn render_element(element: &Element, spelling: Spelling, root: bool, out: &mut String) {
    let prefix = |ns: usize| match spelling {
        Spelling::Prefixed => format!("p{ns}"),
        Spelling::DefaultAndLocal => format!("q{ns}"),
    };
    let name = match (element.namespace, spelling) {
        (None, _) => NAMES[element.name].to_owned(),
        (Some(0), Spelling::DefaultAndLocal) => NAMES[element.name].to_owned(),
        (Some(ns), _) => format!("{}:{}", prefix(ns), NAMES[element.name]),
    };
    out.push('<');
    out.push_str(&name);
    match spelling {
        Spelling::Prefixed if root => {
            for (ns, uri) in NAMESPACES.iter().enumerate() {
                out.push_str(&format!(" xmlns:{}=\"{uri}\"", prefix(ns)));
            }
        }
        Spelling::Prefixed => {}
        Spelling::DefaultAndLocal => {
            // Redeclared on every element: legal, and a different text for the same tree.
            let default = if element.namespace == Some(0) {
                NAMESPACES[0]
            } else {
                ""
            };
            out.push_str(&format!(" xmlns=\"{default}\""));
            for (ns, uri) in NAMESPACES.iter().enumerate() {
                out.push_str(&format!(" xmlns:{}=\"{uri}\"", prefix(ns)));
            }
        }
    }
    let mut seen = Vec::new();
    for (ns, local, value) in &element.attributes {
        // Attributes in the SOAP namespaces would be ambiguous with xmlns redeclarations; keep
        // one attribute per expanded name so both spellings stay well-formed.
        if seen.contains(&(ns, local)) {
            continue;
        }
        seen.push((ns, local));
        let attr = match ns {
            Some(ns) => format!("{}:{}", prefix(*ns), NAMES[*local]),
            None => NAMES[*local].to_owned(),
        };
        out.push_str(&format!(" {attr}=\"{}\"", escape(value)));
    }
    out.push('>');
    out.push_str(&escape(&element.text));
    for child in &element.children {
        render_element(child, spelling, false, out);
    }
    out.push_str(&format!("</{name}>"));
}

/// A path built from the grammar, over the prefixes `k` (declared) and `x` (undeclared).
fn path_text() -> impl Strategy<Value = String> {
    let step = (
        prop_oneof![Just("/"), Just("//")],
        prop_oneof![Just(""), Just("k:"), Just("x:")],
        0..NAMES.len(),
    );
    (
        any::<bool>(),
        proptest::collection::vec(step, 1..5),
        proptest::option::of((prop_oneof![Just(""), Just("k:")], 0..NAMES.len())),
    )
        .prop_map(|(leading, steps, attribute)| {
            let mut path = String::new();
            for (index, (slash, prefix, name)) in steps.iter().enumerate() {
                if index > 0 || (leading && *slash == "//") {
                    path.push_str(slash);
                }
                path.push_str(prefix);
                path.push_str(NAMES[*name]);
            }
            if let Some((prefix, name)) = attribute {
                path.push_str(&format!("/@{prefix}{}", NAMES[name]));
            }
            path
        })
}

fn path_namespaces() -> Namespaces {
    [("k".to_owned(), KH.to_owned())].into_iter().collect()
}

proptest! {
    #[test]
    fn arbitrary_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = read_response(text);
        }
        let judgement = judge(200, Some("text/xml"), &bytes);
        // Arbitrary bytes are never a valid receipt.
        prop_assert_ne!(judgement.outcome(), Outcome::Passed);
    }

    #[test]
    fn mutated_messages_are_read_or_refused(
        seed in 0..6usize,
        edits in mutations(8),
        status in prop_oneof![Just(200u16), Just(500u16)],
    ) {
        let original = &seeds()[seed];
        let bytes = apply(original.as_bytes(), &edits, XML_TOKENS);
        let text = String::from_utf8_lossy(&bytes);
        let _ = read_response(&text);
        let judgement = judge(status, Some("text/xml; charset=utf-8"), &bytes);
        // A body that is not even XML can never pass.
        if xml::parse(&text).is_err() {
            prop_assert_ne!(judgement.outcome(), Outcome::Passed);
        }
    }

    #[test]
    fn unmutated_seeds_read_back(seed in 0..6usize) {
        let text = &seeds()[seed];
        prop_assert!(matches!(read_response(text), Ok(Some(_))));
    }

    #[test]
    fn canonical_form_ignores_how_namespaces_are_spelled(tree in envelope_tree()) {
        let read = |spelling| {
            let text = render(&tree, spelling);
            let doc = xml::parse(&text).map_err(|e| format!("{e}: {text}"))?;
            let outcome = Envelope::read(&doc).map(|envelope| {
                let fault = envelope.fault().map(|f| f.map(|f| f.to_string()));
                (canonicalize(envelope.body_child, &BTreeMap::new()), fault)
            });
            Ok::<_, String>(outcome.map_err(|e| e.to_string()))
        };
        let prefixed = read(Spelling::Prefixed);
        let local = read(Spelling::DefaultAndLocal);
        prop_assert!(prefixed.is_ok(), "{:?}", prefixed);
        prop_assert_eq!(prefixed, local);
    }

    #[test]
    fn nesting_is_refused_exactly_beyond_the_limit(depth in 0..(4 * MAX_DEPTH), tail in "[a-z]{0,3}") {
        let text = format!(
            "{}{tail}{}",
            "<a><b/>".repeat(depth),
            "</a>".repeat(depth)
        );
        match xml::parse(&text) {
            // Each `<a>` holds a `<b/>`, one level deeper. No element at all is malformed.
            Ok(_) => prop_assert!((1..MAX_DEPTH).contains(&depth)),
            Err(XmlError::TooDeep) => prop_assert!(depth + 1 > MAX_DEPTH),
            Err(XmlError::Malformed(_)) => prop_assert_eq!(depth, 0),
        }
    }

    #[test]
    fn arbitrary_path_text_compiles_or_is_refused(source in "\\PC{0,40}", tree in element_tree()) {
        let text = render(&tree, Spelling::Prefixed);
        let doc = xml::parse(&text).expect("generated trees are well-formed");
        if let Ok(path) = XmlPath::parse(&source, &path_namespaces()) {
            let _ = path.values(doc.root_element());
            prop_assert_eq!(path.as_str(), source.as_str());
        }
    }

    #[test]
    fn grammatical_paths_select_each_node_once_in_document_order(
        source in path_text(),
        tree in element_tree(),
    ) {
        let compiled = XmlPath::parse(&source, &path_namespaces());
        prop_assert_eq!(compiled.is_err(), source.contains("x:"), "{}", source);
        let Ok(path) = compiled else { return Ok(()) };
        let text = render(&tree, Spelling::Prefixed);
        let doc = xml::parse(&text).expect("generated trees are well-formed");
        let ids: Vec<usize> = path.elements(doc.root_element()).iter().map(|n| n.id().get_usize()).collect();
        prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "{} on {}: {:?}", source, text, ids);
    }
}

#[test]
fn a_mutation_can_change_the_verdict() {
    // Guards the harness of this file: the mutations must reach the parser.
    let seed = seeds()[0].clone();
    let truncated = apply(
        seed.as_bytes(),
        &[Mutation::Truncate { at: seed.len() / 2 }],
        XML_TOKENS,
    );
    assert!(xml::parse(&String::from_utf8_lossy(&truncated)).is_err());
    assert_eq!(
        judge(200, Some("text/xml"), seed.as_bytes()).outcome(),
        Outcome::Passed
    );
}
