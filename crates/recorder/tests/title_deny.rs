//! An allowed window whose title turns into a denied one (a browser tab
//! showing a password manager) is treated as denied from then on: what is
//! typed there is not recorded, and neither is the title.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tracewell_policy::Policy;
use tracewell_recorder::{SessionOptions, record};
use tracewell_segment::{Record, list_segments, read_segment};
use tracewell_testbed::{VirtualDisplay, WindowSpec};

#[test]
fn keys_typed_after_the_title_denies_the_window_are_not_recorded() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let window = driver
        .open_window(&WindowSpec {
            title: "News — Browser".into(),
            class: ("browser".into(), "Browser".into()),
            x: 20,
            y: 20,
            width: 400,
            height: 300,
            color: 0xeeeeee,
        })
        .unwrap();
    driver.activate(window).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let policy = Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Browser\"]\n[redaction]\npixels = \"off\"\n").unwrap();
    let mut options = SessionOptions::new(&out, policy);
    options.display = Some(display.name().to_string());
    let stop = Arc::new(AtomicBool::new(false));
    let session = {
        let (options, stop) = (options.clone(), stop.clone());
        std::thread::spawn(move || record(&options, &stop, |_| {}))
    };
    std::thread::sleep(Duration::from_millis(800));
    driver.type_text("abc").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.set_title(window, "Bitwarden Web Vault — Browser").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("xyz").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.set_title(window, "Weather — Browser").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("def").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::SeqCst);
    let summary = session.join().unwrap().unwrap();

    let mut typed = String::new();
    let mut titles = Vec::new();
    for segment in list_segments(&out).unwrap() {
        let contents = read_segment(segment).unwrap();
        assert_eq!(contents.meta.hostname, "", "the machine's name is left out");
        for m in contents.messages {
            match m.record {
                Record::Key(k) => typed.extend(k.text),
                Record::Window(w) => titles.push(w.window.and_then(|w| w.title)),
                _ => {}
            }
        }
    }
    assert_eq!(typed, "abcdef", "{summary:?}");
    assert!(!titles.iter().flatten().any(|t| t.contains("Bitwarden")), "{titles:?}");
    // Left (no window named), then back.
    assert!(titles.contains(&None) && titles.contains(&Some("Weather — Browser".into())), "{titles:?}");
    assert_eq!(summary.stats.withheld.keys, 6, "{:?}", summary.stats.withheld);
}
