//! The policy file, format version 1 (TOML).
//!
//! ```toml
//! version = 1                       # required; this reader knows 1
//!
//! [scope]
//! default = "deny"                  # "deny" (allowlist-first) or "allow"
//! allow_apps = ["XTerm", "firefox"] # WM_CLASS instance or class, globs, any case
//! allow_titles = ["*Jira*"]         # title globs
//! deny_apps = []                    # deny rules win over allow rules
//! deny_titles = ["*bank*"]
//!
//! [capture]                         # modalities; all default to true
//! keys = true
//! mouse = true
//! screen = true
//!
//! [redaction]
//! text = true                       # typed text and titles; cannot be false
//! pixels = "required"               # "required": no frames without OCR; "off"
//!
//! [pause]
//! hotkey = "Ctrl+Alt+Shift+P"
//! ```
//!
//! Unknown keys are errors (a typo must not silently widen capture). The
//! built-in denies ([`crate::builtin`]) apply whatever the file says.

use serde::Deserialize;

/// The file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub version: u32,
    #[serde(default)]
    pub scope: ScopeFile,
    #[serde(default)]
    pub capture: CaptureFile,
    #[serde(default)]
    pub redaction: RedactionFile,
    #[serde(default)]
    pub pause: PauseFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub allow_apps: Vec<String>,
    #[serde(default)]
    pub allow_titles: Vec<String>,
    #[serde(default)]
    pub deny_apps: Vec<String>,
    #[serde(default)]
    pub deny_titles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureFile {
    #[serde(default = "yes")]
    pub keys: bool,
    #[serde(default = "yes")]
    pub mouse: bool,
    #[serde(default = "yes")]
    pub screen: bool,
}

impl Default for CaptureFile {
    fn default() -> CaptureFile {
        CaptureFile { keys: true, mouse: true, screen: true }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactionFile {
    #[serde(default = "yes")]
    pub text: bool,
    #[serde(default)]
    pub pixels: Option<String>,
}

impl Default for RedactionFile {
    fn default() -> RedactionFile {
        RedactionFile { text: true, pixels: None }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseFile {
    #[serde(default)]
    pub hotkey: Option<String>,
}

fn yes() -> bool {
    true
}
