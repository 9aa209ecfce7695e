//! Generated cases (the schema-driven ones are in `schema.rs`): golden "happy" requests with one bound field replaced. The edge catalogue
//! (`…::edge::<field>-<edge>`) substitutes every named edge value of the field's kind, and, where
//! a date-window rule bounds the field, the days around the window; property trials
//! (`…::property::<field>`) substitute values drawn from proptest strategies. Listing needs only
//! the contracts, the edge names and the golden file names — no request is read.

use std::path::PathBuf;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;

use super::{Case, CaseError, CaseKind, Expectation, Plan};
use crate::contract::{Contract, FieldBinding, Operation, Rule, ValueKind};
use crate::domain::calendar::{DateWindow, window_edges};
use crate::domain::{EdgeCase, FieldKind, cpr, cvr, kle, municipality};

/// Any day works for naming window edges: their names do not depend on the day.
const NAMING_DAY: NaiveDate = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();

/// What is substituted into the golden request and how it must be judged.
#[derive(Debug, Clone)]
pub struct Generated {
    pub field: FieldBinding,
    /// The date-window rule that bounds the field, if any.
    pub window: Option<DateWindow>,
    /// For an edge trial, the edge; property trials draw their values.
    pub edge: Option<Edge>,
}

/// One edge: a fixed value of the kind's catalogue, or a day around a date window resolved
/// against the run's "today".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    Fixed(EdgeCase),
    Window(&'static str),
}

impl Generated {
    /// The value (without the field's prefix) and whether the field's kind accepts it; the
    /// request rules (e.g. a date window) may still predict a fault for a valid value.
    pub fn edge_value(&self, today: NaiveDate) -> Option<(String, bool)> {
        match self.edge.as_ref()? {
            Edge::Fixed(edge) => {
                Some((edge.value.clone(), is_valid(&self.field.kind, &edge.value)))
            }
            Edge::Window(name) => {
                let window = self.window.as_ref()?;
                let edge = window_edges(today, window)
                    .into_iter()
                    .find(|edge| edge.name == *name)?;
                Some((wire_day(&self.field.kind, edge.date), true))
            }
        }
    }

    /// What the provider must answer to `value`: a fault when the kind refuses it, else what
    /// the contract's request rules say (`None`).
    pub fn expectation(&self, value: &str) -> Option<Expectation> {
        (!is_valid(&self.field.kind, value)).then_some(Expectation::Fault)
    }
}

/// `payload` with the text of the first element `field` selects replaced by its prefix and
/// `value`.
pub fn substitute(payload: &str, field: &FieldBinding, value: &str) -> Result<String, String> {
    if field.path.selects_attribute() {
        return Err(format!(
            "field {}: attribute paths cannot be substituted yet",
            field.path.as_str()
        ));
    }
    let doc = crate::xml::parse(payload).map_err(|e| e.to_string())?;
    let element = field
        .path
        .elements(doc.root_element())
        .into_iter()
        .next()
        .ok_or_else(|| format!("the golden request has no {}", field.path.as_str()))?;
    let children: Vec<_> = element.children().collect();
    let (Some(first), Some(last)) = (children.first(), children.last()) else {
        return Err(format!("{} has no text to replace", field.path.as_str()));
    };
    if children.iter().any(|child| !child.is_text()) {
        return Err(format!("{} has child elements", field.path.as_str()));
    }
    let range = first.range().start..last.range().end;
    let mut out = String::with_capacity(payload.len() + value.len());
    out.push_str(&payload[..range.start]);
    out.push_str(&quick_xml::escape::escape(format!(
        "{}{value}",
        field.prefix
    )));
    out.push_str(&payload[range.end..]);
    Ok(out)
}

/// Whether `value` is a valid value of `kind`.
pub fn is_valid(kind: &ValueKind, value: &str) -> bool {
    match kind {
        // The dash is optional on the wire only where the schema allows it; the
        // Serviceplatformen schemas (`[0-9]{10}`) do not.
        ValueKind::Domain(FieldKind::Cpr) => {
            !value.contains('-') && FieldKind::Cpr.validate(value).is_ok()
        }
        ValueKind::Domain(kind) => kind.validate(value).is_ok(),
        ValueKind::Text { max_length } => value.chars().count() <= *max_length,
    }
}

/// A day as the field's kind writes it; a date-time at noon, far from the Copenhagen/UTC
/// midnight gap (probed by the date-time catalogue).
fn wire_day(kind: &ValueKind, day: NaiveDate) -> String {
    match kind {
        ValueKind::Domain(FieldKind::DateTime) => format!("{day}T12:00:00"),
        _ => day.format("%Y-%m-%d").to_string(),
    }
}

