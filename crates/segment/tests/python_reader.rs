//! The official `mcap` Python package reads our segments
//! (`pip install mcap`; Pillow, if present, also checks our PNGs).

mod common;

use std::process::Command;

use common::*;
use tracewell_segment::*;

fn python_has_mcap() -> bool {
    Command::new("python3")
        .args(["-c", "import mcap"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn python_mcap_reads_every_message() {
    if !python_has_mcap() {
        println!("SKIPPED: python3 with the `mcap` package is not available (pip install mcap)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seg.mcap");
    let mut w = SegmentWriter::create(&path, meta(0)).unwrap();
    let mut records = every_kind(1_000_000_000);
    records.extend(every_kind(2_000_000_000));
    for r in &records {
        w.write(r).unwrap();
    }
    w.flush().unwrap();
    w.write_carried(&window(3_000_000_000, "carried")).unwrap();
    w.finish().unwrap();

    // A band-encoded desktop and a small update of it, for Pillow.
    let mut c = desktop::desktop(300, 170, 8);
    let mut enc = BandPngEncoder::default();
    let mut args = vec![path.to_string_lossy().into_owned()];
    for step in 0..2 {
        if step == 1 {
            desktop::small_change(&mut c, 9);
        }
        let png = enc.encode(c.width, c.height, &c.bgrx).unwrap();
        let mut rgb = Vec::new();
        frame_codec::bgrx_to_rgb(&c.bgrx, &mut rgb);
        let (p, r) = (dir.path().join(format!("{step}.png")), dir.path().join(format!("{step}.rgb")));
        std::fs::write(&p, png).unwrap();
        std::fs::write(&r, rgb).unwrap();
        args.push(p.to_string_lossy().into_owned());
        args.push(r.to_string_lossy().into_owned());
    }

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/read_with_python.py");
    let out = Command::new("python3").arg(script).args(&args).output().unwrap();
    assert!(out.status.success(), "python failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["counts"],
        serde_json::json!({
            "/recorder/status": 4, "/window/active": 5, "/screen/frame": 2, "/input/keyboard": 2, "/privacy/redactions": 2,
            "/input/mouse": 2, "/input/scroll": 2, "/input/motion": 2, "/task": 4
        })
    );
    assert_eq!(v["frames"], 2);
    assert_eq!(v["metadata"]["tracewell.segment"]["format"], "tracewell.segment/1.2");
    assert_eq!(v["metadata"]["tracewell.segment"]["segment_id"], "rec1-00000");
    if v["pil_checked"] != true {
        println!("NOTE: Pillow not installed; PNGs were checked with the png crate only");
    }
}
