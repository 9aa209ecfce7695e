//! Property-based fuzzing of the contract loader: arbitrary TOML-ish text and mutations of the
//! shipped contract.toml files always give a contract or a typed error naming the file, never a
//! panic or a stack overflow.
//!
//! `PROPTEST_CASES=20000 cargo test --release --test fuzz_contract` for a sustained run.

mod fuzz_support;

use std::path::{Path, PathBuf};

use kontrakt::contract::{Contract, ContractError};
use proptest::prelude::*;

use fuzz_support::{apply, mutations};

/// Pieces of TOML syntax and contract vocabulary that mutations splice in.
const TOML_TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    "\"",
    "'''",
    "\"\"\"",
    "\n",
    "#",
    "\\u0000",
    "[[operation]]\n",
    "[[operation.rule]]\n",
    "[[rule]]\n",
    "kind = \"echo\"\n",
    "kind = \"reject-unknown\"\n",
    "domain = \"municipality\"\n",
    "path = \"//fd:Myndighedskode\"\n",
    "path = \"fd:A//@x\"\n",
    "soap = \"1.2\"\n",
    "schemas = [\"../../../../etc/passwd\"]\n",
    "x = [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]\n",
    "1979-05-27T07:32:00Z",
    "nan",
    "1e400",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Folders of the shipped contracts; the mutated text is loaded against the real folder so
/// the schema paths resolve as they do in a real run.
fn contract_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("contracts"))
        .expect("contracts folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("contract.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The result must be a contract or an error that names the contract file.
fn load(dir: &Path, text: &str) -> Result<(), TestCaseError> {
    match Contract::from_toml(dir, text) {
        Ok(contract) => {
            prop_assert!(!contract.operations.is_empty());
            prop_assert!(contract.service.schemas.iter().all(|s| s.is_file()));
        }
        Err(ContractError::MissingSchema { file, .. })
        | Err(ContractError::Syntax { file, .. })
        | Err(ContractError::Invalid { file, .. })
        | Err(ContractError::Rule { file, .. })
        | Err(ContractError::Read { file, .. }) => {
            prop_assert_eq!(file, dir.join("contract.toml"));
        }
        Err(e @ ContractError::NoContracts { .. }) => {
            prop_assert!(false, "loading one contract cannot find no contracts: {e}");
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_loads_or_is_refused(text in "\\PC{0,400}") {
        load(&contract_dirs()[0], &text)?;
    }

    #[test]
    fn arbitrary_toml_shapes_load_or_are_refused(
        lines in proptest::collection::vec(
            prop_oneof![
                "\\[{1,2}[a-z.]{1,12}\\]{1,2}",
                "[a-z_]{1,10} = (\"[^\"\\\\]{0,20}\"|[0-9]{1,4}|true|\\[\\]|\\{\\})",
                "[ -~]{0,30}",
            ],
            0..40,
        ),
    ) {
        load(&contract_dirs()[0], &lines.join("\n"))?;
    }

    #[test]
    fn mutated_contracts_load_or_are_refused(
        which in any::<prop::sample::Index>(),
        edits in mutations(10),
    ) {
        let dirs = contract_dirs();
        let dir = which.get(&dirs);
        let original = std::fs::read(dir.join("contract.toml")).expect("contract.toml");
        let bytes = apply(&original, &edits, TOML_TOKENS);
        load(dir, &String::from_utf8_lossy(&bytes))?;
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    for depth in [10, 1_000, 100_000] {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let text = format!("x = {}1{}\n", open.repeat(depth), close.repeat(depth));
            let error = Contract::from_toml(&contract_dirs()[0], &text).unwrap_err();
            assert!(matches!(error, ContractError::Syntax { .. }), "{error}");
        }
    }
}

#[test]
fn the_shipped_contracts_load_from_text() {
    for dir in contract_dirs() {
        let text = std::fs::read_to_string(dir.join("contract.toml")).unwrap();
        Contract::from_toml(&dir, &text).unwrap_or_else(|e| panic!("{e}"));
    }
}
