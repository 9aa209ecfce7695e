//! The schema-for-schemas: the structure every schema document must have (which elements may
//! appear where, in what order, with which attributes and attribute values).

use std::collections::HashSet;

use roxmltree::Node;

use super::XS;
use super::datatypes::is_ncname;

/// Kinds of attribute values the schema-for-schemas constrains.
#[derive(Clone, Copy)]
enum Lex {
    Any,
    NCName,
    QName,
    QNames,
    Occurs,
    MaxOccurs,
    Bool,
    Form,
    Use,
    Process,
    Block,
    Final,
    /// finalDefault on xs:schema, which also allows list and union.
    FullDerivations,
    /// final on xs:simpleType: list, union, restriction.
    SimpleFinal,
    Id,
    Token,
    /// The namespace constraint of xs:any and xs:anyAttribute.
    Wildcard,
}

/// A schema-for-schemas violation: the offending node and a message.
pub struct Violation<'a, 'i> {
    pub node: Node<'a, 'i>,
    pub message: String,
}

struct Rule {
    attributes: &'static [(&'static str, Lex, bool)],
    /// Alternatives; each a space-separated sequence of `name`, `(a|b)` with `?`, `*`, `+`.
    content: &'static [&'static str],
}

macro_rules! facets {
    () => {
        "(minExclusive|minInclusive|maxExclusive|maxInclusive|totalDigits|fractionDigits|length|minLength|maxLength|enumeration|whiteSpace|pattern)*"
    };
}

