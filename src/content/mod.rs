//! Content as data: the questionnaire, the route catalogue (with notes and handoff) and the
//! matching rules. Bundled TOML files in `assets/` are embedded as the default; a centre can
//! point the config at edited copies. Loading validates everything and reports every problem
//! with file, line and field.

pub mod condition;
pub mod error;
pub mod questionnaire;
pub mod routes;
pub mod rules;
pub mod sheet;
pub mod text;

use std::path::Path;

use error::Source;
pub use error::{ContentError, ContentErrors};
pub use questionnaire::Questionnaire;
pub use routes::Catalogue;
pub use rules::Rules;
pub use sheet::SheetTree;
pub use text::Texts;

pub const EMBEDDED_QUESTIONS: &str = include_str!("../../assets/questions.toml");
pub const EMBEDDED_ROUTES: &str = include_str!("../../assets/routes.toml");
pub const EMBEDDED_RULES: &str = include_str!("../../assets/rules.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub questionnaire: Questionnaire,
    pub catalogue: Catalogue,
    pub rules: Rules,
}

/// `a, b, c`: the valid ids listed in "unknown id" messages.
pub fn id_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    ids.into_iter().collect::<Vec<_>>().join(", ")
}

/// Which files to use; `None` = the embedded default.
#[derive(Debug, Clone, Default)]
pub struct ContentPaths<'a> {
    pub questionnaire: Option<&'a Path>,
    pub routes: Option<&'a Path>,
    pub rules: Option<&'a Path>,
}

fn read(
    path: Option<&Path>,
    embedded: &'static str,
    name: &str,
) -> Result<(String, String), ContentErrors> {
    match path {
        None => Ok((format!("<embedded>/assets/{name}"), embedded.to_string())),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => Ok((p.display().to_string(), text)),
            Err(e) => Err(ContentErrors(vec![ContentError {
                file: p.display().to_string(),
                line: None,
                field: String::new(),
                message: format!(
                    "cannot read this file ({e}): check the path under [content] in the config, or remove the line to use the bundled {name}"
                ),
            }])),
        },
    }
}

impl Content {
    /// The bundled default content.
    pub fn embedded() -> Result<Content, ContentErrors> {
        Content::load(&ContentPaths::default())
    }

    pub fn load(paths: &ContentPaths) -> Result<Content, ContentErrors> {
        let (qn, qt) = read(paths.questionnaire, EMBEDDED_QUESTIONS, "questions.toml")?;
        let (rn, rt) = read(paths.routes, EMBEDDED_ROUTES, "routes.toml")?;
        let (un, ut) = read(paths.rules, EMBEDDED_RULES, "rules.toml")?;
        Content::from_texts((&qn, &qt), (&rn, &rt), (&un, &ut))
    }

    /// Parses the three files given as (name, text). Stops at the first file with errors,
    /// because later files refer to ids in earlier ones.
    pub fn from_texts(
        questions: (&str, &str),
        routes: (&str, &str),
        rules: (&str, &str),
    ) -> Result<Content, ContentErrors> {
        let qsrc = Source {
            name: questions.0,
            text: questions.1,
        };
        let questionnaire = questionnaire::parse(&qsrc).map_err(ContentErrors)?;
        let rsrc = Source {
            name: routes.0,
            text: routes.1,
        };
        let catalogue = routes::parse(&rsrc, &questionnaire).map_err(ContentErrors)?;
        let usrc = Source {
            name: rules.0,
            text: rules.1,
        };
        let rules = rules::parse(&usrc, &questionnaire, &catalogue).map_err(ContentErrors)?;
        Ok(Content {
            questionnaire,
            catalogue,
            rules,
        })
    }
}
