//! The centre's map 「働くためには？」 (SHEET.md §1) as data: a title, the root 「働きたい!!」,
//! branches (求職活動, 訓練, 福祉施設, 医療, その他) and their places, each with a few words in
//! three languages and, where the place is a route of the catalogue, its route id. Every
//! route of the catalogue is on the map exactly once; places without a route (求人雑誌) are
//! allowed. Every problem names file, line and field, all at once.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ContentError, ContentErrors, Source};
use super::routes::Catalogue;
use super::text::Texts;

/// The bundled map (the seed's sheet).
pub const EMBEDDED_SHEET: &str = include_str!("../../assets/sheet.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct SheetTree {
    pub title: Texts,
    pub root: Texts,
    pub branches: Vec<Branch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub name: Texts,
    pub places: Vec<Place>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name: Texts,
    pub words: Texts,
    /// Index into the catalogue's routes, if this place is one.
    pub route: Option<usize>,
}

impl SheetTree {
    /// The bundled map, checked against `cat`.
    pub fn embedded(cat: &Catalogue) -> Result<SheetTree, ContentErrors> {
        SheetTree::load(None, cat)
    }

    /// A centre's map (`Some(path)`) or the bundled one.
    pub fn load(path: Option<&Path>, cat: &Catalogue) -> Result<SheetTree, ContentErrors> {
        let (name, text) = match path {
            None => (
                "<embedded>/assets/sheet.toml".to_string(),
                EMBEDDED_SHEET.to_string(),
            ),
            Some(p) => match std::fs::read_to_string(p) {
                Ok(t) => (p.display().to_string(), t),
                Err(e) => {
                    return Err(ContentErrors(vec![ContentError {
                        file: p.display().to_string(),
                        line: None,
                        field: String::new(),
                        message: format!(
                            "cannot read this file ({e}): check `sheet` under [content] in the config, or remove the line to use the bundled sheet.toml"
                        ),
                    }]));
                }
            },
        };
        parse(
            &Source {
                name: &name,
                text: &text,
            },
            cat,
        )
        .map_err(ContentErrors)
    }

