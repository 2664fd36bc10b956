//! A scripted session on a private Xvfb, recorded by the real recorder,
//! built into a dataset: the exact action sequence (typed text with a
//! correction, Return, a double click, a drag, a wheel burst, a hotkey, a
//! switch to another application by clicking it) and the right frame for
//! every action. Needs Xvfb, openbox and xterm; skipped with a notice
//! without them.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::sleep;
use std::time::Duration;

use common::{StepView, codes_by_episode, have_xvfb, read_steps};
use tracewell_dataset::{BuildOptions, Source, build};
use tracewell_model::FrameReason;
use tracewell_policy::Policy;
use tracewell_recorder::SessionOptions;
use tracewell_segment::{Record, read_segment};
use tracewell_testbed::{VirtualDisplay, WindowSpec, script};

const CONTROL_L: u32 = 0xffe3;
const BACKSPACE: u32 = 0xff08;
const RETURN: u32 = 0xff0d;

const POLICY: &str = r#"
version = 1
[scope]
allow_apps = ["XTerm", "Sketchpad"]
[redaction]
pixels = "off"
"#;

#[test]
fn a_scripted_session_becomes_the_expected_steps_and_frames() {
    if !have_xvfb() {
        println!(
            "SKIPPED: Xvfb, openbox and xterm are needed (scripts/setup-debian.sh installs them)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let segments = dir.path().join("segments");
    let display = VirtualDisplay::start(1280, 800).unwrap();
    let driver = display.driver().unwrap();
    let sketch = driver
        .open_window(&WindowSpec {
            title: "sketch".into(),
            class: ("sketchpad".into(), "Sketchpad".into()),
            x: 700,
            y: 420,
            width: 400,
            height: 300,
            color: 0x3366cc,
        })
        .unwrap();
    let (_xterm_process, xterm) =
        script::spawn_xterm(&driver, display.name(), "notes", "80x24+10+10").unwrap();
    driver.activate(xterm).unwrap();
    let _ = sketch;

    let mut options = SessionOptions::new(&segments, Policy::from_toml(POLICY).unwrap());
    options.display = Some(display.name().to_string());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let recording = scope.spawn(|| tracewell_recorder::record(&options, &stop, |_| {}));
        let pause = |ms| sleep(Duration::from_millis(ms));
        pause(800);
        // Typing with a correction, then Return.
        driver.type_text("echo tset").unwrap();
        for _ in 0..3 {
            driver.chord(&[BACKSPACE]).unwrap();
        }
        driver.type_text("est").unwrap();
        pause(300);
        driver.chord(&[RETURN]).unwrap();
        pause(700);
        // A double click on the output.
        driver.move_pointer(60, 60).unwrap();
        pause(200);
        driver.click(1).unwrap();
        pause(80);
        driver.click(1).unwrap();
        pause(800);
        // A drag across the first line.
        driver.move_pointer(40, 40).unwrap();
        pause(200);
        driver.button(1, true).unwrap();
        for x in [90, 150, 210, 250] {
            pause(40);
            driver.move_pointer(x, 44).unwrap();
        }
        pause(40);
        driver.button(1, false).unwrap();
        pause(700);
        // A wheel burst.
        driver.move_pointer(300, 200).unwrap();
        pause(200);
        driver.scroll(3).unwrap();
        pause(800);
        // A hotkey (clears the terminal).
        driver.chord(&[CONTROL_L, 'l' as u32]).unwrap();
        pause(800);
        // Switch application by clicking its window, and type there.
        driver.move_pointer(900, 570).unwrap();
        pause(200);
        driver.click(1).unwrap();
        pause(600);
        driver.type_text("hi").unwrap();
        pause(900);
        stop.store(true, Ordering::SeqCst);
        recording.join().unwrap().unwrap();
    });

    let out = dir.path().join("dataset");
    let report = build(
        &[Source::Path(segments.clone())],
        &BuildOptions::new(&out),
        |_| {},
    )
    .unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let steps = read_steps(&out);
    let codes = codes_by_episode(&steps);
    assert_eq!(
        codes,
        vec![
            vec![
                "pyautogui.write('echo test')",
                "pyautogui.press('enter')",
                "pyautogui.doubleClick(x=60, y=60)",
                "pyautogui.moveTo(x=40, y=40); pyautogui.dragTo(x=250, y=44, duration=DRAG, button='left')",
                "pyautogui.scroll(-3, x=300, y=200)",
                "pyautogui.hotkey('ctrl', 'l')",
                "computer.terminate(status='unknown')",
            ],
            vec![
                "pyautogui.click(x=900, y=570)",
                "pyautogui.write('hi')",
                "computer.terminate(status='unknown')",
            ],
        ]
        .into_iter()
        .zip(&codes)
        .map(|(want, got)| want
            .into_iter()
            .zip(got)
            .map(|(w, g)| if w.contains("DRAG") { keep_drag_duration(w, g) } else { w.to_string() })
            .collect::<Vec<_>>())
        .collect::<Vec<_>>(),
        "steps: {steps:#?}"
    );
    assert_eq!(steps[0].app.as_deref(), Some("XTerm"));
    assert_eq!(steps[0].title.as_deref(), Some("notes"));
    assert_eq!(steps[8].app.as_deref(), Some("Sketchpad"));
    check_frames(&segments, &steps);

    let episodes = common::read_batches(&out.join("episodes.parquet"));
    let total: usize = episodes.iter().map(|b| b.num_rows()).sum();
    assert_eq!(total, 2);
}

