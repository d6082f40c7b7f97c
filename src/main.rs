//! The `nianbao` binary: parse arguments, run the command, print the error
//! chain (made terminal-safe: it may quote a file). Exit status: 0
//! reproduced, 1 an `[expect]` did not, 2 an error.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match nianbao::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help, --version and usage errors: said where clap says them,
        // and a stdout that cannot take the help is an error, not a 0.
        Err(e) => {
            let text = e.render().to_string();
            let code = e.exit_code() as u8;
            if e.use_stderr() {
                let _ = std::io::stderr().write_all(text.as_bytes());
                return ExitCode::from(code);
            }
            return match print(text.as_bytes()) {
                Ok(()) => ExitCode::from(code),
                Err(e) => fail(&anyhow::Error::from(e).context("cannot write to stdout"), 2),
            };
        }
    };
    nianbao::interrupt::install();
    match nianbao::app::execute(cli.command) {
        Ok(outcome) => {
            if let Err(e) = print(outcome.stdout.as_bytes()) {
                return fail(&anyhow::Error::from(e).context("cannot write to stdout"), 2);
            }
            // `trace` ends with the traced command's own status.
            if let Some(status) = outcome.status {
                return ExitCode::from(status);
            }
            match (nianbao::interrupt::pending(), outcome.reproduced) {
                (Some(signal), _) => {
                    ExitCode::from(nianbao::error::Error::Interrupted { signal }.exit_code())
                }
                (None, true) => ExitCode::SUCCESS,
                (None, false) => ExitCode::from(1),
            }
        }
        Err(e) => {
            let code = e.exit_code();
            fail(&anyhow::Error::from(e), code)
        }
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints the error chain on one line, with every control character
/// escaped (an error may quote a value from a downloaded file).
fn fail(e: &anyhow::Error, code: u8) -> ExitCode {
    let text: String = format!("{e:#}")
        .chars()
        .flat_map(|c| match c.is_control() {
            true => c.escape_default().collect::<Vec<_>>(),
            false => vec![c],
        })
        .collect();
    let _ = writeln!(std::io::stderr(), "error: {text}");
    ExitCode::from(code)
}
