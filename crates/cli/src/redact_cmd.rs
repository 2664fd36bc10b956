//! `tracewell redact text [FILE|-]` and `tracewell redact image IN OUT`:
//! run the redaction the recorder applies, on a text or a screenshot.
//!
//! Output names kinds, offsets and boxes, never the values found.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::json;
use tracewell_model::{Frame, FrameReason, Rect};
use tracewell_ocr::{Ocr, PixelRedactor};
use tracewell_redact::{Scanner, summary};
use tracewell_segment::frame_codec::{PngFilter, PngLevel, bgrx_to_rgb, decode_png, encode_rgb_png};

#[derive(Args)]
pub struct RedactArgs {
    #[command(subcommand)]
    command: RedactCommand,
}

#[derive(Subcommand)]
enum RedactCommand {
    /// Print a text with its PII and secrets replaced by placeholders.
    Text {
        /// The text file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// Print the detections (kind, byte offsets, detector) as JSON
        /// instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// Fill the PII and secrets OCR finds in a PNG screenshot.
    Image {
        /// The screenshot (PNG).
        input: PathBuf,
        /// Where to write the redacted PNG.
        output: PathBuf,
        /// Print the kinds and filled boxes as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: RedactArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        RedactCommand::Text { file, json } => text(file.as_deref(), json),
        RedactCommand::Image { input, output, json } => image(&input, &output, json),
    }
}

fn text(file: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let mut bytes = Vec::new();
    let name = match file {
        None => "standard input".to_string(),
        Some(p) if p == Path::new("-") => "standard input".to_string(),
        Some(p) => p.display().to_string(),
    };
    match file {
        Some(p) if p != Path::new("-") => {
            bytes = std::fs::read(p).with_context(|| format!("cannot read {name}"))?;
        }
        _ => {
            std::io::stdin().read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
        }
    }
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("{name} is not UTF-8 text");
    };
    let scanner = Scanner::builtin();
    let mut out = std::io::stdout().lock();
    if json {
        let spans = scanner.find(&text);
        let counts: serde_json::Map<String, serde_json::Value> =
            summary(&spans).into_iter().map(|(k, n)| (k.name().to_string(), json!(n))).collect();
        let list: Vec<_> = spans
            .iter()
            .map(|s| json!({"kind": s.kind.name(), "start": s.start, "end": s.end, "detector": s.detector}))
            .collect();
        writeln!(out, "{}", json!({"counts": counts, "spans": list}))?;
    } else {
        out.write_all(scanner.redact(&text).as_str().as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn image(input: &Path, output: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let data = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    if !data.starts_with(b"\x89PNG\r\n\x1a\n") {
        bail!("{} is not a PNG image", input.display());
    }
    let decoded = decode_png(&data).with_context(|| format!("{} is not a readable PNG image", input.display()))?;
    let (width, height) = (decoded.width, decoded.height);
    let ocr = Ocr::new().with_context(|| format!("cannot redact {}", input.display()))?;
    let mut frame = Frame {
        t_ns: 0,
        width,
        height,
        reason: FrameReason::Start,
        monitors: Vec::new(),
        changed: vec![Rect::new(0, 0, width, height)],
        stack: Default::default(),
        bgrx: decoded.to_bgrx(),
    };
    let report = PixelRedactor::new(ocr)
        .redact(&mut frame)
        .with_context(|| format!("cannot redact {}", input.display()))?;
    let mut rgb = Vec::new();
    bgrx_to_rgb(&frame.bgrx, &mut rgb);
    let png = encode_rgb_png(width, height, &rgb, PngLevel::Fast, PngFilter::Sub)
        .with_context(|| format!("cannot encode {}", output.display()))?;
    std::fs::write(output, png).with_context(|| format!("cannot write {}", output.display()))?;
    if json {
        let boxes: Vec<_> = report
            .boxes
            .iter()
            .map(|b| json!({"kind": b.kind.name(), "x": b.rect.x, "y": b.rect.y, "width": b.rect.width, "height": b.rect.height}))
            .collect();
        println!("{}", json!({"counts": report.counts, "boxes_filled": report.boxes_filled, "boxes": boxes}));
    } else {
        let kinds: Vec<String> = report.counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "{}: {} boxes filled{}",
            output.display(),
            report.boxes_filled,
            if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) }
        );
    }
    Ok(ExitCode::SUCCESS)
}
