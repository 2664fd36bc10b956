//! The X11 backend: RECORD for input, EWMH properties for windows, DAMAGE
//! to learn when the screen changed, and `GetImage` for frames.
//!
//! Threads: the RECORD data stream ([`record`]), a reader of this client's
//! own X events (property changes, damage), and the coordinator
//! ([`coordinator`]) that turns both into one ordered stream of
//! [`Event`]s, coalescing motion and deciding when to take frames.

mod atoms;
mod coordinator;
mod record;
mod screen;
mod windows;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use tracewell_model::Event;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::Event as XEvent;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::record::ConnectionExt as _;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ClientMessageEvent, ConnectionExt as _, CreateWindowAux,
    EventMask, Window, WindowClass,
};
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

pub use screen::{TileMap, grab};

use crate::{CaptureOptions, Error};
use atoms::Atoms;

/// Messages into the coordinator.
enum Msg {
    /// RECORD is live: capture may report itself started.
    Ready,
    Input(Event),
    /// The RECORD stream ended (disabled, or the connection failed).
    InputEnded(Option<Error>),
    ActiveWindowChanged,
    PropertyChanged { window: Window },
    Damage,
    /// The X event reader stopped (stop requested or connection lost).
    XEnded(Option<Error>),
}

/// A running capture of one X display.
///
/// Events arrive in order on [`X11Capture::recv_timeout`]; [`X11Capture::stop`]
/// ends capture and returns once every thread has finished.
pub struct X11Capture {
    events: Receiver<Result<Event, Error>>,
    ctrl: Arc<RustConnection>,
    main: Arc<RustConnection>,
    context: u32,
    wake_window: Window,
    wake_atom: u32,
    stopping: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    screen_size: (u32, u32),
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
            &ChangeWindowAttributesAux::new().event_mask(EventMask::PROPERTY_CHANGE),
        )?
        .check()?;
        // An unmapped window of our own, to wake the event reader at stop.
        let wake_window = main.generate_id()?;
        main.create_window(0, wake_window, root, 0, 0, 1, 1, 0, WindowClass::INPUT_ONLY, 0, &CreateWindowAux::new())?
            .check()?;

        let ctrl = Arc::new(ctrl);
        let main = Arc::new(main);
        let context = record::create_context(&ctrl)?;
        let (tx, rx) = mpsc::sync_channel::<Msg>(1024);
        let (out_tx, out_rx) = mpsc::sync_channel::<Result<Event, Error>>(256);
        let stopping = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();

        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| Error::Connection(format!("cannot start a capture thread: {e}")))
        };
        {
            let (ctrl, tx) = (ctrl.clone(), tx.clone());
            threads.push(spawn("tw-record", Box::new(move || record::run(data, ctrl, context, tx)))?);
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
            threads.push(spawn(
                "tw-xevents",
                Box::new(move || read_x_events(&main, root, atoms, wake_atom, &stopping, &tx)),
            )?);
        }
        drop(tx);
        let size = {
            let g = main.get_geometry(root)?.reply()?;
            (g.width as u32, g.height as u32)
        };
        {
            let main = main.clone();
            let mut coordinator = coordinator::Coordinator::new(main, root, atoms, damage_id, options, out_tx);
            threads.push(spawn("tw-capture", Box::new(move || coordinator.run(rx)))?);
        }
        Ok(X11Capture {
            events: out_rx,
            ctrl,
            main,
            context,
            wake_window,
            wake_atom: atoms.TRACEWELL_WAKE,
            stopping,
            threads,
            screen_size: size,
        })
    }

    /// The next event, waiting at most `timeout`. `Ok(None)` on timeout;
    /// `Err` when capture failed (the X server went away, say). After
    /// [`X11Capture::stop`]'s drain, the stream ends.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Event>, Error> {
        match self.events.recv_timeout(timeout) {
            Ok(Ok(event)) => Ok(Some(event)),
            Ok(Err(e)) => Err(e),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Error::Connection("capture stopped".into()))
            }
        }
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
    /// ends its threads and its RECORD context.
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Forwards this client's X events (property changes, damage) to the
/// coordinator until woken for stop or the connection fails.
fn read_x_events(
    conn: &RustConnection,
    root: Window,
    atoms: Atoms,
    wake_atom: u32,
    stopping: &AtomicBool,
    tx: &SyncSender<Msg>,
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
            XEvent::ClientMessage(m) if m.type_ == wake_atom => break None,
            _ => continue,
        };
        if tx.send(msg).is_err() {
            break None;
        }
    };
    let _ = tx.send(Msg::XEnded(end));
}