fn rule(name: &str, parent: &str) -> Option<Rule> {
    use Lex::*;
    let global = parent == "schema" || parent == "redefine";
    let facet_attrs: &'static [(&'static str, Lex, bool)] = &[
        ("id", Id, false),
        ("value", Any, true),
        ("fixed", Bool, false),
    ];
    let content_facet_attrs: &'static [(&'static str, Lex, bool)] =
        &[("id", Id, false), ("value", Any, true)];
    Some(match name {
        "schema" => Rule {
            attributes: &[
                ("attributeFormDefault", Form, false),
                ("blockDefault", Block, false),
                ("elementFormDefault", Form, false),
                ("finalDefault", FullDerivations, false),
                ("id", Id, false),
                ("targetNamespace", Any, false),
                ("version", Token, false),
            ],
            content: &[
                "(include|import|redefine|annotation)* (simpleType|complexType|group|attributeGroup|element|attribute|notation|annotation)*",
            ],
        },
        "include" => Rule {
            attributes: &[("id", Id, false), ("schemaLocation", Any, true)],
            content: &["annotation?"],
        },
        "redefine" => Rule {
            attributes: &[("id", Id, false), ("schemaLocation", Any, true)],
            content: &["(annotation|simpleType|complexType|group|attributeGroup)*"],
        },
        "import" => Rule {
            attributes: &[
                ("id", Id, false),
                ("namespace", Any, false),
                ("schemaLocation", Any, false),
            ],
            content: &["annotation?"],
        },
        "annotation" => Rule {
            attributes: &[("id", Id, false)],
            content: &["(appinfo|documentation)*"],
        },
        "notation" => Rule {
            attributes: &[
                ("id", Id, false),
                ("name", NCName, true),
                ("public", Token, false),
                ("system", Any, false),
            ],
            content: &["annotation?"],
        },
        "simpleType" if global => Rule {
            attributes: &[
                ("final", SimpleFinal, false),
                ("id", Id, false),
                ("name", NCName, true),
            ],
            content: &["annotation? (restriction|list|union)"],
        },
        "simpleType" => Rule {
            attributes: &[("id", Id, false)],
            content: &["annotation? (restriction|list|union)"],
        },
        "restriction" if parent == "simpleType" => Rule {
            attributes: &[("base", QName, false), ("id", Id, false)],
            content: &[concat!("annotation? simpleType? ", facets!())],
        },
        "list" => Rule {
            attributes: &[("id", Id, false), ("itemType", QName, false)],
            content: &["annotation? simpleType?"],
        },
        "union" => Rule {
            attributes: &[("id", Id, false), ("memberTypes", QNames, false)],
            content: &["annotation? simpleType*"],
        },
        "pattern" | "enumeration" => Rule {
            attributes: content_facet_attrs,
            content: &["annotation?"],
        },
        "minExclusive" | "minInclusive" | "maxExclusive" | "maxInclusive" | "totalDigits"
        | "fractionDigits" | "length" | "minLength" | "maxLength" | "whiteSpace" => Rule {
            attributes: facet_attrs,
            content: &["annotation?"],
        },
        "complexType" if global => Rule {
            attributes: &[
                ("abstract", Bool, false),
                ("block", Block, false),
                ("final", Final, false),
                ("id", Id, false),
                ("mixed", Bool, false),
                ("name", NCName, true),
            ],
            content: COMPLEX_TYPE_CONTENT,
        },
        "complexType" => Rule {
            attributes: &[("id", Id, false), ("mixed", Bool, false)],
            content: COMPLEX_TYPE_CONTENT,
        },
        "simpleContent" => Rule {
            attributes: &[("id", Id, false)],
            content: &["annotation? (restriction|extension)"],
        },
        "complexContent" => Rule {
            attributes: &[("id", Id, false), ("mixed", Bool, false)],
            content: &["annotation? (restriction|extension)"],
        },
        "restriction" if parent == "simpleContent" => Rule {
            attributes: &[("base", QName, true), ("id", Id, false)],
            content: &[concat!(
                "annotation? simpleType? ",
                facets!(),
                " (attribute|attributeGroup)* anyAttribute?"
            )],
        },
        "extension" if parent == "simpleContent" => Rule {
            attributes: &[("base", QName, true), ("id", Id, false)],
            content: &["annotation? (attribute|attributeGroup)* anyAttribute?"],
        },
        "restriction" | "extension" if parent == "complexContent" => Rule {
            attributes: &[("base", QName, true), ("id", Id, false)],
            content: &[
                "annotation? (group|all|choice|sequence)? (attribute|attributeGroup)* anyAttribute?",
            ],
        },
        "group" if global => Rule {
            attributes: &[("id", Id, false), ("name", NCName, true)],
            content: &["annotation? (all|choice|sequence)"],
        },
        "group" => Rule {
            attributes: &[
                ("id", Id, false),
                ("ref", QName, true),
                ("minOccurs", Occurs, false),
                ("maxOccurs", MaxOccurs, false),
            ],
            content: &["annotation?"],
        },
        "all" => Rule {
            attributes: &[
                ("id", Id, false),
                ("minOccurs", Occurs, false),
                ("maxOccurs", MaxOccurs, false),
            ],
            content: &["annotation? element*"],
        },
        "choice" | "sequence" => Rule {
            attributes: if parent == "group" {
                &[("id", Id, false)]
            } else {
                &[
                    ("id", Id, false),
                    ("minOccurs", Occurs, false),
                    ("maxOccurs", MaxOccurs, false),
                ]
            },
            content: &["annotation? (element|group|choice|sequence|any)*"],
        },
        "any" => Rule {
            attributes: &[
                ("id", Id, false),
                ("minOccurs", Occurs, false),
                ("maxOccurs", MaxOccurs, false),
                ("namespace", Wildcard, false),
                ("processContents", Process, false),
            ],
            content: &["annotation?"],
        },
        "anyAttribute" => Rule {
            attributes: &[
                ("id", Id, false),
                ("namespace", Wildcard, false),
                ("processContents", Process, false),
            ],
            content: &["annotation?"],
        },
        "attributeGroup" if global => Rule {
            attributes: &[("id", Id, false), ("name", NCName, true)],
            content: &["annotation? (attribute|attributeGroup)* anyAttribute?"],
        },
        "attributeGroup" => Rule {
            attributes: &[("id", Id, false), ("ref", QName, true)],
            content: &["annotation?"],
        },
        "attribute" if global => Rule {
            attributes: &[
                ("default", Any, false),
                ("fixed", Any, false),
                ("id", Id, false),
                ("name", NCName, true),
                ("type", QName, false),
            ],
            content: &["annotation? simpleType?"],
        },
        "attribute" => Rule {
            attributes: &[
                ("default", Any, false),
                ("fixed", Any, false),
                ("form", Form, false),
                ("id", Id, false),
                ("name", NCName, false),
                ("ref", QName, false),
                ("type", QName, false),
                ("use", Use, false),
            ],
            content: &["annotation? simpleType?"],
        },
        "element" if global => Rule {
            attributes: &[
                ("abstract", Bool, false),
                ("block", Block, false),
                ("default", Any, false),
                ("final", Final, false),
                ("fixed", Any, false),
                ("id", Id, false),
                ("name", NCName, true),
                ("nillable", Bool, false),
                ("substitutionGroup", QName, false),
                ("type", QName, false),
            ],
            content: ELEMENT_CONTENT,
        },
        "element" => Rule {
            attributes: &[
                ("block", Block, false),
                ("default", Any, false),
                ("fixed", Any, false),
                ("form", Form, false),
                ("id", Id, false),
                ("maxOccurs", MaxOccurs, false),
                ("minOccurs", Occurs, false),
                ("name", NCName, false),
                ("nillable", Bool, false),
                ("ref", QName, false),
                ("type", QName, false),
            ],
            content: ELEMENT_CONTENT,
        },
        "unique" | "key" => Rule {
            attributes: &[("id", Id, false), ("name", NCName, true)],
            content: &["annotation? selector field+"],
        },
        "keyref" => Rule {
            attributes: &[
                ("id", Id, false),
                ("name", NCName, true),
                ("refer", QName, true),
            ],
            content: &["annotation? selector field+"],
        },
        "selector" | "field" => Rule {
            attributes: &[("id", Id, false), ("xpath", Token, true)],
            content: &["annotation?"],
        },
        _ => return None,
    })
}

