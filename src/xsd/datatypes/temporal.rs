//! The date/time types (dateTime, time, date and the g* types) and duration of XSD 1.0,
//! with the partial order of XSD 1.0 Part 2 §3.2.7.4 and Appendix D.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::builtin::BuiltinType;
use super::decimal::Decimal;

const SECONDS_PER_DAY: i128 = 86_400;
/// The ±14:00 window within which a value without timezone may fall anywhere.
const MAX_TIMEZONE_SECONDS: i128 = 14 * 3600;
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A value of one of the seven-property date/time types. Absent properties are `None`.
#[derive(Debug, Clone)]
pub struct Temporal {
    kind: BuiltinType,
    year: Option<i64>,
    month: Option<u8>,
    day: Option<u8>,
    hour: u8,
    minute: u8,
    second: u8,
    fraction: String,
    timezone_minutes: Option<i16>,
}

/// A point on the time line in whole seconds plus the fraction digits (no trailing zeros),
/// so that lexicographic comparison of the fraction is numeric comparison.
type Instant = (i128, String);

impl Temporal {
    /// Parses the lexical form of `kind`, which must be one of the date/time types.
    pub fn parse(kind: BuiltinType, lexical: &str) -> Result<Self, String> {
        let mut cursor = Cursor { rest: lexical };
        let mut value = Temporal {
            kind,
            year: None,
            month: None,
            day: None,
            hour: 0,
            minute: 0,
            second: 0,
            fraction: String::new(),
            timezone_minutes: None,
        };
        match kind {
            BuiltinType::DateTime => {
                value.parse_date(&mut cursor)?;
                cursor.expect('T', "'T' between date and time")?;
                value.parse_time(&mut cursor)?;
            }
            BuiltinType::Time => value.parse_time(&mut cursor)?,
            BuiltinType::Date => value.parse_date(&mut cursor)?,
            BuiltinType::GYearMonth => {
                value.year = Some(cursor.year()?);
                cursor.expect('-', "'-' after the year")?;
                value.month = Some(cursor.two_digits("month")?);
            }
            BuiltinType::GYear => value.year = Some(cursor.year()?),
            BuiltinType::GMonthDay => {
                cursor.expect_str("--", "a gMonthDay starts with '--'")?;
                value.month = Some(cursor.two_digits("month")?);
                cursor.expect('-', "'-' after the month")?;
                value.day = Some(cursor.two_digits("day")?);
            }
            BuiltinType::GDay => {
                cursor.expect_str("---", "a gDay starts with '---'")?;
                value.day = Some(cursor.two_digits("day")?);
            }
            BuiltinType::GMonth => {
                cursor.expect_str("--", "a gMonth starts with '--'")?;
                value.month = Some(cursor.two_digits("month")?);
            }
            _ => return Err(format!("xs:{} is not a date/time type", kind.local_name())),
        }
        value.timezone_minutes = cursor.timezone()?;
        if !cursor.rest.is_empty() {
            return Err(format!("unexpected {:?} at the end", cursor.rest));
        }
        value.check_fields()?;
        Ok(value)
    }

    fn parse_date(&mut self, cursor: &mut Cursor<'_>) -> Result<(), String> {
        self.year = Some(cursor.year()?);
        cursor.expect('-', "'-' after the year")?;
        self.month = Some(cursor.two_digits("month")?);
        cursor.expect('-', "'-' after the month")?;
        self.day = Some(cursor.two_digits("day")?);
        Ok(())
    }

    fn parse_time(&mut self, cursor: &mut Cursor<'_>) -> Result<(), String> {
        self.hour = cursor.two_digits("hour")?;
        cursor.expect(':', "':' after the hour")?;
        self.minute = cursor.two_digits("minute")?;
        cursor.expect(':', "':' after the minutes")?;
        self.second = cursor.two_digits("second")?;
        if cursor.eat('.') {
            let digits = cursor.digit_run();
            if digits.is_empty() {
                return Err("a '.' in the seconds must be followed by digits".to_owned());
            }
            self.fraction = digits.trim_end_matches('0').to_owned();
        }
        Ok(())
    }

