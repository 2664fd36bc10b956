//! A private D-Bus session bus per test, for what lives on it: the
//! accessibility bus (AT-SPI) that toolkits publish their widgets on.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};

use crate::Error;

/// A `dbus-daemon --session` of the test's own. Services it starts on
/// demand (the accessibility bus launcher, the AT-SPI registry) run in its
/// process group, and the whole group is killed on drop.
pub struct SessionBus {
    daemon: Child,
    address: String,
}

impl SessionBus {
    /// Starts the daemon for `display` (the services it starts get it as
    /// `DISPLAY`) and reads its address.
    pub fn start(display: &str) -> Result<SessionBus, Error> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .env("DISPLAY", display)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Spawn { program: "dbus-daemon", reason: e.to_string() })?;
        let mut line = String::new();
        let stdout = daemon.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        let address = line.trim().to_string();
        if read.is_err() || !address.contains(':') {
            let _ = daemon.kill();
            let _ = daemon.wait();
            return Err(Error::Timeout(format!("dbus-daemon did not report its address (got {line:?})")));
        }
        Ok(SessionBus { daemon, address })
    }

    /// The value for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        // The daemon's group: it and every service it activated.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.daemon.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
