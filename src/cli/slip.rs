//! The subcommands around slips: `keygen`, `decode`, `print-test` and `slip` (PRODUCT.md §10). JSON
//! on stdout; `Failure` carries the exit code (2 = the input is wrong, 1 = something failed).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{Value, json};

use crate::answers::Answers;
use crate::cli::{Ctx, Failure};
use crate::config::{Loaded, data_dir};
use crate::content::Content;
use crate::kiosk::backend::{EndReason, KioskBackend, PrintResult};
use crate::lang::Lang;
use crate::payload::{self, CentreKey, KeyError};
use crate::store::key_file::KeyFile;

#[derive(Subcommand, Debug)]
pub enum SlipCommand {
    /// Record a visit with these answers and write the slip it would print (same code path as
    /// the kiosk).
    #[command(display_order = 11)]
    Slip {
        /// The answers, k=v,… (e.g. goal=work_now,days=d5); question ids and values as in questions.toml.
        #[arg(long)]
        answers: String,
        /// The PNG file to write the slip to.
        #[arg(long)]
        out: PathBuf,
        /// The slip's language: ja | ja-easy (やさしいにほんご, furigana) | en.
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Write the visitor's take-home sheet 「働くためには？」 for these answers: the centre's map
    /// with the matched routes marked and their details (no QR, nothing from the visit). The
    /// extension picks the format: .png (the receipt raster) or .pdf (one A4 page).
    #[command(display_order = 12)]
    Sheet {
        /// The answers, k=v,… (e.g. goal=work_now,days=d5); question ids and values as in questions.toml.
        #[arg(long)]
        answers: String,
        /// The file to write: FILE.png (80 mm receipt raster) or FILE.pdf (A4).
        #[arg(long)]
        out: PathBuf,
        /// The sheet's language: ja | ja-easy (やさしいにほんご, furigana) | en.
        #[arg(long, default_value = "ja")]
        lang: String,
        /// The map without the visitor's routes marked (and without their details).
        #[arg(long)]
        unmarked: bool,
    },
    /// Make a new centre key file (mode 0600; never overwrites). Prints the key id.
    #[command(display_order = 22)]
    Keygen {
        /// The key file to create (refused if it exists).
        #[arg(long)]
        out: PathBuf,
    },
    /// What the desk reads from a slip's QR text (`-` = standard input).
    #[command(display_order = 23)]
    Decode {
        /// The text of the QR code (`-`: read it from standard input).
        payload: String,
    },
    /// Print a test slip on the configured printer and report its status.
    #[command(display_order = 24)]
    PrintTest,
}

impl SlipCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        match self {
            SlipCommand::Slip { answers, out, lang } => {
                let lang: Lang = lang.parse().map_err(Failure::input)?;
                let (loaded, dir) = ctx.setup()?;
                slip_command(&loaded, &dir, &answers, lang, &out)
            }
            SlipCommand::Sheet {
                answers,
                out,
                lang,
                unmarked,
            } => {
                let lang: Lang = lang.parse().map_err(Failure::input)?;
                let loaded =
                    Loaded::load(ctx.config()).map_err(|e| Failure::input(e.to_string()))?;
                sheet_command(&loaded, &answers, lang, &out, !unmarked)
            }
            SlipCommand::Keygen { out } => keygen(&out),
            SlipCommand::Decode { payload } => {
                decode_command(&payload, ctx.config(), ctx.data_dir())
            }
            SlipCommand::PrintTest => print_test_command(ctx.config(), ctx.data_dir()),
        }
    }
}

/// `hatarakitai keygen --out FILE`: a new centre key (mode 0600, never overwriting). Prints
/// the key id, never the key.
pub fn keygen(out: &Path) -> Result<(), Failure> {
    let key = CentreKey::generate().map_err(|e| Failure::other(e.to_string()))?;
    key.write_new(out).map_err(|e| match e {
        KeyError::Exists { .. } => Failure::input(e.to_string()),
        e => Failure::other(e.to_string()),
    })?;
    println!(
        "{}",
        json!({ "key_id": key.id, "file": out.display().to_string() })
    );
    Ok(())
}

