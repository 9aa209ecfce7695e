//! Schema-driven generation, proved against our own validator: for every operation's request and
//! response element of every shipped contract, generated documents are valid, and every
//! labelled mutation of them is refused. Mutation kinds that break the document by
//! construction (a wrong namespace on the document element, a date written day first, a broken
//! facet other than a pattern) must never be skipped as still valid.

use std::collections::BTreeSet;
use std::path::Path;

use kontrakt::contract::Contract;
use kontrakt::xsd::generate::{GenerateOptions, SchemaOnly, generate};
use kontrakt::xsd::mutate::{KINDS, candidates, is_rejected};
use kontrakt::xsd::{CompileOptions, ElementDeclRef, SchemaSet};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const CASES_PER_ELEMENT: u32 = 16;

/// Candidate mutations validated per generated document.
const MUTATIONS_PER_DOCUMENT: usize = 40;

fn contracts() -> Vec<Contract> {
    Contract::load_all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts"))
        .expect("contracts load")
}

/// Mutations that can never leave a document valid, whatever the schema around them.
fn always_breaks(label: &str) -> bool {
    let kind = label.split(':').next().unwrap_or("");
    match kind {
        "bad-date-lexical" => true,
        "break-facet" => !label.starts_with("break-facet:pattern:"),
        "wrong-namespace" => !label.contains('/'),
        _ => false,
    }
}

struct Tally {
    documents: usize,
    mutations: usize,
    kinds: BTreeSet<String>,
}

/// Runs the property for one element; returns what it saw.
fn check_element(set: &SchemaSet, decl: ElementDeclRef<'_>, name: &str, tally: &mut Tally) {
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: CASES_PER_ELEMENT,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let seen = std::cell::RefCell::new((0usize, 0usize, BTreeSet::new()));
    let result = runner.run(&(any::<[u8; 32]>(), 0u32..4), |(seed, size)| {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
        let options = GenerateOptions {
            size,
            ..GenerateOptions::default()
        };
        let document = generate(decl, &options, &SchemaOnly, &mut rng)
            .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        let text = document.to_xml();
        let parsed = roxmltree::Document::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{name}: not XML: {e}\n{text}")))?;
        let report = set.validate_document(&parsed);
        prop_assert!(
            report.is_valid(),
            "{name}: generated document is invalid: {:?}\n{text}",
            report.errors
        );
        let mut seen = seen.borrow_mut();
        seen.0 += 1;
        // A sample of the candidates, a different one per document, keeps the debug build fast.
        let all = candidates(&document);
        let stride = all.len().div_ceil(MUTATIONS_PER_DOCUMENT).max(1);
        let offset = seen.0 % stride;
        for mutation in all.into_iter().skip(offset).step_by(stride) {
            if is_rejected(set, &mutation.document) {
                seen.1 += 1;
                let kind = mutation.label.split(':').next().unwrap_or("").to_owned();
                seen.2.insert(kind);
            } else {
                prop_assert!(
                    !always_breaks(&mutation.label),
                    "{name}: {} left the document valid:\n{}",
                    mutation.label,
                    mutation.document
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (documents, mutations, kinds) = seen.into_inner();
    tally.documents += documents;
    tally.mutations += mutations;
    tally.kinds.extend(kinds);
}

#[test]
fn generated_documents_validate_and_their_mutations_do_not() {
    let mut tally = Tally {
        documents: 0,
        mutations: 0,
        kinds: BTreeSet::new(),
    };
    let mut elements = 0;
    for contract in contracts() {
        let set = SchemaSet::compile(&contract.service.schemas, &CompileOptions::default())
            .expect("contract schemas compile");
        for operation in &contract.operations {
            for qname in [&operation.request, &operation.response] {
                let decl = set
                    .global_element(Some(&qname.namespace), &qname.local)
                    .unwrap_or_else(|| panic!("{}: no element {qname}", contract.key));
                let name = format!("{}::{}::{}", contract.key, operation.name, qname.local);
                check_element(&set, decl, &name, &mut tally);
                elements += 1;
            }
        }
    }
    println!(
        "{elements} elements, {} documents, {} rejected mutations, kinds {:?}",
        tally.documents, tally.mutations, tally.kinds
    );
    assert!(elements >= 16, "only {elements} request/response elements");
    for kind in KINDS {
        assert!(
            tally.kinds.contains(kind),
            "no {kind} mutation was rejected"
        );
    }
}
