//! Robustness of the XSD processor: mutated schema documents (real contract schemas and small
//! XSTS schemas with attributes deleted or duplicated, element names swapped, random bytes)
//! compile to Ok or a SchemaError without panicking, and compiled ones validate mutated
//! instances without panicking. Plus cyclic groups/types and a pathological pattern, asserting
//! the verdict (never the time). PROPTEST_CASES overrides the small default case count.

mod xsd_support;

use std::path::{Path, PathBuf};

use kontrakt::xsd::{CompileOptions, SchemaSet};
use proptest::prelude::*;

const XSTS_SEEDS: [&str; 3] = [
    "sunData/combined/006/test.xsd",
    "msData/datatypes/decimal.xsd",
    "msData/additional/fixed2.xsd",
];

const ELEMENT_NAMES: [&str; 10] = [
    "sequence",
    "choice",
    "all",
    "element",
    "group",
    "complexType",
    "simpleType",
    "restriction",
    "extension",
    "attribute",
];

/// Seed schemas with their schemaLocations made absolute, so a mutated copy written elsewhere
/// still reaches its includes and imports; and the instances to validate against them.
fn seeds() -> Vec<(String, Vec<String>)> {
    let mut out = vec![];
    for (contract, schemas) in xsd_support::contract_schema_sets() {
        let instances: Vec<String> = xsd_support::golden_requests(&contract)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        out.extend(
            schemas
                .iter()
                .map(|s| (absolute_locations(s), instances.clone())),
        );
    }
    let xsts = std::env::var_os("KONTRAKT_XSTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xsd_support::root().join("../shared/xsts"));
    if xsts.join("manifest.tsv").is_file() {
        out.extend(XSTS_SEEDS.iter().map(|s| {
            let instance = std::fs::read_to_string(xsts.join("data").join(s).with_extension("xml"))
                .unwrap_or_default();
            (
                absolute_locations(&xsts.join("data").join(s)),
                vec![instance],
            )
        }));
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "XSTS not found at {} and CI=true",
            xsts.display()
        );
    }
    out
}

fn absolute_locations(schema: &Path) -> String {
    let text = std::fs::read_to_string(schema).expect("seed schema readable");
    let dir = schema.parent().expect("schema in a directory");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("schemaLocation=\"") {
        let (head, tail) = rest.split_at(at + "schemaLocation=\"".len());
        let end = tail.find('"').unwrap_or(tail.len());
        out.push_str(head);
        out.push_str(&dir.join(&tail[..end]).display().to_string());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteAttribute(usize),
    DuplicateAttribute(usize),
    SwapElementName(usize, usize),
    Bytes(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteAttribute),
        any::<usize>().prop_map(Mutation::DuplicateAttribute),
        (any::<usize>(), 0..ELEMENT_NAMES.len()).prop_map(|(a, b)| Mutation::SwapElementName(a, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| Mutation::Bytes(a, b)),
    ]
}

/// Byte range of the n-th (modulo count) match of `needle`'s attribute: ` name="value"`.
fn nth_attribute(text: &str, n: usize) -> Option<std::ops::Range<usize>> {
    let starts: Vec<usize> = text.match_indices("=\"").map(|(i, _)| i).collect();
    let eq = *starts.get(n % starts.len().max(1))?;
    let name_start = text[..eq].rfind(char::is_whitespace)?;
    let value_end = eq + 2 + text[eq + 2..].find('"')? + 1;
    Some(name_start..value_end)
}

fn apply(text: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::DeleteAttribute(n) => nth_attribute(text, *n).map_or_else(
            || text.to_owned(),
            |r| xsd_support::replace_range(text, r, ""),
        ),
        Mutation::DuplicateAttribute(n) => nth_attribute(text, *n).map_or_else(
            || text.to_owned(),
            |r| xsd_support::replace_range(text, r.end..r.end, &text[r.clone()]),
        ),
        Mutation::SwapElementName(n, name) => {
            let tags: Vec<usize> = text.match_indices("<xs:").map(|(i, _)| i + 4).collect();
            let Some(&at) = tags.get(n % tags.len().max(1)) else {
                return text.to_owned();
            };
            let end = at + text[at..].find(|c: char| !c.is_alphanumeric()).unwrap_or(0);
            xsd_support::replace_range(text, at..end, ELEMENT_NAMES[*name])
        }
        Mutation::Bytes(n, bytes) => {
            let mut raw = text.as_bytes().to_vec();
            let at = n % (raw.len() + 1);
            raw.splice(at..at, bytes.iter().copied());
            String::from_utf8_lossy(&raw).into_owned()
        }
    }
}