/// The named edges of a field: its kind's catalogue (only the invalid ones for a reference
/// field), then the window's days.
fn edges_of(field: &FieldBinding, window: Option<&DateWindow>) -> Vec<Edge> {
    let mut edges: Vec<Edge> = kind_edges(&field.kind)
        .into_iter()
        .filter(|edge| !field.reference || !is_valid(&field.kind, &edge.value))
        .map(Edge::Fixed)
        .collect();
    if let Some(window) = window.filter(|_| !field.reference) {
        edges.extend(
            window_edges(NAMING_DAY, window)
                .into_iter()
                .map(|edge| Edge::Window(edge.name)),
        );
    }
    edges
}

fn kind_edges(kind: &ValueKind) -> Vec<EdgeCase> {
    match kind {
        ValueKind::Domain(kind) => kind.edges(),
        ValueKind::Text { max_length } => text_edges(*max_length),
    }
}

/// Text at its length bounds, with the Danish letters a truncating or re-encoding provider
/// gets wrong.
fn text_edges(max_length: usize) -> Vec<EdgeCase> {
    let of_length = |length: usize| "æøåÆØÅ".chars().cycle().take(length).collect::<String>();
    vec![
        EdgeCase::valid("empty", "", "no characters (maxLength only bounds above)"),
        EdgeCase::valid("max-length", of_length(max_length), "exactly maxLength"),
        EdgeCase::invalid(
            "max-length-plus-one",
            of_length(max_length + 1),
            "one character above maxLength",
        ),
    ]
}

/// The date-window rule whose bound `field` is, if any.
fn window_of(operation: &Operation, field: &FieldBinding) -> Option<DateWindow> {
    operation.rules.iter().find_map(|rule| match rule {
        Rule::DateWindow {
            from, to, window, ..
        } if from == &field.path || to == &field.path => Some(*window),
        _ => None,
    })
}

/// The edge and property trials of every bound field of every operation, in contract order.
pub fn generated_cases(contracts: &[Contract], golden: &[Case]) -> Result<Vec<Case>, CaseError> {
    let mut cases = Vec::new();
    for contract in contracts {
        for operation in &contract.operations {
            let mut properties = Vec::new();
            for field in &operation.fields {
                let source = template(contract, operation, field, golden)?;
                let window = window_of(operation, field);
                let case = |kind: CaseKind, name: String, edge: Option<Edge>| Case {
                    name: format!(
                        "{}::{}::{}::{name}",
                        contract.key,
                        operation.name,
                        kind.as_str()
                    ),
                    service: contract.key.clone(),
                    operation: operation.name.clone(),
                    kind,
                    source: source.clone(),
                    expect: None,
                    description: None,
                    plan: Plan::Generated(Box::new(Generated {
                        field: field.clone(),
                        window,
                        edge,
                    })),
                };
                for edge in edges_of(field, window.as_ref()) {
                    let (edge_name, expect) = match &edge {
                        Edge::Fixed(fixed) => (
                            fixed.name,
                            (!is_valid(&field.kind, &fixed.value)).then_some(Expectation::Fault),
                        ),
                        Edge::Window(name) => (*name, None),
                    };
                    let mut edge_case = case(
                        CaseKind::Edge,
                        format!("{}-{edge_name}", field.name),
                        Some(edge),
                    );
                    edge_case.expect = expect;
                    cases.push(edge_case);
                }
                if has_property(field) {
                    properties.push(case(CaseKind::Property, field.name.clone(), None));
                }
            }
            cases.extend(properties);
        }
    }
    cases.extend(super::schema_cases(contracts, golden));
    Ok(cases)
}

/// A reference field gets a property only when its kind has an invalid-value generator.
fn has_property(field: &FieldBinding) -> bool {
    !field.reference || invalid_strategy(&field.kind).is_some()
}

/// The golden request a field's generated cases start from.
fn template(
    contract: &Contract,
    operation: &Operation,
    field: &FieldBinding,
    golden: &[Case],
) -> Result<PathBuf, CaseError> {
    let happy = |case: &&Case| {
        case.service == contract.key
            && case.operation == operation.name
            && case.kind == CaseKind::Golden
            && case.expect != Some(Expectation::Fault)
    };
    let stem = |case: &Case| {
        case.source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    };
    golden
        .iter()
        .filter(happy)
        .find(|case| match &field.template {
            Some(wanted) => stem(case).as_deref() == Some(wanted.as_str()),
            None => true,
        })
        .map(|case| case.source.clone())
        .ok_or_else(|| CaseError::NoTemplate {
            contract: contract.file.clone(),
            operation: operation.name.clone(),
            field: field.name.clone(),
            wanted: field.template.clone(),
        })
}

