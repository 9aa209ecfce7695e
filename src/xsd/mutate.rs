//! Negative mutations of a generated document, each labelled with what it breaks:
//! `drop-required:<path>`, `exceed-max-occurs:<path>`, `reorder:<path>`,
//! `break-facet:<facet>:<path>`, `wrong-namespace:<path>`, `bad-date-lexical:<path>` and
//! `unknown-element:<path>`. Paths are the local names below the document element (the
//! document element's own name for itself). A mutation the schema set still accepts (say,
//! swapping two siblings a choice allows in either order) is left out: every mutation returned
//! is a document the schema refuses.

use super::SchemaSet;
use super::datatypes::{BuiltinType, FacetSet, Value};
use super::generate::{Element, Name};

/// The mutation kinds, the first part of every label.
pub const KINDS: [&str; 7] = [
    "drop-required",
    "exceed-max-occurs",
    "reorder",
    "break-facet",
    "wrong-namespace",
    "bad-date-lexical",
    "unknown-element",
];

/// Namespace the `wrong-namespace` mutation moves an element to.
pub const WRONG_NAMESPACE: &str = "urn:kontrakt:forkert-navnerum";

/// Local name of the element the `unknown-element` mutation inserts.
pub const UNKNOWN_ELEMENT: &str = "UkendtElement";

/// A document the schema refuses, and what was broken to get it.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub label: String,
    pub document: String,
}

/// Every labelled mutation of `document`, before checking which the schema still accepts.
pub fn candidates(document: &Element<'_>) -> Vec<Mutation> {
    let mut edits = Vec::new();
    collect(
        document,
        &mut Vec::new(),
        &mut vec![document.name.local],
        &mut edits,
    );
    edits
        .into_iter()
        .filter_map(|(label, edit)| {
            let mut mutated = document.clone();
            edit.apply(&mut mutated)?;
            Some(Mutation {
                label,
                document: mutated.to_xml(),
            })
        })
        .collect()
}

/// Whether `schemas` refuses `document` (a document that does not parse counts as refused).
pub fn is_rejected(schemas: &SchemaSet, document: &str) -> bool {
    schemas
        .validate_reader(std::io::Cursor::new(document.as_bytes()))
        .map_or(true, |report| !report.is_valid())
}

/// Every labelled mutation of `document` that `schemas` rejects, in document order.
pub fn mutations(schemas: &SchemaSet, document: &Element<'_>) -> Vec<Mutation> {
    candidates(document)
        .into_iter()
        .filter(|m| is_rejected(schemas, &m.document))
        .collect()
}

/// The first rejected mutation from candidate `index` on (wrapping around), for drawing one
/// mutation without validating them all; None when the schema accepts every candidate.
pub fn mutation_at(schemas: &SchemaSet, document: &Element<'_>, index: usize) -> Option<Mutation> {
    let mut all = candidates(document);
    if all.is_empty() {
        return None;
    }
    let start = index % all.len();
    all.rotate_left(start);
    all.into_iter().find(|m| is_rejected(schemas, &m.document))
}

/// One edit at a position in the tree: the child indices leading to the element.
struct Edit {
    at: Vec<usize>,
    kind: EditKind,
}

enum EditKind {
    /// Remove the child at this index of the element.
    Drop(usize),
    /// Insert copies of the child at this index right after it.
    Duplicate { child: usize, copies: u32 },
    /// Swap the child at this index with the next.
    Swap(usize),
    /// Replace the element's text.
    Text(String),
    /// Move the element into another namespace.
    Namespace,
    /// Append a child the schema does not declare.
    Unknown,
}

