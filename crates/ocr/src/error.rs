//! The crate's one error type.

/// Why OCR or pixel redaction failed. Messages name kinds, paths and
/// library calls, never recognised text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Tesseract shared library could not be loaded.
    #[error("OCR unavailable: cannot load the Tesseract library ({0}); install libtesseract5")]
    Library(String),
    /// The library loaded but the English model did not.
    #[error(
        "OCR unavailable: cannot load the English model eng.traineddata from {dir} \
         (install tesseract-ocr-eng, or point TESSDATA_PREFIX at a folder holding it)"
    )]
    Model { dir: String },
    /// The image buffer does not match its stated size or format.
    #[error("bad image: {0}")]
    Image(String),
    /// Tesseract failed on a region.
    #[error("OCR failed on region {x},{y} {width}x{height}")]
    Recognize { x: i32, y: i32, width: u32, height: u32 },
}
