//! On a real X server with a real accessibility bus: a GTK form's
//! password entry is reported when it gains focus and when it loses it;
//! the user-name entry is not.

use std::sync::mpsc;
use std::time::Duration;

use tracewell_testbed::{SessionBus, VirtualDisplay, script};

#[test]
fn focus_on_a_password_entry_is_reported_and_nothing_else() {
    let display = VirtualDisplay::start(800, 600).unwrap();
    let bus = SessionBus::start(display.name()).unwrap();
    let driver = display.driver().unwrap();
    let (tx, rx) = mpsc::channel();
    let watcher = tracewell_a11y::watch_bus(bus.address(), move |on| {
        let _ = tx.send(on);
    })
    .unwrap();
    let (_form, window) = script::spawn_login_form(&driver, display.name(), bus.address()).unwrap();
    driver.activate(window).unwrap();
    // The user-name entry has focus: nothing to report.
    driver.type_text("alice").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_millis(1500)).ok(), None, "a plain entry is not a password field");
    // Tab to the password entry, and on out of it.
    driver.type_text("\t").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).ok(), Some(true), "focus on the password entry");
    driver.type_text("\t").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).ok(), Some(false), "focus left the password entry");
    watcher.stop();
}

#[test]
fn without_a_session_bus_it_says_so() {
    let err = tracewell_a11y::watch_bus("unix:path=/nonexistent/tracewell-bus", |_| {}).unwrap_err();
    assert!(err.to_string().contains("accessibility bus"), "{err}");
}
