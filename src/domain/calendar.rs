//! Calendar rules: an injectable clock, "today" in Europe/Copenhagen, date windows relative to
//! today, and named date and time edge cases.
//!
//! Window expressions: `ANCHOR` or `ANCHOR..ANCHOR`, inclusive at both ends, where an anchor is
//! `day(N)` (today plus N days), `month-start(N)` (the first day of the month N months from
//! today's) or `month-end(N)` (that month's last day); N is a whole number, optionally signed.
//! A window whose start falls after its end contains no day.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Europe::Copenhagen;
use thiserror::Error;

use super::EdgeCase;
use super::lexical::{TimeZoneForm, xs_date_time};

/// The TerminalAdgang window we adopt (domain.md): the first day of the month three months
/// before today's through the last day of today's month.
pub const TERMINAL_ADGANG_WINDOW: &str = "month-start(-3)..month-end(0)";

/// Where "now" comes from: the system clock, or a fixed instant for tests and replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(now) => *now,
        }
    }

    pub fn today_in_copenhagen(&self) -> NaiveDate {
        today_in_copenhagen(self.now())
    }
}

/// The calendar date in Copenhagen at the instant `now`.
pub fn today_in_copenhagen(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Copenhagen).date_naive()
}

/// The instant `now` as Copenhagen local time with its UTC offset, as it goes on the wire.
pub fn local_time_in_copenhagen(now: DateTime<Utc>) -> DateTime<FixedOffset> {
    now.with_timezone(&Copenhagen).fixed_offset()
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The last day of the month `date` lies in.
pub fn month_end(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The Copenhagen calendar day an `xs:date` or `xs:dateTime` wire value names. A dateTime with a
/// time zone is an instant, so it is converted (23:30Z on 31 March is 1 April in Copenhagen); a
/// value without one, and any xs:date, is taken as the day written. `None` when it is neither.
pub fn copenhagen_day(wire: &str) -> Option<NaiveDate> {
    let wire = wire.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(wire) {
        return Some(today_in_copenhagen(instant.with_timezone(&Utc)));
    }
    if wire.contains('T') {
        return NaiveDateTime::parse_from_str(wire, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|local| local.date());
    }
    xs_date_day(wire)
}

/// The day of an `xs:date` (zone ignored), years of any length and sign included.
fn xs_date_day(wire: &str) -> Option<NaiveDate> {
    let (negative, unsigned) = match wire.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, wire),
    };
    let year_end = unsigned.find('-')?;
    let year: i32 = unsigned[..year_end].parse().ok()?;
    let month: u32 = unsigned.get(year_end + 1..year_end + 3)?.parse().ok()?;
    let day: u32 = unsigned.get(year_end + 4..year_end + 6)?.parse().ok()?;
    (unsigned.get(year_end + 3..year_end + 4)? == "-").then_some(())?;
    NaiveDate::from_ymd_opt(if negative { -year } else { year }, month, day)
}

/// The last `weekday` of a month.
pub fn last_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let end = month_end(NaiveDate::from_ymd_opt(year, month, 1)?);
    let back = (end.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
    end.checked_sub_days(Days::new(u64::from(back)))
}

/// One end of a date window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    Day(i32),
    MonthStart(i32),
    MonthEnd(i32),
}

impl Anchor {
    pub fn resolve(self, today: NaiveDate) -> Option<NaiveDate> {
        let shift_months = |months: i32| {
            let first = today.with_day(1)?;
            let amount = Months::new(months.unsigned_abs());
            if months < 0 {
                first.checked_sub_months(amount)
            } else {
                first.checked_add_months(amount)
            }
        };
        match self {
            Anchor::Day(days) => {
                let amount = Days::new(u64::from(days.unsigned_abs()));
                if days < 0 {
                    today.checked_sub_days(amount)
                } else {
                    today.checked_add_days(amount)
                }
            }
            Anchor::MonthStart(months) => shift_months(months),
            Anchor::MonthEnd(months) => shift_months(months).map(month_end),
        }
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anchor::Day(offset) => write!(f, "day({offset})"),
            Anchor::MonthStart(offset) => write!(f, "month-start({offset})"),
            Anchor::MonthEnd(offset) => write!(f, "month-end({offset})"),
        }
    }
}

