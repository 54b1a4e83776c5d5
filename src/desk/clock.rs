//! The desk's clock and the centre's local days, shared by the record view (`desk::adapter`)
//! and the network panes (`desk::panes`) so that neither imports the other for them.

use std::rc::Rc;

use chrono::{Duration, NaiveDate, TimeZone};

/// Unix seconds now; injected so tests control time.
pub type Clock = Rc<dyn Fn() -> i64>;

/// The centre's local day at `unix`.
pub fn local_day(unix: i64, tz: chrono_tz::Tz) -> NaiveDate {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or(NaiveDate::MIN, |t| t.with_timezone(&tz).date_naive())
}

/// Unix time of local midnight starting the day of `unix`, plus `days` days.
pub fn local_midnight(unix: i64, days: i64, tz: chrono_tz::Tz) -> i64 {
    let date = local_day(unix, tz) + Duration::days(days);
    date.and_hms_opt(0, 0, 0)
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map_or(unix, |t| t.timestamp())
}
