//! Validating copies of a document by their new values alone. A document refilled from a sample
//! (see `crate::xml::Refillable`) has the sample's markup and differs only in some text nodes,
//! its holes; when the sample is valid and each hole inside the validated element was the whole
//! value of an element judged by its type alone, the copy is valid exactly when each new value
//! is valid for that type, and nothing else needs walking.

use roxmltree::{Node, NodeId};

use super::SchemaSet;
use super::datatypes::NoNamespaces;
use super::memo::ValidValues;
use super::model::TypeId;
use super::simple::{self, Ids};
use super::validate::{Watched, is_whitespace, with_memo_slots};
use super::walk;

/// What validating a sample taught about its holes, for [`SchemaSet::valid_by_lesson`].
#[derive(Debug)]
pub struct Lesson {
    /// The schema set and element it was learned with.
    set: u64,
    element: NodeId,
    /// By hole: what a new value there must be.
    holes: Vec<(NodeId, Needs)>,
}

/// What a hole's new value must be for the copy to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Anything: the hole is outside the validated element.
    Nothing,
    /// Valid for this type.
    ValidFor(TypeId),
    /// Whitespace, as the sample's was (between elements, or in empty content).
    Whitespace,
}

impl SchemaSet {
    /// Validates `element` watching its document's `holes` (text nodes, in document order).
    /// `None` unless the element is valid and every hole inside it was the whole value of an
    /// element judged by its type alone: no fixed value, no identity constraints, a type whose
    /// verdict depends on nothing but the value.
    pub fn learn(&self, element: Node, holes: &[NodeId]) -> Option<Lesson> {
        let doc = element.document();
        let offsets = holes
            .iter()
            .map(|&id| doc.get_node(id).map(|hole| hole.range().start))
            .collect::<Option<Vec<usize>>>()?;
        let mut validator = self.validator();
        validator.watch(offsets);
        walk::feed(&mut validator, element);
        let watched = validator.watched();
        if !validator.finish().errors.is_empty() {
            return None;
        }
        let holes = holes
            .iter()
            .zip(watched)
            .map(|(&id, watched)| match watched {
                Watched::Outside => Some((id, Needs::Nothing)),
                Watched::ByType(ty) => Some((id, Needs::ValidFor(ty))),
                Watched::IgnoredWhitespace => Some((id, Needs::Whitespace)),
                Watched::Otherwise => None,
            })
            .collect::<Option<_>>()?;
        Some(Lesson {
            set: self.identity,
            element: element.id(),
            holes,
        })
    }

    /// Whether `element` is valid, for an element of a copy of the document `lesson` was
    /// learned from that differs from it only in the holes' text: each hole's new value is
    /// checked against its type. `false` does not say invalid, only that this cannot tell (a
    /// value is invalid, or the lesson is another set's or element's): validate the element.
    pub fn valid_by_lesson(&self, lesson: &Lesson, element: Node) -> bool {
        if lesson.set != self.identity || lesson.element != element.id() {
            return false;
        }
        let doc = element.document();
        // the validator's memo: values that recur from copy to copy are checked once per thread
        let memo = ValidValues::new(self.identity, &self.context_free);
        with_memo_slots(|slots| {
            lesson.holes.iter().all(|&(id, needs)| {
                let value = doc.get_node(id).and_then(|hole| hole.text());
                match needs {
                    Needs::Nothing => true,
                    Needs::Whitespace => value.is_some_and(is_whitespace),
                    Needs::ValidFor(ty) => value.is_some_and(|value| {
                        if memo.contains(slots, ty, value) {
                            return true;
                        }
                        let valid = self.value_is_valid(ty, value);
                        if valid {
                            memo.insert(slots, ty, value);
                        }
                        valid
                    }),
                }
            })
        })
    }

