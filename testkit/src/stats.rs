//! The figures the benchmarks and the load test report.

use std::time::Duration;

/// The `q` quantile (0–1) of `samples` by nearest rank; zero for no samples.
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * q.clamp(0.0, 1.0)).round() as usize;
    samples[index.min(samples.len() - 1)]
}

/// VmHWM (peak resident set) of a process, in KiB (Linux).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let ms = Duration::from_millis;
        let mut samples: Vec<_> = (1..=100).rev().map(ms).collect();
        assert_eq!(percentile(&mut samples, 0.5), ms(51));
        assert_eq!(percentile(&mut samples, 0.99), ms(99));
        assert_eq!(percentile(&mut samples, 1.0), ms(100));
        assert_eq!(percentile(&mut samples, 0.0), ms(1));
        assert_eq!(percentile(&mut [], 0.5), Duration::ZERO);
        assert!(peak_rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
    }
}