fn invalid_strategy(kind: &ValueKind) -> Option<BoxedStrategy<String>> {
    Some(match kind {
        ValueKind::Domain(FieldKind::Cpr) => cpr::invalid_wire_strategy().boxed(),
        ValueKind::Domain(FieldKind::Cvr) => cvr::invalid_wire_strategy().boxed(),
        ValueKind::Domain(FieldKind::Kle) => kle::invalid_wire_strategy().boxed(),
        ValueKind::Domain(FieldKind::KlePrefix) => kle::invalid_prefix_strategy().boxed(),
        ValueKind::Domain(FieldKind::Municipality) => municipality::unknown_code_strategy().boxed(),
        ValueKind::Text { max_length } => {
            let max = *max_length;
            text_strategy(max + 1, max + 40)
        }
        ValueKind::Domain(_) => return None,
    })
}

/// Danish text of `min..=max` characters. Shrinks towards fewer characters and towards `a`.
/// No spaces: leading and trailing whitespace is a question of the schema's whiteSpace facet,
/// which the schema-driven generator will answer.
fn text_strategy(min: usize, max: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(
        select(
            "abcdefghijklmnopqrstuvwxyzæøåÆØÅ.,-"
                .chars()
                .collect::<Vec<_>>(),
        ),
        min..=max,
    )
    .prop_map(|chars| chars.into_iter().collect())
    .boxed()
}

/// Days from a month before the window to a month after it, as the field's kind writes them.
fn around_window(
    kind: &ValueKind,
    window: &DateWindow,
    today: NaiveDate,
) -> Option<BoxedStrategy<String>> {
    let (first, last) = window.resolve(today)?;
    let start = first - chrono::Days::new(31);
    let span = (last - start).num_days() + 31;
    let kind = kind.clone();
    Some(
        (0..=span)
            .prop_map(move |offset| wire_day(&kind, start + chrono::Duration::days(offset)))
            .boxed(),
    )
}