impl Edit {
    fn apply(&self, root: &mut Element<'_>) -> Option<()> {
        let mut element = root;
        for &index in &self.at {
            element = element.children.get_mut(index)?;
        }
        match &self.kind {
            EditKind::Drop(child) => {
                element.children.remove(*child);
            }
            EditKind::Duplicate { child, copies } => {
                let copy = element.children.get(*child)?.clone();
                for _ in 0..*copies {
                    element.children.insert(child + 1, copy.clone());
                }
            }
            EditKind::Swap(child) => element.children.swap(*child, child + 1),
            EditKind::Text(text) => element.text = Some(text.clone()),
            EditKind::Namespace => {
                element.name = Name {
                    namespace: Some(WRONG_NAMESPACE),
                    local: element.name.local,
                }
            }
            EditKind::Unknown => {
                let mut unknown = element.clone();
                unknown.name = Name {
                    namespace: element.name.namespace,
                    local: UNKNOWN_ELEMENT,
                };
                unknown.attributes.clear();
                unknown.children.clear();
                unknown.simple_type = None;
                unknown.text = Some("x".to_owned());
                element.children.push(unknown);
            }
        }
        Some(())
    }
}

/// Surplus copies beyond this maxOccurs are not tried (a document that large says nothing new).
const MAX_DUPLICATES: u32 = 64;

/// The path in labels: the names below the document element, or the document element's own.
fn label_path(names: &[&str]) -> String {
    names
        .get(1..)
        .filter(|below| !below.is_empty())
        .unwrap_or(names)
        .join("/")
}

fn collect<'s>(
    element: &Element<'s>,
    at: &mut Vec<usize>,
    names: &mut Vec<&'s str>,
    out: &mut Vec<(String, Edit)>,
) {
    let here = label_path(names);
    let position = at.clone();
    let edit = |kind| Edit {
        at: position.clone(),
        kind,
    };
    if at.len() <= 1 {
        out.push((format!("wrong-namespace:{here}"), edit(EditKind::Namespace)));
    }
    if element.text.is_none() {
        out.push((
            format!("unknown-element:{here}/{UNKNOWN_ELEMENT}"),
            edit(EditKind::Unknown),
        ));
    }
    if let (Some(text), Some(simple_type)) = (&element.text, element.simple_type) {
        let builtin = simple_type.builtin();
        if let (Some(facets), Some(builtin)) = (simple_type.facet_set(), builtin) {
            for (facet, broken) in broken_facets(text, facets, builtin) {
                out.push((
                    format!("break-facet:{facet}:{here}"),
                    edit(EditKind::Text(broken)),
                ));
            }
        }
        if matches!(
            builtin.map(BuiltinType::primitive),
            Some(BuiltinType::Date | BuiltinType::DateTime)
        ) {
            out.push((
                format!("bad-date-lexical:{here}"),
                edit(EditKind::Text(day_month_year(text))),
            ));
        }
    }
    for (index, child) in element.children.iter().enumerate() {
        names.push(child.name.local);
        let child_path = label_path(names);
        let occurs = child.occurs;
        if occurs.first && occurs.min > 0 && occurs.count == occurs.min {
            out.push((
                format!("drop-required:{child_path}"),
                edit(EditKind::Drop(index)),
            ));
        }
        if let Some(max) = occurs.max.filter(|max| *max <= MAX_DUPLICATES)
            && occurs.first
        {
            out.push((
                format!("exceed-max-occurs:{child_path}"),
                edit(EditKind::Duplicate {
                    child: index,
                    copies: max + 1 - occurs.count.min(max),
                }),
            ));
        }
        if element
            .children
            .get(index + 1)
            .is_some_and(|next| next.name != child.name)
        {
            out.push((format!("reorder:{child_path}"), edit(EditKind::Swap(index))));
        }
        at.push(index);
        collect(child, at, names, out);
        at.pop();
        names.pop();
    }
}

