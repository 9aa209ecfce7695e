//! The XSD 1.0 lexical forms of `xs:date` and `xs:dateTime`: validation, time zone forms, and
//! generators.
//!
//! Years may be negative or longer than four digits (then without a leading zero); year 0000 is
//! refused as XSD 1.0 does. For negative years leap years follow the proleptic Gregorian
//! calendar with no year zero (-0001 is leap). `24:00:00` is allowed as the end of a day.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LexicalError {
    #[error("`{value}` is not an {type_name}: expected {expected} at position {position}")]
    Shape {
        value: String,
        type_name: &'static str,
        expected: &'static str,
        position: usize,
    },
    #[error("`{value}`: year 0000 does not exist in XSD 1.0")]
    YearZero { value: String },
    #[error("`{value}`: a year of more than four digits may not start with 0")]
    YearLeadingZero { value: String },
    #[error("`{value}`: {field} {found} is out of range")]
    OutOfRange {
        value: String,
        field: &'static str,
        found: u32,
    },
    #[error("`{value}`: day {day} does not exist in month {month} of year {year}")]
    NoSuchDay {
        value: String,
        year: i64,
        month: u32,
        day: u32,
    },
}

/// How a value carries its time zone on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeZoneForm {
    None,
    Utc,
    /// An offset in minutes east of UTC, within ±14:00.
    Offset(i32),
}

impl TimeZoneForm {
    pub fn suffix(self) -> String {
        match self {
            TimeZoneForm::None => String::new(),
            TimeZoneForm::Utc => "Z".to_owned(),
            TimeZoneForm::Offset(minutes) => {
                let sign = if minutes < 0 { '-' } else { '+' };
                format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
            }
        }
    }
}

/// `date` as `xs:date` with the given zone form.
pub fn xs_date(date: NaiveDate, zone: TimeZoneForm) -> String {
    format!("{}{}", date.format("%Y-%m-%d"), zone.suffix())
}

/// `at` as `xs:dateTime` with the given zone form, with fractional seconds only when present.
pub fn xs_date_time(at: NaiveDateTime, zone: TimeZoneForm) -> String {
    let fraction = match at.nanosecond() {
        0 => String::new(),
        nanos => format!(".{nanos:09}").trim_end_matches('0').to_owned(),
    };
    format!(
        "{}{fraction}{}",
        at.format("%Y-%m-%dT%H:%M:%S"),
        zone.suffix()
    )
}

struct Cursor<'a> {
    value: &'a str,
    type_name: &'static str,
    position: usize,
}

