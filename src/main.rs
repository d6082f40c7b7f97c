//! The `nianbao` binary: parse arguments, run the command, print the error
//! chain (made terminal-safe: it may quote a file). Exit status: 0
//! reproduced, 1 an `[expect]` did not, 2 an error.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = nianbao::cli::Cli::parse();
    match nianbao::app::execute(cli.command) {
        Ok(outcome) => {
            let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
            if outcome.reproduced {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            let text = format!("{:#}", anyhow::Error::from(e));
            eprintln!("error: {}", nianbao::units::terminal_safe(&text));
            ExitCode::from(2)
        }
    }
}
