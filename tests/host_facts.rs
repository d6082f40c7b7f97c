//! `show` speaks of the machine that made the results: the host facts come
//! from meta.json, never from the machine showing them, and a fact an older
//! folder did not record is shown as unknown.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the committed nagle reference results (charts left out), with
/// meta.json changed by `edit`.
fn nagle_with(edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, PathBuf) {
    let from = Path::new("results/reference/nagle");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("nagle");
    fs::create_dir_all(&dir).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "png") {
            fs::copy(&path, dir.join(path.file_name().unwrap())).expect("copy");
        }
    }
    let text = fs::read_to_string(dir.join("meta.json")).expect("meta.json");
    let mut meta: Value = serde_json::from_str(&text).expect("json");
    edit(&mut meta);
    fs::write(dir.join("meta.json"), meta.to_string()).expect("write");
    (tmp, dir)
}

/// An edit of meta.json.
type Edit = fn(&mut Value);

/// `nianbao show dir`: (exit status, stdout, stderr).
fn show(dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["show", dir.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn show_prints_the_recorded_autocorking_not_this_machines() {
    // No Linux kernel takes 7 for tcp_autocorking: it can only come from meta.json.
    let (_tmp, dir) = nagle_with(|m| m["sysctls"]["net.ipv4.tcp_autocorking"] = "7".into());
    let (code, out, err) = show(&dir);
    assert!(code < 2, "{err}");
    assert!(out.contains("(net.ipv4.tcp_autocorking = 7)"), "{out}");
}

#[test]
fn a_fact_meta_json_lacks_is_unknown() {
    let (_tmp, dir) = nagle_with(|m| {
        m.as_object_mut().expect("object").remove("sysctls");
    });
    let (code, out, err) = show(&dir);
    assert!(code < 2, "{err}");
    assert!(
        out.contains("(net.ipv4.tcp_autocorking = unknown)"),
        "{out}"
    );
}

#[test]
fn host_facts_of_the_wrong_type_are_refused() {
    let cases: [(&str, Edit); 4] = [
        ("kernel_release: 6 is not a string", |m| {
            m["kernel_release"] = 6.into()
        }),
        (
            "sysctls.net.ipv4.tcp_autocorking: [] is not a string",
            |m| m["sysctls"]["net.ipv4.tcp_autocorking"] = Value::Array(vec![]),
        ),
        ("kernel_release: longer than 256 characters", |m| {
            m["kernel_release"] = "6".repeat(257).into()
        }),
        ("loopback_mtu: \"big\" is not a whole number", |m| {
            m["loopback_mtu"] = "big".into()
        }),
    ];
    for (want, edit) in cases {
        let (_tmp, dir) = nagle_with(edit);
        let (code, _, err) = show(&dir);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("meta.json: {want}")), "{want}: {err}");
    }
}
