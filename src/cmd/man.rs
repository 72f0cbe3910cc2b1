//! `roster man [COMMAND...] [--out-dir DIR]`: manual pages generated from the command line's
//! own definitions (`clap_mangen`), so that they never disagree with `--help`.

use crate::cli::{Cli, ManArgs};
use crate::error::{Code, Error, Result};
use clap::CommandFactory;
use std::path::Path;

pub fn run(args: &ManArgs) -> Result<u8> {
    let mut root = Cli::command().disable_help_subcommand(true);
    // Built from the root, every command carries its display name (`roster-members-ban`).
    root.build();
    if let Some(dir) = &args.out_dir {
        write_pages(&root, dir).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                crate::error::msg::man_pages_unwritable(&dir.display().to_string(), &e),
            ))
        })?;
        return Ok(0);
    }
    let mut roff = Vec::new();
    man(find(root, &args.command)?).render(&mut roff)?;
    super::write_output(None, &roff)?;
    Ok(0)
}

/// One page, its footer naming roster and its version (subcommands have no version).
fn man(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("roster {}", env!("CARGO_PKG_VERSION")))
}

/// `roster.1`, `roster-import.1`, ... `roster-members-ban.1`: one page per visible command.
fn write_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    man(cmd.clone()).generate_to(dir).map(drop)
}

/// The command that `words` (`["members", "ban"]`, or `["members ban"]`) name.
fn find(root: clap::Command, words: &[String]) -> Result<clap::Command> {
    let mut cmd = root;
    for word in words.iter().flat_map(|w| w.split_whitespace()) {
        let Some(sub) = cmd.find_subcommand(word).cloned() else {
            let parent = cmd.get_bin_name().unwrap_or("roster").to_string();
            return Err(Error::Refusal(
                Code::UnknownCommand,
                crate::error::msg::no_such_command(&parent, word),
            ));
        };
        cmd = sub;
    }
    Ok(cmd)
}
