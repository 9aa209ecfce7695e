//! Robustness of the XSD processor: mutated schema documents (real contract schemas and small
//! XSTS schemas with attributes deleted or duplicated, element names swapped, random bytes)
//! compile to Ok or a SchemaError without panicking, and compiled ones validate mutated
//! instances without panicking. Plus cyclic groups/types and a pathological pattern, asserting
//! the verdict (never the time). PROPTEST_CASES overrides the small default case count.

mod fuzz_support;
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

/// Seeds for the well-formedness differential: every kind of markup, and valid against
/// [`ANY_ROOT`] so the stream's own verdict is the one reported (a document with schema errors
/// is parsed into a tree again, which would hide a well-formedness check the stream missed).
const WELL_FORMED_SEEDS: [&str; 4] = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns:p=\"urn:p\" a=\"1\" p:b='v &amp; w'>\n  \
     <p:x y=\"æ\">text &lt; &#65; &#x42;</p:x><!-- a comment --><?pi data?><![CDATA[ <raw> ]]>\
     <e/></r>\n",
    "<r><a><b c=\"d\"/></a>ø</r>",
    "<?xml version='1.0' standalone='yes'?><!-- c --><r>x<y:z xmlns:y='urn:y'/></r><!-- after --><?p?>",
    "\u{feff}<r\n  x = 'é'\t>\r\n<é·-.1:a xmlns:é·-.1='urn:e' é·-.1:q='&#x9;'/></r>",
];

/// Syntax the mutations splice in, aimed at the rules a reader can forget: characters outside
/// Char, name characters, `]]>` in text, `<` and `&` in values, comments, XML declarations.
const WELL_FORMEDNESS_TOKENS: &[&str] = &[
    "\u{1}",
    "\u{B}",
    "\u{1F}",
    "\u{7F}",
    "\u{85}",
    "\u{FFFE}",
    "\u{FFFF}",
    "\u{FEFF}",
    "\u{D7}",
    "\u{37E}",
    "\u{300}",
    "\u{B7}",
    "\u{10000}",
    "]]>",
    "]]",
    "<",
    ">",
    "&",
    "& ",
    "&#",
    "&#0;",
    "&#x1;",
    "&#xFFFF;",
    "&#xD800;",
    "&#x110000;",
    "&#65",
    "&amp",
    "&a b;",
    "--",
    "-",
    "<!--",
    "-->",
    "<!-- - -->",
    "<?xml version='1.0'?>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>",
    "<?xml  version='1.0' ?>",
    "<?xml version='1.0'encoding='UTF-8'?>",
    "<?xml encoding='UTF-8' version='1.0'?>",
    "<?xml version='1.1'?>",
    "<?xml version='2.0'?>",
    "<?xml version='1.0' standalone='maybe'?>",
    "<?xml version='1.0' encoding='Latin-1'?>",
    "<?xml?>",
    "<?XML version='1.0'?>",
    "<?xml-stylesheet href='a'?>",
    "<?pi?>",
    "<??>",
    "<?1pi?>",
    "?>",
    "<![CDATA[",
    "<![CDATA[x]]>",
    "<!DOCTYPE r>",
    " a='1'",
    " a='<'",
    " a=\"'\"",
    " b='1' b='2'",
    " xmlns:p='urn:p' p:c='1' p:c='2'",
    " xmlns:q='urn:p' xmlns:s='urn:p' q:d='1' s:d='2'",
    " xmlns:p=''",
    " xmlns=''",
    " xmlns:xmlns='urn:x'",
    " xmlns:xml='urn:x'",
    " xml:lang='da'",
    "=",
    "='x'",
    "'",
    "\"",
    ":",
    "p:",
    "1",
    ".",
    " ",
    "\t",
    "\r",
    "\r\n",
    "/",
    "/>",
    "</",
    "</r>",
    "<r>",
    "<x/>",
    "</x>",
    "<r/>",
];

/// What the stream refuses and roxmltree accepts, by the stream's message: each breaks a rule
/// of XML 1.0 or of Namespaces in XML 1.0 that roxmltree does not enforce, so refusing is right
/// and matching roxmltree would mean accepting documents no conforming parser accepts.
const STRICTER_THAN_THE_TREE: [(&str, &str); 6] = [
    (
        "is not a valid codepoint",
        "&#xD800; or &#x110000; refers to no XML Char (WFC: Legal Character)",
    ),
    (
        "cannot be bound",
        "xmlns:xmlns='…' declares a reserved prefix (Namespaces, Reserved Prefixes)",
    ),
    (
        "is not declared",
        "<:a> has an empty prefix, not a QName; xmlns:p='' undeclares, which only \
         Namespaces 1.1 allows, so p: is then unbound",
    ),
    ("but `</:", "</:a> has an empty prefix, not a QName"),
    (
        "text outside the document element",
        "a second byte order mark, which is the character U+FEFF, not whitespace \
         (roxmltree skips one more than the caller strips)",
    ),
    (
        "an attribute value not closed",
        "<?xml version='1?>'?>: the declaration ends at the first ?> (XML 1.0 §2.8 allows \
         no ?> in its values); roxmltree reads on through the quote",
    ),
];

const ANY_ROOT: &str = "<xs:element name='r'/>";

/// The tree parser's verdict on `bytes`, as `kontrakt xsd validate` gave it before streaming.
fn tree_refuses(bytes: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => return Some(format!("not UTF-8: {e}")),
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .err()
        .map(|e| e.to_string())
}

#[test]
fn stream_refuses_exactly_what_the_tree_parser_refuses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = compile_text(dir.path(), &schema(ANY_ROOT)).expect("any-root schema compiles");
    for seed in WELL_FORMED_SEEDS {
        assert_eq!(tree_refuses(seed.as_bytes()), None, "seed {seed:?}");
        let report = set.validate_reader(std::io::Cursor::new(seed));
        assert!(report.is_ok_and(|r| r.errors.is_empty()), "seed {seed:?}");
    }
    let config = ProptestConfig {
        cases: cases().max(4096),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let strategy = (0..WELL_FORMED_SEEDS.len(), fuzz_support::mutations(4));
    proptest!(config, |((seed, mutations) in strategy)| {
        let bytes = fuzz_support::apply(
            WELL_FORMED_SEEDS[seed].as_bytes(),
            &mutations,
            WELL_FORMEDNESS_TOKENS,
        );
        let by_tree = tree_refuses(&bytes);
        let by_stream = set
            .validate_reader(std::io::Cursor::new(&bytes))
            .err()
            .map(|e| e.to_string());
        let stricter = by_tree.is_none()
            && by_stream.as_deref().is_some_and(|why| {
                STRICTER_THAN_THE_TREE
                    .iter()
                    .any(|(says, _)| why.contains(says))
            });
        prop_assert!(
            by_tree.is_some() == by_stream.is_some() || stricter,
            "{:?}\ntree: {:?}\nstream: {:?}",
            String::from_utf8_lossy(&bytes),
            by_tree,
            by_stream
        );
    });
}
