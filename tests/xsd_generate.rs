//! Schema-driven generation, proved against our own validator: for every operation's request and
//! response element of every shipped contract, generated documents are valid, and every
//! labelled mutation of them is refused. Mutation kinds that break the document by
//! construction (a wrong namespace on the document element, a date written day first, a broken
//! facet other than a pattern) must never be skipped as still valid.

use std::collections::BTreeSet;
use std::path::Path;

use kontrakt::contract::Contract;
use kontrakt::xsd::generate::{GenerateOptions, SchemaOnly, generate};
use kontrakt::xsd::mutate::{KINDS, candidates};
use kontrakt::xsd::{CompileOptions, ElementDeclRef, SchemaSet, ValidationReport};
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

/// The report on `text` from the stream source, after checking that the tree source (the
/// document parsed first) reports exactly the same errors, paths and positions.
fn report_of_both_sources(set: &SchemaSet, text: &str) -> Result<ValidationReport, String> {
    let streamed = set
        .validate_reader(std::io::Cursor::new(text.as_bytes()))
        .map_err(|e| e.to_string());
    let parsed = match roxmltree::Document::parse(text) {
        Ok(doc) => Ok(set.validate_document(&doc)),
        Err(e) => Err(format!("not well-formed: {e}")),
    };
    assert_eq!(streamed, parsed, "the sources disagree on\n{text}");
    streamed
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
        let report = report_of_both_sources(set, &text)
            .map_err(|e| TestCaseError::fail(format!("{name}: not XML: {e}\n{text}")))?;
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
            let rejected = report_of_both_sources(set, &mutation.document)
                .map_or(true, |report| !report.is_valid());
            if rejected {
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

/// The international purchase order schemas of the XML Schema primer, as the W3C suite ships
/// them (boeingData): includes, derived types and substitution groups.
#[test]
fn xsts_purchase_order_schemas_generate_valid_documents_too() {
    let root = std::env::var_os("KONTRAKT_XSTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/xsts"));
    let data = root.join("data/boeingData");
    if !data.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "XSTS not found at {} and CI=true",
            root.display()
        );
        eprintln!("skipped: XSTS not found at {}", root.display());
        return;
    }
    let mut tally = Tally {
        documents: 0,
        mutations: 0,
        kinds: BTreeSet::new(),
    };
    for ipo in ["ipo1", "ipo2", "ipo3", "ipo4", "ipo5", "ipo6"] {
        let dir = data.join(ipo);
        let set = SchemaSet::compile(&[dir.join("ipo.xsd")], &CompileOptions::default())
            .expect("the primer's schemas compile");
        let instance = std::fs::read_to_string(dir.join("ipo_1.xml")).expect("ipo_1.xml");
        let doc = roxmltree::Document::parse(&instance).expect("ipo_1.xml parses");
        let name = doc.root_element().tag_name();
        let decl = set
            .global_element(name.namespace(), name.name())
            .expect("the instance's root is declared");
        check_element(&set, decl, ipo, &mut tally);
    }
    println!(
        "boeingData: {} documents, {} rejected mutations",
        tally.documents, tally.mutations
    );
    assert!(tally.mutations > 0);
}
