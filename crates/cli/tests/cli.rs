//! The `tracewell` binary end to end: recording a real X server driven
//! through XTEST, inspecting the result, and every bad input the CLI must
//! refuse with one clear line and a non-zero exit.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{has_segment, start_record, stop_record};

use tracewell_testbed::{VirtualDisplay, WindowSpec};

fn tracewell() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracewell"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The error is one line starting `tracewell: error:`, with no panic or
/// backtrace, and the exit status is non-zero.
fn assert_clean_error(output: &Output, needle: &str) {
    let err = stderr(output);
    assert!(!output.status.success(), "should fail: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("tracewell: ")).collect();
    assert_eq!(lines.len(), 1, "exactly one error line expected: {err}");
    assert!(lines[0].starts_with("tracewell: error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

/// A policy allowing the given applications, with frames blanked outside
/// them but no OCR (these tests are about recording, not pixel redaction).
fn policy_file(dir: &Path, apps: &[&str]) -> std::path::PathBuf {
    let path = dir.join("policy.toml");
    let apps: Vec<String> = apps.iter().map(|a| format!("{a:?}")).collect();
    std::fs::write(&path, format!("version = 1\n[scope]\nallow_apps = [{}]\n[redaction]\npixels = \"off\"\n", apps.join(", "))).unwrap();
    path
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("inspect --json output is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn record_until_sigterm_then_inspect() {
    let display = VirtualDisplay::start(1024, 768).unwrap();
    let driver = notes_window(&display);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let control = dir.path().join("control.sock");
    let child = record_notes(&display, dir.path(), &out, &control, &["--status-every", "1"]);
    std::thread::sleep(Duration::from_millis(500));
    let status = tracewell().arg("status").arg("--control").arg(&control).output().unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("\"state\":\"recording\""), "{}", stderr(&status));
    driver.type_text("hello wurld").unwrap();
    for _ in 0..4 {
        driver.chord(&[0xff08]).unwrap(); // BackSpace
    }
    driver.type_text("orld!").unwrap();
    driver.move_pointer(300, 250).unwrap();
    driver.click(1).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Paused by command: nothing typed now is captured.
    let paused = tracewell().arg("pause").arg("--control").arg(&control).output().unwrap();
    assert!(String::from_utf8_lossy(&paused.stdout).contains("\"state\":\"paused\""), "{}", stderr(&paused));
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text(" secret").unwrap();
    let resumed = tracewell().arg("resume").arg("--control").arg(&control).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    std::thread::sleep(Duration::from_millis(1500));
    let output = stop_record(child);
    let err = stderr(&output);
    assert!(output.status.success(), "record failed: {err}");
    assert!(err.contains("● recording"), "{err}");
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("recorded ") && summary.contains("1 clicks"), "{summary}");

    let inspect = tracewell().args(["inspect", "--json"]).arg(&out).output().unwrap();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let report = json(&inspect);
    assert_eq!(report["total"]["typed_text"], "hello world!");
    assert_eq!(report["total"]["truncated_segments"], 0);
    assert_eq!(report["total"]["counts"]["/input/mouse"], 2);
    // Started, paused, resumed, stopped.
    assert_eq!(report["total"]["counts"]["/recorder/status"], 4);
    assert!(report["total"]["frames"].as_u64().unwrap() >= 1);
    assert_eq!(report["segments"][0]["format"], "tracewell.segment/1.2");

    let frames = dir.path().join("frames");
    let text = tracewell().arg("inspect").arg(&out).arg("--frames").arg(&frames).output().unwrap();
    assert!(text.status.success(), "{}", stderr(&text));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("typed: \"hello world!\""), "{stdout}");
    let pngs = std::fs::read_dir(&frames).unwrap().count() as u64;
    assert_eq!(pngs, report["total"]["frames"].as_u64().unwrap());
}

/// Opens the "Notes" window the recording tests type into.
fn notes_window(display: &VirtualDisplay) -> tracewell_testbed::Driver {
    let driver = display.driver().unwrap();
    driver
        .open_window(&WindowSpec {
            title: "Notes".into(),
            class: ("notes".into(), "Notes".into()),
            x: 100,
            y: 100,
            width: 500,
            height: 400,
            color: 0xeeeeee,
        })
        .unwrap();
    driver
}

/// Starts `tracewell record` of `display` into `out`, allowing only
/// "Notes", with a control socket, and waits for its first segment.
fn record_notes(display: &VirtualDisplay, dir: &Path, out: &Path, control: &Path, extra: &[&str]) -> std::process::Child {
    let mut args: Vec<&OsStr> = vec![OsStr::new("--control"), control.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    start_record(display.name(), out, &policy_file(dir, &["Notes"]), &args, &[])
}

#[test]
fn record_without_a_display_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = tracewell().args(["record", "--duration", "1", "--allow-app", "x", "--out"]).arg(dir.path()).env_remove("DISPLAY").output().unwrap();
    assert_clean_error(&output, "$DISPLAY is not set");
    let output = tracewell().args(["record", "--duration", "1", "--allow-app", "x", "--display", ":5001", "--out"]).arg(dir.path()).output().unwrap();
    assert_clean_error(&output, "cannot connect to X display");
}

#[test]
fn record_into_an_unwritable_folder_is_a_clear_error() {
    let display = VirtualDisplay::start_bare(320, 240).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let output = tracewell()
        .args(["record", "--duration", "1", "--allow-app", "x", "--out"])
        .arg(file.join("sub"))
        .env("DISPLAY", display.name())
        .output()
        .unwrap();
    assert_clean_error(&output, "cannot write segments into");
}

#[test]
fn record_rejects_bad_numbers() {
    let output = tracewell().args(["record", "--out", "x", "--duration", "-3"]).output().unwrap();
    assert!(!output.status.success());
    let output = tracewell().args(["record", "--out", "x", "--max-fps", "0"]).output().unwrap();
    assert_clean_error(&output, "--max-fps must be positive");
}

#[test]
fn inspect_refuses_what_is_not_a_segment() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.mcap");
    std::fs::write(&text, b"this is not an MCAP file at all").unwrap();
    assert_clean_error(&tracewell().arg("inspect").arg(&text).output().unwrap(), "not an MCAP file");
    assert_clean_error(
        &tracewell().arg("inspect").arg(dir.path().join("missing.mcap")).output().unwrap(),
        "no such file or folder",
    );
    let empty = tempfile::tempdir().unwrap();
    assert_clean_error(&tracewell().arg("inspect").arg(empty.path()).output().unwrap(), "no segment files");
}

#[test]
fn inspect_reports_a_truncated_segment_and_what_it_recovered() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    driver
        .open_window(&WindowSpec {
            title: "T".into(),
            class: ("t".into(), "T".into()),
            x: 10,
            y: 10,
            width: 200,
            height: 200,
            color: 0x123456,
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let mut child = tracewell()
        .args(["record", "--out"])
        .arg(&out)
        .arg("--policy")
        .arg(policy_file(dir.path(), &["T"]))
        .env("DISPLAY", display.name())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !has_segment(&out) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("abc").unwrap();
    // Chunks close every couple of seconds: wait for one, then crash.
    std::thread::sleep(Duration::from_millis(3500));
    driver.type_text("xyz").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap(); // SIGKILL: no clean shutdown
    child.wait().unwrap();
    let output = tracewell().args(["inspect", "--json"]).arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("truncated segment"), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["total"]["truncated_segments"], 1);
    // What was typed before the last closed chunk survives.
    let typed = report["total"]["typed_text"].as_str().unwrap();
    assert!(typed.starts_with("abc"), "{typed:?}");
}

#[test]
fn segments_rotate_by_duration_and_each_stands_alone() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    driver
        .open_window(&WindowSpec {
            title: "Rotating".into(),
            class: ("rot".into(), "Rot".into()),
            x: 20,
            y: 20,
            width: 300,
            height: 200,
            color: 0x884422,
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let child = tracewell()
        .args(["record", "--duration", "4.5", "--segment-secs", "1", "--out"])
        .arg(&out)
        .arg("--policy")
        .arg(policy_file(dir.path(), &["Rot"]))
        .env("DISPLAY", display.name())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !has_segment(&out) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let typed = "rotation keeps every key";
    for c in typed.chars() {
        driver.type_text(&c.to_string()).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&tracewell().args(["inspect", "--json"]).arg(&out).output().unwrap());
    let segments = report["segments"].as_array().unwrap();
    assert!(segments.len() >= 3, "expected rotation into several segments, got {}", segments.len());
    assert_eq!(report["total"]["typed_text"], typed);
    for (i, segment) in segments.iter().enumerate() {
        assert_eq!(segment["sequence"], i as u64);
        // Every segment knows the active window and has a frame to pair
        // actions with, carried over when nothing new happened.
        assert!(segment["counts"]["/window/active"].as_u64().unwrap_or(0) >= 1, "segment {i}: {segment}");
        assert!(segment["frames"]["count"].as_u64().unwrap_or(0) >= 1, "segment {i}: {segment}");
    }
}

#[test]
fn record_refuses_a_policy_that_allows_nothing_and_bad_policies() {
    let dir = tempfile::tempdir().unwrap();
    let output = tracewell().args(["record", "--duration", "1", "--display", ":5002", "--out"]).arg(dir.path()).output().unwrap();
    assert_clean_error(&output, "allows no application");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\n[scope]\nallow_app = [\"x\"]\n").unwrap();
    let output = tracewell().args(["record", "--out", "x", "--policy"]).arg(&bad).output().unwrap();
    assert_clean_error(&output, "unknown field");
}

#[test]
fn policy_check_validates_and_summarises() {
    let dir = tempfile::tempdir().unwrap();
    let good = policy_file(dir.path(), &["XTerm"]);
    let output = tracewell().args(["policy", "check"]).arg(&good).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("valid policy") && text.contains("pixel redaction: off"), "{text}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\n[redaction]\npixels = \"blur\"\n").unwrap();
    assert_clean_error(&tracewell().args(["policy", "check"]).arg(&bad).output().unwrap(), "redaction.pixels");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/example-policy.toml");
    assert!(tracewell().args(["policy", "check", example]).output().unwrap().status.success());
}

#[test]
fn control_commands_without_a_recorder_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = tracewell().arg("pause").arg("--control").arg(dir.path().join("none.sock")).output().unwrap();
    assert_clean_error(&output, "no recorder answers");
}

