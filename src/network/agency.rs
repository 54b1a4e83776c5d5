//! The agency directory (社会資源, NETWORK.md §1): the partners a centre works with, and what
//! the seed says to know about each (得意・不得意, 制度の限界, 好む連絡方法, good times), with
//! their contact people. Read from `assets/agencies.toml` (the bundled sample for the seed's
//! area) or a centre's own file; every problem names file, line and field, all at once.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::error::{ContentError, ContentErrors, Source};

/// The agency kinds of NETWORK.md §1 (the 「働くためには？」 sheet's kinds and the others).
pub const KINDS: &[&str] = &[
    "ハローワーク",
    "地域障害者職業センター",
    "就業・生活支援センター",
    "就労移行支援",
    "就労継続支援A型",
    "就労継続支援B型",
    "能力開発校",
    "委託訓練先",
    "医療機関",
    "地域活動支援センター",
    "相談支援事業所",
    "支援学校",
    "企業",
    "行政",
    "その他",
];

/// How a partner likes to be contacted.
pub const METHODS: &[&str] = &["電話", "FAX", "メール", "訪問"];

pub const AREAS: &[&str] = &["市内", "市外"];

/// The bundled sample directory.
pub const EMBEDDED: &str = include_str!("../../assets/agencies.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Person {
    pub name: String,
    pub role: String,
    pub contact_method: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub routes: Vec<String>,
    pub area: String,
    pub town: String,
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub hours: String,
    pub contact_method: String,
    pub good_times: String,
    pub strengths: String,
    pub weaknesses: String,
    pub limits: String,
    pub people: Vec<Person>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    agency: Vec<Spanned<RawAgency>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    id: Spanned<String>,
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    routes: Vec<Spanned<String>>,
    /// Printed on the visitor's take-home sheet (SHEET.md §1) for the routes it names.
    #[serde(default)]
    public: Option<Spanned<bool>>,
    area: Option<Spanned<String>>,
    #[serde(default)]
    town: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    fax: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    hours: String,
    contact_method: Option<Spanned<String>>,
    #[serde(default)]
    good_times: String,
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    weaknesses: String,
    #[serde(default)]
    limits: String,
    #[serde(default)]
    person: Vec<Spanned<RawPerson>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Spanned<String>,
    #[serde(default)]
    role: String,
    contact_method: Option<Spanned<String>>,
    #[serde(default)]
    notes: String,
}

/// A stable id: lowercase letters, digits and `-`, 1–40 characters.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks one agency as the desk's editor made it (the file's checks, in the desk's words).
pub fn check(a: &Agency) -> Result<(), String> {
    if !is_valid_id(&a.id) {
        return Err(format!(
            "ID「{}」は使えません。英小文字・数字・- で書いてください（例: hw-town）。",
            a.id
        ));
    }
    if a.name.trim().is_empty() {
        return Err("名前が空です。機関の名前を入れてください。".into());
    }
    if !KINDS.contains(&a.kind.as_str()) {
        return Err(format!("種類「{}」は一覧にありません。", a.kind));
    }
    if !a.area.is_empty() && !AREAS.contains(&a.area.as_str()) {
        return Err(format!("地域は {} から選んでください。", AREAS.join(" / ")));
    }
    for m in std::iter::once(&a.contact_method).chain(a.people.iter().map(|p| &p.contact_method)) {
        if !m.is_empty() && !METHODS.contains(&m.as_str()) {
            return Err(format!(
                "連絡方法は {} から選んでください。",
                METHODS.join(" / ")
            ));
        }
    }
    if a.people.iter().any(|p| p.name.trim().is_empty()) {
        return Err("担当の人の名前が空です。".into());
    }
    Ok(())
}

fn one_of(
    src: &Source<'_>,
    errs: &mut Vec<ContentError>,
    value: &Spanned<String>,
    field: String,
    allowed: &[&str],
    what: &str,
) -> String {
    let v = value.get_ref().trim();
    if !allowed.contains(&v) {
        errs.push(src.err(
            Some(value.span()),
            field,
            format!("unknown {what} `{v}`: use one of {}", allowed.join(", ")),
        ));
    }
    v.to_string()
}

/// A directory entry's public contact, printed on the visitor's take-home sheet: only entries
/// marked `public = true` (a partner's staff contacts and notes are never printed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicContact {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
    /// Route ids of the catalogue this entry is the place for.
    pub routes: Vec<String>,
}