    /// Whether `value` is valid for the context-free type `ty`, as the validator would find it.
    fn value_is_valid(&self, ty: TypeId, value: &str) -> bool {
        simple::is_valid_plain_string(&self.components, ty, value)
            || simple::validate(
                &self.components,
                ty,
                value,
                &NoNamespaces,
                &mut Ids::default(),
            )
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    use crate::xsd::CompileOptions;
    use proptest::prelude::*;

    const SCHEMA: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:simpleType name="Code"><xs:restriction base="xs:string">
        <xs:pattern value="[0-9]{3}"/></xs:restriction></xs:simpleType>
      <xs:element name="r"><xs:complexType><xs:sequence>
        <xs:element name="code" type="Code"/>
        <xs:element name="date" type="xs:date"/>
        <xs:element name="fixed" type="xs:string" fixed="x"/>
        <xs:element name="id" type="xs:ID"/>
        <xs:element name="q" type="xs:QName"/>
        <xs:element name="split" type="xs:string"/>
        <xs:element name="m"><xs:complexType mixed="true"><xs:sequence>
          <xs:element name="b" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:schema>"#;

    /// Compiled once for all tests: the tests run in parallel, and one writing the schema file
    /// while another compiles it would hand that one an empty file.
    fn schemas() -> &'static SchemaSet {
        static SCHEMAS: LazyLock<SchemaSet> = LazyLock::new(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.xsd");
            std::fs::write(&path, SCHEMA).unwrap();
            SchemaSet::compile(&[path], &CompileOptions::default()).unwrap()
        });
        &SCHEMAS
    }

    fn document(code: &str, date: &str) -> String {
        format!(
            "<r xmlns:p='urn:p'><code>{code}</code><date>{date}</date><fixed>x</fixed><id>a</id>\
             <q>p:a</q><split>s<!--c-->t</split><m>t<b/></m></r>"
        )
    }

    /// The text node of the element named `name`, the first text of it when `nth` is 0.
    fn text_of(doc: &roxmltree::Document, name: &str, nth: usize) -> NodeId {
        let element = doc.descendants().find(|n| n.has_tag_name(name)).unwrap();
        element
            .children()
            .filter(|n| n.is_text())
            .nth(nth)
            .unwrap()
            .id()
    }

    #[test]
    fn values_judged_by_their_type_alone_are_learned_and_nothing_else() {
        let set = schemas();
        let text = document("751", "2024-05-31");
        let doc = roxmltree::Document::parse(&text).unwrap();
        let root = doc.root_element();
        let holes = [text_of(&doc, "code", 0), text_of(&doc, "date", 0)];
        let lesson = set.learn(root, &holes).expect("both judged by type");
        assert!(
            lesson
                .holes
                .iter()
                .all(|(_, needs)| matches!(needs, Needs::ValidFor(_)))
        );
        assert!(set.valid_by_lesson(&lesson, root));
        // a fixed value, an ID, a QName (needs its prefix), a value in two pieces, mixed text
        for (name, nth) in [
            ("fixed", 0),
            ("id", 0),
            ("q", 0),
            ("split", 0),
            ("split", 1),
            ("m", 0),
        ] {
            let hole = [text_of(&doc, "code", 0), text_of(&doc, name, nth)];
            assert!(set.learn(root, &hole).is_none(), "{name} {nth}");
        }
        // outside the validated element: no check
        let wrapped = format!("<w>{text}tail</w>");
        let wrapped = roxmltree::Document::parse(&wrapped).unwrap();
        let r = wrapped.descendants().find(|n| n.has_tag_name("r")).unwrap();
        let tail = text_of(&wrapped, "w", 0);
        let outside = set
            .learn(r, &[text_of(&wrapped, "code", 0), tail])
            .expect("valid");
        assert_eq!(outside.holes[1], (tail, Needs::Nothing));
        // whitespace between elements: any whitespace
        let indented = text.replace("<date>", "\n  <date>");
        let indented = roxmltree::Document::parse(&indented).unwrap();
        let between = indented
            .root_element()
            .children()
            .find(|n| n.is_text())
            .unwrap();
        let lesson = set
            .learn(indented.root_element(), &[between.id()])
            .expect("valid");
        assert_eq!(lesson.holes[0].1, Needs::Whitespace);
        // an invalid sample teaches nothing
        let invalid = document("75", "2024-05-31");
        let invalid = roxmltree::Document::parse(&invalid).unwrap();
        let holes = [text_of(&invalid, "code", 0), text_of(&invalid, "date", 0)];
        assert!(set.learn(invalid.root_element(), &holes).is_none());
        // another element than the one learned: cannot tell
        let code = doc.descendants().find(|n| n.has_tag_name("code")).unwrap();
        assert!(!set.valid_by_lesson(&lesson, code));
    }

    proptest! {
        /// On a copy that differs only in the holes, the lesson's verdict is the validator's.
        #[test]
        fn a_copy_is_valid_by_the_lesson_exactly_when_it_is_valid(
            code in "[0-9]{3}|[0-9a ]{1,4}",
            date in "20[0-9]{2}-[01][0-9]-[0-3][0-9]|[0-9: +-]{10}",
            between in "[ \t\n]{1,3}|[ a]{1,3}",
        ) {
            let set = schemas();
            let indented = |text: String, between: &str| text.replace("<date>", &format!("{between}<date>"));
            let sample = indented(document("751", "2024-05-31"), "\n  ");
            let sample = roxmltree::Document::parse(&sample).unwrap();
            let between_id = sample.root_element().children().find(|n| n.is_text()).unwrap().id();
            let holes = [text_of(&sample, "code", 0), between_id, text_of(&sample, "date", 0)];
            let lesson = set.learn(sample.root_element(), &holes).unwrap();
            let copy = indented(document(&code, &date), &between);
            let copy = roxmltree::Document::parse(&copy).unwrap();
            let root = copy.root_element();
            prop_assert_eq!(
                set.valid_by_lesson(&lesson, root),
                set.validate_element(root).is_valid()
            );
        }
    }
}