    fn check_fields(&self) -> Result<(), String> {
        if let Some(month) = self.month
            && !(1..=12).contains(&month)
        {
            return Err(format!("month {month} does not exist"));
        }
        if let Some(day) = self.day {
            let month = self.month.unwrap_or(12);
            let last = days_in_month(self.year, month);
            if day == 0 || day > last {
                let name = MONTH_NAMES[usize::from(month - 1)];
                return Err(match self.year {
                    Some(year) => format!("day {day} does not exist in {name} {year:04}"),
                    None if day <= 31 => format!("day {day} does not exist in {name}"),
                    None => format!("day {day} does not exist"),
                });
            }
        }
        let midnight_24 = self.hour == 24 && self.minute == 0 && self.second == 0;
        if self.hour > 23 && !(midnight_24 && self.fraction.is_empty()) {
            return Err(format!(
                "hour {} is out of range (24 only as 24:00:00)",
                self.hour
            ));
        }
        if self.minute > 59 {
            return Err(format!("minute {} is out of range", self.minute));
        }
        if self.second > 59 {
            return Err(format!("second {} is out of range", self.second));
        }
        Ok(())
    }

    pub fn kind(&self) -> BuiltinType {
        self.kind
    }
    pub fn year(&self) -> Option<i64> {
        self.year
    }
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    pub fn day(&self) -> Option<u8> {
        self.day
    }
    /// Hour, minute and whole second.
    pub fn time_of_day(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }
    /// Fraction-of-second digits without trailing zeros.
    pub fn fraction(&self) -> &str {
        &self.fraction
    }
    /// Timezone offset east of UTC in minutes, if the value has one.
    pub fn timezone_minutes(&self) -> Option<i16> {
        self.timezone_minutes
    }

    /// The value as seconds on a common time line; absent properties take fixed reference
    /// values (year 1972, a leap year; December, which has 31 days; day 1).
    fn instant(&self) -> Instant {
        let year = astronomical_year(self.year.unwrap_or(1972));
        let month = self
            .month
            .unwrap_or(if self.day.is_some() { 12 } else { 1 });
        let day = self.day.unwrap_or(1);
        // A time's 24:00:00 is midnight of the same reference day; timezones do not wrap
        // around (12:00:00-14:00 is after 12:00:00-10:00, as XSTS expects).
        let hour = if self.kind == BuiltinType::Time && self.hour == 24 {
            0
        } else {
            self.hour
        };
        let seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY
            + i128::from(hour) * 3600
            + i128::from(self.minute) * 60
            + i128::from(self.second)
            - i128::from(self.timezone_minutes.unwrap_or(0)) * 60;
        (seconds, self.fraction.clone())
    }

    /// The XSD 1.0 order relation: values with and without timezone are only ordered when
    /// they differ by more than 14 hours.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        if self.kind != other.kind {
            return None;
        }
        let (mine, theirs) = (self.instant(), other.instant());
        match (
            self.timezone_minutes.is_some(),
            other.timezone_minutes.is_some(),
        ) {
            (true, false) => compare_zoned_with_floating(&mine, &theirs),
            (false, true) => compare_zoned_with_floating(&theirs, &mine).map(Ordering::reverse),
            _ => Some(mine.cmp(&theirs)),
        }
    }
}

/// The lexical form with the properties as given (the timezone is not normalised away;
/// zero offset is written `Z`).
impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BuiltinType as B;
        let write_year = |f: &mut fmt::Formatter<'_>, year: i64| {
            let sign = if year < 0 { "-" } else { "" };
            write!(f, "{sign}{:04}", year.unsigned_abs())
        };
        match (self.year, self.month, self.day) {
            (Some(year), month, day) => {
                write_year(f, year)?;
                if let Some(month) = month {
                    write!(f, "-{month:02}")?;
                }
                if let Some(day) = day {
                    write!(f, "-{day:02}")?;
                }
            }
            (None, Some(month), Some(day)) => write!(f, "--{month:02}-{day:02}")?,
            (None, Some(month), None) => write!(f, "--{month:02}")?,
            (None, None, Some(day)) => write!(f, "---{day:02}")?,
            (None, None, None) => {}
        }
        if matches!(self.kind, B::DateTime | B::Time) {
            if self.kind == B::DateTime {
                f.write_str("T")?;
            }
            write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
            if !self.fraction.is_empty() {
                write!(f, ".{}", self.fraction)?;
            }
        }
        match self.timezone_minutes {
            Some(0) => f.write_str("Z"),
            Some(offset) => {
                let sign = if offset < 0 { '-' } else { '+' };
                let offset = offset.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", offset / 60, offset % 60)
            }
            None => Ok(()),
        }
    }
}

