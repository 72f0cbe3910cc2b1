//! The terminal: colour (`--color`, `NO_COLOR`, TTY), message prefixes, and the progress bar.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
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

impl Term {
    pub fn new(choice: ColorChoice, quiet: bool) -> Term {
        let tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Term {
            color,
            quiet,
            stderr_is_tty: tty,
        }
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

    pub fn detail(&self, message: &str) {
        line(format_args!("  {message}"));
    }

    /// A spinner on stderr for a long run, hidden unless stderr is a terminal.
    pub fn progress(&self, message: &'static str) -> indicatif::ProgressBar {
        if self.quiet || !self.stderr_is_tty {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}
