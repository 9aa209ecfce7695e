//! Arbitrary-precision decimal numbers for xs:decimal and the integer family.
//!
//! Values are kept as canonical digit strings so that `1.0`, `01` and `+1.00` compare equal
//! and no precision is ever lost to binary floating point.

use std::cmp::Ordering;
use std::fmt;

/// A decimal number: sign, integer digits without leading zeros, fraction digits without
/// trailing zeros. Zero is never negative.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    integer: String,
    fraction: String,
}

/// Why a lexical form is not an xs:decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalSyntaxError {
    Empty,
    NoDigits,
    BadCharacter(char),
    FractionNotAllowed,
}

impl fmt::Display for DecimalSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the value is empty"),
            Self::NoDigits => f.write_str("it has no digits"),
            Self::BadCharacter(c) => write!(f, "character {c:?} is not allowed"),
            Self::FractionNotAllowed => f.write_str("an integer has no decimal point"),
        }
    }
}

impl Decimal {
    pub fn zero() -> Self {
        Decimal {
            negative: false,
            integer: String::new(),
            fraction: String::new(),
        }
    }

    /// Parses the xs:decimal lexical form `(+|-)?([0-9]+(.[0-9]*)?|.[0-9]+)`, or the xs:integer
    /// form `(+|-)?[0-9]+` when `integer_only`.
    pub fn parse(lexical: &str, integer_only: bool) -> Result<Self, DecimalSyntaxError> {
        if lexical.is_empty() {
            return Err(DecimalSyntaxError::Empty);
        }
        let (negative, unsigned) = match lexical.as_bytes()[0] {
            b'-' => (true, &lexical[1..]),
            b'+' => (false, &lexical[1..]),
            _ => (false, lexical),
        };
        let (integer, fraction) = match unsigned.split_once('.') {
            Some(_) if integer_only => return Err(DecimalSyntaxError::FractionNotAllowed),
            Some((i, f)) => (i, f),
            None => (unsigned, ""),
        };
        if let Some(bad) = integer
            .chars()
            .chain(fraction.chars())
            .find(|c| !c.is_ascii_digit())
        {
            return Err(DecimalSyntaxError::BadCharacter(bad));
        }
        if integer.is_empty() && fraction.is_empty() {
            return Err(DecimalSyntaxError::NoDigits);
        }
        Ok(Self::from_parts(negative, integer, fraction))
    }

    fn from_parts(negative: bool, integer: &str, fraction: &str) -> Self {
        let integer = integer.trim_start_matches('0').to_owned();
        let fraction = fraction.trim_end_matches('0').to_owned();
        let negative = negative && !(integer.is_empty() && fraction.is_empty());
        Decimal {
            negative,
            integer,
            fraction,
        }
    }

    pub fn from_i128(n: i128) -> Self {
        Self::from_parts(n < 0, &n.unsigned_abs().to_string(), "")
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    pub fn is_zero(&self) -> bool {
        self.integer.is_empty() && self.fraction.is_empty()
    }

    pub fn is_integer(&self) -> bool {
        self.fraction.is_empty()
    }

    /// The integer digits (no leading zeros, empty for zero).
    pub fn integer_digits(&self) -> &str {
        &self.integer
    }

    /// The fraction digits (no trailing zeros).
    pub fn fraction_digits(&self) -> &str {
        &self.fraction
    }

    /// The number of significant digits, as constrained by the totalDigits facet.
    pub fn total_digits(&self) -> usize {
        if self.integer.is_empty() {
            self.fraction.trim_start_matches('0').len().max(1)
        } else {
            self.integer.len() + self.fraction.len()
        }
    }

    /// The number of digits after the decimal point, as constrained by fractionDigits.
    pub fn fraction_digit_count(&self) -> usize {
        self.fraction.len()
    }

    /// The value as an i128 when it is an integer that fits.
    pub fn to_i128(&self) -> Option<i128> {
        if !self.is_integer() {
            return None;
        }
        let magnitude: i128 = if self.integer.is_empty() {
            0
        } else {
            self.integer.parse().ok()?
        };
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The exact sum of two decimals.
    pub fn add(&self, other: &Decimal) -> Decimal {
        let scale = self.fraction.len().max(other.fraction.len());
        let digits = |d: &Decimal| -> Vec<u8> {
            // little-endian digits of |d| * 10^scale
            let mut padded = format!("{}{:0<scale$}", d.integer, d.fraction);
            if padded.is_empty() {
                padded.push('0');
            }
            padded.bytes().rev().map(|b| b - b'0').collect()
        };
        let (a, b) = (digits(self), digits(other));
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, add_magnitudes(&a, &b))
        } else if self.cmp_magnitude(other) == Ordering::Less {
            (other.negative, sub_magnitudes(&b, &a))
        } else {
            (self.negative, sub_magnitudes(&a, &b))
        };
        let text: String = magnitude
            .iter()
            .rev()
            .map(|d| char::from(b'0' + d))
            .collect();
        let text = format!("{text:0>width$}", width = scale + 1);
        let (integer, fraction) = text.split_at(text.len() - scale);
        Self::from_parts(negative, integer, fraction)
    }

