//! [`Ocr`]: one Tesseract engine, reading word boxes from image regions.

use std::cell::{Cell, RefCell};
use std::ffi::{CString, c_char, c_int};
use std::ptr;

use tracewell_model::Rect;

use crate::Error;
use crate::bands;
use crate::ffi::{self, Api, Handle, OEM_LSTM_ONLY, RIL_WORD};
use crate::read_cache::{ReadCache, ReadInputs};

/// One recognised word: its text, its box in the coordinates of the whole
/// image (not of the region that was read) and Tesseract's confidence
/// (0–100).
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
    pub confidence: f32,
}

/// How deep bars on bars are read on their own: a light window on a dark
/// desktop, a highlighted line in it.
const BAR_DEPTH: u32 = 2;

/// Pixels handed to [`Ocr::words`], rows packed without padding.
#[derive(Clone, Copy, Debug)]
pub enum Pixels<'a> {
    /// 4 bytes a pixel, B, G, R, X (the layout of `Frame::bgrx`).
    Bgrx(&'a [u8]),
    /// 1 byte a pixel.
    Gray(&'a [u8]),
}

/// How Tesseract segments a region into text (`tesseract --psm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageSegMode {
    /// Full layout analysis, no orientation detection (`--psm 3`).
    Auto = 3,
    /// One uniform block of text (`--psm 6`).
    SingleBlock = 6,
    /// As much text as possible, in no particular order (`--psm 11`).
    SparseText = 11,
}

/// How the image is binarised before layout analysis
/// (`thresholding_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thresholding {
    /// One global Otsu threshold (Tesseract's default).
    Otsu = 0,
    /// Leptonica's tiled, adaptive Otsu.
    TiledOtsu = 1,
    /// Sauvola local thresholding.
    Sauvola = 2,
}

/// Engine settings. [`OcrOptions::default`] is the measured choice for
/// screen text; see the crate documentation for the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcrOptions {
    pub page_seg_mode: PageSegMode,
    pub thresholding: Thresholding,
    /// Load the word lists (`load_system_dawg`, `load_freq_dawg`). They
    /// bias recognition towards dictionary words, which is wrong for
    /// identifiers, numbers and keys.
    pub dictionaries: bool,
    /// Re-read lines of poor confidence inverted (`tessedit_do_invert`),
    /// for light text on dark backgrounds. Off by default: dark areas and
    /// bars are inverted before reading (see [`crate::bands`]).
    pub invert: bool,
    /// The resolution hint passed with every image, in pixels per inch
    /// (of the image as handed to Tesseract, after `scale`).
    pub dpi: u32,
    /// Enlarge regions this many times (1 or 2, bilinear) before reading.
    pub scale: u32,
}

impl Default for OcrOptions {
    fn default() -> OcrOptions {
        OcrOptions {
            page_seg_mode: PageSegMode::Auto,
            thresholding: Thresholding::Otsu,
            dictionaries: false,
            invert: false,
            dpi: 96,
            scale: 1,
        }
    }
}

/// How one read is done, beside the engine's [`OcrOptions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadAs {
    /// Replaces the engine's page segmentation for this read.
    pub mode: Option<PageSegMode>,
    /// Enlarge the region twice before reading (small text, see
    /// [`crate::text_size`]), whatever the engine's `scale`.
    pub enlarged: bool,
}

/// A Tesseract engine with the English LSTM model, created once and used
/// for any number of regions. Not `Sync`: one thread at a time.
pub struct Ocr {
    api: &'static Api,
    handle: Handle,
    options: OcrOptions,
    /// Recent reads, answered again without Tesseract ([`crate::read_cache`]).
    cache: RefCell<ReadCache>,
    /// Recognitions run so far.
    recognitions: Cell<u64>,
}

// SAFETY: a TessBaseAPI may move between threads; `Ocr` is not `Sync`, so
// it is never used from two at once.
unsafe impl Send for Ocr {}

impl Drop for Ocr {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is dropped once.
        unsafe { (self.api.TessBaseAPIDelete)(self.handle) };
    }
}

impl std::fmt::Debug for Ocr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ocr").field("options", &self.options).finish()
    }
}

impl Ocr {
    /// An engine with the default (measured) settings.
    pub fn new() -> Result<Ocr, Error> {
        Ocr::with_options(OcrOptions::default())
    }

