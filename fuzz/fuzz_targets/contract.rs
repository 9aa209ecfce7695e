//! The contract loader on arbitrary contract.toml text, resolved against the shipped
//! Kontanthjaelp folder so schema paths can exist.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/kontanthjaelp");
    let _ = kontrakt::contract::Contract::from_toml(&dir, text);
});