/// The values a property trial draws: the kind's valid values (none for a reference field),
/// invalid ones where a generator exists, the named edges, and days around a date window.
pub fn strategy(generated: &Generated, today: NaiveDate) -> BoxedStrategy<String> {
    let field = &generated.field;
    let edges: Vec<String> = kind_edges(&field.kind)
        .into_iter()
        .filter(|edge| !field.reference || !is_valid(&field.kind, &edge.value))
        .map(|edge| edge.value)
        .collect();
    let mut options: Vec<(u32, BoxedStrategy<String>)> = Vec::new();
    if !field.reference {
        options.push((3, valid_strategy(&field.kind)));
    }
    if let Some(window) = generated.window.as_ref().filter(|_| !field.reference) {
        let days: Vec<String> = window_edges(today, window)
            .into_iter()
            .map(|edge| wire_day(&field.kind, edge.date))
            .collect();
        if !days.is_empty() {
            options.push((1, select(days).boxed()));
        }
        if let Some(around) = around_window(&field.kind, window, today) {
            options.push((3, around));
        }
    }
    if let Some(invalid) = invalid_strategy(&field.kind) {
        options.push((1, invalid));
    }
    if !edges.is_empty() {
        options.push((1, select(edges).boxed()));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

fn valid_strategy(kind: &ValueKind) -> BoxedStrategy<String> {
    match kind {
        ValueKind::Domain(kind) => kind.valid_strategy(),
        ValueKind::Text { max_length } => text_strategy(0, *max_length),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;

    use proptest::test_runner::TestRunner;

    use super::*;

    /// The shipped contracts and golden cases.
    pub(in crate::cases) fn suite() -> (Vec<Contract>, Vec<Case>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let contracts = Contract::load_all(&root.join("contracts")).unwrap();
        let golden = super::super::golden_cases(&root.join("golden"), &contracts).unwrap();
        (contracts, golden)
    }

    #[test]
    fn every_bound_field_gets_its_kinds_edges_and_a_property() {
        let (contracts, golden) = suite();
        let cases = generated_cases(&contracts, &golden).unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        for expected in [
            "kontanthjaelp::RetBevilling::edge::CPRNummer-leap-day-1900-missing",
            "kontanthjaelp::RetBevilling::edge::Bemaerkning-max-length-plus-one",
            "kontanthjaelp::RetBevilling::property::CPRNummer",
            "terminaladgang::Fremsoeg::edge::DispositionsDato-Fra-window-first-day",
            "terminaladgang::Fremsoeg::edge::Part-CPR-day-32",
            "sygefravaer::SendForretningsSvarForlaengelse::property::Begrundelse",
            "sygefravaer::HentSag::property::CPRNummer",
        ] {
            assert!(names.contains(&expected), "{expected} missing");
        }
        // A reference field only gets invalid values: a valid municipality may be unserved.
        assert!(
            !names.contains(&"kontanthjaelp::RetBevilling::edge::Myndighedskode-aarhus"),
            "{names:?}"
        );
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "duplicate trial names");
        let invalid = cases
            .iter()
            .find(|c| c.name.ends_with("edge::CPRNummer-day-32"))
            .unwrap();
        assert_eq!(invalid.expect, Some(Expectation::Fault));
    }

    #[test]
    fn substitution_replaces_the_first_selected_text_with_prefix_and_escaping() {
        let (contracts, _) = suite();
        let operation = contracts
            .iter()
            .find(|c| c.key == "terminaladgang")
            .unwrap()
            .operation("Fremsoeg")
            .unwrap();
        let field = operation
            .fields
            .iter()
            .find(|f| f.name == "Part-CPR")
            .unwrap();
        let payload = concat!(
            r#"<ta:R xmlns:ta="urn:x" xmlns:yi="urn:oio:sts:ydelse:ydelseindeks:6" "#,
            r#"xmlns:oef="urn:oio:sts:ydelse:oekonomiskeffektueringindeks:6" "#,
            r#"xmlns:gd="urn:oio:sts:generelledefinitioner:6" xmlns:sd="urn:oio:sagdok:3.0.0">"#,
            r#"<yi:FremsoegYdelseIndeksInput><oef:OekonomiskEffektueringPart><gd:ReferenceID>"#,
            r#"<sd:URNIdentifikator>urn:oio:cpr-nr:0707614285</sd:URNIdentifikator>"#,
            r#"</gd:ReferenceID></oef:OekonomiskEffektueringPart></yi:FremsoegYdelseIndeksInput></ta:R>"#
        );
        let replaced = substitute(payload, field, "01<01").unwrap();
        assert!(
            replaced.contains("<sd:URNIdentifikator>urn:oio:cpr-nr:01&lt;01</sd:URNIdentifikator>"),
            "{replaced}"
        );
        assert_eq!(
            replaced.len(),
            payload.len() - "0707614285".len() + "01&lt;01".len()
        );
        let message = substitute("<ta:R xmlns:ta=\"urn:x\"/>", field, "1").unwrap_err();
        assert!(message.contains("has no"), "{message}");
    }

    /// The catalogue for a fixed today, one line per edge trial, reviewed like golden responses.
    #[test]
    fn edge_catalogue_snapshot() {
        let (contracts, golden) = suite();
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let lines: Vec<String> = generated_cases(&contracts, &golden)
            .unwrap()
            .iter()
            .filter(|case| case.kind == CaseKind::Edge)
            .map(|case| {
                let Plan::Generated(generated) = &case.plan else {
                    panic!("not generated");
                };
                let (value, _) = generated.edge_value(today).unwrap();
                let expect = match case.expect {
                    Some(Expectation::Fault) => "fault",
                    _ => "rules",
                };
                format!("{}\t{expect}\t{value:?}", case.name)
            })
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn a_missing_template_names_the_contract_and_field() {
        let (mut contracts, golden) = suite();
        contracts[0].operations[0].fields[0].template = Some("gone".into());
        let message = generated_cases(&contracts, &golden)
            .unwrap_err()
            .to_string();
        assert!(message.contains("contract.toml"), "{message}");
        assert!(message.contains("`gone`"), "{message}");
    }

    #[test]
    fn window_edges_resolve_against_today() {
        let (contracts, golden) = suite();
        let cases = generated_cases(&contracts, &golden).unwrap();
        let first = cases
            .iter()
            .find(|c| c.name.ends_with("DispositionsDato-Fra-window-first-day"))
            .unwrap();
        let Plan::Generated(generated) = &first.plan else {
            panic!("not generated");
        };
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            generated.edge_value(today),
            Some(("2025-12-01T12:00:00".to_owned(), true))
        );
    }

    #[test]
    fn strategies_draw_valid_and_invalid_values_and_references_only_invalid_ones() {
        let (contracts, golden) = suite();
        let cases = generated_cases(&contracts, &golden).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let fields = cases.iter().filter_map(|case| match &case.plan {
            Plan::Generated(generated) if case.kind == CaseKind::Property => {
                Some((case, generated))
            }
            _ => None,
        });
        for (case, generated) in fields {
            let strategy = strategy(generated, today);
            let mut runner = TestRunner::deterministic();
            let (mut valid, mut invalid) = (0, 0);
            for _ in 0..200 {
                let value = strategy.new_tree(&mut runner).unwrap().current();
                if is_valid(&generated.field.kind, &value) {
                    valid += 1;
                } else {
                    invalid += 1;
                }
            }
            if generated.field.reference {
                assert_eq!(valid, 0, "{}", case.name);
            } else {
                assert!(valid > 0, "{}", case.name);
            }
            assert!(invalid > 0, "{}", case.name);
        }
    }
}