/// Values that break one facet each of a simple type: (facet name, value).
fn broken_facets(
    text: &str,
    facets: &FacetSet,
    builtin: BuiltinType,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let stringy = matches!(
        builtin.primitive(),
        BuiltinType::String | BuiltinType::AnyUri
    );
    let of_length = |length: usize| -> String {
        text.chars()
            .chain(std::iter::repeat('x'))
            .take(length)
            .collect()
    };
    if stringy {
        if let Some(length) = facets.length() {
            out.push(("length", of_length(length + 1)));
        }
        if let Some(max) = facets.max_length() {
            out.push(("maxLength", of_length(max + 1)));
        }
        if let Some(min) = facets.min_length().filter(|min| *min > 0) {
            out.push(("minLength", of_length(min - 1)));
        }
    }
    let one = super::datatypes::Decimal::from_i128(1);
    let minus_one = super::datatypes::Decimal::from_i128(-1);
    let decimal = |value: Option<&Value>| value.and_then(Value::as_decimal).cloned();
    if let Some(max) = decimal(facets.max_inclusive()) {
        out.push(("maxInclusive", max.add(&one).to_string()));
    }
    if let Some(min) = decimal(facets.min_inclusive()) {
        out.push(("minInclusive", min.add(&minus_one).to_string()));
    }
    if let Some(max) = decimal(facets.max_exclusive()) {
        out.push(("maxExclusive", max.to_string()));
    }
    if let Some(min) = decimal(facets.min_exclusive()) {
        out.push(("minExclusive", min.to_string()));
    }
    if let Some(digits) = facets.total_digits() {
        out.push(("totalDigits", "1".repeat(digits + 1)));
    }
    if let Some(digits) = facets.fraction_digits().filter(|_| !builtin.is_integer()) {
        out.push(("fractionDigits", format!("0.{}", "1".repeat(digits + 1))));
    }
    if facets.enumeration().is_some() {
        out.push(("enumeration", "ikke-en-af-værdierne".to_owned()));
    }
    if facets.patterns().len() > FacetSet::for_builtin(builtin).patterns().len() {
        out.push(("pattern", format!("#{text}")));
    }
    out
}

/// A date or date-time written day first (`31-12-2024`), which no xs:date lexical form allows.
fn day_month_year(text: &str) -> String {
    match (text.get(0..4), text.get(5..7), text.get(8..10)) {
        (Some(year), Some(month), Some(day)) => {
            format!("{day}-{month}-{year}{}", text.get(10..).unwrap_or(""))
        }
        _ => "31-12-2024".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::test_runner::{RngAlgorithm, TestRng};

    use super::super::generate::tests::schema;
    use super::super::generate::{GenerateOptions, SchemaOnly, generate};
    use super::*;

    #[test]
    fn mutations_the_schema_still_accepts_are_skipped_and_the_rest_are_labelled() {
        let set = schema(
            "mutate",
            r#"<xs:element name="r"><xs:complexType><xs:sequence>
                 <xs:element name="pair"><xs:complexType><xs:all>
                   <xs:element name="a" type="xs:string"/><xs:element name="b" type="xs:string"/>
                 </xs:all></xs:complexType></xs:element>
                 <xs:element name="d" type="xs:date"/>
               </xs:sequence></xs:complexType></xs:element>"#,
        );
        let decl = set.global_element(None, "r").unwrap();
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let options = GenerateOptions {
            size: 0,
            ..GenerateOptions::default()
        };
        let document = generate(decl, &options, &SchemaOnly, &mut rng).unwrap();
        let labels = |mutations: Vec<Mutation>| -> Vec<String> {
            mutations.into_iter().map(|m| m.label).collect()
        };
        let proposed = labels(candidates(&document));
        let rejected = labels(mutations(&set, &document));
        // xs:all allows either order: the swap is proposed but not kept.
        assert!(
            proposed.contains(&"reorder:pair/a".to_owned()),
            "{proposed:?}"
        );
        assert!(
            !rejected.contains(&"reorder:pair/a".to_owned()),
            "{rejected:?}"
        );
        for expected in [
            "wrong-namespace:r",
            "unknown-element:r/UkendtElement",
            "drop-required:pair/b",
            "exceed-max-occurs:d",
            "reorder:pair",
            "bad-date-lexical:d",
        ] {
            assert!(
                rejected.contains(&expected.to_owned()),
                "{expected}: {rejected:?}"
            );
        }
    }
}
