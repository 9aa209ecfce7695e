//! The vendored roxmltree (`vendor/roxmltree`, with faster scanning loops) against the genuine
//! crates.io release it was copied from: on generated XML-ish documents, valid and broken, both
//! must agree on success or failure, on the error (variant, position and message) and on every
//! node of the tree (kind, name, namespace, attributes, text and source ranges).
//!
//! The vendored crate's one addition, `Document::refill`, is held to the same standard: a refilled
//! tree must be the tree the genuine crate parses from the refilled text.
//!
//! `PROPTEST_CASES=100000 cargo test --release --test vendored_roxmltree` for a sustained run.

mod fuzz_support;

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use fuzz_support::{apply, mutations};

/// Everything observable about one parse, as text, so the two crates' types compare.
macro_rules! outcome_with {
    ($roxmltree:ident) => {
        pub fn outcome(
            text: &str,
            allow_dtd: bool,
            nodes_limit: u32,
        ) -> Result<Vec<String>, String> {
            let options = $roxmltree::ParsingOptions {
                allow_dtd,
                nodes_limit,
                ..$roxmltree::ParsingOptions::default()
            };
            let doc = $roxmltree::Document::parse_with_options(text, options)
                .map_err(|e| format!("{e:?}: {e}"))?;
            Ok(described(&doc))
        }

        pub fn described(doc: &$roxmltree::Document) -> Vec<String> {
            doc.descendants()
                .map(|node| {
                    let attributes: Vec<_> = node
                        .attributes()
                        .map(|a| {
                            let ranges = (a.range(), a.range_qname(), a.range_value());
                            format!("{:?} {:?} {:?}", a.namespace(), ranges, a.value_storage())
                        })
                        .collect();
                    format!(
                        "depth {} {node:?} {:?} {:?} {:?} {attributes:?}",
                        node.ancestors().count(),
                        node.range(),
                        node.text_storage(),
                        node.tag_name().namespace(),
                    )
                })
                .collect()
        }
    };
}

mod vendored {
    outcome_with!(roxmltree);
}

mod upstream {
    outcome_with!(roxmltree_upstream);
}

fn assert_same(text: &str, allow_dtd: bool, nodes_limit: u32) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        vendored::outcome(text, allow_dtd, nodes_limit),
        upstream::outcome(text, allow_dtd, nodes_limit),
        "{:?}",
        text
    );
    Ok(())
}

/// Mostly `good`, now and then `hostile`: a document of a few dozen parts still parses often.
fn mostly(
    good: impl Strategy<Value = String>,
    hostile: impl Strategy<Value = String>,
) -> impl Strategy<Value = String> {
    prop_oneof![40 => good, 1 => hostile]
}

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_owned)
}

/// Names: ones that can nest and bind (`p` and `q` are declared on the root), or any mix of
/// ASCII and non-ASCII name chars, chars allowed only after the first, colons and chars no
/// name may hold.
fn name() -> impl Strategy<Value = String> {
    mostly(
        pick(&[
            "r",
            "a",
            "b-1.x_",
            "p:a",
            "q:b",
            "p:æble",
            "Æble",
            "中",
            "_x",
            "a\u{B7}b\u{300}",
        ]),
        prop_oneof![
            pick(&[
                "p:x:y",
                "xml:lang",
                "xmlns",
                "xmlns:p",
                "xmlns:xml",
                "_:a",
                "a:",
                ":a",
                "u:a"
            ]),
            "[a-zA-Z0-9_.:\\-\u{B7}\u{300}æΩ中\u{10000}×\u{37E}\u{80}\u{2000}\u{FFFF} ]{0,8}",
        ],
    )
}

