//! Writing `episodes.parquet` and `steps.parquet` (schemas in
//! [`crate::format`]).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder, UInt32Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::assemble::{EpisodeRow, norm};
use crate::error::{Error, io_err};

const BATCH_ROWS: usize = 64 * 1024;

fn list_field() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Utf8, false))
}

fn string_list() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new()).with_field(list_field())
}

/// The schema of `steps.parquet`.
pub fn steps_schema() -> Schema {
    use DataType::*;
    let f = |name: &str, t: DataType, nullable: bool| Field::new(name, t, nullable);
    Schema::new(vec![
        f("episode_id", Utf8, false),
        f("step", UInt32, false),
        f("t_start_ns", Int64, false),
        f("t_end_ns", Int64, false),
        f("duration_s", Float64, false),
        f("action_type", Utf8, false),
        f("x", Int32, true),
        f("y", Int32, true),
        f("x_norm", Float64, true),
        f("y_norm", Float64, true),
        f("x2", Int32, true),
        f("y2", Int32, true),
        f("x2_norm", Float64, true),
        f("y2_norm", Float64, true),
        f("button", Utf8, true),
        Field::new("keys", List(list_field()), false),
        f("presses", UInt32, false),
        f("text", Utf8, true),
        f("scroll_dx", Float64, true),
        f("scroll_dy", Float64, true),
        f("status", Utf8, true),
        f("code", Utf8, false),
        f("code_norm", Utf8, false),
        f("image", Utf8, true),
        f("image_t_ns", Int64, true),
        f("image_width", UInt32, true),
        f("image_height", UInt32, true),
        f("screen_width", UInt32, false),
        f("screen_height", UInt32, false),
        f("app", Utf8, true),
        f("title", Utf8, true),
        f("segment_id", Utf8, true),
    ])
}

/// The schema of `episodes.parquet`.
pub fn episodes_schema() -> Schema {
    use DataType::*;
    let f = |name: &str, t: DataType, nullable: bool| Field::new(name, t, nullable);
    Schema::new(vec![
        f("episode_id", Utf8, false),
        f("recording_id", Utf8, false),
        f("instruction", Utf8, true),
        f("instruction_source", Utf8, false),
        f("outcome", Utf8, true),
        f("start_boundary", Utf8, false),
        f("end_boundary", Utf8, false),
        f("t_start_ns", Int64, false),
        f("t_end_ns", Int64, false),
        f("duration_s", Float64, false),
        f("num_steps", UInt32, false),
        f("screen_width", UInt32, false),
        f("screen_height", UInt32, false),
        Field::new("apps", List(list_field()), false),
        Field::new("source_segments", List(list_field()), false),
        f("recorder_version", Utf8, false),
        f("segment_format", Utf8, false),
    ])
}

fn writer(path: &Path, schema: &Arc<Schema>) -> Result<ArrowWriter<File>, Error> {
    let file = File::create(path).map_err(io_err(path))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid zstd level"),
        ))
        .build();
    ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|source| Error::Parquet {
        path: path.into(),
        source,
    })
}

#[derive(Default)]
struct StepColumns {
    episode_id: StringBuilder,
    step: UInt32Builder,
    t_start: Int64Builder,
    t_end: Int64Builder,
    duration: Float64Builder,
    action_type: StringBuilder,
    x: Int32Builder,
    y: Int32Builder,
    x_norm: Float64Builder,
    y_norm: Float64Builder,
    x2: Int32Builder,
    y2: Int32Builder,
    x2_norm: Float64Builder,
    y2_norm: Float64Builder,
    button: StringBuilder,
    keys: Option<ListBuilder<StringBuilder>>,
    presses: UInt32Builder,
    text: StringBuilder,
    scroll_dx: Float64Builder,
    scroll_dy: Float64Builder,
    status: StringBuilder,
    code: StringBuilder,
    code_norm: StringBuilder,
    image: StringBuilder,
    image_t: Int64Builder,
    image_w: UInt32Builder,
    image_h: UInt32Builder,
    screen_w: UInt32Builder,
    screen_h: UInt32Builder,
    app: StringBuilder,
    title: StringBuilder,
    segment_id: StringBuilder,
    rows: usize,
}

impl StepColumns {
    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, Error> {
        let mut keys = self.keys.take().unwrap_or_else(string_list);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.episode_id.finish()),
            Arc::new(self.step.finish()),
            Arc::new(self.t_start.finish()),
            Arc::new(self.t_end.finish()),
            Arc::new(self.duration.finish()),
            Arc::new(self.action_type.finish()),
            Arc::new(self.x.finish()),
            Arc::new(self.y.finish()),
            Arc::new(self.x_norm.finish()),
            Arc::new(self.y_norm.finish()),
            Arc::new(self.x2.finish()),
            Arc::new(self.y2.finish()),
            Arc::new(self.x2_norm.finish()),
            Arc::new(self.y2_norm.finish()),
            Arc::new(self.button.finish()),
            Arc::new(keys.finish()),
            Arc::new(self.presses.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.scroll_dx.finish()),
            Arc::new(self.scroll_dy.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.code_norm.finish()),
            Arc::new(self.image.finish()),
            Arc::new(self.image_t.finish()),
            Arc::new(self.image_w.finish()),
            Arc::new(self.image_h.finish()),
            Arc::new(self.screen_w.finish()),
            Arc::new(self.screen_h.finish()),
            Arc::new(self.app.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.segment_id.finish()),
        ];
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

