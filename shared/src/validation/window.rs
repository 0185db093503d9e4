//! A replay's window of event time: start before end, not in the future, within the archive's life.

use crate::Field;
use crate::FieldError;
use time::OffsetDateTime;

/// The span of event time a replay covers: start strictly before end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayWindow {
    start: OffsetDateTime,
    end: OffsetDateTime,
}

impl ReplayWindow {
    pub fn parse(start: OffsetDateTime, end: OffsetDateTime) -> Result<Self, FieldError> {
        if start >= end {
            return Err(FieldError::new(
                Field::EventEndTime,
                "The end time must be after the start time.",
            ));
        }
        Ok(Self { start, end })
    }

    /// Parses two RFC 3339 timestamps, naming the field that is not one.
    pub fn parse_text(start: &str, end: &str) -> Result<Self, FieldError> {
        let start = crate::timestamp::parse(start)
            .map_err(|m| FieldError::new(Field::EventStartTime, m))?;
        let end =
            crate::timestamp::parse(end).map_err(|m| FieldError::new(Field::EventEndTime, m))?;
        Self::parse(start, end)
    }

    /// The console's stricter checks, which need the clock and the archive: the end may
    /// not be in the future, the start not before the archive existed.
    pub fn check_against(
        &self,
        now: OffsetDateTime,
        archive_created: Option<OffsetDateTime>,
    ) -> Result<(), FieldError> {
        if self.end > now {
            return Err(FieldError::new(
                Field::EventEndTime,
                "The end time is in the future; events after now cannot be replayed.",
            ));
        }
        if let Some(created) = archive_created
            && self.start < created
        {
            return Err(FieldError::new(
                Field::EventStartTime,
                format!(
                    "The archive was created at {}; it holds no events before that.",
                    crate::timestamp::format(created.replace_nanosecond(0).unwrap_or(created))
                ),
            ));
        }
        Ok(())
    }

    /// The deployment's cap on a replay's length (`REWIND_MAX_REPLAY_HOURS`), if any.
    pub fn check_max_hours(&self, cap: Option<u32>) -> Result<(), FieldError> {
        let Some(cap) = cap else {
            return Ok(());
        };
        if self.end - self.start > time::Duration::hours(i64::from(cap)) {
            return Err(FieldError::new(
                Field::EventEndTime,
                format!(
                    "A replay here covers at most {cap} hour{} of events (this deployment's cap); this window is longer.",
                    if cap == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(())
    }

    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    pub fn end(&self) -> OffsetDateTime {
        self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn start_must_precede_end() {
        let t = datetime!(2026-11-26 13:00 UTC);
        assert!(ReplayWindow::parse(t, t).is_err());
        assert!(ReplayWindow::parse(t, t - time::Duration::seconds(1)).is_err());
        let w = ReplayWindow::parse(t, t + time::Duration::seconds(1)).unwrap();
        assert_eq!(w.start(), t);
    }

    #[test]
    fn text_errors_name_the_field() {
        let e = ReplayWindow::parse_text("yesterday", "2026-11-26T13:00:00Z").unwrap_err();
        assert_eq!(e.field, "eventStartTime");
        let e = ReplayWindow::parse_text("2026-11-26T13:00:00Z", "2026-11-26").unwrap_err();
        assert_eq!(e.field, "eventEndTime");
        let w =
            ReplayWindow::parse_text("2026-11-26T14:00:00+01:00", "2026-11-26T13:00:01Z").unwrap();
        assert_eq!(w.start(), datetime!(2026-11-26 13:00 UTC));
    }

    #[test]
    fn console_checks() {
        let now = datetime!(2026-11-26 13:00 UTC);
        let created = datetime!(2026-11-26 10:00 UTC);
        let w = ReplayWindow::parse(datetime!(2026-11-26 11:00 UTC), now).unwrap();
        assert!(w.check_against(now, Some(created)).is_ok());
        let future = ReplayWindow::parse(
            datetime!(2026-11-26 11:00 UTC),
            now + time::Duration::minutes(1),
        )
        .unwrap();
        assert_eq!(
            future.check_against(now, None).unwrap_err().field,
            "eventEndTime"
        );
        let early = ReplayWindow::parse(datetime!(2026-11-26 09:00 UTC), now).unwrap();
        assert_eq!(
            early.check_against(now, Some(created)).unwrap_err().field,
            "eventStartTime"
        );
    }

    #[test]
    fn a_cap_limits_the_window() {
        let w = ReplayWindow::parse_text("2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z").unwrap();
        assert!(w.check_max_hours(None).is_ok());
        assert!(w.check_max_hours(Some(24)).is_ok());
        let e = w.check_max_hours(Some(23)).unwrap_err();
        assert_eq!(e.field, "eventEndTime");
        assert!(e.message.contains("23 hours"), "{}", e.message);
    }
}