    /// An engine with explicit settings.
    pub fn with_options(options: OcrOptions) -> Result<Ocr, Error> {
        let api = ffi::api().map_err(Error::Library)?;
        // SAFETY: plain constructor.
        let handle = unsafe { (api.TessBaseAPICreate)() };
        if handle.is_null() {
            return Err(Error::Library("TessBaseAPICreate returned NULL".into()));
        }
        let ocr = Ocr { api, handle, options, cache: RefCell::new(ReadCache::default()), recognitions: Cell::new(0) };
        // Init-only parameters: dictionaries are loaded (or not) by Init,
        // and diagnostics ("Empty page!!") go nowhere instead of stderr.
        let dawgs = if options.dictionaries { "1" } else { "0" };
        let vars: [(&str, &str); 3] =
            [("load_system_dawg", dawgs), ("load_freq_dawg", dawgs), ("debug_file", "/dev/null")];
        let names: Vec<CString> = vars.iter().map(|(n, _)| CString::new(*n).unwrap()).collect();
        let values: Vec<CString> = vars.iter().map(|(_, v)| CString::new(*v).unwrap()).collect();
        let mut name_ptrs: Vec<*mut c_char> = names.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let mut value_ptrs: Vec<*mut c_char> = values.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let lang = c"eng";
        // SAFETY: all pointers are valid NUL-terminated strings that outlive
        // the call; Tesseract copies what it keeps. A NULL datapath means
        // TESSDATA_PREFIX, else the library's built-in folder.
        let rc = unsafe {
            (api.TessBaseAPIInit4)(
                handle,
                ptr::null(),
                lang.as_ptr(),
                OEM_LSTM_ONLY,
                ptr::null_mut(),
                0,
                name_ptrs.as_mut_ptr(),
                value_ptrs.as_mut_ptr(),
                vars.len(),
                0,
            )
        };
        if rc != 0 {
            let dir = match std::env::var("TESSDATA_PREFIX") {
                Ok(d) => format!("TESSDATA_PREFIX={d}"),
                Err(_) => "Tesseract's built-in folder (/usr/share/tesseract-ocr/5/tessdata on Debian)".into(),
            };
            return Err(Error::Model { dir });
        }
        ocr.set(c"tessedit_do_invert", if options.invert { c"1" } else { c"0" });
        let method = CString::new((options.thresholding as i32).to_string()).unwrap();
        ocr.set(c"thresholding_method", &method);
        // SAFETY: live handle.
        unsafe { (api.TessBaseAPISetPageSegMode)(handle, options.page_seg_mode as c_int) };
        Ok(ocr)
    }

    fn set(&self, name: &std::ffi::CStr, value: &std::ffi::CStr) {
        // SAFETY: live handle, NUL-terminated strings. An unknown name is
        // reported by the return value and ignored here: every name we set
        // exists in Tesseract 4.1 and later.
        unsafe { (self.api.TessBaseAPISetVariable)(self.handle, name.as_ptr(), value.as_ptr()) };
    }

    /// The settings this engine was created with.
    pub fn options(&self) -> OcrOptions {
        self.options
    }

    /// The version string of the loaded Tesseract library.
    pub fn version(&self) -> String {
        // SAFETY: TessVersion returns a static string.
        let v = unsafe { (self.api.TessVersion)() };
        if v.is_null() {
            return String::new();
        }
        unsafe { std::ffi::CStr::from_ptr(v) }.to_string_lossy().into_owned()
    }

    /// Reads the words in `region` of a `width`×`height` image. The region
    /// is clipped to the image; boxes come back in image coordinates.
    pub fn words(&self, pixels: Pixels<'_>, width: u32, height: u32, region: Rect) -> Result<Vec<Word>, Error> {
        self.words_hiding(pixels, width, height, region, &[], None)
    }

    /// [`Ocr::words`] with the parts `hidden` of the region painted over
    /// before reading (in the region's most common shade: its background),
    /// as if they were empty; words centred there are dropped. A region
    /// that is one flat shade once painted is not read at all. `mode`, when
    /// given, replaces the engine's page segmentation for this call.
    pub fn words_hiding(
        &self,
        pixels: Pixels<'_>,
        width: u32,
        height: u32,
        region: Rect,
        hidden: &[Rect],
        mode: Option<PageSegMode>,
    ) -> Result<Vec<Word>, Error> {
        Ok(self.words_in(pixels, width, height, region, &[], hidden, ReadAs { mode, enlarged: false })?.0)
    }

