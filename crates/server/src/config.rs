//! Collector configuration: typed, validated, and parsed from command-line
//! style arguments by [`ServerArgs`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tracewell_seal::RecipientPublicKey;
use tracewell_store::S3Config;

/// Where metadata lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// A SQLite file (the default: `<data>/metadata.sqlite`).
    Sqlite {
        /// Database file.
        path: PathBuf,
    },
    /// A PostgreSQL server.
    Postgres {
        /// `postgres://…` connection URL.
        url: String,
        /// Pool size.
        max_connections: usize,
    },
}

/// Where sealed segments live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsConfig {
    /// A local directory (the default: `<data>/objects`).
    LocalDir {
        /// Root directory.
        path: PathBuf,
    },
    /// An S3-compatible bucket.
    S3(S3Config),
}

/// TLS certificate chain and private key, both PEM files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// Certificate chain (leaf first).
    pub cert: PathBuf,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Request limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest sealed segment accepted, bytes.
    pub max_segment_bytes: u64,
    /// Largest JSON request body, bytes.
    pub max_json_bytes: usize,
    /// Allowed distance between a request's date and the server clock, seconds.
    pub max_clock_skew_secs: u64,
    /// Longest enrollment token lifetime an admin may ask for, seconds.
    pub max_token_ttl_secs: u64,
    /// Segments up to this size are checked in memory instead of a
    /// staging file, bytes.
    pub in_memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_segment_bytes: 512 * 1024 * 1024,
            max_json_bytes: 64 * 1024,
            max_clock_skew_secs: tracewell_protocol::MAX_CLOCK_SKEW_SECS,
            max_token_ttl_secs: 30 * 24 * 3600,
            in_memory_bytes: 1024 * 1024,
        }
    }
}

/// Everything the collector needs to start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Data directory: `admin.token`, staging uploads and, by default, the
    /// SQLite file and the object directory.
    pub data_dir: PathBuf,
    /// Metadata backend.
    pub database: DatabaseConfig,
    /// Object backend.
    pub objects: ObjectsConfig,
    /// Listen address.
    pub listen: SocketAddr,
    /// Recipient public keys handed to devices; segments are sealed to them.
    pub recipients: Vec<RecipientPublicKey>,
    /// TLS; without it the server only listens on loopback.
    pub tls: Option<TlsConfig>,
    /// Request limits.
    pub limits: Limits,
}

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7447";

impl ServerConfig {
    /// Embedded defaults under `data_dir`: SQLite at `metadata.sqlite`,
    /// objects under `objects/`, listening on [`DEFAULT_LISTEN`], no TLS, no
    /// recipients yet.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        ServerConfig {
            database: DatabaseConfig::Sqlite {
                path: data_dir.join("metadata.sqlite"),
            },
            objects: ObjectsConfig::LocalDir {
                path: data_dir.join("objects"),
            },
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            recipients: Vec::new(),
            tls: None,
            limits: Limits::default(),
            data_dir,
        }
    }

    /// Checks what can be checked without touching the network.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.recipients.is_empty() {
            return Err(ConfigError::NoRecipients);
        }
        if self.tls.is_none() && !self.listen.ip().is_loopback() {
            return Err(ConfigError::PlainHttpNotLoopback(self.listen));
        }
        if self.limits.max_segment_bytes == 0 || self.limits.max_json_bytes == 0 {
            return Err(ConfigError::Invalid("limits must be positive".into()));
        }
        Ok(())
    }
}

/// A configuration problem, worded for the operator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `--database` is not a usable URL.
    #[error("--database {url:?}: {reason}")]
    BadDatabaseUrl {
        /// The URL given (password removed).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// `--objects` is not a usable URL.
    #[error("--objects: {0}")]
    BadObjectsUrl(String),
    /// A `--recipient` is not a recipient public key.
    #[error("--recipient {0:?} is not a tracewell-recipient-1: public key")]
    BadRecipient(String),
    /// No recipient keys: devices would have nobody to seal to.
    #[error("at least one --recipient public key is required")]
    NoRecipients,
    /// Plain HTTP on a non-loopback address.
    #[error(
        "refusing plain HTTP on {0}: without --tls-cert/--tls-key the collector only listens on loopback"
    )]
    PlainHttpNotLoopback(SocketAddr),
    /// Only one of the TLS files was given.
    #[error("--tls-cert and --tls-key must be given together")]
    HalfTls,
    /// Anything else.
    #[error("{0}")]
    Invalid(String),
}

