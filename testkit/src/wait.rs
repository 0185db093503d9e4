//! One way to wait for something to become true, with a deadline and a message.

use std::future::Future;
use std::time::{Duration, Instant};

/// What was awaited, and for how long, when it never came.
#[derive(Debug, thiserror::Error)]
#[error("{what}: not within {waited:?}{}", last.as_deref().map(|l| format!(" (last: {l})")).unwrap_or_default())]
pub struct TimedOut {
    pub what: String,
    pub waited: Duration,
    pub last: Option<String>,
}

/// Polls `probe` every `every` until it gives `Ok(value)` or `timeout` passes; an `Err`
/// from the probe means "not yet" and its text is kept for the message.
pub async fn wait_until<T, E, F, Fut>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut probe: F,
) -> Result<T, TimedOut>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match probe().await {
            Ok(value) => return Ok(value),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(TimedOut {
                what: what.to_owned(),
                waited: timeout,
                last: Some(last),
            });
        }
        tokio::time::sleep(every).await;
    }
}

/// Waits until `GET url` answers 2xx: a server that has come up.
pub async fn until_answering(url: &str, timeout: Duration) -> Result<(), TimedOut> {
    let client = reqwest::Client::new();
    wait_until(
        &format!("{url} answering"),
        timeout,
        Duration::from_millis(50),
        || {
            let request = client.get(url).send();
            async move { request.await.and_then(reqwest::Response::error_for_status) }
        },
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn gives_the_first_success_and_times_out_with_the_last_reason() {
        let mut calls = 0;
        let value = wait_until("third call", Duration::from_secs(5), Duration::ZERO, || {
            calls += 1;
            let n = calls;
            async move {
                if n >= 3 {
                    Ok(n)
                } else {
                    Err(format!("call {n}"))
                }
            }
        })
        .await;
        assert_eq!(value.ok(), Some(3));

        let never = wait_until(
            "never",
            Duration::from_millis(30),
            Duration::from_millis(5),
            || async { Err::<(), _>("still no") },
        )
        .await;
        let message = never
            .map(|()| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(message.starts_with("never: not within"), "{message}");
        assert!(message.ends_with("(last: still no)"), "{message}");
    }
}
