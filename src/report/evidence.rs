//! The evidence bundle `evidence.tar.gz`: the report files and every request and response
//! exchanged, with `manifest.json` listing each file's SHA-256 and size plus the run's facts, and
//! `manifest.sha256` (in `sha256sum` format) guarding the manifest itself. [`verify`] re-checks
//! all of it without unpacking anything to disk.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use super::provenance::sha256_hex;
use super::redact::{redact_anywhere_bytes, redact_xml_bytes};
use super::{ReportFile, RunRecord, Tally, file_stem};

pub const BUNDLE_NAME: &str = "evidence.tar.gz";
pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_HASH: &str = "manifest.sha256";
/// Version of the manifest layout; bumped on any incompatible change.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub run_id: String,
    pub harness_version: String,
    pub endpoint: String,
    pub today: NaiveDate,
    pub duration_ms: u64,
    pub client_certificate_sha256: Option<String>,
    pub seed: Option<u64>,
    pub passed: usize,
    pub failed: usize,
    pub baselined: usize,
    pub could_not_test: usize,
    /// Whether CPR numbers were replaced by `XXXXXX-XXXX` before hashing.
    pub cpr_redacted: bool,
    pub files: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// The trial an exchanged request or response belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial: Option<String>,
}

struct BundleFile {
    path: String,
    trial: Option<String>,
    bytes: Vec<u8>,
}

/// Builds the bundle in memory: `reports` (the rendered report files) plus each case's request
/// and response under `exchanges/<nnnn>-<trial>/`.
pub fn bundle(run: &RunRecord, reports: &[ReportFile], redact: bool) -> Vec<u8> {
    let mut files: Vec<BundleFile> = reports
        .iter()
        .map(|f| BundleFile {
            path: f.name.clone(),
            trial: None,
            bytes: if redact {
                redact_anywhere_bytes(&f.bytes)
            } else {
                f.bytes.clone()
            },
        })
        .collect();
    for (index, case) in run.cases.iter().enumerate() {
        let folder = format!("exchanges/{:04}-{}", index + 1, file_stem(&case.name));
        let exchanged = [
            ("request.xml", case.request.as_ref().map(|r| r.as_bytes())),
            ("response.xml", case.response.as_deref()),
        ];
        for (name, bytes) in exchanged {
            if let Some(bytes) = bytes {
                files.push(BundleFile {
                    path: format!("{folder}/{name}"),
                    trial: Some(case.name.clone()),
                    bytes: if redact {
                        redact_xml_bytes(bytes)
                    } else {
                        bytes.to_vec()
                    },
                });
            }
        }
    }
    let tally: Tally = run.tally();
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        run_id: run.run_id.clone(),
        harness_version: run.harness_version.clone(),
        endpoint: run.endpoint.clone(),
        today: run.today,
        duration_ms: run.duration_ms,
        client_certificate_sha256: run.client_certificate_sha256.clone(),
        seed: run.seed,
        passed: tally.passed,
        failed: tally.failed,
        baselined: tally.baselined,
        could_not_test: tally.could_not_test,
        cpr_redacted: redact,
        files: files
            .iter()
            .map(|f| ManifestEntry {
                path: f.path.clone(),
                sha256: sha256_hex(&f.bytes),
                size: f.bytes.len() as u64,
                trial: f.trial.clone(),
            })
            .collect(),
    };
    // A manifest of strings and numbers always serialises.
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let manifest_hash = format!("{}  {MANIFEST}\n", sha256_hex(&manifest_bytes));
    let mut archive = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let all = [
        (MANIFEST, manifest_bytes.as_slice()),
        (MANIFEST_HASH, manifest_hash.as_bytes()),
    ]
    .into_iter()
    .chain(files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())));
    for (path, bytes) in all {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        // Appending to an in-memory archive fails only for paths tar cannot store, and every
        // path here is built from sanitised file stems.
        let _ = archive.append_data(&mut header, path, bytes);
    }
    archive
        .into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_default()
}

/// Why a bundle could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a gzip-compressed tar archive: {source}", path.display())]
    Archive {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} has no {MANIFEST}: not a kontrakt evidence bundle", path.display())]
    NoManifest { path: PathBuf },
    #[error("{}: {MANIFEST} is not a kontrakt manifest: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
}

