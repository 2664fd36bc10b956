//! `tracewell server` (the collector) and `tracewell admin` (its
//! administration over HTTP).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tracewell_protocol::{CreateEnrollmentToken, EnrollmentToken, ErrorBody};
use tracewell_server::config::admin_token_path;
use tracewell_server::{Server, ServerArgs, shutdown_signal};

#[derive(Args)]
pub struct ServerCmdArgs {
    #[command(flatten)]
    server: ServerArgs,
}

/// Runs the collector until Ctrl-C or SIGTERM. Prints `listening on ADDR`
/// once it accepts connections.
pub fn run(args: ServerCmdArgs) -> anyhow::Result<ExitCode> {
    let config = args.server.into_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .with_writer(std::io::stderr)
            .try_init();
        let server = Server::bind(config).await?;
        println!("listening on {}", server.local_addr());
        server.run(shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct AdminArgs {
    /// The collector's URL.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:7447")]
    server: String,
    /// The collector's data folder, where `admin.token` is.
    #[arg(long, value_name = "DIR", default_value = "tracewell-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Issue a one-time enrollment token for a new device.
    Token {
        /// How long the token stays valid.
        #[arg(long, value_name = "SECS", default_value_t = 3600)]
        ttl: u64,
    },
    /// Revoke a device: the collector refuses its uploads from now on.
    Revoke {
        /// The device id.
        device: String,
    },
}

pub fn admin(args: AdminArgs) -> anyhow::Result<ExitCode> {
    let token_path = admin_token_path(&args.data);
    let admin = std::fs::read_to_string(&token_path)
        .with_context(|| format!("cannot read the admin token {} (is --data the collector's data folder?)", token_path.display()))?;
    let http = ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build());
    let base = args.server.trim_end_matches('/');
    let (url, body) = match &args.command {
        AdminCommand::Token { ttl } => (format!("{base}/v1/admin/enrollment-tokens"), serde_json::to_string(&CreateEnrollmentToken { ttl_secs: *ttl })?),
        AdminCommand::Revoke { device } => (format!("{base}/v1/admin/devices/{device}/revoke"), String::new()),
    };
    let mut response = http
        .post(&url)
        .header("authorization", format!("Bearer {}", admin.trim()))
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .with_context(|| format!("cannot reach the collector at {base}"))?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if !(200..300).contains(&status) {
        let reason = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_else(|_| format!("HTTP {status}"));
        bail!("the collector refused: {reason}");
    }
    match args.command {
        AdminCommand::Token { .. } => {
            let token: EnrollmentToken = serde_json::from_str(&text).context("unexpected answer")?;
            println!("{}", token.token);
            eprintln!("one-time token, valid until {} (Unix time)", token.expires_at);
        }
        AdminCommand::Revoke { .. } => println!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
