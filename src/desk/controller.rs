//! The desk's operations, without any UI: scan → record, edit, save, search, stats. The Slint
//! adapter forwards each callback to one method here; tests drive it directly.
//!
//! A scan while the open record has unsaved edits does not throw the edits away: it is held
//! as `pending_scan` until staff choose save or discard (or cancel).

use super::intake::{ScannedVisit, StaffFields, Stage};
use super::scan::{self, ScanInput};
use super::store::{DeskError, DeskStore, IntakeSummary, Saved, Search};
use super::view::{self, IntakeView};
use crate::content::Content;

/// Turns clean scan text into a visit, or a message for staff (not ours, damaged, wrong key…).
pub type Decoder = Box<dyn Fn(&str) -> Result<ScannedVisit, String> + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    None,
    /// A record was opened: created now or found again.
    Opened {
        created: bool,
    },
    Saved {
        changed: usize,
    },
    /// The scan was not usable; the message says why and what to do.
    Rejected(String),
    /// Unsaved edits: staff must save or discard before the held scan opens.
    UnsavedEdits,
    /// Someone else saved this record since it was opened: nothing was written. The message
    /// lists what they changed; the edits stay on screen (save again to put them over theirs,
    /// or discard to take theirs).
    Conflict(String),
    Error(String),
}

pub struct DeskController {
    store: DeskStore,
    /// The kiosk's database, when this PC has one (for slips printed vs reached).
    pub kiosk_db: Option<std::path::PathBuf>,
    /// That kiosk's id (`[kiosk] id` of this PC's config).
    pub kiosk_id: u16,
    /// Whether the signed-in person may edit the agency directory (an administrator).
    pub admin: bool,
    /// The signed-in person's name (their items in the due list: 担当者 may be a name).
    pub who_name: String,
    /// Where the desk writes the PDFs it prints (`<data dir>/pdf`), and the centre's name
    /// for their header.
    pub pdf_dir: std::path::PathBuf,
    pub centre: String,
    /// Open a printed PDF in the desktop's viewer (the real desk; not tests or screenshots).
    pub open_pdf: bool,
    content: Content,
    tz: chrono_tz::Tz,
    who: String,
    decode: Decoder,
    pub current: Option<IntakeView>,
    pub edits: StaffFields,
    pub pending_scan: Option<String>,
    pub notice: Notice,
    /// The version of the open record the edits are based on.
    version: i64,
}

impl DeskController {
    pub fn new(
        store: DeskStore,
        content: Content,
        tz: chrono_tz::Tz,
        who: String,
        decode: Decoder,
    ) -> DeskController {
        DeskController {
            store,
            kiosk_db: None,
            kiosk_id: 1,
            admin: true,
            who_name: String::new(),
            pdf_dir: std::env::temp_dir().join("hatarakitai-pdf"),
            centre: String::new(),
            open_pdf: false,
            content,
            tz,
            who,
            decode,
            current: None,
            edits: StaffFields::default(),
            pending_scan: None,
            notice: Notice::None,
            version: 0,
        }
    }

    /// A clean desk (another person signs in): nothing open, nothing held.
    pub fn reset_desk(&mut self) {
        self.current = None;
        self.edits = StaffFields::default();
        self.pending_scan = None;
        self.notice = Notice::None;
        self.version = 0;
    }

    pub fn who(&self) -> &str {
        &self.who
    }

    /// The open record's id.
    pub fn record_id(&self) -> Option<i64> {
        self.current.as_ref().map(|v| v.id)
    }

    /// The signed-in person: their login id goes into the audit trail and access log.
    pub fn set_who(&mut self, login: &str) {
        self.who = login.to_string();
    }