    pub fn negate(&self) -> Decimal {
        let mut negated = self.clone();
        negated.negative = !self.negative && !self.is_zero();
        negated
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(&other.integer))
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut sum = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let digit = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        sum.push(digit % 10);
        carry = digit / 10;
    }
    if carry > 0 {
        sum.push(carry);
    }
    sum
}

/// `a - b` for little-endian magnitudes with `a >= b`.
fn sub_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut difference = Vec::with_capacity(a.len());
    let mut borrow = 0;
    for (i, &digit) in a.iter().enumerate() {
        let subtrahend = b.get(i).copied().unwrap_or(0) + borrow;
        if digit >= subtrahend {
            difference.push(digit - subtrahend);
            borrow = 0;
        } else {
            difference.push(digit + 10 - subtrahend);
            borrow = 1;
        }
    }
    difference
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The canonical representation: no superfluous zeros, at least one integer digit.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.integer.is_empty() {
            "0"
        } else {
            &self.integer
        })?;
        if !self.fraction.is_empty() {
            write!(f, ".{}", self.fraction)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::parse(s, false).unwrap()
    }

    #[test]
    fn equal_values_with_different_lexical_forms() {
        assert_eq!(dec("1.0"), dec("1.00"));
        assert_eq!(dec("+001"), dec("1."));
        assert_eq!(dec("-0.0"), dec("0"));
        assert_eq!(dec(".5").to_string(), "0.5");
        assert_eq!(dec("-000120.500").to_string(), "-120.5");
    }

    #[test]
    fn ordering_beyond_machine_precision() {
        assert!(dec("123456789012345678901234567890.1") > dec("123456789012345678901234567890"));
        assert!(dec("-2") < dec("-1.999999999999999999999"));
        assert!(dec("0.0001") > dec("-0.0001"));
        assert!(dec("10") > dec("9.99"));
    }

    #[test]
    fn rejects_bad_lexical_forms() {
        for bad in ["", "+", "-", ".", "1e5", "1,5", " 1", "1.2.3", "--1", "INF"] {
            assert!(Decimal::parse(bad, false).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            Decimal::parse("1.0", true),
            Err(DecimalSyntaxError::FractionNotAllowed)
        );
    }

    #[test]
    fn exact_addition() {
        assert_eq!(dec("0.1").add(&dec("0.2")), dec("0.3"));
        assert_eq!(dec("99.99").add(&dec("0.01")), dec("100"));
        assert_eq!(dec("1").add(&dec("-1.5")), dec("-0.5"));
        assert_eq!(dec("-3").add(&dec("1.25")), dec("-1.75"));
        assert_eq!(dec("-3").add(&dec("3")), Decimal::zero());
        assert_eq!(dec("2.5").negate(), dec("-2.5"));
    }

    #[test]
    fn digit_counts() {
        assert_eq!(dec("123.450").total_digits(), 5);
        assert_eq!(dec("0.0123").total_digits(), 3);
        assert_eq!(dec("0.0123").fraction_digit_count(), 4);
        assert_eq!(dec("0").total_digits(), 1);
        assert_eq!(dec("100").total_digits(), 3);
        assert_eq!(dec("-12").to_i128(), Some(-12));
        assert_eq!(dec("1.5").to_i128(), None);
    }
}
