//! Test screens: xterms on a private Xvfb showing known text, grabbed as
//! frames, with the cell grid of each terminal for ground-truth boxes.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use tracewell_capture::Screenshotter;
use tracewell_model::{Frame, Rect, StackedWindow, WindowStack};
use tracewell_testbed::script::{ClientProcess, spawn_xterm_sized};
use tracewell_testbed::{Driver, VirtualDisplay};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, MapState, Window, WindowClass};

/// xterm's default internal border, in pixels.
const BORDER: u32 = 2;

/// One terminal on the test screen.
pub struct Term {
    pub window: Window,
    /// Top-left pixel of cell (0, 0), in root coordinates.
    pub origin: (i32, i32),
    /// Cell width and height in pixels.
    pub cell: (u32, u32),
    pub lines: Vec<String>,
    _process: ClientProcess,
}

impl Term {
    /// The box of `len` cells from (`row`, `col`).
    pub fn cells(&self, row: usize, col: usize, len: usize) -> Rect {
        Rect::new(
            self.origin.0 + (col as u32 * self.cell.0) as i32,
            self.origin.1 + (row as u32 * self.cell.1) as i32,
            len as u32 * self.cell.0,
            self.cell.1,
        )
    }

    /// The cell boxes of every occurrence of `needle`'s whitespace-separated
    /// words in the printed lines.
    pub fn boxes_of(&self, needle: &str) -> Vec<Rect> {
        let mut out = Vec::new();
        for (row, line) in self.lines.iter().enumerate() {
            let mut from = 0;
            while let Some(at) = line[from..].find(needle) {
                let start = from + at;
                let mut col = line[..start].chars().count();
                for part in needle.split(' ') {
                    if !part.is_empty() {
                        out.push(self.cells(row, col, part.chars().count()));
                    }
                    col += part.chars().count() + 1;
                }
                from = start + needle.len();
            }
        }
        out
    }
}

/// A private display with terminals on it.
pub struct Screen {
    pub driver: Driver,
    conn: x11rb::rust_connection::RustConnection,
    root: Window,
    pub terms: Vec<Term>,
    shooter: Screenshotter,
    // Dropped last: the server goes away after its clients.
    pub display: VirtualDisplay,
}

impl Screen {
    pub fn start(width: u32, height: u32) -> Screen {
        let display = VirtualDisplay::start(width, height).expect("Xvfb and openbox");
        let driver = display.driver().expect("driver");
        let (conn, n) = x11rb::connect(Some(display.name())).expect("connect");
        let root = conn.setup().roots[n].root;
        let shooter = Screenshotter::connect(Some(display.name())).expect("screenshotter");
        Screen { driver, conn, root, terms: Vec::new(), shooter, display }
    }

    /// Opens an xterm of `cols`×`rows` cells at (`x`, `y`) that prints
    /// `lines` and leaves a shell prompt below them.
    pub fn xterm(&mut self, title: &str, cols: u32, rows: u32, x: i32, y: i32, lines: &[&str]) -> &Term {
        self.xterm_sized(title, cols, rows, x, y, lines, 11)
    }

