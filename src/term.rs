//! The terminal: colour (`--color`, `NO_COLOR`, TTY), its width, message prefixes, the
//! progress bar, and [`visible`], which every value from outside passes through on its way to
//! a person.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// `s` with its control characters made visible (`\n`, `\t`, `\u{1b}`, as Rust escapes them),
/// and the bidirectional overrides too (`\u{202e}`), so that a value that came from outside (a
/// file, a request, the store) keeps to its line and cannot move the cursor, clear the screen,
/// set the terminal's title or reorder what is shown. The one helper for tables, the plan,
/// the log and messages; JSON is never escaped this way.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A character a terminal acts on instead of showing it.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

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

/// A message's lines, each made [`visible`]: a value quoted in it cannot act on the terminal.
fn shown(message: &str) -> String {
    message
        .split('\n')
        .map(visible)
        .collect::<Vec<_>>()
        .join("\n")
}

/// How messages for people are written to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    pub color: bool,
    pub quiet: bool,
    pub stderr_is_tty: bool,
}

/// The width assumed at a terminal whose size cannot be read, when `COLUMNS` does not say.
pub const DEFAULT_WIDTH: usize = 80;

/// The width of output that is not a terminal (a pipe, a file): no limit, so that tables never
/// wrap and each record stays on one line for `grep` and `awk`.
pub const UNLIMITED: usize = usize::MAX;

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
    /// a terminal (`COLUMNS`, else [`DEFAULT_WIDTH`], when its size cannot be read); otherwise
    /// (a pipe, a file) [`UNLIMITED`]: one record a line, never wrapped.
    pub fn width() -> usize {
        if !std::io::stdout().is_terminal() {
            return UNLIMITED;
        }
        // comfy-table measures the terminal (through crossterm) when stdout is one.
        comfy_table::Table::new()
            .width()
            .filter(|w| *w > 0)
            .map(usize::from)
            .or_else(columns_env)
            .unwrap_or(DEFAULT_WIDTH)
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
        line(format_args!(
            "{}: {}",
            self.paint("error", "31"),
            shown(message)
        ));
    }

    pub fn warning(&self, message: &str) {
        if !self.quiet {
            line(format_args!(
                "{}: {}",
                self.paint("warning", "33"),
                shown(message)
            ));
        }
    }

    pub fn hint(&self, message: &str) {
        if !self.quiet {
            line(format_args!(
                "{}: {}",
                self.paint("hint", "36"),
                shown(message)
            ));
        }
    }

    /// A line for people about what roster is doing (not a warning), unless `--quiet`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            line(format_args!("{}", shown(message)));
        }
    }

    pub fn detail(&self, message: &str) {
        line(format_args!("  {}", shown(message)));
    }

    /// A spinner on stderr for a long run, hidden unless stderr is a terminal.
    /// One line on stderr, redrawn in place ([`SpinnerLine`]).
    pub fn progress(&self) -> indicatif::ProgressBar {
        if self.quiet || !self.stderr_is_tty {
            return indicatif::ProgressBar::hidden();
        }
        clear_line_on_interrupt();
        let target = indicatif::ProgressDrawTarget::term_like_with_hz(Box::new(SpinnerLine), 20);
        let bar = indicatif::ProgressBar::with_draw_target(None, target);
        bar.set_style(indicatif::ProgressStyle::default_spinner());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}

/// stderr as indicatif draws on it, two columns narrower than it is. indicatif pads its line to
/// the terminal's last column, where the next character written (the `^C` the terminal echoes
/// on Ctrl-C) wraps to a new line, and the erase of [`clear_line_on_interrupt`] then clears
/// that line and leaves the spinner's; two columns spare hold the `^C` on the spinner's line.
#[derive(Debug)]
struct SpinnerLine;

/// Whether Ctrl-C has ended the spinner: its frames and the Ctrl-C erase both hold this lock,
/// so no frame is written after the erase (one drawn while roster was dying of the signal came
/// back over it).
static INTERRUPTED: Mutex<bool> = Mutex::new(false);

fn interrupted() -> MutexGuard<'static, bool> {
    INTERRUPTED.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SpinnerLine {
    fn write(&self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        let interrupted = interrupted();
        match *interrupted {
            true => Ok(()),
            false => std::io::stderr().lock().write_all(text.as_bytes()),
        }
    }
}

impl indicatif::TermLike for SpinnerLine {
    fn width(&self) -> u16 {
        let columns = stderr_columns().unwrap_or(DEFAULT_WIDTH);
        u16::try_from(columns.saturating_sub(2).max(10)).unwrap_or(u16::MAX)
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            Ok(())
        } else {
            self.write(&format!("\x1b[{n}A"))
        }
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            Ok(())
        } else {
            self.write(&format!("\x1b[{n}B"))
        }
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            Ok(())
        } else {
            self.write(&format!("\x1b[{n}C"))
        }
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            Ok(())
        } else {
            self.write(&format!("\x1b[{n}D"))
        }
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.write(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.write("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        use std::io::Write;
        std::io::stderr().flush()
    }
}

/// The columns of the terminal on stderr, where the spinner is drawn (`None`: not known).
#[cfg(target_os = "linux")]
pub fn stderr_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a plain struct of integers that we own.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut size) };
    (rc == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(target_os = "linux"))]
pub fn stderr_columns() -> Option<usize> {
    None
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
/// ctrlc runs [`erase_and_die`] on a thread of its own, where it can take the spinner's lock.
fn clear_line_on_interrupt() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Refused only if another handler is set; roster sets none, and then Ctrl-C kills it
        // as before, only without the erase.
        let _ = ctrlc::set_handler(erase_and_die);
    });
}

/// The terminal echoes `^C` just after it sends the signal; the erase waits that long so as to
/// take the echo with the spinner's line.
const ECHO_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

fn erase_and_die() {
    use std::io::Write;
    let mut interrupted = interrupted();
    *interrupted = true;
    std::thread::sleep(ECHO_WAIT);
    let _ = std::io::stderr().lock().write_all(b"\r\x1b[2K");
    die_of_sigint();
}

/// Ends roster as killed by SIGINT, as a shell expects of a program stopped by Ctrl-C.
#[cfg(target_os = "linux")]
fn die_of_sigint() -> ! {
    // SAFETY: restores the default action of SIGINT and raises it on this thread, where it is
    // not blocked: the process ends there.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
    std::process::exit(130)
}

#[cfg(not(target_os = "linux"))]
fn die_of_sigint() -> ! {
    std::process::exit(130)
}
