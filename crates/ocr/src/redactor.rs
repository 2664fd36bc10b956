//! [`PixelRedactor`]: fills the boxes of words that are PII or secrets,
//! reading again only what changed since the previous frame, window by
//! window.

use std::collections::{BTreeMap, HashMap};

use tracewell_model::{Frame, Rect};
use tracewell_redact::{Kind, Scanner, summary};

use crate::engine::{Ocr, PageSegMode, Pixels, ReadAs, Word};
use crate::known::KnownValues;
use crate::regions::Area;
use crate::{Error, lines, misreads, regions, scroll, text_size};

/// Horizontal margin around a changed region: catches a word that grew by
/// a character typed right against it.
const MARGIN_X: u32 = 16;
/// Vertical margin around a changed region.
const MARGIN_Y: u32 = 4;
/// Margins around a cached word a region grows to take in: enough that
/// the word read again does not touch the region's edge, and less than
/// the space between words and lines. With the change margins instead,
/// taking in one word reached the next, and a window's border lighting
/// up on a switch made the redactor read every line of the window.
const ABSORB_MARGIN_X: u32 = 4;
const ABSORB_MARGIN_Y: u32 = 1;
/// How far a region grows sideways when a word it read touches its edge
/// (the word may go on outside).
const EDGE_GROWTH: u32 = 96;
/// How many times one region may grow that way.
const EDGE_ROUNDS: u32 = 3;
/// Above this fraction of the frame, changed regions are read as one
/// whole frame (same cost, no seams). Regions are split by window anyway,
/// so a window switch that exposes half the screen reads only what it
/// exposed (0.5 before reading went window by window; 0.9 cut the
/// recorder bench's OCR cost by about a tenth, see docs/BENCHMARKS.md).
const FULL_FRACTION: f64 = 0.9;
/// The fill colour, B, G, R, X: opaque black.
const FILL: [u8; 4] = [0, 0, 0, 0];

/// One filled box and the kind of value that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilledBox {
    pub kind: Kind,
    pub rect: Rect,
}

/// What one call of [`PixelRedactor::redact`] did. Kinds and counts, never
/// values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PixelReport {
    /// Kind name (`card`, `email` …) → number of values found.
    pub counts: BTreeMap<String, u32>,
    /// Number of boxes filled: words, and the gaps between filled
    /// neighbours on a line.
    pub boxes_filled: u32,
    /// Pixels handed to OCR for this frame (not counting those painted
    /// over because another window covers them).
    pub ocr_area: u64,
    /// Regions handed to OCR for this frame (a region that grew to take in
    /// a word cut at its edge counts again).
    pub ocr_calls: u32,
    /// Whether the whole frame was read (first frame, size change, large
    /// change).
    pub full_ocr: bool,
    /// Windows whose content was found scrolled (their cached words moved
    /// instead of being read again).
    pub scrolls: u32,
    /// Cached words moved with a scroll.
    pub words_moved: u32,
    /// Reads of small text, enlarged first ([`text_size`]).
    pub enlarged_reads: u32,
    /// The filled boxes (padded, clipped to the frame).
    pub boxes: Vec<FilledBox>,
}

/// Redacts frames of one recording, in order.
///
/// It keeps the words of the previous frame. For each new frame it drops
/// the cached words that meet `frame.changed` (grown by a margin), and
/// reads again the changed rectangles together with the boxes of the
/// dropped words (so a word cut by a tile edge is read again whole), as
/// pieces: a region is read inside its bounding box with everything
/// outside its pieces painted over, so a tall change that cuts a word on
/// one line does not make every line read wider. It then scans the text
/// of all words,
/// joined line by line, with [`Scanner::builtin_screen`] (three times:
/// as read, and with OCR's breaks and misreads inside values undone in
/// two ways, see [`misreads`]; check digits are not required, so a card
/// with one digit misread is still filled). Every word a detection
/// touches, even in part, is filled solid with a padding. A window whose
/// text is small is read enlarged ([`text_size`]).
///
/// Regions are read window by window along `frame.stack` (see
/// [`regions`]), each window's part as one block of text, light-on-dark
/// parts inverted first; a frame without a stack is read region by
/// region.
///
/// When a window's content scrolled (a terminal printed lines), the
/// cached words that moved are moved with it and only what scrolled in is
/// read ([`scroll`]); this keeps a copy of the previous frame's pixels.
///
/// The caller must pass every frame of the recording, in order, with
/// `changed` relative to the frame before; after skipping a frame, or when
/// pixels changed in a way `changed` does not show (a window that was
/// blanked before is shown now), call [`PixelRedactor::reset`].
pub struct PixelRedactor {
    ocr: Ocr,
    cache: Vec<Word>,
    size: Option<(u32, u32)>,
    /// The previous frame's pixels as given (before filling), for
    /// [`scroll`] detection; empty after a reset.
    previous: Vec<u8>,
}

