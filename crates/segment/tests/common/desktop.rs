//! Deterministic synthetic screens for codec tests and benchmarks: a flat
//! background, a panel, overlapping windows with title bars, and lines of
//! text-like glyphs (anti-aliased noise patterns drawn from a small glyph
//! set, so they repeat like real text does).

/// A small deterministic generator (64-bit LCG, high bits).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    pub fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

pub const GLYPH_W: u32 = 7;
pub const GLYPH_H: u32 = 13;

/// 80 glyphs of GLYPH_W x GLYPH_H coverage values (0..=3).
fn glyphs() -> Vec<Vec<u8>> {
    let mut rng = Lcg::new(0x61797068);
    (0..80)
        .map(|_| {
            (0..GLYPH_W * GLYPH_H)
                .map(|i| {
                    let (x, y) = (i % GLYPH_W, i / GLYPH_W);
                    // Leave a margin: column 6 and the top/bottom rows stay empty.
                    if x == GLYPH_W - 1 || !(2..=10).contains(&y) {
                        0
                    } else {
                        match rng.below(10) {
                            0..=5 => 0,
                            6 => 1,
                            7 => 2,
                            _ => 3,
                        }
                    }
                })
                .collect()
        })
        .collect()
}

pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub bgrx: Vec<u8>,
    glyphs: Vec<Vec<u8>>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, rgb: (u8, u8, u8)) -> Canvas {
        let mut bgrx = Vec::with_capacity((width * height * 4) as usize);
        for _ in 0..width * height {
            bgrx.extend_from_slice(&[rgb.2, rgb.1, rgb.0, 0]);
        }
        Canvas { width, height, bgrx, glyphs: glyphs() }
    }

    pub fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: (u8, u8, u8)) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let i = ((yy * self.width + xx) * 4) as usize;
                self.bgrx[i..i + 3].copy_from_slice(&[rgb.2, rgb.1, rgb.0]);
            }
        }
    }

    fn blend(&mut self, x: u32, y: u32, fg: (u8, u8, u8), coverage: u8) {
        if x >= self.width || y >= self.height || coverage == 0 {
            return;
        }
        let i = ((y * self.width + x) * 4) as usize;
        let mix = |bg: u8, fg: u8| ((bg as u32 * (3 - coverage as u32) + fg as u32 * coverage as u32) / 3) as u8;
        self.bgrx[i] = mix(self.bgrx[i], fg.2);
        self.bgrx[i + 1] = mix(self.bgrx[i + 1], fg.1);
        self.bgrx[i + 2] = mix(self.bgrx[i + 2], fg.0);
    }

    /// Lines of words of random glyphs inside a box.
    pub fn text(&mut self, x: u32, y: u32, w: u32, h: u32, fg: (u8, u8, u8), rng: &mut Lcg) {
        let line_h = GLYPH_H + 4;
        let mut ly = y;
        while ly + GLYPH_H <= y + h {
            let mut lx = x;
            let line_end = x + w.saturating_sub(rng.below(w / 3 + 1));
            while lx + GLYPH_W <= line_end {
                let word = 2 + rng.below(8);
                for _ in 0..word {
                    if lx + GLYPH_W > line_end {
                        break;
                    }
                    let g = rng.below(self.glyphs.len() as u32) as usize;
                    for gy in 0..GLYPH_H {
                        for gx in 0..GLYPH_W {
                            let c = self.glyphs[g][(gy * GLYPH_W + gx) as usize];
                            self.blend(lx + gx, ly + gy, fg, c);
                        }
                    }
                    lx += GLYPH_W;
                }
                lx += GLYPH_W;
            }
            ly += line_h;
        }
    }

    pub fn window(&mut self, x: u32, y: u32, w: u32, h: u32, accent: (u8, u8, u8), rng: &mut Lcg) {
        let (w2, h28, h40) = (w.saturating_sub(2), h.saturating_sub(28), h.saturating_sub(40));
        self.fill(x, y, w, h, (60, 60, 60)); // border
        self.fill(x + 1, y + 1, w2, 26, accent); // title bar
        self.text(x + 10, y + 7, w / 3, 14, (250, 250, 250), rng);
        self.fill(x + 1, y + 27, w2, h28, (252, 252, 250)); // body
        self.fill(x + 1, y + 27, 180.min(w2), h28, (236, 238, 242)); // sidebar
        self.text(x + 8, y + 34, 160.min(w.saturating_sub(20)), h40, (70, 70, 80), rng);
        self.text(x + 196, y + 34, w.saturating_sub(220), h40, (20, 20, 20), rng);
    }
}

/// A desktop of `width` x `height`: panel, background and three windows.
pub fn desktop(width: u32, height: u32, seed: u64) -> Canvas {
    let mut rng = Lcg::new(seed);
    let mut c = Canvas::new(width, height, (46, 52, 64));
    c.fill(0, 0, width, 28, (30, 30, 30));
    c.text(8, 8, 300, 14, (220, 220, 220), &mut rng);
    let accents = [(53, 132, 228), (46, 160, 67), (200, 80, 60)];
    for accent in accents {
        let w = width / 2 + rng.below(width / 4);
        let h = height / 2 + rng.below(height / 4);
        let x = rng.below(width - w);
        let y = 28 + rng.below((height - h).saturating_sub(28).max(1));
        c.window(x, y, w, h, accent, &mut rng);
    }
    c
}

/// Re-draws a 200x30 area (as when typing into a field).
pub fn small_change(c: &mut Canvas, seed: u64) {
    let (x, y) = (c.width / 3, c.height / 2);
    small_change_at(c, x, y, seed);
}

/// Re-draws a 200x30 area at (x, y).
pub fn small_change_at(c: &mut Canvas, x: u32, y: u32, seed: u64) {
    let mut rng = Lcg::new(seed);
    c.fill(x, y, 200, 30, (255, 255, 255));
    c.text(x + 4, y + 4, 190, 24, (0, 0, 0), &mut rng);
}
