//! Windows: identity, title, application and geometry.

use serde::{Deserialize, Serialize};

use crate::MonoNs;

/// An axis-aligned rectangle in root-window (screen) pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn new(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect { x, y, width, height }
    }

    /// Whether the point lies inside the rectangle.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x
            && y >= self.y
            && (x as i64) < self.x as i64 + self.width as i64
            && (y as i64) < self.y as i64 + self.height as i64
    }

    /// The overlap of two rectangles, if they overlap at all.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let x0 = self.x.max(other.x) as i64;
        let y0 = self.y.max(other.y) as i64;
        let x1 = (self.x as i64 + self.width as i64).min(other.x as i64 + other.width as i64);
        let y1 = (self.y as i64 + self.height as i64).min(other.y as i64 + other.height as i64);
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0 as i32, y0 as i32, (x1 - x0) as u32, (y1 - y0) as u32))
    }

    pub fn area(&self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

/// What the recorder knows about one top-level window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    /// The X window id of the client window.
    pub id: u32,
    /// `_NET_WM_NAME`, else `WM_NAME`.
    pub title: Option<String>,
    /// The class part of `WM_CLASS` (for example `XTerm`), which names the
    /// application.
    pub app: Option<String>,
    /// The instance part of `WM_CLASS` (for example `xterm`).
    pub instance: Option<String>,
    /// `_NET_WM_PID`, when the client sets it.
    pub pid: Option<u32>,
    /// The client area in root coordinates.
    pub geometry: Rect,
}

/// Why a window event was emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowChange {
    /// Another window became active (or, with `window: None`, none is).
    Activated,
    /// The active window's title changed.
    TitleChanged,
}

/// A change of the active window or of its title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowEvent {
    pub t_ns: MonoNs,
    pub change: WindowChange,
    /// The active window after the change; `None` when no window is active.
    pub window: Option<WindowInfo>,
}

/// One top-level window as it stood on screen when a frame was taken.
///
/// Capture reports the whole stack with every frame so the guard can blank
/// what the policy excludes; it is never written to a segment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackedWindow {
    /// The outer rectangle in root coordinates, window-manager decorations
    /// included (they show the title).
    pub rect: Rect,
    /// The application window inside, as far as capture could tell;
    /// `None` when nothing identifies it (an unnamed popup, say).
    pub client: Option<WindowInfo>,
    /// Override-redirect windows (menus, tooltips, lockers) sit outside the
    /// window manager's control.
    pub override_redirect: bool,
}

/// The mapped top-level windows, bottom first, at one moment.
pub type WindowStack = std::sync::Arc<Vec<StackedWindow>>;

/// The window whose area holds a point: the topmost one, if any.
pub fn window_at(stack: &[StackedWindow], x: i32, y: i32) -> Option<&StackedWindow> {
    stack.iter().rev().find(|w| w.rect.contains(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_and_contains() {
        let a = Rect::new(0, 0, 10, 10);
        let b = Rect::new(5, 5, 10, 10);
        assert_eq!(a.intersect(&b), Some(Rect::new(5, 5, 5, 5)));
        assert_eq!(a.intersect(&Rect::new(10, 0, 5, 5)), None);
        assert!(a.contains(9, 9));
        assert!(!a.contains(10, 9));
        assert!(!a.contains(-1, 0));
    }
}
