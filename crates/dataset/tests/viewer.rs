//! The HTML viewer renders in headless Chromium without script errors, and
//! its screenshot shows a frame with the action drawn on it (`apt-get
//! install chromium`; skipped with a notice without it).

mod common;

use std::process::Command;

use common::chromium;
use common::synth::write_recording;
use tracewell_dataset::{BuildOptions, Source, build};

fn headless(browser: &str, profile: &std::path::Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=5000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn the_viewer_renders_frames_with_overlays() {
    let Some(browser) = chromium() else {
        println!("SKIPPED: Chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_recording(&dir.path().join("rec"), "view-a", 1, 1, (640, 400));
    let out = dir.path().join("out");
    build(
        &[Source::Path(dir.path().join("rec"))],
        &BuildOptions::new(&out),
        |_| {},
    )
    .unwrap();
    // Step 4 is the drag; step 2 the click.
    let url = format!("file://{}#e=0&s=4", out.join("viewer.html").display());
    let profile = dir.path().join("profile");

    let dom = headless(browser, &profile)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let html_tag = dom
        .find("<html")
        .and_then(|i| dom[i..].find('>').map(|j| &dom[i..i + j]))
        .unwrap_or("");
    assert!(
        html_tag.contains("data-rendered=\"ok\""),
        "the viewer did not finish rendering:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(!html_tag.contains("data-error"), "script error: {html_tag}");
    assert!(dom.contains("<polyline"), "no drag path drawn");
    assert!(dom.contains("images/"), "no frame shown");

    let shot = dir.path().join("shot.png");
    let run = headless(browser, &profile)
        .arg("--window-size=1200,900")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let magenta = pixels
        .chunks(channels)
        .filter(|p| p[0] > 240 && p[1] < 20 && p[2] > 240)
        .count();
    // The synthetic frame is grey with coloured rows; the overlay is magenta.
    let grey = pixels
        .chunks(channels)
        .filter(|p| p[0] == 0x40 && p[1] == 0x40 && p[2] == 0x40)
        .count();
    assert!(
        magenta > 200,
        "no overlay in the screenshot ({magenta} magenta pixels)"
    );
    assert!(
        grey > 10_000,
        "no frame in the screenshot ({grey} frame pixels)"
    );
}
