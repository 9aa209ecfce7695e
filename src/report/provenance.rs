//! What a run certified against: each contract's file and schema hashes, its operations and the
//! rules each operation is checked by.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ReportError;
use crate::contract::{Contract, SchemaProvenance};

/// A file and the SHA-256 of its bytes (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

impl FileHash {
    pub fn of(path: &Path) -> Result<FileHash, ReportError> {
        let bytes = std::fs::read(path).map_err(ReportError::at(path))?;
        Ok(FileHash {
            path: lexically_normal(path).display().to_string(),
            sha256: sha256_hex(&bytes),
        })
    }
}

/// `path` with `a/../` pairs and `./` removed, without touching the file system, so shared
/// schemas read as `contracts/common/…` in reports.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) =>
            {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRecord {
    /// The folder name under contracts/, the first part of trial names.
    pub key: String,
    pub id: String,
    pub name: String,
    pub version: String,
    /// `genuine` (the official schemas) or `modelled` (written from public documentation).
    pub schema_provenance: String,
    pub contract: FileHash,
    pub schemas: Vec<FileHash>,
    pub operations: Vec<OperationRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationRecord {
    pub name: String,
    /// Each rule as `Rule::describe` words it.
    pub rules: Vec<String>,
}

/// Records every contract with the hashes of contract.toml and of each schema file it lists.
pub fn services(contracts: &[Contract]) -> Result<Vec<ServiceRecord>, ReportError> {
    contracts
        .iter()
        .map(|contract| {
            Ok(ServiceRecord {
                key: contract.key.clone(),
                id: contract.service.id.clone(),
                name: contract.service.name.clone(),
                version: contract.service.version.clone(),
                schema_provenance: match contract.provenance.schemas {
                    SchemaProvenance::Genuine => "genuine",
                    SchemaProvenance::Modelled => "modelled",
                }
                .to_owned(),
                contract: FileHash::of(&contract.file)?,
                schemas: contract
                    .service
                    .schemas
                    .iter()
                    .map(|s| FileHash::of(s))
                    .collect::<Result<_, _>>()?,
                operations: contract
                    .operations
                    .iter()
                    .map(|op| OperationRecord {
                        name: op.name.clone(),
                        rules: op.rule_descriptions.iter().map(|d| d.to_string()).collect(),
                    })
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_contract_and_every_listed_schema() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts/kontanthjaelp");
        let contract = Contract::load(&dir).unwrap();
        let records = services(std::slice::from_ref(&contract)).unwrap();
        let record = &records[0];
        let expected = sha256_hex(&std::fs::read(dir.join("contract.toml")).unwrap());
        assert_eq!(record.contract.sha256, expected);
        assert_eq!(record.schemas.len(), contract.service.schemas.len());
        for (hash, path) in record.schemas.iter().zip(&contract.service.schemas) {
            assert_eq!(hash.sha256, sha256_hex(&std::fs::read(path).unwrap()));
        }
        let ret = record
            .operations
            .iter()
            .find(|o| o.name == "RetBevilling")
            .unwrap();
        assert!(
            ret.rules.iter().any(|r| r.starts_with("reject-values")),
            "{:?}",
            ret.rules
        );
    }

    #[test]
    fn paths_are_shown_without_dot_dot() {
        let shown = |p: &str| lexically_normal(Path::new(p)).display().to_string();
        assert_eq!(
            shown("contracts/kh/../common/F.xsd"),
            "contracts/common/F.xsd"
        );
        assert_eq!(shown("./a/./b"), "a/b");
        assert_eq!(shown("../shared/x.xsd"), "../shared/x.xsd");
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
