//! The kiosk's command line: problems are reported before any window opens, with the right
//! exit code, and `hash-pin` makes a hash the kiosk accepts (and refuses a short PIN). A plain
//! PIN in the config is a config error for every command (TRUST.md §4: no plain-text PIN).

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hatarakitai"));
    c.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env_remove("SLINT_BACKEND");
    c
}

#[test]
fn no_display_names_the_options_and_exits_1() {
    let out = bin()
        .arg("kiosk")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for option in ["X11", "Wayland", "SLINT_BACKEND", "linuxkms"] {
        assert!(err.contains(option), "{option} missing: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_config_is_reported_before_any_window_with_exit_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, "[kiosk]\nstaff_pin_hash = \"1234\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = bin()
        .arg("--config")
        .arg(&cfg)
        .arg("kiosk")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kiosk.staff_pin_hash"));

    std::fs::write(&cfg, "[content]\nroutes = \"missing.toml\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = bin()
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn hash_pin_reads_stdin_and_makes_an_argon2_hash() {
    let mut child = bin()
        .arg("hash-pin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(b"246813\n")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(hatarakitai::kiosk::pin::validate_hash(&hash).is_ok());

    let mut child = bin()
        .arg("hash-pin")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"12\n").unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
}

/// `hatarakitai hash-pin` with `pin` on standard input: exit code, stdout, stderr.
fn hash_pin(pin: &str) -> (Option<i32>, String, String) {
    let mut child = bin()
        .arg("hash-pin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{pin}\n").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn hash_pin_wants_6_to_12_digits() {
    for short in ["12345", "1234", "1234567890123", "12345a"] {
        let (code, out, err) = hash_pin(short);
        assert_eq!(code, Some(2), "{short}: {err}");
        assert!(out.trim().is_empty(), "no hash for {short}: {out}");
        assert!(err.contains("6 to 12 digits"), "{short}: {err}");
        assert!(!err.contains(short), "the PIN is never echoed: {err}");
    }
    for ok in ["246813", "123456789012"] {
        let (code, out, err) = hash_pin(ok);
        assert_eq!(code, Some(0), "{ok}: {err}");
        assert!(out.trim().starts_with("$argon2id$"), "{out}");
    }
}

#[test]
fn a_plain_pin_in_the_config_is_a_config_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("kiosk.toml");
    for plain in ["1234", "246813", "$plain$1234"] {
        std::fs::write(&cfg, format!("[kiosk]\nstaff_pin_hash = \"{plain}\"\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        // Every command that reads the config refuses it, not only the kiosk.
        for args in [
            vec!["check-config".to_string(), cfg.display().to_string()],
            vec![
                "--config".to_string(),
                cfg.display().to_string(),
                "kiosk".to_string(),
            ],
        ] {
            let out = bin().args(&args).output().unwrap_or_else(|e| panic!("{e}"));
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains("kiosk.staff_pin_hash"), "{err}");
            assert!(err.contains("hatarakitai hash-pin"), "{err}");
            assert!(
                !err.contains(&format!("\"{plain}\"")),
                "never quoted: {err}"
            );
        }
    }
    // A real hash passes.
    let (_, hash, _) = hash_pin("246813");
    std::fs::write(
        &cfg,
        format!("[kiosk]\nstaff_pin_hash = \"{}\"\n", hash.trim()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = bin()
        .arg("check-config")
        .arg(&cfg)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
