//! The validated policy and its decisions.

use std::path::Path;

use tracewell_model::WindowInfo;

use crate::file::PolicyFile;
use crate::{Error, Glob, Hotkey, builtin};

/// The policy format version this crate reads.
pub const VERSION: u32 = 1;

/// What the recorder captures at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modalities {
    pub keys: bool,
    pub mouse: bool,
    pub screen: bool,
}

/// Whether frames need OCR-based pixel redaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelRedaction {
    /// No frame is written unless OCR ran on it; without OCR, no frames.
    Required,
    /// Frames are written without pixel redaction (window blanking still
    /// applies).
    Off,
}

/// How redaction runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redaction {
    pub pixels: PixelRedaction,
}

/// Why a window is not captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// A built-in deny matched (its category, e.g. "password manager").
    BuiltIn(&'static str),
    /// The policy's deny list matched.
    Denied,
    /// No allow rule matched and the default is deny.
    NotAllowed,
}

/// The built-in deny of a window with neither `WM_CLASS` nor a title.
pub const UNNAMED: &str = "unnamed window";

/// A window's fate under the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny(DenyReason),
}

impl Verdict {
    pub fn allowed(&self) -> bool {
        *self == Verdict::Allow
    }
}

/// A validated capture policy.
#[derive(Clone, Debug)]
pub struct Policy {
    default_allow: bool,
    allow_apps: Vec<Glob>,
    allow_titles: Vec<Glob>,
    deny_apps: Vec<Glob>,
    deny_titles: Vec<Glob>,
    builtin_apps: Vec<(Glob, &'static str)>,
    builtin_titles: Vec<(Glob, &'static str)>,
    pub modalities: Modalities,
    pub redaction: Redaction,
    pub pause_hotkey: Hotkey,
}

impl Default for Policy {
    /// Allowlist-first with an empty allowlist: nothing is captured until
    /// applications are allowed.
    fn default() -> Policy {
        Policy::from_toml("version = 1").expect("the default policy is valid")
    }
}

impl Policy {
    /// Parses and validates a policy file's text.
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| Error::Syntax(e.to_string().trim().replace('\n', " ")))?;
        if file.version != VERSION {
            return Err(Error::Invalid(format!("version {} is not supported (this recorder reads version {VERSION})", file.version)));
        }
        let default_allow = match file.scope.default.as_deref() {
            None | Some("deny") => false,
            Some("allow") => true,
            Some(other) => return Err(Error::Invalid(format!("scope.default must be \"deny\" or \"allow\", not {other:?}"))),
        };
        let globs = |field: &str, list: &[String]| -> Result<Vec<Glob>, Error> {
            list.iter()
                .map(|p| {
                    if p.trim().is_empty() {
                        Err(Error::Invalid(format!("scope.{field} has an empty pattern")))
                    } else {
                        Ok(Glob::new(p))
                    }
                })
                .collect()
        };
        if !file.redaction.text {
            return Err(Error::Invalid("redaction.text cannot be false: typed text and titles are always redacted".into()));
        }
        let pixels = match file.redaction.pixels.as_deref() {
            None | Some("required") => PixelRedaction::Required,
            Some("off") => PixelRedaction::Off,
            Some(other) => return Err(Error::Invalid(format!("redaction.pixels must be \"required\" or \"off\", not {other:?}"))),
        };
        let pause_hotkey = match &file.pause.hotkey {
            Some(k) => k.parse()?,
            None => Hotkey::default_pause(),
        };
        Ok(Policy {
            default_allow,
            allow_apps: globs("allow_apps", &file.scope.allow_apps)?,
            allow_titles: globs("allow_titles", &file.scope.allow_titles)?,
            deny_apps: globs("deny_apps", &file.scope.deny_apps)?,
            deny_titles: globs("deny_titles", &file.scope.deny_titles)?,
            builtin_apps: builtin::APPS.iter().map(|(p, why)| (Glob::new(p), *why)).collect(),
            builtin_titles: builtin::TITLES.iter().map(|(p, why)| (Glob::new(p), *why)).collect(),
            modalities: Modalities { keys: file.capture.keys, mouse: file.capture.mouse, screen: file.capture.screen },
            redaction: Redaction { pixels },
            pause_hotkey,
        })
    }

