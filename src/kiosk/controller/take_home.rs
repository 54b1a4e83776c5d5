//! The visitor's take-home sheet (SHEET.md §1) on the results screen: 「持ち帰り用も 印刷」
//! (a second print job after the staff slip), 「持ち帰り用だけ 印刷」 (no staff slip, so no
//! waiting-list row), the choice of a map without the routes marked, and the 「ぜんたいの 地図」
//! screen with the visitor's routes marked, read in order by speech and the screen reader.

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use super::{Controller, Effect, Screen, SlipStatus};
use crate::content::SheetTree;
use crate::kiosk::backend::{PrintJob, PrintResult};
use crate::kiosk::rtext::RText;

/// A take-home print in progress or done.
#[derive(Debug, Clone)]
pub(super) struct SheetPrint {
    pub status: SlipStatus,
    /// 「持ち帰り用だけ」: no staff slip.
    pub only: bool,
    /// Filled by the combined job (slip first, then the sheet) for the UI thread to read
    /// once the job has finished.
    pub result: Arc<Mutex<Option<PrintResult>>>,
}

/// One place on the map screen.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlaceView {
    pub name: RText,
    pub words: RText,
    /// 1-based rank among the visitor's routes; 0 = not one of theirs.
    pub rank: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapBranchView {
    pub name: RText,
    pub places: Vec<MapPlaceView>,
}

/// The 「ぜんたいの 地図」 screen.
#[derive(Debug, Clone, PartialEq)]
pub struct MapView {
    pub title: RText,
    pub root: RText,
    pub branches: Vec<MapBranchView>,
    /// The visitor's routes in rank order, as 「① name」.
    pub yours: Vec<RText>,
}

/// The take-home choices on the results screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SheetChoice {
    /// The kiosk has a map (and so a take-home sheet) to offer.
    pub available: bool,
    pub take_home: bool,
    pub marked: bool,
}

impl Controller {
    /// The map to offer (the centre's `[content] sheet`, checked at start). Without one the
    /// take-home buttons and the map screen are not shown.
    pub fn set_sheet_tree(&mut self, tree: Option<Rc<SheetTree>>) {
        self.sheet_tree = tree;
        self.changed();
    }

    pub(super) fn sheet_choice(&self) -> SheetChoice {
        SheetChoice {
            available: self.sheet_tree.is_some(),
            take_home: self.take_home,
            marked: self.sheet_marked,
        }
    }

    /// Back to the centre's defaults for the next visitor.
    pub(super) fn clear_sheet(&mut self) {
        self.take_home = self.settings.take_home_default;
        self.sheet_marked = true;
        self.sheet = None;
    }