    pub fn is_dirty(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|v| staff_of(v) != self.edits)
    }

    /// Scanner input (a burst of keys ending in Enter) or a paste.
    pub fn scan(&mut self, raw: &str, now: i64) -> &Notice {
        if self.is_dirty() {
            self.pending_scan = Some(raw.to_string());
            self.notice = Notice::UnsavedEdits;
            return &self.notice;
        }
        self.notice = match self.open_scan(raw, now) {
            Ok(created) => Notice::Opened { created },
            Err(n) => n,
        };
        &self.notice
    }

    fn open_scan(&mut self, raw: &str, now: i64) -> Result<bool, Notice> {
        let text = match scan::clean(raw) {
            ScanInput::Text(t) => t,
            other => return Err(Notice::Rejected(other.problem().unwrap_or_default())),
        };
        let visit = (self.decode)(&text).map_err(Notice::Rejected)?;
        let (rec, created) = self
            .store
            .open_or_create(&visit, &self.who, now)
            .map_err(|e| Notice::Error(e.to_string()))?;
        self.show(rec.id, created)
            .map_err(|e| Notice::Error(e.to_string()))?;
        Ok(created)
    }

    /// Opens a record from the list.
    pub fn open(&mut self, id: i64) -> &Notice {
        if self.is_dirty() {
            self.notice = Notice::UnsavedEdits;
            return &self.notice;
        }
        self.notice = match self.show(id, false) {
            Ok(()) => Notice::Opened { created: false },
            Err(e) => Notice::Error(e.to_string()),
        };
        &self.notice
    }

    fn show(&mut self, id: i64, created: bool) -> Result<(), DeskError> {
        let rec = self
            .store
            .get(id)?
            .ok_or_else(|| DeskError(format!("record {id} no longer exists")))?;
        // Every view of a record is in the access log (who, when, which record; no names).
        self.store.log_access(&crate::desk::accounts::AccessEntry {
            at: chrono::Utc::now().timestamp(),
            login: self.who.clone(),
            action: if created { "create" } else { "view" }.into(),
            record: Some(id),
            target: String::new(),
        })?;
        let audit = self.store.audit(id)?;
        let v = view::build(&rec, created, audit, &self.content, self.tz);
        self.edits = staff_of(&v);
        self.version = rec.version;
        self.current = Some(v);
        Ok(())
    }

    pub fn save(&mut self, now: i64) -> &Notice {
        let Some(id) = self.current.as_ref().map(|v| v.id) else {
            self.notice = Notice::Error("開いている記録がありません / No record is open".into());
            return &self.notice;
        };
        let kept = "入力はそのまま残っています。 / Your edits are kept.";
        self.notice = match self
            .store
            .save_version(id, self.version, &self.edits, &self.who, now)
        {
            Ok(Saved::Changed { fields, .. }) => match self.show(id, false) {
                Ok(()) => Notice::Saved { changed: fields },
                Err(e) => Notice::Error(e.to_string()),
            },
            Ok(Saved::Conflict { current, theirs }) => {
                // Theirs becomes the record on screen; ours stays in the fields.
                let mine = self.edits.clone();
                let audit = self.store.audit(id).unwrap_or_default();
                let v = view::build(&current, false, audit, &self.content, self.tz);
                self.version = current.version;
                self.current = Some(v);
                self.edits = mine;
                let what: Vec<String> = theirs
                    .iter()
                    .map(|a| format!("{}: {} → {}", a.field, a.old, a.new))
                    .collect();
                let who: Vec<&str> = {
                    let mut w: Vec<&str> = theirs.iter().map(|a| a.who.as_str()).collect();
                    w.dedup();
                    w
                };
                Notice::Conflict(format!(
                    "保存していません: この記録は {} さんが先に保存しました（{}）。{kept} もう一度「保存」で あなたの入力を上書き、「取り消し」で相手の内容に します。 / Not saved: {} saved this record first. Save again to put yours over theirs, or discard to take theirs.",
                    who.join("、"),
                    what.join("、"),
                    who.join(", ")
                ))
            }
            Err(e) => Notice::Error(format!("保存できませんでした。{kept} ({e})")),
        };
        if matches!(self.notice, Notice::Saved { .. })
            && let Some(raw) = self.pending_scan.take()
        {
            self.scan(&raw, now);
        }
        &self.notice
    }

    /// Throws away unsaved edits; a held scan then opens.
    pub fn discard(&mut self, now: i64) -> &Notice {
        if let Some(v) = &self.current {
            self.edits = staff_of(v);
        }
        self.notice = Notice::None;
        if let Some(raw) = self.pending_scan.take() {
            self.scan(&raw, now);
        }
        &self.notice
    }

    /// Keeps editing; the held scan is dropped (staff can scan again).
    pub fn cancel_pending(&mut self) {
        self.pending_scan = None;
        self.notice = Notice::None;
    }

    pub fn close(&mut self) -> &Notice {
        if self.is_dirty() {
            self.notice = Notice::UnsavedEdits;
        } else {
            self.current = None;
            self.notice = Notice::None;
        }
        &self.notice
    }

    pub fn search(&self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        self.store.search(s)
    }

    pub fn store(&self) -> &DeskStore {
        &self.store
    }

    pub fn content(&self) -> &Content {
        &self.content
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }
}

fn staff_of(v: &IntakeView) -> StaffFields {
    StaffFields {
        name: v.staff.name.clone(),
        furigana: v.staff.furigana.clone(),
        contact: v.staff.contact.clone(),
        assigned_staff: v.staff.assigned_staff.clone(),
        next_action: v.staff.next_action.clone(),
        notes: v.staff.notes.clone(),
        stage: Stage::parse(&v.staff.stage),
    }
}