    /// [`Screen::xterm`] with its font at `points`.
    #[allow(clippy::too_many_arguments)]
    pub fn xterm_sized(&mut self, title: &str, cols: u32, rows: u32, x: i32, y: i32, lines: &[&str], points: u32) -> &Term {
        let mut cmd = String::from("printf '%s\\n'");
        for line in lines {
            cmd.push_str(" '");
            cmd.push_str(&line.replace('\'', "'\\''"));
            cmd.push('\'');
        }
        let geometry = format!("{cols}x{rows}+{x}+{y}");
        let (process, window) =
            spawn_xterm_sized(&self.driver, self.display.name(), title, &geometry, Some(&cmd), points).expect("xterm");
        // Wait until the window is mapped at its final size.
        let deadline = Instant::now() + Duration::from_secs(10);
        let (origin, size) = loop {
            let g = self.conn.get_geometry(window).unwrap().reply().unwrap();
            let t = self.conn.translate_coordinates(window, self.root, 0, 0).unwrap().reply().unwrap();
            let size = (g.width as u32, g.height as u32);
            let whole = (size.0 - 2 * BORDER).is_multiple_of(cols) && (size.1 - 2 * BORDER).is_multiple_of(rows);
            if whole || Instant::now() > deadline {
                break ((t.dst_x as i32, t.dst_y as i32), size);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!((size.0 - 2 * BORDER) % cols, 0, "xterm width {} is not a whole number of cells", size.0);
        assert_eq!((size.1 - 2 * BORDER) % rows, 0, "xterm height {} is not a whole number of cells", size.1);
        let cell = ((size.0 - 2 * BORDER) / cols, (size.1 - 2 * BORDER) / rows);
        self.terms.push(Term {
            window,
            origin: (origin.0 + BORDER as i32, origin.1 + BORDER as i32),
            cell,
            lines: lines.iter().map(|s| s.to_string()).collect(),
            _process: process,
        });
        self.terms.last().unwrap()
    }

    /// Grabs the screen once it has been still for a moment, with the
    /// window stack as capture reports it.
    pub fn settled_frame(&self) -> Frame {
        let start = Instant::now();
        let mut last = self.shooter.grab().expect("grab");
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let mut next = self.shooter.grab().expect("grab");
            if (next.bgrx == last.bgrx && start.elapsed() > Duration::from_millis(600))
                || start.elapsed() > Duration::from_secs(15)
            {
                next.stack = self.stack();
                return next;
            }
            last = next;
        }
    }

    /// One grab, with the window stack.
    pub fn grab(&self) -> Frame {
        let mut frame = self.shooter.grab().expect("grab");
        frame.stack = self.stack();
        frame
    }

    /// The mapped top-level windows, bottom first, with their outer
    /// rectangles (window-manager frames): what capture reads with every
    /// frame (`Frame::stack`), without the applications inside.
    pub fn stack(&self) -> WindowStack {
        let tree = self.conn.query_tree(self.root).unwrap().reply().unwrap();
        let mut out = Vec::new();
        for window in tree.children {
            let (Ok(attributes), Ok(geometry)) = (
                self.conn.get_window_attributes(window).unwrap().reply(),
                self.conn.get_geometry(window).unwrap().reply(),
            ) else {
                continue;
            };
            if attributes.map_state != MapState::VIEWABLE || attributes.class == WindowClass::INPUT_ONLY {
                continue;
            }
            let border = 2 * geometry.border_width as u32;
            out.push(StackedWindow {
                rect: Rect::new(
                    geometry.x as i32,
                    geometry.y as i32,
                    geometry.width as u32 + border,
                    geometry.height as u32 + border,
                ),
                client: None,
                override_redirect: attributes.override_redirect,
            });
        }
        std::sync::Arc::new(out)
    }
}

/// Rectangles of the pixels that differ between two frames of one size,
/// on a grid of `tile`-pixel squares (what capture reports as `changed`).
pub fn changed_tiles(a: &Frame, b: &Frame, tile: u32) -> Vec<Rect> {
    let mut out = Vec::new();
    let (w, h) = (a.width, a.height);
    for ty in (0..h).step_by(tile as usize) {
        for tx in (0..w).step_by(tile as usize) {
            let tw = tile.min(w - tx);
            let th = tile.min(h - ty);
            let differs = (ty..ty + th).any(|y| {
                let s = ((y * w + tx) * 4) as usize;
                let e = s + tw as usize * 4;
                a.bgrx[s..e] != b.bgrx[s..e]
            });
            if differs {
                out.push(Rect::new(tx as i32, ty as i32, tw, th));
            }
        }
    }
    out
}

/// The bounding box of the pixels in `r` that differ from the colour of
/// its top-left pixel (the ink of text on a plain background).
pub fn ink_box(frame: &Frame, r: Rect) -> Option<Rect> {
    let bg = frame.rgb_at(r.x as u32, r.y as u32);
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for y in r.y..r.y + r.height as i32 {
        for x in r.x..r.x + r.width as i32 {
            if frame.rgb_at(x as u32, y as u32) != bg {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    (x0 <= x1).then(|| Rect::new(x0, y0, (x1 - x0 + 1) as u32, (y1 - y0 + 1) as u32))
}

/// CPU time this thread has used, in seconds.
pub fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime fills the struct it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Known values the scanner must find, each with the line that shows it:
/// (kind name, value, line).
pub const PII: &[(&str, &str, &str)] = &[
    ("card", "4111 1111 1111 1111", "Customer card 4111 1111 1111 1111 expires 09/27"),
    ("card", "5500-0000-0000-0004", "Backup card 5500-0000-0000-0004 on file since March"),
    ("email", "alice.johnson@example.com", "Contact alice.johnson@example.com for the invoice"),
    ("email", "bob_smith99@mail.example.org", "cc: bob_smith99@mail.example.org (billing)"),
    ("aws_secret", "Zq8vT3mK9pLx2Rb7Wc4Nf6Hd1Gs5Yj7Ue8Ia3VvT", "export AWS_SECRET_ACCESS_KEY=Zq8vT3mK9pLx2Rb7Wc4Nf6Hd1Gs5Yj7Ue8Ia3VvT"),
    ("iban", "DE89 3704 0044 0532 0130 00", "Pay to IBAN DE89 3704 0044 0532 0130 00 by Friday"),
    ("phone", "+1 415-555-2671", "Call me on +1 415-555-2671 after lunch"),
    ("ssn", "536-22-8721", "SSN 536-22-8721 on the tax form"),
    ("github_token", "ghp_R7dK2mVx9QwLp4TzN8bYc3HsJf6GaE1uWkXq", "git push with token ghp_R7dK2mVx9QwLp4TzN8bYc3HsJf6GaE1uWkXq done"),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4NzE2MiIsInJvbGUiOiJhZG1pbiJ9.kD3vQ8xR2mT7pL5wN9sY4bH6cJ1fG0aE8uZ3iK7oWqE",
        "Authorization: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4NzE2MiIsInJvbGUiOiJhZG1pbiJ9.kD3vQ8xR2mT7pL5wN9sY4bH6cJ1fG0aE8uZ3iK7oWqE",
    ),
    ("ip", "192.168.14.27", "ssh deploy@192.168.14.27 -p 2222"),
];

/// Plain text shown around the values; none of it is PII.
pub const PLAIN: &[&str] = &[
    "The quick brown fox jumps over the lazy dog near the river bank",
    "cargo build --release finished in 42 seconds with 3 warnings",
    "fn main() { println!(\"hello world\"); }",
    "Meeting notes: review the quarterly roadmap and budget",
    "INFO server started on port 8080 with 4 workers",
    "Total due: 129.50 EUR, order number A-20931",
    "git commit -m \"update the parser tests\"",
    "Weather tomorrow: cloudy with light rain in the afternoon",
];

/// A 1920×1080 screen full of terminals: a wide one with every test value
/// between plain lines, and two below with the shorter values. Returns the
/// screen (keep it alive) and a settled frame of it.
pub fn dense_screen() -> (Screen, Frame) {
    let mut screen = Screen::start(1920, 1080);
    let mut wide: Vec<&str> = Vec::new();
    for (i, (_, _, line)) in PII.iter().enumerate() {
        wide.push(PLAIN[i % PLAIN.len()]);
        wide.push(line);
    }
    screen.xterm("wide", 170, 23, 10, 10, &wide);
    let short: Vec<&str> = PII.iter().map(|p| p.2).filter(|l| l.len() <= 80).collect();
    for (n, x) in [(0usize, 10), (1, 965)] {
        let mut lines: Vec<&str> = Vec::new();
        for (i, line) in short.iter().enumerate() {
            lines.push(PLAIN[(i + 3 * n + 1) % PLAIN.len()]);
            lines.push(line);
        }
        lines.truncate(21);
        screen.xterm(&format!("side{n}"), 84, 22, x, 560, &lines);
    }
    let frame = screen.settled_frame();
    (screen, frame)
}

/// The tight ink boxes of every word of every test value on the screen.
pub fn pii_ink_boxes(screen: &Screen, frame: &Frame) -> Vec<(&'static str, Rect)> {
    let mut out = Vec::new();
    for term in &screen.terms {
        for (kind, value, _) in PII {
            for cell_box in term.boxes_of(value) {
                let ink = ink_box(frame, cell_box).expect("a value's cells hold ink");
                out.push((*kind, ink));
            }
        }
    }
    out
}

/// (pixels of `truth` not covered by any of `fills`, pixels of `truth`,
/// boxes not wholly covered).
pub fn uncovered(truth: &[(&str, Rect)], fills: &[Rect]) -> (u64, u64, usize) {
    let (mut missed, mut total, mut partial) = (0u64, 0u64, 0usize);
    for (_, t) in truth {
        let mut m = 0;
        for y in t.y..t.y + t.height as i32 {
            for x in t.x..t.x + t.width as i32 {
                if !fills.iter().any(|f| f.contains(x, y)) {
                    m += 1;
                }
            }
        }
        missed += m;
        total += t.area();
        partial += (m > 0) as usize;
    }
    (missed, total, partial)
}

/// A 1920×1080 screen of terminals with their font at `points`: every
/// test value between plain lines, twice (two terminals, one above the
/// other, the second's lines in another order).
pub fn small_text_screen(points: u32) -> (Screen, Frame) {
    let mut screen = Screen::start(1920, 1080);
    let mut lines: Vec<&str> = Vec::new();
    for (i, (_, _, line)) in PII.iter().enumerate() {
        lines.push(PLAIN[i % PLAIN.len()]);
        lines.push(line);
    }
    for (n, y) in [(0usize, 10), (1, 540)] {
        let mut mine = lines.clone();
        mine.rotate_left(6 * n);
        screen.xterm_sized(&format!("small{n}"), 190, 24, 10, y, &mine, points);
    }
    let frame = screen.settled_frame();
    (screen, frame)
}

/// How well `boxes` (a redaction's fills) cover the test values' ink on
/// `frame`: (share of the ink left uncovered, boxes not wholly covered,
/// value word boxes).
pub fn ink_left(screen: &Screen, frame: &Frame, boxes: &[tracewell_ocr::FilledBox]) -> (f64, usize, usize) {
    let truth = pii_ink_boxes(screen, frame);
    let fills: Vec<Rect> = boxes.iter().map(|b| b.rect).collect();
    let (missed, total, partial) = uncovered(&truth, &fills);
    (missed as f64 / total as f64, partial, truth.len())
}
