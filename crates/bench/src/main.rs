//! `recorder-bench`: the whole recorder over a scripted active session on
//! a private 1920x1080 Xvfb, measured from outside the process, once per
//! frame encoder so the default and a baseline run side by side.
//!
//! For each run: CPU seconds (user + system, from `wait4`), peak RSS,
//! bytes and frames per minute of recording; then the per-frame cost of a
//! grab and of each encoder on a grabbed frame, in this process.
//!
//! Usage: `cargo build --release -p tracewell-cli -p tracewell-bench &&
//! target/release/recorder-bench [--seconds 60] [--pixels-only]`.
//! `--pixels-only` runs only the session with pixel redaction (to compare
//! two builds of the redactor: copy one build's `recorder-bench` and
//! `tracewell` into a folder of their own and run both).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tracewell_capture::Screenshotter;
use tracewell_segment::{BandOptions, Codec, FrameEncoder, PngFilter, PngLevel};
use tracewell_testbed::VirtualDisplay;
use tracewell_testbed::script::{self, Pace};

/// The xterms are allowed; frames are blanked outside them. Without OCR
/// (the recorder's own cost) and with it (the default policy).
const BENCH_POLICY: &str = "version = 1\n[scope]\nallow_apps = [\"XTerm\"]\n[redaction]\npixels = \"off\"\n";
const BENCH_POLICY_OCR: &str = "version = 1\n[scope]\nallow_apps = [\"XTerm\"]\n";

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;

struct RunFigures {
    codec: String,
    seconds: f64,
    cpu_s: f64,
    max_rss_mb: f64,
    bytes: u64,
    frames: u64,
    keys: u64,
    clicks: u64,
    switches: u64,
    recorded_keys: u64,
    recorded_clicks: u64,
}

fn main() -> anyhow::Result<()> {
    let mut seconds = 60u64;
    let mut pixels_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().context("--seconds needs a value")?.parse()?,
            "--pixels-only" => pixels_only = true,
            other => bail!("unknown argument {other:?} (usage: recorder-bench [--seconds N] [--pixels-only])"),
        }
    }
    let tracewell = std::env::current_exe()?.with_file_name("tracewell");
    if !tracewell.exists() {
        bail!("{} not found: build it first (cargo build --release -p tracewell-cli)", tracewell.display());
    }
    println!("# recorder benchmark: {seconds} s scripted session at {WIDTH}x{HEIGHT}, ~5 keys/s, 1 click/s, window switch every 10 s\n");
    let mut runs = Vec::new();
    let configs: &[(&str, bool)] =
        if pixels_only { &[("band", true)] } else { &[("band", false), ("png-default", false), ("band", true)] };
    for &(codec, ocr) in configs {
        eprintln!("run: --codec {codec}{}", if ocr { ", pixel redaction on" } else { "" });
        runs.push(run_session(&tracewell, codec, ocr, seconds)?);
    }
    println!("| codec | CPU s / min | peak RSS MB | MB / min | frames / min | keys sent / recorded | clicks sent / recorded | switches |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in &runs {
        let per_min = 60.0 / r.seconds;
        println!(
            "| {} | {:.2} | {:.1} | {:.2} | {:.0} | {} / {} | {} / {} | {} |",
            r.codec,
            r.cpu_s * per_min,
            r.max_rss_mb,
            r.bytes as f64 / 1e6 * per_min,
            r.frames as f64 * per_min,
            r.keys,
            r.recorded_keys,
            r.clicks,
            r.recorded_clicks,
            r.switches,
        );
    }
    per_frame_costs()?;
    Ok(())
}

/// Opens the benchmark's desktop: three xterms full of text.
fn desktop(display: &VirtualDisplay) -> anyhow::Result<(Vec<script::ClientProcess>, Vec<(u32, (i16, i16, u16, u16))>)> {
    let driver = display.driver()?;
    let specs = [
        // Three windows side by side and below, none covering another's
        // prompt, so every typed key shows on screen.
        ("bench: files", "100x36+0+0", "ls -l /usr/bin | head -n 30", (0, 0, 900, 640)),
        ("bench: services", "100x36+960+0", "head -n 30 /etc/services", (960, 0, 900, 640)),
        ("bench: numbers", "120x12+300+760", "seq 1 300 | paste -sd' ' | fold -w 110", (300, 760, 1000, 200)),
    ];
    let mut processes = Vec::new();
    let mut windows = Vec::new();
    for (title, geometry, command, area) in specs {
        let (process, window) = script::spawn_xterm_running(&driver, display.name(), title, geometry, Some(command))?;
        processes.push(process);
        windows.push((window, area));
    }
    std::thread::sleep(Duration::from_millis(500));
    Ok((processes, windows))
}

