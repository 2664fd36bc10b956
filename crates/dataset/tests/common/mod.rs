//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod synth;

use std::fs::File;
use std::path::Path;
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// One row of `steps.parquet`, the columns the tests look at.
#[derive(Clone, Debug, PartialEq)]
pub struct StepView {
    pub episode_id: String,
    pub step: u32,
    pub action_type: String,
    pub code: String,
    pub image: Option<String>,
    pub image_t_ns: Option<i64>,
    pub t_start_ns: i64,
    pub app: Option<String>,
    pub title: Option<String>,
}

pub fn read_batches(path: &Path) -> Vec<RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    reader.map(|b| b.unwrap()).collect()
}

fn string(b: &RecordBatch, name: &str, i: usize) -> Option<String> {
    let col = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_string::<i32>();
    (!col.is_null(i)).then(|| col.value(i).to_string())
}

fn int64(b: &RecordBatch, name: &str, i: usize) -> Option<i64> {
    let col = b.column_by_name(name).unwrap().as_primitive::<Int64Type>();
    (!col.is_null(i)).then(|| col.value(i))
}

/// Reads the steps of a dataset.
pub fn read_steps(out: &Path) -> Vec<StepView> {
    let mut rows = Vec::new();
    for b in read_batches(&out.join("steps.parquet")) {
        for i in 0..b.num_rows() {
            rows.push(StepView {
                episode_id: string(&b, "episode_id", i).unwrap(),
                step: b
                    .column_by_name("step")
                    .unwrap()
                    .as_primitive::<UInt32Type>()
                    .value(i),
                action_type: string(&b, "action_type", i).unwrap(),
                code: string(&b, "code", i).unwrap(),
                image: string(&b, "image", i),
                image_t_ns: int64(&b, "image_t_ns", i),
                t_start_ns: int64(&b, "t_start_ns", i).unwrap(),
                app: string(&b, "app", i),
                title: string(&b, "title", i),
            });
        }
    }
    rows
}

/// Codes of the steps, per episode.
pub fn codes_by_episode(steps: &[StepView]) -> Vec<Vec<String>> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for s in steps {
        match out.last_mut() {
            Some((id, codes)) if *id == s.episode_id => codes.push(s.code.clone()),
            _ => out.push((s.episode_id.clone(), vec![s.code.clone()])),
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

/// Whether `python3` can import a module.
pub fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The Chromium binary, if installed.
pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
}

/// Whether the Xvfb test bed can run here.
pub fn have_xvfb() -> bool {
    ["Xvfb", "openbox", "xterm"].iter().all(|p| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}
