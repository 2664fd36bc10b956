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
    /// The agent configuration, for `status` (spool and uploads).
    #[arg(long = "config", value_name = "FILE")]
    agent_config: Option<PathBuf>,
}

pub fn run(args: ControlArgs, verb: &str) -> anyhow::Result<ExitCode> {
    let path = args.control.unwrap_or_else(|| crate::record::control_path(args.display.as_deref()));
    let answer = tracewell_recorder::control::send(&path, verb);
    if verb == "status" {
        // The agent's spool and uploads, if this machine runs one.
        let config = args.agent_config.unwrap_or_else(crate::agent_cmd::default_config);
        if let Ok(config) = tracewell_agent::AgentConfig::load(&config) {
            if let Ok(state) = tracewell_agent::AgentState::read(&config.state_path()) {
                crate::agent_cmd::print_state(&state);
            }
        }
    }
    let answer = answer.with_context(|| format!("no recorder answers on {} (is `tracewell record` or `tracewell agent` running?)", path.display()))?;
    if answer.contains("\"error\"") {
        anyhow::bail!("the recorder refused: {answer}");
    }
    println!("{answer}");
    Ok(ExitCode::SUCCESS)
}
