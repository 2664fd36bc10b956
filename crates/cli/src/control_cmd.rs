//! `tracewell pause`, `resume` and `status`: talk to a running recorder
//! through its control socket.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

#[derive(Args)]
pub struct ControlArgs {
    /// The recorder's control socket (default: the one for $DISPLAY, or
    /// for --display).
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
    /// The display whose recorder to reach.
    #[arg(long)]
    display: Option<String>,
}

pub fn run(args: ControlArgs, verb: &str) -> anyhow::Result<ExitCode> {
    let path = args.control.unwrap_or_else(|| crate::record::control_path(args.display.as_deref()));
    let answer = tracewell_recorder::control::send(&path, verb)
        .with_context(|| format!("no recorder answers on {} (is `tracewell record` running?)", path.display()))?;
    if answer.contains("\"error\"") {
        anyhow::bail!("the recorder refused: {answer}");
    }
    println!("{answer}");
    Ok(ExitCode::SUCCESS)
}