/// What the desk reads from a scan, as JSON: answers and routes as ids of `content`. When the
/// desk's questionnaire or catalogue differs from the kiosk's, raw indices and a warning.
pub fn decode(
    text: &str,
    keys: &[CentreKey],
    content: &Content,
    tz: chrono_tz::Tz,
) -> Result<Value, Failure> {
    let rec = payload::decode(text, keys).map_err(|e| Failure::input(e.to_string()))?;
    let mut warnings = Vec::new();
    let answers = match rec.answer_ids(&content.questionnaire) {
        Ok(pairs) => Value::Object(
            pairs
                .into_iter()
                .map(|(q, o)| (q.to_string(), Value::from(o)))
                .collect(),
        ),
        Err(w) => {
            warnings.push(w);
            Value::Object(
                rec.answers
                    .iter()
                    .enumerate()
                    .filter_map(|(qi, a)| {
                        a.map(|o| (format!("#{}", qi + 1), Value::from(format!("#{}", o + 1))))
                    })
                    .collect(),
            )
        }
    };
    let routes = match rec.route_ids(&content.catalogue) {
        Ok(ids) => json!(ids),
        Err(w) => {
            warnings.push(w);
            json!(
                rec.routes
                    .iter()
                    .map(|r| format!("#{}", r + 1))
                    .collect::<Vec<_>>()
            )
        }
    };
    let issued = rec
        .issued_local(tz)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
    Ok(json!({
        "kiosk_id": rec.kiosk_id,
        "serial": rec.serial,
        "receipt_no": rec.receipt_no(tz),
        "issued_at": rec.issued_at,
        "issued_local": issued,
        "lang": rec.lang.id(),
        "questionnaire_version": rec.questionnaire_version,
        "answers": answers,
        "routes": routes,
        "warnings": warnings,
    }))
}

fn load_setup(
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(Loaded, PathBuf), Failure> {
    let loaded = Loaded::load(config).map_err(|e| Failure::input(e.to_string()))?;
    let dir = data_dir(data_dir_arg).map_err(Failure::input)?;
    Ok((loaded, dir))
}

/// `hatarakitai decode PAYLOAD` (`-` reads standard input).
pub fn decode_command(
    text: &str,
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(), Failure> {
    let (loaded, dir) = load_setup(config, data_dir_arg)?;
    let keys = crate::store::key_file::load_all(&loaded.key_paths(&dir))
        .map_err(|e| Failure::other(e.to_string()))?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let text = if text == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Failure::other(format!("reading standard input: {e}")))?
    } else {
        text.to_string()
    };
    let out = decode(&text, &keys, &content, loaded.config.timezone())?;
    println!("{out}");
    Ok(())
}

