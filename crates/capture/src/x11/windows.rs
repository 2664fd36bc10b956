//! What the recorder reads about a window: title, application, PID and
//! geometry, through EWMH properties and the core protocol.

use tracewell_model::{Rect, WindowInfo};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, Window};

use super::atoms::Atoms;

/// The window `_NET_ACTIVE_WINDOW` names, if any.
pub fn active_window(conn: &impl Connection, root: Window, atoms: &Atoms) -> Option<Window> {
    let reply = conn
        .get_property(false, root, atoms._NET_ACTIVE_WINDOW, AtomEnum::WINDOW, 0, 1)
        .ok()?
        .reply()
        .ok()?;
    reply.value32()?.next().filter(|&w| w != 0)
}

/// The title of a window: `_NET_WM_NAME` (UTF-8), else `WM_NAME` (Latin-1).
pub fn title(conn: &impl Connection, window: Window, atoms: &Atoms) -> Option<String> {
    let utf8 = conn
        .get_property(false, window, atoms._NET_WM_NAME, atoms.UTF8_STRING, 0, 4096)
        .ok()
        .and_then(|c| c.reply().ok())
        .filter(|r| !r.value.is_empty());
    if let Some(reply) = utf8 {
        return Some(String::from_utf8_lossy(&reply.value).into_owned());
    }
    let reply = conn
        .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 4096)
        .ok()?
        .reply()
        .ok()?;
    if reply.value.is_empty() {
        return None;
    }
    if reply.type_ == atoms.UTF8_STRING {
        Some(String::from_utf8_lossy(&reply.value).into_owned())
    } else {
        Some(reply.value.iter().map(|&b| b as char).collect())
    }
}

/// Everything the recorder records about a window. Properties a client did
/// not set are `None`; a window that vanished meanwhile yields what could
/// still be read.
pub fn info(conn: &impl Connection, root: Window, window: Window, atoms: &Atoms) -> WindowInfo {
    let mut info = WindowInfo { id: window, title: title(conn, window, atoms), ..WindowInfo::default() };
    if let Some(class) = conn
        .get_property(false, window, AtomEnum::WM_CLASS, AtomEnum::STRING, 0, 1024)
        .ok()
        .and_then(|c| c.reply().ok())
    {
        let mut parts = class.value.split(|&b| b == 0).map(|p| String::from_utf8_lossy(p).into_owned());
        info.instance = parts.next().filter(|s| !s.is_empty());
        info.app = parts.next().filter(|s| !s.is_empty());
    }
    info.pid = conn
        .get_property(false, window, atoms._NET_WM_PID, AtomEnum::CARDINAL, 0, 1)
        .ok()
        .and_then(|c| c.reply().ok())
        .and_then(|r| r.value32().and_then(|mut v| v.next()));
    if let (Some(geometry), Some(origin)) = (
        conn.get_geometry(window).ok().and_then(|c| c.reply().ok()),
        conn.translate_coordinates(window, root, 0, 0).ok().and_then(|c| c.reply().ok()),
    ) {
        info.geometry = Rect::new(
            origin.dst_x as i32,
            origin.dst_y as i32,
            geometry.width as u32,
            geometry.height as u32,
        );
    }
    info
}
