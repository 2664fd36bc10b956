//! What the CLI's end-to-end tests share: a `tracewell record` child on a
//! test display, started and stopped the same way everywhere.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Starts `tracewell record --out OUT --policy POLICY ARGS…` on `display`
/// with `envs` added, and waits (at most 30 s) for its first segment.
pub fn start_record(display: &str, out: &Path, policy: &Path, args: &[&OsStr], envs: &[(&str, &str)]) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_tracewell"))
        .args(["record", "--out"])
        .arg(out)
        .arg("--policy")
        .arg(policy)
        .args(args)
        .env("DISPLAY", display)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !has_segment(out) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(has_segment(out), "no segment appeared in {}", out.display());
    child
}

/// Whether `dir` holds a segment file yet.
pub fn has_segment(dir: &Path) -> bool {
    tracewell_segment::list_segments(dir).map(|s| !s.is_empty()).unwrap_or(false)
}

/// Stops the recorder as a service manager would (SIGTERM) and collects
/// its output.
pub fn stop_record(child: Child) -> Output {
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    child.wait_with_output().unwrap()
}
