//! An allowed window whose title turns into a denied one (a browser tab
//! showing a password manager) is treated as denied from then on: what is
//! typed there is not recorded, and neither is the title.

mod common;

use std::time::Duration;

use common::{Running, options, records, window};
use tracewell_segment::Record;
use tracewell_testbed::VirtualDisplay;

#[test]
fn keys_typed_after_the_title_denies_the_window_are_not_recorded() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let browser = window(&driver, "News — Browser", "Browser", (20, 20), (400, 300), 0xeeeeee);
    driver.activate(browser).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let session = Running::start(&options(&display, &out, "Browser", "off"));
    std::thread::sleep(Duration::from_millis(800));
    driver.type_text("abc").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.set_title(browser, "Bitwarden Web Vault — Browser").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("xyz").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.set_title(browser, "Weather — Browser").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("def").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let summary = session.finish();

    let (records, hosts) = records(&out);
    assert!(hosts.iter().all(String::is_empty), "the machine's name is left out: {hosts:?}");
    let mut typed = String::new();
    let mut titles = Vec::new();
    for record in records {
        match record {
            Record::Key(k) => typed.extend(k.text),
            Record::Window(w) => titles.push(w.window.and_then(|w| w.title)),
            _ => {}
        }
    }
    assert_eq!(typed, "abcdef", "{summary:?}");
    assert!(!titles.iter().flatten().any(|t| t.contains("Bitwarden")), "{titles:?}");
    // Left (no window named), then back.
    assert!(titles.contains(&None) && titles.contains(&Some("Weather — Browser".into())), "{titles:?}");
    assert_eq!(summary.stats.withheld.keys, 6, "{:?}", summary.stats.withheld);
}
