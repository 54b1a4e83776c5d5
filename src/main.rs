fn main() -> std::process::ExitCode {
    hatarakitai::cli::main()
}
