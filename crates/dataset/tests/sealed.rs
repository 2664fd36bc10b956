//! Sealed segments: opened in memory with the dataset identity; a wrong
//! or missing identity is a clear error before any work.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::read_steps;
use common::synth::write_recording;
use tracewell_dataset::cli::{BuildArgs, DatasetArgs, DatasetCommand};
use tracewell_dataset::{BuildOptions, Error, Source, build, run_cli};
use tracewell_seal::{DeviceSigningKey, HeaderFields, RecipientIdentity, Sealer, SegmentId};

fn seal(plain: &Path, sealed: &Path, to: &RecipientIdentity) {
    let device = DeviceSigningKey::generate().unwrap();
    let fields = HeaderFields {
        segment_id: SegmentId::from_bytes([9; 16]),
        device_id: "laptop-1".into(),
        subject_id: "subject-1".into(),
        start_ns: 1_760_000_000_000_000_000,
    };
    let mut sealer = Sealer::new(Vec::new(), &[to.public_key().clone()], fields, &device).unwrap();
    sealer.write_all(&fs::read(plain).unwrap()).unwrap();
    fs::write(
        sealed,
        sealer.finish(1_760_000_060_000_000_000).unwrap().writer,
    )
    .unwrap();
}

#[test]
fn sealed_segments_build_like_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = write_recording(&dir.path().join("plain"), "sealed-a", 2, 1, (120, 80));
    let key = RecipientIdentity::generate().unwrap();
    let sealed_dir = dir.path().join("sealed");
    fs::create_dir(&sealed_dir).unwrap();
    for (i, f) in files.iter().enumerate() {
        seal(f, &sealed_dir.join(format!("segment-{i}.sealed")), &key);
    }
    let plain_out = dir.path().join("plain-out");
    build(
        &[Source::Path(dir.path().join("plain"))],
        &BuildOptions::new(&plain_out),
        |_| {},
    )
    .unwrap();

    let out = dir.path().join("out");
    let mut options = BuildOptions::new(&out);
    options.identity = Some(key.clone());
    let report = build(&[Source::Path(sealed_dir.clone())], &options, |_| {}).unwrap();
    assert_eq!(report.segments_read, 2);
    assert_eq!(read_steps(&out), read_steps(&plain_out));
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert!(
        m["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["sealed"] == true && s["plaintext_blake3"].is_string())
    );

    // A damaged sealed segment is skipped; the build goes on.
    let mut bytes = fs::read(sealed_dir.join("segment-1.sealed")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    fs::write(sealed_dir.join("segment-1.sealed"), bytes).unwrap();
    let report = build(
        &[Source::Path(sealed_dir.clone())],
        &BuildOptions {
            out: dir.path().join("out2"),
            ..options.clone()
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0]
            .reason
            .contains("cannot open the sealed segment"),
        "{:?}",
        report.skipped
    );
}

#[test]
fn a_wrong_or_missing_identity_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = write_recording(&dir.path().join("plain"), "sealed-b", 1, 1, (120, 80));
    let key = RecipientIdentity::generate().unwrap();
    let sealed = dir.path().join("one.sealed");
    seal(&files[0], &sealed, &key);
    let out = dir.path().join("out");

    let e = build(
        &[Source::Path(sealed.clone())],
        &BuildOptions::new(&out),
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(e, Error::IdentityRequired { .. }), "{e}");
    assert!(e.to_string().contains("--identity"), "{e}");

    let other = RecipientIdentity::generate().unwrap();
    let mut options = BuildOptions::new(&out);
    options.identity = Some(other.clone());
    let e = build(&[Source::Path(sealed.clone())], &options, |_| {}).unwrap_err();
    assert!(matches!(e, Error::NotARecipient { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("one.sealed")
            && text.contains("wrong identity file")
            && text.contains(&other.key_id().to_string()),
        "{text}"
    );
    assert!(!out.join("steps.parquet").exists());

    // Through the CLI: the identity file itself is checked first.
    let args = |identity: &Path| DatasetArgs {
        command: DatasetCommand::Build(BuildArgs {
            sources: vec![sealed.clone()],
            out: out.clone(),
            identity: Some(identity.to_path_buf()),
            jobs: 1,
            idle_gap: 60.0,
            no_viewer: false,
            quiet: true,
        }),
    };
    let e = run_cli(args(&dir.path().join("no-such-key"))).unwrap_err();
    assert!(matches!(e, Error::Identity { .. }), "{e}");
    assert!(e.to_string().contains("no-such-key"), "{e}");
    let wrong_file = dir.path().join("wrong.key");
    other.write_file(&wrong_file).unwrap();
    let e = run_cli(args(&wrong_file)).unwrap_err();
    assert!(matches!(e, Error::NotARecipient { .. }), "{e}");
    let right_file = dir.path().join("right.key");
    key.write_file(&right_file).unwrap();
    run_cli(args(&right_file)).unwrap();
    assert!(out.join("steps.parquet").is_file());
}
