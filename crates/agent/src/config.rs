//! The agent's configuration file (TOML), written at enrollment.
//!
//! ```toml
//! server = "https://collector.example:7447"   # the collector
//! device_id = "d-…"                           # issued at enrollment
//! device_key = "device.key"                   # Ed25519 secret, mode 0600
//! subject_id = "s-…"                          # pseudonymous, random
//! recipients = ["tracewell-recipient-1:…"]    # keys segments are sealed to
//! spool = "spool"                             # sealed segments waiting for upload
//! spool_quota_mib = 2048
//! policy = "policy.toml"                      # optional capture policy
//! allow_apps = []                             # added to the policy's allow list
//! ```
//!
//! Relative paths are relative to the configuration file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::error::io;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    pub server: String,
    pub device_id: String,
    pub device_key: PathBuf,
    pub subject_id: String,
    pub recipients: Vec<String>,
    pub spool: PathBuf,
    #[serde(default = "default_quota")]
    pub spool_quota_mib: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_apps: Vec<String>,
}

fn default_quota() -> u64 {
    2048
}

impl AgentConfig {
    /// Reads a configuration file and resolves its relative paths.
    pub fn load(path: &Path) -> Result<AgentConfig, Error> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let mut config: AgentConfig = toml::from_str(&text)
            .map_err(|e| Error::Config { path: path.to_path_buf(), reason: e.to_string().trim().replace('\n', " ") })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [&mut config.device_key, &mut config.spool] {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        if let Some(p) = &mut config.policy {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(config)
    }

    /// Writes the configuration (mode 0600: it names the device key).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::Config { path: path.to_path_buf(), reason: e.to_string() })?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(io(path))?;
        file.write_all(text.as_bytes()).map_err(io(path))?;
        file.sync_all().map_err(io(path))
    }

    /// The agent's state file (what `tracewell status` reads).
    pub fn state_path(&self) -> PathBuf {
        self.spool.with_file_name("agent-state.json")
    }
}
