//! What the recorder reads about a window: title, application, PID and
//! geometry, through EWMH properties and the core protocol.

use tracewell_model::{Rect, StackedWindow, WindowInfo};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, MapState, Window, WindowClass};

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
    // Of any type: ICCCM says STRING, but a client that sets it as
    // UTF8_STRING must not read as nameless (the policy judges windows by
    // it; a password manager's class must be seen whatever its type).
    if let Some(class) = conn
        .get_property(false, window, AtomEnum::WM_CLASS, AtomEnum::ANY, 0, 1024)
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

/// Which window inside a top-level (window-manager frame) is the
/// application's, remembered per top-level window: frames keep their
/// client for life.
#[derive(Default)]
pub struct ClientCache {
    clients: std::collections::HashMap<Window, Option<Window>>,
}

impl ClientCache {
    fn client(&mut self, conn: &impl Connection, top: Window, atoms: &Atoms) -> Option<Window> {
        if let Some(&known) = self.clients.get(&top) {
            return known;
        }
        let found = find_client(conn, top, atoms, 3);
        self.clients.insert(top, found);
        found
    }

    /// Forgets windows that are gone (keeps the cache bounded).
    fn retain(&mut self, alive: &[Window]) {
        self.clients.retain(|w, _| alive.contains(w));
    }
}

/// The window carrying `WM_STATE` at or below `window` (depth-first, a few
/// levels deep, as window managers nest clients in frames).
fn find_client(conn: &impl Connection, window: Window, atoms: &Atoms, depth: u32) -> Option<Window> {
    let has_state = conn
        .get_property(false, window, atoms.WM_STATE, AtomEnum::ANY, 0, 0)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|r| r.type_ != 0);
    if has_state {
        return Some(window);
    }
    if depth == 0 {
        return None;
    }
    let tree = conn.query_tree(window).ok()?.reply().ok()?;
    tree.children.iter().rev().find_map(|&child| find_client(conn, child, atoms, depth - 1))
}

/// The mapped top-level windows, bottom first, with the application
/// inside each. Call with the server grabbed to pair it exactly with a
/// frame.
pub fn stack(
    conn: &impl Connection,
    root: Window,
    atoms: &Atoms,
    cache: &mut ClientCache,
) -> Vec<StackedWindow> {
    let Some(tree) = conn.query_tree(root).ok().and_then(|c| c.reply().ok()) else {
        return Vec::new();
    };
    // Pipeline the per-window requests: one round trip for all of them.
    let cookies: Vec<_> = tree
        .children
        .iter()
        .map(|&w| (w, conn.get_window_attributes(w).ok(), conn.get_geometry(w).ok()))
        .collect();
    let mut mapped = Vec::new();
    for (window, attributes, geometry) in cookies {
        let (Some(attributes), Some(geometry)) = (
            attributes.and_then(|c| c.reply().ok()),
            geometry.and_then(|c| c.reply().ok()),
        ) else {
            continue;
        };
        if attributes.map_state != MapState::VIEWABLE || attributes.class == WindowClass::INPUT_ONLY {
            continue;
        }
        let border = 2 * geometry.border_width as u32;
        let rect = Rect::new(
            geometry.x as i32,
            geometry.y as i32,
            geometry.width as u32 + border,
            geometry.height as u32 + border,
        );
        mapped.push((window, rect, attributes.override_redirect));
    }
    cache.retain(&tree.children);
    mapped
        .into_iter()
        .map(|(window, rect, override_redirect)| {
            let client = cache.client(conn, window, atoms).or(override_redirect.then_some(window));
            StackedWindow {
                rect,
                client: client.map(|c| {
                    let mut info = info(conn, root, c, atoms);
                    if info.title.is_none() && info.app.is_none() && info.instance.is_none() {
                        info.id = c;
                    }
                    info
                }),
                override_redirect,
            }
        })
        .collect()
}
