//! A document parsed once and then refilled, without parsing, for every text that differs from it
//! only in a few values: a request template's payload, whose placeholders (message id, clock)
//! take new values of the same length on every exchange of a soak, and an operation's responses,
//! which repeat their markup around new values. Parsing each again cost a quarter of an
//! exchange's instructions; the copy costs a few percent of a parse.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use roxmltree::{Document, NodeId, StringStorage};

use super::XmlError;

self_cell::self_cell!(
    /// The sample text and its tree.
    struct Parsed {
        owner: String,
        #[covariant]
        dependent: Document,
    }
);

/// A sample document and which of its text nodes hold values that change from text to text.
pub struct Refillable {
    parsed: Parsed,
    /// The text nodes that are exactly the sample's holes, in document order.
    holes: Vec<NodeId>,
}

impl Refillable {
    /// Parses `sample`, in which the byte ranges `holes` (in order) hold the values other texts
    /// have different ones in. `None` when [`super::parse`] refuses the sample, or when a hole
    /// is not a text node of its own (part of a longer text, an attribute value, a comment):
    /// a refill could not replace it.
    pub fn new(sample: String, holes: &[Range<usize>]) -> Option<Refillable> {
        let parsed = Parsed::try_new(sample, |text| super::parse(text)).ok()?;
        let mut wanted = holes.iter().peekable();
        let mut found = Vec::with_capacity(holes.len());
        for node in parsed.borrow_dependent().descendants() {
            let Some(&hole) = wanted.peek() else {
                break;
            };
            if !node.is_text() {
                continue;
            }
            let range = node.range();
            if range == *hole {
                found.push(node.id());
                wanted.next();
            } else if range.start > hole.start {
                return None;
            }
        }
        (found.len() == holes.len()).then_some(Refillable {
            parsed,
            holes: found,
        })
    }

    /// Parses `sample`, in which every text node that reads as it stands (no references, CDATA
    /// or line-end normalisation) is a hole: for documents whose changing values are not known
    /// in advance. `None` when [`super::parse`] refuses the sample.
    fn of_texts(sample: String) -> Option<Refillable> {
        let parsed = Parsed::try_new(sample, |text| super::parse(text)).ok()?;
        let doc = parsed.borrow_dependent();
        let as_it_stands = |node: &roxmltree::Node| match node.text_storage() {
            Some(StringStorage::Borrowed(text)) => doc
                .input_text()
                .get(node.range())
                .is_some_and(|raw| raw.as_ptr() == text.as_ptr() && raw.len() == text.len()),
            _ => false,
        };
        let holes = doc
            .descendants()
            .filter(|node| node.is_text() && as_it_stands(node))
            .map(|node| node.id())
            .collect();
        Some(Refillable { parsed, holes })
    }

    /// The document `text` is, the same as [`super::parse`]`(text)`: the sample refilled when
    /// `text` differs from it only inside the holes, with values the parser would keep as they
    /// stand (no markup, references or `\r`), parsed otherwise.
    pub fn parse<'t>(&'t self, text: &'t str) -> Result<Document<'t>, XmlError> {
        match self.parsed.borrow_dependent().refill(text, &self.holes) {
            Some(doc) => Ok(doc),
            None => super::parse(text),
        }
    }
}

/// The longest document [`Recurring`] keeps: responses that repeat are small, and a huge first
/// one is not held for the rest of the run.
const MAX_RECURRING: usize = 64 * 1024;

/// Documents that recur with the same markup around new values, such as the responses to one
/// operation: the first is kept, and every later one is its refill when it can be (see
/// [`Refillable`]), parsed otherwise.
#[derive(Debug, Default)]
pub struct Recurring {
    first: OnceLock<Option<Refillable>>,
}

impl Recurring {
    /// The document `text` is, the same as [`super::parse`]`(text)`.
    pub fn parse<'t>(&'t self, text: &'t str) -> Result<Document<'t>, XmlError> {
        if text.len() > MAX_RECURRING {
            return super::parse(text);
        }
        let first = self
            .first
            .get_or_init(|| Refillable::of_texts(text.to_owned()));
        match first {
            Some(first) => first.parse(text),
            None => super::parse(text),
        }
    }
}

