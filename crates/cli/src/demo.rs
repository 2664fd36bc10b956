//! `tracewell demo`: the whole recorder on a private virtual display.
//!
//! Starts its own Xvfb and window manager (never the person's display:
//! the demo injects input), opens two xterms, records while a scripted
//! session types, clicks and switches windows, then inspects the result.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tracewell_policy::Policy;
use tracewell_recorder::SessionOptions;
use tracewell_testbed::VirtualDisplay;
use tracewell_testbed::script::{self, Pace};

/// The demo records its two xterms and nothing else, with every
/// redaction stage on.
const DEMO_POLICY: &str = r#"
version = 1
[scope]
allow_apps = ["XTerm"]
"#;

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo's segments.
    #[arg(long, value_name = "DIR", default_value = "tracewell-demo")]
    out: PathBuf,
    /// How long the scripted session lasts.
    #[arg(long, value_name = "SECS", default_value_t = 12)]
    seconds: u64,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let display = VirtualDisplay::start(1280, 800).context("cannot start the demo's virtual display")?;
    eprintln!("demo: private virtual display {} (Xvfb + openbox)", display.name());
    let driver = display.driver()?;
    let (_left, left) = script::spawn_xterm(&driver, display.name(), "demo: notes", "80x24+10+10")?;
    let (_right, right) = script::spawn_xterm(&driver, display.name(), "demo: shell", "80x24+620+380")?;

    let policy = Policy::from_toml(DEMO_POLICY).expect("the demo policy is valid");
    let mut options = SessionOptions::new(&args.out, policy);
    options.display = Some(display.name().to_string());
    for notice in tracewell_recorder::notices(&options) {
        eprintln!("note: {notice}");
    }
    options.progress_every = Duration::from_secs(4);
    let stop = AtomicBool::new(false);
    let summary = std::thread::scope(|scope| {
        let recording = scope.spawn(|| {
            tracewell_recorder::record(&options, &stop, |stats| {
                eprintln!("● {}", crate::record::status_line(stats))
            })
        });
        // Let the recorder take its first frame before acting.
        std::thread::sleep(Duration::from_millis(500));
        let windows = [(left, (10, 10, 580, 380)), (right, (620, 380, 580, 380))];
        let pace = Pace { switch_every: Duration::from_secs(4), ..Pace::default() };
        let performed = script::run_session(&driver, &windows, &pace, Duration::from_secs(args.seconds));
        std::thread::sleep(Duration::from_millis(600));
        stop.store(true, Ordering::SeqCst);
        let summary = recording.join().map_err(|_| anyhow::anyhow!("the recorder thread failed"))?;
        let performed = performed?;
        eprintln!(
            "demo: the script typed {} keys, clicked {} times and switched windows {} times",
            performed.keys, performed.clicks, performed.switches
        );
        anyhow::Ok(summary?)
    })?;
    for notice in &summary.notices {
        eprintln!("note: {notice}");
    }
    crate::record::print_summary(&summary);
    println!();
    crate::inspect::run(crate::inspect::InspectArgs::for_path(args.out))
}