impl PartialEq for Temporal {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Some(Ordering::Equal)
    }
}

impl Eq for Temporal {}

/// Consistent with equality: the same instant, and either both or neither with timezone.
impl Hash for Temporal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.timezone_minutes.is_some().hash(state);
        self.instant().hash(state);
    }
}

fn compare_zoned_with_floating(zoned: &Instant, floating: &Instant) -> Option<Ordering> {
    let earliest = (floating.0 - MAX_TIMEZONE_SECONDS, floating.1.clone());
    let latest = (floating.0 + MAX_TIMEZONE_SECONDS, floating.1.clone());
    if *zoned < earliest {
        Some(Ordering::Less)
    } else if *zoned > latest {
        Some(Ordering::Greater)
    } else {
        None
    }
}

/// XSD 1.0 has no year 0: '-0001' is 1 BCE, which is year 0 of the proleptic Gregorian
/// calendar's astronomical numbering.
fn astronomical_year(year: i64) -> i128 {
    let year = i128::from(year);
    if year < 0 { year + 1 } else { year }
}

fn is_leap_year(year: i64) -> bool {
    let year = astronomical_year(year);
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// Days in `month`; without a year February has 29 days (as in gMonthDay `--02-29`).
fn days_in_month(year: Option<i64>, month: u8) -> u8 {
    match month {
        2 if year.is_none_or(is_leap_year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (astronomical year numbering).
fn days_from_civil(year: i128, month: u8, day: u8) -> i128 {
    let (month, day) = (i128::from(month), i128::from(day));
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {what}"))
        }
    }

    fn expect_str(&mut self, prefix: &str, what: &str) -> Result<(), String> {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(what.to_owned()),
        }
    }

    fn digit_run(&mut self) -> &str {
        // by bytes, not chars: the first byte that is no digit starts a character
        let end = (self.rest.bytes())
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.rest.len());
        let (digits, rest) = self.rest.split_at(end);
        self.rest = rest;
        digits
    }

    fn two_digits(&mut self, field: &str) -> Result<u8, String> {
        let bytes = self.rest.as_bytes();
        if bytes.len() >= 2 && bytes[0].is_ascii_digit() && bytes[1].is_ascii_digit() {
            let value = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
            self.rest = &self.rest[2..];
            Ok(value)
        } else {
            Err(format!("expected two digits for the {field}"))
        }
    }

    fn year(&mut self) -> Result<i64, String> {
        let negative = self.eat('-');
        let digits = self.digit_run();
        if digits.len() < 4 {
            return Err("the year needs at least four digits".to_owned());
        }
        if digits.len() > 4 && digits.starts_with('0') {
            return Err("a year of more than four digits has no leading zero".to_owned());
        }
        if digits.bytes().all(|b| b == b'0') {
            return Err("year 0000 does not exist in XSD 1.0".to_owned());
        }
        let magnitude: i64 = digits
            .parse()
            .map_err(|_| format!("year {digits} is too large"))?;
        Ok(if negative { -magnitude } else { magnitude })
    }

    fn timezone(&mut self) -> Result<Option<i16>, String> {
        if self.eat('Z') {
            return Ok(Some(0));
        }
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return Ok(None);
        };
        let hours = self.two_digits("timezone hours")?;
        self.expect(':', "':' in the timezone")?;
        let minutes = self.two_digits("timezone minutes")?;
        if minutes > 59 || hours > 14 || (hours == 14 && minutes > 0) {
            return Err(format!(
                "timezone {hours:02}:{minutes:02} is outside -14:00..+14:00"
            ));
        }
        Ok(Some(sign * (i16::from(hours) * 60 + i16::from(minutes))))
    }
}

/// An xs:duration: a signed number of months and a signed number of seconds (both share the
/// duration's sign).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration {
    months: i128,
    seconds: Decimal,
}

/// The reference dateTimes of XSD 1.0 §3.2.6.2 used to order durations.
const DURATION_REFERENCES: [(i128, u8); 4] = [(1696, 9), (1697, 2), (1903, 3), (1903, 7)];

