//! The kiosk's command line: problems are reported before any window opens, with the right
//! exit code, and `hash-pin` makes a hash the kiosk accepts.

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
        stdin.write_all(b"2468\n").unwrap_or_else(|e| panic!("{e}"));
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
