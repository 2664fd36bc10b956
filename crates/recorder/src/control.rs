//! The control socket: how `tracewell pause`, `resume` and `status` reach
//! a running recorder.
//!
//! A Unix stream socket, created with mode 0600 in a 0700 folder, one
//! command per connection: the client writes one line —
//!
//! - `pause`, `resume`, `status`;
//! - `task-start <instruction>`: a task begins (the instruction, one line of
//!   at most [`MAX_INSTRUCTION`] bytes, is redacted before it is written);
//! - `task-end`, `task-end success`, `task-end failure`: the open task ends;
//!
//! and the recorder answers one line of JSON, `{"state":"paused"|
//! "recording", "task":true|false, "events":…, "frames":…, "bytes":…}`, or
//! `{"error":"…"}`.
//!
//! `pause`, `resume` and `status` are handled by the socket's own thread:
//! once the session has attached its capture's [`PauseSwitch`], a pause
//! takes effect and is answered at once, even while the session loop is
//! busy (reading a whole frame with OCR takes about a second), and the
//! counts come from a [`Snapshot`] the loop keeps current. Task commands
//! write records, so they wait for the loop.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use tracewell_capture::PauseSwitch;
use tracewell_segment::TaskOutcome;

/// A command from a client, with the channel for the answer.
pub struct Command {
    pub verb: Verb,
    pub reply: Sender<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verb {
    Pause,
    Resume,
    Status,
    TaskStart { instruction: String },
    TaskEnd { outcome: Option<TaskOutcome> },
}

/// Longest task instruction accepted, in bytes.
pub const MAX_INSTRUCTION: usize = 2000;

impl Verb {
    /// Parses a command line (without its newline).
    pub fn parse(line: &str) -> Result<Verb, String> {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        match (word, rest) {
            ("pause", "") => Ok(Verb::Pause),
            ("resume", "") => Ok(Verb::Resume),
            ("status", "") => Ok(Verb::Status),
            ("task-start", "") => Err("task-start needs an instruction".into()),
            ("task-start", instruction) if instruction.len() > MAX_INSTRUCTION => {
                Err(format!("the instruction is longer than {MAX_INSTRUCTION} bytes"))
            }
            ("task-start", instruction) => Ok(Verb::TaskStart { instruction: instruction.to_string() }),
            ("task-end", "") => Ok(Verb::TaskEnd { outcome: None }),
            ("task-end", "success") => Ok(Verb::TaskEnd { outcome: Some(TaskOutcome::Success) }),
            ("task-end", "failure") => Ok(Verb::TaskEnd { outcome: Some(TaskOutcome::Failure) }),
            ("task-end", _) => Err("the outcome must be success or failure".into()),
            _ => Err(format!("unknown command {:?}", word.chars().take(20).collect::<String>())),
        }
    }
}

/// The default socket path for a display: `$XDG_RUNTIME_DIR/tracewell/`
/// (or `/tmp/tracewell-<uid>/`) + `recorder-<display>.sock`.
pub fn default_path(display: &str) -> PathBuf {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("tracewell"))
        .unwrap_or_else(|| PathBuf::from(format!("/tmp/tracewell-{}", uid())));
    let name: String = display.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    dir.join(format!("recorder-{name}.sock"))
}

fn uid() -> u32 {
    // The owner of /proc/self is this process's user.
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).unwrap_or(0)
}

/// The state `pause`, `resume` and `status` answer with, kept current by
/// the session loop (and, for `paused`, by the socket thread when it
/// pauses or resumes).
#[derive(Debug, Default)]
pub struct Snapshot {
    pub paused: AtomicBool,
    pub task: AtomicBool,
    pub events: AtomicU64,
    pub frames: AtomicU64,
    pub bytes: AtomicU64,
}

impl Snapshot {
    /// The answer line (without its newline).
    pub fn answer(&self) -> String {
        let paused = self.paused.load(Ordering::SeqCst);
        serde_json::json!({
            "state": if paused { "paused" } else { "recording" },
            "task": self.task.load(Ordering::SeqCst),
            "events": self.events.load(Ordering::Relaxed),
            "frames": self.frames.load(Ordering::Relaxed),
            "bytes": self.bytes.load(Ordering::Relaxed),
        })
        .to_string()
    }
}