/// Something wrong inside a readable bundle, naming the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleProblem {
    #[error("{MANIFEST_HASH} is missing, so {MANIFEST} cannot be trusted")]
    ManifestHashMissing,
    #[error("{MANIFEST} was altered: its SHA-256 is {actual}, {MANIFEST_HASH} says {recorded}")]
    ManifestAltered { recorded: String, actual: String },
    #[error("altered: {path} (SHA-256 {actual}, manifest says {recorded})")]
    Altered {
        path: String,
        recorded: String,
        actual: String,
    },
    #[error("missing: {0} is listed in the manifest but not in the bundle")]
    Missing(String),
    #[error("added: {0} is in the bundle but not in the manifest")]
    Added(String),
    #[error("duplicate: {0} appears more than once in the bundle")]
    Duplicate(String),
}

/// The result of checking a readable bundle.
#[derive(Debug)]
pub struct Verification {
    pub manifest: Manifest,
    pub manifest_sha256: String,
    pub problems: Vec<BundleProblem>,
}

/// Re-checks every hash in the bundle at `path` and the manifest's own hash.
pub fn verify(path: &Path) -> Result<Verification, VerifyError> {
    let bytes = std::fs::read(path).map_err(|source| VerifyError::Read {
        path: path.to_owned(),
        source,
    })?;
    let archive_error = |source| VerifyError::Archive {
        path: path.to_owned(),
        source,
    };
    let mut entries: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut archive = tar::Archive::new(GzDecoder::new(bytes.as_slice()));
    for entry in archive.entries().map_err(archive_error)? {
        let mut entry = entry.map_err(archive_error)?;
        if entry.header().entry_type().is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(archive_error)?;
        if entries.insert(name.clone(), content).is_some() {
            problems.push(BundleProblem::Duplicate(name));
        }
    }
    let manifest_bytes = entries
        .remove(MANIFEST)
        .ok_or_else(|| VerifyError::NoManifest {
            path: path.to_owned(),
        })?;
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    match entries.remove(MANIFEST_HASH) {
        None => problems.push(BundleProblem::ManifestHashMissing),
        Some(line) => {
            let recorded = String::from_utf8_lossy(&line)
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            if recorded != manifest_sha256 {
                problems.push(BundleProblem::ManifestAltered {
                    recorded,
                    actual: manifest_sha256.clone(),
                });
            }
        }
    }
    let manifest: Manifest =
        serde_json::from_slice(&manifest_bytes).map_err(|e| VerifyError::Manifest {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    for listed in &manifest.files {
        match entries.remove(&listed.path) {
            None => problems.push(BundleProblem::Missing(listed.path.clone())),
            Some(content) => {
                let actual = sha256_hex(&content);
                if actual != listed.sha256 || content.len() as u64 != listed.size {
                    problems.push(BundleProblem::Altered {
                        path: listed.path.clone(),
                        recorded: listed.sha256.clone(),
                        actual,
                    });
                }
            }
        }
    }
    problems.extend(entries.into_keys().map(BundleProblem::Added));
    Ok(Verification {
        manifest,
        manifest_sha256,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::render;
    use super::*;

    fn entries(bundle: &[u8]) -> BTreeMap<String, Vec<u8>> {
        let mut archive = tar::Archive::new(GzDecoder::new(bundle));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut bytes = Vec::new();
                e.read_to_end(&mut bytes).unwrap();
                (e.path().unwrap().display().to_string(), bytes)
            })
            .collect()
    }

    /// Repacks `files` (in the given order) as a bundle, the way a tamperer would.
    fn repack(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
        let mut archive = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
        for (path, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            archive
                .append_data(&mut header, path, bytes.as_slice())
                .unwrap();
        }
        archive.into_inner().unwrap().finish().unwrap()
    }

    fn verify_bytes(bytes: &[u8]) -> Result<Verification, VerifyError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(BUNDLE_NAME);
        std::fs::write(&path, bytes).unwrap();
        verify(&path)
    }

    fn made(redact: bool) -> Vec<u8> {
        let run = fixture::run();
        bundle(&run, &render(&run), redact)
    }

    #[test]
    fn a_fresh_bundle_verifies_and_holds_every_exchange() {
        let bytes = made(false);
        let verification = verify_bytes(&bytes).unwrap();
        assert_eq!(verification.problems, vec![]);
        let files = entries(&bytes);
        let exchanged = files.keys().filter(|p| p.starts_with("exchanges/")).count();
        let expected: usize = fixture::run()
            .cases
            .iter()
            .map(|c| usize::from(c.request.is_some()) + usize::from(c.response.is_some()))
            .sum();
        assert_eq!(exchanged, expected);
        assert!(files.contains_key("report.html") && files.contains_key("results.json"));
        assert!(
            String::from_utf8_lossy(
                &files["exchanges/0001-kontanthjaelp__RetBevilling__golden__afgjort/request.xml"]
            )
            .contains(fixture::CPR)
        );
        assert_eq!(verification.manifest.run_id, fixture::run().run_id);
    }

    #[test]
    fn altering_one_byte_names_the_file() {
        let mut files = entries(&made(false));
        let victim = "exchanges/0003-kontanthjaelp__SletBevilling__golden__slet/response.xml";
        files.get_mut(victim).unwrap()[0] ^= 1;
        let problems = verify_bytes(&repack(&files)).unwrap().problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(&problems[0], BundleProblem::Altered { path, .. } if path == victim),
            "{problems:?}"
        );
    }

    #[test]
    fn missing_added_and_manifest_changes_are_named() {
        let pristine = entries(&made(false));
        let mut files = pristine.clone();
        files.remove("junit.xml");
        files.insert("extra.txt".into(), b"hello".to_vec());
        let problems = verify_bytes(&repack(&files)).unwrap().problems;
        assert!(problems.contains(&BundleProblem::Missing("junit.xml".into())));
        assert!(problems.contains(&BundleProblem::Added("extra.txt".into())));

        let mut files = pristine.clone();
        let manifest = String::from_utf8(files[MANIFEST].clone()).unwrap();
        files.insert(
            MANIFEST.into(),
            manifest
                .replace("\"failed\": 1", "\"failed\": 0")
                .into_bytes(),
        );
        let problems = verify_bytes(&repack(&files)).unwrap().problems;
        assert!(
            matches!(problems.as_slice(), [BundleProblem::ManifestAltered { .. }]),
            "{problems:?}"
        );

        let mut files = pristine;
        files.remove(MANIFEST_HASH);
        let problems = verify_bytes(&repack(&files)).unwrap().problems;
        assert_eq!(problems, vec![BundleProblem::ManifestHashMissing]);
    }

    #[test]
    fn unreadable_bundles_are_errors_not_problems() {
        assert!(matches!(
            verify_bytes(b"not gzip"),
            Err(VerifyError::Archive { .. })
        ));
        let mut files = entries(&made(false));
        files.remove(MANIFEST);
        assert!(matches!(
            verify_bytes(&repack(&files)),
            Err(VerifyError::NoManifest { .. })
        ));
        let missing = verify(Path::new("/nonexistent/evidence.tar.gz"));
        assert!(matches!(missing, Err(VerifyError::Read { .. })));
    }

    #[test]
    fn redaction_is_consistent_in_files_and_hashes() {
        let bytes = made(true);
        let verification = verify_bytes(&bytes).unwrap();
        assert_eq!(verification.problems, vec![]);
        assert!(verification.manifest.cpr_redacted);
        for (path, content) in entries(&bytes) {
            let text = String::from_utf8_lossy(&content);
            assert!(
                !text.contains(fixture::CPR),
                "{path} still holds the CPR number"
            );
        }
        let files = entries(&bytes);
        let request = String::from_utf8_lossy(
            &files["exchanges/0001-kontanthjaelp__RetBevilling__golden__afgjort/request.xml"],
        )
        .into_owned();
        assert!(
            request.contains("<fd:CPRNummer>XXXXXX-XXXX</fd:CPRNummer>"),
            "{request}"
        );
    }
}