impl Duration {
    pub fn parse(lexical: &str) -> Result<Self, String> {
        let (negative, unsigned) = match lexical.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, lexical),
        };
        let mut rest = unsigned
            .strip_prefix('P')
            .ok_or_else(|| "a duration starts with 'P' (or '-P')".to_owned())?;
        let mut months: i128 = 0;
        let mut whole_seconds: i128 = 0;
        let mut fraction = Decimal::zero();
        let mut in_time = false;
        let mut last_field: Option<usize> = None;
        let mut fields_seen = 0;
        let mut time_fields_seen = 0;
        let too_large = || "the duration is too large".to_owned();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('T') {
                if in_time {
                    return Err("'T' appears twice".to_owned());
                }
                in_time = true;
                rest = after;
                continue;
            }
            let digits_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (integer, after_digits) = rest.split_at(digits_end);
            if integer.is_empty() {
                return Err(format!("expected a number at {rest:?}"));
            }
            let (fraction_digits, after_number) = match after_digits.strip_prefix('.') {
                Some(after_point) => {
                    let end = after_point
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(after_point.len());
                    if end == 0 {
                        return Err("a '.' must be followed by digits".to_owned());
                    }
                    after_point.split_at(end)
                }
                None => ("", after_digits),
            };
            let designator = after_number
                .chars()
                .next()
                .ok_or_else(|| format!("the number {integer} has no designator"))?;
            let field = match (in_time, designator) {
                (false, 'Y') => 0,
                (false, 'M') => 1,
                (false, 'D') => 2,
                (true, 'H') => 3,
                (true, 'M') => 4,
                (true, 'S') => 5,
                (false, 'H' | 'S') => {
                    return Err(format!("'{designator}' must come after the 'T' separator"));
                }
                (true, 'Y' | 'D') => {
                    return Err(format!("'{designator}' must come before the 'T' separator"));
                }
                (_, other) => return Err(format!("unexpected designator {other:?}")),
            };
            if last_field.is_some_and(|last| last >= field) {
                return Err(format!(
                    "designator {designator:?} is out of order or repeated"
                ));
            }
            if !fraction_digits.is_empty() && field != 5 {
                return Err("only the seconds may have a fraction".to_owned());
            }
            let number: i128 = integer.parse().map_err(|_| too_large())?;
            let (target, unit) = match field {
                0 => (&mut months, 12),
                1 => (&mut months, 1),
                2 => (&mut whole_seconds, SECONDS_PER_DAY),
                3 => (&mut whole_seconds, 3600),
                4 => (&mut whole_seconds, 60),
                _ => (&mut whole_seconds, 1),
            };
            *target = number
                .checked_mul(unit)
                .and_then(|n| target.checked_add(n))
                .ok_or_else(too_large)?;
            if !fraction_digits.is_empty() {
                fraction = Decimal::parse(&format!("0.{fraction_digits}"), false)
                    .map_err(|e| e.to_string())?;
            }
            last_field = Some(field);
            fields_seen += 1;
            if in_time {
                time_fields_seen += 1;
            }
            rest = &after_number[designator.len_utf8()..];
        }
        if fields_seen == 0 {
            return Err("a duration needs at least one field".to_owned());
        }
        if in_time && time_fields_seen == 0 {
            return Err("'T' must be followed by hours, minutes or seconds".to_owned());
        }
        let seconds = Decimal::from_i128(whole_seconds).add(&fraction);
        Ok(if negative {
            Duration {
                months: -months,
                seconds: seconds.negate(),
            }
        } else {
            Duration { months, seconds }
        })
    }

    /// Total months (years × 12 + months), negative for a negative duration.
    pub fn months(&self) -> i128 {
        self.months
    }

    /// Total seconds of the day/time part, negative for a negative duration.
    pub fn seconds(&self) -> &Decimal {
        &self.seconds
    }

    fn is_negative(&self) -> bool {
        self.months < 0 || self.seconds.is_negative()
    }

    /// XSD 1.0 order of durations: the order of the results of adding both to each of four
    /// reference dateTimes, or `None` when the references disagree (e.g. P1M vs P30D).
    pub fn compare(&self, other: &Duration) -> Option<Ordering> {
        if self == other {
            return Some(Ordering::Equal);
        }
        let mut orders = DURATION_REFERENCES.iter().map(|&(year, month)| {
            self.end_seconds(year, month)
                .cmp(&other.end_seconds(year, month))
        });
        let first = orders.next()?;
        orders.all(|order| order == first).then_some(first)
    }

    fn end_seconds(&self, year: i128, month: u8) -> Decimal {
        let month_index = year * 12 + i128::from(month - 1) + self.months;
        let end_year = month_index.div_euclid(12);
        let end_month = u8::try_from(month_index.rem_euclid(12) + 1).unwrap_or(1);
        let day_seconds = days_from_civil(end_year, end_month, 1) * SECONDS_PER_DAY;
        Decimal::from_i128(day_seconds).add(&self.seconds)
    }
}

