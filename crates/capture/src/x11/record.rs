//! Input through the RECORD extension: every key, button and motion event
//! the server processes, from every device (XTEST included), in the order
//! the server processed them, with positions and modifier state.
//!
//! RECORD needs two connections: the data connection blocks in
//! `EnableContext` and streams intercepted events; the control connection
//! creates and disables the context and answers keyboard-mapping queries.
//! `MappingNotify` is recorded on the same stream, so a layout change is
//! applied exactly between the key events before and after it; so is the
//! `PropertyNotify` of the root window's `_NET_ACTIVE_WINDOW` (delivered
//! to the coordinator, which selects it), so a change of active window
//! reaches the coordinator before the keys typed after it — the X event
//! thread's own notice of it may come later under load, and keys typed
//! into a denied window would then be counted against the window before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use tracewell_model::{
    ButtonEvent, Event, KeyEvent, MotionEvent, MouseButton, PressState, ScrollEvent, ScrollSource,
};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::record::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;
use x11rb::x11_utils::TryParse;

use super::Msg;
use crate::keymap::Keymap;
use crate::{Error, clock, keysym};

const START_OF_DATA: u8 = 4;
const FROM_SERVER: u8 = 0;

/// The property whose changes are forwarded in order with the input.
#[derive(Clone, Copy, Debug)]
pub struct ActiveWindowProperty {
    pub root: xproto::Window,
    pub atom: xproto::Atom,
}

/// Creates a context recording device events and `MappingNotify`.
pub fn create_context(ctrl: &RustConnection) -> Result<record::Context, Error> {
    if ctrl.extension_information(record::X11_EXTENSION_NAME)?.is_none() {
        return Err(Error::MissingExtension("RECORD"));
    }
    ctrl.record_query_version(1, 13)?.reply()?;
    let context = ctrl.generate_id()?;
    let none = record::Range8 { first: 0, last: 0 };
    let no_ext = record::ExtRange { major: none, minor: record::Range16 { first: 0, last: 0 } };
    let range = |delivered: record::Range8, device: record::Range8| record::Range {
        core_requests: none,
        core_replies: none,
        ext_requests: no_ext,
        ext_replies: no_ext,
        delivered_events: delivered,
        device_events: device,
        errors: none,
        client_started: false,
        client_died: false,
    };
    // One range: with several, this server's RECORD dropped the delivered
    // MappingNotify (seen with Debian's Xvfb). Delivered events from
    // FocusIn to MappingNotify: focus changes caused by keyboard grabs and
    // layout changes, in order with the key events around them (the
    // coordinator selects focus events on the root and the active window,
    // so they are delivered). Everything in between is discarded unread.
    let ranges = [range(
        record::Range8 { first: xproto::FOCUS_IN_EVENT, last: xproto::MAPPING_NOTIFY_EVENT },
        record::Range8 { first: xproto::KEY_PRESS_EVENT, last: xproto::MOTION_NOTIFY_EVENT },
    )];
    ctrl.record_create_context(context, 0, &[record::CS::ALL_CLIENTS.into()], &ranges)?
        .check()?;
    Ok(context)
}

/// Reads the keyboard and modifier mappings.
pub fn load_keymap(conn: &impl Connection) -> Result<Keymap, Error> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let mapping = conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
    let modifiers = conn.get_modifier_mapping()?.reply()?;
    Ok(Keymap::new(min, mapping.keysyms_per_keycode, mapping.keysyms, &modifiers.keycodes))
}

/// Streams the context's data until capture stops. Sends `Msg::Ready`
/// once the server starts recording and `Msg::InputEnded` at the end. A
/// pause disables the context (the server stops recording input); the
/// thread then waits for `resume` and enables it again.
pub fn run(
    data: RustConnection,
    ctrl: Arc<RustConnection>,
    context: record::Context,
    active_window: ActiveWindowProperty,
    tx: Sender<Msg>,
    resume: Receiver<()>,
    stopping: Arc<AtomicBool>,
) {
    let mut first = true;
    let result = loop {
        if let Err(e) = stream(&data, &ctrl, context, active_window, &tx, first) {
            break Err(e);
        }
        first = false;
        // The context was disabled: by stop, or by a pause.
        let resumed = loop {
            if stopping.load(Ordering::SeqCst) {
                break false;
            }
            match resume.recv_timeout(Duration::from_millis(100)) {
                Ok(()) => break true,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break false,
            }
        };
        if !resumed {
            break Ok(());
        }
    };
    let _ = tx.send(Msg::InputEnded(result.err()));
}

