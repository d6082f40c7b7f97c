//! Snapshots (insta) of what every named experiment prints, read back from
//! its committed reference results with `show` (the same text `run`
//! printed), so a change of wording or layout shows in review. Times and
//! rates, which differ from run to run, are masked; everything else is as
//! printed. After an intended change: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test snapshots_text`).

use nianbao::experiment::CATALOGUE;
use std::process::Command;

/// Masks what timing decides and the reference run happened to measure:
/// a duration measured ("sent by 218us", "read at 50.2ms"; configured ones
/// such as "starts 50ms late" stay) and the msgs/s column of sweep tables.
/// Counts that timing decides in nagle or short-write stay: they change only
/// when the references are regenerated, and then the diff is worth a look.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("  scenario ") && line.contains("msgs/s") {
            in_table = true;
        } else if line.starts_with("  (means") {
            in_table = false;
        }
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        for k in 1..words.len() {
            let measured = matches!(words[k - 1].as_str(), "by" | "at");
            let w = &words[k];
            let digits = w.trim_end_matches(|c: char| !c.is_ascii_digit());
            let unit = &w[digits.len()..];
            let is_time = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                && ["ns", "us", "µs", "ms", "s"]
                    .iter()
                    .any(|u| unit.trim_end_matches([',', '.', ';', ')']) == *u);
            if measured && is_time {
                words[k] = format!(
                    "<t>{}",
                    unit.trim_start_matches(|c: char| c.is_alphabetic() || c == 'µ')
                );
            }
        }
        if in_table && !line.starts_with("  scenario ") {
            // msgs/s: the second-to-last column.
            let n = words.iter().rposition(|w| !w.is_empty()).unwrap_or(0);
            if let Some(i) = words[..n].iter().rposition(|w| !w.is_empty()) {
                words[i] = "<rate>".into();
            }
        }
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

#[test]
fn every_named_experiment_prints_as_reviewed() {
    for b in CATALOGUE {
        let dir = format!("results/reference/{}", b.name);
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(["show", &dir])
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = mask(&String::from_utf8_lossy(&out.stdout));
        insta::assert_snapshot!(b.name, text);
    }
}

#[test]
fn masking_hides_times_and_keeps_the_rest() {
    assert_eq!(
        mask("sent by 218us and the receiver, starting 50ms late, read at 50.2ms, so"),
        "sent by <t> and the receiver, starting 50ms late, read at <t>, so\n"
    );
}