/// Character data: plain runs with ASCII and non-ASCII chars, references, or chars, markup and
/// references that text must not hold.
fn text() -> impl Strategy<Value = String> {
    let piece = mostly(
        prop_oneof![
            6 => "[a-z0-9 \t\r\næø中\u{10000}\u{7F}\u{80}\u{FFFD}>;#\"'=/-]{0,24}",
            1 => pick(&["&amp;", "&lt;", "&gt;", "&quot;", "&#x41;", "&#65;", "&#xE6;", "&e;", "\r\n", "]]"]),
        ],
        prop_oneof![
            "[\u{0}-\u{1F}\u{FFFE}\u{FFFF}<&]{1,2}",
            pick(&[
                "&#0;",
                "&#xFFFE;",
                "&#xD800;",
                "&#x110000;",
                "&#x;",
                "&t;",
                "&bad;",
                "&amp",
                "]]>"
            ]),
        ],
    );
    prop::collection::vec(piece, 0..4).prop_map(|pieces| pieces.concat())
}

/// ` name="value"`, sometimes with the space, the `=` or a valid value missing, or a namespace
/// declaration. Returns the name too.
fn attribute() -> impl Strategy<Value = (String, String)> {
    let value = prop_oneof![
        8 => text(),
        1 => pick(&["urn:p", "", "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/"]),
    ];
    let name = prop_oneof![8 => name(), 1 => pick(&["xmlns", "xmlns:p", "xmlns:q", "xmlns:n"])];
    (
        mostly(pick(&[" ", "\n\t"]), pick(&["", "\u{1}"])),
        name,
        mostly(pick(&["=", " = "]), pick(&["", "=="])),
        prop::sample::select(&['"', '\''][..]),
        value,
    )
        .prop_map(|(space, name, eq, quote, value)| {
            let value = value.replace(quote, "");
            let text = format!("{space}{name}{eq}{quote}{value}{quote}");
            (name, text)
        })
}

/// Attributes, each name once unless hostile: duplicates are refused and would end most
/// documents early.
fn attributes() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(attribute(), 0..4),
        prop::bool::weighted(0.03),
    )
        .prop_map(|(attributes, keep_duplicates)| {
            let mut seen = Vec::new();
            let mut out = String::new();
            for (name, text) in attributes {
                if keep_duplicates || !seen.contains(&name) {
                    out.push_str(&text);
                    seen.push(name);
                }
            }
            out
        })
}

/// Comments and processing instructions, allowed anywhere.
fn misc() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(&["", "\n", " \t"]),
        text().prop_map(|t| format!("<!--{}-->", t.replace('-', ""))),
        (name(), text()).prop_map(|(target, t)| format!("<?{target} {}?>", t.replace("?>", ""))),
    ]
}

/// Content that is not an element: text, CDATA, comments and processing instructions.
fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => text(),
        1 => text().prop_map(|t| format!("<![CDATA[{}]]>", t.replace("]]>", ""))),
        1 => misc(),
    ]
}

/// An element: start tag with attributes, then either `/>` or content and an end tag that
/// matches unless hostile.
fn element() -> impl Strategy<Value = String> {
    let empty =
        (name(), attributes()).prop_map(|(name, attributes)| format!("<{name}{attributes}/>"));
    let node = prop_oneof![2 => leaf(), 1 => empty];
    node.prop_recursive(5, 40, 5, |inner| {
        (
            name(),
            attributes(),
            prop::collection::vec(inner, 0..5),
            pick(&["", "", "", " ", "\n"]),
            proptest::option::weighted(0.02, name()),
        )
            .prop_map(|(name, attributes, children, space, other_end)| {
                let end = other_end.unwrap_or_else(|| name.clone());
                format!(
                    "<{name}{attributes}{space}>{}</{end}{space}>",
                    children.concat()
                )
            })
    })
}

