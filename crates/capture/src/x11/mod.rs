//! The X11 backend: RECORD for input, EWMH properties for windows, DAMAGE
//! to learn when the screen changed, and `GetImage` for frames.
//!
//! Threads: the RECORD data stream ([`record`]), a reader of this client's
//! own X events (property and focus changes, damage, the pause hotkey, the
//! indicator's exposes), and the coordinator ([`coordinator`]) that turns
//! both into one ordered stream of [`Event`]s, coalescing motion and
//! deciding when to take frames. While capture runs, the [`indicator`]
//! says so on screen.

mod atoms;
mod coordinator;
mod indicator;
mod record;
mod screen;
mod windows;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use tracewell_model::{Event, PauseSource};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::Event as XEvent;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::record::ConnectionExt as _;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ClientMessageEvent, ConnectionExt as _, CreateWindowAux,
    EventMask, GrabMode, ModMask, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;

pub use coordinator::MAX_QUEUED_FRAMES;
pub use screen::{TileMap, grab};

use crate::{CaptureOptions, Error, HotkeySpec, Keymap};
use atoms::Atoms;

/// Messages into the coordinator.
enum Msg {
    /// RECORD is live: capture may report itself started.
    Ready,
    Input(Event),
    /// The RECORD stream ended for good (stopped, or the connection failed).
    InputEnded(Option<Error>),
    ActiveWindowChanged,
    PropertyChanged { window: Window },
    Damage,
    /// A keyboard grab by another client began (`true`) or ended, as seen
    /// in the RECORD stream (so in order with the key events).
    Focus { grabbed: bool },
    /// A password field gained (`true`) or lost focus, as another source
    /// (the accessibility bus) saw it.
    PasswordField { focused: bool },
    /// The pause hotkey was pressed.
    Hotkey,
    /// The indicator must be redrawn or raised.
    Indicator,
    /// `set_paused` from the owner of the capture.
    Command { pause: bool, source: PauseSource },
    /// The X event reader stopped (stop requested or connection lost).
    XEnded(Option<Error>),
}

/// Reports focus on password fields to a running capture; see
/// [`X11Capture::password_field_signal`]. Cheap to clone, `Send`.
#[derive(Clone)]
pub struct PasswordFieldSignal(Sender<Msg>);

impl PasswordFieldSignal {
    /// A password field gained (`true`) or lost (`false`) focus.
    pub fn set(&self, focused: bool) {
        let _ = self.0.send(Msg::PasswordField { focused });
    }
}

impl std::fmt::Debug for PasswordFieldSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordFieldSignal")
    }
}

/// Pauses and resumes a running capture from another thread; see
/// [`X11Capture::pause_switch`]. Cheap to clone, `Send`.
#[derive(Clone)]
pub struct PauseSwitch(Sender<Msg>);

impl PauseSwitch {
    /// Pauses (`true`) or resumes (`false`) capture, as
    /// [`X11Capture::set_paused`] does.
    pub fn set(&self, paused: bool) {
        let _ = self.0.send(Msg::Command { pause: paused, source: PauseSource::Command });
    }
}

impl std::fmt::Debug for PauseSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PauseSwitch")
    }
}

/// A running capture of one X display.
///
/// Events arrive in order on [`X11Capture::recv_timeout`]; [`X11Capture::stop`]
/// ends capture and returns once every thread has finished. While it runs,
/// an indicator window on the display says "recording" or "paused".
pub struct X11Capture {
    events: Receiver<Result<Event, Error>>,
    control: Sender<Msg>,
    ctrl: Arc<RustConnection>,
    main: Arc<RustConnection>,
    context: u32,
    wake_window: Window,
    wake_atom: u32,
    stopping: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    screen_size: (u32, u32),
    hotkey_grabbed: bool,
    backlog: Arc<coordinator::FrameBacklog>,
}

impl X11Capture {
    /// Connects to `display` (or `$DISPLAY`) and starts capturing.
    pub fn start(display: Option<&str>, options: CaptureOptions) -> Result<X11Capture, Error> {
        let name = match display {
            Some(d) => d.to_string(),
            None => std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()).ok_or(Error::NoDisplay)?,
        };
        let connect = || {
            x11rb::connect(Some(&name))
                .map_err(|e| Error::Connect { display: name.clone(), reason: e.to_string() })
        };
        let (main, screen_num) = connect()?;
        let (ctrl, _) = connect()?;
        let (data, _) = connect()?;
        let root = main.setup().roots[screen_num].root;
        let atoms = Atoms::new(&main)?.reply()?;

