//! `nianbao completions SHELL` and `nianbao man`: generated from the clap
//! definitions, so these check they stay whole and name what a user types.

use std::io::Write;
use std::process::{Command, Stdio};

fn nianbao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `program --version` runs here (bash and man are optional).
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `program args` with `input` on stdin: (success, stdout + stderr).
fn pipe(program: &str, args: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("writes stdin");
    }
    let out = child.wait_with_output().expect("waits");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn every_completion_script_names_the_commands_and_a_flag() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, script, err) = nianbao(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        for word in ["run", "show", "plot", "list", "max-runs", "ruler-messages"] {
            assert!(script.contains(word), "{shell} script lacks `{word}`");
        }
    }
}

#[test]
fn bash_accepts_the_bash_completion_script() {
    if !have("bash") {
        eprintln!("skipped: no bash here");
        return;
    }
    let (_, script, _) = nianbao(&["completions", "bash"]);
    let (ok, msg) = pipe("bash", &["-n"], &script);
    assert!(ok, "bash -n rejects the script: {msg}");
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let (code, out, err) = nianbao(&["completions", "tcsh"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("bash") && err.contains("zsh"), "{err}");
}

/// The first line that is not a roff conditional (clap_mangen opens with
/// `.ie`/`.el` lines that define a quote string).
fn header(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap_or("")
}

#[test]
fn the_man_page_is_roff_and_lists_the_commands() {
    let (code, page, err) = nianbao(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(header(&page).starts_with(".TH nianbao 1"), "{page}");
    for sub in ["nianbao\\-run(1)", "nianbao\\-show(1)", "nianbao\\-man(1)"] {
        assert!(page.contains(sub), "lacks {sub}: {page}");
    }
    assert!(
        !page.contains("nianbao\\-help"),
        "no page for `help` exists"
    );
}

#[test]
fn a_command_has_its_own_man_page_with_its_options() {
    let (code, page, err) = nianbao(&["man", "run"]);
    assert_eq!(code, 0, "{err}");
    assert!(header(&page).starts_with(".TH nianbao-run 1"), "{page}");
    assert!(page.contains("max\\-runs"), "{page}");
    let (code, _, err) = nianbao(&["man", "rnu"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no command `rnu`") && err.contains("run"),
        "{err}"
    );
}

#[test]
fn man_renders_the_page_when_it_is_installed() {
    if !have("man") {
        eprintln!("skipped: no man here");
        return;
    }
    let (_, page, _) = nianbao(&["man", "run"]);
    let (ok, shown) = pipe("man", &["-l", "-"], &page);
    if !ok && shown.contains("groff") {
        eprintln!("skipped: man cannot format here: {shown}");
        return;
    }
    assert!(ok, "man -l - fails: {shown}");
    assert!(shown.contains("--max-runs"), "{shown}");
}