/// Listens on the socket until the listener is dropped; commands the
/// socket thread cannot answer itself arrive on the returned receiver.
pub struct ControlServer {
    path: PathBuf,
    closing: Arc<AtomicBool>,
    switch: Arc<OnceLock<PauseSwitch>>,
}

impl ControlServer {
    /// Binds the socket. Fails if another recorder answers on it; a stale
    /// socket file (no one listening) is replaced.
    pub fn bind(path: &Path, snapshot: Arc<Snapshot>) -> std::io::Result<(ControlServer, Receiver<Command>)> {
        if let Some(dir) = path.parent() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("another recorder is running (control socket {})", path.display()),
                ));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        let (tx, rx) = channel();
        let closing = Arc::new(AtomicBool::new(false));
        let switch = Arc::new(OnceLock::new());
        let handler = Handler { loop_tx: tx, snapshot, switch: switch.clone() };
        let stop = closing.clone();
        std::thread::Builder::new().name("tw-control".into()).spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = handler.serve(stream);
                }
            }
        })?;
        Ok((ControlServer { path: path.to_path_buf(), closing, switch }, rx))
    }

    /// From now on `pause` and `resume` are applied through `switch` by the
    /// socket thread. Until then (the capture is not started yet) they go
    /// to the session loop like task commands.
    pub fn attach(&self, switch: PauseSwitch) {
        let _ = self.switch.set(switch);
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        // Wake the accept loop so its thread ends with the recorder.
        self.closing.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the socket thread answers with.
struct Handler {
    loop_tx: Sender<Command>,
    snapshot: Arc<Snapshot>,
    switch: Arc<OnceLock<PauseSwitch>>,
}

impl Handler {
    fn serve(&self, stream: UnixStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut line = String::new();
        BufReader::new(&stream).take(MAX_INSTRUCTION as u64 + 64).read_line(&mut line)?;
        let answer = match Verb::parse(line.trim_end_matches(['\n', '\r'])) {
            Ok(verb) => self.answer(verb)?,
            Err(why) => serde_json::json!({ "error": why }).to_string(),
        };
        let mut out = &stream;
        writeln!(out, "{answer}")
    }

    fn answer(&self, verb: Verb) -> std::io::Result<String> {
        match (&verb, self.switch.get()) {
            (Verb::Pause | Verb::Resume, Some(switch)) => {
                let paused = verb == Verb::Pause;
                switch.set(paused);
                self.snapshot.paused.store(paused, Ordering::SeqCst);
                return Ok(self.snapshot.answer());
            }
            (Verb::Status, _) => return Ok(self.snapshot.answer()),
            _ => {}
        }
        let (reply_tx, reply_rx) = channel();
        self.loop_tx
            .send(Command { verb, reply: reply_tx })
            .map_err(|_| std::io::Error::other("recorder stopped"))?;
        Ok(reply_rx.recv_timeout(Duration::from_secs(5)).unwrap_or_else(|_| "{\"error\":\"no answer\"}".into()))
    }
}

/// Sends one command to a recorder and returns its answer line.
pub fn send(path: &Path, verb: &str) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    writeln!(stream, "{verb}")?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    Ok(answer.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        assert_eq!(Verb::parse("pause"), Ok(Verb::Pause));
        assert_eq!(
            Verb::parse("task-start Open the report and add a title"),
            Ok(Verb::TaskStart { instruction: "Open the report and add a title".into() })
        );
        assert_eq!(Verb::parse("task-end"), Ok(Verb::TaskEnd { outcome: None }));
        assert_eq!(Verb::parse("task-end failure"), Ok(Verb::TaskEnd { outcome: Some(TaskOutcome::Failure) }));
        for bad in ["task-start", "task-start   ", "task-end maybe", "pause now", "reboot", ""] {
            assert!(Verb::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Verb::parse(&format!("task-start {}", "x".repeat(MAX_INSTRUCTION + 1))).is_err());
    }
}
