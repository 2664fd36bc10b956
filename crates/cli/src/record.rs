//! `tracewell record`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use tracewell_recorder::{SessionOptions, Stats, Summary};
use tracewell_policy::Policy;
use tracewell_segment::{Codec, PngFilter, PngLevel};

#[derive(Args)]
pub struct RecordArgs {
    /// Folder for the segment files (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Capture policy (TOML; see `tracewell policy check`). Without one,
    /// nothing is allowed until --allow-app names applications.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Also allow this application (WM_CLASS instance or class; globs).
    #[arg(long = "allow-app", value_name = "CLASS")]
    allow_apps: Vec<String>,
    /// Control socket for `tracewell pause`/`resume`/`status` (default:
    /// one per display under $XDG_RUNTIME_DIR/tracewell).
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
    /// Stop after this many seconds (default: until Ctrl-C or SIGTERM).
    #[arg(long, value_name = "SECS")]
    duration: Option<f64>,
    /// X display to record (default: $DISPLAY).
    #[arg(long)]
    display: Option<String>,
    /// Cap on frames taken because the screen changed, per second.
    #[arg(long, default_value_t = 2.0, value_name = "FPS")]
    max_fps: f64,
    /// Cap on pointer-motion samples per second.
    #[arg(long, default_value_t = 30.0, value_name = "HZ")]
    motion_hz: f64,
    /// Start a new segment after this many seconds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    segment_secs: u64,
    /// Start a new segment once a file reaches this many MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    segment_mib: u64,
    /// Record input and windows only, no screen frames.
    #[arg(long)]
    no_frames: bool,
    /// Frame encoder (lossless PNG either way).
    #[arg(long, value_enum, default_value_t = CodecArg::Band)]
    codec: CodecArg,
    /// Seconds between status lines on stderr.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    status_every: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum CodecArg {
    /// Re-compress only the rows that changed (default).
    Band,
    /// The png crate's fast mode on every frame.
    PngFast,
    /// The png crate's balanced mode with adaptive filters (a baseline).
    PngDefault,
}

impl RecordArgs {
    fn options(&self) -> anyhow::Result<SessionOptions> {
        if let Some(d) = self.duration {
            if !(d > 0.0 && d.is_finite()) {
                bail!("--duration must be a positive number of seconds, not {d}");
            }
        }
        if !(self.max_fps > 0.0 && self.max_fps.is_finite()) {
            bail!("--max-fps must be positive, not {}", self.max_fps);
        }
        if !(self.motion_hz > 0.0 && self.motion_hz.is_finite()) {
            bail!("--motion-hz must be positive, not {}", self.motion_hz);
        }
        if self.segment_secs == 0 || self.segment_mib == 0 || self.status_every == 0 {
            bail!("--segment-secs, --segment-mib and --status-every must be at least 1");
        }
        let mut policy = match &self.policy {
            Some(path) => Policy::load(path)?,
            None => Policy::default(),
        };
        policy.allow_apps(&self.allow_apps);
        let mut options = SessionOptions::new(&self.out, policy);
        options.display = self.display.clone();
        options.control = Some(match &self.control {
            Some(path) => path.clone(),
            None => control_path(self.display.as_deref()),
        });
        options.duration = self.duration.map(Duration::from_secs_f64);
        options.capture.max_fps = self.max_fps;
        options.capture.motion_hz = self.motion_hz;
        options.capture.frames = !self.no_frames;
        options.sink.max_duration = Duration::from_secs(self.segment_secs);
        options.sink.max_bytes = self.segment_mib * 1024 * 1024;
        options.progress_every = Duration::from_secs(self.status_every);
        options.codec = match self.codec {
            CodecArg::Band => Codec::default(),
            CodecArg::PngFast => Codec::Png { level: PngLevel::Fast, filter: PngFilter::Sub },
            CodecArg::PngDefault => Codec::Png { level: PngLevel::Balanced, filter: PngFilter::Adaptive },
        };
        Ok(options)
    }
}

pub fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone()).context("cannot install signal handlers")?;
    }
    eprintln!(
        "● recording {} into {} — Ctrl-C to stop, {} or `tracewell pause` to pause",
        display_name(&options),
        options.out.display(),
        options.policy.pause_hotkey
    );
    for notice in tracewell_recorder::notices(&options) {
        eprintln!("note: {notice}");
    }
    let summary = tracewell_recorder::record(&options, &stop, |stats| eprintln!("● {}", status_line(stats)))?;
    for notice in &summary.notices {
        eprintln!("note: {notice}");
    }
    print_summary(&summary);
    Ok(ExitCode::SUCCESS)
}

fn display_name(options: &SessionOptions) -> String {
    options.display.clone().or_else(|| std::env::var("DISPLAY").ok()).unwrap_or_else(|| "(no display)".into())
}

/// The control socket of the recorder on a display (`None`: `$DISPLAY`).
pub fn control_path(display: Option<&str>) -> PathBuf {
    let display = display.map(String::from).or_else(|| std::env::var("DISPLAY").ok()).unwrap_or_default();
    tracewell_recorder::control::default_path(&display)
}

/// One status line: state, elapsed time, events, frames, bytes.
pub fn status_line(stats: &Stats) -> String {
    format!(
        "{} {:>5.0} s | {} events ({} keys, {} clicks) | {} frames | {} redacted, {} withheld | {}",
        if stats.paused { "paused   " } else { "recording" },
        stats.elapsed.as_secs_f64(),
        stats.events,
        stats.key_presses,
        stats.clicks,
        stats.frames,
        stats.redactions,
        stats.withheld.total_events(),
        crate::describe::bytes(stats.bytes),
    )
}

pub fn print_summary(summary: &Summary) {
    let s = &summary.stats;
    println!(
        "recorded {}: {:.1} s, {} events ({} key presses, {} clicks, {} scrolls, {} window changes), {} frames ({} of PNG), {} in {} segment(s):",
        summary.recording_id,
        s.elapsed.as_secs_f64(),
        s.events,
        s.key_presses,
        s.clicks,
        s.scrolls,
        s.window_changes,
        s.frames,
        crate::describe::bytes(s.frame_bytes),
        crate::describe::bytes(s.bytes),
        summary.segments.len(),
    );
    for path in &summary.segments {
        println!("  {}", path.display());
    }
}
