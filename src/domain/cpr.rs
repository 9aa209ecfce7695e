//! CPR numbers (personnummer): parsing, the century rules, sex, modulus 11, and generators.
//!
//! Validity policy: [`validate`] accepts every number whose birth date exists in the century its
//! seventh digit and year select, whether or not the modulus-11 check holds. Since 2007 the CPR
//! office issues numbers without a valid check digit (so far only for 1 January birthdates), and
//! rejecting such a number is a conformance failure; accepting other dates too keeps the
//! validator correct when the office extends the practice. [`Cpr::has_modulus11`] tells the two
//! apart. The generators, by contrast, produce only numbers that can exist today: modulus-11
//! numbers on any date and non-modulus-11 numbers on 1 January.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use proptest::sample::Index;
use thiserror::Error;

use super::EdgeCase;

const MODULUS11_WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
/// The earliest and latest birth years a CPR number can express.
pub const FIRST_YEAR: i32 = 1858;
pub const LAST_YEAR: i32 = 2057;

/// Why a string is not a CPR number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CprError {
    #[error("CPR number must have 10 digits (DDMMYYSSSS or DDMMYY-SSSS), found {found} characters")]
    WrongLength { found: usize },
    #[error(
        "CPR number has `{found}` at position {position}; only digits and one dash after DDMMYY are allowed"
    )]
    NonDigit { position: usize, found: char },
    #[error(
        "CPR number names {day:02}.{month:02}.{year}, a date that does not exist (year from seventh digit {seventh_digit} and YY {yy:02})"
    )]
    ImpossibleDate {
        day: u32,
        month: u32,
        year: i32,
        seventh_digit: u32,
        yy: u32,
    },
    #[error(
        "serial {serial:04} cannot go with a birth in {year}: its first digit selects another century"
    )]
    CenturyMismatch { year: i32, serial: u16 },
    #[error("birth year {year} is outside what CPR numbers can express ({FIRST_YEAR}–{LAST_YEAR})")]
    YearOutOfRange { year: i32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
}

/// How the number is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CprForm {
    /// `DDMMYYSSSS`, the form the Serviceplatformen schemas use (`[0-9]{10}`).
    Plain,
    /// `DDMMYY-SSSS`.
    Dashed,
}

/// A CPR number whose birth date exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cpr {
    birth_date: NaiveDate,
    serial: u16,
}

/// The birth year that seventh digit `seventh_digit` (0–9) and two-digit year `yy` select.
pub fn birth_year(seventh_digit: u32, yy: u32) -> i32 {
    let century = match seventh_digit {
        0..=3 => 1900,
        4 | 9 if yy <= 36 => 2000,
        4 | 9 => 1900,
        _ if yy <= 57 => 2000,
        _ => 1800,
    };
    century + yy as i32
}

/// The seventh digits that select `year`, ascending; empty outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn seventh_digits_for(year: i32) -> Vec<u32> {
    let yy = year.rem_euclid(100) as u32;
    (0..10)
        .filter(|&digit| birth_year(digit, yy) == year)
        .collect()
}

/// Parses and validates a wire value; see the module doc for the policy.
pub fn validate(wire: &str) -> Result<Cpr, CprError> {
    wire.parse()
}

impl FromStr for Cpr {
    type Err = CprError;

    fn from_str(wire: &str) -> Result<Self, Self::Err> {
        let chars: Vec<char> = wire.chars().collect();
        let dashed = chars.len() == 11 && chars[6] == '-';
        let mut digits = Vec::with_capacity(10);
        for (position, &found) in chars.iter().enumerate() {
            match found.to_digit(10) {
                Some(digit) if found.is_ascii_digit() => digits.push(digit),
                _ if dashed && position == 6 => {}
                _ => return Err(CprError::NonDigit { position, found }),
            }
        }
        if digits.len() != 10 {
            return Err(CprError::WrongLength { found: chars.len() });
        }
        let pair = |at: usize| digits[at] * 10 + digits[at + 1];
        let (day, month, yy) = (pair(0), pair(2), pair(4));
        let seventh_digit = digits[6];
        let year = birth_year(seventh_digit, yy);
        let birth_date =
            NaiveDate::from_ymd_opt(year, month, day).ok_or(CprError::ImpossibleDate {
                day,
                month,
                year,
                seventh_digit,
                yy,
            })?;
        let serial = digits[6..]
            .iter()
            .fold(0u16, |acc, &digit| acc * 10 + digit as u16);
        Ok(Cpr { birth_date, serial })
    }
}

