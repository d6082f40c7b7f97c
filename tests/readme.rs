//! Every command of the README's "Usage by example" block, run as written
//! (in a fresh folder, in order, so `show results/hellofeng` reads what the
//! run before it wrote), shows what its comment promises. A command added
//! to the README without an entry here fails the test.

use std::path::Path;
use std::process::Command;

/// What a README command must do: its exit status and words its output holds.
struct Promise {
    /// The command as the README writes it, without its comment.
    command: &'static str,
    code: i32,
    words: &'static [&'static str],
}

const PROMISES: &[Promise] = &[
    Promise {
        command: "nianbao list",
        code: 0,
        words: &["hellofeng", "json-header-file"],
    },
    Promise {
        command: "nianbao run he-llo",
        code: 0,
        words: &["|he|llo feng|", "fragment"],
    },
    Promise {
        command: "nianbao run hellofeng --set sender.gap=50ms --set receiver.start_delay=0",
        code: 1,
        words: &["|hello|feng|", "whole", "NOT reproduced"],
    },
    Promise {
        command: "nianbao run hellofeng --set transport.ip=::1",
        code: 0,
        words: &["tcp ::1", "sticky 粘包"],
    },
    Promise {
        command: "nianbao run nagle",
        code: 0,
        words: &["sender.nodelay", "24 trials"],
    },
    Promise {
        command: "nianbao run hellofeng --set receiver.start_delay=50ms --sweep sender.gap=0,1ms,100ms --trials 5",
        code: 1,
        words: &[
            "sender.gap=100ms                      100.0%",
            "sender.gap=1ms                          0.0%  100.0%",
        ],
    },
    Promise {
        command: "nianbao run my-experiment.toml --out /tmp/r",
        code: 0,
        words: &["mine", "Results: "],
    },
    Promise {
        command: "nianbao run --all --trials 20",
        code: 0,
        words: &[
            "hellofeng                 20/20",
            "hostile-length            20/20",
        ],
    },
    Promise {
        command: "nianbao show results/hellofeng",
        code: 0,
        words: &["|hello·feng|", "Reproduced"],
    },
    Promise {
        command: "nianbao plot results/nagle --metric merged_fraction",
        code: 0,
        words: &["results/nagle/sweep.png"],
    },
    Promise {
        command: "nianbao run he-llo --format json",
        code: 0,
        words: &["\"kind\": \"fragment\""],
    },
    Promise {
        command: "nianbao completions bash > ~/.local/share/bash-completion/completions/nianbao",
        code: 0,
        words: &["complete -F", "nianbao"],
    },
    Promise {
        command: "nianbao man | man -l -",
        code: 0,
        words: &[".TH nianbao 1"],
    },
];

/// The commands of the README's "Usage by example" block, comments cut.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("## Usage by example")
        .nth(1)
        .and_then(|rest| rest.split("```sh").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("a ```sh block under ## Usage by example");
    block
        .lines()
        .filter(|l| l.starts_with("nianbao "))
        .map(|l| l.split(" # ").next().unwrap_or(l).trim().to_string())
        .collect()
}

/// Runs one README command in `dir`: `/tmp/r` becomes a folder of `dir`;
/// a shell redirect or pipe is left off (the test reads stdout itself).
fn run(command: &str, dir: &Path) -> (i32, String) {
    let words: Vec<String> = command
        .split_whitespace()
        .take_while(|w| *w != ">" && *w != "|")
        .skip(1)
        .map(|w| match w {
            "/tmp/r" => dir.join("r").display().to_string(),
            w => w.to_string(),
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(&words)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn every_readme_command_shows_what_it_promises() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The README's three-line experiment file, as a user would save it.
    std::fs::write(
        tmp.path().join("my-experiment.toml"),
        "name = \"mine\"\n[sender]\nmessages = [\"hello\", \"feng\"]\n",
    )
    .expect("write");
    let commands = readme_commands();
    assert!(commands.len() >= 10, "found {commands:?}");
    let mut failures = Vec::new();
    for command in &commands {
        let Some(p) = PROMISES.iter().find(|p| p.command == command) else {
            failures.push(format!("{command}: no promise in tests/readme.rs; add one"));
            continue;
        };
        let (code, out) = run(command, tmp.path());
        let missing: Vec<_> = p.words.iter().filter(|w| !out.contains(**w)).collect();
        if code != p.code || !missing.is_empty() {
            failures.push(format!(
                "{command}: exit {code} (want {}), missing {missing:?}\n{out}",
                p.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_commands_leave_git_status_clean() {
    // `run NAME` writes results/NAME under the current folder: in a clone
    // that is ignored, while the committed references stay tracked.
    let repo = env!("CARGO_MANIFEST_DIR");
    let ignored = |path: &str| {
        Command::new("git")
            .args(["check-ignore", "-q", path])
            .current_dir(repo)
            .status()
            .map(|s| s.success())
    };
    match (
        ignored("results/hellofeng/recvs.csv"),
        ignored("results/reference/hellofeng/recvs.csv"),
    ) {
        (Ok(user), Ok(reference)) => {
            assert!(user, "results/NAME/ must be ignored by git");
            assert!(!reference, "results/reference/ must stay tracked");
        }
        _ => println!("skipped: git is not installed here"),
    }
}
