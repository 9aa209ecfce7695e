//! Grant ids (bevillings-id) for Kontanthjaelp's RetBevilling and SletBevilling.
//!
//! The public seeds do not give the field-level format (integration description 2.2.0 §3.1.3.2
//! is not public), so the id is an [`IdPattern`] a contract can replace. The default is a
//! lower-case hyphenated UUID, as KOMBIT uses for object ids; it is an assumption.

use super::EdgeCase;
use super::id_pattern::{IdPattern, lower_case_uuid, lower_case_uuid_edges};

pub const LABEL: &str = "grant id";

/// The default grant id format: a lower-case UUID (see the module doc).
pub fn default_pattern() -> IdPattern {
    lower_case_uuid(LABEL)
}

pub fn edge_catalogue() -> Vec<EdgeCase> {
    lower_case_uuid_edges()
}
