//! The device and the collector together, on loopback with the embedded
//! defaults: keys, a collector, an enrollment token, an enrolled agent that
//! records a real X server, seals, spools and uploads — then the dataset
//! key opens what the collector stored, and nothing typed can be found in
//! any byte the collector or the agent's spool holds.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tracewell_testbed::{VirtualDisplay, WindowSpec};

fn tracewell() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracewell"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct Collector(Child);

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn agent_to_collector_round_trip_keeps_everything_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let s = setup(dir.path());
    let (data, config, identity, url) = (&s.data, &s.config, &s.identity, &s.url);
    let device = config.parent().unwrap().to_path_buf();
    // The token works once.
    let again = tracewell().args(["enroll", "--server", url, "--token", &s.token, "--config"]).arg(dir.path().join("other/agent.toml")).output().unwrap();
    assert!(!again.status.success());
    std::fs::write(device.join("policy.toml"), "version = 1\n[scope]\nallow_apps = [\"Notes\"]\n[redaction]\npixels = \"off\"\n").unwrap();
    let mut text = std::fs::read_to_string(config).unwrap();
    text.push_str("policy = \"policy.toml\"\n");
    std::fs::write(config, text).unwrap();

    let display = VirtualDisplay::start(800, 600).unwrap();
    let driver = display.driver().unwrap();
    driver
        .open_window(&WindowSpec { title: "Notes".into(), class: ("notes".into(), "Notes".into()), x: 20, y: 20, width: 400, height: 300, color: 0xdddddd })
        .unwrap();
    let agent = tracewell()
        .args(["agent", "--duration", "5", "--segment-secs", "1", "--drain-secs", "20", "--config"])
        .arg(config)
        .arg("--control")
        .arg(dir.path().join("agent.sock"))
        .env("DISPLAY", display.name())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let marker = "zebra marker forty two";
    driver.type_text(marker).unwrap();
    driver.type_text(" card 4111 1111 1111 1111 end").unwrap();
    let out = agent.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "agent failed: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("spool 0 segment(s)"), "everything uploaded: {stdout}\n{stderr}");

    // The collector holds sealed segments only the dataset key opens.
    let objects: Vec<_> = files(&data.join("objects"));
    assert!(objects.len() >= 3, "expected several segments, got {objects:?}");
    let identity = tracewell_seal::RecipientIdentity::read_file(identity).unwrap();
    let mut typed = Vec::new();
    for object in &objects {
        let sealed = std::fs::read(object).unwrap();
        let mut plain = Vec::new();
        tracewell_seal::open(&sealed[..], &identity, &mut plain).unwrap();
        let contents = tracewell_segment::read_segment_bytes(&plain).unwrap();
        assert!(!contents.truncated);
        typed.push((contents.meta.sequence, contents.messages));
    }
    typed.sort_by_key(|(seq, _)| *seq);
    let keys: Vec<tracewell_model::KeyEvent> = typed
        .iter()
        .flat_map(|(_, messages)| messages.iter().filter(|m| !m.carried))
        .filter_map(|m| if let tracewell_segment::Record::Key(k) = &m.record { Some(k.clone()) } else { None })
        .collect();
    let text = tracewell_model::typed_text(&keys);
    assert_eq!(text, format!("{marker} card <CARD> end"));

    // Nothing typed is readable in any byte the collector wrote or the
    // agent left in its folder.
    drop(s);
    for file in files(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        for needle in [&b"zebra marker"[..], b"forty two", b"4111"] {
            assert!(!contains(&bytes, needle), "{} holds {:?}", file.display(), String::from_utf8_lossy(needle));
        }
    }
}