/// The drag's duration depends on timing: take it from what was built,
/// after checking it is a plausible number of seconds.
fn keep_drag_duration(want: &str, got: &str) -> String {
    let d = got
        .split("duration=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or("x");
    let secs: f64 = d.parse().unwrap_or(-1.0);
    assert!((0.1..2.0).contains(&secs), "drag duration {d} in {got}");
    want.replace("DRAG", d)
}

/// Re-derives every step's observation from the raw segments by the
/// documented rule, independently of the builder: the frame the recorder
/// took because of the action (click/typing, within 100 ms of its first
/// event and before the next action), else the latest frame at or before
/// the action.
fn check_frames(segments: &std::path::Path, steps: &[StepView]) {
    let mut frames = Vec::new();
    let mut anchor = None;
    for path in tracewell_segment::list_segments(segments).unwrap() {
        let contents = read_segment(&path).unwrap();
        let m = &contents.meta;
        anchor.get_or_insert((m.wall_anchor_ns as i64, m.mono_anchor_ns as i64));
        for msg in contents.messages {
            if let Record::Frame(f) = msg.record {
                let hash = blake3::hash(&f.png).to_hex().to_string();
                frames.push((
                    f.t_ns as i64,
                    f.reason,
                    format!("images/{}/{hash}.png", &hash[..2]),
                    msg.carried,
                ));
            }
        }
    }
    let (wall, mono) = anchor.unwrap();
    let to_mono = |unix: i64| unix - wall + mono;
    frames.sort_by_key(|f| f.0);
    let actions: Vec<&StepView> = steps
        .iter()
        .filter(|s| s.action_type != "terminate")
        .collect();
    for (i, s) in actions.iter().enumerate() {
        let t = to_mono(s.t_start_ns);
        let next = actions
            .get(i + 1)
            .map(|n| to_mono(n.t_start_ns))
            .unwrap_or(i64::MAX);
        let wanted = match s.action_type.as_str() {
            "write" | "press" | "hotkey" => Some(FrameReason::Typing),
            "scroll" => None,
            _ => Some(FrameReason::Click),
        };
        let triggered = frames.iter().find(|f| {
            Some(f.1) == wanted && !f.3 && f.0 >= t && f.0 <= t + 100_000_000 && f.0 < next
        });
        let expected = triggered
            .or_else(|| frames.iter().rev().find(|f| f.0 <= t))
            .map(|f| f.2.as_str());
        assert_eq!(
            s.image.as_deref(),
            expected,
            "frame of step {} ({})",
            s.step,
            s.code
        );
        // Never a frame from after the next action began.
        let shown = to_mono(s.image_t_ns.unwrap());
        assert!(
            shown < next,
            "step {} shows a frame taken after the next action",
            s.step
        );
    }
}
