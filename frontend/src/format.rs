//! How figures and times read in the console. Pure functions, unit-tested natively.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// `1.5 MB`-style sizes (powers of 1000, as the AWS console shows them), rounded half
/// up to a tenth. Integer arithmetic: float formatting would add 9 KB to the wasm.
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut unit = 0;
    let mut scale: u128 = 1;
    while u128::from(n.unsigned_abs()) >= scale * 1000 && unit < UNITS.len() - 1 {
        scale *= 1000;
        unit += 1;
    }
    let tenths = (u128::from(n.unsigned_abs()) * 10 + scale / 2) / scale;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// Thousands separated: `12,345`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `1 rule`, `3 rules`.
pub fn quantity(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn retention(days: i32) -> String {
    match days {
        0 => "Indefinite".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// Which clock times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Utc,
    Local(UtcOffset),
}

impl Zone {
    pub fn offset(self) -> UtcOffset {
        match self {
            Zone::Utc => UtcOffset::UTC,
            Zone::Local(offset) => offset,
        }
    }

    pub fn label(self) -> String {
        match self {
            Zone::Utc => "UTC".to_owned(),
            Zone::Local(offset) if offset.is_utc() => "local (UTC)".to_owned(),
            Zone::Local(offset) => {
                let (h, m, _) = offset.as_hms();
                format!(
                    "local (UTC{}{:02}:{:02})",
                    if offset.is_negative() { '-' } else { '+' },
                    h.abs(),
                    m.abs()
                )
            }
        }
    }
}

fn two(n: u8) -> String {
    format!("{n:02}")
}

/// `2026-11-26 13:05:09 UTC`.
pub fn datetime(t: OffsetDateTime, zone: Zone) -> String {
    let t = t.to_offset(zone.offset());
    let suffix = match zone {
        Zone::Utc => " UTC".to_owned(),
        Zone::Local(_) => String::new(),
    };
    format!(
        "{}-{}-{} {}:{}:{}{suffix}",
        t.year(),
        two(t.month() as u8),
        two(t.day()),
        two(t.hour()),
        two(t.minute()),
        two(t.second())
    )
}

/// `06:40:00 UTC`: a time of today's report, said with its zone.
pub fn clock(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}:{}:{} UTC",
        two(t.hour()),
        two(t.minute()),
        two(t.second())
    )
}

/// `06:40`: a chart's axis label (UTC, said in the legend).
pub fn clock_minute(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{}:{}", two(t.hour()), two(t.minute()))
}

/// A time as the window's fields show it: `2026-11-26T13:05:09` in `zone`.
pub fn iso_input(t: OffsetDateTime, zone: Zone) -> String {
    let t = t.to_offset(zone.offset());
    format!("{}:{}", input_value(t, zone), two(t.second()))
}

/// The value of an `<input type="datetime-local">`: `2026-11-26T13:05`.
pub fn input_value(t: OffsetDateTime, zone: Zone) -> String {
    let t = t.to_offset(zone.offset());
    format!(
        "{}-{}-{}T{}:{}",
        t.year(),
        two(t.month() as u8),
        two(t.day()),
        two(t.hour()),
        two(t.minute())
    )
}

/// Reads a time typed in `zone`: `YYYY-MM-DDTHH:MM`, or with `:SS` (a space for the `T`
/// and a trailing `Z` are read too). Read field by field: `time`'s
/// format-description parser would add 15 KB to the wasm for this one fixed shape.
pub fn parse_input(value: &str, zone: Zone) -> Option<OffsetDateTime> {
    /// Exactly `width` ASCII digits (`parse` alone would also take a sign).
    fn number<T: std::str::FromStr>(text: &str, width: usize) -> Option<T> {
        (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    }
    // `T` or a space between date and time; a trailing `Z` says UTC, as written.
    let value = value.trim();
    let (value, zone) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, Zone::Utc),
        None => (value, zone),
    };
    let (date, clock) = value.split_once(['T', 't', ' '])?;
    let mut date = date.split('-');
    let (year, month, day) = (date.next()?, date.next()?, date.next()?);
    let mut clock = clock.split(':');
    let (hour, minute, second) = (clock.next()?, clock.next()?, clock.next().unwrap_or("00"));
    if date.next().is_some() || clock.next().is_some() {
        return None;
    }
    let month = Month::try_from(number::<u8>(month, 2)?).ok()?;
    let date = Date::from_calendar_date(number(year, 4)?, month, number(day, 2)?).ok()?;
    let clock = Time::from_hms(number(hour, 2)?, number(minute, 2)?, number(second, 2)?).ok()?;
    Some(
        PrimitiveDateTime::new(date, clock)
            .assume_offset(zone.offset())
            .to_offset(UtcOffset::UTC),
    )
}

/// `2 h 5 min`, `45 s`.
/// A time in UTC, or a dash when there is none (yet).
pub fn maybe_datetime(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(|| "—".to_owned(), |t| datetime(t, Zone::Utc))
}

/// An event window in UTC: "from → to".
pub fn window(start: OffsetDateTime, end: OffsetDateTime) -> String {
    format!(
        "{} → {}",
        datetime(start, Zone::Utc),
        datetime(end, Zone::Utc)
    )
}

