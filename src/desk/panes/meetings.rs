//! 会議: the open record's 個別支援会議, newest first, the form's action and the PDF
//! (`MeetingsAdapter`, ui/desk_meetings.slint).

use slint::ComponentHandle;

use super::{Wire, model, show};
use crate::desk::network::{self as actions, MeetingForm};
use crate::desk::pane_text::{self as text, MeetingRow};
use crate::network::meeting::Meeting;
use crate::ui::{DeskWindow, MeetingsAdapter, MeetingsView, NetMeeting};

impl From<MeetingRow> for NetMeeting {
    fn from(r: MeetingRow) -> Self {
        NetMeeting {
            id: i32::try_from(r.id).unwrap_or(0),
            day: r.day.into(),
            participants: r.participants.into(),
            agenda: r.agenda.into(),
            decision: r.decision.into(),
            goal: r.goal.into(),
            review: r.review.into(),
            by: r.by.into(),
        }
    }
}

pub fn clear(w: &DeskWindow) {
    w.global::<MeetingsAdapter>()
        .set_view(MeetingsView::default());
}

/// The record's meetings (as the store lists them, oldest first), shown newest first.
pub fn load(w: &DeskWindow, meetings: &[Meeting]) {
    w.global::<MeetingsAdapter>().set_view(MeetingsView {
        meetings: model(
            meetings
                .iter()
                .rev()
                .map(|m| text::meeting_row(m).into())
                .collect(),
        ),
    });
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let a = window.global::<MeetingsAdapter>();
    let wi = wire.clone();
    a.on_add(move |f| {
        wi.act(|w, c, now| {
            let form = MeetingForm {
                date: f.date.to_string(),
                participants: f.participants.to_string(),
                agenda: f.agenda.to_string(),
                decision: f.decision.to_string(),
                goal: f.goal.to_string(),
                goal_date: f.goal_date.to_string(),
                review: f.review.to_string(),
            };
            let o = actions::add_meeting(c, &form, now).map(|_| {
                "会議を記録しました。次の見直しの日は「予定」と ホームの予定一覧に出ます。"
                    .to_string()
            });
            show(w, o)
        })
        .unwrap_or(false)
    });
    let wi = wire.clone();
    a.on_pdf(move |id| {
        wi.with(|w, c, now| {
            let o = actions::meeting_pdf(c, i64::from(id), now).map(|p| {
                let opened = c.open_pdf
                    && std::process::Command::new("xdg-open")
                        .arg(&p)
                        .stdin(std::process::Stdio::null())
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null())
                        .spawn()
                        .is_ok();
                format!(
                    "PDFを作りました: {}{}",
                    p.display(),
                    if opened {
                        "（PDFの画面から印刷できます）"
                    } else {
                        "（このファイルを開いて印刷してください）"
                    }
                )
            });
            show(w, o);
        });
    });
}
