//! A small path language for addressing parts of a message from contract rules:
//! `//p:Name` (anywhere below the context), `p:A/p:B` (children), `p:A//p:B`, and a final
//! `@attr` or `@p:attr`. Prefixes come from the contract's `[namespaces]` table.

use std::borrow::Cow;
use std::collections::BTreeMap;

use roxmltree::Node;

/// Prefix → namespace URI bindings a path is resolved against.
pub type Namespaces = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PathError {
    #[error("empty path")]
    Empty,
    #[error("empty step in path `{0}`")]
    EmptyStep(String),
    #[error("prefix `{prefix}` in path `{path}` is not declared in [namespaces]")]
    UnknownPrefix { prefix: String, path: String },
    #[error("attribute step must be last in path `{0}`")]
    AttributeNotLast(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Name {
    namespace: Option<String>,
    local: String,
}

impl Name {
    fn matches(&self, namespace: Option<&str>, local: &str) -> bool {
        self.local == local && self.namespace.as_deref() == super::effective_namespace(namespace)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    descendant: bool,
    name: Name,
}

impl Step {
    #[inline]
    fn selects(&self, node: &Node) -> bool {
        node.is_element()
            && self
                .name
                .matches(node.tag_name().namespace(), node.tag_name().name())
    }
}

/// A compiled path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlPath {
    source: String,
    steps: Vec<Step>,
    attribute: Option<Name>,
}

impl XmlPath {
    pub fn parse(source: &str, namespaces: &Namespaces) -> Result<Self, PathError> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err(PathError::Empty);
        }
        let resolve = |qname: &str| -> Result<Name, PathError> {
            match qname.split_once(':') {
                Some((prefix, local)) => {
                    let namespace =
                        namespaces
                            .get(prefix)
                            .ok_or_else(|| PathError::UnknownPrefix {
                                prefix: prefix.to_owned(),
                                path: source.to_owned(),
                            })?;
                    Ok(Name {
                        namespace: Some(namespace.clone()),
                        local: local.to_owned(),
                    })
                }
                None => Ok(Name {
                    namespace: None,
                    local: qname.to_owned(),
                }),
            }
        };
        let mut steps = Vec::new();
        let mut attribute = None;
        let mut descendant = false;
        let mut rest = trimmed;
        if let Some(stripped) = rest.strip_prefix("//") {
            descendant = true;
            rest = stripped;
        }
        let parts: Vec<&str> = rest.split('/').collect();
        for (index, part) in parts.iter().enumerate() {
            if part.is_empty() {
                // `a//b`: the empty part between the slashes marks the next step as descendant.
                if descendant || index == 0 || index + 1 == parts.len() {
                    return Err(PathError::EmptyStep(source.to_owned()));
                }
                descendant = true;
                continue;
            }
            if let Some(attr) = part.strip_prefix('@') {
                if index + 1 != parts.len() {
                    return Err(PathError::AttributeNotLast(source.to_owned()));
                }
                // Unprefixed attributes are in no namespace, like XPath.
                attribute = Some(resolve(attr)?);
                continue;
            }
            steps.push(Step {
                descendant,
                name: resolve(part)?,
            });
            descendant = false;
        }
        Ok(XmlPath {
            source: source.to_owned(),
            steps,
            attribute,
        })
    }

    /// The path as written in the contract.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The local name the path ends in (its attribute's, or its last element step's).
    pub fn last_local_name(&self) -> Option<&str> {
        match &self.attribute {
            Some(attr) => Some(&attr.local),
            None => self.steps.last().map(|step| step.name.local.as_str()),
        }
    }

    /// Whether the path selects an attribute rather than element text.
    pub fn selects_attribute(&self) -> bool {
        self.attribute.is_some()
    }

    /// Elements the path's element steps reach from `context`, in document order.
    pub fn elements<'a, 'i>(&self, context: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
        let mut current = vec![context];
        for step in &self.steps {
            let selected = |n: &Node| step.selects(n);
            let mut next = Vec::new();
            // End of the last subtree searched by a descendant step: nodes inside it were already
            // reached, and searching them again would repeat results (and, over `//a//a//a` on a
            // deep document, multiply the work with every step).
            let mut searched_until = 0;
            for node in &current {
                if !step.descendant {
                    next.extend(node.children().filter(selected));
                } else if node.range().start >= searched_until {
                    searched_until = node.range().end;
                    next.extend(node.descendants().skip(1).filter(selected));
                }
            }
            // Node ids follow document order; one context node's children or descendants
            // already come in that order, once each.
            if current.len() > 1 {
                next.sort_by_key(|n| n.id().get_usize());
                next.dedup_by_key(|n| n.id());
            }
            current = next;
        }
        current
    }

    /// Whether the path's element steps select the element reached from the context by
    /// `chain` (namespace, local name), child by child — for a document still being built.
    pub fn selects_chain(&self, chain: &[(Option<&str>, &str)]) -> bool {
        fn matches(steps: &[Step], chain: &[(Option<&str>, &str)]) -> bool {
            let (Some(step), Some(&(namespace, local))) = (steps.first(), chain.first()) else {
                return steps.is_empty() && chain.is_empty();
            };
            let here = step.name.matches(namespace, local) && matches(&steps[1..], &chain[1..]);
            here || (step.descendant && matches(steps, &chain[1..]))
        }
        self.attribute.is_none() && matches(&self.steps, chain)
    }

    /// String values the path selects: attribute values, or the text content of elements.
    /// Borrowed from the document where the value is one piece of it, as most are.
    pub fn values<'a>(&self, context: Node<'a, '_>) -> Vec<Cow<'a, str>> {
        self.elements(context)
            .into_iter()
            .filter_map(|element| self.value_of(element))
            .collect()
    }

    /// The first selected value, if any.
    pub fn first_value<'a>(&self, context: Node<'a, '_>) -> Option<Cow<'a, str>> {
        self.find_map_value(context, Some)
    }

    /// The first `Some` that `f` gives for the selected values, taken in document order.
    pub fn find_map_value<'a, T>(
        &self,
        context: Node<'a, '_>,
        mut f: impl FnMut(Cow<'a, str>) -> Option<T>,
    ) -> Option<T> {
        // Rules read values on every exchange. Along child steps only, a depth-first search
        // meets the selected elements in document order, so it can stop at the first answer
        // without collecting the rest; a descendant step can reach a later element first.
        if self.steps.iter().any(|step| step.descendant) {
            return self
                .elements(context)
                .into_iter()
                .filter_map(|element| self.value_of(element))
                .find_map(f);
        }
        self.find_map_along(&self.steps, context, &mut f)
    }

    fn find_map_along<'a, T>(
        &self,
        steps: &[Step],
        node: Node<'a, '_>,
        f: &mut impl FnMut(Cow<'a, str>) -> Option<T>,
    ) -> Option<T> {
        let Some((step, rest)) = steps.split_first() else {
            return self.value_of(node).and_then(f);
        };
        // Walked sibling by sibling rather than with `children()`: rules evaluate paths on every
        // exchange, and the double-ended iterator's end check costs as much as the step test.
        let mut child = node.first_child();
        while let Some(candidate) = child {
            if step.selects(&candidate)
                && let Some(found) = self.find_map_along(rest, candidate, f)
            {
                return Some(found);
            }
            child = candidate.next_sibling();
        }
        None
    }

    /// The value the path selects at one element its steps reached.
    fn value_of<'a>(&self, element: Node<'a, '_>) -> Option<Cow<'a, str>> {
        match &self.attribute {
            Some(attr) => element
                .attributes()
                .find(|a| attr.matches(a.namespace(), a.name()))
                .map(|a| Cow::Borrowed(a.value())),
            None => Some(text_content(element)),
        }
    }
}

