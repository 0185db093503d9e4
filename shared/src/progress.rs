//! How far a replay has got: EventBridge's only signal is `EventLastReplayedTime`.

use time::OffsetDateTime;

/// The fraction of a replay's event-time window already replayed, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct ReplayProgress(f64);

impl ReplayProgress {
    /// (last replayed − start) / (end − start), clamped to 0..=1; 1 once `completed`
    /// (the replay's state is COMPLETED).
    pub fn compute(
        completed: bool,
        event_start: OffsetDateTime,
        event_end: OffsetDateTime,
        last_replayed: Option<OffsetDateTime>,
    ) -> Self {
        if completed {
            return Self(1.0);
        }
        let Some(last) = last_replayed else {
            return Self(0.0);
        };
        let total = (event_end - event_start).as_seconds_f64();
        if total <= 0.0 {
            return Self(0.0);
        }
        let done = (last - event_start).as_seconds_f64() / total;
        Self(if done.is_finite() {
            done.clamp(0.0, 1.0)
        } else {
            0.0
        })
    }

    /// A fraction computed elsewhere (a job's, over its slices), clamped to 0..=1.
    pub fn of_fraction(fraction: f64) -> Self {
        Self(if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        })
    }

    pub fn fraction(self) -> f64 {
        self.0
    }

    /// Whole percent, for `aria-valuenow`.
    pub fn percent(self) -> u8 {
        // Clamped to 0..=1 above, so the product fits.
        (self.0 * 100.0).floor() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const START: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);
    const END: OffsetDateTime = datetime!(2026-11-26 13:00 UTC);

    #[test]
    fn halfway() {
        let p = ReplayProgress::compute(false, START, END, Some(datetime!(2026-11-26 12:30 UTC)));
        assert_eq!(p.fraction(), 0.5);
        assert_eq!(p.percent(), 50);
    }

    #[test]
    fn clamps_and_defaults() {
        let before =
            ReplayProgress::compute(false, START, END, Some(datetime!(2026-11-26 11:00 UTC)));
        assert_eq!(before.fraction(), 0.0);
        let after =
            ReplayProgress::compute(false, START, END, Some(datetime!(2026-11-26 14:00 UTC)));
        assert_eq!(after.fraction(), 1.0);
        assert_eq!(
            ReplayProgress::compute(false, START, END, None).fraction(),
            0.0
        );
        assert_eq!(
            ReplayProgress::compute(false, END, START, Some(END)).fraction(),
            0.0
        );
    }

    #[test]
    fn completed_is_whole() {
        assert_eq!(
            ReplayProgress::compute(true, START, END, None).fraction(),
            1.0
        );
        let cancelled =
            ReplayProgress::compute(false, START, END, Some(datetime!(2026-11-26 12:15 UTC)));
        assert_eq!(cancelled.fraction(), 0.25);
    }
}
