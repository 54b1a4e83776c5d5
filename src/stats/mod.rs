//! Visitor statistics (PRODUCT.md §7): per local day, per hour of the day and per route, for
//! the staff screens and for `hatarakitai stats`. Figures come from the kiosk store as
//! per-hour buckets (raw visits and folded days alike); this module only sums and renders them:
//! an aligned table for a terminal, CSV for Excel on a Japanese PC (UTF-8 with BOM, CRLF,
//! Japanese headers), and JSON.

pub mod figures;
mod render;

use chrono::NaiveDate;

use crate::content::Content;
use crate::lang::Lang;
pub use figures::{Bucket, Figures};

/// Output format of `hatarakitai stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// What one row of the output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// One row per local day of the range.
    Day,
    /// One row per hour of the day (0–23), summed over the range: the chart's data.
    Hour,
    /// One row per route: how often it was shown, and shown first.
    Route,
}

/// A route column: id and Japanese name (the id itself for a route no longer in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteColumn {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every local day of the range, in order; days with nothing recorded have empty figures.
    pub days: Vec<(NaiveDate, Figures)>,
    /// Hours of the day 0–23, summed over the range.
    pub hours: Vec<Figures>,
    pub total: Figures,
    /// Catalogue routes (without the handoff) in catalogue order, then unknown ids found.
    pub routes: Vec<RouteColumn>,
    /// How many questions to show "abandoned at" columns for.
    pub questions: usize,
}

impl StatsReport {
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        buckets: &[Bucket],
        content: &Content,
    ) -> StatsReport {
        let mut days: Vec<(NaiveDate, Figures)> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|d| (d, Figures::default()))
            .collect();
        let mut hours = vec![Figures::default(); 24];
        let mut total = Figures::default();
        for b in buckets.iter().filter(|b| b.date >= from && b.date <= to) {
            let i = (b.date - from).num_days();
            if let Some((_, f)) = usize::try_from(i).ok().and_then(|i| days.get_mut(i)) {
                f.add(&b.figures);
            }
            if let Some(h) = hours.get_mut(usize::from(b.hour)) {
                h.add(&b.figures);
            }
            total.add(&b.figures);
        }
        let cat = &content.catalogue;
        let mut routes: Vec<RouteColumn> = cat
            .routes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != cat.handoff)
            .map(|(_, r)| RouteColumn {
                id: r.id.clone(),
                name: r.name.plain(Lang::Ja),
            })
            .collect();
        for id in total.routes.keys() {
            if !routes.iter().any(|r| &r.id == id) {
                routes.push(RouteColumn {
                    id: id.clone(),
                    name: id.clone(),
                });
            }
        }
        let seen = total
            .abandoned_at
            .keys()
            .chain(total.idle_at.keys())
            .filter_map(|q| q.map(|q| usize::from(q) + 1))
            .max()
            .unwrap_or(0);
        let questions = content.questionnaire.len().max(seen);
        StatsReport {
            from,
            to,
            days,
            hours,
            total,
            routes,
            questions,
        }
    }

    /// The figures of one day of the range.
    pub fn day(&self, date: NaiveDate) -> Option<&Figures> {
        self.days.iter().find(|(d, _)| *d == date).map(|(_, f)| f)
    }

    /// The output of `hatarakitai stats`, as bytes (the CSV starts with a BOM).
    pub fn render(&self, format: Format, by: By) -> Vec<u8> {
        match format {
            Format::Table => render::table(self, by).into_bytes(),
            Format::Csv => render::csv(self, by).into_bytes(),
            Format::Json => {
                let mut s = render::json(self, by).to_string();
                s.push('\n');
                s.into_bytes()
            }
        }
    }

    pub fn to_json(&self, by: By) -> serde_json::Value {
        render::json(self, by)
    }
}
