use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    simplebank::cli::run().await
}
