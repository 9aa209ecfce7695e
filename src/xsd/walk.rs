//! The parsed-tree source of validation events (for elements of documents already parsed, such
//! as the body of a SOAP envelope), and the step that gives findings their line:column and path.

use roxmltree::Node;

use super::compile::NodeResolver;
use super::datatypes::NamespaceResolver;
use super::error::{ValidationError, ValidationReport};
use super::validate::{Attribute, Findings, StartTag, Validator};

/// Pushes the events of `root`'s subtree into the validator, in document order.
pub fn feed(validator: &mut Validator, root: Node) {
    // one buffer for every element's attributes, instead of a Vec per element
    let mut attributes = Vec::new();
    let mut node = root;
    loop {
        // the one place a node is opened, so that `open` is inlined here
        open(validator, node, &mut attributes);
        if let Some(child) = node.first_child() {
            node = child;
            continue;
        }
        // no children: close it and its ancestors up to one with a next sibling
        loop {
            if node.is_element() {
                validator.end_element(&InstanceScope(node));
            }
            if node == root {
                return;
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => return,
            }
        }
    }
}

fn open<'a>(validator: &mut Validator, node: Node<'a, '_>, attributes: &mut Vec<Attribute<'a>>) {
    if node.is_element() {
        attributes.clear();
        let found = node.attributes();
        // most elements have none, and extending by an empty iterator is not free
        if found.len() != 0 {
            attributes.extend(found.map(|a| Attribute {
                ns: a.namespace().filter(|ns| !ns.is_empty()),
                local: a.name(),
                value: a.value(),
            }));
        }
        let name = node.tag_name();
        let tag = StartTag {
            // `xmlns=""` gives the tree an empty namespace, where XML Namespaces says none
            ns: name.namespace().filter(|ns| !ns.is_empty()),
            local: name.name(),
            attributes,
            offset: node.range().start,
        };
        validator.start_element(&tag, &InstanceScope(node));
    } else if let Some(text) = node.text().filter(|_| node.is_text()) {
        validator.text(text, node.range().start);
    }
}

/// Prefixes in scope at an instance element; an undeclared default namespace (`xmlns=""`) is
/// none, as in the stream.
struct InstanceScope<'a, 'i>(Node<'a, 'i>);

impl NamespaceResolver for InstanceScope<'_, '_> {
    fn resolve(&self, prefix: &str) -> Option<String> {
        NodeResolver(self.0)
            .resolve(prefix)
            .filter(|ns| !ns.is_empty())
    }
}

/// The report on the subtree of `root`, whose events made `findings`: each error's offset as
/// line:column of the document, its element ordinal as a path from `root`.
pub fn locate(findings: Findings, root: Node) -> ValidationReport {
    let Findings { errors, truncated } = findings;
    if errors.is_empty() {
        // the usual report: nothing to locate
        return ValidationReport {
            errors: vec![],
            truncated,
        };
    }
    let elements: Vec<Node> = root.descendants().filter(Node::is_element).collect();
    let positions = positions(
        root.document().input_text(),
        errors.iter().map(|f| f.offset),
    );
    let errors = errors
        .into_iter()
        .map(|finding| {
            let (line, column) = positions
                .binary_search_by_key(&finding.offset, |(offset, _)| *offset)
                .map_or((0, 0), |i| positions[i].1);
            let mut path = (elements.get(finding.ordinal))
                .map(|element| element_path(*element, root))
                .unwrap_or_default();
            if let Some(attribute) = finding.attribute {
                path.push_str("/@");
                path.push_str(&attribute);
            }
            ValidationError {
                line,
                column,
                path,
                message: finding.message,
            }
        })
        .collect();
    ValidationReport { errors, truncated }
}

/// The 1-based line and column (in characters) of every byte offset, by offset: counted in
/// one pass over the text, however many errors a large document has.
pub fn positions(text: &str, offsets: impl IntoIterator<Item = usize>) -> Vec<(usize, (u32, u32))> {
    let mut offsets: Vec<usize> = offsets.into_iter().collect();
    offsets.sort_unstable();
    offsets.dedup();
    let bytes = text.as_bytes();
    let (mut counted, mut line, mut line_start) = (0, 1u32, 0);
    let mut out = Vec::with_capacity(offsets.len());
    for offset in offsets {
        let end = offset.min(bytes.len());
        let passed = &bytes[counted.min(end)..end];
        line += passed.iter().filter(|&&b| b == b'\n').count() as u32;
        if let Some(last) = passed.iter().rposition(|&b| b == b'\n') {
            line_start = counted + last + 1;
        }
        counted = end;
        let column = text.get(line_start..end).map_or(0, |s| s.chars().count()) as u32 + 1;
        out.push((offset, (line, column)));
    }
    out
}

/// `/Envelope/Body/Request/Item[2]/Status` from `root` down, with `[n]` where the name repeats
/// among the element's siblings.
fn element_path(element: Node, root: Node) -> String {
    let mut steps = vec![];
    let mut node = element;
    loop {
        let name = node.tag_name();
        let parent = node.parent_element().filter(|_| node != root);
        let Some(parent) = parent else {
            steps.push(name.name().to_owned());
            break;
        };
        let (mut position, mut total) = (0, 0);
        for sibling in parent
            .children()
            .filter(|s| s.is_element() && s.tag_name() == name)
        {
            total += 1;
            if sibling == node {
                position = total;
            }
        }
        steps.push(if total == 1 {
            name.name().to_owned()
        } else {
            format!("{}[{position}]", name.name())
        });
        node = parent;
    }
    steps.reverse();
    format!("/{}", steps.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_the_tree_parsers() {
        let text = "<a>\næø<b/>\r\n  <c>å</c>\n\n<d x='1'>tekst</d></a>";
        let doc = roxmltree::Document::parse(text).unwrap();
        // in reverse, as late errors (IDREFs, keyrefs) come
        let positions = positions(text, doc.descendants().rev().map(|n| n.range().start));
        assert_eq!(
            positions.len(),
            doc.descendants().count() - 1,
            "root and a share 0"
        );
        for (offset, position) in positions {
            let theirs = doc.text_pos_at(offset);
            assert_eq!(position, (theirs.row, theirs.col), "at {offset}");
        }
    }
}