/// A window of days relative to today, inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateWindow {
    pub from: Anchor,
    pub to: Anchor,
}

/// Why a window expression does not parse, naming the offending token and its byte position.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("window `{expression}`: `{token}` at position {position}, expected {expected}")]
pub struct WindowParseError {
    pub expression: String,
    pub token: String,
    pub position: usize,
    pub expected: &'static str,
}

const ANCHOR_EXPECTED: &str = "day(N), month-start(N) or month-end(N)";

fn parse_anchor(expression: &str, start: usize, end: usize) -> Result<Anchor, WindowParseError> {
    let raw = &expression[start..end];
    let token = raw.trim();
    let position = start + (raw.len() - raw.trim_start().len());
    let error = |token: &str, position, expected| WindowParseError {
        expression: expression.to_owned(),
        token: token.to_owned(),
        position,
        expected,
    };
    let Some((name, rest)) = token.split_once('(') else {
        return Err(error(token, position, ANCHOR_EXPECTED));
    };
    let anchor: fn(i32) -> Anchor = match name.trim() {
        "day" => Anchor::Day,
        "month-start" => Anchor::MonthStart,
        "month-end" => Anchor::MonthEnd,
        _ => return Err(error(name, position, ANCHOR_EXPECTED)),
    };
    let offset_position = position + name.len() + 1;
    let Some(offset) = rest.strip_suffix(')') else {
        return Err(error(
            rest,
            offset_position,
            "a signed whole number followed by `)`",
        ));
    };
    let value = offset
        .trim()
        .parse()
        .map_err(|_| error(offset, offset_position, "a signed whole number"))?;
    Ok(anchor(value))
}

impl FromStr for DateWindow {
    type Err = WindowParseError;

    fn from_str(expression: &str) -> Result<Self, Self::Err> {
        let Some(separator) = expression.find("..") else {
            let anchor = parse_anchor(expression, 0, expression.len())?;
            return Ok(DateWindow {
                from: anchor,
                to: anchor,
            });
        };
        let to_start = separator + 2;
        if let Some(extra) = expression[to_start..].find("..") {
            return Err(WindowParseError {
                expression: expression.to_owned(),
                token: "..".to_owned(),
                position: to_start + extra,
                expected: "at most one `..`",
            });
        }
        Ok(DateWindow {
            from: parse_anchor(expression, 0, separator)?,
            to: parse_anchor(expression, to_start, expression.len())?,
        })
    }
}

impl fmt::Display for DateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}..{}", self.from, self.to)
        }
    }
}

impl DateWindow {
    /// The TerminalAdgang default, [`TERMINAL_ADGANG_WINDOW`].
    pub fn terminal_adgang() -> DateWindow {
        DateWindow {
            from: Anchor::MonthStart(-3),
            to: Anchor::MonthEnd(0),
        }
    }

    /// The inclusive (first, last) days for `today`; `None` beyond chrono's calendar.
    pub fn resolve(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.from.resolve(today)?, self.to.resolve(today)?))
    }

    pub fn contains(&self, today: NaiveDate, date: NaiveDate) -> bool {
        self.resolve(today)
            .is_some_and(|(from, to)| from <= date && date <= to)
    }
}

/// A named day around a window, and whether the window holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowEdge {
    pub name: &'static str,
    pub date: NaiveDate,
    pub inside: bool,
}

