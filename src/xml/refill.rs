//! A document parsed once and then refilled, without parsing, for every text that differs from it
//! only in a few values: a request template's payload, whose placeholders (message id, clock)
//! take new values of the same length on every exchange of a soak, and an operation's responses,
//! which repeat their markup around new values. Parsing each again cost a quarter of an
//! exchange's instructions; the copy costs a few percent of a parse.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use roxmltree::{Document, NodeId};

use super::XmlError;

self_cell::self_cell!(
    /// The sample text and its tree.
    struct Sample {
        owner: String,
        #[covariant]
        dependent: Document,
    }
);

/// A sample document and which of its text nodes hold values that change from text to text;
/// `L` is what a reader learned about the sample once, for all its refills (see
/// [`Refillable::learned`]).
pub struct Refillable<L = ()> {
    parsed: Sample,
    /// The text nodes that are exactly the sample's holes, in document order.
    holes: Vec<NodeId>,
    learned: OnceLock<L>,
}

/// A parsed document, and the sample it was refilled from when it was.
pub struct Parsed<'t, L = ()> {
    pub doc: Document<'t>,
    pub refilled_from: Option<&'t Refillable<L>>,
}

/// A document parsed from its text, not refilled.
impl<'t, L> From<Document<'t>> for Parsed<'t, L> {
    fn from(doc: Document<'t>) -> Self {
        Parsed {
            doc,
            refilled_from: None,
        }
    }
}

impl<L> Refillable<L> {
    /// Parses `sample`, in which the byte ranges `holes` (in order) hold the values other texts
    /// have different ones in. `None` when [`super::parse`] refuses the sample, or when a hole
    /// is not a text node of its own (part of a longer text, an attribute value, a comment):
    /// a refill could not replace it.
    pub fn new(sample: String, holes: &[Range<usize>]) -> Option<Self> {
        let parsed = Sample::try_new(sample, |text| super::parse(text)).ok()?;
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
            learned: OnceLock::new(),
        })
    }

    /// Parses `sample`, in which every text node that reads as it stands (no references, CDATA
    /// or line-end normalisation) is a hole: for documents whose changing values are not known
    /// in advance. `None` when [`super::parse`] refuses the sample.
    fn of_texts(sample: String) -> Option<Self> {
        let parsed = Sample::try_new(sample, |text| super::parse(text)).ok()?;
        let holes = parsed
            .borrow_dependent()
            .descendants()
            .filter(|node| node.is_text_as_it_stands())
            .map(|node| node.id())
            .collect();
        Some(Refillable {
            parsed,
            holes,
            learned: OnceLock::new(),
        })
    }

    /// The document `text` is, the same as [`super::parse`]`(text)`: the sample refilled when
    /// `text` differs from it only inside the holes, with values the parser would keep as they
    /// stand (no markup, references or `\r`), parsed otherwise.
    pub fn parse<'t>(&'t self, text: &'t str) -> Result<Parsed<'t, L>, XmlError> {
        match self.refilled(text) {
            Some(refilled) => Ok(refilled),
            None => super::parse(text).map(Parsed::from),
        }
    }

    /// The sample refilled with `text`, when `text` differs from it only inside the holes, with
    /// values the parser would keep as they stand.
    fn refilled<'t>(&'t self, text: &'t str) -> Option<Parsed<'t, L>> {
        let doc = self.parsed.borrow_dependent().refill(text, &self.holes)?;
        Some(Parsed {
            doc,
            refilled_from: Some(self),
        })
    }

    /// What `learn` learns from the sample and its holes, learned on first use: about the
    /// sample, so it holds for every refill (which differs from the sample only in the holes).
    pub fn learned(&self, learn: impl FnOnce(&Document, &[NodeId]) -> L) -> &L {
        self.learned
            .get_or_init(|| learn(self.parsed.borrow_dependent(), &self.holes))
    }
}

/// The longest document [`Recurring`] keeps: responses that repeat are small, and a huge one is
/// not held for the rest of the run.
const MAX_RECURRING: usize = 64 * 1024;

/// The most shapes [`Recurring`] keeps: an operation's answers come in a few (a receipt, a
/// fault, a list of some length), and a text that fits none is checked against each of them
/// first, which costs little only while they are few.
const SHAPES: usize = 4;

/// Documents that recur with the same markup around new values, such as the responses to one
/// operation: the first few of different shapes are kept, and every later one is a refill of
/// one of them when it can be (see [`Refillable`]), parsed otherwise.
#[derive(Debug)]
pub struct Recurring<L = ()> {
    shapes: [OnceLock<Refillable<L>>; SHAPES],
}

