use std::process::ExitCode;

fn main() -> ExitCode {
    simplebank::cli::run()
}
