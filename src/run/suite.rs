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
        let mut cases = cases::golden_cases(golden_dir, &contracts)?;
        let generated = cases::generated_cases(&contracts, &cases)?;
        cases.extend(generated);
        Ok(Suite { contracts, cases })
    }

    /// Cases whose name contains any of `filters` (all when empty), or equals one with `exact`,
    /// like libtest.
    pub fn select(&self, filters: &[String], exact: bool) -> Vec<Case> {
        self.cases
            .iter()
            .filter(|case| selects(case, filters, exact))
            .cloned()
            .collect()
    }

    /// Moves the cases [`Suite::select`] would choose out of the suite, dropping the others: a run
    /// needs the contracts afterwards but not a second copy of every case.
    pub fn take_selected(&mut self, filters: &[String], exact: bool) -> Vec<Case> {
        std::mem::take(&mut self.cases)
            .into_iter()
            .filter(|case| selects(case, filters, exact))
            .collect()
    }

    /// The contract with key `service` and its operation `operation`.
    pub fn contract_operation(
        &self,
        service: &str,
        operation: &str,
    ) -> Option<(&Contract, &Operation)> {
        self.contracts
            .iter()
            .find(|c| c.key == service)
            .and_then(|c| c.operation(operation).map(|o| (c, o)))
    }

    pub fn operation_of(&self, case: &Case) -> Result<(&Contract, &Operation), SuiteError> {
        self.contract_operation(&case.service, &case.operation)
            .ok_or_else(|| SuiteError::UnknownOperation {
                name: case.name.clone(),
                service: case.service.clone(),
                operation: case.operation.clone(),
            })
    }
}

fn selects(case: &Case, filters: &[String], exact: bool) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            if exact {
                case.name == *f
            } else {
                case.name.contains(f.as_str())
            }
        })
}
