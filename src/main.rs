use clap::{CommandFactory, FromArgMatches};
use roster::cmd::refusal::{self, Refusals};
use roster::{Cli, Error, term::Term};
use std::process::ExitCode;

// The pipeline allocates many small strings on two threads; mimalloc is markedly faster at
// that than glibc's malloc (measured with benches/bench.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 3 returns freed memory to the OS only a second (ten, for large blocks) after the
/// free; an import frees its parsed file and table while the store snapshot is held, and that
/// delay kept ~200 MB of freed memory resident at the peak. 10 ms is mimalloc 2's default.
fn release_freed_memory_promptly() {
    // `mi_option_purge_delay` in mimalloc.h (v2 and v3); libmimalloc-sys names no constant for it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets a plain integer option, before anything else runs.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) };
}

fn main() -> ExitCode {
    disable_transparent_huge_pages();
    release_freed_memory_promptly();
    let (cli, refusals) = match parse() {
        Ok(parsed) => parsed,
        Err(e) => {
            // `--output json` among the words: the refusal document on stdout, as for any
            // other refusal (help and --version are not refusals).
            if let (true, Some(format)) = (e.use_stderr(), refusal::of_words(std::env::args_os())) {
                refusal::write_usage(&e, format);
            }
            return clap_exit(&e);
        }
    };
    let term = Term::new(cli.global.color, cli.global.quiet);
    match roster::run(cli, &term) {
        Ok(code) => ExitCode::from(code),
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(format) = refusals {
                refusal::write(&e, format);
            }
            for line in e.messages() {
                term.error(&line);
            }
            for line in e.details() {
                term.detail(line);
            }
            for hint in e.hints() {
                term.hint(&hint);
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The command line, and how a failure of its command answers on stdout (`--output json`).
fn parse() -> Result<(Cli, Option<Refusals>), clap::Error> {
    let mut matches = Cli::command().try_get_matches()?;
    let refusals = refusal::of_matches(&matches);
    let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut Cli::command()))?;
    Ok((cli, refusals))
}

/// `--help`, `--version`, or a usage error. clap's own exit ignores a failed write, so that
/// `roster --help > /dev/full` said 0; help that cannot be written is an error (exit 1), as
/// for `roster man`, and a closed pipe stays exit 0.
fn clap_exit(e: &clap::Error) -> ExitCode {
    use std::io::{IsTerminal, Write};
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    if e.use_stderr() || std::io::stdout().is_terminal() {
        // At a terminal clap's print keeps the help's colours.
        let _ = e.print();
        return ExitCode::from(code);
    }
    let text = e.render().to_string();
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(w) if w.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(w) => {
            let term = Term::new(roster::term::ColorChoice::Auto, false);
            term.error(&format!("could not write the help: {w}"));
            ExitCode::from(1)
        }
    }
}

/// mimalloc asks for transparent huge pages, and with the common `defrag=madvise` setting the
/// kernel then compacts memory synchronously on page faults: a 1M-row diff spent 1-3 s in the
/// kernel instead of 0.2-0.8 s (`/usr/bin/time`, alternating runs; see README "Performance").
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
