//! A load generator: many keep-alive clients on loopback, each sending GETs in turn until
//! a deadline, every answer read to its last byte.

use std::time::{Duration, Instant};

/// One answer: its status (0: a transport error or a cut-off body) and latency.
pub type Sample = (u16, Duration);

/// `clients` concurrent clients GET `base` + each of `paths` in turn for `duration`.
pub async fn hammer(
    base: &str,
    paths: &'static [&'static str],
    clients: usize,
    duration: Duration,
) -> Result<Vec<Sample>, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::with_capacity(clients);
    for first in 0..clients {
        let client = client.clone();
        let base = base.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut next = first;
            while Instant::now() < deadline {
                let path = paths[next % paths.len()];
                next += 1;
                let sent = Instant::now();
                let status = match client.get(format!("{base}{path}")).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // A cut-off answer is a failure too.
                        if response.bytes().await.is_ok() {
                            status
                        } else {
                            0
                        }
                    }
                    Err(_) => 0,
                };
                samples.push((status, sent.elapsed()));
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.map_err(|e| e.to_string())?);
    }
    Ok(samples)
}