fn stream(
    data: &RustConnection,
    ctrl: &RustConnection,
    context: record::Context,
    active_window: ActiveWindowProperty,
    tx: &Sender<Msg>,
    announce: bool,
) -> Result<(), Error> {
    let mut keymap = load_keymap(ctrl)?;
    for reply in data.record_enable_context(context)? {
        let reply = reply?;
        match reply.category {
            START_OF_DATA if announce => {
                let _ = tx.send(Msg::Ready);
            }
            FROM_SERVER if !reply.client_swapped => {
                let t_ns = clock::now_ns();
                for raw in reply.data.chunks_exact(32) {
                    match raw[0] & 0x7f {
                        xproto::MAPPING_NOTIFY_EVENT => {
                            keymap = load_keymap(ctrl)?;
                            continue;
                        }
                        xproto::PROPERTY_NOTIFY_EVENT => {
                            // Window at bytes 4..8, atom at 8..12. Every
                            // client that selected it gets a copy: the
                            // coordinator ignores repeats.
                            let word = |at: usize| u32::from_ne_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
                            if word(4) == active_window.root
                                && word(8) == active_window.atom
                                && tx.send(Msg::ActiveWindowChanged).is_err()
                            {
                                return Ok(());
                            }
                            continue;
                        }
                        code @ (xproto::FOCUS_IN_EVENT | xproto::FOCUS_OUT_EVENT) => {
                            // Byte 8 is the mode: 1 = Grab, 2 = Ungrab.
                            let grabbed = match (code, raw[8]) {
                                (xproto::FOCUS_OUT_EVENT, 1) => true,
                                (xproto::FOCUS_IN_EVENT, 2) => false,
                                _ => continue,
                            };
                            if tx.send(Msg::Focus { grabbed }).is_err() {
                                return Ok(());
                            }
                            continue;
                        }
                        xproto::KEY_PRESS_EVENT..=xproto::MOTION_NOTIFY_EVENT => {}
                        _ => continue,
                    }
                    if let Some(event) = decode(raw, t_ns, &keymap) {
                        if tx.send(Msg::Input(event)).is_err() {
                            return Ok(());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Turns one recorded core device event into a model event.
fn decode(raw: &[u8], t_ns: u64, keymap: &Keymap) -> Option<Event> {
    // Key, button and motion events share one wire layout.
    let (e, _) = xproto::KeyPressEvent::try_parse(raw).ok()?;
    let state = u16::from(e.state);
    let (x, y) = (e.root_x as i32, e.root_y as i32);
    let press = if matches!(raw[0] & 0x7f, xproto::KEY_PRESS_EVENT | xproto::BUTTON_PRESS_EVENT) {
        PressState::Press
    } else {
        PressState::Release
    };
    match raw[0] & 0x7f {
        xproto::KEY_PRESS_EVENT | xproto::KEY_RELEASE_EVENT => {
            let meaning = keymap.lookup(e.detail, state);
            Some(Event::Key(KeyEvent {
                t_ns,
                state: press,
                keycode: e.detail,
                keysym: meaning.keysym,
                key: keysym::name(meaning.keysym),
                modifiers: meaning.modifiers,
                text: if press == PressState::Press { meaning.text } else { None },
            }))
        }
        xproto::BUTTON_PRESS_EVENT | xproto::BUTTON_RELEASE_EVENT => {
            let (dx, dy) = match e.detail {
                4 => (0.0, -1.0),
                5 => (0.0, 1.0),
                6 => (-1.0, 0.0),
                7 => (1.0, 0.0),
                _ => {
                    return Some(Event::Button(ButtonEvent {
                        t_ns,
                        state: press,
                        button: MouseButton::from_x11(e.detail),
                        x,
                        y,
                        modifiers: keymap.modifiers(state),
                    }));
                }
            };
            // A wheel click is a press and a release; one scroll step.
            (press == PressState::Press).then_some(Event::Scroll(ScrollEvent {
                t_ns,
                x,
                y,
                dx,
                dy,
                source: ScrollSource::Wheel,
            }))
        }
        xproto::MOTION_NOTIFY_EVENT => Some(Event::Motion(MotionEvent { t_ns, x, y })),
        _ => None,
    }
}
