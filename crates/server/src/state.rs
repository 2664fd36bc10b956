//! [`AppState`]: the stores and settings every handler shares.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracewell_seal::RecipientPublicKey;
use tracewell_store::{
    LocalDirStore, MetadataStore, ObjectStore, PostgresStore, S3Store, SqliteStore,
};

use crate::ServeError;
use crate::config::{DatabaseConfig, Limits, ObjectsConfig, ServerConfig, admin_token_path};

/// What [`AppState::new`] needs besides the two stores.
#[derive(Clone, Debug)]
pub struct StateOptions {
    /// Recipient keys handed to devices.
    pub recipients: Vec<RecipientPublicKey>,
    /// The admin bearer token (kept only as a hash).
    pub admin_token: String,
    /// Directory for uploads in progress (staging files and resumable
    /// parts). On the same file system as a local object directory, so
    /// finished uploads are moved, not copied.
    pub staging_dir: PathBuf,
    /// Request limits.
    pub limits: Limits,
}

/// Shared state of the collector; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub metadata: Arc<dyn MetadataStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub recipients: Vec<String>,
    pub admin_token_hash: [u8; 32],
    pub staging_dir: PathBuf,
    pub limits: Limits,
    upload_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("metadata", &self.0.metadata.describe())
            .field("objects", &self.0.objects.describe())
            .field("recipients", &self.0.recipients.len())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over the given stores. Creates the staging directories and
    /// clears staging files left by an earlier run (resumable parts are
    /// kept).
    pub fn new(
        metadata: Arc<dyn MetadataStore>,
        objects: Arc<dyn ObjectStore>,
        options: StateOptions,
    ) -> Result<Self, ServeError> {
        if options.recipients.is_empty() {
            return Err(crate::config::ConfigError::NoRecipients.into());
        }
        let tmp = options.staging_dir.join("tmp");
        fs::create_dir_all(&tmp)?;
        fs::create_dir_all(options.staging_dir.join("parts"))?;
        for entry in fs::read_dir(&tmp)? {
            let _ = fs::remove_file(entry?.path());
        }
        Ok(AppState(Arc::new(Inner {
            metadata,
            objects,
            recipients: options.recipients.iter().map(|r| r.to_string()).collect(),
            admin_token_hash: *blake3::hash(options.admin_token.as_bytes()).as_bytes(),
            staging_dir: options.staging_dir,
            limits: options.limits,
            upload_locks: Mutex::new(HashMap::new()),
        })))
    }

    /// Opens the backends a [`ServerConfig`] names (running migrations),
    /// and loads or creates `<data>/admin.token`.
    pub async fn open(config: &ServerConfig) -> Result<Self, ServeError> {
        config.validate()?;
        fs::create_dir_all(&config.data_dir)?;
        let admin_token = load_or_create_admin_token(&config.data_dir)?;
        let metadata: Arc<dyn MetadataStore> = match &config.database {
            DatabaseConfig::Sqlite { path } => {
                let path = path.clone();
                Arc::new(
                    tokio::task::spawn_blocking(move || SqliteStore::open(path))
                        .await
                        .map_err(|e| ServeError::Io(io::Error::other(e.to_string())))??,
                )
            }
            DatabaseConfig::Postgres {
                url,
                max_connections,
            } => Arc::new(PostgresStore::connect(url, *max_connections).await?),
        };
        let objects: Arc<dyn ObjectStore> = match &config.objects {
            ObjectsConfig::LocalDir { path } => Arc::new(LocalDirStore::open(path)?),
            ObjectsConfig::S3(s3) => Arc::new(S3Store::new(s3.clone())?),
        };
        tracing::info!(
            metadata = %metadata.describe(),
            objects = %objects.describe(),
            "storage opened"
        );
        AppState::new(
            metadata,
            objects,
            StateOptions {
                recipients: config.recipients.clone(),
                admin_token,
                staging_dir: config.data_dir.join("uploads"),
                limits: config.limits,
            },
        )
    }

    /// The metadata store.
    pub fn metadata(&self) -> &Arc<dyn MetadataStore> {
        &self.0.metadata
    }

    /// The object store.
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.0.objects
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// The lock serialising work on one resumable upload.
    pub(crate) fn upload_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .0
            .upload_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if locks.len() > 10_000 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        Arc::clone(locks.entry(key.to_owned()).or_default())
    }
}

/// Reads `<data>/admin.token`, or creates it (mode 0600) with a new random
/// token on first start.
pub fn load_or_create_admin_token(data_dir: &Path) -> io::Result<String> {
    let path = admin_token_path(data_dir);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let token = text.trim().to_owned();
            if token.len() < 32 {
                return Err(io::Error::other(format!(
                    "{} holds no usable token; delete it to make a new one",
                    path.display()
                )));
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(&path)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(io::Error::other(format!(
                        "{} is accessible by group or others (mode {mode:o}); chmod 600 it",
                        path.display()
                    )));
                }
            }
            Ok(token)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let token = format!("twadm-{}", random_hex(32)?);
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&path)?;
            file.write_all(format!("{token}\n").as_bytes())?;
            file.sync_all()?;
            fs::File::open(data_dir)?.sync_all()?;
            tracing::info!(path = %path.display(), "created admin token");
            Ok(token)
        }
        Err(e) => Err(e),
    }
}

/// `n` random bytes as hex.
pub(crate) fn random_hex(n: usize) -> io::Result<String> {
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(tracewell_protocol::hex(&raw))
}
