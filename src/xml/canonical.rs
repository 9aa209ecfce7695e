//! Canonical text of an XML element for snapshots: insensitive to namespace prefixes, attribute
//! order and insignificant whitespace, with volatile values (UUIDs, timestamps) redacted so two
//! runs of a deterministic provider give the same text.

use std::collections::BTreeMap;
use std::fmt::Write;

use roxmltree::Node;

/// Renders `element` canonically. Namespaces are written with the prefixes in `preferred`
/// (namespace → prefix) and `ns1`, `ns2`, … in order of first appearance otherwise, and
/// declared once on the first line.
pub fn canonicalize(element: Node, preferred: &BTreeMap<String, String>) -> String {
    let mut prefixes = Prefixes {
        preferred,
        assigned: BTreeMap::new(),
        order: Vec::new(),
    };
    let mut body = String::new();
    write_element(element, 0, &mut prefixes, &mut body);
    let mut out = String::new();
    for (namespace, prefix) in &prefixes.order {
        let _ = writeln!(out, "xmlns:{prefix}=\"{namespace}\"");
    }
    out.push_str(&body);
    out
}

struct Prefixes<'p> {
    preferred: &'p BTreeMap<String, String>,
    assigned: BTreeMap<String, String>,
    order: Vec<(String, String)>,
}

impl Prefixes<'_> {
    fn qualify(&mut self, namespace: Option<&str>, local: &str) -> String {
        let Some(namespace) = super::effective_namespace(namespace) else {
            return local.to_owned();
        };
        if let Some(prefix) = self.assigned.get(namespace) {
            return format!("{prefix}:{local}");
        }
        let prefix = self
            .preferred
            .get(namespace)
            .cloned()
            .unwrap_or_else(|| format!("ns{}", self.order.len() + 1));
        self.assigned.insert(namespace.to_owned(), prefix.clone());
        self.order.push((namespace.to_owned(), prefix.clone()));
        format!("{prefix}:{local}")
    }
}

fn write_element(element: Node, depth: usize, prefixes: &mut Prefixes, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name = prefixes.qualify(element.tag_name().namespace(), element.tag_name().name());
    let mut attributes: Vec<(String, String)> = element
        .attributes()
        .map(|a| (prefixes.qualify(a.namespace(), a.name()), redact(a.value())))
        .collect();
    attributes.sort();
    let _ = write!(out, "{indent}<{name}");
    for (attr, value) in &attributes {
        let _ = write!(out, " {attr}=\"{}\"", escape(value));
    }
    let children: Vec<Node> = element.children().filter(|n| n.is_element()).collect();
    let text: String = element
        .children()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let text = collapse_whitespace(&text);
    if children.is_empty() {
        if text.is_empty() {
            out.push_str("/>\n");
        } else {
            let _ = writeln!(out, ">{}</{name}>", escape(&redact(&text)));
        }
        return;
    }
    out.push_str(">\n");
    if !text.is_empty() {
        let _ = writeln!(out, "{indent}  {}", escape(&redact(&text)));
    }
    for child in children {
        write_element(child, depth + 1, prefixes, out);
    }
    let _ = writeln!(out, "{indent}</{name}>");
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Replaces values that differ on every call by a placeholder naming their kind.
fn redact(value: &str) -> String {
    if is_uuid(value) {
        "[uuid]".to_owned()
    } else if is_date_time(value) {
        "[datetime]".to_owned()
    } else {
        value.to_owned()
    }
}

fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date_time(value: &str) -> bool {
    // yyyy-mm-ddThh:mm… — a moment in time, never stable between runs.
    let bytes = value.as_bytes();
    bytes.len() >= 16
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(xml: &str) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        canonicalize(doc.root_element(), &BTreeMap::new())
    }

    #[test]
    fn prefixes_attribute_order_and_whitespace_do_not_matter() {
        let a = r#"<a:R xmlns:a="urn:x" z="1" b="2">
            <a:V>  some   text </a:V></a:R>"#;
        let b = r#"<R xmlns="urn:x" b="2" z="1"><V>some text</V></R>"#;
        assert_eq!(canon(a), canon(b));
    }

    #[test]
    fn volatile_values_are_redacted_but_others_kept() {
        let text = canon(
            r#"<R><Id>0f8fad5b-d9cb-469f-a165-70867728950e</Id><T>2024-05-01T10:00:00Z</T><D>2024-05-01</D></R>"#,
        );
        assert!(text.contains("<Id>[uuid]</Id>"), "{text}");
        assert!(text.contains("<T>[datetime]</T>"), "{text}");
        assert!(text.contains("<D>2024-05-01</D>"), "{text}");
    }

    #[test]
    fn an_undeclared_default_namespace_is_no_namespace() {
        assert_eq!(
            canon(r#"<R xmlns="urn:x"><V xmlns=""/></R>"#),
            canon(r#"<p:R xmlns:p="urn:x"><V/></p:R>"#)
        );
    }

    #[test]
    fn different_namespaces_stay_different() {
        assert_ne!(
            canon(r#"<R xmlns="urn:x"/>"#),
            canon(r#"<R xmlns="urn:y"/>"#)
        );
    }
}