    /// [`Ocr::words_hiding`] showing only the parts `shown` of the region
    /// (all of it when `shown` is empty): the rest is painted over like
    /// `hidden`, and a word is kept only when its centre lies in a shown
    /// part. Also returns how many pixels were left to read (shown and not
    /// hidden). Reading several pieces of a frame together this way costs
    /// what their text costs, not what their bounding box would. `how`
    /// sets the segmentation and enlarging for this read.
    #[allow(clippy::too_many_arguments)]
    pub fn words_in(
        &self,
        pixels: Pixels<'_>,
        width: u32,
        height: u32,
        region: Rect,
        shown: &[Rect],
        hidden: &[Rect],
        how: ReadAs,
    ) -> Result<(Vec<Word>, u64), Error> {
        self.read_region(pixels, width, height, region, shown, hidden, how, BAR_DEPTH)
    }

    /// [`Ocr::words_in`]; the bars of another shade in the region are read
    /// again on their own ([`bands`]), and bars on bars, `bars` levels
    /// deep.
    #[allow(clippy::too_many_arguments)]
    fn read_region(
        &self,
        pixels: Pixels<'_>,
        width: u32,
        height: u32,
        region: Rect,
        shown: &[Rect],
        hidden: &[Rect],
        how: ReadAs,
        bars: u32,
    ) -> Result<(Vec<Word>, u64), Error> {
        let (data, bpp) = match pixels {
            Pixels::Bgrx(d) => (d, 4usize),
            Pixels::Gray(d) => (d, 1usize),
        };
        let expected = width as usize * height as usize * bpp;
        if data.len() != expected {
            return Err(Error::Image(format!(
                "{width}x{height} at {bpp} bytes a pixel needs {expected} bytes, got {}",
                data.len()
            )));
        }
        let Some(r) = region.intersect(&Rect::new(0, 0, width, height)) else {
            return Ok((Vec::new(), 0));
        };
        // Too small to hold a legible glyph; Tesseract would only complain.
        if r.width < 4 || r.height < 4 {
            return Ok((Vec::new(), 0));
        }
        let mut gray = crop_gray(data, bpp, width, r);
        let hidden: Vec<Rect> = hidden.iter().filter_map(|h| h.intersect(&r)).collect();
        // A piece that covers the whole region shows all of it: no mask to
        // build (a whole frame, a window read whole).
        let shown: Vec<Rect> = if shown.iter().any(|s| s.intersect(&r) == Some(r)) {
            Vec::new()
        } else {
            shown.iter().filter_map(|s| s.intersect(&r)).collect()
        };
        let mask = hiding_mask(r, &shown, &hidden);
        let read = gray.len() as u64 - mask.iter().filter(|m| **m).count() as u64;
        let Some(background) = paint_over(&mut gray, &mask) else {
            return Ok((Vec::new(), read));
        };
        let key = ReadInputs { gray: &gray, region: r, shown: &shown, hidden: &hidden, how, bars }.key();
        if let Some(found) = self.cache.borrow_mut().get(&key) {
            return Ok(found);
        }
        let found_bands =
            if bars > 0 { bands::find(&gray, r.width as usize, r.height as usize, background) } else { Vec::new() };
        // Bars are read on their own below: painted over here, the whole
        // read neither spends time on them nor makes garbage of them (a
        // light window on a dark desktop is not read twice).
        for band in &found_bands {
            let w = r.width as usize;
            for row in gray[band.y * w..(band.y + band.height) * w].chunks_exact_mut(w) {
                row[band.x..band.x + band.width].fill(background);
            }
        }
        // Light text on a dark background is read the right way round at
        // once, not first as it is and again inverted (the engine's own
        // inversion, per line, costs a second recognition).
        if background < 128 {
            gray.iter_mut().for_each(|g| *g = !*g);
        }
        let scale = if how.enlarged { 2 } else { self.options.scale.clamp(1, 2) };
        let (gw, gh) = (r.width * scale, r.height * scale);
        if scale == 2 {
            gray = double(&gray, r.width as usize, r.height as usize);
        }
        let failed = || Error::Recognize { x: r.x, y: r.y, width: r.width, height: r.height };
        let (api, h) = (self.api, self.handle);
        // SAFETY: `gray` holds r.width*r.height bytes and outlives the
        // recognition (Tesseract copies it into its own image anyway).
        unsafe {
            (api.TessBaseAPISetImage)(h, gray.as_ptr(), gw as c_int, gh as c_int, 1, gw as c_int);
            (api.TessBaseAPISetSourceResolution)(h, self.options.dpi as c_int);
            let mode = how.mode.unwrap_or(self.options.page_seg_mode);
            (api.TessBaseAPISetPageSegMode)(h, mode as c_int);
            self.recognitions.set(self.recognitions.get() + 1);
            let rc = (api.TessBaseAPIRecognize)(h, ptr::null_mut());
            (api.TessBaseAPISetPageSegMode)(h, self.options.page_seg_mode as c_int);
            if rc != 0 {
                (api.TessBaseAPIClear)(h);
                return Err(failed());
            }
        }
        let Some(mut words) = self.collect_words(r, scale as i32) else {
            // SAFETY: live handle.
            unsafe { (api.TessBaseAPIClear)(h) };
            return Err(failed());
        };
        words.retain(|w| {
            let (cx, cy) = (w.rect.x + (w.rect.width / 2) as i32, w.rect.y + (w.rect.height / 2) as i32);
            !hidden.iter().any(|h| h.contains(cx, cy)) && (shown.is_empty() || shown.iter().any(|s| s.contains(cx, cy)))
        });
        // SAFETY: live handle; frees the image and results.
        unsafe { (api.TessBaseAPIClear)(h) };
        let mut read = read;
        for band in found_bands {
            // The bar is read as its own region (its shade the
            // background); words the whole read still made there (parts
            // of glyphs at its edge) give way to the bar's.
            let bar = Rect::new(r.x + band.x as i32, r.y + band.y as i32, band.width as u32, band.height as u32);
            let as_block = ReadAs { mode: Some(PageSegMode::SingleBlock), ..how };
            let (on_bar, bar_read) = self.read_region(pixels, width, height, bar, &shown, &hidden, as_block, bars - 1)?;
            words.retain(|w| !bar.contains(w.rect.x + (w.rect.width / 2) as i32, w.rect.y + (w.rect.height / 2) as i32));
            words.extend(on_bar);
            read += bar_read;
        }
        self.cache.borrow_mut().put(key, words.clone(), read);
        Ok((words, read))
    }