/// What a detail page says under its progress bar: the time left while it runs
/// (`pace`: how the estimate was made), else the state it ended in.
pub fn progress_note(
    what: &str,
    state: &str,
    in_progress: bool,
    eta: Option<Duration>,
    pace: &str,
) -> String {
    match (in_progress, eta) {
        (true, Some(left)) => format!(
            "About {} left at {pace}. Refreshing every 2 seconds.",
            duration(left)
        ),
        (true, None) => "Refreshing every 2 seconds.".to_owned(),
        (false, _) => format!("This {what} is {}.", state.to_lowercase()),
    }
}

pub fn duration(d: Duration) -> String {
    let secs = d.whole_seconds().max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

/// Time left at the current pace, from the fraction done and the time spent so far.
pub fn eta(fraction: f64, elapsed: Duration) -> Option<Duration> {
    if !(fraction > 0.0 && fraction < 1.0) || elapsed <= Duration::ZERO {
        return None;
    }
    let total = elapsed.as_seconds_f64() / fraction;
    Some(Duration::seconds_f64(total - elapsed.as_seconds_f64()))
}

/// The last path segment of an ARN: `orders` for `…:event-bus/orders`.
pub fn arn_name(arn: &str) -> &str {
    arn.split_once('/').map_or(arn, |(_, name)| name)
}

/// The name in a v2 ARN: `orders-v2` for `…:event-busv2/orders-v2/{id}` (and a
/// subscriber's `…:subscriber/{name}/{id}`).
pub fn v2_arn_name(arn: &str) -> &str {
    arn.rsplit('/').nth(1).unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sizes_and_counts() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1500), "1.5 KB");
        assert_eq!(bytes(2_500_000), "2.5 MB");
        assert_eq!(bytes(1000), "1.0 KB");
        assert_eq!(bytes(1049), "1.0 KB");
        assert_eq!(bytes(1050), "1.1 KB");
        assert_eq!(bytes(1250), "1.3 KB"); // half up, as people round
        assert_eq!(bytes(999_949), "999.9 KB");
        assert_eq!(bytes(999_950), "1000.0 KB");
        assert_eq!(bytes(5_000_000_000_000_000), "5000.0 TB");
        assert_eq!(bytes(i64::MAX), "9223372.0 TB");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(retention(0), "Indefinite");
        assert_eq!(retention(30), "30 days");
    }

    #[test]
    fn times_in_both_zones() {
        let t = datetime!(2026-11-26 13:05:09 UTC);
        assert_eq!(datetime(t, Zone::Utc), "2026-11-26 13:05:09 UTC");
        let cet = Zone::Local(UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(datetime(t, cet), "2026-11-26 14:05:09");
        assert_eq!(input_value(t, cet), "2026-11-26T14:05");
        assert_eq!(
            parse_input("2026-11-26T14:05", cet),
            Some(datetime!(2026-11-26 13:05 UTC))
        );
        assert_eq!(
            parse_input("2026-11-26T13:05:30", Zone::Utc),
            Some(datetime!(2026-11-26 13:05:30 UTC))
        );
        assert_eq!(parse_input("yesterday", Zone::Utc), None);
        assert_eq!(
            parse_input(" 2024-02-29T00:00 ", Zone::Utc),
            Some(datetime!(2024-02-29 00:00 UTC))
        );
        for bad in [
            "",
            "2026-11-26",
            "2026-11-26T",
            "2026-11-26T14",
            "2025-02-29T10:00",
            "2026-13-01T10:00",
            "2026-11-31T10:00",
            "2026-11-26T24:00",
            "2026-11-26T10:60",
            "2026-11-26T10:00:60",
            "2026-11-26T10:00:00:00",
            "2026-11-26-01T10:00",
            "26-11-26T10:00",
            "2026-1-26T10:00",
            "2026-11-26T1:00",
            "+026-11-26T10:00",
            "2026-11-26T10:0a",
            "2026-11-26T10:00:00.5",
        ] {
            assert_eq!(parse_input(bad, Zone::Utc), None, "{bad:?}");
        }
        // A space for the T, and a trailing Z (UTC, whatever the zone chosen).
        assert_eq!(
            parse_input("2026-11-26 13:05:30", Zone::Utc),
            Some(datetime!(2026-11-26 13:05:30 UTC))
        );
        assert_eq!(
            parse_input("2026-11-26T13:05:30Z", cet),
            Some(datetime!(2026-11-26 13:05:30 UTC))
        );
        assert_eq!(iso_input(t, cet), "2026-11-26T14:05:09");
        assert_eq!(cet.label(), "local (UTC+01:00)");
    }

    #[test]
    fn durations_and_eta() {
        assert_eq!(duration(Duration::seconds(45)), "45 s");
        assert_eq!(duration(Duration::seconds(125)), "2 min 5 s");
        assert_eq!(duration(Duration::seconds(7500)), "2 h 5 min");
        assert_eq!(eta(0.5, Duration::seconds(60)), Some(Duration::seconds(60)));
        assert_eq!(eta(0.0, Duration::seconds(60)), None);
        assert_eq!(eta(1.0, Duration::seconds(60)), None);
        assert_eq!(
            arn_name("arn:aws:events:us-east-1:123456789012:event-bus/orders"),
            "orders"
        );
        assert_eq!(
            v2_arn_name(
                "arn:aws:events:us-east-1:123456789012:event-busv2/orders-v2/abcdefghij0123456789klmno"
            ),
            "orders-v2"
        );
    }
}
