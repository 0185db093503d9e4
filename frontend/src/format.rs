//! How figures and times read in the console. Pure functions, unit-tested natively.

use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `1.5 MB`-style sizes (powers of 1000, as the AWS console shows them).
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
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

/// Reads an `<input type="datetime-local">` value in `zone`.
pub fn parse_input(value: &str, zone: Zone) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let with_seconds =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let value = value.trim();
    let naive = PrimitiveDateTime::parse(value, &format)
        .or_else(|_| PrimitiveDateTime::parse(value, &with_seconds))
        .ok()?;
    Some(naive.assume_offset(zone.offset()).to_offset(UtcOffset::UTC))
}

/// `2 h 5 min`, `45 s`.
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
    }
}
