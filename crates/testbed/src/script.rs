//! A scripted person: steady typing, clicking and window switching, for
//! demos and benchmarks.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::protocol::xproto::Window;

use crate::{Driver, Error};

/// A program of the test's own on the test display, killed on drop.
pub struct ClientProcess(Child);

impl Drop for ClientProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts an xterm with a title and geometry (`COLSxROWS+X+Y`) running a
/// plain shell, and waits for its window.
pub fn spawn_xterm(
    driver: &Driver,
    display: &str,
    title: &str,
    geometry: &str,
) -> Result<(ClientProcess, Window), Error> {
    spawn_xterm_running(driver, display, title, geometry, None)
}

/// Like [`spawn_xterm`], running `command` in the shell first (to fill the
/// terminal with text).
pub fn spawn_xterm_running(
    driver: &Driver,
    display: &str,
    title: &str,
    geometry: &str,
    command: Option<&str>,
) -> Result<(ClientProcess, Window), Error> {
    spawn_xterm_sized(driver, display, title, geometry, command, 11)
}

/// Like [`spawn_xterm_running`], with the monospace font at `points`
/// (11 elsewhere; at the display's 96 dpi, 8 pt makes 7×13 px cells).
pub fn spawn_xterm_sized(
    driver: &Driver,
    display: &str,
    title: &str,
    geometry: &str,
    command: Option<&str>,
    points: u32,
) -> Result<(ClientProcess, Window), Error> {
    let script = match command {
        Some(c) => format!("{c}; exec bash --norc --noprofile"),
        None => "exec bash --norc --noprofile".to_string(),
    };
    let child = Command::new("xterm")
        .args(["-T", title, "-geometry", geometry, "-fa", "Monospace", "-fs", &points.to_string()])
        .args(["-xrm", "XTerm*allowTitleOps: false", "-e", "bash", "--norc", "--noprofile", "-c", &script])
        .env("DISPLAY", display)
        .env("PS1", "$ ")
        .env_remove("PROMPT_COMMAND")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Spawn { program: "xterm", reason: e.to_string() })?;
    let process = ClientProcess(child);
    let window = driver.wait_for_title(title, Duration::from_secs(15))?;
    Ok((process, window))
}

/// The pace of a scripted session.
#[derive(Clone, Debug)]
pub struct Pace {
    pub keys_per_second: f64,
    pub clicks_per_second: f64,
    pub switch_every: Duration,
}

impl Default for Pace {
    /// About 5 keys and 1 click a second, a window switch every 10 s.
    fn default() -> Pace {
        Pace { keys_per_second: 5.0, clicks_per_second: 1.0, switch_every: Duration::from_secs(10) }
    }
}

/// What a scripted session did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Performed {
    pub keys: u64,
    pub clicks: u64,
    pub switches: u64,
}

/// The GTK login form of [`spawn_login_form`]: a window titled
/// `Login form` with `WM_CLASS` `loginform`/`Loginform`, a user-name entry
/// (focused first) and a password entry (characters hidden) below it.
const LOGIN_FORM: &str = r#"
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk
GLib.set_prgname("loginform")
window = Gtk.Window(title="Login form")
window.set_default_size(360, 120)
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8)
user = Gtk.Entry()
password = Gtk.Entry()
password.set_visibility(False)
box.add(user)
box.add(password)
window.add(box)
window.connect("destroy", Gtk.main_quit)
window.show_all()
user.grab_focus()
Gtk.main()
"#;

/// Starts the GTK login form on `display`, publishing its widgets on the
/// accessibility bus of `session_bus` (`DBUS_SESSION_BUS_ADDRESS`), and
/// waits for its window. Needs Debian's `python3-gi` and
/// `gir1.2-gtk-3.0`.
pub fn spawn_login_form(driver: &Driver, display: &str, session_bus: &str) -> Result<(ClientProcess, Window), Error> {
    let child = Command::new("/usr/bin/python3")
        .args(["-c", LOGIN_FORM])
        .env("DISPLAY", display)
        .env("DBUS_SESSION_BUS_ADDRESS", session_bus)
        .env_remove("NO_AT_BRIDGE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Spawn { program: "python3 (GTK)", reason: e.to_string() })?;
    let process = ClientProcess(child);
    let window = driver.wait_for_title("Login form", Duration::from_secs(20))?;
    Ok((process, window))
}

/// Types shell comments (harmless if they reach a shell), clicks inside
/// the active window and cycles through `windows` for `duration`.
/// `areas` gives each window's clickable rectangle (x, y, width, height).
pub fn run_session(
    driver: &Driver,
    windows: &[(Window, (i16, i16, u16, u16))],
    pace: &Pace,
    duration: Duration,
) -> Result<Performed, Error> {
    const TEXT: &str = "# the quick brown fox jumps over the lazy dog while we record\n";
    let start = Instant::now();
    let mut done = Performed::default();
    let mut text = TEXT.chars().cycle();
    let mut current = 0usize;
    let key_interval = Duration::from_secs_f64(1.0 / pace.keys_per_second.max(0.01));
    let click_interval = Duration::from_secs_f64(1.0 / pace.clicks_per_second.max(0.01));
    let (mut next_key, mut next_click, mut next_switch) =
        (key_interval, click_interval, pace.switch_every);
    // A small deterministic generator for click positions.
    let mut seed: u32 = 0x9e37_79b9;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    if let Some(&(window, _)) = windows.first() {
        driver.activate(window)?;
    }
    while start.elapsed() < duration {
        let now = start.elapsed();
        if now >= next_switch && windows.len() > 1 {
            current = (current + 1) % windows.len();
            driver.activate(windows[current].0)?;
            done.switches += 1;
            next_switch += pace.switch_every;
        }
        if now >= next_click {
            let (x, y, w, h) = windows[current].1;
            let px = x + 10 + (random() % (w.saturating_sub(20).max(1) as u32)) as i16;
            let py = y + 10 + (random() % (h.saturating_sub(20).max(1) as u32)) as i16;
            driver.move_pointer(px, py)?;
            driver.click(1)?;
            done.clicks += 1;
            next_click += click_interval;
        }
        if now >= next_key {
            let c = text.next().unwrap_or(' ');
            driver.type_text(&c.to_string())?;
            done.keys += 1;
            next_key += key_interval;
        }
        let next = next_key.min(next_click).min(next_switch);
        std::thread::sleep(next.saturating_sub(start.elapsed()).min(Duration::from_millis(50)));
    }
    Ok(done)
}