/// The days a window's rule is probed at for `today`: its first day and the day before, today,
/// its last day and the day after.
pub fn window_edges(today: NaiveDate, window: &DateWindow) -> Vec<WindowEdge> {
    let Some((from, to)) = window.resolve(today) else {
        return Vec::new();
    };
    [
        ("day-before-window", from.pred_opt()),
        ("window-first-day", Some(from)),
        ("today", Some(today)),
        ("window-last-day", Some(to)),
        ("day-after-window", to.succ_opt()),
    ]
    .into_iter()
    .filter_map(|(name, date)| {
        date.map(|date| WindowEdge {
            name,
            date,
            inside: window.contains(today, date),
        })
    })
    .collect()
}

/// Instants around Copenhagen midnight at the start of `today`, where Copenhagen and UTC name
/// different days: (name, instant, the Copenhagen day at that instant).
pub fn midnight_instants(today: NaiveDate) -> Vec<(&'static str, DateTime<Utc>, NaiveDate)> {
    let Some(midnight) = Copenhagen
        .from_local_datetime(&today.and_time(NaiveTime::MIN))
        .earliest()
    else {
        return Vec::new();
    };
    let midnight = midnight.with_timezone(&Utc);
    let utc_midnight = today.and_time(NaiveTime::MIN).and_utc();
    [
        (
            "last-second-before-copenhagen-midnight",
            midnight - chrono::Duration::seconds(1),
        ),
        ("copenhagen-midnight", midnight),
        ("utc-midnight", utc_midnight),
    ]
    .into_iter()
    .map(|(name, instant)| (name, instant, today_in_copenhagen(instant)))
    .collect()
}

/// A Copenhagen wall-clock time and how many instants carry it (0 in the spring gap, 2 in the
/// autumn overlap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTimeEdge {
    pub name: &'static str,
    pub local: NaiveDateTime,
    pub occurrences: usize,
}

/// The daylight-saving edges of `year` under the EU rule Denmark follows since 1996: on the last
/// Sunday of March 02:00 jumps to 03:00, on the last Sunday of October 03:00 falls back to 02:00.
pub fn dst_edges(year: i32) -> Vec<LocalTimeEdge> {
    let at = |month, hour, minute, second| {
        last_weekday_of_month(year, month, Weekday::Sun)
            .and_then(|day| day.and_hms_opt(hour, minute, second))
    };
    [
        ("spring-last-second-before-gap", at(3, 1, 59, 59), 1),
        ("spring-gap-start", at(3, 2, 0, 0), 0),
        ("spring-gap-middle", at(3, 2, 30, 0), 0),
        ("spring-gap-last-second", at(3, 2, 59, 59), 0),
        ("spring-after-gap", at(3, 3, 0, 0), 1),
        ("autumn-last-second-before-overlap", at(10, 1, 59, 59), 1),
        ("autumn-overlap-start", at(10, 2, 0, 0), 2),
        ("autumn-overlap-middle", at(10, 2, 30, 0), 2),
        ("autumn-overlap-last-second", at(10, 2, 59, 59), 2),
        ("autumn-after-overlap", at(10, 3, 0, 0), 1),
    ]
    .into_iter()
    .filter_map(|(name, local, occurrences)| {
        local.map(|local| LocalTimeEdge {
            name,
            local,
            occurrences,
        })
    })
    .collect()
}

/// Named `xs:date` values: leap days, month and year ends, zone forms, and impossible dates.
pub fn date_edges() -> Vec<EdgeCase> {
    EdgeCase::table("date")
}

/// Named `xs:dateTime` values: Copenhagen DST gaps and overlaps (lexically valid; how an
/// endpoint interprets them is what the trials probe), 24:00:00, zone forms, and broken forms.
pub fn date_time_edges() -> Vec<EdgeCase> {
    let mut edges: Vec<EdgeCase> = dst_edges(2024)
        .into_iter()
        .map(|edge| {
            EdgeCase::valid(
                edge.name,
                xs_date_time(edge.local, TimeZoneForm::None),
                "a Copenhagen local time at a DST change",
            )
        })
        .collect();
    edges.extend(EdgeCase::table("date-time"));
    edges
}

