//! Compiles the UI: ui/app.slint exports the kiosk and the desk windows. Debug builds carry
//! Slint debug info so the UI tests can find elements; release builds leave it out.
fn main() {
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
