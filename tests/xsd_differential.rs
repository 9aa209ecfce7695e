//! Differential test against libxml2: valid documents (the golden requests, XSTS instances)
//! and deterministic mutations of them are judged by kontrakt's validator and by
//! `xmllint --noout --schema`; the verdicts must agree, except for the documented libxml2 bugs
//! in tests/xsd-differential-allowlist.toml. Skips without xmllint, except when CI=true.

mod xsd_support;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::Command;

use kontrakt::xsd::{FileOutcome, validate_files};

/// XSTS groups (one schema document each) whose instances join the corpus.
const XSTS_SCHEMAS: [&str; 5] = [
    "sunData/combined/006/test.xsd",
    "sunData/combined/xsd004/xsd004.xsd",
    "msData/datatypes/date.xsd",
    "msData/datatypes/decimal.xsd",
    "msData/additional/fixed2.xsd",
];

struct Suite {
    name: String,
    schema: PathBuf,
    /// (document id, text)
    documents: Vec<(String, String)>,
}

fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

fn xmllint_available() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

fn contract_suites(dir: &Path) -> Vec<Suite> {
    xsd_support::contract_schema_sets()
        .into_iter()
        .map(|(name, schemas)| {
            let schema = xsd_support::write_wrapper_schema(dir, &name, &schemas);
            let documents = xsd_support::golden_requests(&name)
                .iter()
                .flat_map(|(id, text)| xsd_support::with_mutations(id, text))
                .collect();
            Suite {
                name,
                schema,
                documents,
            }
        })
        .collect()
}

fn xsts_suites() -> Vec<Suite> {
    let root = std::env::var_os("KONTRAKT_XSTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xsd_support::root().join("../shared/xsts"));
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
        assert!(!ci(), "XSTS not found at {} and CI=true", root.display());
        eprintln!(
            "XSTS part skipped: not found at {} (set KONTRAKT_XSTS_DIR)",
            root.display()
        );
        return vec![];
    };
    let data = root.join("data");
    XSTS_SCHEMAS
        .iter()
        .map(|schema| {
            let documents = manifest
                .lines()
                .map(|line| line.split('\t').collect::<Vec<_>>())
                .filter(|f| f.len() >= 5 && f[1] == "instance" && f[2] == *schema)
                .flat_map(|f| {
                    let text = std::fs::read_to_string(data.join(f[3])).expect("XSTS instance");
                    xsd_support::with_mutations(f[0], text.trim_start_matches('\u{feff}'))
                })
                .collect();
            Suite {
                name: (*schema).to_owned(),
                schema: data.join(schema),
                documents,
            }
        })
        .collect()
}

/// Writes the documents as <dir>/<n>.xml and returns kontrakt's and xmllint's verdicts
/// (true = valid) per document.
fn verdicts(suite: &Suite, dir: &Path) -> Vec<(bool, bool)> {
    std::fs::create_dir_all(dir).expect("suite dir");
    let paths: Vec<PathBuf> = suite
        .documents
        .iter()
        .enumerate()
        .map(|(n, (_, text))| {
            let path = dir.join(format!("{n}.xml"));
            std::fs::write(&path, text).expect("document written");
            path
        })
        .collect();
    // several threads, so the agreement also covers the parallel path of `xsd validate`
    let jobs = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    let ours = validate_files(std::slice::from_ref(&suite.schema), &paths, jobs)
        .unwrap_or_else(|e| panic!("{}: kontrakt rejects the schema: {e}", suite.name));
    let mut theirs: BTreeMap<String, bool> = BTreeMap::new();
    for batch in paths.chunks(1000) {
        let output = Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&suite.schema)
            .args(batch)
            .output()
            .expect("xmllint runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("failed to compile"),
            "{}: libxml2 rejects the schema: {stderr}",
            suite.name
        );
        for line in stderr.lines() {
            if let Some(file) = line.strip_suffix(" validates") {
                theirs.insert(file.to_owned(), true);
            } else if let Some(file) = line.strip_suffix(" fails to validate") {
                theirs.insert(file.to_owned(), false);
            }
        }
    }
    ours.iter()
        .map(|result| {
            let key = result.path.display().to_string();
            let libxml2 = *theirs
                .get(&key)
                .unwrap_or_else(|| panic!("{}: no xmllint verdict for {key}", suite.name));
            (result.outcome == FileOutcome::Valid, libxml2)
        })
        .collect()
}

fn allow_list() -> BTreeMap<String, String> {
    let path = xsd_support::root().join("tests/xsd-differential-allowlist.toml");
    let text = std::fs::read_to_string(&path).expect("allow-list readable");
    let table: toml::Table = text.parse().expect("allow-list parses");
    table
        .get("disagreement")
        .and_then(|d| d.as_array())
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let field = |k: &str| {
                        e.get(k)
                            .and_then(|v| v.as_str())
                            .unwrap_or_else(|| panic!("allow-list entry without {k}: {e}"))
                            .to_owned()
                    };
                    let reason = field("reason");
                    assert!(
                        !reason.trim().is_empty(),
                        "allow-list entry needs a reason: {e}"
                    );
                    (field("id"), reason)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn kontrakt_agrees_with_libxml2() {
    if !xmllint_available() {
        assert!(
            !ci(),
            "xmllint not on PATH and CI=true (.ci/run installs libxml2-utils)"
        );
        eprintln!("skipped: xmllint not on PATH (apt-get install libxml2-utils)");
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let mut suites = contract_suites(work.path());
    suites.extend(xsts_suites());
    let allowed = allow_list();
    let mut unexplained = vec![];
    let mut allowed_seen = vec![];
    for (n, suite) in suites.iter().enumerate() {
        let verdicts = verdicts(suite, &work.path().join(n.to_string()));
        let (mut both_valid, mut both_invalid) = (0, 0);
        for ((id, _), (ours, libxml2)) in suite.documents.iter().zip(verdicts) {
            match (ours, libxml2) {
                (true, true) => both_valid += 1,
                (false, false) => both_invalid += 1,
                _ if allowed.contains_key(id) => allowed_seen.push(id.clone()),
                _ => unexplained.push(format!(
                    "{id}: kontrakt says {}, libxml2 says {}",
                    if ours { "valid" } else { "invalid" },
                    if libxml2 { "valid" } else { "invalid" }
                )),
            }
        }
        eprintln!(
            "{}: {} documents, agree {} valid + {} invalid",
            suite.name,
            suite.documents.len(),
            both_valid,
            both_invalid
        );
        assert!(
            both_valid > 0 && both_invalid > 0,
            "{}: the corpus must hold valid and invalid documents both sides agree on",
            suite.name
        );
    }
    let stale: Vec<&String> = allowed
        .keys()
        .filter(|id| !allowed_seen.contains(id))
        .collect();
    eprintln!("allow-listed disagreements: {}", allowed_seen.len());
    assert!(
        unexplained.is_empty(),
        "{} disagreements with libxml2 (fix, or allow-list with the reason libxml2 is wrong):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "allow-list entries that no longer disagree: {stale:?}"
    );
}
