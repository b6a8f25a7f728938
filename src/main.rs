use std::process::ExitCode;

/// mimalloc: glibc's malloc and free were a fifth of the server's instructions on an
/// account read (callgrind); mimalloc's thread-local free lists cost less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    simplebank::cli::run().await
}