    /// Reads answered from the engine's cache of recent reads so far
    /// ([`crate::read_cache`]).
    pub fn cache_hits(&self) -> u64 {
        self.cache.borrow().hits()
    }

    /// Times Tesseract recognised an image so far (a region with bars
    /// counts once more per bar).
    pub fn recognitions(&self) -> u64 {
        self.recognitions.get()
    }

    /// Forgets the recent reads: the next read of anything runs Tesseract
    /// ([`crate::PixelRedactor::reset`] calls it, so a redactor reset for
    /// a cold read gets one).
    pub fn forget_reads(&self) {
        self.cache.borrow_mut().clear();
    }

    /// Walks the result iterator word by word. `None` when there is no
    /// iterator after a successful recognition (a blank image still has
    /// one): nothing is known of the region, so the read fails (closed)
    /// rather than reporting no words.
    fn collect_words(&self, r: Rect, scale: i32) -> Option<Vec<Word>> {
        let api = self.api;
        let mut words = Vec::new();
        // SAFETY: called right after a successful Recognize on this handle.
        let it = unsafe { (api.TessBaseAPIGetIterator)(self.handle) };
        if it.is_null() {
            return None;
        }
        loop {
            // SAFETY: `it` is a live iterator; strings are freed by take_text.
            let text = unsafe { ffi::take_text(api, (api.TessResultIteratorGetUTF8Text)(it, RIL_WORD)) };
            let confidence = unsafe { (api.TessResultIteratorConfidence)(it, RIL_WORD) };
            let (mut left, mut top, mut right, mut bottom) = (0, 0, 0, 0);
            let page = unsafe { (api.TessResultIteratorGetPageIterator)(it) };
            let has_box =
                unsafe { (api.TessPageIteratorBoundingBox)(page, RIL_WORD, &mut left, &mut top, &mut right, &mut bottom) }
                    != 0;
            if let Some(text) = text {
                let text = text.trim();
                if has_box && !text.is_empty() && right > left && bottom > top {
                    // Back to image pixels, rounding outwards.
                    let (x0, y0) = (left / scale, top / scale);
                    let (x1, y1) = ((right + scale - 1) / scale, (bottom + scale - 1) / scale);
                    words.push(Word {
                        text: text.to_string(),
                        rect: Rect::new(r.x + x0, r.y + y0, (x1 - x0) as u32, (y1 - y0) as u32),
                        confidence,
                    });
                }
            }
            if unsafe { (api.TessResultIteratorNext)(it, RIL_WORD) } == 0 {
                break;
            }
        }
        unsafe { (api.TessResultIteratorDelete)(it) };
        Some(words)
    }
}