impl fmt::Debug for Refillable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refillable")
            .field("sample", self.parsed.borrow_owner())
            .field("holes", &self.holes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEMPLATE: &str = "<r xmlns:p='urn:p'>\n  <p:id>{id}</p:id>\n  <at a='x'>{at}</at>\n  <n>&amp;{tail}</n>\n</r>";

    /// The template with its three values and their ranges.
    fn filled(id: &str, at: &str, tail: &str) -> (String, Vec<Range<usize>>) {
        let mut text = String::new();
        let mut holes = Vec::new();
        let mut rest = TEMPLATE;
        for value in [id, at, tail] {
            let start = rest.find('{').unwrap();
            let end = rest.find('}').unwrap();
            text.push_str(&rest[..start]);
            holes.push(text.len()..text.len() + value.len());
            text.push_str(value);
            rest = &rest[end + 1..];
        }
        text.push_str(rest);
        (text, holes)
    }

    /// Everything the checks read from a tree, and where it came from.
    fn described(doc: &Document) -> Vec<String> {
        doc.descendants()
            .map(|n| {
                let attributes: Vec<_> = n.attributes().map(|a| (a.name(), a.value())).collect();
                format!(
                    "{n:?} {:?} {:?} {:?} {attributes:?} {:?}",
                    n.range(),
                    n.tag_name().namespace(),
                    n.text(),
                    doc.text_pos_at(n.range().end)
                )
            })
            .collect()
    }

    fn same_as_parsed(refillable: &Refillable, text: &str) -> Result<(), TestCaseError> {
        let refilled = refillable.parse(text).map(|doc| described(&doc));
        let parsed = crate::xml::parse(text).map(|doc| described(&doc));
        prop_assert_eq!(
            refilled.map_err(|e| e.to_string()),
            parsed.map_err(|e| e.to_string())
        );
        Ok(())
    }

    #[test]
    fn a_whole_text_node_is_a_hole_and_a_piece_of_a_text_is_not() {
        let (sample, holes) = filled("0f8f", "2024", "abc");
        // The third value shares its text node with `&amp;`.
        assert!(Refillable::new(sample.clone(), &holes).is_none());
        let refillable = Refillable::new(sample, &holes[..2]).expect("two whole text nodes");
        assert_eq!(refillable.holes.len(), 2);
        let attribute_value = 7..8;
        let holes = std::slice::from_ref(&attribute_value);
        assert!(Refillable::new("<r a='v'/>".into(), holes).is_none());
        assert!(Refillable::new("<r>".into(), &[]).is_none(), "not XML");
    }

    #[test]
    fn new_values_of_the_same_length_are_refilled_without_parsing() {
        let (sample, holes) = filled("0f8f", "2024", "abc");
        let refillable = Refillable::new(sample, &holes[..2]).expect("two whole text nodes");
        let (text, _) = filled("9a9a", "1999", "abc");
        let doc = refillable.parse(&text).expect("well-formed");
        // Refilled: the tree still borrows the sample's element names, not `text`'s.
        let element = doc.root_element();
        let name = element.tag_name().name();
        let sample = refillable.parsed.borrow_owner();
        assert!(sample.as_bytes().as_ptr_range().contains(&name.as_ptr()));
        assert_eq!(
            doc.descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect::<Vec<_>>(),
            ["\n  ", "9a9a", "\n  ", "1999", "\n  ", "&abc", "\n"]
        );
        same_as_parsed(&refillable, &text).unwrap();
    }

    #[test]
    fn recurring_documents_refill_the_first_one() {
        let recurring = Recurring::default();
        let (first, _) = filled("0f8f", "2024", "abc");
        // The third value shares its text with `&amp;`, which is not a hole: kept the same.
        let (later, _) = filled("9a9a", "1999", "abc");
        assert_eq!(
            described(&recurring.parse(&first).unwrap()),
            described(&crate::xml::parse(&first).unwrap())
        );
        let doc = recurring.parse(&later).expect("well-formed");
        let kept = recurring.first.get().unwrap().as_ref().unwrap();
        // Refilled: the element names are still the first document's.
        let name = doc.root_element().tag_name().name();
        let first = kept.parsed.borrow_owner().as_bytes().as_ptr_range();
        assert!(first.contains(&name.as_ptr()));
        same_as_parsed(kept, &later).unwrap();
        // Not XML, or another shape: parsed, with the parser's verdict.
        assert!(recurring.parse("<r>").is_err());
        assert_eq!(
            recurring
                .parse("<s/>")
                .unwrap()
                .root_element()
                .tag_name()
                .name(),
            "s"
        );
    }

    proptest! {
        /// Whatever the values (other lengths, markup, references, line ends, non-chars), the
        /// tree, its positions and errors are the parser's.
        #[test]
        fn a_refill_is_what_parsing_gives(
            id in "[0-9a-f<>&;\\]\r\n\t \u{FFFE}]{4}|[a-zæ]{0,5}",
            at in "[0-9<&]{4}|.{0,4}",
            tail in "[a-c]{3}|[<&;a]{0,3}",
        ) {
            let (sample, holes) = filled("0f8f", "2024", "abc");
            let refillable = Refillable::new(sample, &holes[..2]).expect("two whole text nodes");
            let (text, _) = filled(&id, &at, &tail);
            same_as_parsed(&refillable, &text)?;
            let every_text = Refillable::of_texts(filled("0f8f", "2024", "abc").0).unwrap();
            same_as_parsed(&every_text, &text)?;
        }
    }
}
