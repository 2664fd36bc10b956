//! The part of Tesseract's C API this crate calls, loaded at run time.
//!
//! The library is opened with `dlopen` rather than linked, for two
//! reasons: a machine without Tesseract still runs every other part of
//! the program, and [`crate::Ocr::new`] reports the missing library as an
//! ordinary error (the recorder then fails closed with that message)
//! instead of the dynamic loader refusing to start the binary. It also
//! means building the crate needs no C headers and no `bindgen`.
//!
//! The library is opened once per process and never closed (Tesseract
//! keeps global state that is not safe to unload). Before opening it,
//! `OMP_THREAD_LIMIT=1` is set when unset: libgomp reads it while it is
//! being loaded, and without it each recognition spins up one OpenMP
//! thread per core, which costs more CPU than it saves on a shared
//! machine.

use std::ffi::{CStr, CString, c_char, c_float, c_int, c_uchar, c_void};
use std::sync::OnceLock;

/// Names the library is looked up under, most specific first.
const LIBRARY_NAMES: [&str; 2] = ["libtesseract.so.5", "libtesseract.so"];

/// `tesseract::OcrEngineMode::OEM_LSTM_ONLY`.
pub const OEM_LSTM_ONLY: c_int = 1;
/// `tesseract::PageIteratorLevel::RIL_WORD`.
pub const RIL_WORD: c_int = 3;

/// Opaque `TessBaseAPI`.
pub type Handle = *mut c_void;
/// Opaque `TessResultIterator` (also usable as a page iterator through
/// `TessResultIteratorGetPageIterator`).
pub type Iter = *mut c_void;

macro_rules! api_table {
    ($($name:ident : fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// Function pointers resolved from the loaded library.
        #[allow(non_snake_case)]
        pub struct Api {
            $(pub $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
        }

        impl Api {
            /// Resolves every symbol in `lib` (a `dlopen` handle).
            fn resolve(lib: *mut c_void) -> Result<Api, String> {
                Ok(Api {
                    $($name: {
                        let name = concat!(stringify!($name), "\0");
                        // SAFETY: `lib` is a live handle and `name` is NUL-terminated.
                        let sym = unsafe { libc::dlsym(lib, name.as_ptr().cast()) };
                        if sym.is_null() {
                            return Err(format!("symbol {} missing", stringify!($name)));
                        }
                        // SAFETY: the symbol has this signature in Tesseract's
                        // C API (`tesseract/capi.h`, stable across 4.x and 5.x).
                        unsafe {
                            std::mem::transmute::<*mut c_void, unsafe extern "C" fn($($arg),*) $(-> $ret)?>(sym)
                        }
                    },)*
                })
            }
        }
    };
}

api_table! {
    TessVersion: fn() -> *const c_char;
    TessDeleteText: fn(*const c_char);
    TessBaseAPICreate: fn() -> Handle;
    TessBaseAPIDelete: fn(Handle);
    TessBaseAPIInit4: fn(Handle, *const c_char, *const c_char, c_int, *mut *mut c_char, c_int,
        *mut *mut c_char, *mut *mut c_char, usize, c_int) -> c_int;
    TessBaseAPISetVariable: fn(Handle, *const c_char, *const c_char) -> c_int;
    TessBaseAPISetPageSegMode: fn(Handle, c_int);
    TessBaseAPISetImage: fn(Handle, *const c_uchar, c_int, c_int, c_int, c_int);
    TessBaseAPISetSourceResolution: fn(Handle, c_int);
    TessBaseAPIRecognize: fn(Handle, *mut c_void) -> c_int;
    TessBaseAPIClear: fn(Handle);
    TessBaseAPIGetIterator: fn(Handle) -> Iter;
    TessResultIteratorDelete: fn(Iter);
    TessResultIteratorNext: fn(Iter, c_int) -> c_int;
    TessResultIteratorGetUTF8Text: fn(Iter, c_int) -> *mut c_char;
    TessResultIteratorConfidence: fn(Iter, c_int) -> c_float;
    TessResultIteratorGetPageIterator: fn(Iter) -> *mut c_void;
    TessPageIteratorBoundingBox: fn(*mut c_void, c_int, *mut c_int, *mut c_int, *mut c_int, *mut c_int) -> c_int;
}

/// The process-wide Tesseract library, loaded on first use.
pub fn api() -> Result<&'static Api, String> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Api, String> {
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        // SAFETY: runs once, under the `OnceLock`, before the library (and
        // libgomp) is loaded. Another thread reading the environment at
        // this instant could race; callers create the engine at start-up.
        unsafe { std::env::set_var("OMP_THREAD_LIMIT", "1") };
    }
    let mut errors = Vec::new();
    for name in LIBRARY_NAMES {
        let cname = CString::new(name).expect("no NUL in library name");
        // SAFETY: a plain dlopen of a NUL-terminated name.
        let lib = unsafe { libc::dlopen(cname.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if lib.is_null() {
            errors.push(dl_error());
            continue;
        }
        return Api::resolve(lib);
    }
    Err(errors.join("; "))
}

fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated string owned by libc.
    let e = unsafe { libc::dlerror() };
    if e.is_null() {
        "unknown dlopen error".to_string()
    } else {
        unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
    }
}

/// Copies a string Tesseract allocated and frees it.
///
/// # Safety
/// `text` must be NULL or a string returned by Tesseract that the caller
/// owns.
pub unsafe fn take_text(api: &Api, text: *mut c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    let s = unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned();
    unsafe { (api.TessDeleteText)(text) };
    Some(s)
}
