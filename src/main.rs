use clap::Parser;
use roster::{Cli, Error, term::Term};
use std::process::ExitCode;

// The pipeline allocates many small strings on two threads; mimalloc is markedly faster at
// that than glibc's malloc (measured with benches/bench.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let term = Term::new(cli.global.color, cli.global.quiet);
    match roster::run(cli, &term) {
        Ok(code) => ExitCode::from(code),
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Error::Reported(code)) => ExitCode::from(code),
        Err(e) => {
            for line in e.messages() {
                term.error(&line);
            }
            if let Some(hint) = e.hint() {
                term.hint(&hint);
            }
            ExitCode::from(e.exit_code())
        }
    }
}
