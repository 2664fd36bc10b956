//! Capture on a real X server: Xvfb with openbox, real windows, input
//! injected through XTEST. Each test asserts exactly what was recorded.

use std::time::{Duration, Instant};

use tracewell_capture::{CaptureOptions, X11Capture};
use tracewell_model::{
    ButtonEvent, Event, Frame, FrameReason, KeyEvent, MouseButton, PauseSource, PressState, ScrollEvent,
    WindowChange, WindowEvent, typed_text,
};
use tracewell_testbed::{Driver, VirtualDisplay, WindowSpec};

fn window(title: &str, class: &str, x: i16, y: i16, w: u16, h: u16, color: u32) -> WindowSpec {
    WindowSpec {
        title: title.into(),
        class: (class.to_lowercase(), class.into()),
        x,
        y,
        width: w,
        height: h,
        color,
    }
}

/// Receives events until none arrived for `quiet`.
fn settle(capture: &X11Capture, quiet: Duration) -> Vec<Event> {
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match capture.recv_timeout(quiet).expect("capture failed") {
            Some(event) => events.push(event),
            None => break,
        }
    }
    events
}

fn keys(events: &[Event]) -> Vec<KeyEvent> {
    events.iter().filter_map(|e| if let Event::Key(k) = e { Some(k.clone()) } else { None }).collect()
}

fn frames(events: &[Event]) -> Vec<&Frame> {
    events.iter().filter_map(|e| if let Event::Frame(f) = e { Some(f) } else { None }).collect()
}

fn setup(width: u32, height: u32) -> (VirtualDisplay, Driver) {
    let display = VirtualDisplay::start(width, height).expect("start Xvfb + openbox");
    let driver = display.driver().expect("driver");
    (display, driver)
}