#[test]
fn a_wrong_or_reused_token_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let output = tracewell()
        .args(["enroll", "--server", "http://127.0.0.1:9", "--token", "x", "--config"])
        .arg(dir.path().join("a.toml"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.starts_with("tracewell: error: collector http://127.0.0.1:9/v1/enroll"), "{err}");
    let output = tracewell()
        .args(["enroll", "--server", "http://collector.example", "--token", "x", "--config"])
        .arg(dir.path().join("b.toml"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("use https://"), "{}", String::from_utf8_lossy(&output.stderr));
}

/// A collector, a dataset key and an enrolled device configuration.
struct Setup {
    _collector: Collector,
    url: String,
    token: String,
    data: std::path::PathBuf,
    config: std::path::PathBuf,
    identity: std::path::PathBuf,
}

fn setup(dir: &Path) -> Setup {
    let identity = dir.join("dataset.identity");
    let recipient = run_ok(tracewell().args(["keys", "generate", "--out"]).arg(&identity));
    let data = dir.join("collector");
    let log = std::fs::File::create(dir.join("collector.log")).unwrap();
    let mut child = tracewell()
        .args(["server", "--listen", "127.0.0.1:0", "--recipient", &recipient, "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let collector = Collector(child);
    let url = format!("http://{}", line.trim().strip_prefix("listening on ").unwrap());
    let token = run_ok(tracewell().args(["admin", "--server", &url, "--data"]).arg(&data).args(["token"]));
    let config = dir.join("device/agent.toml");
    run_ok(tracewell().args(["enroll", "--server", &url, "--token", &token, "--config"]).arg(&config));
    Setup { _collector: collector, url, token, data, config, identity }
}

#[test]
fn killing_the_uploader_at_random_points_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = setup(dir.path());
    let config = tracewell_agent::AgentConfig::load(&s.config).unwrap();
    let key = tracewell_seal::DeviceSigningKey::read_file(&config.device_key).unwrap();
    let recipients: Vec<tracewell_seal::RecipientPublicKey> = config.recipients.iter().map(|r| r.parse().unwrap()).collect();
    // Fill the spool: small segments and two above the part size, which go
    // up in resumable parts.
    let mut committed = std::collections::BTreeSet::new();
    {
        let spool = tracewell_spool::Spool::open(&config.spool, Default::default()).unwrap();
        let mut seed = 0x2545_f491_u64;
        for i in 0..14u32 {
            let size = if i % 7 == 3 { 9 * 1024 * 1024 + 123 } else { 200_000 + 37_000 * i as usize };
            let mut writer = spool.begin().unwrap();
            let header = tracewell_seal::HeaderFields {
                segment_id: tracewell_seal::SegmentId([i as u8; 16]),
                device_id: config.device_id.clone(),
                subject_id: config.subject_id.clone(),
                start_ns: 1,
            };
            let mut sealer = tracewell_seal::Sealer::new(&mut writer, &recipients, header, &key).unwrap();
            let body: Vec<u8> = (0..size).map(|_| { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; seed as u8 }).collect();
            std::io::Write::write_all(&mut sealer, &body).unwrap();
            sealer.finish(2).unwrap();
            committed.insert(writer.commit().unwrap().hash.to_string());
        }
    }
    // Kill the uploader again and again, at random moments.
    let mut rng = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    for _ in 0..15 {
        let mut child = tracewell().arg("upload").arg("--config").arg(&s.config).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(30 + rng % 400));
        let _ = child.kill();
        child.wait().unwrap();
    }
    // Then let it finish.
    let done = run_ok(tracewell().arg("upload").arg("--config").arg(&s.config));
    assert!(done.ends_with("0 left in the spool"), "{done}");
    // Every segment is stored once, byte-identical and verifiable.
    let objects = files(&s.data.join("objects"));
    let stored: std::collections::BTreeSet<String> = objects
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let hash = blake3::hash(&bytes).to_hex().to_string();
            assert!(p.to_string_lossy().contains(&hash), "{} is not named by its hash", p.display());
            tracewell_seal::verify(&bytes[..], &key.verifying_key()).unwrap();
            hash
        })
        .collect();
    assert_eq!(objects.len(), committed.len(), "no duplicate objects");
    assert_eq!(stored, committed);
    // The dataset key opens one of them.
    let identity = tracewell_seal::RecipientIdentity::read_file(&s.identity).unwrap();
    let mut plain = Vec::new();
    tracewell_seal::open(&std::fs::read(&objects[0]).unwrap()[..], &identity, &mut plain).unwrap();
    assert!(!plain.is_empty());
    // And the spool is empty and healthy.
    let spool = tracewell_spool::Spool::open(&config.spool, Default::default()).unwrap();
    assert!(spool.pending().is_empty());
    assert!(spool.recovery_report().quarantined.is_empty());
}
