//! Generates the XSD benchmark corpus (benches/xsd.sh) with the schema-driven generator: per
//! contract, one schema document importing the contract's schema set, SOAP-body documents of
//! 1–50 KB generated from every operation's request and response element, and one ~10 MB
//! document grown by repeating an unbounded element (where the contract has one). Every
//! document is checked with kontrakt's validator; an invalid one stops the program.
//!
//! Usage: cargo run --release --example xsd_corpus -- OUT_DIR [SMALL_PER_CONTRACT]  (default 2000)

#[path = "../tests/xsd_support/mod.rs"]
mod xsd_support;

use std::path::Path;

use kontrakt::contract::Contract;
use kontrakt::xsd::generate::{Element, GenerateOptions, SchemaOnly, generate};
use kontrakt::xsd::{CompileOptions, ElementDeclRef, SchemaSet};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

const LARGE_BYTES: usize = 10 << 20;
const SMALL_MIN_BYTES: usize = 1 << 10;
const SMALL_MAX_BYTES: usize = 50 << 10;
/// Draws per small document before its element is given up on as never 1–50 KB.
const DRAWS: usize = 40;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().ok_or("usage: xsd_corpus OUT_DIR [N]")?);
    let per_contract: usize = args.next().map_or(Ok(2000), |n| n.parse())?;
    let contracts = Contract::load_all(&xsd_support::root().join("contracts"))?;
    for contract in contracts {
        let dir = out.join(&contract.key);
        std::fs::create_dir_all(dir.join("small"))?;
        std::fs::create_dir_all(dir.join("large"))?;
        let schema = xsd_support::write_wrapper_schema(&dir, "schema", &contract.service.schemas);
        let set = SchemaSet::compile(&[schema], &CompileOptions::default())?;
        let mut elements = Vec::new();
        for operation in &contract.operations {
            for name in [&operation.request, &operation.response] {
                let decl = set
                    .global_element(Some(&name.namespace), &name.local)
                    .ok_or_else(|| format!("{}: no element {name}", contract.key))?;
                elements.push(decl);
            }
        }
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let (small, used) = write_small(&set, &elements, per_contract, &dir, &mut rng)?;
        let large = write_large(&set, &elements, &dir, &mut rng)?;
        println!(
            "{}: {small} documents of 1–50 KB from {used} of {} elements, {large} of ~10 MB",
            contract.key,
            elements.len()
        );
    }
    Ok(())
}

fn check_valid(set: &SchemaSet, text: &str, what: &str) -> Result<(), Error> {
    let doc = roxmltree::Document::parse(text)?;
    let report = set.validate_document(&doc);
    match report.errors.first() {
        None => Ok(()),
        Some(error) => Err(format!("{what}: generated document is invalid: {error}").into()),
    }
}

/// `count` documents of 1–50 KB, round robin over the elements that can be that size;
/// returns how many were written and from how many elements.
fn write_small(
    set: &SchemaSet,
    elements: &[ElementDeclRef<'_>],
    count: usize,
    dir: &Path,
    rng: &mut TestRng,
) -> Result<(usize, usize), Error> {
    let mut usable: Vec<ElementDeclRef<'_>> = elements.to_vec();
    let mut written = 0;
    while written < count && !usable.is_empty() {
        let index = written % usable.len();
        // Sizes spread evenly over 1–50 KB.
        let target = SMALL_MIN_BYTES + (written * 7919) % (SMALL_MAX_BYTES - SMALL_MIN_BYTES);
        match sized_document(usable[index], target, rng)? {
            Some(text) => {
                check_valid(set, &text, usable[index].name())?;
                std::fs::write(dir.join("small").join(format!("{written}.xml")), text)?;
                written += 1;
            }
            None => {
                usable.remove(index);
            }
        }
    }
    Ok((written, usable.len()))
}

/// A document of `decl` between 1 and 50 KB, near `target` when it has an unbounded element to
/// repeat; None when no draw lands in that range.
fn sized_document(
    decl: ElementDeclRef<'_>,
    target: usize,
    rng: &mut TestRng,
) -> Result<Option<String>, Error> {
    for _ in 0..DRAWS {
        let options = GenerateOptions {
            size: rng.random_range(0..=6),
            ..GenerateOptions::default()
        };
        let mut document = generate(decl, &options, &SchemaOnly, rng)?;
        grow(&mut document, target);
        let text = document.to_xml();
        if (SMALL_MIN_BYTES..=SMALL_MAX_BYTES).contains(&text.len()) {
            return Ok(Some(text));
        }
    }
    Ok(None)
}

/// One ~10 MB document from the first element with an unbounded element to repeat.
fn write_large(
    set: &SchemaSet,
    elements: &[ElementDeclRef<'_>],
    dir: &Path,
    rng: &mut TestRng,
) -> Result<usize, Error> {
    // An unbounded element may be optional: a few draws per element find one.
    for decl in elements
        .iter()
        .flat_map(|decl| std::iter::repeat_n(decl, 8))
    {
        let options = GenerateOptions {
            size: 4,
            ..GenerateOptions::default()
        };
        let mut document = generate(*decl, &options, &SchemaOnly, rng)?;
        if !grow(&mut document, LARGE_BYTES) {
            continue;
        }
        let text = document.to_xml();
        check_valid(set, &text, decl.name())?;
        std::fs::write(dir.join("large").join("0.xml"), text)?;
        return Ok(1);
    }
    Ok(0)
}

/// Repeats the largest element whose particle is unbounded until the document is about
/// `target` bytes; false when there is none.
fn grow<'s>(document: &mut Element<'s>, target: usize) -> bool {
    let mut candidates = Vec::new();
    unbounded(document, &mut Vec::new(), &mut candidates);
    let Some(at) = candidates
        .into_iter()
        .max_by_key(|at| element_at(document, at).map_or(0, |e| e.to_xml().len()))
    else {
        return false;
    };
    let before = document.to_xml().len();
    if before >= target {
        return true;
    }
    let Some((&index, parent_at)) = at.split_last() else {
        return false;
    };
    let copies = |document: &mut Element<'s>, count: usize| {
        let mut parent = &mut *document;
        for &step in parent_at {
            parent = &mut parent.children[step];
        }
        let copy = parent.children[index].clone();
        for _ in 0..count {
            parent.children.insert(index + 1, copy.clone());
        }
    };
    // One copy first: its size in place (indented, namespaces declared above) sets the count.
    copies(document, 1);
    let after = document.to_xml().len();
    let size = after.saturating_sub(before).max(1);
    copies(document, target.saturating_sub(after) / size);
    true
}

fn element_at<'e, 's>(document: &'e Element<'s>, at: &[usize]) -> Option<&'e Element<'s>> {
    at.iter()
        .try_fold(document, |element, &index| element.children.get(index))
}

/// Positions (child indices from the document element) of elements that may repeat freely.
fn unbounded(element: &Element<'_>, at: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (index, child) in element.children.iter().enumerate() {
        at.push(index);
        if child.occurs.max.is_none() && child.occurs.first {
            out.push(at.clone());
        }
        unbounded(child, at, out);
        at.pop();
    }
}
