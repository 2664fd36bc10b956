//! Enrollment: a new device key, registered with a collector by a
//! one-time token.

use std::path::{Path, PathBuf};

use tracewell_protocol::{EnrollRequest, EnrollResponse, ErrorBody};
use tracewell_seal::{DeviceSigningKey, RecipientPublicKey};

use crate::error::io;
use crate::{AgentConfig, Error};

/// Where and how to enroll.
pub struct EnrollOptions {
    pub server: String,
    pub token: String,
    /// The configuration file to write; the device key, spool and state
    /// live beside it.
    pub config: PathBuf,
}

/// Generates a device key, registers it with the collector, and writes the
/// agent configuration. Refuses to overwrite an existing configuration.
pub fn enroll(options: &EnrollOptions) -> Result<AgentConfig, Error> {
    let config_path = &options.config;
    if config_path.exists() {
        return Err(Error::Config { path: config_path.clone(), reason: "already exists; this device is enrolled".into() });
    }
    check_url(&options.server)?;
    let dir = config_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let key = DeviceSigningKey::generate()?;
    let request = EnrollRequest { token: options.token.clone(), device_key: key.verifying_key().to_string() };
    let url = format!("{}/v1/enroll", options.server.trim_end_matches('/'));
    let response: EnrollResponse = post_json(&url, &request)?;
    for r in &response.recipients {
        r.parse::<RecipientPublicKey>().map_err(|_| Error::Collector { url: url.clone(), reason: "it sent an invalid recipient key".into() })?;
    }
    let key_path = dir.join("device.key");
    key.write_file(&key_path)?;
    let mut subject = [0u8; 12];
    getrandom::fill(&mut subject).map_err(|e| Error::Collector { url: url.clone(), reason: e.to_string() })?;
    let config = AgentConfig {
        server: options.server.trim_end_matches('/').to_string(),
        device_id: response.device_id,
        device_key: PathBuf::from("device.key"),
        subject_id: format!("s-{}", tracewell_protocol::hex(&subject)),
        recipients: response.recipients,
        spool: PathBuf::from("spool"),
        spool_quota_mib: 2048,
        policy: None,
        allow_apps: Vec::new(),
    };
    config.save(config_path)?;
    AgentConfig::load(config_path)
}

/// Only HTTPS, except to a loopback collector (tests, a local demo).
pub(crate) fn check_url(url: &str) -> Result<(), Error> {
    let loopback = ["http://127.", "http://localhost", "http://[::1]"].iter().any(|p| url.starts_with(p));
    if url.starts_with("https://") || loopback {
        Ok(())
    } else {
        Err(Error::Collector { url: url.into(), reason: "use https:// (plain http only to a loopback address)".into() })
    }
}

fn post_json<T: serde::de::DeserializeOwned>(url: &str, body: &impl serde::Serialize) -> Result<T, Error> {
    let agent = crate::uploader::http_agent();
    let mut response = agent
        .post(url)
        .send_json(body)
        .map_err(|e| Error::Collector { url: url.into(), reason: e.to_string() })?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str(&text).map_err(|e| Error::Collector { url: url.into(), reason: format!("unexpected answer: {e}") });
    }
    let reason = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_else(|_| format!("HTTP {status}"));
    if (400..500).contains(&status) {
        Err(Error::Refused(reason))
    } else {
        Err(Error::Collector { url: url.into(), reason })
    }
}