impl Cpr {
    /// A number for `birth_date` with serial `serial` (0–9999), whose first digit must select
    /// the birth year's century.
    pub fn new(birth_date: NaiveDate, serial: u16) -> Result<Cpr, CprError> {
        let year = birth_date.year();
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(CprError::YearOutOfRange { year });
        }
        if serial > 9999 || !seventh_digits_for(year).contains(&u32::from(serial / 1000)) {
            return Err(CprError::CenturyMismatch { year, serial });
        }
        Ok(Cpr { birth_date, serial })
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The four digits after the date (SSSS).
    pub fn serial(&self) -> u16 {
        self.serial
    }

    pub fn sex(&self) -> Sex {
        if self.serial % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Whether the weighted digit sum (4 3 2 7 6 5 4 3 2 1) is divisible by 11.
    pub fn has_modulus11(&self) -> bool {
        let sum: u32 = self
            .digits()
            .iter()
            .zip(MODULUS11_WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        sum.is_multiple_of(11)
    }

    pub fn to_wire(&self, form: CprForm) -> String {
        let plain = self.to_string();
        match form {
            CprForm::Plain => plain,
            CprForm::Dashed => format!("{}-{}", &plain[..6], &plain[6..]),
        }
    }

    // By arithmetic rather than from the Display form: the edge catalogue tests thousands of
    // numbers, and formatting each one dominated the start-up of every run.
    fn digits(&self) -> [u32; 10] {
        let date = self.birth_date;
        let yy = date.year().rem_euclid(100) as u32;
        let serial = u32::from(self.serial);
        let pairs = [date.day(), date.month(), yy];
        let mut digits = [0; 10];
        for (slot, pair) in digits.chunks_exact_mut(2).zip(pairs) {
            slot.copy_from_slice(&[pair / 10, pair % 10]);
        }
        for (index, slot) in digits[6..].iter_mut().enumerate() {
            *slot = serial / 10u32.pow(3 - index as u32) % 10;
        }
        digits
    }
}

impl fmt::Display for Cpr {
    /// The plain wire form `DDMMYYSSSS`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.birth_date;
        let yy = date.year().rem_euclid(100);
        write!(
            f,
            "{:02}{:02}{yy:02}{:04}",
            date.day(),
            date.month(),
            self.serial
        )
    }
}

/// Every serial with the given seventh digit and sex, split by whether the resulting number for
/// `birth_date` passes modulus 11; `None` if the digit cannot express that birth year.
fn serials_by_modulus11(
    birth_date: NaiveDate,
    seventh_digit: u32,
    sex: Sex,
    modulus11: bool,
) -> Vec<Cpr> {
    let parity = match sex {
        Sex::Female => 0,
        Sex::Male => 1,
    };
    (0..1000u16)
        .filter(|rest| rest % 2 == parity)
        .filter_map(|rest| Cpr::new(birth_date, seventh_digit as u16 * 1000 + rest).ok())
        .filter(|cpr| cpr.has_modulus11() == modulus11)
        .collect()
}

/// The lowest-serial number for `birth_date`, `seventh_digit` and `sex` that passes modulus 11
/// (one always exists when the digit selects the birth year).
pub fn with_modulus11(birth_date: NaiveDate, seventh_digit: u32, sex: Sex) -> Option<Cpr> {
    serials_by_modulus11(birth_date, seventh_digit, sex, true)
        .into_iter()
        .next()
}

/// The lowest-serial number for `birth_date`, `seventh_digit` and `sex` that fails modulus 11.
pub fn without_modulus11(birth_date: NaiveDate, seventh_digit: u32, sex: Sex) -> Option<Cpr> {
    serials_by_modulus11(birth_date, seventh_digit, sex, false)
        .into_iter()
        .next()
}

fn sex_strategy() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Female), Just(Sex::Male)]
}