const COMPLEX_TYPE_CONTENT: &[&str] = &[
    "annotation? (simpleContent|complexContent)",
    "annotation? (group|all|choice|sequence)? (attribute|attributeGroup)* anyAttribute?",
];
const ELEMENT_CONTENT: &[&str] = &["annotation? (simpleType|complexType)? (unique|key|keyref)*"];

/// Checks a whole schema document; returns the first violation.
pub fn check<'a, 'i>(root: Node<'a, 'i>) -> Option<Violation<'a, 'i>> {
    let mut ids = HashSet::new();
    check_element(root, "", &mut ids, 0)
}

fn xs_children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

fn check_element<'a, 'i>(
    node: Node<'a, 'i>,
    parent: &str,
    ids: &mut HashSet<&'a str>,
    depth: usize,
) -> Option<Violation<'a, 'i>> {
    let fail = |message: String| Some(Violation { node, message });
    if depth > 200 {
        return fail("schema document nested too deeply".to_owned());
    }
    let name = node.tag_name().name();
    if node.tag_name().namespace() != Some(XS) {
        return fail(format!("element {name} is not in the XML Schema namespace"));
    }
    let Some(rule) = rule(name, parent) else {
        return fail(format!("xs:{name} is not allowed inside xs:{parent}"));
    };
    for attr in node.attributes() {
        match attr.namespace() {
            None => {}
            Some(XS) => {
                return fail(format!(
                    "attribute xs:{} is not allowed on xs:{name}",
                    attr.name()
                ));
            }
            Some(_) => continue,
        }
        let Some(&(_, lex, _)) = rule.attributes.iter().find(|(n, _, _)| *n == attr.name()) else {
            return fail(format!(
                "attribute {} is not allowed on xs:{name}",
                attr.name()
            ));
        };
        if let Err(message) = check_lexical(node, lex, attr.value()) {
            return fail(format!("attribute {} of xs:{name}: {message}", attr.name()));
        }
        if matches!(lex, Lex::Id) && !ids.insert(attr.value()) {
            return fail(format!("duplicate id {:?}", attr.value()));
        }
    }
    for (attr, _, required) in rule.attributes {
        if *required && node.attribute(*attr).is_none() {
            return fail(format!("xs:{name} needs a {attr} attribute"));
        }
    }
    if name == "appinfo" || name == "documentation" {
        return None;
    }
    let children: Vec<Node> = xs_children(node).collect();
    for child in node.children() {
        if child.is_text() && !child.text().unwrap_or("").trim().is_empty() {
            return fail(format!("xs:{name} must not contain text"));
        }
    }
    if name == "annotation" {
        for child in &children {
            let n = child.tag_name().name();
            if child.tag_name().namespace() != Some(XS) || (n != "appinfo" && n != "documentation")
            {
                return Some(Violation {
                    node: *child,
                    message: format!("xs:annotation may not contain {n}"),
                });
            }
            for attr in child.attributes() {
                let allowed = match attr.namespace() {
                    None => {
                        attr.name() == "source" || (n == "documentation" && attr.name() == "lang")
                    }
                    Some(XS) => false,
                    Some(ns) => ns != XS,
                };
                if !allowed {
                    return Some(Violation {
                        node: *child,
                        message: format!("attribute {} is not allowed on xs:{n}", attr.name()),
                    });
                }
            }
        }
        return None;
    }
    let names: Vec<&str> = children
        .iter()
        .map(|c| {
            if c.tag_name().namespace() == Some(XS) {
                c.tag_name().name()
            } else {
                ""
            }
        })
        .collect();
    if !rule
        .content
        .iter()
        .any(|pattern| matches_pattern(pattern, &names))
    {
        let found: Vec<String> = names.iter().map(|n| format!("xs:{n}")).collect();
        return fail(format!(
            "the content of xs:{name} must be {}; found ({})",
            rule.content.join(" or "),
            found.join(", ")
        ));
    }
    for child in children {
        if let Some(v) = check_element(child, name, ids, depth + 1) {
            return Some(v);
        }
    }
    None
}

