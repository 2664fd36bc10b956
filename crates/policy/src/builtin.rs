//! Denies that no policy can lift.
//!
//! Matched case-insensitively against both parts of `WM_CLASS` (instance
//! and class) or against the title. A window that matches is never
//! captured — not its keys, not its pointer events, not its title, not its
//! pixels — whatever the policy's allow lists say.

/// Applications, by `WM_CLASS` instance or class (globs).
pub const APPS: &[(&str, &str)] = &[
    // Password managers and keyrings.
    ("*keepass*", "password manager"),
    ("*1password*", "password manager"),
    ("*bitwarden*", "password manager"),
    ("*enpass*", "password manager"),
    ("*lastpass*", "password manager"),
    ("*proton*pass*", "password manager"),
    ("kwalletmanager*", "password manager"),
    // The KDE wallet's unlock prompt comes from the service itself.
    ("kwalletd*", "password manager"),
    ("ksecretd*", "password manager"),
    ("seahorse", "password manager"),
    ("gnome-keyring*", "password manager"),
    // Passphrase and authentication prompts.
    ("pinentry*", "authentication prompt"),
    ("gcr-prompter", "authentication prompt"),
    ("*polkit*", "authentication prompt"),
    ("*policykit*", "authentication prompt"),
    ("*ssh-askpass*", "authentication prompt"),
    ("ksshaskpass", "authentication prompt"),
    // Screen lockers.
    ("xscreensaver*", "screen locker"),
    ("i3lock", "screen locker"),
    ("xsecurelock", "screen locker"),
    ("light-locker", "screen locker"),
    ("slock", "screen locker"),
    ("xlock*", "screen locker"),
    ("gnome-screensaver*", "screen locker"),
    ("kscreenlocker*", "screen locker"),
    // Remote-desktop clients (another machine's screen and secrets).
    // Remmina's WM_CLASS is its application id, `org.remmina.Remmina`.
    ("*remmina*", "remote desktop"),
    ("*vncviewer*", "remote desktop"),
    ("tigervnc*", "remote desktop"),
    ("*freerdp*", "remote desktop"),
    ("rdesktop", "remote desktop"),
    ("teamviewer*", "remote desktop"),
    ("anydesk", "remote desktop"),
    ("rustdesk", "remote desktop"),
    ("vinagre", "remote desktop"),
    ("krdc", "remote desktop"),
    ("x2goclient", "remote desktop"),
];

/// Window titles (globs).
pub const TITLES: &[(&str, &str)] = &[
    ("*private browsing*", "private browsing"),
    ("*incognito*", "private browsing"),
    ("*inprivate*", "private browsing"),
    ("*keepassxc*", "password manager"),
    ("*1password*", "password manager"),
    ("*bitwarden*", "password manager"),
    ("*password manager*", "password manager"),
    ("*lastpass*", "password manager"),
    ("*proton pass*", "password manager"),
    ("*kde wallet*", "password manager"),
    ("*passphrase*", "authentication prompt"),
    ("*authentication required*", "authentication prompt"),
    ("*authenticate*", "authentication prompt"),
    ("*unlock keyring*", "authentication prompt"),
];