        for (ext, name) in [
            (damage::X11_EXTENSION_NAME, "DAMAGE"),
            (x11rb::protocol::xfixes::X11_EXTENSION_NAME, "XFIXES"),
        ] {
            if main.extension_information(ext)?.is_none() {
                return Err(Error::MissingExtension(name));
            }
        }
        main.xfixes_query_version(5, 0)?.reply()?;
        main.damage_query_version(1, 1)?.reply()?;
        let damage_id = main.generate_id()?;
        main.damage_create(damage_id, root, damage::ReportLevel::NON_EMPTY)?.check()?;
        main.change_window_attributes(
            root,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::PROPERTY_CHANGE | EventMask::FOCUS_CHANGE),
        )?
        .check()?;
        // An unmapped window of our own, to wake the event reader at stop.
        let wake_window = main.generate_id()?;
        main.create_window(0, wake_window, root, 0, 0, 1, 1, 0, WindowClass::INPUT_ONLY, 0, &CreateWindowAux::new())?
            .check()?;

        let keymap = record::load_keymap(&ctrl)?;
        let hotkey = options.pause_hotkey.and_then(|spec| grab_hotkey(&main, root, &keymap, spec));
        let size = {
            let g = main.get_geometry(root)?.reply()?;
            (g.width as u32, g.height as u32)
        };
        let indicator = indicator::Indicator::show(&main, root, size.0 as u16, &atoms)?;

        let ctrl = Arc::new(ctrl);
        let main = Arc::new(main);
        let context = record::create_context(&ctrl)?;
        // Unbounded on purpose: the RECORD and event readers must never
        // stop reading their connections. When a bounded queue filled (the
        // owner busy, say with OCR, for a burst of input), the server had
        // to hold the recorded data itself, and Debian's Xvfb then dropped
        // single key events (1 run in 6 of a 3,430-event burst) or spun at
        // full CPU. Messages are small; frames travel on `out`, bounded.
        let (tx, rx) = mpsc::channel::<Msg>();
        let (out_tx, out_rx) = mpsc::sync_channel::<Result<Event, Error>>(256);
        let (resume_tx, resume_rx) = mpsc::channel::<()>();
        let backlog = Arc::new(coordinator::FrameBacklog::default());
        let stopping = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();

        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| Error::Connection(format!("cannot start a capture thread: {e}")))
        };
        {
            let (ctrl, tx, stopping) = (ctrl.clone(), tx.clone(), stopping.clone());
            let active_window = record::ActiveWindowProperty { root, atom: atoms._NET_ACTIVE_WINDOW };
            threads.push(spawn(
                "tw-record",
                Box::new(move || record::run(data, ctrl, context, active_window, tx, resume_rx, stopping)),
            )?);
        }
        // Wait until RECORD is live, so no input after `start` returns is missed.
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Msg::Ready) => {}
            Ok(Msg::InputEnded(Some(e))) => return Err(e),
            _ => return Err(Error::Request("the RECORD extension did not start recording".into())),
        }
        {
            let (main, tx, stopping) = (main.clone(), tx.clone(), stopping.clone());
            let wake_atom = atoms.TRACEWELL_WAKE;
            let indicator_window = indicator.window;
            threads.push(spawn(
                "tw-xevents",
                Box::new(move || read_x_events(&main, root, atoms, wake_atom, indicator_window, &stopping, &tx)),
            )?);
        }
        {
            let setup = coordinator::Setup {
                conn: main.clone(),
                ctrl: ctrl.clone(),
                context,
                root,
                atoms,
                damage: damage_id,
                options,
                indicator,
                hotkey_keycode: hotkey,
                resume: resume_tx,
                backlog: backlog.clone(),
            };
            let mut coordinator = coordinator::Coordinator::new(setup, out_tx);
            threads.push(spawn("tw-capture", Box::new(move || coordinator.run(rx)))?);
        }
        Ok(X11Capture {
            events: out_rx,
            control: tx,
            ctrl,
            main,
            context,
            wake_window,
            wake_atom: atoms.TRACEWELL_WAKE,
            stopping,
            threads,
            screen_size: size,
            hotkey_grabbed: hotkey.is_some(),
            backlog,
        })
    }

    /// The next event, waiting at most `timeout`. `Ok(None)` on timeout;
    /// `Err` when capture failed (the X server went away, say).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Event>, Error> {
        match self.events.recv_timeout(timeout) {
            Ok(Ok(event)) => {
                if matches!(event, Event::Frame(_)) {
                    self.backlog.queued.fetch_sub(1, Ordering::SeqCst);
                }
                Ok(Some(event))
            }
            Ok(Err(e)) => Err(e),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Error::Connection("capture stopped".into()))
            }
        }
    }

    /// Pauses (nothing is observed: input recording is switched off in the
    /// server and no frame is taken) or resumes capture. The change shows
    /// in the stream as [`Event::Paused`].
    pub fn set_paused(&self, paused: bool) {
        self.set_paused_by(paused, PauseSource::Command);
    }

    /// [`X11Capture::set_paused`], naming who asked.
    pub fn set_paused_by(&self, paused: bool, source: PauseSource) {
        let _ = self.control.send(Msg::Command { pause: paused, source });
    }

    /// A handle that pauses and resumes capture from any thread, so that
    /// a pause command takes effect at once, not when the thread that
    /// reads events is next free (it may be busy redacting a frame).
    pub fn pause_switch(&self) -> PauseSwitch {
        PauseSwitch(self.control.clone())
    }

    /// A handle through which another observer of the desktop (the
    /// accessibility bus watcher) reports focus on password fields: while
    /// one has focus, input is secure — key events are withheld as during
    /// a keyboard grab.
    pub fn password_field_signal(&self) -> PasswordFieldSignal {
        PasswordFieldSignal(self.control.clone())
    }

    /// Whether the pause hotkey could be grabbed (another application may
    /// own the chord).
    pub fn hotkey_grabbed(&self) -> bool {
        self.hotkey_grabbed
    }

    /// Frames not taken so far because [`MAX_QUEUED_FRAMES`] were still
    /// waiting to be received (the receiver busy, say with OCR). The
    /// screen is taken again once it catches up.
    pub fn frames_skipped(&self) -> u64 {
        self.backlog.skipped.load(Ordering::Relaxed)
    }

    /// The root window's size when capture started.
    pub fn screen_size(&self) -> (u32, u32) {
        self.screen_size
    }

    /// Stops capturing and returns every event not yet received, in order.
    pub fn stop(mut self) -> Vec<Event> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Vec<Event> {
        if self.threads.is_empty() {
            return Vec::new();
        }
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.ctrl.record_disable_context(self.context);
        let _ = self.ctrl.flush();
        let wake = ClientMessageEvent::new(32, self.wake_window, self.wake_atom, [0u32; 5]);
        let _ = self.main.send_event(false, self.wake_window, EventMask::NO_EVENT, wake);
        let _ = self.main.flush();
        let mut rest = Vec::new();
        // Drain while the threads finish, so none blocks on a full channel.
        loop {
            match self.events.recv_timeout(Duration::from_millis(20)) {
                Ok(Ok(event)) => rest.push(event),
                Ok(Err(_)) => {}
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    if self.threads.iter().all(|t| t.is_finished()) {
                        rest.extend(self.events.try_iter().filter_map(Result::ok));
                        break;
                    }
                }
            }
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let _ = self.ctrl.record_free_context(self.context);
        let _ = self.ctrl.flush();
        rest
    }
}

