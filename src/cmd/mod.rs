//! One module per subcommand: wiring only. `import` strings the pipeline together.

pub mod admin;
pub mod backup;
pub mod completions;
pub mod export;
pub mod history;
pub mod import;
pub mod invitations;
pub mod invite;
pub mod keys;
pub mod log;
pub mod man;
pub mod members;
pub mod refusal;
pub mod serve;
pub mod store;
pub mod template;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::{Error, Result};
use crate::store::{Location, MemberRecord, Store};
use crate::term::Term;
use std::path::PathBuf;

/// Runs a command; returns the exit code of a success (0, or 3 for `--detailed-exitcode`).
pub fn run(cli: Cli, term: &Term) -> Result<u8> {
    let global = &cli.global;
    match cli.command {
        Command::Import(args) => import::run(&args, global, term, false),
        Command::Diff(args) => import::run(&args, global, term, true),
        Command::Export(args) => export::run(&args, global),
        Command::Template { teams } => template::run(teams),
        Command::Imports { command } => history::imports(command, global, term),
        Command::Log(args) => log::log(&args, global),
        Command::Members { command, operator } => {
            members::run(command, operator.as_deref(), global, term)
        }
        Command::Invite(args) => invite::run(&args, global, term),
        Command::Invitations { command } => invitations::run(command, global, term),
        Command::Labels { command, operator } => {
            admin::labels(command, &self::operator(operator.as_deref()), global)
        }
        Command::Forms { command, operator } => {
            admin::forms(command, &self::operator(operator.as_deref()), global)
        }
        Command::Config { command, operator } => {
            admin::config(command, &self::operator(operator.as_deref()), global, term)
        }
        Command::Backup { path } => backup::run(&path, global),
        Command::Serve(args) => serve::run(&args, global),
        Command::Keys { command } => keys::run(command, global),
        Command::Store { command } => store::run(command, global),
        Command::Completions { shell } => completions::run(shell),
        Command::Man(args) => man::run(&args),
    }
}

/// The store `--db` (else `$ROSTER_DB`, else `./roster.db`) names.
pub fn location(global: &GlobalArgs) -> Location {
    Location::parse(&global.db)
}

/// Opens the store, creating it on first use.
pub fn open_store(global: &GlobalArgs) -> Result<Store> {
    Ok(crate::store::open(&location(global))?)
}

/// Opens the store for a command that only reads: a store that does not exist is refused
/// (SPEC §2), and nothing is created (no file, no `-wal`, no lock).
pub fn open_existing(global: &GlobalArgs) -> Result<Store> {
    let location = location(global);
    if !location.exists() {
        return Err(Error::NoStore(location.display()));
    }
    Ok(crate::store::open(&location)?)
}

/// Opens the store for a command: one that only reads ([`open_existing`]) never creates it.
pub fn open(reads_only: bool, global: &GlobalArgs) -> Result<Store> {
    match reads_only {
        true => open_existing(global),
        false => open_store(global),
    }
}

/// Refuses a store that does not exist (SPEC §2's message), for a command that must not
/// create one (`serve`, `invitations send`, `keys list`) but opens it its own way.
pub fn require_existing(global: &GlobalArgs) -> Result<()> {
    let location = location(global);
    match location.exists() {
        true => Ok(()),
        false => Err(Error::NoStore(location.display())),
    }
}

/// The member `roster members ... ID` names (email, external_id or phone), or the contract's
/// not-found error.
pub fn find_member(store: &Store, id: &str) -> Result<MemberRecord> {
    store
        .find_member(id)?
        .ok_or_else(|| Error::MemberNotFound(id.to_string()))
}

/// The login user, for history and the audit log: `$USER`, `$LOGNAME`, `$USERNAME`, else the
/// OS account's name (systemd timers and containers set no `USER`), else `uid N`.
pub fn login_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(os_account)
        .unwrap_or_else(|| "unknown".to_string())
}

/// `--operator NAME`, else the login user.
pub fn operator(given: Option<&str>) -> String {
    given.map_or_else(login_user, str::to_string)
}

