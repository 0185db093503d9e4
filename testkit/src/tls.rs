//! An HTTPS front on loopback for hostnames that only exist in AWS (a CloudFront
//! distribution's domain, a Cognito hosted-UI domain): a self-signed certificate for
//! those names, and an axum router behind it. The browser reaches it through Chromium's
//! `--host-resolver-rules` and accepts the certificate with `--ignore-certificate-errors`,
//! so pages keep their real `https://` origins.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

#[derive(Debug, thiserror::Error)]
pub enum TlsFrontError {
    #[error("cannot make a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// Serving until dropped.
pub struct TlsFront {
    pub port: u16,
    pub hosts: Vec<String>,
    task: JoinHandle<()>,
}

impl TlsFront {
    /// Serves `app` over HTTPS (HTTP/1.1 and HTTP/2) on a free loopback port, with a
    /// certificate naming `hosts`.
    pub async fn serve(hosts: Vec<String>, app: Router) -> Result<Self, TlsFrontError> {
        let certified = rcgen::generate_simple_self_signed(hosts.clone())?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        app.clone().oneshot(request.map(axum::body::Body::new))
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Ok(Self { port, hosts, task })
    }

    /// Chromium's `--host-resolver-rules` value that sends every host here.
    pub fn host_resolver_rules(&self) -> String {
        self.hosts
            .iter()
            .map(|host| format!("MAP {host} 127.0.0.1:{}", self.port))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}
