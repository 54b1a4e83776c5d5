//! The command line as an administrator or a script uses it: real process, real pipes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run hatarakitai")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `toml` to `cfg` and runs `check-config` on it, which must refuse it (exit 2);
/// returns what it said.
fn refused_config(cfg: &std::path::Path, toml: &str) -> String {
    std::fs::write(cfg, toml).unwrap();
    let o = run(&["check-config", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn match_prints_the_contract_json() {
    let o = run(&[
        "match",
        "--answers",
        "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["routes"][0]["id"], "hellowork_open");
    assert!(v["routes"][0]["score"].as_f64().unwrap() > 0.0);
    assert!(!v["routes"][0]["reasons"].as_array().unwrap().is_empty());
    assert_eq!(v["handoff"], "nakapotsu");
    assert!(v["routes"].as_array().unwrap().len() <= 3);
    let en = run(&["match", "--answers", "days=d5", "--lang", "en"]);
    let v: serde_json::Value = serde_json::from_slice(&en.stdout).unwrap();
    assert!(
        v["routes"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("5 days"),
        "{v}"
    );
}

#[test]
fn bad_answers_exit_2_with_a_message_naming_the_problem() {
    for (arg, needle) in [
        ("goal=", "answer for `goal` is empty"),
        ("goal==x", "exactly one `=`"),
        (",,", "is empty"),
        ("colour=red", "unknown question id `colour`"),
        ("goal=work_later", "unknown option id `work_later`"),
        ("goal=work_now,goal=unsure", "answered twice"),
    ] {
        let o = run(&["match", "--answers", arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}");
        assert!(stderr(&o).contains(needle), "{arg}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{arg}");
    }
    let o = run(&["match", "--answers", "goal=work_now", "--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown language `fr`"));
}

#[test]
fn batch_answers_one_line_per_line_and_stops_at_a_bad_line() {
    let mut child = bin()
        .args(["match", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"goal\":\"work_now\"}\n{}\n{\"days\":null,\"health\":\"unstable\"}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let lines: Vec<_> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 3);
    let last: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(last["routes"][0]["id"], "daycare");

    let mut child = bin()
        .args(["match", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"goal\":\"work_now\"}\n{\"goal\":\"nope\"}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 2") && stderr(&o).contains("unknown option id `nope`"),
        "{}",
        stderr(&o)
    );
}

/// The whole answer space through the real binary: `match --emit-space | match --batch`,
/// checked against the MUST rules from the JSON alone (ids, notes, handoff).
#[test]
fn whole_answer_space_through_the_batch_cli_satisfies_the_must_rules() {
    let space = run(&["match", "--emit-space"]);
    assert!(space.status.success());
    let inputs: Vec<&str> = std::str::from_utf8(&space.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(inputs.len(), 360_000);
    let mut child = bin()
        .args(["match", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feed = space.stdout.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&feed));
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(o.status.success());
    let outputs: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(
        outputs.len(),
        inputs.len(),
        "one output line per input line"
    );
    let mut failures = Vec::new();
    for (i, o) in inputs.iter().zip(&outputs) {
        let a: serde_json::Value = serde_json::from_str(i).unwrap();
        let r: serde_json::Value = serde_json::from_str(o).unwrap();
        let g = |q: &str| {
            a.get(q)
                .and_then(|v| v.as_str())
                .filter(|v| !matches!(*v, "unsure" | "undecided"))
        };
        let ids: Vec<&str> = r["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        let notes: Vec<&str> = r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let has = |x: &str| ids.contains(&x);
        let top = ids.first().copied();
        let work = [
            "hellowork_open",
            "hellowork_closed",
            "kaihatsuko",
            "itaku_kunren",
            "keizoku_a",
        ];
        let mut bad = Vec::new();
        if g("disclose") == Some("closed") && has("hellowork_open")
            || g("disclose") == Some("open") && has("hellowork_closed")
        {
            bad.push("M1");
        }
        if matches!(g("days"), Some("d1_2" | "d0")) && work.iter().any(|w| has(w)) {
            bad.push("M2");
        }
        if (g("health") == Some("unstable") || g("days") == Some("d0"))
            && (!matches!(top, Some("daycare" | "katsudo_center")) || work.iter().any(|w| has(w)))
        {
            bad.push("M3");
        }
        if g("commute") == Some("near") && matches!(top, Some("kaihatsuko" | "itaku_kunren")) {
            bad.push("M4");
        }
        if g("goal") == Some("work_now")
            && g("days") == Some("d5")
            && g("health") == Some("stable")
            && g("income") == Some("salary")
            && (!matches!(
                top,
                Some("hellowork_open" | "hellowork_closed" | "keizoku_a")
            ) || has("keizoku_b"))
        {
            bad.push("M5");
        }
        if g("goal") == Some("train_first")
            && matches!(g("days"), Some("d5" | "d3_4"))
            && g("health") != Some("unstable")
            && !matches!(top, Some("kaihatsuko" | "itaku_kunren" | "ikou"))
        {
            bad.push("M6");
        }
        if g("goal") == Some("place_to_go")
            && !matches!(top, Some("katsudo_center" | "keizoku_b" | "daycare"))
        {
            bad.push("M7");
        }
        if g("days") == Some("d3_4") && matches!(top, Some("kaihatsuko" | "itaku_kunren")) {
            bad.push("M8");
        }
        if g("income") == Some("salary") && top == Some("keizoku_b") {
            bad.push("M9");
        }
        let reasons_ok = r["routes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| (1..=2).contains(&x["reasons"].as_array().unwrap().len()));
        if ids.len() > 3 || !reasons_ok {
            bad.push("M10");
        }
        if r["handoff"] != "nakapotsu" || has("nakapotsu") {
            bad.push("M11");
        }
        let expect_notes: Vec<&str> = [
            (
                "techo",
                g("disclose") == Some("open") && matches!(g("techo"), Some("no") | None),
            ),
            (
                "jukyushasho",
                has("ikou") || has("keizoku_a") || has("keizoku_b"),
            ),
            ("shujii", has("daycare")),
            ("sentaku_shien", has("keizoku_b")),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| n)
        .collect();
        if notes != expect_notes {
            bad.push("M12");
        }
        if !bad.is_empty() && failures.len() < 10 {
            failures.push(format!("{bad:?}: {i} → {o}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_config_accepts_a_good_config_and_checks_every_combination() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(
        &cfg,
        "[centre]\nname = \"テストセンター\"\n[kiosk]\nid = 2\n",
    )
    .unwrap();
    let o = run(&["check-config", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["combinations_checked"], 360_000);
    assert_eq!(v["must_violations"], 0);
}

#[test]
fn check_config_reports_bad_config_and_bad_content_with_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    // Broken TOML.
    let e = refused_config(&cfg, "[kiosk]\nid = 1\nidle_seconds = \n");
    assert!(e.contains("kiosk.toml:3:"), "{e}");
    // Unknown key (a typo must not be ignored).
    let e = refused_config(&cfg, "[kiosk]\nidle_secnds = 60\n");
    assert!(e.contains("idle_secnds"), "{e}");
    // A value that would hurt visitors.
    let e = refused_config(&cfg, "[kiosk]\nidle_seconds = 5\n");
    assert!(e.contains("kiosk.idle_seconds"), "{e}");
    // The centre's own words for 「こまったとき」: ja-easy markup that would show as braces.
    let e = refused_config(
        &cfg,
        "[kiosk.call_help]\nja = \"受付へ\"\nja-easy = \"{受付|うけつけ へ\"\nen = \"Go to reception\"\n",
    );
    assert!(
        e.contains("kiosk.call_help.ja-easy") && e.contains("never closed"),
        "{e}"
    );
    // An empty text: the example is in the field's own language.
    let e = refused_config(
        &cfg,
        "[kiosk.call_help]\nja = \"受付へ\"\nja-easy = \"{受付|うけつけ}へ\"\nen = \" \"\n",
    );
    assert!(
        e.contains("kiosk.call_help.en") && e.contains("is empty") && e.contains("reception"),
        "{e}"
    );
    // Edited rules naming an option that does not exist.
    let rules = hatarakitai::content::EMBEDDED_RULES.replacen(
        "income = [\"salary\"] }",
        "income = [\"wages\"] }",
        1,
    );
    std::fs::write(dir.path().join("rules.toml"), &rules).unwrap();
    let e = refused_config(&cfg, "[content]\nrules = \"rules.toml\"\n");
    assert!(
        e.contains("rules.toml:")
            && e.contains("unknown option id `wages`")
            && e.contains("when.income"),
        "{e}"
    );
    // A content file that does not exist.
    let e = refused_config(&cfg, "[content]\nroutes = \"nowhere.toml\"\n");
    assert!(
        e.contains("nowhere.toml") && e.contains("cannot read"),
        "{e}"
    );
    // Tuned weights that break a MUST rule are caught.
    let rules = hatarakitai::content::EMBEDDED_RULES.replacen("why = \"M1: closed work does not use the disability track\"\nwhen = { disclose = [\"closed\"] }\nroutes = [\"hellowork_open\"]", "why = \"x\"\nwhen = { disclose = [\"closed\"] }\nroutes = [\"daycare\"]", 1);
    std::fs::write(dir.path().join("rules.toml"), &rules).unwrap();
    let e = refused_config(&cfg, "[content]\nrules = \"rules.toml\"\n");
    assert!(e.contains("M1:"), "{e}");
    // Missing config file.
    let o = run(&[
        "check-config",
        dir.path().join("missing.toml").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the config file"));
}

#[test]
fn a_printer_kind_without_what_it_needs_is_a_config_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    // escpos-tcp without an address used to pass and fail only at the first print.
    let e = refused_config(&cfg, "[printer]\nkind = \"escpos-tcp\"\n");
    assert!(
        e.contains("kiosk.toml") && e.contains("printer.address") && e.contains("9100"),
        "{e}"
    );
    let e = refused_config(
        &cfg,
        "[printer]\nkind = \"escpos-tcp\"\naddress = \"printer\"\n",
    );
    assert!(
        e.contains("printer.address") && e.contains("HOST:PORT"),
        "{e}"
    );
    let e = refused_config(&cfg, "[printer]\nkind = \"escpos-device\"\n");
    assert!(
        e.contains("printer.device") && e.contains("/dev/usb/lp0"),
        "{e}"
    );
    let e = refused_config(&cfg, "[printer]\nkind = \"cups\"\n");
    assert!(e.contains("printer.queue"), "{e}");
    // With what they need, they pass.
    for ok in [
        "[printer]\nkind = \"escpos-tcp\"\naddress = \"192.168.10.50:9100\"\n",
        "[printer]\nkind = \"escpos-device\"\ndevice = \"/dev/usb/lp0\"\n",
        "[printer]\nkind = \"file\"\n",
    ] {
        std::fs::write(&cfg, ok).unwrap();
        let o = run(&["check-config", cfg.to_str().unwrap()]);
        assert!(o.status.success(), "{ok}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["ok"], true);
    }
}

#[test]
fn a_key_map_with_an_unknown_key_or_action_names_it_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    let e = refused_config(
        &cfg,
        "[access.keys]\nselect = [\"Enter\"]\nhelp = [\".\", \"Hyper\"]\n",
    );
    assert!(
        e.contains("kiosk.toml:3:") && e.contains("Hyper") && e.contains("access.keys.help"),
        "{e}"
    );
    let e = refused_config(&cfg, "[access.keys]\njump = [\"J\"]\n");
    assert!(
        e.contains("kiosk.toml:2:") && e.contains("unknown action `jump`"),
        "{e}"
    );
}

#[test]
fn speak_rejects_unknown_screens_languages_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let d = dir.path().to_str().unwrap();
    for (args, needle) in [
        (vec!["--screen", "lobby"], "unknown screen `lobby`"),
        (vec!["--screen", "question:9"], "numbered 1 to 8"),
        (vec!["--screen", "attract", "--lang", "fr"], "fr"),
        (vec!["--screen", "results", "--answers", "goal=fly"], "fly"),
    ] {
        let mut a = vec!["--data-dir", d, "speak", "--out", out.to_str().unwrap()];
        a.extend(args);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{a:?}: {}", stderr(&o));
        assert!(!out.exists(), "nothing written for bad input");
    }
}

#[test]
fn speak_without_the_engine_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, "[access]\nopen_jtalk = \"/nonexistent/open_jtalk\"\n").unwrap();
    let out = dir.path().join("x.wav");
    let o = run(&[
        "--config",
        cfg.to_str().unwrap(),
        "--data-dir",
        dir.path().to_str().unwrap(),
        "speak",
        "--screen",
        "attract",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/nonexistent/open_jtalk") && stderr(&o).contains("apt-get install"),
        "{}",
        stderr(&o)
    );
}