/// The canonical form: years and months from the month count, days, hours, minutes and
/// seconds from the second count, zero fields left out (`PT0S` for zero).
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_negative() {
            f.write_str("-")?;
        }
        f.write_str("P")?;
        let months = self.months.unsigned_abs();
        let seconds = if self.seconds.is_negative() {
            self.seconds.negate()
        } else {
            self.seconds.clone()
        };
        let whole: u128 = seconds.integer_digits().parse().unwrap_or(0);
        let day_seconds = SECONDS_PER_DAY.unsigned_abs();
        let date_fields = [
            (months / 12, 'Y'),
            (months % 12, 'M'),
            (whole / day_seconds, 'D'),
        ];
        for (amount, designator) in date_fields {
            if amount > 0 {
                write!(f, "{amount}{designator}")?;
            }
        }
        let (hours, minutes) = (whole % day_seconds / 3600, whole % 3600 / 60);
        let rest = whole % 60;
        let fraction = seconds.fraction_digits();
        if hours > 0 || minutes > 0 || rest > 0 || !fraction.is_empty() {
            f.write_str("T")?;
            for (amount, designator) in [(hours, 'H'), (minutes, 'M')] {
                if amount > 0 {
                    write!(f, "{amount}{designator}")?;
                }
            }
            if rest > 0 || !fraction.is_empty() {
                write!(f, "{rest}")?;
                if !fraction.is_empty() {
                    write!(f, ".{fraction}")?;
                }
                f.write_str("S")?;
            }
        } else if months == 0 && whole == 0 {
            f.write_str("T0S")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BuiltinType as B;

    fn t(kind: BuiltinType, s: &str) -> Temporal {
        Temporal::parse(kind, s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn d(s: &str) -> Duration {
        Duration::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn accepts_valid_date_time_forms() {
        for s in [
            "2024-02-29T12:00:00",
            "2024-02-29T24:00:00Z",
            "-0001-01-01T00:00:00.5+14:00",
            "12024-12-31T23:59:59.000-13:59",
        ] {
            t(B::DateTime, s);
        }
        t(B::Time, "00:00:00");
        t(B::Date, "2000-02-29");
        t(B::GYearMonth, "1999-12Z");
        t(B::GYear, "-12345");
        t(B::GMonthDay, "--02-29");
        t(B::GDay, "---31+01:00");
        t(B::GMonth, "--12");
    }

    #[test]
    fn rejects_invalid_date_time_forms() {
        let cases = [
            (
                B::Date,
                "2024-02-30",
                "day 30 does not exist in February 2024",
            ),
            (
                B::Date,
                "2023-02-29",
                "day 29 does not exist in February 2023",
            ),
            (B::Date, "1900-02-29", "day 29 does not exist"),
            (B::Date, "0000-01-01", "year 0000"),
            (B::Date, "01999-01-01", "leading zero"),
            (B::Date, "999-01-01", "four digits"),
            (B::Date, "2024-13-01", "month 13"),
            (B::Date, "2024-01-01+14:01", "timezone"),
            (B::DateTime, "2024-01-01T24:00:01", "hour 24"),
            (B::DateTime, "2024-01-01T24:00:00.1", "hour 24"),
            (B::DateTime, "2024-01-01T12:60:00", "minute 60"),
            (B::DateTime, "2024-01-01", "'T'"),
            (B::DateTime, "2024-01-01T12:00:00.", "digits"),
            (B::Time, "1:00:00", "two digits"),
            (B::GMonthDay, "--04-31", "day 31 does not exist in April"),
            (B::GDay, "---32", "day 32"),
            (B::GYear, "2024 ", "unexpected"),
        ];
        for (kind, s, reason) in cases {
            let error = Temporal::parse(kind, s).expect_err(s);
            assert!(error.contains(reason), "{s}: {error}");
        }
        // -0001 is 1 BCE, a leap year in the proleptic calendar; -0002 is not.
        t(B::Date, "-0001-02-29");
        assert!(Temporal::parse(B::Date, "-0002-02-29").is_err());
    }

    #[test]
    fn timezones_normalise_for_equality() {
        assert_eq!(
            t(B::DateTime, "2002-10-10T12:00:00-05:00"),
            t(B::DateTime, "2002-10-10T17:00:00Z")
        );
        assert_eq!(
            t(B::DateTime, "2002-10-10T24:00:00Z"),
            t(B::DateTime, "2002-10-11T00:00:00Z")
        );
        assert_eq!(t(B::Time, "12:00:00.50"), t(B::Time, "12:00:00.5"));
        assert_eq!(t(B::Time, "24:00:00"), t(B::Time, "00:00:00"));
        assert_eq!(
            t(B::Time, "12:00:00-14:00").compare(&t(B::Time, "12:00:00-10:00")),
            Some(Ordering::Greater)
        );
        assert_ne!(
            t(B::DateTime, "2002-10-10T12:00:00"),
            t(B::DateTime, "2002-10-10T12:00:00Z")
        );
        assert_ne!(t(B::GDay, "---01"), t(B::GMonth, "--01"));
    }

    #[test]
    fn partial_order_with_and_without_timezone() {
        let zoned = t(B::DateTime, "2000-01-15T00:00:00Z");
        let close = t(B::DateTime, "2000-01-15T12:00:00");
        let far = t(B::DateTime, "2000-01-16T15:00:00");
        assert_eq!(zoned.compare(&close), None);
        assert_eq!(zoned.compare(&far), Some(Ordering::Less));
        assert_eq!(far.compare(&zoned), Some(Ordering::Greater));
        assert_eq!(
            t(B::Date, "2000-01-01").compare(&t(B::Date, "1999-12-31")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            t(B::Time, "10:00:00.1").compare(&t(B::Time, "10:00:00.09")),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn duration_lexical_space() {
        for s in ["P1Y", "-P1Y2M3DT4H5M6.7S", "PT0S", "P0D", "PT36H", "P1DT2H"] {
            d(s);
        }
        assert_eq!(
            Duration::parse("P1H").unwrap_err(),
            "'H' must come after the 'T' separator"
        );
        for s in [
            "P", "PT", "P1YT", "1Y", "P1S", "PT1D", "P1M1Y", "P1.5Y", "PT1.S", "P-1Y", "+P1Y",
            "P1Y1Y", "P 1Y",
        ] {
            assert!(Duration::parse(s).is_err(), "{s} accepted");
        }
    }

    #[test]
    fn display_forms() {
        for s in [
            "2024-02-29T12:00:00.5Z",
            "-0044-03-15",
            "12:00:00+05:30",
            "--02-29",
            "---01-14:00",
            "--12",
            "12345-01",
        ] {
            let kind = [
                B::DateTime,
                B::Date,
                B::Time,
                B::GMonthDay,
                B::GDay,
                B::GMonth,
            ]
            .into_iter()
            .chain([B::GYearMonth])
            .find(|&kind| Temporal::parse(kind, s).is_ok())
            .unwrap_or_else(|| panic!("{s} parses as no type"));
            assert_eq!(t(kind, s).to_string(), s);
        }
        assert_eq!(d("P13M").to_string(), "P1Y1M");
        assert_eq!(d("PT36H").to_string(), "P1DT12H");
        assert_eq!(d("-PT0.50S").to_string(), "-PT0.5S");
        assert_eq!(d("P0Y").to_string(), "PT0S");
        assert_eq!(d("P1DT1M").to_string(), "P1DT1M");
    }

    #[test]
    fn duration_order_is_partial() {
        assert_eq!(d("P1Y"), d("P12M"));
        assert_eq!(d("P1D"), d("PT24H"));
        assert_eq!(d("P1M").compare(&d("P30D")), None);
        assert_eq!(d("P1M").compare(&d("P27D")), Some(Ordering::Greater));
        assert_eq!(d("P1Y").compare(&d("P364D")), Some(Ordering::Greater));
        assert_eq!(d("P1Y").compare(&d("P365D")), None);
        assert_eq!(d("-PT1S").compare(&d("PT0.5S")), Some(Ordering::Less));
        assert_eq!(d("PT1.5S").seconds().to_string(), "1.5");
        assert_eq!(d("-P1Y2M").months(), -14);
    }
}
