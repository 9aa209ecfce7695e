//! Generates the XSD benchmark corpus (benches/xsd.sh): per contract, one schema document
//! importing the contract's schema set, SOAP-body documents of 1–50 KB and one ~10 MB document,
//! all valid against it. Built from the golden requests by repeating elements whose repetition
//! kontrakt's validator accepts (maxOccurs > 1).
//!
//! Usage: cargo run --release --example xsd_corpus -- OUT_DIR [SMALL_PER_CONTRACT]  (default 2000)

#[path = "../tests/xsd_support/mod.rs"]
mod xsd_support;

use std::path::Path;

use kontrakt::xsd::{CompileOptions, SchemaSet};

const LARGE_BYTES: usize = 10 << 20;
const SMALL_MAX_BYTES: usize = 50 << 10;

fn valid(set: &SchemaSet, text: &str) -> bool {
    roxmltree::Document::parse(text).is_ok_and(|doc| set.validate_document(&doc).is_valid())
}

/// The document with the element at `range` written `copies` times.
fn repeated(text: &str, range: &std::ops::Range<usize>, copies: usize) -> String {
    let element = &text[range.clone()];
    let mut out = String::with_capacity(text.len() + element.len() * copies);
    out.push_str(&text[..range.start]);
    for _ in 0..copies {
        out.push_str(element);
    }
    out.push_str(&text[range.end..]);
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().ok_or("usage: xsd_corpus OUT_DIR [N]")?);
    let per_contract: usize = args.next().map_or(Ok(2000), |n| n.parse())?;
    for (contract, schemas) in xsd_support::contract_schema_sets() {
        let dir = out.join(&contract);
        std::fs::create_dir_all(&dir)?;
        let schema = xsd_support::write_wrapper_schema(&dir, "schema", &schemas);
        let set = SchemaSet::compile(&[schema], &CompileOptions::default())?;
        // (document, range of a repeatable element in it)
        let mut seeds = vec![];
        for (_, text) in xsd_support::golden_requests(&contract) {
            if !valid(&set, &text) {
                continue;
            }
            let doc = roxmltree::Document::parse(&text)?;
            let repeatable = doc
                .root_element()
                .descendants()
                .filter(|n| n.is_element() && n.parent_element().is_some())
                .map(|n| n.range())
                .filter(|r| valid(&set, &repeated(&text, r, 2)));
            seeds.extend(repeatable.map(|r| (text.clone(), r)));
        }
        if seeds.is_empty() {
            println!("{contract}: left out, no golden request has a repeatable element");
            std::fs::remove_dir_all(&dir)?;
            continue;
        }
        std::fs::create_dir_all(dir.join("small"))?;
        std::fs::create_dir_all(dir.join("large"))?;
        write_corpus(&dir, &seeds, per_contract)?;
        println!("{contract}: {} seeds", seeds.len());
    }
    Ok(())
}

fn write_corpus(
    dir: &Path,
    seeds: &[(String, std::ops::Range<usize>)],
    per_contract: usize,
) -> std::io::Result<()> {
    for n in 0..per_contract {
        let (text, range) = &seeds[n % seeds.len()];
        let room = SMALL_MAX_BYTES.saturating_sub(text.len()) / range.len().max(1);
        // Sizes spread evenly from the seed's own size up to 50 KB.
        let copies = 1 + (n * 7919) % room.max(1);
        std::fs::write(
            dir.join("small").join(format!("{n}.xml")),
            repeated(text, range, copies),
        )?;
    }
    let (text, range) = seeds
        .iter()
        .max_by_key(|(_, r)| r.len())
        .expect("seeds not empty");
    let copies = LARGE_BYTES / range.len().max(1);
    std::fs::write(
        dir.join("large").join("0.xml"),
        repeated(text, range, copies),
    )
}