/// Parses `--database`: `sqlite:<path>` / a path ending in `.sqlite` or
/// `.db`, or `postgres://…` / `postgresql://…`.
pub fn parse_database(text: &str, max_connections: usize) -> Result<DatabaseConfig, ConfigError> {
    let shown = redact_password(text);
    let bad = |reason: &str| ConfigError::BadDatabaseUrl {
        url: shown.clone(),
        reason: reason.to_owned(),
    };
    if let Some(path) = text.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(bad("sqlite: needs a file path"));
        }
        return Ok(DatabaseConfig::Sqlite { path: path.into() });
    }
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        let config = tokio_postgres_config(text).map_err(|e| bad(&e))?;
        if !config {
            return Err(bad("no host: expected postgres://user@host:port/database"));
        }
        return Ok(DatabaseConfig::Postgres {
            url: text.to_owned(),
            max_connections,
        });
    }
    Err(bad(
        "expected postgres://user@host[:port]/database or sqlite:<path>",
    ))
}

/// Returns whether the URL names a host; errors are parse errors.
fn tokio_postgres_config(text: &str) -> Result<bool, String> {
    // Parsed again by the store; here only to fail early and clearly.
    let rest = text.split_once("://").map(|(_, r)| r).unwrap_or("");
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if let Some((_, port)) = host.rsplit_once(':')
        && !port.is_empty()
        && port.parse::<u16>().is_err()
    {
        return Err(format!("port {port:?} is not a number"));
    }
    Ok(!host
        .trim_end_matches(|c: char| c == ':' || c.is_ascii_digit())
        .is_empty())
}

fn redact_password(text: &str) -> String {
    match (text.find("://"), text.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &text[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &text[..s + 3], &text[at..]),
                None => text.to_owned(),
            }
        }
        _ => text.to_owned(),
    }
}

/// Parses `--objects`: `s3://bucket?endpoint=…` or `file:<dir>` / a
/// directory path.
pub fn parse_objects(text: &str) -> Result<ObjectsConfig, ConfigError> {
    if text.starts_with("s3://") {
        return S3Config::from_url(text)
            .map(ObjectsConfig::S3)
            .map_err(|e| ConfigError::BadObjectsUrl(e.to_string()));
    }
    if let Some(path) = text.strip_prefix("file:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(ConfigError::BadObjectsUrl("file: needs a directory".into()));
        }
        return Ok(ObjectsConfig::LocalDir { path: path.into() });
    }
    if text.contains("://") {
        return Err(ConfigError::BadObjectsUrl(format!(
            "{text:?}: expected s3://bucket?endpoint=…&region=… or file:<dir>"
        )));
    }
    if text.is_empty() {
        return Err(ConfigError::BadObjectsUrl("empty".into()));
    }
    Ok(ObjectsConfig::LocalDir { path: text.into() })
}

/// Command-line arguments of the collector, ready to be flattened into a
/// CLI subcommand (`#[command(flatten)]`).
#[derive(Clone, Debug, clap::Args)]
pub struct ServerArgs {
    /// Data directory (admin token, staging area, default SQLite file and
    /// object directory).
    #[arg(long, value_name = "DIR", default_value = "tracewell-data")]
    pub data: PathBuf,
    /// Metadata database: postgres://user@host:port/db or sqlite:<path>
    /// [default: SQLite in the data directory].
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// PostgreSQL pool size.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub database_connections: usize,
    /// Object store: s3://bucket?endpoint=http://host:port&region=… or a
    /// directory [default: <data>/objects].
    #[arg(long, value_name = "URL")]
    pub objects: Option<String>,
    /// Listen address.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Recipient public key devices seal to (tracewell-recipient-1:…);
    /// repeat for several.
    #[arg(long = "recipient", value_name = "KEY", required = true)]
    pub recipients: Vec<String>,
    /// TLS certificate chain, PEM.
    #[arg(long, value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key, PEM.
    #[arg(long, value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// Largest sealed segment accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_segment_bytes: Option<u64>,
}