/// A document: optional declaration and DTD (with entities that hold text, markup, unbalanced
/// tags and bad chars), misc around a root that declares `p` and `q`, then random edits.
fn document() -> impl Strategy<Value = String> {
    let declaration = mostly(
        pick(&[
            "",
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "\u{FEFF}<?xml version='1.0' standalone='yes' ?>",
        ]),
        pick(&[
            "<?xml version=\"1.æ\u{1}\" encoding='x'?>",
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?>",
            "<?xml version='1.0' encoding=\"æ<\"?>",
        ]),
    );
    let doctype = mostly(
        pick(&[
            "",
            "<!DOCTYPE r [<!ENTITY e \"x&lt;y æ\"><!ENTITY t \"<a>&e;</a> <p:c/>\">]>\n",
        ]),
        pick(&[
            "<!DOCTYPE r [<!ENTITY e \"</p>\"><!ENTITY t \"\u{1}\"><!-- c --><?pi x?>]>",
            "<!DOCTYPE r [<!ENTITY e '&t;'><!ENTITY t '&e;'>]>",
            "<!DOCTYPE r [<!ENTITY e '<a>x\u{FFFE}</a>'><!ENTITY t '&#x3C;'>]>",
            "<!DOCTYPE r SYSTEM \"r.dtd\">",
        ]),
    );
    let root_start = mostly(
        pick(&["<r xmlns:p='urn:p' xmlns:q=\"urn:q\" xmlns='urn:d'>"]),
        pick(&["<r>", "<p:r>"]),
    );
    let edits = proptest::option::weighted(0.2, mutations(4));
    (
        declaration,
        doctype,
        misc(),
        root_start,
        prop::collection::vec(element(), 0..4),
        misc(),
        edits,
    )
        .prop_map(
            |(declaration, doctype, before, root_start, content, after, edits)| {
                let text = format!(
                    "{declaration}{doctype}{before}{root_start}{}</r>{after}",
                    content.concat()
                );
                match edits {
                    Some(edits) => String::from_utf8_lossy(&apply(text.as_bytes(), &edits, TOKENS))
                        .into_owned(),
                    None => text,
                }
            },
        )
}

/// Spliced in by the random edits.
const TOKENS: &[&str] = &[
    "<", ">", "</", "/>", ":", "&", "]]>", "\u{0}", "æ", "\u{FFFE}", "\"",
];

/// Any chars, weighted towards the ones the fast paths decide on: every ASCII byte, markup,
/// non-ASCII name and non-name chars, and the non-chars U+FFFE and U+FFFF.
fn chars() -> impl Strategy<Value = String> {
    let char = prop_oneof![
        4 => prop::char::range('\0', '\u{7F}'),
        1 => prop::sample::select(&['<', '>', '&', ']', ':', '"', '\'', '?', '-'][..]),
        1 => prop::sample::select(&['\u{80}', '\u{B7}', '\u{300}', 'æ', '×', '\u{37E}', '\u{2000}', '中', '\u{FFFE}', '\u{FFFF}', '\u{10000}'][..]),
        1 => any::<char>(),
    ];
    prop::collection::vec(char, 0..16).prop_map(String::from_iter)
}

/// No limit, or one that the document may reach.
fn nodes_limit() -> impl Strategy<Value = u32> {
    prop_oneof![3 => Just(u32::MAX), 1 => 1..20u32]
}

proptest! {
    #[test]
    fn vendored_and_upstream_agree(
        text in document(),
        allow_dtd in any::<bool>(),
        nodes_limit in nodes_limit(),
    ) {
        assert_same(&text, allow_dtd, nodes_limit)?;
    }

    #[test]
    fn vendored_and_upstream_agree_on_every_prefix(text in document(), cut in any::<usize>()) {
        let mut end = cut % (text.len() + 1);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        assert_same(&text[..end], true, u32::MAX)?;
    }
}