fn run_session(tracewell: &Path, codec: &str, ocr: bool, seconds: u64) -> anyhow::Result<RunFigures> {
    let display = VirtualDisplay::start(WIDTH, HEIGHT)?;
    let (_xterms, windows) = desktop(&display)?;
    let driver = display.driver()?;
    let out = std::env::temp_dir().join(format!("tracewell-bench-{}-{codec}-{ocr}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let policy = std::env::temp_dir().join(format!("tracewell-bench-{}-policy.toml", std::process::id()));
    std::fs::write(&policy, if ocr { BENCH_POLICY_OCR } else { BENCH_POLICY })?;
    let child = Command::new(tracewell)
        .args(["record", "--status-every", "3600", "--codec", codec, "--out"])
        .arg(&out)
        .arg("--policy")
        .arg(&policy)
        .arg("--control")
        .arg(out.with_extension("sock"))
        .env("DISPLAY", display.name())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start the recorder")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while segments(&out).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let started = Instant::now();
    let performed = script::run_session(&driver, &windows, &Pace::default(), Duration::from_secs(seconds))?;
    let recorded_for = started.elapsed().as_secs_f64();
    let (cpu_s, max_rss_mb) = terminate_and_measure(child)?;
    let bytes = segments(&out).iter().map(|p| p.metadata().map(|m| m.len()).unwrap_or(0)).sum();
    let inspect = Command::new(tracewell).args(["inspect", "--json"]).arg(&out).output()?;
    if !inspect.status.success() {
        bail!("inspect failed: {}", String::from_utf8_lossy(&inspect.stderr));
    }
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout)?;
    let count = |topic: &str| report["total"]["counts"][topic].as_u64().unwrap_or(0);
    let _ = std::fs::remove_dir_all(&out);
    Ok(RunFigures {
        codec: if ocr { format!("{codec} + OCR redaction") } else { codec.into() },
        seconds: recorded_for,
        cpu_s,
        max_rss_mb,
        bytes,
        frames: report["total"]["frames"].as_u64().unwrap_or(0),
        keys: performed.keys,
        clicks: performed.clicks,
        switches: performed.switches,
        // Each key sent is a press and a release (Shift adds its own pair).
        recorded_keys: count("/input/keyboard") / 2,
        recorded_clicks: count("/input/mouse") / 2,
    })
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "mcap")).collect())
        .unwrap_or_default()
}

/// Sends SIGTERM, waits, and returns (user + system CPU seconds, peak RSS
/// in MB) of the child.
fn terminate_and_measure(child: Child) -> anyhow::Result<(f64, f64)> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain libc calls on our own child's pid with valid pointers;
    // the Child handle is not waited on elsewhere.
    let usage = unsafe {
        libc::kill(pid, libc::SIGTERM);
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::wait4(pid, &mut status, 0, &mut usage) != pid {
            bail!("wait4 failed: {}", std::io::Error::last_os_error());
        }
        usage
    };
    std::mem::forget(child);
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("the recorder did not exit cleanly (status {status})");
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_maxrss as f64 / 1024.0))
}

/// Per-frame costs in this process: grabbing the 1920x1080 desktop, and
/// encoding it with each encoder — a full frame, then a frame where one
/// line of text changed.
fn per_frame_costs() -> anyhow::Result<()> {
    let display = VirtualDisplay::start(WIDTH, HEIGHT)?;
    let (_xterms, windows) = desktop(&display)?;
    let driver = display.driver()?;
    let shooter = Screenshotter::connect(Some(display.name()))?;
    let rounds = 20;
    let mut grab_total = Duration::ZERO;
    let mut pairs = Vec::new();
    driver.activate(windows[0].0)?;
    for i in 0..rounds {
        let t = Instant::now();
        let before = shooter.grab()?;
        grab_total += t.elapsed();
        driver.type_text(if i % 2 == 0 { "x" } else { "y" })?;
        std::thread::sleep(Duration::from_millis(60));
        let after = shooter.grab()?;
        pairs.push((before, after));
    }
    println!("\nper-frame costs at {WIDTH}x{HEIGHT}, mean of {rounds}:\n");
    println!("| step | ms / frame | PNG bytes |");
    println!("|---|---|---|");
    println!("| grab (GetImage) | {:.2} | |", grab_total.as_secs_f64() * 1e3 / rounds as f64);
    let codecs = [
        ("band (default), whole frame", Codec::Band(BandOptions::default()), false),
        ("band (default), one line changed", Codec::Band(BandOptions::default()), true),
        ("png crate fast, Sub filter", Codec::Png { level: PngLevel::Fast, filter: PngFilter::Sub }, false),
        ("png crate balanced, adaptive", Codec::Png { level: PngLevel::Balanced, filter: PngFilter::Adaptive }, false),
    ];
    for (name, codec, incremental) in codecs {
        let mut total = Duration::ZERO;
        let mut bytes = 0;
        for (before, after) in &pairs {
            let mut encoder = FrameEncoder::new(codec);
            if incremental {
                encoder.encode_png(before)?;
            }
            let t = Instant::now();
            let png = encoder.encode_png(if incremental { after } else { before })?;
            total += t.elapsed();
            bytes += png.len();
        }
        println!("| {name} | {:.2} | {} |", total.as_secs_f64() * 1e3 / rounds as f64, bytes / rounds);
    }
    Ok(())
}