#[cfg(test)]
mod tests {
    use chrono::LocalResult;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::lexical::date_strategy;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day)
            .unwrap_or_else(|| unreachable!("catalogue date {year}-{month}-{day} exists"))
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("test instant")
    }

    #[test]
    fn today_is_taken_in_copenhagen() {
        let cases = [
            ("2024-12-31T22:59:59Z", date(2024, 12, 31)),
            ("2024-12-31T23:00:00Z", date(2025, 1, 1)),
            ("2024-06-30T21:59:59Z", date(2024, 6, 30)),
            ("2024-06-30T22:00:00Z", date(2024, 7, 1)),
        ];
        for (instant, today) in cases {
            assert_eq!(today_in_copenhagen(utc(instant)), today, "{instant}");
            assert_eq!(
                Clock::Fixed(utc(instant)).today_in_copenhagen(),
                today,
                "{instant}"
            );
        }
    }

    #[test]
    fn terminal_adgang_window_resolves_as_domain_md_says() {
        let window: DateWindow = TERMINAL_ADGANG_WINDOW.parse().expect("parses");
        assert_eq!(window, DateWindow::terminal_adgang());
        let cases = [
            (date(2024, 5, 15), date(2024, 2, 1), date(2024, 5, 31)),
            (date(2024, 2, 29), date(2023, 11, 1), date(2024, 2, 29)),
            (date(2025, 1, 1), date(2024, 10, 1), date(2025, 1, 31)),
            (date(2100, 2, 1), date(2099, 11, 1), date(2100, 2, 28)),
        ];
        for (today, from, to) in cases {
            assert_eq!(window.resolve(today), Some((from, to)), "today {today}");
        }
    }

    #[test]
    fn day_anchors_and_single_anchor_windows() {
        let today = date(2024, 3, 1);
        let yesterday: DateWindow = "day(-1)".parse().expect("parses");
        assert_eq!(
            yesterday.resolve(today),
            Some((date(2024, 2, 29), date(2024, 2, 29)))
        );
        let window: DateWindow = " day( +0 ) .. day(7)".parse().expect("parses");
        assert_eq!(window.resolve(today), Some((today, date(2024, 3, 8))));
        let empty: DateWindow = "day(0)..day(-1)".parse().expect("parses");
        assert!(!empty.contains(today, today));
    }

    #[test]
    fn parse_errors_name_the_bad_token() {
        let error = |expression: &str| expression.parse::<DateWindow>().expect_err("must fail");
        let bad = error("month-start(-3)..month-ende(0)");
        assert_eq!(
            (bad.token.as_str(), bad.position, bad.expected),
            ("month-ende", 17, ANCHOR_EXPECTED)
        );
        let bad = error("month-start(three)..month-end(0)");
        assert_eq!((bad.token.as_str(), bad.position), ("three", 12));
        let bad = error("month-start(-3..month-end(0)");
        assert_eq!(bad.token, "-3");
        let bad = error("day(0)..day(1)..day(2)");
        assert_eq!((bad.token.as_str(), bad.position), ("..", 14));
        let bad = error("");
        assert_eq!((bad.token.as_str(), bad.position), ("", 0));
        assert!(bad.to_string().contains("expected day(N)"));
    }

    #[test]
    fn window_edges_for_terminal_adgang() {
        let edges = window_edges(date(2024, 5, 15), &DateWindow::terminal_adgang());
        let summary: Vec<_> = edges
            .iter()
            .map(|edge| (edge.name, edge.date, edge.inside))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("day-before-window", date(2024, 1, 31), false),
                ("window-first-day", date(2024, 2, 1), true),
                ("today", date(2024, 5, 15), true),
                ("window-last-day", date(2024, 5, 31), true),
                ("day-after-window", date(2024, 6, 1), false),
            ]
        );
    }

    #[test]
    fn month_ends_and_leap_years() {
        assert_eq!(month_end(date(2024, 2, 10)), date(2024, 2, 29));
        assert_eq!(month_end(date(1900, 2, 1)), date(1900, 2, 28));
        assert_eq!(month_end(date(2100, 2, 1)), date(2100, 2, 28));
        assert_eq!(month_end(date(2000, 2, 1)), date(2000, 2, 29));
        assert_eq!(month_end(date(2024, 4, 1)), date(2024, 4, 30));
        assert_eq!(month_end(date(2024, 12, 31)), date(2024, 12, 31));
        assert!(
            is_leap_year(2000) && is_leap_year(2024) && !is_leap_year(1900) && !is_leap_year(2100)
        );
    }

    #[test]
    fn dst_edges_agree_with_the_time_zone_database() {
        for year in 1996..=2037 {
            for edge in dst_edges(year) {
                let occurrences = match Copenhagen.from_local_datetime(&edge.local) {
                    LocalResult::None => 0,
                    LocalResult::Single(_) => 1,
                    LocalResult::Ambiguous(_, _) => 2,
                };
                assert_eq!(
                    occurrences, edge.occurrences,
                    "{year} {}: {}",
                    edge.name, edge.local
                );
            }
        }
        assert_eq!(
            last_weekday_of_month(2024, 3, Weekday::Sun),
            Some(date(2024, 3, 31))
        );
        assert_eq!(
            last_weekday_of_month(2024, 10, Weekday::Sun),
            Some(date(2024, 10, 27))
        );
    }

    #[test]
    fn midnight_instants_straddle_the_day() {
        let today = date(2024, 7, 1);
        let days: Vec<_> = midnight_instants(today)
            .into_iter()
            .map(|(name, _, day)| (name, day))
            .collect();
        assert_eq!(
            days,
            vec![
                ("last-second-before-copenhagen-midnight", date(2024, 6, 30)),
                ("copenhagen-midnight", today),
                ("utc-midnight", today),
            ]
        );
        assert_eq!(midnight_instants(today)[1].1, utc("2024-06-30T22:00:00Z"));
    }

    proptest! {
        #[test]
        fn window_display_round_trips(from in -50..50i32, to in -50..50i32, kinds in (0..3u8, 0..3u8)) {
            let anchor = |kind, offset| match kind { 0 => Anchor::Day(offset), 1 => Anchor::MonthStart(offset), _ => Anchor::MonthEnd(offset) };
            let window = DateWindow { from: anchor(kinds.0, from), to: anchor(kinds.1, to) };
            prop_assert_eq!(window.to_string().parse::<DateWindow>(), Ok(window));
        }

        #[test]
        fn terminal_adgang_window_holds_exactly_the_allowed_days(today in date_strategy(), probe in -200..200i64) {
            let day = today + chrono::Duration::days(probe);
            let months_back = (today.year() - day.year()) * 12 + today.month() as i32 - day.month() as i32;
            let allowed = (0..=3).contains(&months_back);
            prop_assert_eq!(DateWindow::terminal_adgang().contains(today, day), allowed);
        }

        #[test]
        fn every_edge_of_the_window_is_where_it_says(today in date_strategy()) {
            for edge in window_edges(today, &DateWindow::terminal_adgang()) {
                prop_assert_eq!(edge.inside, !edge.name.ends_with("-window"));
            }
        }
    }

    #[test]
    fn copenhagen_day_converts_instants_and_keeps_written_days() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(copenhagen_day("2026-03-31T23:30:00Z"), day(2026, 4, 1));
        assert_eq!(copenhagen_day("2026-04-01T00:30:00+02:00"), day(2026, 4, 1));
        assert_eq!(copenhagen_day("2026-03-31T23:30:00"), day(2026, 3, 31));
        assert_eq!(copenhagen_day("2026-03-31+14:00"), day(2026, 3, 31));
        assert_eq!(copenhagen_day(" 2026-02-28 "), day(2026, 2, 28));
        assert_eq!(copenhagen_day("2026-02-30"), None);
        assert_eq!(copenhagen_day("i går"), None);
    }
}