impl PixelRedactor {
    pub fn new(ocr: Ocr) -> PixelRedactor {
        PixelRedactor { ocr, cache: Vec::new(), size: None, previous: Vec::new() }
    }

    /// Forgets the previous frame, and the engine's recent reads
    /// ([`crate::read_cache`]): the next frame is read whole, by Tesseract.
    pub fn reset(&mut self) {
        self.cache.clear();
        self.size = None;
        self.previous.clear();
        self.ocr.forget_reads();
    }

    /// The engine.
    pub fn ocr(&self) -> &Ocr {
        &self.ocr
    }

    /// The words of the last frame redacted, as read (before filling).
    /// Recognised text: for tests and diagnostics, never for logs.
    pub fn words(&self) -> &[Word] {
        &self.cache
    }

    /// Fills the PII in `frame.bgrx`. On error nothing is filled and the
    /// frame must be dropped; the next frame is then read whole.
    pub fn redact(&mut self, frame: &mut Frame) -> Result<PixelReport, Error> {
        self.redact_with(frame, &KnownValues::new())
    }

    /// [`PixelRedactor::redact`], also filling every word that is a
    /// fragment of one of the `known` values.
    pub fn redact_with(&mut self, frame: &mut Frame, known: &KnownValues) -> Result<PixelReport, Error> {
        let (w, h) = (frame.width, frame.height);
        if frame.bgrx.len() != w as usize * h as usize * 4 {
            self.reset();
            return Err(Error::Image(format!("frame {w}x{h} has {} bytes of BGRX", frame.bgrx.len())));
        }
        let result = self.read(frame);
        let (words, report) = match result {
            Ok(r) => r,
            Err(e) => {
                self.reset();
                return Err(e);
            }
        };
        // Scroll detection works on windows: without a stack there is
        // nothing to compare, and no 8 MB copy a frame to keep.
        self.previous.clear();
        if !frame.stack.is_empty() {
            self.previous.extend_from_slice(&frame.bgrx);
        }
        let report = fill(frame, &words, known, report);
        self.cache = words;
        self.size = Some((w, h));
        Ok(report)
    }

