//! `kiosk.sqlite`: what happened at the kiosk, one visit at a time, and the statistics kept
//! after the per-visit rows are gone.
//!
//! Every step of a visit (start, each answer, display change, results, the commit before the
//! slip, the print outcome, the end, a staff call) is one small IMMEDIATE transaction, so a
//! `kill -9` or power cut loses at most the step being written. Time is always passed in: the
//! store has no clock, so tests (and `simulate`) control it.
//!
//! Local days and hours (the centre's time zone) are fixed when a row is written and are the
//! keys of everything statistical. A visit, with all its figures (completed, abandoned, printed,
//! routes, language), belongs to the local hour it *started* in; a staff call to its own hour.
//!
//! Retention (PRODUCT.md §8): per-visit rows, answers included, are kept `retention_days`
//! local days after today; then `fold_expired` turns each older day into aggregate rows
//! (`agg`: day, hour, metric, key, n) and deletes its raw rows — one transaction per day, so
//! an interrupted fold leaves every day either raw or folded, never half. Reports read both
//! through the same `Figures`, so a figure never changes when its day is folded.
//!
//! Schema (v1): `serial` (last visit serial per kiosk: never reused, even after the visits are
//! deleted), `receipt_seq` (last receipt number per local day), `visit`, `answer` (last answer
//! per question + how often it was given), `visit_route` (routes shown, by rank),
//! `staff_call`, `agg`. Indexes by local day make one day or one month a short range scan.
//!
//! This file writes visits and reads one back; `figures` reads the statistics (raw and folded
//! alike) and folds expired days.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{ErrorKind, StoreError, open_db};
use crate::answers::Answers;
use crate::lang::Lang;
use crate::visit::{EndReason, PrintResult};

mod figures;
mod schema;

use schema::MIGRATIONS;
pub use schema::SCHEMA_VERSION;

const END_COMPLETED: i64 = 1;
const END_ABANDONED: i64 = 2;
const END_IDLE: i64 = 3;
const END_INTERRUPTED: i64 = 4;

/// Longest print failure reason kept (it is a printer status, never visitor data).
const MAX_REASON_CHARS: usize = 200;

/// A visit in progress, as returned by `begin_visit`; pass it to the other steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VisitRef {
    id: i64,
    pub kiosk_id: u16,
    pub serial: u32,
}

/// What `complete_visit` hands back for the slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub kiosk_id: u16,
    pub serial: u32,
    /// 受付番号 `MMDD-NNN`: local month/day and the day's sequence (e.g. `1125-023`).
    pub receipt_no: String,
    /// When the visit was first committed for a slip (the slip's date and time).
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAnswer {
    pub question: u8,
    /// `None` = skipped without an option.
    pub option: Option<u8>,
    /// How many times this question was answered (back navigation).
    pub times: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlipState {
    NotPrinted,
    Printed,
    /// The last attempt failed, with the printer's reason.
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitEnd {
    Ended(EndReason),
    /// The program stopped during the visit; closed by `close_unfinished`.
    Interrupted,
}

/// One stored visit (while within retention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub kiosk_id: u16,
    pub serial: u32,
    pub started_at: DateTime<Utc>,
    pub lang: Lang,
    pub large_text: bool,
    pub answers: Vec<RecordedAnswer>,
    /// Route ids shown, best first.
    pub routes: Vec<String>,
    pub results_at: Option<DateTime<Utc>>,
    pub receipt: Option<Receipt>,
    pub questionnaire_version: Option<u8>,
    pub slip: SlipState,
    pub print_failures: u32,
    pub end: Option<VisitEnd>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FoldSummary {
    pub days: u32,
    pub visits: u64,
    pub staff_calls: u64,
}

pub struct KioskStore {
    conn: Connection,
    path: PathBuf,
    tz: Tz,
}

impl std::fmt::Debug for KioskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskStore")
            .field("path", &self.path)
            .field("tz", &self.tz)
            .finish_non_exhaustive()
    }
}

/// `YYYYMMDD` as stored.
pub(crate) fn day_key(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

pub(crate) fn day_from_key(k: i64) -> Option<NaiveDate> {
    let y = i32::try_from(k / 10_000).ok()?;
    let m = u32::try_from(k / 100 % 100).ok()?;
    let d = u32::try_from(k % 100).ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

fn ts(secs: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(secs, 0).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, 0))
}

fn lang_from(code: u8) -> rusqlite::Result<Lang> {
    Lang::from_code(code).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, 0))
}

/// Marks "the visit is not there" inside a transaction; mapped to `ErrorKind::NotFound`.
fn missing() -> rusqlite::Error {
    rusqlite::Error::QueryReturnedNoRows
}