/// Any seventh digit and YY, and a day of the birth year they select.
fn birth_strategy() -> impl Strategy<Value = (NaiveDate, u32)> {
    (0..10u32, 0..100u32, any::<Index>()).prop_map(|(seventh_digit, yy, day)| {
        let year = birth_year(seventh_digit, yy);
        let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let birth_date = NaiveDate::from_yo_opt(year, day.index(days_in_year) as u32 + 1)
            .unwrap_or_else(|| unreachable!("day-of-year index is below the year's length"));
        (birth_date, seventh_digit)
    })
}

/// Modulus-11 numbers over every seventh digit, YY, date and both sexes.
pub fn modulus11_strategy() -> impl Strategy<Value = Cpr> {
    (birth_strategy(), sex_strategy(), any::<Index>()).prop_map(|((date, digit), sex, pick)| {
        let candidates = serials_by_modulus11(date, digit, sex, true);
        candidates[pick.index(candidates.len())]
    })
}

/// Numbers without a modulus-11 check digit, born on 1 January (the ones issued since 2007).
pub fn january_first_without_modulus11_strategy() -> impl Strategy<Value = Cpr> {
    (0..10u32, 0..100u32, sex_strategy(), any::<Index>()).prop_map(|(digit, yy, sex, pick)| {
        let january_first = NaiveDate::from_ymd_opt(birth_year(digit, yy), 1, 1)
            .unwrap_or_else(|| unreachable!("1 January exists in every year"));
        let candidates = serials_by_modulus11(january_first, digit, sex, false);
        candidates[pick.index(candidates.len())]
    })
}

/// Numbers that can exist today: mostly modulus-11 ones, some 1 January ones without it.
pub fn valid_strategy() -> impl Strategy<Value = Cpr> {
    prop_oneof![
        3 => modulus11_strategy(),
        1 => january_first_without_modulus11_strategy(),
    ]
}

/// Valid numbers in either wire form.
pub fn valid_wire_strategy() -> impl Strategy<Value = String> {
    let form = prop_oneof![Just(CprForm::Plain), Just(CprForm::Dashed)];
    (valid_strategy(), form).prop_map(|(cpr, form)| cpr.to_wire(form))
}

/// Strings [`validate`] must reject: impossible dates, wrong lengths, letters.
pub fn invalid_wire_strategy() -> impl Strategy<Value = String> {
    let impossible_date = (0..10u32, 0..100u32, 0..100u32, 0..100u32, 0..1000u32)
        .prop_map(|(digit, yy, day, month, rest)| {
            format!("{day:02}{month:02}{yy:02}{digit}{rest:03}")
        })
        .prop_filter("date exists", |wire| validate(wire).is_err());
    let wrong_length = prop_oneof!["[0-9]{0,9}", "[0-9]{11,14}"];
    let letter = (valid_strategy(), 0..10usize, "[a-zA-ZæøåÆØÅ]").prop_map(|(cpr, at, letter)| {
        let mut chars: Vec<char> = cpr.to_string().chars().collect();
        chars[at] = letter.chars().next().unwrap_or('x');
        chars.into_iter().collect()
    });
    prop_oneof![impossible_date, wrong_length, letter]
}

