//! Without the English model, creating the engine is a clear error. Its
//! own test binary: it changes the process environment.

use tracewell_ocr::{Error, Ocr};

#[test]
fn an_empty_model_folder_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary; no other thread reads the
    // environment.
    unsafe { std::env::set_var("TESSDATA_PREFIX", empty.path()) };
    let err = Ocr::new().unwrap_err();
    assert!(matches!(err, Error::Model { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("OCR unavailable: "), "{message}");
    assert!(message.contains("eng.traineddata"), "{message}");
    assert!(message.contains(&empty.path().display().to_string()), "{message}");
    assert!(message.contains("tesseract-ocr-eng"), "{message}");
}
