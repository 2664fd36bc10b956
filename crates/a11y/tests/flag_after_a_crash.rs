//! The accessibility flag a killed watcher left on is turned off by the
//! next watcher of the session when it stops, unless the watcher that set
//! it still runs. The killed watcher is this test run again as a child
//! process, told so by its environment.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use tracewell_a11y::{accessibility_flag, watch_bus_in};
use tracewell_testbed::{SessionBus, VirtualDisplay};

const CHILD_BUS: &str = "TRACEWELL_A11Y_TEST_CHILD_BUS";
const CHILD_DIR: &str = "TRACEWELL_A11Y_TEST_CHILD_DIR";

/// In the child process: watches until killed.
fn be_the_child() {
    let (Some(bus), Some(dir)) = (std::env::var_os(CHILD_BUS), std::env::var_os(CHILD_DIR)) else { return };
    let _watcher = watch_bus_in(&bus.to_string_lossy(), Some(&PathBuf::from(dir)), |_| {}).expect("watch");
    println!("watching");
    std::thread::sleep(std::time::Duration::from_secs(120));
    std::process::exit(1);
}

/// The child watcher; killed (SIGKILL) when dropped, so that it goes
/// away with a failing test too.
struct ChildWatcher(Child);

impl ChildWatcher {
    /// Runs it and waits until it has turned the flag on.
    fn start(bus: &SessionBus, dir: &std::path::Path) -> ChildWatcher {
        let mut child = ChildWatcher(
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "a_flag_left_on_by_a_killed_watcher_is_restored_by_the_next", "--nocapture", "--test-threads=1"])
                .env(CHILD_BUS, bus.address())
                .env(CHILD_DIR, dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let out = BufReader::new(child.0.stdout.take().unwrap());
        let started = out.lines().map_while(Result::ok).any(|line| line.contains("watching"));
        assert!(started, "the child watcher did not start");
        child
    }

    fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildWatcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_flag_left_on_by_a_killed_watcher_is_restored_by_the_next() {
    be_the_child();
    let display = VirtualDisplay::start(640, 480).unwrap();
    let bus = SessionBus::start(display.name()).unwrap();
    let dir = std::env::temp_dir().join(format!("tw-a11y-lease-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!accessibility_flag(bus.address()).unwrap(), "a fresh session starts with the flag off");

    // A clean stop restores the flag and leaves no note.
    watch_bus_in(bus.address(), Some(&dir), |_| {}).unwrap().stop();
    assert!(!accessibility_flag(bus.address()).unwrap());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);

    // A watcher in another process turns it on ...
    let first = ChildWatcher::start(&bus, &dir);
    assert!(accessibility_flag(bus.address()).unwrap());
    // ... and while it runs, another watcher leaves the flag to it.
    watch_bus_in(bus.address(), Some(&dir), |_| {}).unwrap().stop();
    assert!(accessibility_flag(bus.address()).unwrap(), "the running watcher still needs the flag");

    // Killed, it cannot restore the flag: it stays on ...
    first.kill();
    assert!(accessibility_flag(bus.address()).unwrap());
    // ... until the next watcher of the session stops.
    let next = watch_bus_in(bus.address(), Some(&dir), |_| {}).unwrap();
    assert!(accessibility_flag(bus.address()).unwrap());
    next.stop();
    assert!(!accessibility_flag(bus.address()).unwrap(), "the flag left by the killed watcher is turned off");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