/// The lowest-serial catalogue number for a date that exists in the digit's century.
fn catalogue_number(
    (year, month, day): (i32, u32, u32),
    seventh_digit: u32,
    sex: Sex,
    modulus11: bool,
) -> Cpr {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| {
            serials_by_modulus11(date, seventh_digit, sex, modulus11)
                .first()
                .copied()
        })
        .unwrap_or_else(|| unreachable!("catalogue dates exist in the century their digit selects"))
}

/// A birth date on one side of a century rule change, with a seventh digit that selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CenturyEdge {
    pub name: &'static str,
    /// (year, month, day)
    pub birth_date: (i32, u32, u32),
    pub seventh_digit: u32,
    pub why: &'static str,
}

const fn century_edge(
    name: &'static str,
    birth_date: (i32, u32, u32),
    seventh_digit: u32,
    why: &'static str,
) -> CenturyEdge {
    CenturyEdge {
        name,
        birth_date,
        seventh_digit,
        why,
    }
}

/// The last and first birth dates on each side of every century rule change.
pub const CENTURY_EDGES: [CenturyEdge; 12] = [
    century_edge(
        "century-1858-first-day",
        (1858, 1, 1),
        5,
        "digits 5–8 with YY 58 select 1858, the earliest expressible year (1857 has no CPR)",
    ),
    century_edge(
        "century-2057-last-day",
        (2057, 12, 31),
        5,
        "digits 5–8 with YY 57 select 2057, not 1857",
    ),
    century_edge(
        "century-1899-last-day",
        (1899, 12, 31),
        8,
        "digits 5–8 with YY 99 select 1899",
    ),
    century_edge(
        "century-1900-first-day",
        (1900, 1, 1),
        0,
        "digits 0–3 with YY 00 select 1900",
    ),
    century_edge(
        "century-1936-last-day",
        (1936, 12, 31),
        3,
        "digits 0–3 with YY 36 select 1936",
    ),
    century_edge(
        "century-1937-first-day",
        (1937, 1, 1),
        4,
        "digits 4 and 9 with YY 37 select 1937, not 2037",
    ),
    century_edge(
        "century-1999-last-day",
        (1999, 12, 31),
        9,
        "digits 4 and 9 with YY 99 select 1999",
    ),
    century_edge(
        "century-2000-first-day",
        (2000, 1, 1),
        4,
        "digits 4 and 9 with YY 00 select 2000",
    ),
    century_edge(
        "century-2036-last-day",
        (2036, 12, 31),
        9,
        "digits 4 and 9 with YY 36 select 2036",
    ),
    century_edge(
        "century-2037-first-day",
        (2037, 1, 1),
        5,
        "only digits 5–8 reach 2037",
    ),
    century_edge(
        "century-2000-via-digit-5",
        (2000, 1, 1),
        5,
        "digits 5–8 with YY 00 select 2000",
    ),
    century_edge(
        "century-1999-via-digit-3",
        (1999, 12, 31),
        3,
        "digits 0–3 with YY 99 select 1999",
    ),
];

