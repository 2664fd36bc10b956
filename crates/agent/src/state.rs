//! What the agent is doing, written to a small JSON file every few
//! seconds for `tracewell status`.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The agent's state as `tracewell status` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentState {
    /// `recording`, `paused` or `stopped`.
    pub capture: String,
    /// Why capture is paused by the agent itself (a full spool), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_because: Option<String>,
    pub spool_bytes: u64,
    pub spool_entries: usize,
    pub spool_quota_bytes: u64,
    pub uploaded: u64,
    /// Unix seconds of the last acknowledged upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_upload: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Unix seconds when this was written.
    pub updated: u64,
}

impl AgentState {
    /// Writes the state atomically (temp file + rename).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, path)
    }

    pub fn read(path: &Path) -> std::io::Result<AgentState> {
        serde_json::from_slice(&std::fs::read(path)?).map_err(std::io::Error::other)
    }
}