    /// Reads and validates a policy file.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        Policy::from_toml(&text)
    }

    /// Adds application globs to the allow list (the CLI's `--allow-app`).
    pub fn allow_apps(&mut self, apps: &[String]) {
        self.allow_apps.extend(apps.iter().map(|a| Glob::new(a)));
    }

    /// Whether the scope allows anything beyond the built-in denies.
    pub fn allows_anything(&self) -> bool {
        self.default_allow || !self.allow_apps.is_empty() || !self.allow_titles.is_empty()
    }

    /// Whether the policy's default is to allow (a weaker setting that
    /// `policy check` warns about).
    pub fn default_allows(&self) -> bool {
        self.default_allow
    }

    /// The verdict for a window: built-in denies, then the deny lists, then
    /// the allow lists, then the default.
    pub fn decide(&self, window: &WindowInfo) -> Verdict {
        self.decide_parts(window.instance.as_deref(), window.app.as_deref(), window.title.as_deref())
    }

    /// [`Policy::decide`] on the parts of a window.
    pub fn decide_parts(&self, instance: Option<&str>, class: Option<&str>, title: Option<&str>) -> Verdict {
        let names = [instance, class];
        let app_matches = |glob: &Glob| names.iter().flatten().any(|n| glob.matches(n));
        let title_matches = |glob: &Glob| title.is_some_and(|t| glob.matches(t));
        // No rule can say what a window without a name is, so even a
        // policy that allows by default does not capture it.
        let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
        if blank(instance) && blank(class) && blank(title) {
            return Verdict::Deny(DenyReason::BuiltIn(UNNAMED));
        }
        if let Some((_, why)) = self.builtin_apps.iter().find(|(g, _)| app_matches(g)) {
            return Verdict::Deny(DenyReason::BuiltIn(why));
        }
        if let Some((_, why)) = self.builtin_titles.iter().find(|(g, _)| title_matches(g)) {
            return Verdict::Deny(DenyReason::BuiltIn(why));
        }
        if self.deny_apps.iter().any(app_matches) || self.deny_titles.iter().any(title_matches) {
            return Verdict::Deny(DenyReason::Denied);
        }
        if self.default_allow || self.allow_apps.iter().any(app_matches) || self.allow_titles.iter().any(title_matches) {
            return Verdict::Allow;
        }
        Verdict::Deny(DenyReason::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(instance: &str, class: &str, title: &str) -> WindowInfo {
        WindowInfo {
            instance: Some(instance.into()),
            app: Some(class.into()),
            title: Some(title.into()),
            ..WindowInfo::default()
        }
    }

    const POLICY: &str = r#"
        version = 1
        [scope]
        allow_apps = ["XTerm", "firefox"]
        allow_titles = ["*Jira*"]
        deny_titles = ["*bank*"]
    "#;

    #[test]
    fn allowlist_first_with_denies_winning() {
        let p = Policy::from_toml(POLICY).unwrap();
        assert!(p.decide(&window("xterm", "XTerm", "~/src")).allowed());
        assert!(p.decide(&window("Navigator", "firefox", "Docs")).allowed());
        assert!(p.decide(&window("chromium", "Chromium", "PROJ-1 - Jira")).allowed());
        assert_eq!(p.decide(&window("gedit", "Gedit", "notes")), Verdict::Deny(DenyReason::NotAllowed));
        assert_eq!(p.decide(&window("Navigator", "firefox", "My Bank")), Verdict::Deny(DenyReason::Denied));
        assert_eq!(p.decide(&WindowInfo::default()), Verdict::Deny(DenyReason::BuiltIn(UNNAMED)));
    }

    #[test]
    fn builtin_denies_cannot_be_lifted() {
        let p = Policy::from_toml(
            r#"version = 1
            [scope]
            default = "allow"
            allow_apps = ["*"]
            allow_titles = ["*"]"#,
        )
        .unwrap();
        let denied = [
            window("keepassxc", "KeePassXC", "Passwords.kdbx"),
            window("pinentry-gtk-2", "Pinentry-gtk-2", "Passphrase"),
            window("Navigator", "firefox", "Mozilla Firefox Private Browsing"),
            window("xterm", "XTerm", "KeePassXC - vault"),
            window("remmina", "org.remmina.Remmina", "server"),
            window("org.remmina.Remmina", "org.remmina.Remmina", "server"),
            window("kwalletd6", "kwalletd6", "KDE Wallet Service"),
            window("lxqt-policykit-agent", "lxqt-policykit-agent", "Authentication"),
            window("xfce-polkit", "xfce-polkit", ""),
            window("Navigator", "firefox", "*Sale* — Mozilla Firefox Private Browsing"),
            window("i3lock", "i3lock", ""),
        ];
        for w in denied {
            assert!(matches!(p.decide(&w), Verdict::Deny(DenyReason::BuiltIn(_))), "{w:?}");
        }
        assert!(p.decide(&window("xterm", "XTerm", "shell")).allowed());
        // Nothing to judge a window by: not captured even by default.
        let unnamed = WindowInfo { id: 9, ..WindowInfo::default() };
        assert_eq!(p.decide(&unnamed), Verdict::Deny(DenyReason::BuiltIn(UNNAMED)));
        assert!(!p.decide(&window("", " ", "")).allowed());
        assert!(p.decide(&window("", "", "untitled")).allowed(), "a title is a name");
    }

    #[test]
    fn the_default_policy_captures_nothing() {
        let p = Policy::default();
        assert!(!p.allows_anything());
        assert!(!p.decide(&window("xterm", "XTerm", "x")).allowed());
        assert_eq!(p.redaction.pixels, PixelRedaction::Required);
        assert_eq!(p.pause_hotkey, Hotkey::default_pause());
    }

    #[test]
    fn clear_errors_for_bad_files() {
        let err = |text: &str| Policy::from_toml(text).unwrap_err().to_string();
        assert!(err("").contains("version"), "{}", err(""));
        assert!(err("version = 2").contains("version 2 is not supported"));
        assert!(err("version = 1\n[scope]\nallow_app = [\"x\"]").contains("unknown field"));
        assert!(err("version = 1\n[scope]\ndefault = \"maybe\"").contains("scope.default"));
        assert!(err("version = 1\n[scope]\nallow_apps = [\"\"]").contains("empty pattern"));
        assert!(err("version = 1\n[redaction]\ntext = false").contains("cannot be false"));
        assert!(err("version = 1\n[redaction]\npixels = \"blur\"").contains("redaction.pixels"));
        assert!(err("version = 1\n[pause]\nhotkey = \"P\"").contains("hotkey"));
        assert!(err("version = [").contains("invalid policy"));
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_shipped_example_is_valid() {
        let p = super::Policy::from_toml(include_str!("../example-policy.toml")).unwrap();
        assert!(p.allows_anything() && !p.default_allows());
    }
}