/// Deterministic named edge cases for trials named after them.
pub fn edge_catalogue() -> Vec<EdgeCase> {
    let mut edges: Vec<EdgeCase> = CENTURY_EDGES
        .iter()
        .map(
            |&CenturyEdge {
                 name,
                 birth_date: date,
                 seventh_digit: digit,
                 why,
             }| {
                EdgeCase::valid(
                    name,
                    catalogue_number(date, digit, Sex::Female, true).to_string(),
                    why,
                )
            },
        )
        .collect();
    let female = catalogue_number((1985, 6, 15), 1, Sex::Female, true);
    let male = catalogue_number((1985, 6, 15), 1, Sex::Male, true);
    let wire = |cpr: Cpr| cpr.to_wire(CprForm::Plain);
    edges.extend([
        EdgeCase::valid(
            "leap-day-2000-exists",
            wire(catalogue_number((2000, 2, 29), 4, Sex::Female, true)),
            "290200-4xxx is 2000-02-29; 2000 was a leap year",
        ),
        EdgeCase::valid(
            "january-first-without-modulus11",
            wire(catalogue_number((2007, 1, 1), 4, Sex::Male, false)),
            "issued since 2007 without a check digit; must be accepted",
        ),
        EdgeCase::valid(
            "female-even-last-digit",
            wire(female),
            "last digit even = female",
        ),
        EdgeCase::valid("male-odd-last-digit", wire(male), "last digit odd = male"),
        EdgeCase::valid(
            "dashed-wire-form",
            female.to_wire(CprForm::Dashed),
            "DDMMYY-SSSS",
        ),
    ]);
    edges.extend(EdgeCase::table("cpr"));
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The century table of domain.md, written out independently of [`birth_year`].
    fn century_by_rule(seventh_digit: u32, yy: u32) -> i32 {
        match (seventh_digit, yy) {
            (0..=3, _) => 1900,
            (4 | 9, 0..=36) => 2000,
            (4 | 9, _) => 1900,
            (5..=8, 0..=57) => 2000,
            _ => 1800,
        }
    }

    fn weighted_sum(wire: &str) -> u32 {
        wire.bytes()
            .zip([4, 3, 2, 7, 6, 5, 4, 3, 2, 1])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum()
    }

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("test date")
    }

    #[test]
    fn every_digit_and_year_selects_the_century_domain_md_gives() {
        for digit in 0..10 {
            for yy in 0..100 {
                assert_eq!(
                    birth_year(digit, yy),
                    century_by_rule(digit, yy) + yy as i32,
                    "digit {digit} YY {yy:02}"
                );
                let wire = format!("0101{yy:02}{digit}000");
                assert_eq!(
                    validate(&wire).map(|cpr| cpr.birth_date().year()),
                    Ok(birth_year(digit, yy))
                );
            }
        }
    }

    #[test]
    fn leap_day_2000_exists_only_with_a_21st_century_digit() {
        for digit in 0..10 {
            let result = validate(&format!("290200{digit}123"));
            if digit <= 3 {
                assert!(
                    matches!(result, Err(CprError::ImpossibleDate { year: 1900, .. })),
                    "digit {digit}"
                );
            } else {
                assert_eq!(
                    result.map(|cpr| cpr.birth_date()),
                    Ok(ymd(2000, 2, 29)),
                    "digit {digit}"
                );
            }
        }
    }

    #[test]
    fn century_edges_resolve_to_their_dates() {
        for CenturyEdge {
            name,
            birth_date: (year, month, day),
            seventh_digit: digit,
            ..
        } in CENTURY_EDGES
        {
            let edge = edge_catalogue()
                .into_iter()
                .find(|edge| edge.name == name)
                .expect("edge listed");
            let cpr = validate(&edge.value).expect(name);
            assert_eq!(cpr.birth_date(), ymd(year, month, day), "{name}");
            assert_eq!(u32::from(cpr.serial() / 1000), digit, "{name}");
        }
        assert!(seventh_digits_for(1857).is_empty());
        assert!(seventh_digits_for(2058).is_empty());
        assert_eq!(seventh_digits_for(1858), vec![5, 6, 7, 8]);
        assert_eq!(seventh_digits_for(1937), vec![0, 1, 2, 3, 4, 9]);
        assert_eq!(seventh_digits_for(2037), vec![5, 6, 7, 8]);
    }

    #[test]
    fn catalogue_has_a_january_first_number_without_modulus11() {
        let edges = edge_catalogue();
        let january = edges
            .iter()
            .find(|edge| edge.name == "january-first-without-modulus11")
            .expect("listed");
        let cpr = validate(&january.value).expect("valid");
        assert!(!cpr.has_modulus11());
        assert_eq!((cpr.birth_date().month(), cpr.birth_date().day()), (1, 1));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            validate("150685123"),
            Err(CprError::WrongLength { found: 9 })
        );
        assert_eq!(
            validate("150685123A"),
            Err(CprError::NonDigit {
                position: 9,
                found: 'A'
            })
        );
        assert_eq!(
            validate("15068-51234"),
            Err(CprError::NonDigit {
                position: 5,
                found: '-'
            })
        );
        assert_eq!(
            validate("3104851234"),
            Err(CprError::ImpossibleDate {
                day: 31,
                month: 4,
                year: 1985,
                seventh_digit: 1,
                yy: 85
            })
        );
        assert_eq!(
            Cpr::new(ymd(1950, 1, 1), 5000),
            Err(CprError::CenturyMismatch {
                year: 1950,
                serial: 5000
            })
        );
        assert_eq!(
            Cpr::new(ymd(1857, 12, 31), 5000),
            Err(CprError::YearOutOfRange { year: 1857 })
        );
    }

    #[test]
    fn dash_is_optional_and_sex_follows_the_last_digit() {
        let plain = validate("0101854001").expect("valid");
        assert_eq!(validate("010185-4001"), Ok(plain));
        assert_eq!(plain.to_wire(CprForm::Dashed), "010185-4001");
        assert_eq!(plain.sex(), Sex::Male);
        assert_eq!(validate("0101854002").map(|cpr| cpr.sex()), Ok(Sex::Female));
    }

    #[test]
    fn modulus11_generators_find_numbers_for_every_year() {
        for year in FIRST_YEAR..=LAST_YEAR {
            for digit in seventh_digits_for(year) {
                for sex in [Sex::Female, Sex::Male] {
                    let with = with_modulus11(ymd(year, 1, 1), digit, sex)
                        .expect("a modulus-11 serial exists");
                    let without = without_modulus11(ymd(year, 1, 1), digit, sex)
                        .expect("a non-modulus-11 serial exists");
                    assert!(with.has_modulus11() && !without.has_modulus11());
                    assert_eq!((with.sex(), without.sex()), (sex, sex));
                }
            }
        }
    }

    proptest! {
        #[test]
        fn modulus11_numbers_pass_the_weighted_sum(cpr in modulus11_strategy()) {
            prop_assert_eq!(weighted_sum(&cpr.to_string()) % 11, 0);
            prop_assert_eq!(validate(&cpr.to_string()), Ok(cpr));
        }

        #[test]
        fn january_first_numbers_fail_modulus11_but_validate(cpr in january_first_without_modulus11_strategy()) {
            prop_assert_ne!(weighted_sum(&cpr.to_string()) % 11, 0);
            prop_assert_eq!((cpr.birth_date().month(), cpr.birth_date().day()), (1, 1));
            prop_assert_eq!(validate(&cpr.to_string()), Ok(cpr));
        }

        #[test]
        fn valid_wire_values_round_trip(wire in valid_wire_strategy()) {
            let cpr = validate(&wire).expect("generated value is valid");
            prop_assert_eq!(wire.replace('-', ""), cpr.to_string());
        }

        #[test]
        fn invalid_wire_values_are_rejected(wire in invalid_wire_strategy()) {
            prop_assert!(validate(&wire).is_err());
        }

        #[test]
        fn validate_agrees_with_the_rules_for_any_ten_digits(wire in "[0-9]{10}") {
            let digit = |at: usize| u32::from(wire.as_bytes()[at] - b'0');
            let (day, month, yy) = (digit(0) * 10 + digit(1), digit(2) * 10 + digit(3), digit(4) * 10 + digit(5));
            let year = century_by_rule(digit(6), yy) + yy as i32;
            let date = NaiveDate::from_ymd_opt(year, month, day);
            prop_assert_eq!(validate(&wire).ok().map(|cpr| cpr.birth_date()), date);
            if let Ok(cpr) = validate(&wire) {
                prop_assert_eq!(cpr.has_modulus11(), weighted_sum(&wire).is_multiple_of(11));
                prop_assert_eq!(cpr.sex() == Sex::Male, digit(9) % 2 == 1);
            }
        }
    }
}
