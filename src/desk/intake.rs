//! The intake record (インテーク記録) a desk opens from a scanned slip: the visit as the kiosk
//! saw it, plus the fields staff fill in, and the care-management stage. Plain data; the desk
//! store persists it and the desk UI shows it.

use serde::Serialize;

/// The care-management process from the centre's material, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Intake,
    Assessment,
    Planning,
    Intervention,
    Monitoring,
    Evaluation,
    Termination,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Intake,
        Stage::Assessment,
        Stage::Planning,
        Stage::Intervention,
        Stage::Monitoring,
        Stage::Evaluation,
        Stage::Termination,
    ];

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(c: i64) -> Option<Stage> {
        Stage::ALL.get(usize::try_from(c).ok()?).copied()
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Stage::Intake => "インテーク",
            Stage::Assessment => "アセスメント",
            Stage::Planning => "プランニング",
            Stage::Intervention => "インターベンション",
            Stage::Monitoring => "モニタリング",
            Stage::Evaluation => "エバリュエーション",
            Stage::Termination => "ターミネーション",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Stage::Intake => "intake",
            Stage::Assessment => "assessment",
            Stage::Planning => "planning",
            Stage::Intervention => "intervention",
            Stage::Monitoring => "monitoring",
            Stage::Evaluation => "evaluation",
            Stage::Termination => "termination",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|st| st.id() == s || st.label_ja() == s)
    }
}

/// What the slip says about the visit (decoded from the QR), in ids — independent of the
/// payload format so the store does not depend on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScannedVisit {
    pub kiosk_id: u16,
    pub serial: u32,
    /// Unix seconds, UTC.
    pub issued_at: i64,
    pub lang: String,
    pub questionnaire_version: u8,
    /// (question id, option id) for every question the visitor tapped.
    pub answers: Vec<(String, String)>,
    /// Route ids in the order shown.
    pub routes: Vec<String>,
    /// 受付番号 as printed on the slip.
    pub receipt_no: String,
}

/// The fields staff fill in. Every change of one of these is audited.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaffFields {
    pub name: String,
    pub furigana: String,
    pub contact: String,
    pub assigned_staff: String,
    pub next_action: String,
    pub notes: String,
    pub stage: Option<Stage>,
}

impl StaffFields {
    /// (field id, label, value) — the order used on screen and in the audit trail.
    pub fn fields(&self) -> [(&'static str, &'static str, String); 7] {
        [
            ("name", "氏名", self.name.clone()),
            ("furigana", "ふりがな", self.furigana.clone()),
            ("contact", "連絡先", self.contact.clone()),
            ("assigned_staff", "担当者", self.assigned_staff.clone()),
            ("next_action", "次の行動", self.next_action.clone()),
            ("notes", "メモ", self.notes.clone()),
            (
                "stage",
                "段階",
                self.stage.unwrap_or(Stage::Intake).label_ja().to_string(),
            ),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeRecord {
    /// Stable id of the record in this desk's database.
    pub id: i64,
    pub visit: ScannedVisit,
    /// Unix seconds, UTC.
    pub created_at: i64,
    pub updated_at: i64,
    pub staff: StaffFields,
    /// Bumped by every save: a save based on an older version is refused (two desks editing).
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub who: String,
    pub field: String,
    pub old: String,
    pub new: String,
}
