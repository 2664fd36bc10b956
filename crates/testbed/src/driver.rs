//! A client that plays the person in front of the screen.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, PropMode, Window,
    WindowClass,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use crate::Error;

const KEY_PRESS: u8 = 2;
const KEY_RELEASE: u8 = 3;
const BUTTON_PRESS: u8 = 4;
const BUTTON_RELEASE: u8 = 5;
const MOTION: u8 = 6;
const SHIFT_L: u32 = 0xffe1;
const ISO_LEVEL3_SHIFT: u32 = 0xfe03;

/// A plain window: a solid colour, a title, a `WM_CLASS`.
#[derive(Clone, Debug)]
pub struct WindowSpec {
    pub title: String,
    /// `WM_CLASS` as (instance, class).
    pub class: (String, String),
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
    /// 0xRRGGBB.
    pub color: u32,
}

/// Drives a display: windows, titles, keyboard mapping and XTEST input.
pub struct Driver {
    conn: RustConnection,
    root: Window,
    net_active_window: u32,
    net_wm_name: u32,
    utf8_string: u32,
}

impl Driver {
    pub fn connect(display: &str) -> Result<Driver, Error> {
        let (conn, screen) = x11rb::connect(Some(display))?;
        let root = conn.setup().roots[screen].root;
        conn.xtest_get_version(2, 2)?.reply()?;
        let atom = |name: &[u8]| -> Result<u32, Error> { Ok(conn.intern_atom(false, name)?.reply()?.atom) };
        let (net_active_window, net_wm_name, utf8_string) =
            (atom(b"_NET_ACTIVE_WINDOW")?, atom(b"_NET_WM_NAME")?, atom(b"UTF8_STRING")?);
        Ok(Driver { conn, root, net_active_window, net_wm_name, utf8_string })
    }

    /// Opens a window and waits until it is mapped and the window manager
    /// made it active.
    pub fn open_window(&self, spec: &WindowSpec) -> Result<Window, Error> {
        let id = self.conn.generate_id()?;
        let screen = &self.conn.setup().roots[0];
        self.conn.create_window(
            screen.root_depth,
            id,
            self.root,
            spec.x,
            spec.y,
            spec.width,
            spec.height,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new().background_pixel(spec.color).event_mask(EventMask::EXPOSURE),
        )?;
        let class = format!("{}\0{}\0", spec.class.0, spec.class.1);
        self.conn.change_property8(PropMode::REPLACE, id, AtomEnum::WM_CLASS, AtomEnum::STRING, class.as_bytes())?;
        let pid = self.conn.intern_atom(false, b"_NET_WM_PID")?.reply()?.atom;
        self.conn.change_property32(PropMode::REPLACE, id, pid, AtomEnum::CARDINAL, &[std::process::id()])?;
        // Keep the requested position (openbox honours program-specified
        // positions from WM_NORMAL_HINTS: flags PPosition | PSize).
        let mut hints = [0u32; 18];
        hints[0] = 4 | 8;
        hints[1] = spec.x as u32;
        hints[2] = spec.y as u32;
        hints[3] = spec.width as u32;
        hints[4] = spec.height as u32;
        self.conn.change_property32(PropMode::REPLACE, id, AtomEnum::WM_NORMAL_HINTS, AtomEnum::WM_SIZE_HINTS, &hints)?;
        // WM_HINTS: InputHint set, input = True (the window takes focus).
        self.conn.change_property32(PropMode::REPLACE, id, AtomEnum::WM_HINTS, AtomEnum::WM_HINTS, &[1, 1, 0, 0, 0, 0, 0, 0, 0])?;
        self.set_title(id, &spec.title)?;
        self.conn.map_window(id)?;
        self.conn.sync()?;
        // The window manager normally focuses a new window; ask it to if it
        // has not done so after a moment.
        if self.wait_active_for(id, Duration::from_secs(2)).is_err() {
            self.activate(id)?;
        }
        Ok(id)
    }

    /// Sets `WM_CLASS` as `UTF8_STRING` (ICCCM says `STRING`; some
    /// clients do otherwise).
    pub fn set_class_utf8(&self, window: Window, instance: &str, class: &str) -> Result<(), Error> {
        let value = format!("{instance}\0{class}\0");
        self.conn.change_property8(PropMode::REPLACE, window, AtomEnum::WM_CLASS, self.utf8_string, value.as_bytes())?;
        self.conn.sync()?;
        Ok(())
    }

    /// Sets `_NET_WM_NAME` and `WM_NAME`.
    pub fn set_title(&self, window: Window, title: &str) -> Result<(), Error> {
        self.conn.change_property8(PropMode::REPLACE, window, self.net_wm_name, self.utf8_string, title.as_bytes())?;
        self.conn.change_property8(PropMode::REPLACE, window, AtomEnum::WM_NAME, AtomEnum::STRING, title.as_bytes())?;
        self.conn.sync()?;
        Ok(())
    }

