//! The coordinator: one thread that orders everything capture reports,
//! coalesces pointer motion, follows the active window and its title, and
//! decides when to take a frame.
//!
//! Frames are taken when something happened *and* the screen may have
//! changed since the last frame (DAMAGE said so):
//! - at action boundaries — a button press, the first key press of a
//!   typing run, a change of active window — at most once per
//!   `min_action_frame_interval`;
//! - when the screen changed, at most `max_fps` times a second.
//!
//! A grab identical to the previous frame is dropped, so a frame in the
//! stream always shows something new.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use tracewell_model::{
    Event, Frame, FrameReason, Monitor, MonoNs, MotionEvent, PressState, WindowChange,
    WindowEvent, WindowInfo,
};
use x11rb::connection::Connection;
use x11rb::protocol::damage::ConnectionExt as _;
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _, EventMask, Window};
use x11rb::rust_connection::RustConnection;

use super::atoms::Atoms;
use super::{Msg, screen, windows};
use crate::{CaptureOptions, Error, clock};

pub struct Coordinator {
    conn: Arc<RustConnection>,
    root: Window,
    atoms: Atoms,
    damage: u32,
    options: CaptureOptions,
    out: SyncSender<Result<Event, Error>>,
    active: Option<WindowInfo>,
    /// The screen may differ from the last frame.
    dirty: bool,
    last_frame_ns: Option<MonoNs>,
    /// Tile fingerprints of the last frame (its pixels are not kept).
    previous: screen::TileMap,
    previous_size: (u32, u32),
    monitors: Vec<Monitor>,
    pending_motion: Option<MotionEvent>,
    last_motion_ns: MonoNs,
    last_key_press_ns: Option<MonoNs>,
    /// When the active window went away, if no other has become active
    /// since: window managers clear `_NET_ACTIVE_WINDOW` for a moment while
    /// switching, so "no active window" is reported only once it lasts.
    inactive_since: Option<MonoNs>,
    open: bool,
}

/// How long "no active window" must last before it is reported.
const INACTIVE_GRACE_NS: u64 = 150_000_000;

impl Coordinator {
    pub fn new(
        conn: Arc<RustConnection>,
        root: Window,
        atoms: Atoms,
        damage: u32,
        options: CaptureOptions,
        out: SyncSender<Result<Event, Error>>,
    ) -> Coordinator {
        Coordinator {
            conn,
            root,
            atoms,
            damage,
            options,
            out,
            active: None,
            dirty: true,
            last_frame_ns: None,
            previous: screen::TileMap::default(),
            previous_size: (0, 0),
            monitors: Vec::new(),
            pending_motion: None,
            last_motion_ns: 0,
            last_key_press_ns: None,
            inactive_since: None,
            open: true,
        }
    }

