//! Danish domain knowledge: CPR, CVR, KLE, municipality codes, case and grant ids, Danish text,
//! calendar and the injectable clock — each with a validity check, proptest strategies and a
//! deterministic catalogue of named edge cases, following `../shared/domain.md`.
//!
//! Contracts bind XML fields to a [`FieldKind`] (`kind = "cpr"`); generation and checks reach
//! the rules through it.

pub mod calendar;
pub mod cpr;
pub mod cvr;
mod field_kind;
pub mod grant;
pub mod id_pattern;
pub mod kle;
pub mod lexical;
pub mod municipality;
pub mod nemrefusion;
pub mod text;

pub use field_kind::{DomainError, FieldKind};

/// One named edge case: a wire value and whether the rules accept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeCase {
    /// Stable name, used as the trial name.
    pub name: &'static str,
    pub value: String,
    pub valid: bool,
    /// The rule the case probes.
    pub why: &'static str,
}

impl EdgeCase {
    pub fn valid(name: &'static str, value: impl Into<String>, why: &'static str) -> EdgeCase {
        EdgeCase {
            name,
            value: value.into(),
            valid: true,
            why,
        }
    }

    pub fn invalid(name: &'static str, value: impl Into<String>, why: &'static str) -> EdgeCase {
        EdgeCase {
            name,
            value: value.into(),
            valid: false,
            why,
        }
    }
}
