//! XML plumbing shared by the harness: hardened parsing, a small path language for rules, and the
//! canonical form used for snapshots.

pub mod canonical;
pub mod path;
mod refill;

pub use refill::{Parsed, Recurring, Refillable};

use roxmltree::{Document, ParsingOptions};

/// Deepest element nesting accepted. Real SOAP messages stay far below it; deeper input is an
/// attack on recursive consumers, so it is refused before anything walks the tree.
pub const MAX_DEPTH: usize = 256;

/// Why a text could not be accepted as an XML document.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("not well-formed XML: {0}")]
    Malformed(#[from] roxmltree::Error),
    #[error("elements nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Parses untrusted XML: DTDs (and with them every entity trick) are refused, nesting is bounded.
pub fn parse(text: &str) -> Result<Document<'_>, XmlError> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)?;
    // Nesting deeper than MAX_DEPTH takes more than MAX_DEPTH element nodes besides the root, so
    // a tree without a node numbered MAX_DEPTH + 1 cannot be too deep: one lookup instead of
    // walking (or counting the `<` of) every message.
    if doc
        .get_node(roxmltree::NodeId::from(MAX_DEPTH + 1))
        .is_some()
    {
        check_depth(&doc)?;
    }
    Ok(doc)
}

/// Refuses a document with elements nested deeper than [`MAX_DEPTH`], counting the open
/// elements along one depth-first walk instead of keeping a depth per node.
fn check_depth(doc: &Document) -> Result<(), XmlError> {
    let root = doc.root();
    let (mut node, mut depth) = (root, 0usize);
    loop {
        if let Some(child) = node.first_element_child() {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(XmlError::TooDeep);
            }
            node = child;
            continue;
        }
        // no element children: up to the nearest element with a next sibling element
        loop {
            if node == root {
                return Ok(());
            }
            if let Some(next) = node.next_sibling_element() {
                node = next;
                break;
            }
            let Some(parent) = node.parent() else {
                return Ok(());
            };
            node = parent;
            depth -= 1;
        }
    }
}

/// The namespace of a name as roxmltree reports it, with `Some("")` (what `xmlns=""`, the
/// undeclaration of the default namespace, yields) read as what it means: no namespace.
pub fn effective_namespace(namespace: Option<&str>) -> Option<&str> {
    namespace.filter(|ns| !ns.is_empty())
}

/// Line and column of a node, 1-based, for messages.
pub fn position(node: roxmltree::Node) -> (u32, u32) {
    let pos = node.document().text_pos_at(node.range().start);
    (pos.row, pos.col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_doctype_and_entities() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>"#;
        assert!(matches!(parse(bomb), Err(XmlError::Malformed(_))));
    }

    #[test]
    fn refuses_deep_nesting_but_accepts_the_limit() {
        let nest = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&nest(MAX_DEPTH)).is_ok());
        assert!(matches!(
            parse(&nest(MAX_DEPTH + 1)),
            Err(XmlError::TooDeep)
        ));
    }

    #[test]
    fn depth_is_counted_per_branch_not_per_document() {
        let wide = format!("<a>{}<b><c/></b></a>", "<b/>".repeat(2 * MAX_DEPTH));
        assert!(parse(&wide).is_ok());
        let nest = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        let deep_after_wide = format!("<r>{}{}</r>", "<b/>".repeat(MAX_DEPTH), nest(MAX_DEPTH));
        assert!(matches!(parse(&deep_after_wide), Err(XmlError::TooDeep)));
    }
}
