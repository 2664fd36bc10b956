//! Pixel redaction of screen frames: OCR finds the words on screen, the
//! text scanner finds the PII and secrets among them, and their boxes are
//! filled solid in the frame before it is stored.
//!
//! - [`Ocr`]: a Tesseract engine (English LSTM model) that reads the
//!   [`Word`]s — text, box, confidence — of a region of an image
//!   ([`Pixels`]: BGRX or gray). Created once; [`Ocr::new`] fails with a
//!   clear [`Error`] when the library or `eng.traineddata` is missing, so
//!   a recorder that requires pixel redaction fails closed.
//! - [`PixelRedactor`]: redacts the frames of a recording in order,
//!   reading again only the regions that changed ([`Frame::changed`]) and
//!   keeping the words of the rest (moved along when a window's content
//!   scrolled, [`scroll`]); returns a [`PixelReport`] of kinds, counts and
//!   boxes, never values.
//! - [`KnownValues`]: values typed-text redaction replaced; their
//!   fragments on screen (a value half typed, or misread) are filled too.
//! - [`read_cache`]: the engine answers a read it made before (same
//!   image, region and pieces; a BLAKE3 hash of them) from memory, so
//!   switching back and forth between windows is read once.
//! - [`lines::join`]: words back into lines of text, with each word's byte
//!   range, so a detection maps back to the boxes it touches;
//!   [`misreads::variant`]: a second text for the scanner with the breaks
//!   and misreads OCR puts inside values undone.
//!
//! [`Frame::changed`]: tracewell_model::Frame::changed
//!
//! # Failing closed
//!
//! A detection that touches part of a word fills the whole word. When
//! reading a region fails, nothing is filled and `redact` returns the
//! error: the caller drops the frame. Messages and reports never carry
//! recognised text.
//!
//! # The library
//!
//! `libtesseract.so.5` is loaded at run time ([`ffi`]), so the crate builds
//! without Tesseract's headers and a machine without it gets an error from
//! [`Ocr::new`], not a binary that refuses to start. Debian packages:
//! `libtesseract5` and `tesseract-ocr-eng`. `OMP_THREAD_LIMIT=1` is set
//! before loading when unset.
//!
//! # Settings
//!
//! [`OcrOptions::default`] was chosen with `cargo bench -p tracewell-ocr
//! --bench pixels -- tune`: one 1920×1080 screen of three xterms (DejaVu
//! Sans Mono, 11×22 px cells, ~460 words, 11 known values), read whole on
//! one core. "recall" is the share of printed words read exactly; "miss"
//! the share of the values' ink a redaction with those settings left
//! uncovered.
//!
//! | settings | CPU-s | recall | miss |
//! |---|---|---|---|
//! | **chosen then**: LSTM, `--psm 3`, Otsu, no dictionaries, invert on, 96 dpi, no scaling | 1.53 | 98.4% | 0.00% |
//! | `--psm 11` (sparse text) | 1.43 | 92.4% | 0.27% |
//! | `--psm 6` (one block) | 1.41 | 98.4% | 0.00% |
//! | dictionaries on | 1.51 | 98.4% | 0.00% |
//! | invert off | 1.53 | 98.4% | 0.00% |
//! | enlarged 2× (bilinear, 192 dpi) | 2.26 | 96.2% | 5.94% |
//! | dpi hint 300 / 70 | 1.46 / 1.52 | 98.4% / 96.0% | 6.97% / 0.27% |
//! | tiled Otsu / Sauvola | 1.47 / 1.56 | 97.8% / 96.4% | 13.78% / 5.94% |
//!
//! - The engine is LSTM only: Debian's `eng.traineddata` (tessdata 4.0,
//!   "fast" integer model) holds no legacy-engine data.
//! - `--psm 3` over `--psm 6`: the same accuracy on terminals for 8% more
//!   time, and it does not assume one block of text, which real screens
//!   (side bars, dialogs, columns) are not. `--psm 11` splits lines and
//!   loses words.
//! - Dictionaries change nothing measurable, and can only pull identifiers
//!   towards English words; they stay off.
//! - Inverted re-reading cost nothing measurable on dark-on-light text
//!   and was what read light-on-dark themes. It is off now: dark windows
//!   and bars of another shade are inverted before reading (below), and
//!   without it the export's five screens cost 7% less (1.18 → 1.10 CPU-s
//!   per full frame) with the same boxes filled.
//! - Global Otsu is both the fastest and the only binarisation that kept
//!   every value's ink covered; enlarging costs 50% more and reads worse.
//!
//! Those figures are for one read of the whole frame. The redactor reads
//! a frame that carries its window stack window by window ([`regions`]),
//! and a window's part as one block (`--psm 6`): on the export's five
//! screens (`bench-baseline/RESULTS.md`) that took the missed PII boxes
//! from 24 of 286 to 2 together with [`misreads`], where `--psm 3` per
//! window split table columns and words at them (`Mari a Gonzalez`). An
//! area whose most common shade is dark is inverted before reading:
//! the engine's own inversion reads each light-on-dark line twice. Bars
//! of another shade inside an area — highlighted lines, selected rows,
//! reverse video — are read again on their own ([`bands`]): the layout
//! analysis takes them for pictures and skipped their text, so a card
//! number on a selected line of a light terminal was not filled at all.
//!
//! # Small text
//!
//! Small text is read enlarged twice: a window whose lines are 16 px apart
//! or less (8 pt monospace at 96 dpi) loses strokes in Tesseract's
//! binarisation, and values came back misread and stayed readable after
//! redaction. The line pitch, measured over the whole window
//! ([`text_size`]), decides, not the height of the ink, which a line of
//! lowercase letters keeps low at any size. The frame's text is scanned
//! without check digits ([`tracewell_redact::Config::screen`]): at 7 pt
//! zeros read as eights even enlarged, and a card failing Luhn is still a
//! card on screen; at 6 pt a zero of an IBAN was dropped, and an IBAN
//! one character short is still one on screen. Terminals at 6 to 9 pt
//! are in the tests; below 6 pt nothing was measured.
//!
//! Whole-frame OCR is slow: about 1.5 CPU-s for a dense 1920×1080 screen,
//! nearly all of it LSTM recognition (~3 ms a word), which no setting above
//! moves much. What makes pixel redaction affordable is reading only what
//! changed: a line typed in a terminal costs about 0.025 CPU-s per frame
//! (`cargo bench -p tracewell-ocr --bench pixels`).

pub mod bands;
pub mod engine;
pub mod error;
pub mod ffi;
pub mod known;
pub mod lines;
pub mod misreads;
pub mod read_cache;
pub mod redactor;
pub mod regions;
pub mod scroll;
pub mod text_size;

pub use engine::{Ocr, OcrOptions, PageSegMode, Pixels, ReadAs, Thresholding, Word};
pub use error::Error;
pub use known::KnownValues;
pub use redactor::{FilledBox, PixelRedactor, PixelReport};
