//! `tracewell keys`, `tracewell enroll` and `tracewell agent`: the device
//! side of collection.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tracewell_agent::{AgentConfig, AgentState, EnrollOptions, RunOptions};
use tracewell_seal::RecipientIdentity;

/// The agent configuration's default place.
pub fn default_config() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("tracewell").join("agent.toml")
}

#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a dataset key: the identity file (private, mode 0600) that
    /// decrypts segments; prints its public key for the collector's
    /// --recipient.
    Generate {
        /// Where to write the identity file (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn keys(args: KeysArgs) -> anyhow::Result<ExitCode> {
    let KeysCommand::Generate { out } = args.command;
    let identity = RecipientIdentity::generate()?;
    identity.write_file(&out).with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}", identity.public_key());
    eprintln!("identity written to {} (keep it private: it decrypts every segment sealed to this key)", out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct EnrollArgs {
    /// The collector's URL (https://…, or http:// to a loopback address).
    #[arg(long, value_name = "URL")]
    server: String,
    /// The one-time enrollment token from the collector's administrator.
    #[arg(long, value_name = "TOKEN")]
    token: String,
    /// Where to write the agent configuration.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn enroll(args: EnrollArgs) -> anyhow::Result<ExitCode> {
    let config_path = args.config.unwrap_or_else(default_config);
    let config = tracewell_agent::enroll(&EnrollOptions { server: args.server, token: args.token, config: config_path.clone() })?;
    println!("enrolled as device {} with {}; configuration in {}", config.device_id, config.server, config_path.display());
    eprintln!("add the applications to record with a policy file (`policy = \"…\"`) or `allow_apps` in the configuration");
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct AgentArgs {
    /// The agent configuration (written by `tracewell enroll`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// X display to record (default: $DISPLAY).
    #[arg(long)]
    display: Option<String>,
    /// Stop after this many seconds (default: until Ctrl-C or SIGTERM).
    #[arg(long, value_name = "SECS")]
    duration: Option<f64>,
    /// Start a new segment after this many seconds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    segment_secs: u64,
    /// After capture stops, keep uploading for at most this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    drain_secs: u64,
    /// Control socket for `tracewell pause`/`resume`/`status`.
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
}

pub fn agent(args: AgentArgs) -> anyhow::Result<ExitCode> {
    let config_path = args.config.unwrap_or_else(default_config);
    let config = AgentConfig::load(&config_path)?;
    if let Some(d) = args.duration {
        if !(d > 0.0 && d.is_finite()) {
            bail!("--duration must be a positive number of seconds, not {d}");
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone()).context("cannot install signal handlers")?;
    }
    let control = args.control.unwrap_or_else(|| crate::record::control_path(args.display.as_deref()));
    let mut session = tracewell_recorder::SessionOptions::new(&config.spool, tracewell_policy::Policy::default());
    session.sink.max_duration = Duration::from_secs(args.segment_secs.max(1));
    session.sink.max_bytes = 16 * 1024 * 1024;
    session.progress_every = Duration::from_secs(5);
    eprintln!("● agent for device {} → {}; segments are sealed on this device before they are written", config.device_id, config.server);
    let options = RunOptions {
        display: args.display,
        duration: args.duration.map(Duration::from_secs_f64),
        control: Some(control),
        session: Some(session),
        drain_for: Duration::from_secs(args.drain_secs),
    };
    let (summary, state) = tracewell_agent::run(&config, options, &stop, |stats| eprintln!("● {}", crate::record::status_line(stats)))?;
    for notice in &summary.notices {
        eprintln!("note: {notice}");
    }
    print_state(&state);
    Ok(ExitCode::SUCCESS)
}

pub fn print_state(state: &AgentState) {
    println!(
        "agent: capture {}, spool {} segment(s) / {} of {}, {} uploaded{}{}",
        state.capture,
        state.spool_entries,
        crate::describe::bytes(state.spool_bytes),
        crate::describe::bytes(state.spool_quota_bytes),
        state.uploaded,
        state.last_upload.map(|t| format!(", last upload at {t}")).unwrap_or_default(),
        state.last_error.as_ref().map(|e| format!(", last error: {e}")).unwrap_or_default(),
    );
}

#[derive(Args)]
pub struct UploadArgs {
    /// The agent configuration.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Give up after this many seconds.
    #[arg(long = "for", value_name = "SECS", default_value_t = 300)]
    limit: u64,
}

/// Uploads the spool without recording (the agent need not run).
pub fn upload(args: UploadArgs) -> anyhow::Result<ExitCode> {
    let config = AgentConfig::load(&args.config.unwrap_or_else(default_config))?;
    let (stored, left) = tracewell_agent::upload_pending(&config, Duration::from_secs(args.limit))?;
    println!("uploaded {stored} segment(s); {left} left in the spool");
    Ok(if left == 0 { ExitCode::SUCCESS } else { ExitCode::from(3) })
}