impl Cursor<'_> {
    fn shape(&self, expected: &'static str) -> LexicalError {
        LexicalError::Shape {
            value: self.value.to_owned(),
            type_name: self.type_name,
            expected,
            position: self.position,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.value.as_bytes().get(self.position).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.position += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), LexicalError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.shape(expected))
        }
    }

    fn digits(&mut self) -> &str {
        let start = self.position;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.position += 1;
        }
        &self.value[start..self.position]
    }

    /// Two digits for `field`, at most `max`; a wrong width is reported where the field starts.
    fn two_digits(&mut self, field: &'static str, max: u32) -> Result<u32, LexicalError> {
        let start = self.position;
        let digits = self.digits();
        let found = match digits.len() {
            2 => digits.parse().ok(),
            _ => None,
        };
        let Some(found) = found else {
            self.position = start;
            return Err(self.shape("two digits"));
        };
        if found > max {
            return Err(self.out_of_range(field, found));
        }
        Ok(found)
    }

    fn out_of_range(&self, field: &'static str, found: u32) -> LexicalError {
        LexicalError::OutOfRange {
            value: self.value.to_owned(),
            field,
            found,
        }
    }

    fn date(&mut self) -> Result<(), LexicalError> {
        let negative = self.eat(b'-');
        let year_start = self.position;
        let year_digits = self.digits().to_owned();
        if year_digits.len() < 4 {
            self.position = year_start;
            return Err(self.shape("a year of at least four digits"));
        }
        if year_digits.len() > 4 && year_digits.starts_with('0') {
            return Err(LexicalError::YearLeadingZero {
                value: self.value.to_owned(),
            });
        }
        let year: i64 = year_digits
            .parse()
            .map_err(|_| self.shape("a year that fits 64 bits"))?;
        if year == 0 {
            return Err(LexicalError::YearZero {
                value: self.value.to_owned(),
            });
        }
        self.expect(b'-', "`-` after the year")?;
        let month = self.two_digits("month", 12)?;
        self.expect(b'-', "`-` after the month")?;
        let day = self.two_digits("day", 31)?;
        let astronomical_year = if negative { 1 - year } else { year };
        if month == 0 || day == 0 || day > days_in_month(astronomical_year, month) {
            let year = if negative { -year } else { year };
            return Err(LexicalError::NoSuchDay {
                value: self.value.to_owned(),
                year,
                month,
                day,
            });
        }
        Ok(())
    }

    fn time(&mut self) -> Result<(), LexicalError> {
        let hour = self.two_digits("hour", 24)?;
        self.expect(b':', "`:` after the hour")?;
        let minute = self.two_digits("minute", 59)?;
        self.expect(b':', "`:` after the minute")?;
        let second = self.two_digits("second", 59)?;
        let mut fraction_is_zero = true;
        if self.eat(b'.') {
            let fraction = self.digits();
            if fraction.is_empty() {
                return Err(self.shape("digits after `.`"));
            }
            fraction_is_zero = fraction.bytes().all(|b| b == b'0');
        }
        if hour == 24 && (minute, second, fraction_is_zero) != (0, 0, true) {
            return Err(self.out_of_range("hour", hour));
        }
        Ok(())
    }

    fn zone_and_end(&mut self) -> Result<(), LexicalError> {
        if !self.eat(b'Z') && (self.eat(b'+') || self.eat(b'-')) {
            let hours = self.two_digits("zone hours", 14)?;
            self.expect(b':', "`:` in the zone offset")?;
            let minutes = self.two_digits("zone minutes", 59)?;
            if hours == 14 && minutes != 0 {
                return Err(self.out_of_range("zone minutes", minutes));
            }
        }
        if self.position == self.value.len() {
            Ok(())
        } else {
            Err(self.shape("`Z`, `+hh:mm`, `-hh:mm` or the end"))
        }
    }
}

fn days_in_month(astronomical_year: i64, month: u32) -> u32 {
    let leap = astronomical_year % 4 == 0
        && (astronomical_year % 100 != 0 || astronomical_year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub fn validate_date(value: &str) -> Result<(), LexicalError> {
    let mut cursor = Cursor {
        value,
        type_name: "xs:date",
        position: 0,
    };
    cursor.date()?;
    cursor.zone_and_end()
}

pub fn validate_date_time(value: &str) -> Result<(), LexicalError> {
    let mut cursor = Cursor {
        value,
        type_name: "xs:dateTime",
        position: 0,
    };
    cursor.date()?;
    cursor.expect(b'T', "`T` between date and time")?;
    cursor.time()?;
    cursor.zone_and_end()
}

/// Every zone form: none, `Z`, and whole or half-hour offsets within ±14:00.
pub fn zone_strategy() -> impl Strategy<Value = TimeZoneForm> {
    prop_oneof![
        Just(TimeZoneForm::None),
        Just(TimeZoneForm::Utc),
        (-28..=28i32).prop_map(|half_hours| TimeZoneForm::Offset(half_hours * 30)),
    ]
}

/// Dates from 1858 (the earliest CPR birth year) through 2100.
pub fn date_strategy() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1858, 1, 1).map_or(0, |date| date.num_days_from_ce());
    let last = NaiveDate::from_ymd_opt(2100, 12, 31).map_or(0, |date| date.num_days_from_ce());
    (first..=last).prop_map(|day| {
        NaiveDate::from_num_days_from_ce_opt(day)
            .unwrap_or_else(|| unreachable!("the range lies within chrono's"))
    })
}

pub fn xs_date_strategy() -> impl Strategy<Value = String> {
    (date_strategy(), zone_strategy()).prop_map(|(date, zone)| xs_date(date, zone))
}