fn require_visit(tx: &Transaction, id: i64) -> rusqlite::Result<()> {
    tx.query_row("SELECT 1 FROM visit WHERE id = ?1", [id], |_| Ok(()))
}

fn one_row(changed: usize) -> rusqlite::Result<()> {
    if changed == 0 { Err(missing()) } else { Ok(()) }
}

fn replace_routes<S: AsRef<str>>(tx: &Transaction, id: i64, routes: &[S]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM visit_route WHERE visit_id = ?1", [id])?;
    let mut st =
        tx.prepare_cached("INSERT INTO visit_route (visit_id, rank, route) VALUES (?1, ?2, ?3)")?;
    for (rank, r) in routes.iter().enumerate() {
        st.execute(params![id, rank as i64, r.as_ref()])?;
    }
    Ok(())
}

impl KioskStore {
    /// Opens `kiosk.sqlite`, creating it (mode 0600) and its folder if needed. `tz` is the
    /// centre's time zone (`Config::timezone()`): it decides local days and receipt numbers.
    pub fn open(path: &Path, tz: Tz) -> Result<KioskStore, StoreError> {
        Self::open_with(path, tz, true)
    }

    /// Opens an existing `kiosk.sqlite` (for `hatarakitai stats`); never creates one.
    pub fn open_existing(path: &Path, tz: Tz) -> Result<KioskStore, StoreError> {
        Self::open_with(path, tz, false)
    }

