//! A private Xvfb (and window manager) per test.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt};

use crate::{Driver, Error};

/// An Xvfb server of the test's own, killed (with its window manager) on
/// drop.
pub struct VirtualDisplay {
    name: String,
    server: Child,
    window_manager: Option<Child>,
}

impl VirtualDisplay {
    /// Starts Xvfb at `width`×`height`×24 with openbox managing windows
    /// (a bare Xvfb has no active window).
    pub fn start(width: u32, height: u32) -> Result<VirtualDisplay, Error> {
        let mut display = VirtualDisplay::start_bare(width, height)?;
        let wm = Command::new("openbox")
            .args(["--sm-disable"])
            .env("DISPLAY", &display.name)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Spawn { program: "openbox", reason: e.to_string() })?;
        display.window_manager = Some(wm);
        display.wait_for_window_manager()?;
        Ok(display)
    }

    /// Starts Xvfb alone, without a window manager.
    pub fn start_bare(width: u32, height: u32) -> Result<VirtualDisplay, Error> {
        let mut server = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-noreset", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Spawn { program: "Xvfb", reason: e.to_string() })?;
        let mut line = String::new();
        let stdout = server.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        let number = line.trim();
        if read.is_err() || number.is_empty() || number.parse::<u32>().is_err() {
            let _ = server.kill();
            let _ = server.wait();
            return Err(Error::Timeout(format!("Xvfb did not report a display number (got {line:?})")));
        }
        Ok(VirtualDisplay { name: format!(":{number}"), server, window_manager: None })
    }

    /// The display name, such as `:3`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new client connection that drives this display.
    pub fn driver(&self) -> Result<Driver, Error> {
        Driver::connect(&self.name)
    }

    fn wait_for_window_manager(&self) -> Result<(), Error> {
        let (conn, screen) = x11rb::connect(Some(&self.name))?;
        let root = conn.setup().roots[screen].root;
        let check = conn.intern_atom(false, b"_NET_SUPPORTING_WM_CHECK")?.reply()?.atom;
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let reply = conn.get_property(false, root, check, AtomEnum::WINDOW, 0, 1)?.reply()?;
            if reply.value32().and_then(|mut v| v.next()).is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Error::Timeout("openbox did not start managing the display within 15 s".into()))
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        if let Some(mut wm) = self.window_manager.take() {
            let _ = wm.kill();
            let _ = wm.wait();
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