    pub fn run(&mut self, rx: Receiver<Msg>) {
        self.window_changed(WindowChange::Activated);
        self.frame(FrameReason::Start, Duration::ZERO);
        let mut ended = 0;
        while self.open && ended < 2 {
            let timeout = self.next_deadline().map_or(Duration::from_millis(200), |deadline| {
                Duration::from_nanos(deadline.saturating_sub(clock::now_ns()))
            });
            match rx.recv_timeout(timeout) {
                Ok(Msg::Input(event)) => self.input(event),
                Ok(Msg::ActiveWindowChanged) => self.window_changed(WindowChange::Activated),
                Ok(Msg::PropertyChanged { window }) => {
                    if self.active.as_ref().is_some_and(|w| w.id == window) {
                        self.window_changed(WindowChange::TitleChanged);
                    }
                }
                Ok(Msg::Damage) => self.dirty = true,
                Ok(Msg::Ready) => {}
                Ok(Msg::InputEnded(error) | Msg::XEnded(error)) => {
                    ended += 1;
                    if let Some(e) = error {
                        self.emit(Err(e));
                        break;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.on_time();
        }
        self.flush_motion();
    }

    /// When something is due: a coalesced motion sample or a change frame.
    fn next_deadline(&self) -> Option<MonoNs> {
        let motion = self.pending_motion.map(|_| self.last_motion_ns + self.motion_interval());
        let frame = (self.dirty && self.options.frames).then(|| self.next_change_frame_ns());
        let inactive = self.inactive_since.map(|t| t + INACTIVE_GRACE_NS);
        motion.into_iter().chain(frame).chain(inactive).min()
    }

    fn motion_interval(&self) -> u64 {
        (1e9 / self.options.motion_hz.max(0.001)) as u64
    }

    fn next_change_frame_ns(&self) -> MonoNs {
        let interval = (1e9 / self.options.max_fps.max(0.001)) as u64;
        self.last_frame_ns.map_or(0, |t| t + interval)
    }

    fn on_time(&mut self) {
        let now = clock::now_ns();
        if self.pending_motion.is_some() && now >= self.last_motion_ns + self.motion_interval() {
            self.flush_motion();
        }
        if self.inactive_since.is_some_and(|t| now >= t + INACTIVE_GRACE_NS) {
            self.inactive_since = None;
            self.report_window(WindowChange::Activated, None);
        }
        if self.dirty && self.options.frames && now >= self.next_change_frame_ns() {
            self.frame(FrameReason::ScreenChange, Duration::ZERO);
        }
    }

    fn input(&mut self, event: Event) {
        if let Event::Motion(motion) = event {
            if motion.t_ns >= self.last_motion_ns + self.motion_interval() {
                self.pending_motion = None;
                self.last_motion_ns = motion.t_ns;
                self.emit(Ok(event));
            } else {
                self.pending_motion = Some(motion);
            }
            return;
        }
        // Keep order: a pending motion happened before this event.
        self.flush_motion();
        let boundary = match &event {
            Event::Button(b) if b.state == PressState::Press => Some(FrameReason::Click),
            Event::Key(k) if k.state == PressState::Press => {
                let gap = self.options.typing_gap.as_nanos() as u64;
                let starts_run = k.text.is_some()
                    && self.last_key_press_ns.is_none_or(|t| k.t_ns.saturating_sub(t) >= gap);
                self.last_key_press_ns = Some(k.t_ns);
                starts_run.then_some(FrameReason::Typing)
            }
            _ => None,
        };
        self.emit(Ok(event));
        if let Some(reason) = boundary {
            self.frame(reason, self.options.min_action_frame_interval);
        }
    }

    fn flush_motion(&mut self) {
        if let Some(motion) = self.pending_motion.take() {
            self.last_motion_ns = motion.t_ns;
            self.emit(Ok(Event::Motion(motion)));
        }
    }

    fn window_changed(&mut self, change: WindowChange) {
        let conn = &*self.conn;
        let window = windows::active_window(conn, self.root, &self.atoms)
            .map(|id| windows::info(conn, self.root, id, &self.atoms));
        if window.is_none() && self.active.is_some() {
            self.inactive_since.get_or_insert_with(clock::now_ns);
            return;
        }
        self.inactive_since = None;
        self.report_window(change, window);
    }

    fn report_window(&mut self, change: WindowChange, window: Option<WindowInfo>) {
        let conn = &*self.conn;
        let same_window = self.active.as_ref().map(|w| w.id) == window.as_ref().map(|w| w.id);
        let change = match change {
            WindowChange::Activated if same_window && self.last_frame_ns.is_some() => {
                // A repeated notification for the same window: report a
                // title change only if the title did change.
                WindowChange::TitleChanged
            }
            other => other,
        };
        if change == WindowChange::TitleChanged
            && self.active.as_ref().map(|w| &w.title) == window.as_ref().map(|w| &w.title)
        {
            return;
        }
        if !same_window {
            let watch = |id: Window, mask: EventMask| {
                let _ = conn
                    .change_window_attributes(id, &ChangeWindowAttributesAux::new().event_mask(mask));
            };
            if let Some(old) = &self.active {
                watch(old.id, EventMask::NO_EVENT);
            }
            if let Some(new) = &window {
                watch(new.id, EventMask::PROPERTY_CHANGE);
            }
            let _ = conn.flush();
        }
        self.active = window.clone();
        self.emit(Ok(Event::Window(WindowEvent { t_ns: clock::now_ns(), change, window })));
        if change == WindowChange::Activated && self.last_frame_ns.is_some() {
            self.frame(FrameReason::WindowChange, self.options.min_action_frame_interval);
        }
    }

    /// Takes a frame if the screen may have changed and the last frame is
    /// at least `min_interval` old; drops it if nothing changed after all.
    fn frame(&mut self, reason: FrameReason, min_interval: Duration) {
        if !self.options.frames || !self.dirty {
            return;
        }
        let t_ns = clock::now_ns();
        if self.last_frame_ns.is_some_and(|last| t_ns < last + min_interval.as_nanos() as u64) {
            return;
        }
        // Clear the damage first: drawing during the grab marks us dirty again.
        let _ = self.conn.damage_subtract(self.damage, 0u32, 0u32);
        self.dirty = false;
        let mut pixels = Vec::new();
        let (width, height) = match screen::grab(&*self.conn, self.root, &mut pixels) {
            Ok(size) => size,
            Err(e) => {
                self.emit(Err(e));
                self.open = false;
                return;
            }
        };
        self.last_frame_ns = Some(t_ns);
        if (width, height) != self.previous_size {
            self.monitors = screen::monitors(&*self.conn, self.root, width, height);
        }
        let tiles = screen::TileMap::new(&pixels, width, height);
        let changed = tiles.changed_since(&self.previous);
        if changed.is_empty() {
            return;
        }
        self.previous = tiles;
        self.previous_size = (width, height);
        let frame = Frame {
            t_ns,
            width,
            height,
            reason,
            monitors: self.monitors.clone(),
            changed,
            bgrx: pixels,
        };
        self.emit(Ok(Event::Frame(frame)));
    }

    fn emit(&mut self, event: Result<Event, Error>) {
        if self.out.send(event).is_err() {
            self.open = false;
        }
    }
}