    /// Asks the window manager to activate a window and waits until it did.
    pub fn activate(&self, window: Window) -> Result<(), Error> {
        let message = ClientMessageEvent::new(32, window, self.net_active_window, [2, 0, 0, 0, 0]);
        self.conn.send_event(
            false,
            self.root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            message,
        )?;
        self.conn.flush()?;
        self.wait_active(window)
    }

    /// Waits until the window manager manages a window with this title
    /// (`_NET_CLIENT_LIST`) and returns it.
    pub fn wait_for_title(&self, title: &str, limit: Duration) -> Result<Window, Error> {
        let client_list = self.conn.intern_atom(false, b"_NET_CLIENT_LIST")?.reply()?.atom;
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            let reply = self.conn.get_property(false, self.root, client_list, AtomEnum::WINDOW, 0, 1024)?.reply()?;
            for window in reply.value32().into_iter().flatten() {
                let name = self.conn.get_property(false, window, self.net_wm_name, self.utf8_string, 0, 1024)?.reply()?;
                let name = if name.value.is_empty() {
                    self.conn.get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 1024)?.reply()?.value
                } else {
                    name.value
                };
                if name == title.as_bytes() {
                    return Ok(window);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Error::Timeout(format!("no window titled {title:?} appeared within {limit:?}")))
    }

    /// The titles (`WM_NAME`) of the root's mapped children, including
    /// override-redirect windows the window manager does not list.
    pub fn top_level_names(&self) -> Result<Vec<String>, Error> {
        let tree = self.conn.query_tree(self.root)?.reply()?;
        let mut names = Vec::new();
        for window in tree.children {
            let attributes = self.conn.get_window_attributes(window)?.reply()?;
            if attributes.map_state != x11rb::protocol::xproto::MapState::VIEWABLE {
                continue;
            }
            let name = self.conn.get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)?.reply()?;
            if !name.value.is_empty() {
                names.push(String::from_utf8_lossy(&name.value).into_owned());
            }
        }
        Ok(names)
    }

    /// Grabs the keyboard for `window`, as a passphrase prompt or a screen
    /// locker does; input goes to it until [`Driver::ungrab_keyboard`].
    pub fn grab_keyboard(&self, window: Window) -> Result<(), Error> {
        let reply = self
            .conn
            .grab_keyboard(false, window, 0u32, x11rb::protocol::xproto::GrabMode::ASYNC, x11rb::protocol::xproto::GrabMode::ASYNC)?
            .reply()?;
        if reply.status != x11rb::protocol::xproto::GrabStatus::SUCCESS {
            return Err(Error::X(format!("keyboard grab refused: {:?}", reply.status)));
        }
        Ok(())
    }

    pub fn ungrab_keyboard(&self) -> Result<(), Error> {
        self.conn.ungrab_keyboard(0u32)?;
        self.conn.sync()?;
        Ok(())
    }

    /// The window `_NET_ACTIVE_WINDOW` names.
    pub fn active_window(&self) -> Result<Option<Window>, Error> {
        let reply = self.conn.get_property(false, self.root, self.net_active_window, AtomEnum::WINDOW, 0, 1)?.reply()?;
        Ok(reply.value32().and_then(|mut v| v.next()).filter(|&w| w != 0))
    }

    fn wait_active(&self, window: Window) -> Result<(), Error> {
        self.wait_active_for(window, Duration::from_secs(10))
    }

    fn wait_active_for(&self, window: Window, limit: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.active_window()? == Some(window) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(Error::Timeout(format!("window {window:#x} did not become active within {limit:?}")))
    }

    /// Moves the pointer to an absolute position.
    pub fn move_pointer(&self, x: i16, y: i16) -> Result<(), Error> {
        self.fake(MOTION, 0, x, y)?;
        self.conn.sync()?;
        Ok(())
    }

    /// Presses and releases a button where the pointer is.
    pub fn click(&self, button: u8) -> Result<(), Error> {
        self.fake(BUTTON_PRESS, button, 0, 0)?;
        self.fake(BUTTON_RELEASE, button, 0, 0)?;
        self.conn.sync()?;
        Ok(())
    }

    /// Presses or releases a button where the pointer is.
    pub fn button(&self, button: u8, press: bool) -> Result<(), Error> {
        self.fake(if press { BUTTON_PRESS } else { BUTTON_RELEASE }, button, 0, 0)?;
        self.conn.sync()?;
        Ok(())
    }

    /// `clicks` wheel steps: down when positive, up when negative.
    pub fn scroll(&self, clicks: i32) -> Result<(), Error> {
        let button = if clicks >= 0 { 5 } else { 4 };
        for _ in 0..clicks.unsigned_abs() {
            self.fake(BUTTON_PRESS, button, 0, 0)?;
            self.fake(BUTTON_RELEASE, button, 0, 0)?;
        }
        self.conn.sync()?;
        Ok(())
    }

    /// Types text key by key, holding Shift or AltGr where the mapping
    /// needs them.
    pub fn type_text(&self, text: &str) -> Result<(), Error> {
        let map = self.mapping()?;
        let shift = map.keycode(SHIFT_L);
        let level3 = map.keycode(ISO_LEVEL3_SHIFT);
        for c in text.chars() {
            let candidates: &[u32] = match c {
                '\n' => &[0xff0d],
                '\t' => &[0xff09],
                // The legacy EuroSign keysym as well as the Unicode one.
                '€' => &[0x0100_20ac, 0x20ac],
                c if (0x20..=0x7e).contains(&(c as u32)) || (0xa0..=0xff).contains(&(c as u32)) => &[c as u32],
                c => &[0x0100_0000 + c as u32],
            };
            let (code, column) =
                candidates.iter().find_map(|&k| map.find(k)).ok_or(Error::NoKey(c))?;
            let mut held = Vec::new();
            if column % 2 == 1 {
                held.push(shift.ok_or(Error::NoKey(c))?);
            }
            if column >= 4 {
                held.push(level3.ok_or(Error::NoKey(c))?);
            }
            for &h in &held {
                self.fake(KEY_PRESS, h, 0, 0)?;
            }
            self.fake(KEY_PRESS, code, 0, 0)?;
            self.fake(KEY_RELEASE, code, 0, 0)?;
            for &h in held.iter().rev() {
                self.fake(KEY_RELEASE, h, 0, 0)?;
            }
            self.conn.sync()?;
        }
        Ok(())
    }

    /// Presses the keys of a chord in order and releases them in reverse
    /// (for example `[Control_L, c]`), given as keysyms.
    pub fn chord(&self, keysyms: &[u32]) -> Result<(), Error> {
        let map = self.mapping()?;
        let codes: Vec<u8> = keysyms
            .iter()
            .map(|&k| map.keycode(k).ok_or(Error::NoKey(char::from_u32(k).unwrap_or('?'))))
            .collect::<Result<_, _>>()?;
        for &code in &codes {
            self.fake(KEY_PRESS, code, 0, 0)?;
        }
        for &code in codes.iter().rev() {
            self.fake(KEY_RELEASE, code, 0, 0)?;
        }
        self.conn.sync()?;
        Ok(())
    }

    /// Replaces the keysyms of one keycode (columns as in the core
    /// mapping: lower, upper, group 2 lower, group 2 upper, AltGr lower,
    /// AltGr upper).
    pub fn remap_key(&self, keycode: u8, keysyms: &[u32]) -> Result<(), Error> {
        let map = self.mapping()?;
        let mut row = vec![0u32; map.per_keycode];
        for (slot, &k) in row.iter_mut().zip(keysyms) {
            *slot = k;
        }
        self.conn.change_keyboard_mapping(1, keycode, map.per_keycode as u8, &row)?;
        self.conn.sync()?;
        Ok(())
    }

    /// The keycode carrying a keysym in its first column.
    pub fn keycode_of(&self, keysym: u32) -> Result<Option<u8>, Error> {
        Ok(self.mapping()?.keycode(keysym))
    }

    /// Waits until the server has processed everything sent so far.
    pub fn sync(&self) -> Result<(), Error> {
        self.conn.sync()?;
        Ok(())
    }

    fn fake(&self, kind: u8, detail: u8, x: i16, y: i16) -> Result<(), Error> {
        self.conn.xtest_fake_input(kind, detail, 0, self.root, x, y, 0)?;
        Ok(())
    }

    fn mapping(&self) -> Result<Mapping, Error> {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let reply = self.conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
        Ok(Mapping { min, per_keycode: reply.keysyms_per_keycode as usize, keysyms: reply.keysyms })
    }
}