#[test]
fn task_markers_become_episodes_with_their_instructions() {
    let display = VirtualDisplay::start(1024, 768).unwrap();
    let driver = notes_window(&display);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let control = dir.path().join("control.sock");
    let child = record_notes(&display, dir.path(), &out, &control, &[]);
    std::thread::sleep(Duration::from_millis(500));
    let task = |args: &[&str]| tracewell().arg("task").args(args).arg("--control").arg(&control).output().unwrap();
    // Nothing to end yet: a clear refusal.
    assert_clean_error(&task(&["end"]), "no task is open");
    driver.type_text("before").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = task(&["start", "Write a greeting\nto alice@example.com"]);
    assert!(String::from_utf8_lossy(&started.stdout).contains("\"task\":true"), "{}", stderr(&started));
    driver.type_text("hello there").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let ended = task(&["end", "--outcome", "success"]);
    assert!(String::from_utf8_lossy(&ended.stdout).contains("\"task\":false"), "{}", stderr(&ended));
    driver.type_text("after").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let output = stop_record(child);
    assert!(output.status.success(), "record failed: {}", stderr(&output));

    let inspect = tracewell().args(["inspect", "--json"]).arg(&out).output().unwrap();
    let report = json(&inspect);
    assert_eq!(report["total"]["counts"]["/task"], 2, "{report}");
    // The e-mail address in the instruction never reaches the segment.
    for path in std::fs::read_dir(&out).unwrap() {
        let bytes = std::fs::read(path.unwrap().path()).unwrap();
        assert!(!bytes.windows(17).any(|w| w == b"alice@example.com"));
    }

    let dataset = dir.path().join("dataset");
    let built = tracewell().args(["dataset", "build", "--quiet", "--no-viewer", "--out"]).arg(&dataset).arg(&out).output().unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    let jsonl = std::fs::read_to_string(dataset.join("agentnet.jsonl")).unwrap();
    let episodes: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(episodes.len(), 1, "one task, one episode: {jsonl}");
    assert_eq!(episodes[0]["instruction"], "Write a greeting to <EMAIL>");
    let codes: Vec<&str> = episodes[0]["traj"].as_array().unwrap().iter().map(|s| s["value"]["code"].as_str().unwrap()).collect();
    assert!(codes.iter().any(|c| c.contains("hello there")), "{codes:?}");
    assert!(!codes.iter().any(|c| c.contains("before") || c.contains("after")), "typing outside the task is left out: {codes:?}");
    assert!(codes.last().unwrap().contains("success"), "{codes:?}");
}
