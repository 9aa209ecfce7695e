//! Conformance against the W3C XML Schema Test Suite (XSD 1.0 subset in ../shared/xsts or
//! $KONTRAKT_XSTS_DIR): runs every row of manifest.tsv, writes target/xsts-outcomes.tsv and
//! fails when the pass counts fall below tests/xsts-floor.toml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kontrakt::xsd::{CompileOptions, SchemaSet};

/// id, kind, expected valid, judged valid, first error.
type Outcome = (String, String, bool, bool, String);

struct Row {
    id: String,
    kind: String,
    schemas: Vec<PathBuf>,
    instance: Option<PathBuf>,
    expected_valid: bool,
}

/// Schema locations an instance names through xsi:schemaLocation / noNamespaceSchemaLocation.
fn hinted_schemas(instance: &Path) -> Vec<PathBuf> {
    const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
    let Ok(text) = std::fs::read_to_string(instance) else {
        return vec![];
    };
    let Ok(doc) = roxmltree::Document::parse(text.trim_start_matches('\u{feff}')) else {
        return vec![];
    };
    let dir = instance.parent().unwrap_or(Path::new("."));
    let mut out = vec![];
    for node in doc.descendants().filter(|n| n.is_element()) {
        if let Some(pairs) = node.attribute((XSI, "schemaLocation")) {
            let tokens: Vec<&str> = pairs.split_ascii_whitespace().collect();
            out.extend(
                tokens
                    .chunks(2)
                    .filter_map(|c| c.get(1))
                    .map(|l| dir.join(l)),
            );
        }
        if let Some(l) = node.attribute((XSI, "noNamespaceSchemaLocation")) {
            out.push(dir.join(l.trim()));
        }
    }
    out.dedup();
    out
}