/// `hatarakitai print-test`.
pub fn print_test_command(
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(), Failure> {
    let (loaded, dir) = load_setup(config, data_dir_arg)?;
    let out = crate::kiosk::test_print::print_test(&loaded.config.printer, &dir)
        .map_err(Failure::other)?;
    println!("{out}");
    Ok(())
}

/// `hatarakitai slip --answers … --out FILE.png`: records a visit through the live backend,
/// exactly as the kiosk does, and writes the slip it would print.
pub fn slip_command(
    loaded: &Loaded,
    data_dir: &Path,
    answers: &str,
    lang: Lang,
    out: &Path,
) -> Result<(), Failure> {
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let a = Answers::parse_kv(&content.questionnaire, answers).map_err(|e| Failure::input(e.0))?;
    let outcome = crate::matcher::match_answers(&content, &a);
    let mut b = crate::kiosk::live::LiveBackend::open(
        loaded,
        content,
        data_dir,
        Box::new(chrono::Utc::now),
    );
    if b.store().is_none() {
        return Err(Failure::other(b.status()));
    }
    b.visit_started(lang, false);
    for (qi, opt) in a.slots().iter().enumerate() {
        if opt.is_some() {
            b.answered(qi, *opt);
        }
    }
    b.results_shown(&a, &outcome, lang);
    let (ticket, _job) = b.make_slip(&a, &outcome, lang).map_err(Failure::other)?;
    let bitmap = crate::slip::Bitmap::from_luma8(ticket.width, ticket.height, &ticket.luma, 128)
        .ok_or_else(|| Failure::other("slip bitmap has the wrong size"))?;
    let png = bitmap.to_png().map_err(|e| Failure::other(e.to_string()))?;
    std::fs::write(out, png)
        .map_err(|e| Failure::other(format!("cannot write {} ({e})", out.display())))?;
    b.print_finished(&PrintResult::Printed);
    b.visit_ended(EndReason::Completed);
    let problem = b.status();
    if !problem.is_empty() {
        return Err(Failure::other(problem));
    }
    println!(
        "{}",
        serde_json::json!({"receipt_no": ticket.receipt_no, "payload": ticket.payload, "out": out.display().to_string()})
    );
    Ok(())
}

/// `hatarakitai sheet --answers … --out FILE.png|FILE.pdf`: the take-home sheet, made by the
/// same code as the kiosk's. Records nothing (the sheet is not part of the visit's record).
pub fn sheet_command(
    loaded: &Loaded,
    answers: &str,
    lang: Lang,
    out: &Path,
    marked: bool,
) -> Result<(), Failure> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let pdf = match ext.as_deref() {
        Some("png") => false,
        Some("pdf") => true,
        _ => {
            return Err(Failure::input(format!(
                "--out {}: the file name must end in .png (the receipt raster) or .pdf (an A4 page)",
                out.display()
            )));
        }
    };
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let tree = loaded
        .sheet(&content)
        .map_err(|e| Failure::input(e.to_string()))?;
    let contacts = crate::sheet::public_contacts(loaded, &content)
        .map_err(|e| Failure::input(e.to_string()))?;
    let a = Answers::parse_kv(&content.questionnaire, answers).map_err(|e| Failure::input(e.0))?;
    let outcome = crate::matcher::match_answers(&content, &a);
    let today = chrono::Utc::now()
        .with_timezone(&loaded.config.timezone())
        .date_naive();
    let data = crate::sheet::SheetData::build(
        &content,
        &tree,
        &outcome,
        lang,
        &loaded.config.centre,
        &loaded.config.sheet.procedures(),
        &contacts,
        today,
        marked,
    );
    let routes: Vec<&str> = outcome
        .routes
        .iter()
        .filter_map(|h| content.catalogue.routes.get(h.route))
        .map(|r| r.id.as_str())
        .collect();
    let (bytes, extra) = if pdf {
        (
            crate::sheet::pdf::render(&data).map_err(Failure::other)?,
            json!({}),
        )
    } else {
        let fonts = crate::slip::SlipFonts::bundled().map_err(|e| Failure::other(e.to_string()))?;
        let r = crate::sheet::raster::render(&data, &fonts, loaded.config.printer.dots);
        let png = r
            .bitmap
            .to_png()
            .map_err(|e| Failure::other(e.to_string()))?;
        let extra = json!({
            "width": r.bitmap.width,
            "height": r.bitmap.height,
            "length_mm": (r.length_mm() * 10.0).round() / 10.0,
            "details_left_out": r.dropped,
        });
        (png, extra)
    };
    std::fs::write(out, bytes)
        .map_err(|e| Failure::other(format!("cannot write {} ({e})", out.display())))?;
    let mut report = json!({
        "out": out.display().to_string(),
        "format": if pdf { "pdf" } else { "png" },
        "lang": lang.id(),
        "marked": marked,
        "routes": if marked { routes } else { Vec::new() },
    });
    if let (Some(o), Some(e)) = (report.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    println!("{report}");
    Ok(())
}
