//! The browser's clock and time zone (`time` cannot read them on wasm32).

use time::{OffsetDateTime, UtcOffset};

pub fn now() -> OffsetDateTime {
    if !crate::IN_BROWSER {
        return OffsetDateTime::now_utc();
    }
    let millis = js_sys::Date::now();
    OffsetDateTime::from_unix_timestamp_nanos((millis as i128) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The browser's current offset from UTC.
pub fn local_offset() -> UtcOffset {
    if !crate::IN_BROWSER {
        return UtcOffset::UTC;
    }
    // getTimezoneOffset is minutes *behind* UTC.
    let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
    UtcOffset::from_whole_seconds(minutes * 60).unwrap_or(UtcOffset::UTC)
}
