//! Shared by the `fuzz_*` property tests: byte-level mutations of real inputs.
//!
//! The number of cases per property is proptest's default (256), overridden by the environment
//! variable `PROPTEST_CASES` for sustained runs (see README, "Fuzzing").

use proptest::prelude::*;

/// One edit of an input. Positions are taken modulo the current length, so any `usize` is valid.
#[derive(Debug, Clone)]
pub enum Mutation {
    Delete {
        at: usize,
        len: usize,
    },
    Duplicate {
        at: usize,
        len: usize,
    },
    Overwrite {
        at: usize,
        byte: u8,
    },
    /// Inserts one of the caller's syntax tokens.
    Insert {
        at: usize,
        token: usize,
    },
    Truncate {
        at: usize,
    },
}

/// Up to `max` edits.
pub fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite { at, byte }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ];
    proptest::collection::vec(one, 1..max)
}

/// `seed` with every mutation applied in order; `tokens` feeds [`Mutation::Insert`].
pub fn apply(seed: &[u8], mutations: &[Mutation], tokens: &[&str]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for mutation in mutations {
        let len = bytes.len();
        let position = |at: usize| at % (len + 1);
        match *mutation {
            Mutation::Delete { at, len: n } => {
                let start = position(at);
                bytes.drain(start..(start + n).min(len));
            }
            Mutation::Duplicate { at, len: n } => {
                let start = position(at);
                let end = (start + n).min(len);
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Overwrite { at, byte } => {
                if len > 0 {
                    bytes[at % len] = byte;
                }
            }
            Mutation::Insert { at, token } => {
                let start = position(at);
                let token = tokens[token % tokens.len()].as_bytes();
                bytes.splice(start..start, token.iter().copied());
            }
            Mutation::Truncate { at } => bytes.truncate(position(at)),
        }
    }
    bytes
}