fn compile_text(dir: &Path, text: &str) -> Result<SchemaSet, kontrakt::xsd::SchemaError> {
    let path = dir.join("fuzzed.xsd");
    std::fs::write(&path, text).expect("schema written");
    SchemaSet::compile(&[path], &CompileOptions::default())
}

fn validate_text(set: &SchemaSet, text: &str) -> Option<bool> {
    let doc = roxmltree::Document::parse(text).ok()?;
    Some(set.validate_document(&doc).is_valid())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

#[test]
fn mutated_schemas_and_instances_never_panic() {
    let seeds = seeds();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let strategy = (
        0..seeds.len(),
        prop::collection::vec(mutation(), 1..4),
        any::<usize>(),
        prop::collection::vec(mutation(), 0..3),
    );
    let compiled = std::cell::Cell::new(0u32);
    proptest!(config, |((seed, schema_mutations, instance, instance_mutations) in strategy)| {
        let (schema, instances) = &seeds[seed];
        let schema = schema_mutations.iter().fold(schema.clone(), |t, m| apply(&t, m));
        if let Ok(set) = compile_text(dir.path(), &schema) {
            compiled.set(compiled.get() + 1);
            if !instances.is_empty() {
                let text = &instances[instance % instances.len()];
                let text = instance_mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
                validate_text(&set, &text);
            }
        }
    });
    eprintln!(
        "{} cases, {} mutated schemas compiled",
        cases(),
        compiled.get()
    );
}

const XS_HEAD: &str = "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">";

fn schema(body: &str) -> String {
    format!("{XS_HEAD}{body}</xs:schema>")
}

#[test]
fn cyclic_groups_and_types_are_schema_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cyclic = [
        "<xs:group name='g'><xs:sequence><xs:group ref='g'/></xs:sequence></xs:group>",
        "<xs:group name='a'><xs:choice><xs:group ref='b'/></xs:choice></xs:group>\
         <xs:group name='b'><xs:sequence><xs:group ref='a'/></xs:sequence></xs:group>",
        "<xs:complexType name='t'><xs:complexContent><xs:extension base='t'/></xs:complexContent></xs:complexType>",
        "<xs:simpleType name='s'><xs:restriction base='s'/></xs:simpleType>",
        "<xs:simpleType name='u'><xs:union memberTypes='v'/></xs:simpleType>\
         <xs:simpleType name='v'><xs:list itemType='u'/></xs:simpleType>",
        "<xs:attributeGroup name='ag'><xs:attributeGroup ref='ag'/></xs:attributeGroup>\
         <xs:element name='e'><xs:complexType><xs:attributeGroup ref='ag'/></xs:complexType></xs:element>",
    ];
    for body in cyclic {
        assert!(
            compile_text(dir.path(), &schema(body)).is_err(),
            "cyclic definition accepted: {body}"
        );
    }
}

#[test]
fn recursive_element_validates_deep_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = compile_text(
        dir.path(),
        &schema(
            "<xs:element name='e' type='t'/><xs:complexType name='t'><xs:sequence>\
             <xs:element ref='e' minOccurs='0'/></xs:sequence></xs:complexType>",
        ),
    )
    .expect("a recursive element through an optional particle is a valid schema");
    let nested = |depth: usize, inner: &str| {
        format!("{}{inner}{}", "<e>".repeat(depth), "</e>".repeat(depth))
    };
    assert_eq!(validate_text(&set, &nested(200, "")), Some(true));
    assert_eq!(validate_text(&set, &nested(200, "<f/>")), Some(false));
    // Deeper than the validator's nesting limit: an error, not a stack overflow.
    assert_eq!(validate_text(&set, &nested(1000, "")), Some(false));
}

#[test]
fn pathological_pattern_gives_the_right_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = compile_text(
        dir.path(),
        &schema(
            "<xs:element name='p'><xs:simpleType><xs:restriction base='xs:string'>\
             <xs:pattern value='(a*)*b'/></xs:restriction></xs:simpleType></xs:element>",
        ),
    )
    .expect("pattern schema compiles");
    let many_a = "a".repeat(100_000);
    assert_eq!(
        validate_text(&set, &format!("<p>{many_a}</p>")),
        Some(false)
    );
    assert_eq!(
        validate_text(&set, &format!("<p>{many_a}b</p>")),
        Some(true)
    );
    assert_eq!(
        validate_text(&set, &format!("<p>{many_a}ba</p>")),
        Some(false)
    );
}
