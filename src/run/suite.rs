//! The suite: contracts, their cases and the trial names, loaded cheaply (no schema compilation,
//! no network) so that listing and `--exact` stay fast.

use std::path::Path;

use crate::cases::{self, Case, CaseError};
use crate::contract::{Contract, ContractError, Operation};

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("{name}: no contract `{service}` or operation `{operation}`")]
    UnknownOperation {
        name: String,
        service: String,
        operation: String,
    },
}

/// All contracts and cases under a contracts folder and a golden folder.
#[derive(Debug)]
pub struct Suite {
    pub contracts: Vec<Contract>,
    pub cases: Vec<Case>,
}

impl Suite {
    pub fn load(contracts_dir: &Path, golden_dir: &Path) -> Result<Suite, SuiteError> {
        let contracts = Contract::load_all(contracts_dir)?;
        let cases = cases::golden_cases(golden_dir, &contracts)?;
        Ok(Suite { contracts, cases })
    }

    /// Cases whose name contains any of `filters` (all when empty), or equals one with `exact`,
    /// like libtest.
    pub fn select(&self, filters: &[String], exact: bool) -> Vec<Case> {
        self.cases
            .iter()
            .filter(|c| {
                filters.is_empty()
                    || filters.iter().any(|f| {
                        if exact {
                            c.name == *f
                        } else {
                            c.name.contains(f.as_str())
                        }
                    })
            })
            .cloned()
            .collect()
    }

    pub fn operation_of(&self, case: &Case) -> Result<(&Contract, &Operation), SuiteError> {
        self.contracts
            .iter()
            .find(|c| c.key == case.service)
            .and_then(|c| c.operation(&case.operation).map(|o| (c, o)))
            .ok_or_else(|| SuiteError::UnknownOperation {
                name: case.name.clone(),
                service: case.service.clone(),
                operation: case.operation.clone(),
            })
    }
}