/// Greedy matching of a sequence of occurrence-annotated slots; the slots of the patterns above
/// never compete for a name, so greedy matching is exact.
fn matches_pattern(pattern: &str, names: &[&str]) -> bool {
    let mut i = 0;
    for token in pattern.split(' ') {
        let (body, min, max) = match token.as_bytes().last() {
            Some(b'?') => (&token[..token.len() - 1], 0, 1),
            Some(b'*') => (&token[..token.len() - 1], 0, usize::MAX),
            Some(b'+') => (&token[..token.len() - 1], 1, usize::MAX),
            _ => (token, 1, 1),
        };
        let alternatives: Vec<&str> = body
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split('|')
            .collect();
        let mut count = 0;
        while count < max && i < names.len() && alternatives.contains(&names[i]) {
            i += 1;
            count += 1;
        }
        if count < min {
            return false;
        }
    }
    i == names.len()
}

fn collapse(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

fn check_lexical(node: Node, lex: Lex, raw: &str) -> Result<(), String> {
    let v = collapse(raw);
    let one_of = |allowed: &[&str]| {
        if allowed.contains(&v.as_str()) {
            Ok(())
        } else {
            Err(format!("{v:?} is not one of {allowed:?}"))
        }
    };
    let set_of = |allowed: &[&str]| {
        if v == "#all" || v.split(' ').all(|t| t.is_empty() || allowed.contains(&t)) {
            Ok(())
        } else {
            Err(format!("{v:?} is not #all or a list of {allowed:?}"))
        }
    };
    let qname = |q: &str| {
        if !is_qname(q) {
            return Err(format!("{q:?} is not a QName"));
        }
        match q.split_once(':') {
            Some((p, _)) if node.lookup_namespace_uri(Some(p)).is_none() && p != "xml" => {
                Err(format!("prefix {p:?} is not declared"))
            }
            _ => Ok(()),
        }
    };
    match lex {
        Lex::Any => Ok(()),
        Lex::Token => Ok(()),
        Lex::NCName | Lex::Id => {
            if is_ncname(&v) {
                Ok(())
            } else {
                Err(format!("{v:?} is not an NCName"))
            }
        }
        Lex::QName => qname(&v),
        Lex::QNames => v.split(' ').filter(|t| !t.is_empty()).try_for_each(qname),
        Lex::Occurs => parse_occurs(&v).map(|_| ()),
        Lex::MaxOccurs if v == "unbounded" => Ok(()),
        Lex::MaxOccurs => parse_occurs(&v).map(|_| ()),
        Lex::Bool => one_of(&["true", "false", "1", "0"]),
        Lex::Form => one_of(&["qualified", "unqualified"]),
        Lex::Use => one_of(&["optional", "prohibited", "required"]),
        Lex::Process => one_of(&["skip", "lax", "strict"]),
        Lex::Block => set_of(&["extension", "restriction", "substitution"]),
        Lex::Final => set_of(&["extension", "restriction"]),
        Lex::FullDerivations => set_of(&["extension", "restriction", "list", "union"]),
        Lex::SimpleFinal => set_of(&["list", "union", "restriction"]),
        Lex::Wildcard if v == "##any" || v == "##other" => Ok(()),
        Lex::Wildcard => match v
            .split(' ')
            .find(|t| t.starts_with("##") && *t != "##targetNamespace" && *t != "##local")
        {
            Some(t) => Err(format!("{t:?} is not allowed in a namespace list")),
            None => Ok(()),
        },
    }
}

/// Parses a nonNegativeInteger occurrence bound, saturating at u32::MAX.
pub fn parse_occurs(v: &str) -> Result<u32, String> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{v:?} is not a non-negative integer"));
    }
    Ok(digits.parse::<u32>().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_patterns_accept_and_refuse() {
        assert!(matches_pattern(
            "annotation? (restriction|list|union)",
            &["annotation", "list"]
        ));
        assert!(!matches_pattern(
            "annotation? (restriction|list|union)",
            &["list", "annotation"]
        ));
        assert!(matches_pattern(
            "annotation? selector field+",
            &["selector", "field", "field"]
        ));
        assert!(!matches_pattern(
            "annotation? selector field+",
            &["selector"]
        ));
    }
}
