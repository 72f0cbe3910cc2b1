//! The terminal: colour (`--color`, `NO_COLOR`, TTY), its width, message prefixes, and the
//! progress bar.

use std::io::IsTerminal;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// One line on stderr. `eprintln!` panics when stderr cannot be written (a closed pipe, a full
/// disk: `2>/dev/full`); a message that cannot be shown is dropped instead (issue 17).
fn line(text: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// How messages for people are written to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    pub color: bool,
    pub quiet: bool,
    pub stderr_is_tty: bool,
}

/// The width assumed when stdout is not a terminal and `COLUMNS` does not say.
pub const DEFAULT_WIDTH: usize = 80;

impl Term {
    pub fn new(choice: ColorChoice, quiet: bool) -> Term {
        let tty = std::io::stderr().is_terminal();
        Term {
            color: colored(choice, tty),
            quiet,
            stderr_is_tty: tty,
        }
    }

    /// The columns tables and the plan may take on stdout: the terminal's width when stdout is
    /// a terminal; otherwise (a pipe, a file) `COLUMNS` when it is a positive number, else
    /// [`DEFAULT_WIDTH`], so that redirected output is the same on every machine.
    pub fn width() -> usize {
        if std::io::stdout().is_terminal() {
            // comfy-table measures the terminal (through crossterm) when stdout is one.
            if let Some(w) = comfy_table::Table::new().width().filter(|w| *w > 0) {
                return usize::from(w);
            }
        }
        columns_env().unwrap_or(DEFAULT_WIDTH)
    }

    /// Whether output on stdout (the plan) is coloured: `--color always|never`, else only
    /// when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn stdout_color(choice: ColorChoice) -> bool {
        colored(choice, std::io::stdout().is_terminal())
    }

    fn paint(&self, word: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[1;{code}m{word}\x1b[0m")
        } else {
            word.to_string()
        }
    }

    pub fn error(&self, message: &str) {
        line(format_args!("{}: {message}", self.paint("error", "31")));
    }

    pub fn warning(&self, message: &str) {
        if !self.quiet {
            line(format_args!("{}: {message}", self.paint("warning", "33")));
        }
    }

    pub fn hint(&self, message: &str) {
        if !self.quiet {
            line(format_args!("{}: {message}", self.paint("hint", "36")));
        }
    }

    /// A line for people about what roster is doing (not a warning), unless `--quiet`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            line(format_args!("{message}"));
        }
    }

    pub fn detail(&self, message: &str) {
        line(format_args!("  {message}"));
    }

    /// A spinner on stderr for a long run, hidden unless stderr is a terminal.
    pub fn progress(&self, message: &'static str) -> indicatif::ProgressBar {
        if self.quiet || !self.stderr_is_tty {
            return indicatif::ProgressBar::hidden();
        }
        clear_line_on_interrupt();
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}

fn colored(choice: ColorChoice, tty: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && !no_color,
    }
}

fn columns_env() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|w| *w > 0)
}

/// Ctrl-C while the spinner is drawn: erase its line before roster dies of the signal, so the
/// shell's prompt starts on a clean line (the store keeps all of the import or none of it).
#[cfg(target_os = "linux")]
fn clear_line_on_interrupt() {
    extern "C" fn on_interrupt(_: libc::c_int) {
        const CLEAR: &[u8] = b"\r\x1b[2K";
        // SAFETY: write, signal and raise are async-signal-safe; CLEAR is static. The default
        // action is restored and the signal raised again, so roster ends as killed by SIGINT.
        unsafe {
            libc::write(2, CLEAR.as_ptr().cast(), CLEAR.len());
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::raise(libc::SIGINT);
        }
    }
    let handler: extern "C" fn(libc::c_int) = on_interrupt;
    // SAFETY: installs a handler that only makes async-signal-safe calls.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
    }
}

#[cfg(not(target_os = "linux"))]
fn clear_line_on_interrupt() {}
