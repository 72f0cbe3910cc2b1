//! `roster completions SHELL`.

use crate::cli::Cli;
use crate::error::Result;
use clap::CommandFactory;

pub fn run(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "roster", &mut std::io::stdout());
    Ok(0)
}
