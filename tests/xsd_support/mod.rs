//! Shared by the XSD differential test, the XSD fuzz test and the benchmark's corpus generator:
//! the contracts' schema sets as one schema document each (xmllint takes a single `--schema`),
//! and the golden requests with their placeholders filled in with schema-valid values.

#![allow(dead_code)] // each user needs a different part

use std::path::{Path, PathBuf};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The contracts under contracts/: (name, schema files from contract.toml's `service.schemas`).
pub fn contract_schema_sets() -> Vec<(String, Vec<PathBuf>)> {
    let mut out = vec![];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("contracts"))
        .expect("contracts/ readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("contract.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("contract.toml")).expect("contract.toml");
        let table: toml::Table = text.parse().expect("contract.toml parses");
        let schemas = table["service"]["schemas"]
            .as_array()
            .expect("service.schemas is a list")
            .iter()
            .map(|s| dir.join(s.as_str().expect("schema path is a string")))
            .collect();
        let name = dir
            .file_name()
            .expect("dir name")
            .to_string_lossy()
            .into_owned();
        out.push((name, schemas));
    }
    out
}

/// Writes `<dir>/<name>.xsd`: a schema document without target namespace that imports every
/// schema of the set by absolute path, so one `--schema` argument names the whole set.
pub fn write_wrapper_schema(dir: &Path, name: &str, schemas: &[PathBuf]) -> PathBuf {
    let mut text = String::from(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" elementFormDefault=\"qualified\">\n",
    );
    for schema in schemas {
        let schema = std::fs::canonicalize(schema).expect("schema file exists");
        let source = std::fs::read_to_string(&schema).expect("schema readable");
        let doc = roxmltree::Document::parse(&source).expect("schema well-formed");
        let namespace = doc
            .root_element()
            .attribute("targetNamespace")
            .expect("contract schemas have a target namespace");
        text.push_str(&format!(
            "  <xs:import namespace=\"{namespace}\" schemaLocation=\"{}\"/>\n",
            schema.display()
        ));
    }
    text.push_str("</xs:schema>\n");
    let path = dir.join(format!("{name}.xsd"));
    std::fs::write(&path, text).expect("wrapper schema written");
    path
}

/// The golden request documents of a contract with the run-time placeholders filled in:
/// (id relative to golden/, text). Documents with placeholders that only a sequence's earlier
/// answers can fill are left out.
pub fn golden_requests(contract: &str) -> Vec<(String, String)> {
    let mut files = vec![];
    collect_xml(&root().join("golden").join(contract), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).expect("golden readable");
            let text = text
                .replace("${authority_cvr}", "29189846")
                .replace("${message_id}", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")
                .replace("${now}", "2026-03-31T10:00:00+02:00")
                .replace("${today}", "2026-03-31");
            let id = path
                .strip_prefix(root().join("golden"))
                .expect("under golden/")
                .to_string_lossy()
                .into_owned();
            (!text.contains("${")).then_some((id, text))
        })
        .collect()
}

fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("golden dir readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect_xml(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

pub fn replace_range(text: &str, range: std::ops::Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}

/// The document and its deterministic mutations: per element drop, duplicate, rename, add an
/// unknown attribute, add an unknown child; per text-only element empty it, and put text into
/// it when it holds a date.
pub fn with_mutations(id: &str, text: &str) -> Vec<(String, String)> {
    let mut out = vec![(id.to_owned(), text.to_owned())];
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return out;
    };
    let root = doc.root_element();
    for (i, element) in root.descendants().filter(|n| n.is_element()).enumerate() {
        let range = element.range();
        let source = &text[range.clone()];
        let name_len = source[1..]
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(source.len() - 1);
        let name_end = range.start + 1 + name_len;
        let mut add = |kind: &str, mutated: String| out.push((format!("{id}#{kind}{i}"), mutated));
        if element != root {
            add("drop", replace_range(text, range.clone(), ""));
            add(
                "duplicate",
                replace_range(text, range.end..range.end, source),
            );
        }
        add(
            "unknown-attribute",
            replace_range(text, name_end..name_end, " kontraktUnknown=\"x\""),
        );
        let renamed = if source.ends_with("/>") {
            replace_range(text, name_end..name_end, "X")
        } else {
            let close = range.start + source.rfind("</").expect("end tag") + 2 + name_len;
            let once = replace_range(text, close..close, "X");
            replace_range(&once, name_end..name_end, "X")
        };
        add("rename", renamed);
        if let Some(child) = element.children().find(|c| c.is_element()) {
            let at = child.range().start;
            add(
                "unknown-child",
                replace_range(text, at..at, "<kontraktUnknown/>"),
            );
        } else if let Some(content) = element.first_child().filter(|c| c.is_text()) {
            let value = content.text().unwrap_or_default().trim();
            add("empty", replace_range(text, content.range(), ""));
            let looks_like_date = value.len() >= 10
                && value.as_bytes()[4] == b'-'
                && value.as_bytes()[7] == b'-'
                && value[..4].bytes().all(|b| b.is_ascii_digit());
            if looks_like_date {
                add(
                    "text-in-date",
                    replace_range(text, content.range(), "not-a-date"),
                );
            }
        }
    }
    out
}