impl<L> Default for Recurring<L> {
    fn default() -> Self {
        Recurring {
            shapes: std::array::from_fn(|_| OnceLock::new()),
        }
    }
}

impl<L> Recurring<L> {
    /// The document `text` is, the same as [`super::parse`]`(text)`.
    pub fn parse<'t>(&'t self, text: &'t str) -> Result<Parsed<'t, L>, XmlError> {
        if text.len() > MAX_RECURRING {
            return super::parse(text).map(Parsed::from);
        }
        for slot in &self.shapes {
            let Some(shape) = slot.get() else {
                // A new shape, kept in the first free place; a text the parser refuses is not
                // kept, so that broken answers cannot take the places.
                let Some(shape) = Refillable::of_texts(text.to_owned()) else {
                    return super::parse(text).map(Parsed::from);
                };
                // another thread may have taken the place meanwhile: then `text` is tried
                // against its shape and parsed if it does not fit
                return slot.get_or_init(|| shape).parse(text);
            };
            if let Some(refilled) = shape.refilled(text) {
                return Ok(refilled);
            }
        }
        super::parse(text).map(Parsed::from)
    }
}

impl<L> fmt::Debug for Refillable<L> {
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
        let refilled = refillable.parse(text).map(|parsed| described(&parsed.doc));
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
        assert!(Refillable::<()>::new(sample.clone(), &holes).is_none());
        let refillable = Refillable::<()>::new(sample, &holes[..2]).expect("two whole text nodes");
        assert_eq!(refillable.holes.len(), 2);
        let attribute_value = 7..8;
        let holes = std::slice::from_ref(&attribute_value);
        assert!(Refillable::<()>::new("<r a='v'/>".into(), holes).is_none());
        assert!(
            Refillable::<()>::new("<r>".into(), &[]).is_none(),
            "not XML"
        );
    }

    #[test]
    fn new_values_of_the_same_length_are_refilled_without_parsing() {
        let (sample, holes) = filled("0f8f", "2024", "abc");
        let refillable = Refillable::<()>::new(sample, &holes[..2]).expect("two whole text nodes");
        let (text, _) = filled("9a9a", "1999", "abc");
        let parsed = refillable.parse(&text).expect("well-formed");
        assert!(parsed.refilled_from.is_some());
        let doc = parsed.doc;
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
    fn recurring_documents_refill_the_shapes_kept() {
        let recurring: Recurring = Recurring::default();
        let (first, _) = filled("0f8f", "2024", "abc");
        // The third value shares its text with `&amp;`, which is not a hole: kept the same.
        let (later, _) = filled("9a9a", "1999", "abc");
        assert_eq!(
            described(&recurring.parse(&first).unwrap().doc),
            described(&crate::xml::parse(&first).unwrap())
        );
        let doc = recurring.parse(&later).expect("well-formed").doc;
        let kept = recurring.shapes[0].get().unwrap();
        // Refilled: the element names are still the first document's.
        let name = doc.root_element().tag_name().name();
        let first = kept.parsed.borrow_owner().as_bytes().as_ptr_range();
        assert!(first.contains(&name.as_ptr()));
        same_as_parsed(kept, &later).unwrap();
        // Not XML, or another shape: parsed, with the parser's verdict.
        assert!(recurring.parse("<r>").is_err());
        let other = recurring.parse("<s>1</s>").unwrap();
        assert_eq!(other.doc.root_element().tag_name().name(), "s");
        // Kept too: the next answer of that shape is refilled, as is the first shape's.
        assert!(recurring.parse("<s>2</s>").unwrap().refilled_from.is_some());
        assert!(recurring.parse(&later).unwrap().refilled_from.is_some());
        // Up to four shapes (the broken text took no place, so `u` is the fourth); a fifth is
        // parsed every time.
        for shape in ["<t>1</t>", "<u>1</u>", "<v>1</v>", "<v>2</v>"] {
            assert!(recurring.parse(shape).is_ok());
        }
        assert!(recurring.parse("<u>2</u>").unwrap().refilled_from.is_some());
        assert!(recurring.parse("<v>3</v>").unwrap().refilled_from.is_none());
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
            let refillable = Refillable::<()>::new(sample, &holes[..2]).expect("two whole text nodes");
            let (text, _) = filled(&id, &at, &tail);
            same_as_parsed(&refillable, &text)?;
            let every_text = Refillable::<()>::of_texts(filled("0f8f", "2024", "abc").0).unwrap();
            same_as_parsed(&every_text, &text)?;
        }
    }
}
