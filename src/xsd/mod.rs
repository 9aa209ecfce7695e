//! Own XML Schema 1.0 processor on roxmltree: compiles schema sets and validates documents.
pub mod datatypes;