/// The `public = true` entries of a directory file, in file order (the first entry naming a
/// route is that route's contact). The file is checked as by [`parse`]; a public entry also
/// needs a phone and a route.
pub fn public_contacts(
    file: &str,
    text: &str,
    routes: &[&str],
) -> Result<Vec<PublicContact>, ContentErrors> {
    let src = Source { name: file, text };
    let list = parse_all(file, text, routes)?;
    let mut errs = Vec::new();
    let mut out = Vec::new();
    for (i, (a, public)) in list.into_iter().enumerate() {
        let Some(flag) = public.filter(|p| *p.get_ref()) else {
            continue;
        };
        if a.phone.is_empty() {
            errs.push(src.err(
                Some(flag.span()),
                format!("agency[{}].phone", i + 1),
                "a `public = true` entry is printed on visitors' take-home sheets: give its phone (or set public = false)",
            ));
        }
        if a.routes.is_empty() {
            errs.push(src.err(
                Some(flag.span()),
                format!("agency[{}].routes", i + 1),
                "a `public = true` entry is printed for the routes it names: list them, e.g. routes = [\"ikou\"]",
            ));
        }
        out.push(PublicContact {
            name: a.name,
            address: a.address,
            phone: a.phone,
            hours: a.hours,
            routes: a.routes,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(ContentErrors(errs))
    }
}

/// The first public contact for route `id`.
pub fn contact_for<'a>(contacts: &'a [PublicContact], id: &str) -> Option<&'a PublicContact> {
    contacts.iter().find(|c| c.routes.iter().any(|r| r == id))
}

/// Parses and checks a directory file. `routes` are the catalogue's route ids.
pub fn parse(file: &str, text: &str, routes: &[&str]) -> Result<Vec<Agency>, ContentErrors> {
    Ok(parse_all(file, text, routes)?
        .into_iter()
        .map(|(a, _)| a)
        .collect())
}

/// An entry with its `public` flag (and where the flag was written).
type Flagged = (Agency, Option<Spanned<bool>>);