#[test]
fn typed_text_including_shift_and_a_remapped_layout_is_exact() {
    let (display, driver) = setup(800, 600);
    driver.open_window(&window("Editor", "Editor", 50, 50, 300, 200, 0x3366cc)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    settle(&capture, Duration::from_millis(300));

    let us = "Hello, World! 123 #$%^&*()_+{}|:\"<>? tab\there";
    driver.type_text(us).unwrap();
    let recorded = keys(&settle(&capture, Duration::from_millis(300)));
    assert_eq!(typed_text(&recorded), us);
    // Every key press has its release, in order, none lost or doubled.
    let presses = recorded.iter().filter(|k| k.state == PressState::Press).count();
    let releases = recorded.iter().filter(|k| k.state == PressState::Release).count();
    assert_eq!(presses, releases);
    assert!(recorded.windows(2).all(|w| w[0].t_ns <= w[1].t_ns));
    let shifted_h = recorded.iter().find(|k| k.key == "H").expect("an H");
    assert!(shifted_h.modifiers.shift);

    // A German-style layout set while recording: y and z swapped, umlauts
    // on ; and ', ß and € on AltGr. Capture must follow the mapping change.
    let code = |sym: u32| driver.keycode_of(sym).unwrap().expect("keycode in the US map");
    let (y, z, semicolon, apostrophe, e, s) =
        (code(0x79), code(0x7a), code(0x3b), code(0x27), code(0x65), code(0x73));
    driver.remap_key(y, &[0x7a, 0x5a, 0x7a, 0x5a]).unwrap();
    driver.remap_key(z, &[0x79, 0x59, 0x79, 0x59]).unwrap();
    driver.remap_key(semicolon, &[0xf6, 0xd6, 0xf6, 0xd6]).unwrap();
    driver.remap_key(apostrophe, &[0xe4, 0xc4, 0xe4, 0xc4]).unwrap();
    driver.remap_key(e, &[0x65, 0x45, 0x65, 0x45, 0x20ac, 0]).unwrap();
    driver.remap_key(s, &[0x73, 0x53, 0x73, 0x53, 0xdf, 0]).unwrap();
    let german = "Zürich? Ärger über Öl. Grüße, 5€ für Yvonne";
    // ü is not on the map: give it the key of [ .
    let bracket = code(0x5b);
    driver.remap_key(bracket, &[0xfc, 0xdc, 0xfc, 0xdc]).unwrap();
    settle(&capture, Duration::from_millis(200));
    driver.type_text(german).unwrap();
    let recorded = keys(&settle(&capture, Duration::from_millis(300)));
    assert_eq!(typed_text(&recorded), german);
    let euro = recorded.iter().find(|k| k.text.as_deref() == Some("€")).expect("a euro key");
    assert!(euro.modifiers.level3, "€ comes from AltGr: {euro:?}");
    drop(capture.stop());
}

#[test]
fn clicks_scrolls_and_chords_are_recorded_where_and_as_injected() {
    let (display, driver) = setup(800, 600);
    driver.open_window(&window("Canvas", "Canvas", 100, 100, 400, 300, 0x22aa22)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    settle(&capture, Duration::from_millis(300));

    let clicks = [(120, 140, 1u8), (300, 200, 3), (450, 350, 2), (10, 590, 1)];
    for (x, y, button) in clicks {
        driver.move_pointer(x, y).unwrap();
        driver.click(button).unwrap();
    }
    driver.move_pointer(200, 200).unwrap();
    driver.scroll(3).unwrap();
    driver.scroll(-2).unwrap();
    driver.chord(&[0xffe3, 0x63]).unwrap(); // Control_L + c
    let events = settle(&capture, Duration::from_millis(400));

    let buttons: Vec<ButtonEvent> =
        events.iter().filter_map(|e| if let Event::Button(b) = e { Some(*b) } else { None }).collect();
    let expected: Vec<(PressState, MouseButton, i32, i32)> = clicks
        .iter()
        .flat_map(|&(x, y, b)| {
            let button = MouseButton::from_x11(b);
            [(PressState::Press, button, x as i32, y as i32), (PressState::Release, button, x as i32, y as i32)]
        })
        .collect();
    let got: Vec<_> = buttons.iter().map(|b| (b.state, b.button, b.x, b.y)).collect();
    assert_eq!(got, expected);

    let scrolls: Vec<ScrollEvent> =
        events.iter().filter_map(|e| if let Event::Scroll(s) = e { Some(*s) } else { None }).collect();
    let dys: Vec<f64> = scrolls.iter().map(|s| s.dy).collect();
    assert_eq!(dys, [1.0, 1.0, 1.0, -1.0, -1.0]);
    assert!(scrolls.iter().all(|s| (s.x, s.y) == (200, 200) && s.dx == 0.0));

    let chord = keys(&events);
    let c = chord.iter().find(|k| k.key == "c" && k.state == PressState::Press).expect("c press");
    assert!(c.modifiers.ctrl && c.text.is_none());
    assert_eq!(typed_text(&chord), "");

    // Motion was sampled: the last pointer position before each click is there.
    let motions: Vec<(i32, i32)> =
        events.iter().filter_map(|e| if let Event::Motion(m) = e { Some((m.x, m.y)) } else { None }).collect();
    assert!(motions.contains(&(200, 200)), "{motions:?}");
    drop(capture.stop());
}

#[test]
fn active_windows_titles_and_frames_follow_the_screen() {
    let (display, driver) = setup(800, 600);
    let red = driver.open_window(&window("Red one", "Redapp", 20, 40, 200, 150, 0xff0000)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    let first = settle(&capture, Duration::from_millis(300));
    let blue = driver.open_window(&window("Blue one", "Blueapp", 400, 300, 250, 200, 0x0000ff)).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    driver.set_title(blue, "Blue renamed").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    driver.activate(red).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let mut events = first;
    events.extend(settle(&capture, Duration::from_millis(500)));

    let windows: Vec<&WindowEvent> =
        events.iter().filter_map(|e| if let Event::Window(w) = e { Some(w) } else { None }).collect();
    let seen: Vec<(WindowChange, Option<String>, Option<String>)> = windows
        .iter()
        .map(|w| {
            (
                w.change,
                w.window.as_ref().and_then(|i| i.title.clone()),
                w.window.as_ref().and_then(|i| i.app.clone()),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        seen,
        vec![
            (WindowChange::Activated, s("Red one"), s("Redapp")),
            (WindowChange::Activated, s("Blue one"), s("Blueapp")),
            (WindowChange::TitleChanged, s("Blue renamed"), s("Blueapp")),
            (WindowChange::Activated, s("Blue renamed").and(s("Red one")), s("Redapp")),
        ]
    );
    let red_info = windows[0].window.as_ref().unwrap();
    assert_eq!(red_info.pid, Some(std::process::id()));
    assert_eq!((red_info.geometry.width, red_info.geometry.height), (200, 150));

    let frames = frames(&events);
    assert_eq!(frames[0].reason, FrameReason::Start);
    assert!(frames.iter().all(|f| (f.width, f.height) == (800, 600)));
    // Frames show the windows where the window manager put them.
    let red_geometry = red_info.geometry;
    let (cx, cy) = (red_geometry.x as u32 + 100, red_geometry.y as u32 + 75);
    assert_eq!(frames[0].rgb_at(cx, cy), (255, 0, 0));
    let last = frames.last().unwrap();
    let blue_geometry = windows[1].window.as_ref().unwrap().geometry;
    assert_eq!(
        last.rgb_at(blue_geometry.x as u32 + 125, blue_geometry.y as u32 + 100),
        (0, 0, 255)
    );
    assert_eq!(last.rgb_at(cx, cy), (255, 0, 0));
    // No two consecutive frames are identical, and the rate cap holds for
    // change-driven frames.
    for pair in frames.windows(2) {
        assert_ne!(pair[0].bgrx, pair[1].bgrx);
        assert!(!pair[1].changed.is_empty());
    }
    assert!(frames.iter().any(|f| f.reason == FrameReason::WindowChange), "{:?}",
        frames.iter().map(|f| f.reason).collect::<Vec<_>>());
    drop(capture.stop());
}

#[test]
fn a_window_class_set_as_utf8_is_read() {
    let (display, driver) = setup(640, 480);
    let first = driver.open_window(&window("First", "Firstapp", 20, 20, 200, 150, 0xff0000)).unwrap();
    let vault = driver.open_window(&window("Vault", "Placeholder", 300, 200, 200, 150, 0x00ff00)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    let last_window = |events: Vec<Event>| {
        events.into_iter().filter_map(|e| if let Event::Window(w) = e { w.window } else { None }).last()
    };
    // The vault's class is read again when it is activated again.
    driver.activate(first).unwrap();
    let start = std::time::Instant::now();
    while last_window(settle(&capture, Duration::from_millis(200))).and_then(|w| w.title).as_deref() != Some("First") {
        assert!(start.elapsed() < Duration::from_secs(10), "the first window never became active");
    }
    driver.set_class_utf8(vault, "keepassxc", "KeePassXC").unwrap();
    driver.activate(vault).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let last = last_window(settle(&capture, Duration::from_millis(300))).expect("window events");
    assert_eq!(last.title.as_deref(), Some("Vault"));
    assert_eq!((last.instance.as_deref(), last.app.as_deref()), (Some("keepassxc"), Some("KeePassXC")));
    drop(capture.stop());
}

#[test]
fn a_missing_display_is_a_clear_error() {
    let error = X11Capture::start(Some(":5000"), CaptureOptions::default()).err().expect("must fail");
    let message = error.to_string();
    assert!(message.contains(":5000"), "{message}");
}

#[test]
fn a_fast_burst_of_keys_loses_duplicates_and_reorders_nothing() {
    let (display, driver) = setup(640, 480);
    driver.open_window(&window("Burst", "Burst", 10, 10, 300, 200, 0x777777)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    settle(&capture, Duration::from_millis(200));
    // 1,500 characters (plus Shift for capitals) with no pause between keys.
    let text: String = (0..1500u32)
        .map(|i| char::from_u32(if i % 7 == 0 { 'A' as u32 + i % 26 } else { 'a' as u32 + i % 26 }).unwrap())
        .collect();
    driver.type_text(&text).unwrap();
    let recorded = keys(&settle(&capture, Duration::from_millis(500)));
    assert_eq!(typed_text(&recorded), text);
    let capitals = text.chars().filter(|c| c.is_ascii_uppercase()).count();
    assert_eq!(recorded.len(), 2 * (text.len() + capitals));
    // Presses and releases alternate per key exactly as injected.
    let mut held = std::collections::HashSet::new();
    for k in &recorded {
        match k.state {
            PressState::Press => assert!(held.insert(k.keycode), "double press of {}", k.keycode),
            PressState::Release => assert!(held.remove(&k.keycode), "release without press of {}", k.keycode),
        }
    }
    assert!(held.is_empty());
    drop(capture.stop());
}

#[test]
fn frames_carry_the_window_stack_and_the_indicator_is_on_top() {
    let (display, driver) = setup(800, 600);
    driver.open_window(&window("Bottom", "Lower", 10, 40, 300, 200, 0x00ff00)).unwrap();
    driver.open_window(&window("Top", "Upper", 200, 100, 300, 200, 0xff00ff)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    let events = settle(&capture, Duration::from_millis(300));
    let frame = frames(&events)[0];
    let named: Vec<(Option<String>, bool)> = frame
        .stack
        .iter()
        .filter_map(|w| w.client.as_ref().map(|c| (c.app.clone(), w.override_redirect)))
        .filter(|(app, _)| app.is_some())
        .collect();
    let s = |x: &str| Some(x.to_string());
    // Bottom first; the indicator is an override-redirect window above all.
    assert_eq!(named, vec![(s("Lower"), false), (s("Upper"), false), (s("Tracewell"), true)]);
    let top = frame.stack.iter().find(|w| w.client.as_ref().and_then(|c| c.app.as_deref()) == Some("Upper")).unwrap();
    // The outer rectangle includes the window manager's decorations.
    assert!(top.rect.contains(200, 100) && top.rect.width >= 300 && top.rect.height >= 200, "{:?}", top.rect);
    let point = tracewell_model::window_at(&frame.stack, 250, 150).unwrap();
    assert_eq!(point.client.as_ref().unwrap().app.as_deref(), Some("Upper"));
    // The indicator is visible and says so, in red, top right.
    assert!(driver.top_level_names().unwrap().contains(&"Tracewell: recording".to_string()));
    assert_eq!(frame.rgb_at(800 - 158 + 60, 8 + 3), (0xc6, 0x28, 0x28));
    drop(capture.stop());
    std::thread::sleep(Duration::from_millis(100));
    assert!(!driver.top_level_names().unwrap().iter().any(|n| n.starts_with("Tracewell")));
}

fn pauses(events: &[Event]) -> Vec<(bool, PauseSource)> {
    events.iter().filter_map(|e| if let Event::Paused { paused, source, .. } = e { Some((*paused, *source)) } else { None }).collect()
}

#[test]
fn paused_means_nothing_is_observed_by_command_or_hotkey() {
    let (display, driver) = setup(640, 480);
    driver.open_window(&window("Work", "Work", 10, 40, 300, 200, 0x336699)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    assert!(capture.hotkey_grabbed());
    settle(&capture, Duration::from_millis(300));

    driver.type_text("before ").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    capture.set_paused(true);
    std::thread::sleep(Duration::from_millis(300));
    assert!(driver.top_level_names().unwrap().contains(&"Tracewell: paused".to_string()));
    driver.type_text("secret while paused").unwrap();
    driver.move_pointer(100, 100).unwrap();
    driver.click(1).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    capture.set_paused(false);
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("after").unwrap();
    let events = settle(&capture, Duration::from_millis(400));
    assert_eq!(typed_text(&keys(&events)), "before after");
    assert!(!events.iter().any(|e| matches!(e, Event::Button(_))), "no click while paused");
    assert_eq!(pauses(&events), vec![(true, PauseSource::Command), (false, PauseSource::Command)]);
    // No frame was grabbed while paused.
    let pause_times: Vec<u64> = events.iter().filter_map(|e| if let Event::Paused { t_ns, .. } = e { Some(*t_ns) } else { None }).collect();
    assert!(!frames(&events).iter().any(|f| f.t_ns > pause_times[0] && f.t_ns < pause_times[1]));

    // The hotkey (Ctrl+Alt+Shift+P) toggles the same way, and the chord's
    // own key is not recorded as typing.
    let hotkey = [0xffe3, 0xffe9, 0xffe1, 0x70];
    driver.chord(&hotkey).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("hidden").unwrap();
    driver.chord(&hotkey).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("visible").unwrap();
    let events = settle(&capture, Duration::from_millis(400));
    assert_eq!(pauses(&events), vec![(true, PauseSource::Hotkey), (false, PauseSource::Hotkey)]);
    assert_eq!(typed_text(&keys(&events)), "visible");
    assert!(!keys(&events).iter().any(|k| k.key == "P" || k.key == "p"), "{:?}", keys(&events));
    drop(capture.stop());
}

#[test]
fn a_keyboard_grab_by_another_client_is_reported_as_secure_input() {
    let (display, driver) = setup(640, 480);
    let editor = driver.open_window(&window("Editor", "Editor", 10, 40, 300, 200, 0x999999)).unwrap();
    let capture = X11Capture::start(Some(display.name()), CaptureOptions::default()).unwrap();
    settle(&capture, Duration::from_millis(300));
    // A second client plays the passphrase prompt.
    let prompt = display.driver().unwrap();
    prompt.grab_keyboard(editor).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    driver.type_text("pass").unwrap();
    prompt.ungrab_keyboard().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    driver.type_text("ok").unwrap();
    let events = settle(&capture, Duration::from_millis(400));
    let order: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::SecureInput { active, .. } => Some(format!("secure:{active}")),
            Event::Key(k) if k.state == PressState::Press => k.text.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["secure:true", "p", "a", "s", "s", "secure:false", "o", "k"]);
    drop(capture.stop());
}