impl ServerArgs {
    /// Validates and converts into a [`ServerConfig`].
    pub fn into_config(self) -> Result<ServerConfig, ConfigError> {
        let mut config = ServerConfig::new(&self.data);
        if let Some(db) = &self.database {
            config.database = parse_database(db, self.database_connections)?;
        }
        if let Some(objects) = &self.objects {
            config.objects = parse_objects(objects)?;
        }
        config.listen = self.listen;
        config.recipients = self
            .recipients
            .iter()
            .map(|r| {
                RecipientPublicKey::from_str(r.trim())
                    .map_err(|_| ConfigError::BadRecipient(r.clone()))
            })
            .collect::<Result<_, _>>()?;
        config.tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsConfig { cert, key }),
            (None, None) => None,
            _ => return Err(ConfigError::HalfTls),
        };
        if let Some(max) = self.max_segment_bytes {
            config.limits.max_segment_bytes = max;
        }
        config.validate()?;
        Ok(config)
    }
}

/// The file holding the admin bearer token.
pub fn admin_token_path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ServerArgs,
    }

    fn recipient() -> String {
        tracewell_seal::RecipientIdentity::generate()
            .unwrap()
            .public_key()
            .to_string()
    }

    fn parse(extra: &[&str]) -> Result<ServerConfig, String> {
        let r = recipient();
        let mut argv = vec!["x", "--data", "/tmp/d", "--recipient", &r];
        argv.extend_from_slice(extra);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        cli.args.into_config().map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_embedded() {
        let c = parse(&[]).unwrap();
        assert_eq!(
            c.database,
            DatabaseConfig::Sqlite {
                path: "/tmp/d/metadata.sqlite".into()
            }
        );
        assert_eq!(
            c.objects,
            ObjectsConfig::LocalDir {
                path: "/tmp/d/objects".into()
            }
        );
        assert_eq!(c.listen.to_string(), "127.0.0.1:7447");
        assert_eq!(c.recipients.len(), 1);
    }

    #[test]
    fn scale_out_urls() {
        let c = parse(&[
            "--database",
            "postgres://tw:secret@127.0.0.1:5433/tw",
            "--objects",
            "s3://bucket?endpoint=http://127.0.0.1:9000&region=us-east-1",
        ])
        .unwrap();
        assert!(matches!(c.database, DatabaseConfig::Postgres { .. }));
        assert!(matches!(c.objects, ObjectsConfig::S3(ref s) if s.bucket == "bucket"));
    }

    #[test]
    fn bad_inputs_are_clear() {
        let e = parse(&["--database", "mysql://x"]).unwrap_err();
        assert!(e.contains("expected postgres://"), "{e}");
        let e = parse(&["--database", "postgres://u:hunter2@h:99999/db"]).unwrap_err();
        assert!(e.contains("not a number") && !e.contains("hunter2"), "{e}");
        let e = parse(&["--database", "postgres:///db"]).unwrap_err();
        assert!(e.contains("no host"), "{e}");
        let e = parse(&["--objects", "s3://?endpoint=x"]).unwrap_err();
        assert!(e.contains("--objects"), "{e}");
        let e = parse(&["--objects", "gs://bucket"]).unwrap_err();
        assert!(e.contains("expected s3://"), "{e}");
        let e = parse(&["--listen", "0.0.0.0:7447"]).unwrap_err();
        assert!(e.contains("refusing plain HTTP"), "{e}");
        let e = parse(&["--tls-cert", "c.pem"]).unwrap_err();
        assert!(e.contains("together"), "{e}");
        let cli = Cli::try_parse_from(["x", "--recipient", "tracewell-device-1:00"]).unwrap();
        let e = cli.args.into_config().unwrap_err().to_string();
        assert!(e.contains("not a tracewell-recipient-1"), "{e}");
        assert!(
            Cli::try_parse_from(["x"]).is_err(),
            "a recipient is required"
        );
        // TLS lifts the loopback restriction.
        parse(&[
            "--listen",
            "0.0.0.0:7447",
            "--tls-cert",
            "c",
            "--tls-key",
            "k",
        ])
        .unwrap();
    }
}
