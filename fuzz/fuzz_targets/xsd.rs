//! The XSD processor on arbitrary input: bytes up to the first NUL are a schema document, the
//! rest an instance. Compiling gives a schema set or a SchemaError, and a compiled set validates
//! any instance (well-formed or not) to a report or an unreadable outcome, never a panic.
//! Seed the corpus with `schema.xsd`, a NUL byte and an instance (see README, "Fuzzing").
#![no_main]

use std::num::NonZeroUsize;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (schema, instance) = match data.iter().position(|&b| b == 0) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    // compile and validate read files, so each fuzzing process writes its own pair
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let schema_path = dir.join(format!("kontrakt-fuzz-xsd-{id}.xsd"));
    let instance_path: PathBuf = dir.join(format!("kontrakt-fuzz-xsd-{id}.xml"));
    if std::fs::write(&schema_path, schema).is_err()
        || std::fs::write(&instance_path, instance).is_err()
    {
        return;
    }
    let _ = kontrakt::xsd::validate_files(&[schema_path], &[instance_path], NonZeroUsize::MIN);
});