struct Mapping {
    min: u8,
    per_keycode: usize,
    keysyms: Vec<u32>,
}

impl Mapping {
    /// The keycode and column (0 = plain, 1 = Shift, 4 = AltGr, 5 =
    /// AltGr+Shift) that produce a keysym.
    fn find(&self, keysym: u32) -> Option<(u8, usize)> {
        let rows = self.keysyms.chunks(self.per_keycode.max(1));
        // Prefer a plain or shifted key anywhere over an AltGr one.
        for columns in [[0usize, 1], [4, 5]] {
            for (index, row) in rows.clone().enumerate() {
                for column in columns {
                    if row.get(column) == Some(&keysym) {
                        return Some(((self.min as usize + index) as u8, column));
                    }
                }
                // A letter listed once in lower case stands for both cases.
                if columns[0] == 0 && row.get(1) == Some(&0) {
                    if let Some(upper) = row.first().and_then(|&l| char::from_u32(l)).and_then(|c| c.to_uppercase().next()) {
                        if upper as u32 == keysym && row[0] != keysym {
                            return Some(((self.min as usize + index) as u8, 1));
                        }
                    }
                }
            }
        }
        None
    }

    fn keycode(&self, keysym: u32) -> Option<u8> {
        self.keysyms
            .chunks(self.per_keycode.max(1))
            .position(|row| row.first() == Some(&keysym))
            .map(|index| (self.min as usize + index) as u8)
    }
}