/// Concatenated text of an element, trimmed.
pub fn text_content<'a>(element: Node<'a, '_>) -> Cow<'a, str> {
    // Rules read values on every exchange, and most elements hold a single text node: that one
    // is borrowed, trimmed, without walking the subtree or building a concatenation.
    if let Some(only) = element.first_child()
        && only.is_text()
        && only.next_sibling().is_none()
    {
        return Cow::Borrowed(trim(only.text().unwrap_or_default()));
    }
    let mut texts = element
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text());
    let first = texts.next().unwrap_or_default();
    match texts.next() {
        None => Cow::Borrowed(trim(first)),
        Some(second) => {
            let mut all = String::from(first);
            all.push_str(second);
            all.extend(texts);
            Cow::Owned(all.trim().to_owned())
        }
    }
}

/// `str::trim`, answered without decoding characters for the usual value that starts and ends
/// in a printable ASCII character (no Unicode white space is ASCII outside the control range
/// and the space).
fn trim(text: &str) -> &str {
    let printable = |byte: Option<&u8>| byte.is_some_and(|b| (b'!'..=b'~').contains(b));
    if printable(text.as_bytes().first()) && printable(text.as_bytes().last()) {
        return text;
    }
    text.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> Namespaces {
        [("k".to_owned(), "urn:k".to_owned())].into_iter().collect()
    }

    const DOC: &str = r#"<k:R xmlns:k="urn:k"><k:A><k:B id="1">x</k:B><k:B id="2"> y </k:B></k:A><B>plain</B></k:R>"#;

    #[test]
    fn selects_children_descendants_and_attributes() {
        let doc = roxmltree::Document::parse(DOC).unwrap();
        let root = doc.root_element();
        let p = |s: &str| XmlPath::parse(s, &ns()).unwrap();
        assert_eq!(p("k:A/k:B").values(root), vec!["x", "y"]);
        assert_eq!(p("//k:B").values(root), vec!["x", "y"]);
        assert_eq!(p("k:A/k:B/@id").values(root), vec!["1", "2"]);
        assert_eq!(p("B").values(root), vec!["plain"]);
        assert_eq!(p("k:A//k:B").first_value(root).as_deref(), Some("x"));
        assert_eq!(p("k:A/k:B/@id").first_value(root).as_deref(), Some("1"));
        assert_eq!(p("B").first_value(root).as_deref(), Some("plain"));
        assert_eq!(p("k:A/k:Missing").first_value(root), None);
        // Document order, not the order a depth-first search along the steps meets them.
        let nested =
            r#"<k:R xmlns:k="urn:k"><k:A><k:A><k:B>inner</k:B></k:A><k:B>outer</k:B></k:A></k:R>"#;
        let nested = roxmltree::Document::parse(nested).unwrap();
        let first = p("//k:A/k:B").first_value(nested.root_element());
        assert_eq!(first.as_deref(), Some("inner"));
        assert!(p("k:Missing").values(root).is_empty());
    }

    #[test]
    fn chains_of_names_are_matched_like_documents() {
        let p = |s: &str| XmlPath::parse(s, &ns()).unwrap();
        let (a, b, plain) = ((Some("urn:k"), "A"), (Some("urn:k"), "B"), (None, "B"));
        assert!(p("k:A/k:B").selects_chain(&[a, b]));
        assert!(!p("k:A/k:B").selects_chain(&[a]));
        assert!(!p("k:A/k:B").selects_chain(&[a, plain]));
        assert!(p("//k:B").selects_chain(&[a, a, b]));
        assert!(p("k:A//k:B").selects_chain(&[a, a, b]));
        assert!(!p("k:A//k:B").selects_chain(&[b, a, b]));
        assert!(!p("k:A/k:B/@id").selects_chain(&[a, b]));
    }

    #[test]
    fn values_are_trimmed_of_unicode_white_space_too() {
        let doc = roxmltree::Document::parse(
            "<r><a>\u{a0}x\u{2003}</a><b>\u{e6}</b><c>\t!~\n</c><d/></r>",
        )
        .unwrap();
        let p = |s: &str| XmlPath::parse(s, &ns()).unwrap();
        let first = |s: &str| p(s).first_value(doc.root_element());
        assert_eq!(first("a").as_deref(), Some("x"));
        assert_eq!(first("b").as_deref(), Some("\u{e6}"));
        assert_eq!(first("c").as_deref(), Some("!~"));
        assert_eq!(first("d").as_deref(), Some(""));
    }

    #[test]
    fn nested_matches_come_once_in_document_order() {
        let doc =
            roxmltree::Document::parse("<r><a>1<a>2<b>x</b><a>3<a>4</a></a></a><b>y</b></a></r>")
                .unwrap();
        let p = |s: &str| XmlPath::parse(s, &ns()).unwrap();
        assert_eq!(
            p("//a//a").values(doc.root_element()),
            vec!["2x34", "34", "4"]
        );
        assert_eq!(p("//a/b").values(doc.root_element()), vec!["x", "y"]);
    }

    #[test]
    fn rejects_bad_paths() {
        assert_eq!(XmlPath::parse("", &ns()), Err(PathError::Empty));
        assert!(matches!(
            XmlPath::parse("x:A", &ns()),
            Err(PathError::UnknownPrefix { .. })
        ));
        assert!(matches!(
            XmlPath::parse("k:A/@id/k:B", &ns()),
            Err(PathError::AttributeNotLast(_))
        ));
        assert!(matches!(
            XmlPath::parse("k:A/", &ns()),
            Err(PathError::EmptyStep(_))
        ));
    }
}
