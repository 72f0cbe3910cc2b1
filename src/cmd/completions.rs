//! `roster completions SHELL`.

use crate::cli::Cli;
use crate::error::Result;
use clap::CommandFactory;

/// The script is built in memory and written like every other output: `clap_complete`
/// panics on a write error, and `roster completions bash | head -1` closes the pipe early.
pub fn run(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "roster", &mut script);
    super::write_output(None, &script)?;
    Ok(0)
}
