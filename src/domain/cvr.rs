//! CVR numbers: 8 digits whose weighted sum (weights 2 7 6 5 4 3 2 1) is divisible by 11.
//!
//! Validation follows domain.md only (length, digits, modulus 11). The generators avoid a
//! leading zero, since issued CVR numbers start at 10000000 and a harness must not send values
//! a correct endpoint could refuse for reasons outside these rules.

use std::fmt;
use std::str::FromStr;

use proptest::prelude::*;
use thiserror::Error;

use super::EdgeCase;

const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CvrError {
    #[error("CVR number must have 8 digits, found {found} characters")]
    WrongLength { found: usize },
    #[error("CVR number has `{found}` at position {position}; only digits are allowed")]
    NonDigit { position: usize, found: char },
    #[error("CVR number fails modulus 11 (weighted sum leaves remainder {remainder})")]
    Modulus11 { remainder: u32 },
}

/// A CVR number that passes modulus 11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cvr([u8; 8]);

fn weighted_remainder(digits: &[u8; 8]) -> u32 {
    digits
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum::<u32>()
        % 11
}

impl FromStr for Cvr {
    type Err = CvrError;

    fn from_str(wire: &str) -> Result<Self, Self::Err> {
        let mut digits = Vec::with_capacity(8);
        for (position, found) in wire.chars().enumerate() {
            if !found.is_ascii_digit() {
                return Err(CvrError::NonDigit { position, found });
            }
            digits.push(found as u8 - b'0');
        }
        let digits: [u8; 8] = digits.try_into().map_err(|_| CvrError::WrongLength {
            found: wire.chars().count(),
        })?;
        match weighted_remainder(&digits) {
            0 => Ok(Cvr(digits)),
            remainder => Err(CvrError::Modulus11 { remainder }),
        }
    }
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every exchange formats the caller's CVR; one write instead of one per digit.
        let text = self.0.map(|digit| b'0' + digit);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl Cvr {
    /// Completes seven leading digits (0–9 each) with the check digit; `None` when the check
    /// digit would have to be 10, as such prefixes are never issued.
    pub fn with_check_digit(first_seven: [u8; 7]) -> Option<Cvr> {
        let mut digits = [0; 8];
        digits[..7].copy_from_slice(&first_seven);
        let check = (11 - weighted_remainder(&digits)) % 11;
        digits[7] = u8::try_from(check).ok().filter(|&check| check < 10)?;
        Some(Cvr(digits))
    }
}

pub fn validate(wire: &str) -> Result<Cvr, CvrError> {
    wire.parse()
}

fn prefix_strategy() -> impl Strategy<Value = [u8; 7]> {
    (1..10u8, proptest::array::uniform6(0..10u8)).prop_map(|(first, rest)| {
        let mut prefix = [first; 7];
        prefix[1..].copy_from_slice(&rest);
        prefix
    })
}

/// Valid CVR numbers with a non-zero first digit.
pub fn valid_strategy() -> impl Strategy<Value = Cvr> {
    prefix_strategy().prop_filter_map("check digit would be 10", Cvr::with_check_digit)
}

/// Strings [`validate`] must reject: a wrong check digit, a wrong length, a letter.
pub fn invalid_wire_strategy() -> impl Strategy<Value = String> {
    let wrong_check = (valid_strategy(), 1..10u8).prop_map(|(cvr, shift)| {
        let mut digits = cvr.0;
        digits[7] = (digits[7] + shift) % 10;
        Cvr(digits).to_string()
    });
    prop_oneof![
        wrong_check,
        "[0-9]{0,7}",
        "[0-9]{9,12}",
        "[0-9]{0,7}[A-Za-zæøå]"
    ]
}

pub fn edge_catalogue() -> Vec<EdgeCase> {
    EdgeCase::table("cvr")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes_modulus11(wire: &str) -> bool {
        wire.bytes()
            .zip([2, 7, 6, 5, 4, 3, 2, 1])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum::<u32>()
            % 11
            == 0
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(validate("1000000"), Err(CvrError::WrongLength { found: 7 }));
        assert_eq!(
            validate("1000000A"),
            Err(CvrError::NonDigit {
                position: 7,
                found: 'A'
            })
        );
        assert_eq!(
            validate("99999999"),
            Err(CvrError::Modulus11 { remainder: 6 })
        );
    }

    #[test]
    fn prefix_needing_check_digit_ten_has_no_completion() {
        assert_eq!(Cvr::with_check_digit([1, 0, 0, 0, 0, 0, 5]), None);
        assert!((0..10).all(|d| validate(&format!("1000005{d}")).is_err()));
    }

    proptest! {
        #[test]
        fn generated_numbers_are_valid_eight_digits_without_leading_zero(cvr in valid_strategy()) {
            let wire = cvr.to_string();
            prop_assert_eq!(wire.len(), 8);
            prop_assert!(!wire.starts_with('0'));
            prop_assert!(passes_modulus11(&wire));
            prop_assert_eq!(validate(&wire), Ok(cvr));
        }

        #[test]
        fn invalid_strings_are_rejected(wire in invalid_wire_strategy()) {
            prop_assert!(validate(&wire).is_err());
        }

        #[test]
        fn validate_agrees_with_the_rule_for_any_eight_digits(wire in "[0-9]{8}") {
            prop_assert_eq!(validate(&wire).is_ok(), passes_modulus11(&wire));
        }
    }
}