/// The name of the account this process runs as (`getpwuid_r`), or `uid N` when the account
/// database has no entry for it.
#[cfg(target_os = "linux")]
fn os_account() -> Option<String> {
    // SAFETY: geteuid cannot fail and touches no memory.
    let uid = unsafe { libc::geteuid() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain data; getpwuid_r fills it with pointers into `buf`, which
    // outlives every read of them below.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut entry, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() || entry.pw_name.is_null() {
        return Some(format!("uid {uid}"));
    }
    // SAFETY: pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
    Some(name.to_string_lossy().into_owned()).filter(|n| !n.is_empty())
}

#[cfg(not(target_os = "linux"))]
fn os_account() -> Option<String> {
    None
}

/// A line on stdout; a closed pipe is an `Io` error (exit 0), not a panic as with `println!`.
pub fn say(text: &str) -> Result<()> {
    write_output(None, format!("{text}\n").as_bytes())
}

/// A line for people on stdout whose values came from outside (the store, a file): their
/// control characters made visible ([`crate::term::visible`]).
pub fn tell(text: &str) -> Result<()> {
    say(&crate::term::visible(text))
}

pub fn say_json<T: serde::Serialize>(value: &T) -> Result<()> {
    say(&serde_json::to_string_pretty(value).map_err(std::io::Error::other)?)
}

/// Writes to `-o PATH` (exactly where the user said) or to stdout.
pub fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = Output::create(path)?;
    out.write_all(bytes).map_err(|e| out.error(e))?;
    out.finish()
}

/// Output to `-o PATH` or stdout, written as it is produced. A regular file is written beside
/// its destination and renamed into place by [`Output::finish`], so a failed run never leaves
/// a half-written file (and never touches a store: SQLite files are refused).
pub struct Output {
    writer: std::io::BufWriter<Box<dyn std::io::Write>>,
    path: Option<PathBuf>,
    /// The file being written, renamed to `path` when complete.
    partial: Option<PathBuf>,
}

impl Output {
    pub fn create(path: Option<&std::path::Path>) -> Result<Output> {
        let Some(p) = path else {
            return Ok(Output::new(Box::new(std::io::stdout().lock()), None, None));
        };
        if is_sqlite_file(p) {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} is an SQLite database (a roster store?); roster will not overwrite it.",
                    p.display()
                ),
            )));
        }
        // Devices, pipes (`-o /dev/stdout`) and symlinks are written in place.
        let special = std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_file());
        let partial = (!special).then(|| partial_path(p));
        let file = std::fs::File::create(partial.as_deref().unwrap_or(p))
            .map_err(|e| write_error(p, e))?;
        Ok(Output::new(Box::new(file), Some(p.to_path_buf()), partial))
    }

    fn new(
        inner: Box<dyn std::io::Write>,
        path: Option<PathBuf>,
        partial: Option<PathBuf>,
    ) -> Output {
        Output {
            writer: std::io::BufWriter::with_capacity(1 << 20, inner),
            path,
            partial,
        }
    }

    /// A write error, naming the file.
    pub fn error(&self, e: std::io::Error) -> Error {
        match &self.path {
            Some(p) => write_error(p, e),
            None => Error::Io(e),
        }
    }

    pub fn finish(mut self) -> Result<()> {
        use std::io::Write;
        self.writer.flush().map_err(|e| self.error(e))?;
        if let (Some(partial), Some(path)) = (self.partial.take(), &self.path) {
            std::fs::rename(&partial, path).map_err(|e| write_error(path, e))?;
        }
        Ok(())
    }
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(partial) = &self.partial {
            std::fs::remove_file(partial).ok();
        }
    }
}

/// `dir/.name.partial`, beside the destination so that the rename stays on one file system.
fn partial_path(path: &std::path::Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

fn write_error(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(
        e.kind(),
        format!("could not write {}: {e}", path.display()),
    ))
}

/// Whether `path` is an SQLite database or write-ahead log: `-o` and `--errors-csv` must never
/// overwrite a store (`roster export -o roster.db` would destroy it).
fn is_sqlite_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    read.is_ok()
        && (head == *b"SQLite format 3\0" || matches!(head[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83]))
}