    /// 「持ち帰り用も 印刷」 tapped: on ⇄ off.
    pub fn toggle_take_home(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) || self.sheet_tree.is_none() {
            return false;
        }
        self.take_home = !self.take_home;
        self.changed();
        true
    }

    /// 「地図に 印を つける」 tapped: on ⇄ off (a map without marks says nothing about the
    /// visitor to whoever finds it).
    pub fn toggle_sheet_marks(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) || self.sheet_tree.is_none() {
            return false;
        }
        self.sheet_marked = !self.sheet_marked;
        self.changed();
        true
    }

    /// 「ぜんたいの 地図」 from the results.
    pub fn show_map(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) || self.sheet_tree.is_none() {
            return false;
        }
        self.set_screen(now, Screen::Map);
        true
    }

    /// 「結果に もどる」 on the map.
    pub fn map_back(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Map) {
            return false;
        }
        self.set_screen(now, Screen::Results);
        true
    }

    /// 「持ち帰り用だけ 印刷」: the take-home sheet alone, for a visitor who is leaving. No
    /// staff slip is made, so the visit joins no waiting list.
    pub fn print_sheet_only(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) || self.sheet_tree.is_none() {
            return false;
        }
        let Some(outcome) = self.outcome.as_ref() else {
            return false;
        };
        match self
            .backend
            .make_sheet(outcome, self.lang, self.sheet_marked)
        {
            Ok((ticket, job)) => {
                self.slip = Some((ticket, SlipStatus::Printing));
                self.sheet = Some(SheetPrint {
                    status: SlipStatus::Printing,
                    only: true,
                    result: Arc::new(Mutex::new(None)),
                });
                self.effects.push(Effect::Print {
                    visit: self.visit_serial,
                    job,
                });
                self.set_screen(now, Screen::Slip);
            }
            Err(_reason) => {
                self.slip_error = true;
                self.send_call(now);
            }
        }
        true
    }

    /// With 「持ち帰り用も」 chosen: the staff slip's job followed by the sheet's, as one job
    /// (two print jobs to the printer, the staff slip first). The sheet is printed only if
    /// the slip was; its result is kept for `print_finished`.
    pub(super) fn with_sheet(&mut self, slip_job: PrintJob) -> PrintJob {
        if !self.take_home || self.sheet_tree.is_none() {
            self.sheet = None;
            return slip_job;
        }
        let Some(outcome) = self.outcome.as_ref() else {
            return slip_job;
        };
        let sheet_job = match self
            .backend
            .make_sheet(outcome, self.lang, self.sheet_marked)
        {
            Ok((_, job)) => job,
            Err(why) => {
                self.sheet = Some(SheetPrint {
                    status: SlipStatus::Failed(why),
                    only: false,
                    result: Arc::new(Mutex::new(None)),
                });
                return slip_job;
            }
        };
        let cell = Arc::new(Mutex::new(None));
        self.sheet = Some(SheetPrint {
            status: SlipStatus::Printing,
            only: false,
            result: cell.clone(),
        });
        Box::new(move || {
            let r = slip_job();
            if r == PrintResult::Printed {
                let s = sheet_job();
                if let Ok(mut c) = cell.lock() {
                    *c = Some(s);
                }
            }
            r
        })
    }

    /// The combined job finished: what became of the sheet.
    pub(super) fn sheet_finished(&mut self, slip: &PrintResult) {
        let Some(sp) = self.sheet.as_mut() else {
            return;
        };
        if sp.only {
            sp.status = match slip {
                PrintResult::Printed => SlipStatus::Printed,
                PrintResult::Failed(why) => SlipStatus::Failed(why.clone()),
            };
            return;
        }
        if sp.status != SlipStatus::Printing {
            return;
        }
        let got = sp.result.lock().ok().and_then(|mut c| c.take());
        sp.status = match (slip, got) {
            (PrintResult::Printed, Some(PrintResult::Printed)) => SlipStatus::Printed,
            (PrintResult::Printed, Some(PrintResult::Failed(why))) => SlipStatus::Failed(why),
            // The slip did not print, so the sheet was not tried.
            _ => SlipStatus::Failed(String::new()),
        };
    }

    pub(super) fn sheet_only(&self) -> bool {
        self.sheet.as_ref().is_some_and(|s| s.only)
    }

    pub(super) fn sheet_status(&self) -> Option<SlipStatus> {
        self.sheet.as_ref().map(|s| s.status.clone())
    }

    pub(super) fn map_view(&self) -> Option<MapView> {
        let tree = self.sheet_tree.as_ref()?;
        let outcome = self.outcome.as_ref()?;
        let l = self.lang;
        let rank = |route: Option<usize>| -> u8 {
            route
                .and_then(|r| outcome.routes.iter().position(|h| h.route == r))
                .map_or(0, |i| i as u8 + 1)
        };
        let branches = tree
            .branches
            .iter()
            .map(|b| MapBranchView {
                name: self.markup(b.name.get(l)),
                places: b
                    .places
                    .iter()
                    .map(|p| MapPlaceView {
                        name: self.markup(p.name.get(l)),
                        words: self.markup(p.words.get(l)),
                        rank: rank(p.route),
                    })
                    .collect(),
            })
            .collect();
        let yours = outcome
            .routes
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let name = self.content.catalogue.routes.get(h.route)?.name.get(l);
                Some(self.markup(&format!("{} {name}", crate::sheet::rank_mark(i as u8 + 1))))
            })
            .collect();
        Some(MapView {
            title: self.t("map.title"),
            root: self.markup(tree.root.get(l)),
            branches,
            yours,
        })
    }
}
