//! Secure input from the accessibility bus, end to end on a real X server:
//! a user name and a password typed into a GTK login form the policy
//! allows. The user name is recorded; the password's keys are withheld
//! (counted as `secure_keys`) because the accessibility bus says a
//! password entry has focus — no keyboard grab is involved, and no text
//! pattern would recognise this password.

mod common;

use std::time::Duration;

use tracewell_model::{KeyEvent, typed_text};
use tracewell_segment::{Record, list_segments, read_segment};
use tracewell_testbed::{SessionBus, VirtualDisplay, script};

const PASSWORD: &str = "Tr0ub4dor&3-horse";

#[test]
fn keys_typed_into_a_password_entry_are_withheld() {
    let display = VirtualDisplay::start(1024, 600).unwrap();
    let bus = SessionBus::start(display.name()).unwrap();
    let driver = display.driver().unwrap();
    let (_form, window) = script::spawn_login_form(&driver, display.name(), bus.address()).unwrap();
    driver.activate(window).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "version = 1\n[scope]\nallow_apps = [\"Loginform\"]\n").unwrap();
    let out = dir.path().join("rec");
    let child = common::start_record(display.name(), &out, &policy, &[], &[("DBUS_SESSION_BUS_ADDRESS", bus.address())]);
    std::thread::sleep(Duration::from_millis(800));
    driver.type_text("alice").unwrap();
    // Into the password entry; a person takes a moment before typing.
    driver.type_text("\t").unwrap();
    std::thread::sleep(Duration::from_millis(700));
    driver.type_text(PASSWORD).unwrap();
    // Back to the user-name entry (Tab goes round): recorded again.
    driver.type_text("\t").unwrap();
    std::thread::sleep(Duration::from_millis(700));
    driver.type_text("bob").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let output = common::stop_record(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("keyboard grabs only"), "the accessibility bus must be found: {stderr}");

    let mut keys: Vec<KeyEvent> = Vec::new();
    let mut secure_keys = 0;
    for path in list_segments(&out).unwrap() {
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "{} holds the password", path.display());
        for message in read_segment(&path).unwrap().messages.into_iter().filter(|m| !m.carried) {
            match message.record {
                Record::Key(k) => keys.push(k),
                Record::Privacy(p) => secure_keys += p.counts.get("secure_keys").copied().unwrap_or(0),
                _ => {}
            }
        }
    }
    let typed = typed_text(&keys);
    assert!(typed.contains("alice") && typed.contains("bob"), "the user names are recorded: {typed:?}");
    for piece in ["Tr0ub", "4dor", "horse"] {
        assert!(!typed.contains(piece), "typed text holds {piece:?}: {typed:?}");
    }
    // Press and release of every character, Shift for the capitals and `&`.
    assert!(secure_keys as usize >= 2 * PASSWORD.len(), "the password's keys were withheld as secure: {secure_keys}");
}