    fn open_with(path: &Path, tz: Tz, create: bool) -> Result<KioskStore, StoreError> {
        let conn = open_db(path, create, MIGRATIONS)?;
        Ok(KioskStore {
            conn,
            path: path.to_path_buf(),
            tz,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The centre's local date at `at`.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    fn local(&self, at: DateTime<Utc>) -> (i64, u8) {
        let l = at.with_timezone(&self.tz);
        (day_key(l.date_naive()), l.hour() as u8)
    }

    /// Runs `f` in one IMMEDIATE transaction; errors say `what` failed.
    fn write<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        let run = |conn: &mut Connection| -> rusqlite::Result<T> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut self.conn).map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::new(
                ErrorKind::NotFound,
                path,
                format!("{what} failed: the visit is not in the database (it may have been removed by retention)"),
            ),
            e => StoreError::sql(path, what, &e),
        })
    }

    fn read<T>(
        &self,
        what: &str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        f(&self.conn).map_err(|e| StoreError::sql(&self.path, what, &e))
    }

    /// Consent accepted: a visit begins. The serial is unique per kiosk, survives restarts and
    /// is never reused, even after retention has deleted the visits.
    pub fn begin_visit(
        &mut self,
        kiosk_id: u16,
        at: DateTime<Utc>,
        lang: Lang,
        large_text: bool,
    ) -> Result<VisitRef, StoreError> {
        let (day, hour) = self.local(at);
        self.write("starting a visit", |tx| {
            let serial: u32 = tx.query_row(
                "INSERT INTO serial (kiosk_id, last) VALUES (?1, 1)
                 ON CONFLICT (kiosk_id) DO UPDATE SET last = last + 1 RETURNING last",
                [kiosk_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO visit (kiosk_id, serial, started_at, day, hour, lang, large_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    kiosk_id,
                    serial,
                    at.timestamp(),
                    day,
                    hour,
                    lang.code(),
                    large_text
                ],
            )?;
            Ok(VisitRef {
                id: tx.last_insert_rowid(),
                kiosk_id,
                serial,
            })
        })
    }

    /// An answer as given (`option` None = skipped without an option). The last answer per
    /// question wins; `times` counts how often it was answered.
    pub fn record_answer(
        &mut self,
        visit: VisitRef,
        at: DateTime<Utc>,
        question: usize,
        option: Option<u8>,
    ) -> Result<(), StoreError> {
        let q = u8::try_from(question).map_err(|_| {
            StoreError::new(
                ErrorKind::Other,
                &self.path,
                "recording an answer failed: question index out of range (a program error)",
            )
        })?;
        self.write("recording an answer", |tx| {
            require_visit(tx, visit.id)?;
            tx.execute(
                "INSERT INTO answer (visit_id, question, option, times, at) VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT (visit_id, question)
                 DO UPDATE SET option = excluded.option, times = times + 1, at = excluded.at",
                params![visit.id, q, option, at.timestamp()],
            )?;
            Ok(())
        })
    }

    /// Language or text size changed during the visit. Statistics count the language the
    /// visit ends in, and large text if it was on at any time.
    pub fn record_display(
        &mut self,
        visit: VisitRef,
        lang: Lang,
        large_text: bool,
    ) -> Result<(), StoreError> {
        self.write("recording a display change", |tx| {
            one_row(tx.execute(
                "UPDATE visit SET lang = ?2, large_text = (large_text OR ?3) WHERE id = ?1",
                params![visit.id, lang.code(), large_text],
            )?)
        })
    }

    /// The results screen was shown with these route ids, best first (the handoff is not
    /// one of them). Shown again after もどる: the last list wins.
    pub fn record_results<S: AsRef<str>>(
        &mut self,
        visit: VisitRef,
        at: DateTime<Utc>,
        routes: &[S],
    ) -> Result<(), StoreError> {
        self.write("recording the results", |tx| {
            one_row(tx.execute(
                "UPDATE visit SET results_at = ?2 WHERE id = ?1",
                params![visit.id, at.timestamp()],
            )?)?;
            replace_routes(tx, visit.id, routes)
        })
    }

    /// Commits the visit for its slip — answers, routes, questionnaire version — and gives it
    /// a receipt number. Call it *before* printing. Calling it again (a reprint) keeps the
    /// same receipt number and updates answers and routes.
    pub fn complete_visit<S: AsRef<str>>(
        &mut self,
        visit: VisitRef,
        at: DateTime<Utc>,
        answers: &Answers,
        routes: &[S],
        questionnaire_version: u8,
    ) -> Result<Receipt, StoreError> {
        // The same number the desk derives from the slip's QR (local date + serial).
        let receipt_no =
            crate::payload::receipt_no(at.with_timezone(&self.tz).naive_local(), visit.serial);
        self.write("saving the visit for its slip", |tx| {
            let existing: Option<(String, i64)> = tx.query_row(
                "SELECT receipt_no, completed_at FROM visit WHERE id = ?1",
                [visit.id],
                |r| Ok(r.get::<_, Option<String>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
            )?;
            {
                let mut st = tx.prepare_cached(
                    "INSERT INTO answer (visit_id, question, option, times, at) VALUES (?1, ?2, ?3, 1, ?4)
                     ON CONFLICT (visit_id, question) DO UPDATE SET option = excluded.option, at = excluded.at
                     WHERE option IS NOT excluded.option",
                )?;
                for (q, opt) in answers.slots().iter().enumerate() {
                    if let (Some(opt), Ok(q)) = (opt, u8::try_from(q)) {
                        st.execute(params![visit.id, q, opt, at.timestamp()])?;
                    }
                }
            }
            replace_routes(tx, visit.id, routes)?;
            tx.execute(
                "UPDATE visit SET questionnaire_version = ?2, end_reason = COALESCE(end_reason, ?3)
                 WHERE id = ?1",
                params![visit.id, questionnaire_version, END_COMPLETED],
            )?;
            if let Some((receipt_no, issued)) = existing {
                return Ok(Receipt {
                    kiosk_id: visit.kiosk_id,
                    serial: visit.serial,
                    receipt_no,
                    issued_at: ts(issued)?,
                });
            }
            tx.execute(
                "UPDATE visit SET receipt_no = ?2, completed_at = ?3 WHERE id = ?1",
                params![visit.id, receipt_no, at.timestamp()],
            )?;
            Ok(Receipt {
                kiosk_id: visit.kiosk_id,
                serial: visit.serial,
                receipt_no,
                issued_at: ts(at.timestamp())?,
            })
        })
    }

    /// The print job finished. Failures are counted per attempt; the last reason is kept.
    pub fn record_print(
        &mut self,
        visit: VisitRef,
        at: DateTime<Utc>,
        result: &PrintResult,
    ) -> Result<(), StoreError> {
        self.write("recording the print result", |tx| {
            one_row(match result {
                PrintResult::Printed => tx.execute(
                    "UPDATE visit SET printed = 1, slip_at = ?2 WHERE id = ?1",
                    params![visit.id, at.timestamp()],
                )?,
                PrintResult::Failed(reason) => {
                    let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
                    tx.execute(
                        "UPDATE visit SET print_failures = print_failures + 1, print_error = ?3,
                         slip_at = ?2 WHERE id = ?1",
                        params![visit.id, at.timestamp(), reason],
                    )?
                }
            })
        })
    }

    /// The visit ended. The last call wins.
    pub fn end_visit(
        &mut self,
        visit: VisitRef,
        at: DateTime<Utc>,
        reason: EndReason,
    ) -> Result<(), StoreError> {
        let (code, question) = match reason {
            EndReason::Completed => (END_COMPLETED, None),
            EndReason::Abandoned { at_question } => (END_ABANDONED, at_question),
            EndReason::IdleReset { at_question } => (END_IDLE, at_question),
        };
        self.write("recording the end of the visit", |tx| {
            one_row(tx.execute(
                "UPDATE visit SET end_reason = ?2, end_question = ?3, ended_at = ?4 WHERE id = ?1",
                params![visit.id, code, question, at.timestamp()],
            )?)
        })
    }

    /// 「スタッフをよぶ」 was tapped, during `visit` or outside any visit.
    pub fn record_staff_call(
        &mut self,
        kiosk_id: u16,
        at: DateTime<Utc>,
        visit: Option<VisitRef>,
    ) -> Result<(), StoreError> {
        let (day, hour) = self.local(at);
        self.write("recording a staff call", |tx| {
            tx.execute(
                "INSERT INTO staff_call (kiosk_id, at, day, hour, visit_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kiosk_id, at.timestamp(), day, hour, visit.map(|v| v.id)],
            )?;
            Ok(())
        })
    }

    /// Marks visits left open by a crash or power cut as interrupted. Call once at kiosk
    /// start, before the first visit. Returns how many were closed.
    pub fn close_unfinished(&mut self, at: DateTime<Utc>) -> Result<u64, StoreError> {
        self.write("closing unfinished visits", |tx| {
            let n = tx.execute(
                "UPDATE visit SET end_reason = ?1, ended_at = ?2 WHERE end_reason IS NULL",
                params![END_INTERRUPTED, at.timestamp()],
            )?;
            Ok(n as u64)
        })
    }

    /// One stored visit, or None if there is none (or it was folded by retention).
    pub fn visit(&self, kiosk_id: u16, serial: u32) -> Result<Option<VisitRecord>, StoreError> {
        self.read("reading a visit", |c| {
            let row = c
                .query_row(
                    "SELECT id, started_at, lang, large_text, results_at, completed_at, receipt_no,
                            questionnaire_version, printed, print_failures, print_error,
                            end_reason, end_question
                     FROM visit WHERE kiosk_id = ?1 AND serial = ?2",
                    params![kiosk_id, serial],
                    |r| {
                        let id: i64 = r.get(0)?;
                        let receipt =
                            match (r.get::<_, Option<String>>(6)?, r.get::<_, Option<i64>>(5)?) {
                                (Some(receipt_no), Some(at)) => Some(Receipt {
                                    kiosk_id,
                                    serial,
                                    receipt_no,
                                    issued_at: ts(at)?,
                                }),
                                _ => None,
                            };
                        let failures: u32 = r.get(9)?;
                        let slip = if r.get::<_, bool>(8)? {
                            SlipState::Printed
                        } else if failures > 0 {
                            SlipState::Failed(r.get::<_, Option<String>>(10)?.unwrap_or_default())
                        } else {
                            SlipState::NotPrinted
                        };
                        let at_question: Option<u8> = r.get(12)?;
                        let end = match r.get::<_, Option<i64>>(11)? {
                            Some(END_COMPLETED) => Some(VisitEnd::Ended(EndReason::Completed)),
                            Some(END_ABANDONED) => {
                                Some(VisitEnd::Ended(EndReason::Abandoned { at_question }))
                            }
                            Some(END_IDLE) => {
                                Some(VisitEnd::Ended(EndReason::IdleReset { at_question }))
                            }
                            Some(END_INTERRUPTED) => Some(VisitEnd::Interrupted),
                            _ => None,
                        };
                        let record = VisitRecord {
                            kiosk_id,
                            serial,
                            started_at: ts(r.get(1)?)?,
                            lang: lang_from(r.get(2)?)?,
                            large_text: r.get(3)?,
                            answers: Vec::new(),
                            routes: Vec::new(),
                            results_at: r.get::<_, Option<i64>>(4)?.map(ts).transpose()?,
                            receipt,
                            questionnaire_version: r.get(7)?,
                            slip,
                            print_failures: failures,
                            end,
                        };
                        Ok((id, record))
                    },
                )
                .optional()?;
            let Some((id, mut record)) = row else {
                return Ok(None);
            };
            let mut st = c.prepare_cached(
                "SELECT question, option, times FROM answer WHERE visit_id = ?1 ORDER BY question",
            )?;
            record.answers = st
                .query_map([id], |r| {
                    Ok(RecordedAnswer {
                        question: r.get(0)?,
                        option: r.get(1)?,
                        times: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut st = c.prepare_cached(
                "SELECT route FROM visit_route WHERE visit_id = ?1 ORDER BY rank",
            )?;
            record.routes = st
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(record))
        })
    }

    /// Benchmarks and demo data only: commits without fsync. Never in the kiosk.
    #[doc(hidden)]
    pub fn unsafe_fast_writes(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA synchronous=OFF")
            .map_err(|e| StoreError::sql(&self.path, "changing durability", &e))
    }
}

#[cfg(test)]
mod tests;