/// The verdict on an instance and, when invalid, the first reason: validated as it streams
/// from the file, as `kontrakt xsd validate` does.
fn instance_valid(set: &SchemaSet, path: &Path) -> (bool, String) {
    let Ok(file) = std::fs::File::open(path) else {
        return (false, "unreadable".to_owned());
    };
    match set.validate_reader(std::io::BufReader::new(file)) {
        Ok(report) => (
            report.is_valid(),
            report
                .errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// Validates against the group's schemas; when that fails and the instance's xsi hints name
/// further schema documents, validates again with those added (a processor may use hints).
fn with_hints(set: &SchemaSet, schemas: &[PathBuf], instance: &Path) -> (bool, String) {
    let verdict = instance_valid(set, instance);
    if verdict.0 {
        return verdict;
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let known: Vec<PathBuf> = schemas.iter().map(|p| canonical(p)).collect();
    let extra: Vec<PathBuf> = hinted_schemas(instance)
        .into_iter()
        .filter(|h| h.exists() && !known.contains(&canonical(h)))
        .collect();
    if extra.is_empty() {
        return verdict;
    }
    let all: Vec<PathBuf> = schemas.iter().cloned().chain(extra).collect();
    match SchemaSet::compile(&all, &CompileOptions::default()) {
        Ok(wider) => instance_valid(&wider, instance),
        Err(_) => verdict,
    }
}

fn read_floor(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let get = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (get("schema"), get("instance"))
}

#[test]
fn w3c_xsts_xsd10() {
    let root = std::env::var_os("KONTRAKT_XSTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/xsts"));
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "XSTS not found at {} and CI=true",
            root.display()
        );
        eprintln!(
            "skipped: XSTS not found at {} (set KONTRAKT_XSTS_DIR)",
            root.display()
        );
        return;
    };
    let data = root.join("data");
    let filter = std::env::var("XSTS_FILTER").unwrap_or_default();
    let mut groups: BTreeMap<Vec<PathBuf>, Vec<Row>> = BTreeMap::new();
    for line in manifest.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 5, "bad manifest line {line:?}");
        if !f[0].starts_with(filter.as_str()) {
            continue;
        }
        let schemas: Vec<PathBuf> = f[2]
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| data.join(s))
            .collect();
        let instance = (!f[3].is_empty()).then(|| data.join(f[3]));
        let schemas = if schemas.is_empty() {
            instance.as_deref().map(hinted_schemas).unwrap_or_default()
        } else {
            schemas
        };
        groups.entry(schemas.clone()).or_default().push(Row {
            id: f[0].to_owned(),
            kind: f[1].to_owned(),
            schemas,
            instance,
            expected_valid: f[4] == "valid",
        });
    }
    let groups: Vec<Vec<Row>> = groups.into_values().collect();
    let next = Mutex::new(0usize);
    let outcomes: Mutex<Vec<Outcome>> = Mutex::new(vec![]);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            std::thread::Builder::new()
                .stack_size(32 << 20)
                .spawn_scoped(scope, || {
                    loop {
                        let i = {
                            let mut n = next.lock().unwrap();
                            *n += 1;
                            *n - 1
                        };
                        let Some(group) = groups.get(i) else { break };
                        let started = std::time::Instant::now();
                        let compiled = std::panic::catch_unwind(|| {
                            SchemaSet::compile(&group[0].schemas, &CompileOptions::default())
                        });
                        for row in group {
                            let (got, note) = match (&compiled, row.kind.as_str(), &row.instance) {
                                (Err(_), _, _) => (false, "panic while compiling".to_owned()),
                                (Ok(Err(e)), _, _) => (false, e.to_string()),
                                (Ok(Ok(_)), "schema", _) => (true, String::new()),
                                (Ok(Ok(set)), _, Some(inst)) => {
                                    match std::panic::catch_unwind(|| {
                                        with_hints(set, &row.schemas, inst)
                                    }) {
                                        Ok(verdict) => verdict,
                                        Err(_) => (false, "panic while validating".to_owned()),
                                    }
                                }
                                (Ok(Ok(_)), _, None) => {
                                    (false, "instance row without instance".to_owned())
                                }
                            };
                            let note = note.replace(['\t', '\n'], " ");
                            outcomes.lock().unwrap().push((
                                row.id.clone(),
                                row.kind.clone(),
                                row.expected_valid,
                                got,
                                note,
                            ));
                        }
                        if started.elapsed().as_secs() >= 2 {
                            eprintln!(
                                "slow group ({:.1} s): {}",
                                started.elapsed().as_secs_f64(),
                                group[0].id
                            );
                        }
                    }
                })
                .expect("spawn worker");
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort();
    let mut tsv = String::from("id\tkind\texpected\tgot\tpass\tnote\n");
    let (mut schema_pass, mut schema_total, mut instance_pass, mut instance_total) = (0, 0, 0, 0);
    for (id, kind, expected, got, note) in &outcomes {
        let pass = expected == got;
        let v = |b: bool| if b { "valid" } else { "invalid" };
        tsv.push_str(&format!(
            "{id}\t{kind}\t{}\t{}\t{}\t{note}\n",
            v(*expected),
            v(*got),
            if pass { "pass" } else { "FAIL" }
        ));
        if kind == "schema" {
            schema_total += 1;
            schema_pass += usize::from(pass);
        } else {
            instance_total += 1;
            instance_pass += usize::from(pass);
        }
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).expect("create target/");
    std::fs::write(target.join("xsts-outcomes.tsv"), tsv).expect("write outcomes");
    let pct = |p: usize, t: usize| {
        if t == 0 {
            0.0
        } else {
            100.0 * p as f64 / t as f64
        }
    };
    eprintln!(
        "XSTS XSD 1.0: schema tests {schema_pass}/{schema_total} ({:.2} %), instance tests {instance_pass}/{instance_total} ({:.2} %)",
        pct(schema_pass, schema_total),
        pct(instance_pass, instance_total)
    );
    if filter.is_empty() {
        let (schema_floor, instance_floor) =
            read_floor(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xsts-floor.toml"));
        assert!(
            schema_pass >= schema_floor,
            "schema tests passing fell to {schema_pass}, below the floor {schema_floor}"
        );
        assert!(
            instance_pass >= instance_floor,
            "instance tests passing fell to {instance_pass}, below the floor {instance_floor}"
        );
    }
}