/// The region `r` of the image as 8-bit luma.
fn crop_gray(data: &[u8], bpp: usize, width: u32, r: Rect) -> Vec<u8> {
    let (x0, y0, w, h) = (r.x as usize, r.y as usize, r.width as usize, r.height as usize);
    let stride = width as usize * bpp;
    let mut out = Vec::with_capacity(w * h);
    for y in y0..y0 + h {
        let row = &data[y * stride + x0 * bpp..y * stride + (x0 + w) * bpp];
        if bpp == 1 {
            out.extend_from_slice(row);
        } else {
            // ITU-R BT.601 luma in fixed point; B, G, R order.
            out.extend(row.chunks_exact(4).map(|p| ((29 * p[0] as u32 + 150 * p[1] as u32 + 77 * p[2] as u32) >> 8) as u8));
        }
    }
    out
}

/// Which pixels of the crop of `r` are painted over: those in `hidden`,
/// and, when `shown` is not empty, those outside every `shown` rectangle
/// (all rectangles inside `r`). Empty when nothing is.
fn hiding_mask(r: Rect, shown: &[Rect], hidden: &[Rect]) -> Vec<bool> {
    if shown.is_empty() && hidden.is_empty() {
        return Vec::new();
    }
    let w = r.width as usize;
    let mut mask = vec![!shown.is_empty(); w * r.height as usize];
    let mut set = |rect: &Rect, value: bool| {
        let (x0, y0) = ((rect.x - r.x) as usize, (rect.y - r.y) as usize);
        for row in mask[y0 * w..(y0 + rect.height as usize) * w].chunks_exact_mut(w) {
            row[x0..x0 + rect.width as usize].fill(value);
        }
    };
    shown.iter().for_each(|s| set(s, false));
    hidden.iter().for_each(|h| set(h, true));
    mask
}

/// Paints the pixels `mask` marks (an empty mask marks none) with the
/// most common shade of the rest (its background), and returns that
/// shade; `None` when the rest is all that one shade (nothing to read).
fn paint_over(gray: &mut [u8], mask: &[bool]) -> Option<u8> {
    let mut histogram = [0u32; 256];
    if mask.is_empty() {
        gray.iter().for_each(|&g| histogram[g as usize] += 1);
    } else {
        gray.iter().zip(mask).filter(|(_, m)| !**m).for_each(|(&g, _)| histogram[g as usize] += 1);
    }
    let background = (0..256).max_by_key(|&v| histogram[v]).unwrap_or(0);
    let rest = gray.len() - mask.iter().filter(|m| **m).count();
    if rest == 0 || histogram[background] as usize == rest {
        return None;
    }
    for (g, _) in gray.iter_mut().zip(mask).filter(|(_, m)| **m) {
        *g = background as u8;
    }
    Some(background as u8)
}

/// Doubles a gray image in both directions, interpolating between
/// neighbours (edges repeat).
fn double(src: &[u8], w: usize, h: usize) -> Vec<u8> {
    let ow = 2 * w;
    let mut out = vec![0u8; ow * 2 * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let next = &src[(y + 1).min(h - 1) * w..((y + 1).min(h - 1) + 1) * w];
        let (top, bottom) = out[2 * y * ow..(2 * y + 2) * ow].split_at_mut(ow);
        for x in 0..w {
            let x1 = (x + 1).min(w - 1);
            let (a, b, c, d) = (row[x] as u16, row[x1] as u16, next[x] as u16, next[x1] as u16);
            top[2 * x] = a as u8;
            top[2 * x + 1] = (a + b).div_ceil(2) as u8;
            bottom[2 * x] = (a + c).div_ceil(2) as u8;
            bottom[2 * x + 1] = ((a + b + c + d + 2) / 4) as u8;
        }
    }
    out
}
