//! Schema-driven trials: per operation, `…::property::schema-valid` sends requests generated
//! from the request element's schema (with the contract's field bindings supplying their
//! values), and `…::property::schema-negative` sends labelled mutations of them
//! (`drop-required:…`, `unknown-element:…`, see [`crate::xsd::mutate`]) that the schema refuses.

use std::borrow::Cow;
use std::path::PathBuf;

use proptest::prelude::RngExt;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::{Case, CaseKind, Expectation, Plan};
use crate::contract::{Contract, FieldBinding, Operation, ValueKind};
use crate::xsd::generate::{Name, TextOverride};

/// Which of the two schema trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaTrial {
    /// Valid requests: a receipt or a fault the contract allows.
    Valid,
    /// Mutated requests: a SOAP fault.
    Negative,
}

impl SchemaTrial {
    fn name(self) -> &'static str {
        match self {
            SchemaTrial::Valid => "schema-valid",
            SchemaTrial::Negative => "schema-negative",
        }
    }

    /// What the provider must answer.
    pub fn expectation(self) -> Expectation {
        match self {
            SchemaTrial::Valid => Expectation::ReceiptOrFault,
            SchemaTrial::Negative => Expectation::Fault,
        }
    }
}

/// Both schema trials of every operation. `source` is the operation's first golden case that
/// expects no fault (reference fields take their values from it), else the contract file.
pub fn schema_cases(contracts: &[Contract], golden: &[Case]) -> Vec<Case> {
    let mut cases = Vec::new();
    for contract in contracts {
        for operation in &contract.operations {
            let source = golden
                .iter()
                .find(|case| {
                    case.service == contract.key
                        && case.operation == operation.name
                        && case.kind == CaseKind::Golden
                        && case.expect != Some(Expectation::Fault)
                })
                .map_or_else(|| contract.file.clone(), |case| case.source.clone());
            for trial in [SchemaTrial::Valid, SchemaTrial::Negative] {
                cases.push(schema_case(contract, operation, trial, source.clone()));
            }
        }
    }
    cases
}

fn schema_case(
    contract: &Contract,
    operation: &Operation,
    trial: SchemaTrial,
    source: PathBuf,
) -> Case {
    Case {
        name: format!(
            "{}::{}::{}::{}",
            contract.key,
            operation.name,
            CaseKind::Property.as_str(),
            trial.name()
        ),
        service: contract.key.clone(),
        operation: operation.name.clone(),
        kind: CaseKind::Property,
        source,
        plan: Plan::Schema(trial),
        expect: Some(trial.expectation()),
        description: None,
    }
}

/// The contract's field bindings as generator overrides: a reference field keeps the value it
/// has in the golden request (another valid value may name something the provider does not
/// hold); any other domain field gets a valid value of its kind. Text fields are left to the
/// schema, whose facets say more than `max_length`.
pub struct FieldOverrides<'a> {
    fields: &'a [FieldBinding],
    /// The golden request's value of each reference field, by field index.
    references: Vec<Option<String>>,
}

impl<'a> FieldOverrides<'a> {
    /// `golden` is the golden request's payload element, when there is one.
    pub fn new(fields: &'a [FieldBinding], golden: Option<roxmltree::Node>) -> Self {
        let references = fields
            .iter()
            .map(|field| {
                field
                    .reference
                    .then(|| golden.and_then(|g| field.path.first_value(g)))
                    .flatten()
                    .map(Cow::into_owned)
            })
            .collect();
        FieldOverrides { fields, references }
    }
}

impl TextOverride for FieldOverrides<'_> {
    fn text(&self, path: &[Name<'_>], rng: &mut TestRng) -> Option<String> {
        // Field paths are relative to the payload element, the first name of `path`.
        let chain: Vec<(Option<&str>, &str)> = path
            .iter()
            .skip(1)
            .map(|name| (name.namespace, name.local))
            .collect();
        let index = self
            .fields
            .iter()
            .position(|field| field.path.selects_chain(&chain))?;
        let field = &self.fields[index];
        if field.reference {
            return self.references[index].clone();
        }
        let ValueKind::Domain(kind) = &field.kind else {
            return None;
        };
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &rng.random::<[u8; 32]>()),
        );
        let value = kind.valid_strategy().new_tree(&mut runner).ok()?.current();
        Some(format!("{}{value}", field.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::super::generated::tests::suite;
    use super::*;
    use crate::xsd::generate::Name;

    #[test]
    fn every_operation_gets_a_valid_and_a_negative_trial_from_a_happy_golden_case() {
        let (contracts, golden) = suite();
        let cases = schema_cases(&contracts, &golden);
        let operations: usize = contracts.iter().map(|c| c.operations.len()).sum();
        assert_eq!(cases.len(), 2 * operations);
        let valid = cases
            .iter()
            .find(|c| c.name == "kontanthjaelp::RetBevilling::property::schema-valid")
            .expect("RetBevilling schema-valid");
        assert_eq!(valid.expect, Some(Expectation::ReceiptOrFault));
        assert!(
            valid
                .source
                .ends_with("afgjort-med-sag-og-kontaktforloeb.xml")
        );
        assert!(cases.iter().any(|c| {
            c.name == "terminaladgang::Fremsoeg::property::schema-negative"
                && c.expect == Some(Expectation::Fault)
        }));
    }

    #[test]
    fn reference_fields_keep_the_golden_value_and_domain_fields_get_valid_ones() {
        let (contracts, _) = suite();
        let contract = contracts.iter().find(|c| c.key == "kontanthjaelp").unwrap();
        let operation = contract.operation("RetBevilling").unwrap();
        let fd = "http://serviceplatformen.dk/xml/schemas/jobcenter/Faellesdel/1/";
        let golden = format!(
            "<r xmlns:fd=\"{fd}\"><fd:Faellesdel><fd:Myndighedskode>751</fd:Myndighedskode></fd:Faellesdel></r>"
        );
        let doc = roxmltree::Document::parse(&golden).unwrap();
        let overrides = FieldOverrides::new(&operation.fields, Some(doc.root_element()));
        let path = |local| {
            [
                Name {
                    namespace: None,
                    local: "RetBevillingRequest",
                },
                Name {
                    namespace: Some(fd),
                    local: "Faellesdel",
                },
                Name {
                    namespace: Some(fd),
                    local,
                },
            ]
        };
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        assert_eq!(
            overrides.text(&path("Myndighedskode"), &mut rng).as_deref(),
            Some("751")
        );
        let cpr = overrides
            .text(&path("CPRNummer"), &mut rng)
            .expect("a CPR number");
        assert!(
            crate::cases::is_valid(&operation.fields[2].kind, &cpr),
            "{cpr}"
        );
        assert_eq!(overrides.text(&path("SagId"), &mut rng), None);
    }
}
