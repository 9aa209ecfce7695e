//! KLE numbers (the municipalities' subject classification): `NN.NN.NN` — main group, group,
//! topic — optionally followed by an action facet such as `G01`.
//!
//! domain.md fixes neither the facet's exact shape nor a separator; we accept the facet written
//! directly after the topic as one ASCII capital letter and two digits (`27.24.00G01`), and any
//! two digits in each number part.

use std::fmt;
use std::str::FromStr;

use proptest::prelude::*;
use thiserror::Error;

use super::EdgeCase;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KleError {
    #[error("KLE number `{wire}` has `{found}` at position {position}; expected {expected}")]
    Unexpected {
        wire: String,
        position: usize,
        found: char,
        expected: &'static str,
    },
    #[error("KLE number `{wire}` ends early; expected {expected}")]
    TooShort {
        wire: String,
        expected: &'static str,
    },
}

/// An action facet (handlingsfacet): a capital letter and two digits, e.g. `G01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionFacet {
    pub letter: char,
    pub number: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kle {
    pub main_group: u8,
    pub group: u8,
    pub topic: u8,
    pub facet: Option<ActionFacet>,
}

const DIGIT: &str = "a digit";
const DOT: &str = "`.`";
const FACET_OR_END: &str = "an action facet letter (A-Z) or the end";
const END: &str = "the end";

/// Each position of `NN.NN.NN` and what it must hold.
const SHAPE: [&str; 8] = [DIGIT, DIGIT, DOT, DIGIT, DIGIT, DOT, DIGIT, DIGIT];

impl FromStr for Kle {
    type Err = KleError;

    fn from_str(wire: &str) -> Result<Self, Self::Err> {
        let chars: Vec<char> = wire.chars().collect();
        let unexpected = |position: usize, expected| KleError::Unexpected {
            wire: wire.to_owned(),
            position,
            found: chars[position],
            expected,
        };
        let too_short = |expected| KleError::TooShort {
            wire: wire.to_owned(),
            expected,
        };
        check_shape(wire, &chars, &SHAPE)?;
        let pair = |at: usize| {
            chars[at..at + 2]
                .iter()
                .fold(0, |acc, &c| acc * 10 + c as u8 - b'0')
        };
        let facet = match chars.get(8) {
            None => None,
            Some(letter) if !letter.is_ascii_uppercase() => {
                return Err(unexpected(8, FACET_OR_END));
            }
            Some(&letter) => {
                for position in 9..11 {
                    match chars.get(position) {
                        None => return Err(too_short(DIGIT)),
                        Some(found) if !found.is_ascii_digit() => {
                            return Err(unexpected(position, DIGIT));
                        }
                        Some(_) => {}
                    }
                }
                Some(ActionFacet {
                    letter,
                    number: pair(9),
                })
            }
        };
        if chars.len() > 11 {
            return Err(unexpected(11, END));
        }
        Ok(Kle {
            main_group: pair(0),
            group: pair(3),
            topic: pair(6),
            facet,
        })
    }
}

impl fmt::Display for Kle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}.{:02}.{:02}",
            self.main_group, self.group, self.topic
        )?;
        match self.facet {
            Some(ActionFacet { letter, number }) => write!(f, "{letter}{number:02}"),
            None => Ok(()),
        }
    }
}

