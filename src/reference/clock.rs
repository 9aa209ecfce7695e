//! The provider's notion of time. "Today" is the business date deletions take effect on and may
//! be fixed (`--today`) so date rules can be tested on any day; the receipt timestamp is always
//! the real instant of receipt, because that is a fact the caller can compare with its own clock.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::{Europe::Copenhagen, Tz};

#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    fixed_today: Option<NaiveDate>,
}

impl Clock {
    pub(super) fn new(fixed_today: Option<NaiveDate>) -> Self {
        Clock { fixed_today }
    }

    /// The moment of receipt, in Danish local time.
    pub(super) fn now(&self) -> DateTime<Tz> {
        Utc::now().with_timezone(&Copenhagen)
    }

    /// The business date at `instant`: the fixed date if one was given, otherwise the date in
    /// Copenhagen (which differs from the UTC date for one or two hours around midnight).
    pub(super) fn today_at(&self, instant: DateTime<Tz>) -> NaiveDate {
        self.fixed_today.unwrap_or_else(|| instant.date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn real_today_is_the_copenhagen_date_not_the_utc_date() {
        let clock = Clock::new(None);
        let late_utc = Utc.with_ymd_and_hms(2024, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(
            clock.today_at(late_utc.with_timezone(&Copenhagen)),
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        );
    }

    #[test]
    fn fixed_today_wins_over_the_instant() {
        let leap_day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let clock = Clock::new(Some(leap_day));
        assert_eq!(clock.today_at(clock.now()), leap_day);
    }
}
