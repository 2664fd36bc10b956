//! The recording indicator: a small always-on-top window that says
//! "recording" or "paused" for as long as capture runs.
//!
//! It is created when capture starts and destroyed when it stops; there is
//! no option to hide it. It is an override-redirect window (no window
//! manager can hide or minimise it), raised again whenever something
//! covers it.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Arc, AtomEnum, ChangeGCAux, ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt as _,
    CreateGCAux, CreateWindowAux, EventMask, PropMode, Rectangle, StackMode, Window, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

use super::atoms::Atoms;
use crate::Error;

pub const WIDTH: u16 = 150;
pub const HEIGHT: u16 = 24;
const RECORDING_RGB: u32 = 0xc62828;
const PAUSED_RGB: u32 = 0x5f6368;

/// The indicator window.
pub struct Indicator {
    pub window: Window,
    gc: u32,
    paused: bool,
}

impl Indicator {
    /// Creates and shows the indicator in the top-right corner of the
    /// screen.
    pub fn show(conn: &impl Connection, root: Window, screen_width: u16, atoms: &Atoms) -> Result<Indicator, Error> {
        let window = conn.generate_id()?;
        let x = screen_width.saturating_sub(WIDTH + 8) as i16;
        conn.create_window(
            0,
            window,
            root,
            x,
            8,
            WIDTH,
            HEIGHT,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .background_pixel(RECORDING_RGB)
                .override_redirect(1)
                .event_mask(EventMask::EXPOSURE | EventMask::VISIBILITY_CHANGE),
        )?;
        conn.change_property8(PropMode::REPLACE, window, AtomEnum::WM_CLASS, AtomEnum::STRING, b"tracewell-indicator\0Tracewell\0")?;
        let font = conn.generate_id()?;
        conn.open_font(font, b"fixed")?;
        let gc = conn.generate_id()?;
        conn.create_gc(gc, window, &CreateGCAux::new().foreground(0xffffff).background(RECORDING_RGB).font(font))?;
        conn.close_font(font)?;
        let indicator = Indicator { window, gc, paused: false };
        indicator.set_title(conn, atoms)?;
        conn.map_window(window)?;
        conn.flush()?;
        Ok(indicator)
    }

    fn label(&self) -> &'static [u8] {
        if self.paused { b"Tracewell: paused" } else { b"Tracewell: recording" }
    }

    fn set_title(&self, conn: &impl Connection, atoms: &Atoms) -> Result<(), Error> {
        let label = self.label();
        conn.change_property8(PropMode::REPLACE, self.window, AtomEnum::WM_NAME, AtomEnum::STRING, label)?;
        conn.change_property8(PropMode::REPLACE, self.window, atoms._NET_WM_NAME, atoms.UTF8_STRING, label)?;
        Ok(())
    }

    /// Shows "recording" or "paused".
    pub fn set_paused(&mut self, conn: &impl Connection, atoms: &Atoms, paused: bool) -> Result<(), Error> {
        self.paused = paused;
        let rgb = if paused { PAUSED_RGB } else { RECORDING_RGB };
        conn.change_window_attributes(self.window, &ChangeWindowAttributesAux::new().background_pixel(rgb))?;
        conn.change_gc(self.gc, &ChangeGCAux::new().background(rgb))?;
        self.set_title(conn, atoms)?;
        conn.clear_area(false, self.window, 0, 0, 0, 0)?;
        self.draw(conn)
    }

    /// Draws the mark and the label (on expose and after a change).
    pub fn draw(&self, conn: &impl Connection) -> Result<(), Error> {
        let rgb = if self.paused { PAUSED_RGB } else { RECORDING_RGB };
        conn.change_gc(self.gc, &ChangeGCAux::new().foreground(0xffffff))?;
        if self.paused {
            conn.poly_fill_rectangle(self.window, self.gc, &[
                Rectangle { x: 8, y: 6, width: 4, height: 12 },
                Rectangle { x: 15, y: 6, width: 4, height: 12 },
            ])?;
        } else {
            conn.poly_fill_arc(self.window, self.gc, &[Arc { x: 6, y: 6, width: 12, height: 12, angle1: 0, angle2: 360 * 64 }])?;
        }
        conn.change_gc(self.gc, &ChangeGCAux::new().foreground(0xffffff).background(rgb))?;
        let text = if self.paused { &b"paused"[..] } else { &b"recording"[..] };
        conn.image_text8(self.window, self.gc, 26, 16, text)?;
        conn.flush()?;
        Ok(())
    }

    /// Puts the indicator back on top of every other window.
    pub fn raise(&self, conn: &impl Connection) -> Result<(), Error> {
        conn.configure_window(self.window, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE))?;
        Ok(())
    }

    pub fn destroy(&self, conn: &impl Connection) {
        let _ = conn.destroy_window(self.window);
        let _ = conn.free_gc(self.gc);
        let _ = conn.flush();
    }
}