    /// `frame.changed`, less what merely scrolled: for each window that
    /// no other covers and that changed over at least a quarter of its
    /// area, a vertical shift of its content ([`scroll::detect`]) moves
    /// the cached words wholly inside the moved block with it, and only
    /// the window's rows outside the block — plus the new places of words
    /// the block's edges cut — are left to read.
    fn follow_scrolls(&self, frame: &Frame, cache: &mut Vec<Word>, report: &mut PixelReport) -> Vec<Rect> {
        let mut changed = frame.changed.clone();
        if self.previous.len() != frame.bgrx.len() {
            return changed;
        }
        let bounds = Rect::new(0, 0, frame.width, frame.height);
        for (i, window) in frame.stack.iter().enumerate() {
            let Some(rect) = window.rect.intersect(&bounds) else { continue };
            if frame.stack[i + 1..].iter().any(|above| regions::overlaps(&above.rect, &rect)) {
                continue;
            }
            let changed_here: u64 = changed.iter().filter_map(|r| r.intersect(&rect)).map(|r| r.area()).sum();
            if changed_here * 4 < rect.area() {
                continue;
            }
            let Some(shift) = scroll::detect(&self.previous, &frame.bgrx, frame.width, rect) else { continue };
            let (a, b) = shift.rows;
            let (was_a, was_b) = (a + shift.dy, b + shift.dy);
            let mut cut = Vec::new();
            cache.retain_mut(|word| {
                let r = word.rect;
                let inside = r.x >= rect.x
                    && r.x + r.width as i32 <= rect.x + rect.width as i32
                    && r.y >= rect.y
                    && r.y + r.height as i32 <= rect.y + rect.height as i32;
                if !inside {
                    return true;
                }
                if r.y >= was_a && r.y + r.height as i32 <= was_b {
                    word.rect.y -= shift.dy;
                    report.words_moved += 1;
                    return true;
                }
                if r.y < was_b && r.y + r.height as i32 > was_a {
                    // Cut by the block's edge: read it again where it is now.
                    let moved = Rect::new(r.x, r.y - shift.dy, r.width, r.height);
                    if let Some(now) = moved.intersect(&rect) {
                        cut.push(now);
                    }
                }
                false
            });
            let block = Rect::new(rect.x, a, rect.width, (b - a) as u32);
            // Changed tiles reach past the window's edge; what is left of
            // them outside it is kept only where pixels really changed.
            let previous = &self.previous;
            changed = changed
                .into_iter()
                .flat_map(|r| {
                    let cut = r.intersect(&rect).is_some();
                    regions::subtract(r, &rect)
                        .into_iter()
                        .filter(move |part| !cut || pixels_differ(previous, &frame.bgrx, frame.width, *part))
                })
                .collect();
            changed.extend(regions::subtract(rect, &block));
            changed.extend(cut);
            report.scrolls += 1;
        }
        changed
    }

    /// Updates the word list for `frame`: returns all its words and a
    /// report with the OCR figures filled in.
    fn read(&mut self, frame: &Frame) -> Result<(Vec<Word>, PixelReport), Error> {
        let (w, h) = (frame.width, frame.height);
        let bounds = Rect::new(0, 0, w, h);
        let mut report = PixelReport::default();
        let mut cache = std::mem::take(&mut self.cache);
        let mut todo = if self.size != Some((w, h)) {
            cache.clear();
            vec![Region::whole(bounds)]
        } else {
            let changed = self.follow_scrolls(frame, &mut cache, &mut report);
            let grown: Vec<Rect> =
                changed.iter().filter_map(|r| regions::expand(*r, MARGIN_X, MARGIN_Y, bounds)).collect();
            absorb_cached_words(grown, &cache, bounds, |_| true)
        };
        let area: u64 = todo.iter().map(Region::area).sum();
        if area as f64 > FULL_FRACTION * bounds.area() as f64 {
            todo = vec![Region::whole(bounds)];
        }
        report.full_ocr = todo.len() == 1 && todo[0].pieces == [bounds];
        cache.retain(|word| !todo.iter().any(|r| r.meets(&word.rect)));
        // Each window's part of a region is read on its own (see
        // `regions`): layout analysis over several windows cuts lines up.
        let mut todo: Vec<(Area, Vec<Rect>)> = todo
            .into_iter()
            .flat_map(|region| {
                regions::by_window(region.bounds(), &frame.stack, bounds).into_iter().map(move |area| {
                    let shown = region.pieces.iter().filter_map(|p| p.intersect(&area.rect)).collect();
                    (area, shown)
                })
            })
            .collect();
        let pixels = Pixels::Bgrx(&frame.bgrx);
        // Whether a window's text is small (read enlarged), decided once
        // per window and frame over the whole window (see `text_size`).
        let mut small: HashMap<Rect, bool> = HashMap::new();
        while let Some((mut area, mut shown)) = todo.pop() {
            let enlarged = *small
                .entry(area.limit)
                .or_insert_with(|| text_size::is_small(frame, area.limit, &area.hidden_in(area.limit)));
            report.enlarged_reads += u32::from(enlarged);
            let how = ReadAs { mode: mode_for(&area), enlarged };
            let (mut found, read) = self.ocr.words_in(pixels, w, h, area.rect, &shown, &area.hidden(), how)?;
            report.ocr_area += read;
            report.ocr_calls += 1;
            // A word touching a side of its piece, where the window (or
            // the frame) goes on, may go on outside: read on along its
            // line, and again.
            for _ in 0..EDGE_ROUNDS {
                let growth = growth_at_cut_words(&shown, &found, area.limit);
                if growth.is_empty() {
                    break;
                }
                // The new pieces may cut cached words of this window: read
                // them again too.
                let extra = absorb_cached_words(growth, &cache, area.limit, |word| !area.hides(&word.rect));
                let pieces: Vec<Rect> = extra.into_iter().flat_map(|r| r.pieces).collect();
                cache.retain(|word| !pieces.iter().any(|p| regions::overlaps(p, &word.rect)) || area.hides(&word.rect));
                for p in &pieces {
                    area.rect = regions::union(area.rect, *p).intersect(&area.limit).unwrap_or(area.rect);
                }
                shown.extend(pieces);
                let (again, read) = self.ocr.words_in(pixels, w, h, area.rect, &shown, &area.hidden(), how)?;
                found = again;
                report.ocr_area += read;
                report.ocr_calls += 1;
            }
            // Words read earlier in this frame, in another region of the
            // same window, that this read covered too: read twice.
            cache.retain(|word| !centre_in(&shown, &word.rect) || area.hides(&word.rect));
            cache.extend(found);
        }
        Ok((cache, report))
    }
}

