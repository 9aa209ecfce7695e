//! The XSD processor on arbitrary input: bytes up to the first NUL are a schema document, the
//! rest an instance. Compiling gives a schema set or a SchemaError, and a compiled set validates
//! any instance (well-formed or not), through a tree and as a stream, to a report or a read
//! error, never a panic.
//! Seed the corpus with `schema.xsd`, a NUL byte and an instance (see README, "Fuzzing").
#![no_main]

use std::io::Cursor;

use kontrakt::xsd::{CompileOptions, SchemaSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (schema, instance) = match data.iter().position(|&b| b == 0) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    // a schema set compiles from files, so each fuzzing process writes its own
    let schema_path =
        std::env::temp_dir().join(format!("kontrakt-fuzz-xsd-{}.xsd", std::process::id()));
    if std::fs::write(&schema_path, schema).is_err() {
        return;
    }
    let Ok(set) = SchemaSet::compile(&[schema_path], &CompileOptions::default()) else {
        return;
    };
    // `kontrakt xsd validate` reads small files into a tree and streams large ones
    let _ = set.validate_bytes(instance);
    let _ = set.validate_reader(Cursor::new(instance));
});