impl Drop for X11Capture {
    /// A capture dropped without [`X11Capture::stop`] (an error path) still
    /// ends its threads, its RECORD context and its indicator.
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Grabs the pause chord on the root window (with and without the lock
/// modifiers). Returns its keycode, or `None` if the keyboard has no such
/// key or another client owns the chord.
fn grab_hotkey(conn: &RustConnection, root: Window, keymap: &Keymap, spec: HotkeySpec) -> Option<u8> {
    let keycode = keymap.keycode(spec.keysym)?;
    let base = keymap.chord_mask(spec.ctrl, spec.alt, spec.shift, spec.super_);
    let [lock, num] = keymap.lock_masks();
    let variants = [0, lock, num, lock | num];
    let mut grabbed = Vec::new();
    for extra in variants {
        let modifiers = ModMask::from(base | extra);
        match conn.grab_key(false, root, modifiers, keycode, GrabMode::ASYNC, GrabMode::ASYNC).map(|c| c.check()) {
            Ok(Ok(())) => grabbed.push(modifiers),
            _ => {
                for m in grabbed {
                    let _ = conn.ungrab_key(keycode, root, m);
                }
                return None;
            }
        }
    }
    Some(keycode)
}

/// Forwards this client's X events to the coordinator until woken for
/// stop or the connection fails.
fn read_x_events(
    conn: &RustConnection,
    root: Window,
    atoms: Atoms,
    wake_atom: u32,
    indicator: Window,
    stopping: &AtomicBool,
    tx: &Sender<Msg>,
) {
    let end = loop {
        let event = match conn.wait_for_event() {
            Ok(event) => event,
            Err(e) => break (!stopping.load(Ordering::SeqCst)).then(|| Error::from(e)),
        };
        let msg = match event {
            XEvent::PropertyNotify(p) if p.window == root => {
                if p.atom != atoms._NET_ACTIVE_WINDOW {
                    continue;
                }
                Msg::ActiveWindowChanged
            }
            XEvent::PropertyNotify(p)
                if p.atom == atoms._NET_WM_NAME || p.atom == u32::from(AtomEnum::WM_NAME) =>
            {
                Msg::PropertyChanged { window: p.window }
            }
            XEvent::DamageNotify(_) => Msg::Damage,
            XEvent::KeyPress(_) => Msg::Hotkey,
            XEvent::Expose(e) if e.window == indicator && e.count == 0 => Msg::Indicator,
            XEvent::VisibilityNotify(v) if v.window == indicator => Msg::Indicator,
            XEvent::ClientMessage(m) if m.type_ == wake_atom => break None,
            _ => continue,
        };
        if tx.send(msg).is_err() {
            break None;
        }
    };
    let _ = tx.send(Msg::XEnded(end));
}