/// Each entry with its `public` flag.
fn parse_all(file: &str, text: &str, routes: &[&str]) -> Result<Vec<Flagged>, ContentErrors> {
    let src = Source { name: file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| ContentErrors(vec![src.toml_err(&e)]))?;
    let mut errs = Vec::new();
    let mut out: Vec<Agency> = Vec::new();
    let mut flags = Vec::new();
    for (i, a) in raw.agency.iter().enumerate() {
        let a = a.get_ref();
        let f = |name: &str| format!("agency[{}].{name}", i + 1);
        let id = a.id.get_ref().trim().to_string();
        if !is_valid_id(&id) {
            errs.push(src.err(
                Some(a.id.span()),
                f("id"),
                format!(
                    "`{id}` is not a usable id: use lowercase letters, digits and -, e.g. hw-town"
                ),
            ));
        } else if out.iter().any(|o| o.id == id) {
            errs.push(src.err(
                Some(a.id.span()),
                f("id"),
                format!("duplicate id `{id}`: each agency needs its own id"),
            ));
        }
        let name = a.name.get_ref().trim().to_string();
        if name.is_empty() {
            errs.push(src.err(Some(a.name.span()), f("name"), "the name is empty"));
        }
        let kind = one_of(&src, &mut errs, &a.kind, f("kind"), KINDS, "kind");
        for (j, r) in a.routes.iter().enumerate() {
            if !routes.contains(&r.get_ref().as_str()) {
                errs.push(src.err(
                    Some(r.span()),
                    format!("agency[{}].routes[{}]", i + 1, j + 1),
                    format!(
                        "unknown route id `{}` (known: {})",
                        r.get_ref(),
                        routes.join(", ")
                    ),
                ));
            }
        }
        let area = a
            .area
            .as_ref()
            .map(|v| one_of(&src, &mut errs, v, f("area"), AREAS, "area"))
            .unwrap_or_default();
        let contact_method = a
            .contact_method
            .as_ref()
            .map(|v| {
                one_of(
                    &src,
                    &mut errs,
                    v,
                    f("contact_method"),
                    METHODS,
                    "contact method",
                )
            })
            .unwrap_or_default();
        let mut people = Vec::new();
        for (j, p) in a.person.iter().enumerate() {
            let p = p.get_ref();
            let pf = |name: &str| format!("agency[{}].person[{}].{name}", i + 1, j + 1);
            let pname = p.name.get_ref().trim().to_string();
            if pname.is_empty() {
                errs.push(src.err(Some(p.name.span()), pf("name"), "the name is empty"));
            }
            people.push(Person {
                name: pname,
                role: p.role.trim().to_string(),
                contact_method: p
                    .contact_method
                    .as_ref()
                    .map(|v| {
                        one_of(
                            &src,
                            &mut errs,
                            v,
                            pf("contact_method"),
                            METHODS,
                            "contact method",
                        )
                    })
                    .unwrap_or_default(),
                notes: p.notes.trim().to_string(),
            });
        }
        out.push(Agency {
            id,
            name,
            kind,
            routes: a.routes.iter().map(|r| r.get_ref().clone()).collect(),
            area,
            town: a.town.trim().into(),
            address: a.address.trim().into(),
            phone: a.phone.trim().into(),
            fax: a.fax.trim().into(),
            email: a.email.trim().into(),
            hours: a.hours.trim().into(),
            contact_method,
            good_times: a.good_times.trim().into(),
            strengths: a.strengths.trim().into(),
            weaknesses: a.weaknesses.trim().into(),
            limits: a.limits.trim().into(),
            people,
        });
        flags.push(a.public.clone());
    }
    if errs.is_empty() {
        Ok(out.into_iter().zip(flags).collect())
    } else {
        Err(ContentErrors(errs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_contacts_are_the_public_entries_with_phone_and_routes() {
        let text = "[[agency]]\nid = \"a\"\nname = \"A\"\nkind = \"企業\"\nroutes = [\"ikou\"]\nphone = \"1\"\n\n[[agency]]\nid = \"b\"\nname = \"B\"\nkind = \"就労移行支援\"\nroutes = [\"ikou\"]\npublic = true\nphone = \"072-111-2222\"\naddress = \"高槻市\"\nhours = \"平日\"\n\n[[agency]]\nid = \"c\"\nname = \"C\"\nkind = \"就労移行支援\"\nroutes = [\"ikou\"]\npublic = true\nphone = \"3\"\n";
        let c = public_contacts("a.toml", text, ROUTES).unwrap();
        assert_eq!(c.len(), 2);
        let first = contact_for(&c, "ikou").unwrap();
        assert_eq!(
            (first.name.as_str(), first.phone.as_str()),
            ("B", "072-111-2222")
        );
        assert!(contact_for(&c, "hellowork_open").is_none());
        // The desk's parse reads the same file.
        assert_eq!(parse("a.toml", text, ROUTES).unwrap().len(), 3);
        let bad = "[[agency]]\nid = \"b\"\nname = \"B\"\nkind = \"企業\"\npublic = true\n";
        let e = public_contacts("p.toml", bad, ROUTES)
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml:5: field `agency[1].phone`"), "{e}");
        assert!(e.contains("field `agency[1].routes`"), "{e}");
        let e = public_contacts(
            "p.toml",
            "[[agency]]\nid = \"b\"\nname = \"B\"\nkind = \"企業\"\npublic = \"yes\"\n",
            ROUTES,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p.toml:5:"), "{e}");
    }

    const ROUTES: &[&str] = &["hellowork_open", "hellowork_closed", "ikou"];

    #[test]
    fn errors_name_file_line_and_field() {
        let text = "[[agency]]\nid = \"hw-town\"\nname = \"ハローワーク\"\nkind = \"ハローワーク\"\nroutes = [\"hellowork_open\"]\n\n[[agency]]\nid = \"hw-town\"\nname = \"x\"\nkind = \"役所\"\nroutes = [\"nope\"]\ncontact_method = \"手紙\"\n";
        let e = parse("a.toml", text, ROUTES).unwrap_err().to_string();
        assert!(
            e.contains("a.toml:8: field `agency[2].id`: duplicate id `hw-town`"),
            "{e}"
        );
        assert!(
            e.contains("a.toml:10: field `agency[2].kind`: unknown kind `役所`"),
            "{e}"
        );
        assert!(
            e.contains("a.toml:11: field `agency[2].routes[1]`: unknown route id `nope`"),
            "{e}"
        );
        assert!(
            e.contains("a.toml:12: field `agency[2].contact_method`"),
            "{e}"
        );
        let e = parse(
            "b.toml",
            "[[agency]]\nid = \"x\"\nname = \"x\"\nkind = \"企業\"\ncolour = 1\n",
            ROUTES,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("b.toml:"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }
}
