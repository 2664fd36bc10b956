//! The Tracewell collector: enrolls devices and ingests their sealed
//! segments. It stores ciphertext and minimal pseudonymous metadata only, and
//! never holds a recipient private key.
//!
//! Main items: [`app`] (the HTTP service as an axum `Router`, usable without
//! a socket), [`AppState`] (the stores and settings), [`ServerConfig`] /
//! [`ServerArgs`] (typed configuration and its command-line form),
//! [`serve`] / [`Server`] (listen, with or without TLS), and the one
//! [`AppError`].
//!
//! # Endpoints
//!
//! All bodies are JSON (types in [`tracewell_protocol`]); every error is
//! `{"error": "short reason"}` with a 4xx status, or a bare 500.
//!
//! | method and path | auth | request → response |
//! |---|---|---|
//! | `POST /v1/admin/enrollment-tokens` | admin | `{"ttl_secs": 3600}` → `201 {"token", "expires_at"}` |
//! | `POST /v1/admin/devices/{device_id}/revoke` | admin | → `200 {"device_id", "revoked_at"}`; 404 for an unknown device |
//! | `POST /v1/enroll` | one-time token in the body | `{"token", "device_key": "tracewell-device-1:…"}` → `201 {"device_id", "recipients": […]}` |
//! | `GET /v1/config` | device | → `200 {"device_id", "recipients", "server_time"}` |
//! | `PUT /v1/segments/{hash}` | device | sealed bytes (or one part, with `Content-Range`) → `201`/`200 {"hash", "stored": true}`, or `202 {"hash", "stored": false, "offset"}` for a part |
//! | `HEAD /v1/segments/{hash}` | device | → `200` stored / `404` not (yet); `Upload-Offset: <bytes held>` |
//! | `GET /v1/segments/{hash}/status` | device | → `200 {"hash", "stored", "offset"}` |
//!
//! * **admin**: `Authorization: Bearer <token>`, the token in
//!   `<data>/admin.token` (created with mode 0600 on first start).
//! * **enrollment tokens** are random, one-time, expire, and are stored
//!   only as their BLAKE3 hash.
//! * **device**: the request is signed with the device's Ed25519 key as
//!   described in [`tracewell_protocol::signing`]; unknown devices, bad
//!   signatures, dates more than 300 s off and reused nonces get 401,
//!   revoked devices 403.
//! * Ingest, naming and resumable uploads: see [`segments`](mod@segments).
//!
//! Status codes: 400 malformed request, 401 authentication, 403 revoked,
//! 404 unknown path or device, 405 wrong method, 409 state conflict
//! (used-up key, a part at the wrong offset), 413 too large, 422 content
//! rejected (not a valid sealed segment of this device, hash mismatch).
//!
//! # Data directory
//!
//! ```text
//! <data>/admin.token           admin bearer token (0600)
//! <data>/metadata.sqlite       metadata (embedded default; + -wal, -shm)
//! <data>/objects/              sealed segments (embedded default), see LocalDirStore
//! <data>/uploads/tmp/          uploads being checked; cleared on start
//! <data>/uploads/parts/<device>/<hash>.part   resumable uploads in progress
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod auth;
pub mod config;
mod error;
pub mod segments;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use api::{app, hash_token};
pub use config::{
    ConfigError, DatabaseConfig, Limits, ObjectsConfig, ServerArgs, ServerConfig, TlsConfig,
};
pub use error::AppError;
pub use state::{AppState, StateOptions, load_or_create_admin_token};

/// Why the collector could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A store could not be opened.
    #[error("storage: {0}")]
    Store(#[from] tracewell_store::Error),
    /// Binding, accepting or a data-directory operation failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The TLS certificate or key could not be loaded.
    #[error("TLS: {0}")]
    Tls(String),
}

/// A bound, not yet running collector.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the stores and binds the listen address (port 0 picks a free
    /// port; see [`Server::local_addr`]).
    pub async fn bind(config: ServerConfig) -> Result<Self, ServeError> {
        config.validate()?;
        let tls = match &config.tls {
            Some(tls) => Some(load_tls(tls)?),
            None => None,
        };
        let state = AppState::open(&config).await?;
        let listener = TcpListener::bind(config.listen).await?;
        let local_addr = listener.local_addr()?;
        Ok(Server {
            listener,
            local_addr,
            state,
            tls,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The shared state (stores), e.g. for inspection in tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes open requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let router = app(self.state);
        match self.tls {
            None => {
                tracing::warn!(
                    addr = %self.local_addr,
                    "serving plain HTTP on loopback only (no --tls-cert/--tls-key given)"
                );
                axum::serve(self.listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await?;
            }
            Some(acceptor) => {
                tracing::info!(addr = %self.local_addr, "serving HTTPS");
                serve_tls(self.listener, acceptor, router, shutdown).await;
            }
        }
        Ok(())
    }
}

/// Opens the stores, binds, and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: ServerConfig) -> Result<(), ServeError> {
    let server = Server::bind(config).await?;
    tracing::info!(addr = %server.local_addr(), "collector listening");
    server.run(shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

fn load_tls(tls: &TlsConfig) -> Result<tokio_rustls::TlsAcceptor, ServeError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ServeError::Tls(format!("certificate {}: {e}", tls.cert.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!(
            "no certificate in {}",
            tls.cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .map_err(|e| ServeError::Tls(format!("private key {}: {e}", tls.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

async fn serve_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(router.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(
                std::time::Duration::from_secs(10),
                acceptor.accept(stream),
            )
            .await
            {
                Ok(Ok(tls)) => tls,
                _ => {
                    tracing::debug!(%peer, "TLS handshake failed");
                    return;
                }
            };
            let builder = Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {},
    }
}
