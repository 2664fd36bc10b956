//! Runs the collector on its own: `tracewell-collector --data DIR
//! --recipient tracewell-recipient-1:… [--database URL] [--objects URL]
//! [--listen ADDR] [--tls-cert PEM --tls-key PEM]`.
//!
//! Prints `listening on <addr>` on stdout once it accepts connections.

use clap::Parser;
use tracewell_server::{Server, ServerArgs, shutdown_signal};

#[derive(Parser)]
#[command(
    name = "tracewell-collector",
    about = "Tracewell collector: enrollment and ingest of sealed segments"
)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = Cli::parse().server.into_config()?;
    let server = Server::bind(config).await?;
    println!("listening on {}", server.local_addr());
    server.run(shutdown_signal()).await?;
    Ok(())
}
