//! The manual pages the Debian package installs (assets/deploy/man/*.1 → /usr/share/man/man1)
//! are clap_mangen's rendering of today's command line: one page for `hatarakitai` and one for
//! each command (`hatarakitai-staff-add.1`, as git does). A page that differs from the
//! definition fails here; `HATARAKITAI_BLESS_MAN=1 cargo test --test man` rewrites them.
//! The same test holds `--help` to a manual's standard: every command and every argument
//! says what it is for.

use std::path::{Path, PathBuf};

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/deploy/man")
}

/// The command line as the pages show it: the package version, not the commit (a page must
/// not change with every commit).
fn root() -> clap::Command {
    let mut cmd = <hatarakitai::cli::Cli as clap::CommandFactory>::command();
    cmd.build();
    cmd
}

fn walk(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        out.push(sub.clone());
        walk(sub, out);
    }
}

fn pages() -> Vec<(String, Vec<u8>)> {
    let root = root();
    let mut cmds = vec![root.clone()];
    walk(&root, &mut cmds);
    cmds.into_iter()
        .map(|c| {
            let name = c
                .get_display_name()
                .unwrap_or_else(|| c.get_name())
                .to_string();
            let mut buf = Vec::new();
            clap_mangen::Man::new(c).render(&mut buf).unwrap();
            (format!("{name}.1"), buf)
        })
        .collect()
}

#[test]
fn man_pages_are_rendered_from_todays_command_line() {
    let dir = man_dir();
    let want = pages();
    assert!(want.len() > 20, "one page per command: {}", want.len());
    if std::env::var_os("HATARAKITAI_BLESS_MAN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &want {
        if std::fs::read(dir.join(name)).ok().as_deref() != Some(&text[..]) {
            stale.push(name.clone());
        }
    }
    let mut extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !want.iter().any(|(w, _)| w == n))
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "assets/deploy/man/ is not the rendering of today's command line (stale or missing: \
         {stale:?}; no longer a command: {extra:?}): run \
         `HATARAKITAI_BLESS_MAN=1 cargo test --test man` and commit the pages"
    );
}

#[test]
fn every_command_and_argument_says_what_it_is_for() {
    let root = root();
    let mut cmds = vec![root.clone()];
    walk(&root, &mut cmds);
    let mut missing = Vec::new();
    for c in &cmds {
        let name = c.get_bin_name().unwrap_or_else(|| c.get_name()).to_string();
        if c.get_about().is_none() {
            missing.push(name.clone());
        }
        for a in c.get_arguments() {
            if a.is_hide_set() || a.get_help().is_some() || a.is_global_set() {
                continue;
            }
            let id = a.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            missing.push(format!("{name} <{id}>"));
        }
    }
    assert!(
        missing.is_empty(),
        "{} commands or arguments have no help text: {missing:#?}",
        missing.len()
    );
}