/// Checks that `chars` (of `wire`) start with `shape`.
fn check_shape(wire: &str, chars: &[char], shape: &[&'static str]) -> Result<(), KleError> {
    for (position, &expected) in shape.iter().enumerate() {
        let fits = match chars.get(position) {
            None => {
                return Err(KleError::TooShort {
                    wire: wire.to_owned(),
                    expected,
                });
            }
            Some(&found) if expected == DOT => found == '.',
            Some(found) => found.is_ascii_digit(),
        };
        if !fits {
            return Err(KleError::Unexpected {
                wire: wire.to_owned(),
                position,
                found: chars[position],
                expected,
            });
        }
    }
    Ok(())
}

pub fn validate(wire: &str) -> Result<Kle, KleError> {
    wire.parse()
}

/// Lengths of the KLE prefixes short of a whole number: a main group (`27`) and a group
/// (`27.24`).
const PART_PREFIXES: [usize; 2] = [2, 5];

/// A KLE prefix as a search narrows by it: whole parts of a number — a main group (`27`), a
/// group (`27.24`), or a whole number with or without its action facet.
pub fn validate_prefix(wire: &str) -> Result<(), KleError> {
    let chars: Vec<char> = wire.chars().collect();
    if PART_PREFIXES.contains(&chars.len()) {
        return check_shape(wire, &chars, &SHAPE[..chars.len()]);
    }
    validate(wire).map(drop)
}

/// Valid prefixes: a main group, a group, or a whole number.
pub fn valid_prefix_strategy() -> impl Strategy<Value = String> {
    (valid_wire_strategy(), 0..3usize).prop_map(|(number, parts)| match PART_PREFIXES.get(parts) {
        Some(&length) => number[..length].to_owned(),
        None => number,
    })
}

/// Strings [`validate_prefix`] must reject: a part cut short, a trailing dot, another
/// separator, or what [`invalid_wire_strategy`] draws beyond a whole group.
pub fn invalid_prefix_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]",
        "[0-9]{2}\\.",
        "[0-9]{2}\\.[0-9]",
        "[0-9]{2}[-/ ][0-9]{2}",
        "[0-9]{3}",
        "[0-9]{2}\\.[0-9]{2}\\.[0-9]{3}",
        "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}[a-zæøå][0-9]{2}",
    ]
}

pub fn prefix_edge_catalogue() -> Vec<EdgeCase> {
    EdgeCase::table("kle-prefix")
}

/// Any KLE number, with or without an action facet.
pub fn valid_strategy() -> impl Strategy<Value = Kle> {
    let facet = proptest::option::of((proptest::char::range('A', 'Z'), 0..100u8))
        .prop_map(|facet| facet.map(|(letter, number)| ActionFacet { letter, number }));
    (0..100u8, 0..100u8, 0..100u8, facet).prop_map(|(main_group, group, topic, facet)| Kle {
        main_group,
        group,
        topic,
        facet,
    })
}

pub fn valid_wire_strategy() -> impl Strategy<Value = String> {
    valid_strategy().prop_map(|kle| kle.to_string())
}

/// Strings [`validate`] must reject: a part of the wrong width, another separator, a bad facet.
pub fn invalid_wire_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1}\\.[0-9]{2}\\.[0-9]{2}",
        "[0-9]{2}\\.[0-9]{2}\\.[0-9]{3}",
        "[0-9]{2}[-/ ][0-9]{2}\\.[0-9]{2}",
        "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}[a-zæøå][0-9]{2}",
        "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}[A-Z][0-9]?",
        "[0-9]{2}\\.[0-9]{2}",
    ]
}

pub fn edge_catalogue() -> Vec<EdgeCase> {
    EdgeCase::table("kle")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts_and_facet() {
        let kle = validate("27.24.00G01").expect("valid");
        assert_eq!((kle.main_group, kle.group, kle.topic), (27, 24, 0));
        assert_eq!(
            kle.facet,
            Some(ActionFacet {
                letter: 'G',
                number: 1
            })
        );
        assert_eq!(validate("27.24.00").expect("valid").facet, None);
    }

    #[test]
    fn errors_name_the_position_and_expectation() {
        assert_eq!(
            validate("27-24-00"),
            Err(KleError::Unexpected {
                wire: "27-24-00".into(),
                position: 2,
                found: '-',
                expected: DOT
            })
        );
        assert_eq!(
            validate("27.24"),
            Err(KleError::TooShort {
                wire: "27.24".into(),
                expected: DOT
            })
        );
        assert_eq!(
            validate("27.24.00g01"),
            Err(KleError::Unexpected {
                wire: "27.24.00g01".into(),
                position: 8,
                found: 'g',
                expected: FACET_OR_END
            })
        );
    }

    proptest! {
        #[test]
        fn generated_numbers_round_trip(kle in valid_strategy()) {
            prop_assert_eq!(validate(&kle.to_string()), Ok(kle));
        }

        #[test]
        fn invalid_strings_are_rejected(wire in invalid_wire_strategy()) {
            prop_assert!(validate(&wire).is_err());
        }

        #[test]
        fn prefixes_are_whole_parts(prefix in valid_prefix_strategy()) {
            prop_assert_eq!(validate_prefix(&prefix), Ok(()));
        }

        #[test]
        fn broken_prefixes_are_rejected(wire in invalid_prefix_strategy()) {
            prop_assert!(validate_prefix(&wire).is_err(), "{}", wire);
        }
    }
}
