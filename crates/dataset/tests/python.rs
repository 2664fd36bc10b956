//! pyarrow reads the Parquet files with the documented schema, and every
//! code string parses as Python calling only the allowed functions
//! (`pip install pyarrow`; skipped with a notice without it).

mod common;

use std::process::Command;

use common::python_has;
use common::synth::write_recording;
use tracewell_dataset::{ALLOWED_CALLS, BuildOptions, Source, build};

#[test]
fn pyarrow_reads_the_documented_schema_and_the_code_is_python() {
    if !python_has("pyarrow") {
        println!("SKIPPED: python3 with pyarrow is not available (pip install pyarrow)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_recording(&dir.path().join("a"), "py-a", 2, 2, (160, 100));
    write_recording(&dir.path().join("b"), "py-b", 1, 1, (160, 100));
    let out = dir.path().join("out");
    build(
        &[Source::Path(dir.path().to_path_buf())],
        &BuildOptions::new(&out),
        |_| {},
    )
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/check_dataset.py");
    let allowed = serde_json::to_string(ALLOWED_CALLS).unwrap();
    let run = Command::new("python3")
        .arg(script)
        .arg(&out)
        .arg(&allowed)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "check_dataset.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["episodes"], 2);
    assert_eq!(
        v["action_types"],
        serde_json::json!([
            "click",
            "doubleClick",
            "drag",
            "hotkey",
            "press",
            "scroll",
            "terminate",
            "write"
        ])
    );
    println!("pyarrow {} read {} steps", v["pyarrow"], v["steps"]);
}
