//! Compiles the UI: ui/app.slint exports the kiosk and the desk windows. Debug builds carry
//! Slint debug info so the UI tests can find elements; release builds leave it out.
fn main() {
    // The commit `hatarakitai --version` names: a packager may set HATARAKITAI_COMMIT; a git
    // checkout says it itself; anything else is "unknown".
    println!("cargo:rerun-if-env-changed=HATARAKITAI_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = std::env::var("HATARAKITAI_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            std::process::Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HATARAKITAI_COMMIT={commit}");
    let debug = std::env::var("PROFILE")
        .map(|p| p != "release")
        .unwrap_or(true);
    let config = slint_build::CompilerConfiguration::new()
        .embed_resources(slint_build::EmbedResourcesKind::EmbedFiles)
        .with_debug_info(debug);
    if let Err(e) = slint_build::compile_with_config("ui/app.slint", config) {
        eprintln!("ui/app.slint: {e}");
        std::process::exit(1);
    }
}
