//! `glacier completions SHELL`: the shell's completion script for every command and flag.

use anyhow::Result;
use clap_complete::Shell;

/// Print a completion script for your shell (commands, flags, file arguments).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier completions bash > ~/.local/share/bash-completion/completions/glacier\n  glacier completions zsh > ~/.zfunc/_glacier   # with fpath+=~/.zfunc before compinit\n  glacier completions fish > ~/.config/fish/completions/glacier.fish"
)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the script for `args.shell` describing `command` (the whole CLI) to stdout.
pub fn run(args: Args, mut command: clap::Command) -> Result<()> {
    let name = command.get_name().to_owned();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    Ok(())
}