    /// The place that is route `route` (branch, place), if on the map.
    pub fn place_of(&self, route: usize) -> Option<(usize, usize)> {
        self.branches.iter().enumerate().find_map(|(b, br)| {
            br.places
                .iter()
                .position(|p| p.route == Some(route))
                .map(|p| (b, p))
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    title: Spanned<Texts>,
    root: Spanned<Texts>,
    #[serde(default)]
    branch: Vec<Spanned<RawBranch>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    name: Spanned<Texts>,
    #[serde(default)]
    place: Vec<Spanned<RawPlace>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlace {
    route: Option<Spanned<String>>,
    name: Spanned<Texts>,
    words: Spanned<Texts>,
}

fn check_texts(src: &Source, t: &Spanned<Texts>, field: &str, errs: &mut Vec<ContentError>) {
    for (lang, problem) in t.get_ref().problems() {
        errs.push(src.err(
            Some(t.span()),
            format!("{field}.{lang}"),
            format!("{problem}: give the text in ja, ja-easy and en"),
        ));
    }
}

/// Parses and checks a map against the route catalogue.
pub fn parse(src: &Source, cat: &Catalogue) -> Result<SheetTree, Vec<ContentError>> {
    let raw: RawFile = toml::from_str(src.text).map_err(|e| vec![src.toml_err(&e)])?;
    let mut errs = Vec::new();
    check_texts(src, &raw.title, "title", &mut errs);
    check_texts(src, &raw.root, "root", &mut errs);
    if raw.branch.is_empty() {
        errs.push(src.err(
            None,
            "branch",
            "the map has no branches: add [[branch]] tables with their [[branch.place]] entries (the bundled sheet.toml shows the shape)",
        ));
    }
    let mut seen: Vec<Option<String>> = vec![None; cat.routes.len()];
    let mut branches = Vec::new();
    for (bi, rb) in raw.branch.into_iter().enumerate() {
        let bspan = rb.span();
        let rb = rb.into_inner();
        let bfield = format!("branch[{}]", bi + 1);
        check_texts(src, &rb.name, &format!("{bfield}.name"), &mut errs);
        if rb.place.is_empty() {
            errs.push(src.err(
                Some(bspan),
                format!("{bfield}.place"),
                "this branch has no places: add at least one [[branch.place]] under it",
            ));
        }
        let mut places = Vec::new();
        for (pi, rp) in rb.place.into_iter().enumerate() {
            let rp = rp.into_inner();
            let pfield = format!("{bfield}.place[{}]", pi + 1);
            check_texts(src, &rp.name, &format!("{pfield}.name"), &mut errs);
            check_texts(src, &rp.words, &format!("{pfield}.words"), &mut errs);
            let route = rp.route.as_ref().and_then(|r| {
                let id = r.get_ref();
                match cat.route_index(id) {
                    None => {
                        errs.push(src.err(
                            Some(r.span()),
                            format!("{pfield}.route"),
                            format!(
                                "unknown route id `{id}` (known: {}); leave `route` out for a place that is not a route",
                                super::id_list(cat.routes.iter().map(|r| r.id.as_str()))
                            ),
                        ));
                        None
                    }
                    Some(i) => {
                        if let Some(first) = &seen[i] {
                            errs.push(src.err(
                                Some(r.span()),
                                format!("{pfield}.route"),
                                format!(
                                    "route `{id}` is already on the map at {first}: every route is on it exactly once"
                                ),
                            ));
                            None
                        } else {
                            seen[i] = Some(pfield.clone());
                            Some(i)
                        }
                    }
                }
            });
            places.push(Place {
                name: rp.name.into_inner(),
                words: rp.words.into_inner(),
                route,
            });
        }
        branches.push(Branch {
            name: rb.name.into_inner(),
            places,
        });
    }
    for (i, s) in seen.iter().enumerate() {
        if s.is_none() && !branches.is_empty() {
            let id = &cat.routes[i].id;
            errs.push(src.err(
                None,
                "branch",
                format!(
                    "route `{id}` of the route catalogue is not on the map: add a [[branch.place]] with route = \"{id}\" to the branch it belongs to"
                ),
            ));
        }
    }
    if errs.is_empty() {
        Ok(SheetTree {
            title: raw.title.into_inner(),
            root: raw.root.into_inner(),
            branches,
        })
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Content;

    fn cat() -> Catalogue {
        Content::embedded().unwrap().catalogue
    }

    #[test]
    fn the_bundled_map_has_every_route_once() {
        let c = cat();
        let t = SheetTree::embedded(&c).unwrap();
        for i in 0..c.routes.len() {
            let n = t
                .branches
                .iter()
                .flat_map(|b| &b.places)
                .filter(|p| p.route == Some(i))
                .count();
            assert_eq!(n, 1, "{}", c.routes[i].id);
        }
        // 求人雑誌 is on the map without a route.
        assert!(
            t.branches
                .iter()
                .flat_map(|b| &b.places)
                .any(|p| p.route.is_none() && p.name.ja == "求人雑誌")
        );
        assert_eq!(t.branches.len(), 5);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let c = cat();
        let src = EMBEDDED_SHEET
            .replacen("route = \"daycare\"", "route = \"ikou\"", 1)
            .replacen("route = \"nakapotsu\"", "route = \"nakapotu\"", 1)
            .replacen("words.en = \"Drop-in, activities\"", "words.en = \" \"", 1);
        let e = parse(
            &Source {
                name: "s.toml",
                text: &src,
            },
            &c,
        )
        .unwrap_err();
        let all = ContentErrors(e).to_string();
        let line = |needle: &str| src[..src.find(needle).unwrap()].lines().count() + 1;
        assert!(
            all.contains(&format!(
                "s.toml:{}: field `branch[4].place[1].route`: route `ikou` is already on the map at branch[3].place[1]",
                line("route = \"ikou\"\nname.ja = \"デイケア\"")
            )),
            "{all}"
        );
        assert!(
            all.contains("field `branch[5].place[2].route`: unknown route id `nakapotu`"),
            "{all}"
        );
        assert!(
            all.contains("route `daycare` of the route catalogue is not on the map"),
            "{all}"
        );
        assert!(
            all.contains("route `nakapotsu` of the route catalogue is not on the map"),
            "{all}"
        );
        assert!(
            all.contains("field `branch[4].place[2].words.en`: the text is empty"),
            "{all}"
        );
        let e = parse(
            &Source {
                name: "s.toml",
                text: "title.ja = \"x\"\n",
            },
            &c,
        )
        .unwrap_err();
        assert!(ContentErrors(e).to_string().starts_with("s.toml:"));
    }
}