/// How an area is segmented: a window's part as one block of text (one
/// application's text, in lines; full layout analysis there splits table
/// columns and words at them), the desktop and stack-less frames with
/// the engine's own mode.
fn mode_for(area: &Area) -> Option<PageSegMode> {
    area.window.then_some(PageSegMode::SingleBlock)
}

/// Part of the frame to read again: the changed rectangles (with their
/// margins) and the cached words they cut, each as its own piece. The
/// pieces are read together, inside their bounding box, with the rest of
/// the box painted over ([`Ocr::words_in`]): a word cut at one line does
/// not widen the region on every other line.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Region {
    pieces: Vec<Rect>,
}

impl Region {
    fn whole(r: Rect) -> Region {
        Region { pieces: vec![r] }
    }

    fn bounds(&self) -> Rect {
        self.pieces.iter().copied().reduce(regions::union).expect("a region has a piece")
    }

    fn meets(&self, r: &Rect) -> bool {
        self.pieces.iter().any(|p| regions::overlaps(p, r))
    }

    /// Pixels to read, at most (overlapping pieces count twice, up to the
    /// bounding box).
    fn area(&self) -> u64 {
        self.pieces.iter().map(Rect::area).sum::<u64>().min(self.bounds().area())
    }
}

/// Regions for the rectangles `rects`: each takes in, as further pieces,
/// every cached word (of those `keep` accepts) that one of its pieces
/// meets, with margins around it (so the word read again does not touch
/// its piece's edge), until no piece meets a word not taken in; regions
/// whose pieces come to overlap are merged. Pieces stay inside `bounds`.
fn absorb_cached_words(rects: Vec<Rect>, cache: &[Word], bounds: Rect, keep: impl Fn(&Word) -> bool) -> Vec<Region> {
    let mut regions: Vec<Region> = rects.into_iter().filter_map(|r| r.intersect(&bounds)).map(Region::whole).collect();
    let mut taken: Vec<bool> = cache.iter().map(|w| !keep(w)).collect();
    loop {
        let mut grew = false;
        for region in regions.iter_mut() {
            // Only pieces added in the last round can meet a word not yet
            // taken; checking all keeps this simple (a few hundred words).
            for (word, taken) in cache.iter().zip(taken.iter_mut()) {
                if !*taken && region.meets(&word.rect) {
                    *taken = true;
                    let piece = regions::expand(word.rect, ABSORB_MARGIN_X, ABSORB_MARGIN_Y, bounds).unwrap_or(word.rect);
                    if !region.pieces.iter().any(|p| p.intersect(&piece) == Some(piece)) {
                        region.pieces.push(piece);
                    }
                    grew = true;
                }
            }
        }
        let merged = merge_regions(&mut regions);
        if !grew && !merged {
            return regions;
        }
    }
}

/// Merges regions with overlapping pieces; whether any were.
fn merge_regions(regions: &mut Vec<Region>) -> bool {
    let mut any = false;
    'again: loop {
        for i in 0..regions.len() {
            for j in i + 1..regions.len() {
                if regions[j].pieces.iter().any(|p| regions[i].meets(p)) {
                    let other = regions.swap_remove(j);
                    regions[i].pieces.extend(other.pieces);
                    any = true;
                    continue 'again;
                }
            }
        }
        return any;
    }
}