/// The same chars in every place the fast paths read: names, text, attribute values, CDATA,
/// comments, processing instructions and the XML declaration.
#[test]
fn vendored_and_upstream_agree_on_any_chars() {
    const PLACES: &[&str] = &[
        "<{}/>",
        "<p:{} xmlns:p='urn:p'/>",
        "<r {}='v'/>",
        "<r>{}</r>",
        "<r>&#x41;{}</r>",
        "<r a=\"{}\" b='{}'/>",
        "<r><![CDATA[{}]]><!--{}--><?pi {}?></r>",
        "<?xml version=\"{}\"?><r/>",
        "<!DOCTYPE r [<!ENTITY e \"{}\">]><r>&e;</r>",
    ];
    proptest!(|(chars in chars(), place in prop::sample::select(PLACES))| {
        assert_same(&place.replace("{}", &chars), true, u32::MAX)?;
    });
}

/// The generator is only useful while it reaches both parsed trees and most kinds of error.
#[test]
fn documents_are_often_well_formed_and_often_not() {
    let mut runner = TestRunner::deterministic();
    let strategy = document();
    let (mut parsed, mut errors) = (0, BTreeSet::new());
    for _ in 0..2000 {
        let text = strategy
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        match vendored::outcome(&text, true, u32::MAX) {
            Ok(_) => parsed += 1,
            Err(e) => {
                errors.insert(
                    e.split([' ', '(', ':'])
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    }
    assert!(parsed > 600, "only {parsed} of 2000 documents parsed");
    assert!(errors.len() >= 15, "errors reached: {errors:?}");
}

/// Edges of the fast paths: where ASCII runs end, non-ASCII and invalid chars at every place,
/// end tags that almost repeat the open element's name.
#[test]
fn vendored_and_upstream_agree_on_edge_cases() {
    let cases = [
        "<a/>",
        "<a:b:c/>",
        "<æ:b xmlns:æ='u'/>",
        "<a:æ:b/>",
        "<a·b/>",
        "<·a/>",
        "<a\u{80}/>",
        "<\u{80}a/>",
        "<a\u{300}/>",
        "<p:\u{300}a xmlns:p='u'/>",
        "<1a/>",
        "<a:1/>",
        "<a b:1='x'/>",
        "<:a/>",
        "<a:/>",
        "<a",
        "<a:",
        "<a:b",
        "<r>text</r>",
        "<r>te\u{0}xt</r>",
        "<r>te\u{B}xt</r>",
        "<r>æøå \u{FFFE}</r>",
        "<r>æøå \u{FFFF}</r>",
        "<r>\u{7F}\u{80}\u{9F}</r>",
        "<r>a]]>b</r>",
        "<r>a]]b>c</r>",
        "<r>\r\n\t x</r>",
        "<r>tail",
        "<r>tail\u{1}",
        "<r>æ",
        "<?xml version=\"1\u{1}\"?><r/>",
        "<?xml version='1.0' encoding=\"æ<\"?><r/>",
        "<?xml version='1.0' encoding=\"æ",
        "<!DOCTYPE r [<!ENTITY e \"a\u{1}b\">]><r>&e;</r>",
        "<!DOCTYPE r [<!ENTITY e \"<a>x\u{FFFE}</a>\">]><r>&e;</r>",
        "<r></r >",
        "<r></r\t\n>",
        "<r></rr>",
        "<r></r",
        "<r></r ",
        "<r></r:>",
        "<r></>",
        "<r><a></a></>",
        "<r></r:a>",
        "<r></r\u{80}>",
        "<r></r\u{300}>",
        "<r></r·>",
        "<p:a xmlns:p='u'></p:a>",
        "<p:a xmlns:p='u'></p:ab>",
        "<p:a xmlns:p='u'></p:a:b>",
        "<p:a xmlns:p='u'></p:a\u{300}>",
        "<p:a xmlns:p='u'></pa>",
        "<p:a xmlns:p='u'></p>",
        "<p:a xmlns:p='u'></a>",
        "<p:a xmlns:p='u'></q:a>",
        "<p:a xmlns:p='u'></p:",
        "<a></p:a>",
        "<æ:ø xmlns:æ='u'></æ:ø>",
        "<æ></æø>",
        "<!DOCTYPE r [<!ENTITY e \"</r>\">]><r>&e;",
        "<!DOCTYPE r [<!ENTITY e \"<a x='1' xmlns:z='u' z:y='2'\">]><r>&e;</r>",
        "<!DOCTYPE r [<!ENTITY e \"<a x='1'\">]><r>&e;<b/></r>",
    ];
    for case in cases {
        for allow_dtd in [false, true] {
            assert_same(case, allow_dtd, u32::MAX).expect(case);
        }
    }
}

/// New text for some of a document's text nodes (`picks`, by index among them), each value cut or
/// padded with `x` to its node's length in bytes. Returns the refilled tree, if the vendored
/// crate refilled, and the genuine crate's parse of the refilled text.
fn refill(text: &str, picks: &[prop::sample::Index], values: &[String]) -> RefillOutcome {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(text, options) else {
        return None;
    };
    let texts: Vec<_> = doc.descendants().filter(|n| n.is_text()).collect();
    if texts.is_empty() {
        return None;
    }
    let mut chosen: Vec<_> = picks.iter().map(|pick| *pick.get(&texts)).collect();
    chosen.sort_by_key(|node| node.id().get());
    chosen.dedup_by_key(|node| node.id().get());
    let mut refilled = String::new();
    let mut from = 0;
    for (node, value) in chosen.iter().zip(values) {
        let range = node.range();
        refilled.push_str(&text[from..range.start]);
        let mut fitted = String::new();
        for c in value.chars() {
            if fitted.len() + c.len_utf8() > range.len() {
                break;
            }
            fitted.push(c);
        }
        while fitted.len() < range.len() {
            fitted.push('x');
        }
        refilled.push_str(&fitted);
        from = range.end;
    }
    refilled.push_str(&text[from..]);
    let ids: Vec<_> = chosen.iter().map(|node| node.id()).collect();
    let tree = doc
        .refill(&refilled, &ids)
        .map(|tree| vendored::described(&tree));
    Some((tree, upstream::outcome(&refilled, true, u32::MAX)))
}

type RefillOutcome = Option<(Option<Vec<String>>, Result<Vec<String>, String>)>;

/// Elements around plain text, text with references and line ends, CDATA, comments and
/// processing instructions; most parse, so refills are tried often.
fn refillable_document() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => "[a-z0-9 \t\næø-]{1,12}",
        1 => text(),
        1 => text().prop_map(|t| format!("<![CDATA[{}]]>", t.replace("]]>", ""))),
        1 => misc(),
    ];
    let content = leaf.prop_recursive(4, 30, 4, |inner| {
        (
            pick(&["a", "p:b", "c"]),
            attributes(),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(name, attributes, children)| {
                format!("<{name}{attributes}>{}</{name}>", children.concat())
            })
    });
    prop::collection::vec(content, 1..4)
        .prop_map(|content| format!("<r xmlns:p='urn:p'>{}</r>", content.concat()))
}

/// Mostly the plain values a template's placeholders take, sometimes any chars.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[0-9a-fA-F:+. -]{1,40}", 1 => chars()]
}

proptest! {
    #[test]
    fn a_refilled_document_is_what_upstream_parses(
        text in refillable_document(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        values in prop::collection::vec(value(), 4),
    ) {
        if let Some((Some(tree), parsed)) = refill(&text, &picks, &values) {
            prop_assert_eq!(Ok(tree), parsed, "{:?}", text);
        }
    }
}

/// The property above is only worth something while refills happen.
#[test]
fn documents_are_often_refilled() {
    let mut runner = TestRunner::deterministic();
    let strategy = (
        refillable_document(),
        prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        prop::collection::vec(value(), 4),
    );
    let mut refilled = 0;
    for _ in 0..2000 {
        let (text, picks, values) = strategy.new_tree(&mut runner).expect("a case").current();
        if let Some((Some(_), _)) = refill(&text, &picks, &values) {
            refilled += 1;
        }
    }
    assert!(refilled > 200, "only {refilled} of 2000 documents refilled");
}
