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

/// The fixed edge cases, kept as data: `section<TAB>valid|invalid<TAB>name<TAB>value<TAB>why`.
const EDGE_TABLE: &str = include_str!("edges.tsv");

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('t') => '\t',
            Some('n') => '\n',
            Some(other) => other,
            None => '\\',
        });
    }
    out
}

/// The rows of [`EDGE_TABLE`] that are not blank or comments, split into their five fields.
fn edge_rows() -> impl Iterator<Item = Vec<&'static str>> {
    EDGE_TABLE
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
}

impl EdgeCase {
    /// The fixed edge cases of one section of `edges.tsv`, in file order.
    fn table(section: &str) -> Vec<EdgeCase> {
        edge_rows()
            .filter_map(|row| match row[..] {
                [row_section, validity, name, value, why] if row_section == section => {
                    Some(EdgeCase {
                        name,
                        value: unescape(value),
                        valid: validity == "valid",
                        why,
                    })
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_row_is_well_formed_and_in_a_used_section() {
        const SECTIONS: [&str; 10] = [
            "cpr",
            "cvr",
            "municipality",
            "kle",
            "kle-prefix",
            "uuid",
            "date",
            "date-time",
            "danish-name",
            "danish-address",
        ];
        for row in edge_rows() {
            assert_eq!(row.len(), 5, "{row:?}");
            assert!(SECTIONS.contains(&row[0]), "{row:?}");
            assert!(row[1] == "valid" || row[1] == "invalid", "{row:?}");
        }
    }

    #[test]
    fn escapes_stand_for_tab_line_break_and_backslash() {
        assert_eq!(unescape(r"a\tb\nc\\d"), "a\tb\nc\\d");
    }
}