/// Whether the centre of `r` lies in one of `pieces`.
fn centre_in(pieces: &[Rect], r: &Rect) -> bool {
    let (cx, cy) = (r.x + (r.width / 2) as i32, r.y + (r.height / 2) as i32);
    pieces.iter().any(|p| p.contains(cx, cy))
}

/// New pieces where a word read touches the left or right side of the
/// piece that shows it while the window (`limit`) goes on past that side
/// and no other piece does: a band of the word's line, [`EDGE_GROWTH`]
/// wide, beyond the side (the word may go on there).
fn growth_at_cut_words(shown: &[Rect], words: &[Word], limit: Rect) -> Vec<Rect> {
    let (min_x, max_x) = (limit.x, limit.x + limit.width as i32);
    let mut out: Vec<Rect> = Vec::new();
    for word in words {
        let r = word.rect;
        let (cx, cy) = (r.x + (r.width / 2) as i32, r.y + (r.height / 2) as i32);
        let Some(piece) = shown.iter().find(|p| p.contains(cx, cy)) else { continue };
        let (left, right) = (piece.x, piece.x + piece.width as i32);
        let band_y = r.y - ABSORB_MARGIN_Y as i32;
        let band_h = r.height + 2 * ABSORB_MARGIN_Y;
        let open = |x: i32| !shown.iter().any(|p| p.contains(x, cy));
        if r.x <= left + 1 && left > min_x && open(left - 1) {
            let x0 = (left - EDGE_GROWTH as i32).max(min_x);
            out.push(Rect::new(x0, band_y, (left - x0) as u32, band_h));
        }
        if r.x + r.width as i32 >= right - 1 && right < max_x && open(right) {
            let x1 = (right + EDGE_GROWTH as i32).min(max_x);
            out.push(Rect::new(right, band_y, (x1 - right) as u32, band_h));
        }
    }
    out.into_iter().filter_map(|b| b.intersect(&limit)).collect()
}