pub fn xs_date_time_strategy() -> impl Strategy<Value = String> {
    let time = (0..86_400u32, prop_oneof![Just(0u32), 1..1_000_000_000u32]);
    (date_strategy(), time, zone_strategy()).prop_map(|(date, (seconds, nanos), zone)| {
        let at = chrono::NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos)
            .unwrap_or_else(|| unreachable!("seconds and nanos are in range"));
        xs_date_time(date.and_time(at), zone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Validator = fn(&str) -> Result<(), LexicalError>;

    #[test]
    fn accepts_the_forms_xsd_allows() {
        for value in [
            "2024-02-29",
            "2000-02-29Z",
            "1999-12-31+01:00",
            "2024-01-01-14:00",
            "-0001-02-29",
            "10000-01-01",
            "2024-01-01+14:00",
        ] {
            assert_eq!(validate_date(value), Ok(()), "{value}");
        }
        for value in [
            "2024-03-31T02:30:00",
            "2024-12-31T24:00:00",
            "2024-12-31T24:00:00.000Z",
            "2024-10-27T02:30:00.5+02:00",
        ] {
            assert_eq!(validate_date_time(value), Ok(()), "{value}");
        }
    }

    #[test]
    fn refuses_what_xsd_refuses_with_the_reason() {
        let no_day = |year, month, day, value: &str| LexicalError::NoSuchDay {
            value: value.into(),
            year,
            month,
            day,
        };
        assert_eq!(
            validate_date("1900-02-29"),
            Err(no_day(1900, 2, 29, "1900-02-29"))
        );
        assert_eq!(
            validate_date("2100-02-29"),
            Err(no_day(2100, 2, 29, "2100-02-29"))
        );
        assert_eq!(
            validate_date("2024-04-31"),
            Err(no_day(2024, 4, 31, "2024-04-31"))
        );
        assert_eq!(
            validate_date("0000-01-01"),
            Err(LexicalError::YearZero {
                value: "0000-01-01".into()
            })
        );
        assert_eq!(
            validate_date("01000-01-01"),
            Err(LexicalError::YearLeadingZero {
                value: "01000-01-01".into()
            })
        );
        let out_of_range: [(Validator, &str, &str); 4] = [
            (validate_date, "2024-01-01+14:01", "zone minutes"),
            (validate_date, "2024-01-01+15:00", "zone hours"),
            (validate_date_time, "2024-01-01T24:00:01", "hour"),
            (validate_date_time, "2024-01-01T12:00:60", "second"),
        ];
        for (validate, value, expected) in out_of_range {
            assert!(
                matches!(validate(value), Err(LexicalError::OutOfRange { field, .. }) if field == expected),
                "{value}"
            );
        }
        let misshapen: [(Validator, &str, usize); 4] = [
            (validate_date, "2024-1-01", 5),
            (validate_date, "2024-01-01 ", 10),
            (validate_date_time, "2024-01-01 12:00:00", 10),
            (validate_date_time, "2024-01-01T12:00:00.", 20),
        ];
        for (validate, value, expected) in misshapen {
            assert!(
                matches!(validate(value), Err(LexicalError::Shape { position, .. }) if position == expected),
                "{value}"
            );
        }
    }

    #[test]
    fn zone_suffixes() {
        assert_eq!(TimeZoneForm::None.suffix(), "");
        assert_eq!(TimeZoneForm::Utc.suffix(), "Z");
        assert_eq!(TimeZoneForm::Offset(60).suffix(), "+01:00");
        assert_eq!(TimeZoneForm::Offset(-570).suffix(), "-09:30");
    }

    proptest! {
        #[test]
        fn generated_dates_validate(value in xs_date_strategy()) {
            prop_assert_eq!(validate_date(&value), Ok(()));
        }

        #[test]
        fn generated_date_times_validate(value in xs_date_time_strategy()) {
            prop_assert_eq!(validate_date_time(&value), Ok(()));
        }

        #[test]
        fn leap_days_follow_the_gregorian_rule(year in 1i32..10_000) {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            prop_assert_eq!(validate_date(&format!("{year:04}-02-29")).is_ok(), leap);
            prop_assert_eq!(NaiveDate::from_ymd_opt(year, 2, 29).is_some(), leap);
        }
    }
}
