//! The canonical form of any well-formed document that the hardened parser accepts.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(doc) = kontrakt::xml::parse(text) {
        let _ = kontrakt::xml::canonical::canonicalize(doc.root_element(), &BTreeMap::new());
    }
});