/// Scans the words' text and fills every word a detection touches, every
/// secret-shaped word and every fragment of a known value.
fn fill(frame: &mut Frame, words: &[Word], known: &KnownValues, mut report: PixelReport) -> PixelReport {
    let joined = lines::join(words);
    let spans = Scanner::builtin_screen().find(&joined.text);
    report.counts = summary(&spans).into_iter().map(|(k, n)| (k.name().to_string(), n)).collect();
    let mut kind_of: Vec<Option<Kind>> = vec![None; words.len()];
    for span in &spans {
        for i in joined.words_of_span(span.start, span.end) {
            kind_of[i].get_or_insert(span.kind);
        }
    }
    // The same words with OCR's breaks and misreads inside values undone
    // (see `misreads`): what it finds besides is filled too, and a value
    // counts when it adds a word.
    for reading in [misreads::variant(&joined), misreads::fixed_first(words)] {
        for span in Scanner::builtin_screen().find(&reading.text) {
            let mut new = false;
            for i in reading.words_of_span(span.start, span.end) {
                new |= kind_of[i].is_none();
                kind_of[i].get_or_insert(span.kind);
            }
            if new {
                *report.counts.entry(span.kind.name().to_string()).or_default() += 1;
            }
        }
    }
    // OCR misreads break the scanner's patterns inside keys and tokens
    // (`AKIA…` read as `AKITA …`, `0` as `@`); a word shaped like a
    // secret is filled whatever the scanner made of it.
    for (i, word) in words.iter().enumerate() {
        if kind_of[i].is_none() && secret_shaped(&word.text) {
            kind_of[i] = Some(Kind::Secret);
            *report.counts.entry(Kind::Secret.name().to_string()).or_default() += 1;
        }
    }
    // A value seen typed shows on screen while it is being typed, or
    // misread: its fragments are filled (counted once per word).
    if !known.is_empty() {
        for (i, word) in words.iter().enumerate() {
            if kind_of[i].is_none() {
                if let Some(kind) = known.matches(&word.text) {
                    kind_of[i] = Some(kind);
                    *report.counts.entry(kind.name().to_string()).or_default() += 1;
                }
            }
        }
    }
    let bounds = Rect::new(0, 0, frame.width, frame.height);
    let pad = |r: Rect| (r.height / 5).max(2);
    for (i, kind) in kind_of.iter().enumerate() {
        let Some(kind) = *kind else { continue };
        let r = words[i].rect;
        let Some(padded) = regions::expand(r, pad(r), pad(r), bounds) else { continue };
        fill_rect(frame, padded);
        report.boxes.push(FilledBox { kind, rect: padded });
    }
    // Bridge the gap between two filled neighbours on a line: OCR drops
    // punctuation inside values (the `.` of `alice.johnson@…`), and the
    // gaps would show a value's grouping. Both words are filled as high
    // and deep as the taller: a part of a value read without its
    // descenders (`lukas.` of `lukas.becker@…`) is filled like the rest.
    for p in 0..joined.ranges.len().saturating_sub(1) {
        let (a, b) = (joined.ranges[p].2, joined.ranges[p + 1].2);
        let (Some(kind), Some(_)) = (kind_of[a], kind_of[b]) else { continue };
        let (ra, rb) = (words[a].rect, words[b].rect);
        let left = ra.x + ra.width as i32;
        let line_height = ra.height.max(rb.height) as i32;
        if !joined.same_line(p) || rb.x <= left || rb.x - left > 2 * line_height {
            continue;
        }
        let top = ra.y.min(rb.y);
        let bottom = (ra.y + ra.height as i32).max(rb.y + rb.height as i32);
        let gap = Rect::new(left, top, (rb.x - left) as u32, (bottom - top) as u32);
        let Some(padded) = regions::expand(gap, 0, pad(gap), bounds) else { continue };
        fill_rect(frame, padded);
        report.boxes.push(FilledBox { kind, rect: padded });
        let both = regions::union(ra, rb);
        if both.height > ra.height.min(rb.height) {
            fill_rect(frame, both);
            report.boxes.push(FilledBox { kind, rect: both });
        }
    }
    report.boxes_filled = report.boxes.len() as u32;
    report
}

/// Whether an OCR word looks like a key, token or password: it starts
/// like a vendor token (`AKIA`, `ghp_`, `eyJ` …), or it has at least 12
/// characters, 3 letters and 3 digits interleaved, and high character
/// entropy. Errs on the side of filling (hashes and long ids are filled
/// too).
pub fn secret_shaped(word: &str) -> bool {
    const PREFIXES: [&str; 14] =
        ["AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk_live", "rk_live", "AIza", "eyJ"];
    if word.len() >= 4 && PREFIXES.iter().any(|p| word.starts_with(p)) {
        return true;
    }
    let word = word.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '"' | '\'' | '(' | ')' | '[' | ']'));
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 12 {
        return false;
    }
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if letters < 3 || digits < 3 {
        return false;
    }
    // Letters and digits interleave in keys; words like `version-1.2.3`
    // switch class once or twice.
    let classes: Vec<bool> = chars.iter().filter(|c| c.is_alphanumeric()).map(|c| c.is_ascii_digit()).collect();
    if classes.windows(2).filter(|w| w[0] != w[1]).count() < 3 {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in &chars {
        *counts.entry(*c).or_insert(0usize) += 1;
    }
    let n = chars.len() as f64;
    let entropy: f64 = counts.values().map(|&k| {
        let p = k as f64 / n;
        -p * p.log2()
    }).sum();
    entropy >= 3.0
}

/// Whether any pixel of `r` (inside the frame) differs between two BGRX
/// frames `width` pixels wide.
fn pixels_differ(a: &[u8], b: &[u8], width: u32, r: Rect) -> bool {
    let stride = width as usize * 4;
    let (x0, x1) = (r.x as usize * 4, (r.x as usize + r.width as usize) * 4);
    (r.y as usize..r.y as usize + r.height as usize).any(|y| a[y * stride + x0..y * stride + x1] != b[y * stride + x0..y * stride + x1])
}