/// Writes `steps.parquet`.
pub fn write_steps(path: &Path, episodes: &[EpisodeRow]) -> Result<(), Error> {
    let schema = Arc::new(steps_schema());
    let mut w = writer(path, &schema)?;
    let pq = |source| Error::Parquet {
        path: path.into(),
        source,
    };
    let mut c = StepColumns::default();
    for e in episodes {
        let (sw, sh) = e.screen;
        for s in &e.steps {
            let a = &s.action;
            c.episode_id.append_value(&e.episode_id);
            c.step.append_value(s.step);
            c.t_start.append_value(s.t_start_ns);
            c.t_end.append_value(s.t_end_ns);
            c.duration.append_value(a.duration_s());
            c.action_type.append_value(a.kind.name());
            let (x, y) = (a.pos.map(|p| p.0), a.pos.map(|p| p.1));
            let (x2, y2) = (a.end.map(|p| p.0), a.end.map(|p| p.1));
            c.x.append_option(x);
            c.y.append_option(y);
            c.x_norm.append_option(norm(x, sw));
            c.y_norm.append_option(norm(y, sh));
            c.x2.append_option(x2);
            c.y2.append_option(y2);
            c.x2_norm.append_option(norm(x2, sw));
            c.y2_norm.append_option(norm(y2, sh));
            c.button.append_option(a.button.as_deref());
            let keys = c.keys.get_or_insert_with(string_list);
            for k in &a.keys {
                keys.values().append_value(k);
            }
            keys.append(true);
            c.presses.append_value(a.presses);
            c.text.append_option(a.text.as_deref());
            c.scroll_dx.append_option(a.scroll.map(|s| s.0));
            c.scroll_dy.append_option(a.scroll.map(|s| s.1));
            c.status.append_option(a.status.as_deref());
            c.code.append_value(&s.code);
            c.code_norm.append_value(&s.code_norm);
            c.image.append_option(s.image.as_deref());
            c.image_t.append_option(s.image_t_ns);
            c.image_w.append_option(s.image_size.map(|s| s.0));
            c.image_h.append_option(s.image_size.map(|s| s.1));
            c.screen_w.append_value(sw);
            c.screen_h.append_value(sh);
            c.app.append_option(s.app.as_deref());
            c.title.append_option(s.title.as_deref());
            c.segment_id.append_option(s.segment_id.as_deref());
            c.rows += 1;
            if c.rows >= BATCH_ROWS {
                w.write(&c.finish(&schema)?).map_err(pq)?;
            }
        }
    }
    if c.rows > 0 {
        w.write(&c.finish(&schema)?).map_err(pq)?;
    }
    w.close().map_err(pq)?;
    Ok(())
}

/// Writes `episodes.parquet`.
pub fn write_episodes(path: &Path, episodes: &[EpisodeRow]) -> Result<(), Error> {
    let schema = Arc::new(episodes_schema());
    let mut w = writer(path, &schema)?;
    let pq = |source| Error::Parquet {
        path: path.into(),
        source,
    };
    for chunk in episodes.chunks(BATCH_ROWS) {
        let mut id = StringBuilder::new();
        let mut rec = StringBuilder::new();
        let mut instruction = StringBuilder::new();
        let mut source = StringBuilder::new();
        let mut outcome = StringBuilder::new();
        let mut start_b = StringBuilder::new();
        let mut end_b = StringBuilder::new();
        let mut t0 = Int64Builder::new();
        let mut t1 = Int64Builder::new();
        let mut dur = Float64Builder::new();
        let mut n = UInt32Builder::new();
        let mut sw = UInt32Builder::new();
        let mut sh = UInt32Builder::new();
        let mut apps = string_list();
        let mut segs = string_list();
        let mut rv = StringBuilder::new();
        let mut sf = StringBuilder::new();
        for e in chunk {
            id.append_value(&e.episode_id);
            rec.append_value(&e.recording_id);
            instruction.append_option(e.instruction.as_deref());
            source.append_value(if e.instruction.is_some() {
                "task_marker"
            } else {
                "none"
            });
            outcome.append_option(e.outcome.as_deref());
            start_b.append_value(e.start_boundary);
            end_b.append_value(e.end_boundary);
            t0.append_value(e.t_start_ns);
            t1.append_value(e.t_end_ns);
            dur.append_value((e.t_end_ns - e.t_start_ns).max(0) as f64 / 1e9);
            n.append_value(e.steps.len() as u32);
            sw.append_value(e.screen.0);
            sh.append_value(e.screen.1);
            for a in &e.apps {
                apps.values().append_value(a);
            }
            apps.append(true);
            for s in &e.source_segments {
                segs.values().append_value(s);
            }
            segs.append(true);
            rv.append_value(&e.recorder_version);
            sf.append_value(&e.segment_format);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(rec.finish()),
            Arc::new(instruction.finish()),
            Arc::new(source.finish()),
            Arc::new(outcome.finish()),
            Arc::new(start_b.finish()),
            Arc::new(end_b.finish()),
            Arc::new(t0.finish()),
            Arc::new(t1.finish()),
            Arc::new(dur.finish()),
            Arc::new(n.finish()),
            Arc::new(sw.finish()),
            Arc::new(sh.finish()),
            Arc::new(apps.finish()),
            Arc::new(segs.finish()),
            Arc::new(rv.finish()),
            Arc::new(sf.finish()),
        ];
        w.write(&RecordBatch::try_new(schema.clone(), columns)?)
            .map_err(pq)?;
    }
    w.close().map_err(pq)?;
    Ok(())
}
