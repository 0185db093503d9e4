//! A fault-injecting TCP proxy: what a stalled or flaky network does to AWS calls.

use std::time::Duration;

/// A TCP proxy in front of an upstream that can slow its answers down or cut them short:
/// what a stalled or flaky network does to EventBridge calls.
pub struct FaultyProxy {
    pub address: String,
    faults: std::sync::Arc<std::sync::Mutex<ProxyFaults>>,
}

#[derive(Clone, Copy, Default)]
pub struct ProxyFaults {
    /// Wait this long before passing on each chunk of the upstream's answer.
    pub delay: Duration,
    /// Pass on only this many bytes of each answer, then close the connection.
    pub truncate_after: Option<usize>,
}

impl FaultyProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let address = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let faults = std::sync::Arc::new(std::sync::Mutex::new(ProxyFaults::default()));
        let shared = faults.clone();
        let upstream = upstream.trim_start_matches("http://").to_owned();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let faults = shared.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Ok(server) = tokio::net::TcpStream::connect(&upstream).await {
                        relay(client, server, faults).await;
                    }
                });
            }
        });
        Self { address, faults }
    }

    pub fn set(&self, faults: ProxyFaults) {
        if let Ok(mut f) = self.faults.lock() {
            *f = faults;
        }
    }
}

async fn relay(
    client: tokio::net::TcpStream,
    server: tokio::net::TcpStream,
    faults: std::sync::Arc<std::sync::Mutex<ProxyFaults>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let requests = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    let mut buffer = vec![0_u8; 16 * 1024];
    let mut passed = 0_usize;
    loop {
        let read = match server_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let current = faults.lock().map(|f| *f).unwrap_or_default();
        if !current.delay.is_zero() {
            tokio::time::sleep(current.delay).await;
        }
        let allowed = current
            .truncate_after
            .map_or(read, |limit| read.min(limit.saturating_sub(passed)));
        if client_write.write_all(&buffer[..allowed]).await.is_err() {
            break;
        }
        passed += allowed;
        if allowed < read {
            break;
        }
    }
    let _ = client_write.shutdown().await;
    requests.abort();
}