/// Paints `r` (inside the frame) with [`FILL`].
fn fill_rect(frame: &mut Frame, r: Rect) {
    let stride = frame.width as usize * 4;
    let (x0, x1) = (r.x as usize * 4, (r.x as usize + r.width as usize) * 4);
    for y in r.y as usize..r.y as usize + r.height as usize {
        for px in frame.bgrx[y * stride + x0..y * stride + x1].chunks_exact_mut(4) {
            px.copy_from_slice(&FILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(x: i32, y: i32, w: u32, h: u32) -> Word {
        Word { text: "x".into(), rect: Rect::new(x, y, w, h), confidence: 90.0 }
    }

    #[test]
    fn secret_shaped_words() {
        for yes in ["EQA8F3B244C9986", "kH3v9Qz+Lr7Wb2TySNC8Xe1Fg4Jd6Ms@Pa3Ru9Vq", "ghp_4f9Xk2LmQ8r7Tz1Vb6Nc3Wd5", "3f4681a9c2e7b5d0a1f2", "AKIA2"] {
            assert!(secret_shaped(yes), "{yes}");
        }
        for no in ["hello", "bash-5.2#", "2026-11-29", "documentation", "AAAAAAAA1111", "version-1.2.3", "AKA"] {
            assert!(!secret_shaped(no), "{no}");
        }
    }

    #[test]
    fn regions_take_in_the_cached_words_they_cut_as_pieces() {
        let cache = vec![word(0, 10, 100, 16), word(90, 40, 50, 16), word(500, 10, 40, 16)];
        // A change at x 95..105, y 10..20 cuts the first word; taking it in
        // does not reach the second (different line) nor the third.
        let bounds = Rect::new(0, 0, 1000, 100);
        let out = absorb_cached_words(vec![Rect::new(95, 10, 10, 10)], &cache, bounds, |_| true);
        // The word plus its margins: 4 px sideways (clipped at 0), 1 up and
        // down.
        assert_eq!(out, vec![Region { pieces: vec![Rect::new(95, 10, 10, 10), Rect::new(0, 9, 104, 18)] }]);
    }

    #[test]
    fn a_tall_change_takes_in_the_words_it_cuts_without_widening_on_other_lines() {
        // A column changed over three lines; each line has a word across
        // it, of different widths, and a word further right that the
        // widest of them would reach if the column grew as one rectangle.
        let cache = vec![
            word(80, 0, 60, 16),
            word(150, 0, 40, 16),
            word(20, 22, 200, 16),
            word(95, 44, 20, 16),
            word(150, 44, 40, 16),
        ];
        let bounds = Rect::new(0, 0, 1000, 100);
        let out = absorb_cached_words(vec![Rect::new(100, 0, 10, 66)], &cache, bounds, |_| true);
        assert_eq!(out.len(), 1);
        let pieces = &out[0].pieces;
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        // The words right of the column on lines one and three are not
        // taken in, though the middle line's word spans past them.
        assert!(!out[0].meets(&Rect::new(150, 0, 40, 16)) && !out[0].meets(&Rect::new(150, 44, 40, 16)));
        assert!(out[0].area() < out[0].bounds().area());
        // Regions whose pieces meet merge; others stay apart.
        let two = absorb_cached_words(vec![Rect::new(100, 0, 10, 10), Rect::new(500, 80, 10, 10)], &cache, bounds, |_| true);
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn cut_words_grow_their_piece_along_their_line_but_not_past_the_window() {
        let limit = Rect::new(0, 0, 1000, 100);
        let shown = [Rect::new(100, 0, 200, 50)];
        let growth = growth_at_cut_words(&shown, &[word(101, 5, 20, 10), word(150, 30, 50, 10), word(250, 20, 50, 10)], limit);
        assert_eq!(growth, vec![Rect::new(4, 4, 96, 12), Rect::new(300, 19, 96, 12)]);
        // At the window's edge, or where another piece goes on, nothing.
        let edge = [Rect::new(0, 0, 1000, 50)];
        assert!(growth_at_cut_words(&edge, &[word(0, 5, 1000, 10)], limit).is_empty());
        let joined = [Rect::new(100, 0, 200, 50), Rect::new(300, 0, 50, 50)];
        assert!(growth_at_cut_words(&joined, &[word(250, 5, 50, 10)], limit).is_empty());
    }
}
