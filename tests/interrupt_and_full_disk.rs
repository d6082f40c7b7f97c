//! Real interruptions of real runs: SIGINT and SIGTERM sent mid-sweep, a
//! results folder on a small tmpfs that fills up, and one that is
//! read-only. Each time the old results stay whole, no temporary folder is
//! left, and the exit status says what happened. The tmpfs tests need root
//! (mount); without it they say they were skipped and why.

mod bounded;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn nianbao(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs to the end (at most 60 s): exit status and stderr.
fn finish(child: std::process::Child) -> (i32, String) {
    let r = bounded::finish(child, Duration::from_secs(60), "nianbao");
    (r.code, r.stderr)
}

/// Every file of a folder with its bytes, sorted.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".new-") || n.contains(".old"))
        .collect()
}

fn interrupted_mid_sweep(signal: nix::sys::signal::Signal, want: i32) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (code, err) = finish(
        nianbao(dir, &["run", "he-llo", "--out", "r"])
            .spawn()
            .expect("run"),
    );
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&dir.join("r"));
    // nagle with 20 trials runs for seconds: the signal comes mid-sweep.
    let child = nianbao(
        dir,
        &["run", "nagle", "--trials", "20", "--out", "r", "--quiet"],
    )
    .spawn()
    .expect("run");
    std::thread::sleep(Duration::from_millis(600));
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).expect("kill");
    let (code, err) = finish(child);
    assert_eq!(code, want, "{err}");
    assert!(err.contains("interrupted by"), "{err}");
    assert_eq!(
        snapshot(&dir.join("r")),
        before,
        "the old results are whole"
    );
    assert!(
        leftovers(dir).is_empty(),
        "left behind: {:?}",
        leftovers(dir)
    );
}

#[test]
fn sigint_mid_sweep_exits_130_and_keeps_the_old_results() {
    interrupted_mid_sweep(nix::sys::signal::Signal::SIGINT, 130);
}

#[test]
fn sigterm_mid_sweep_exits_143_and_keeps_the_old_results() {
    interrupted_mid_sweep(nix::sys::signal::Signal::SIGTERM, 143);
}

/// A small tmpfs mounted for one test, unmounted however the test ends.
struct Tmpfs {
    path: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (and a line saying why) where this process cannot mount.
    fn mount(size: &str) -> Option<Tmpfs> {
        if !nix::unistd::geteuid().is_root() {
            println!("skipped: mounting a tmpfs needs root (CI runs as root)");
            return None;
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("m");
        std::fs::create_dir(&path).expect("mkdir");
        let opts = format!("size={size}");
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &opts,
                "nianbao-test",
                path.to_str().expect("utf-8"),
            ])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("skipped: `mount -t tmpfs` failed here (a container without CAP_SYS_ADMIN?)");
            return None;
        }
        Some(Tmpfs { path, _tmp: tmp })
    }

    fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", opts, self.path.to_str().expect("utf-8")])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount {opts}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills the filesystem at `dir` up to all but `keep` bytes.
fn fill(dir: &Path, keep: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(dir.join("filler")).expect("filler");
    let chunk = vec![0u8; 4096];
    loop {
        let st = nix::sys::statvfs::statvfs(dir).expect("statvfs");
        let free = st.blocks_available() as u64 * st.fragment_size() as u64;
        if free <= keep || f.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = f.sync_all();
}

#[test]
fn a_full_disk_fails_the_run_and_keeps_the_old_results() {
    let Some(fs) = Tmpfs::mount("4m") else { return };
    let (code, err) = finish(
        nianbao(&fs.path, &["run", "hellofeng", "--out", "r"])
            .spawn()
            .expect("run"),
    );
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&fs.path.join("r"));
    // Room for the CSVs but not for the charts: the run fails mid-write.
    fill(&fs.path, 48 << 10);
    let (code, err) = finish(
        nianbao(&fs.path, &["run", "hellofeng", "--out", "r"])
            .spawn()
            .expect("run"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("No space left on device") && err.contains(".new-"),
        "{err}"
    );
    assert_eq!(
        snapshot(&fs.path.join("r")),
        before,
        "the old results are whole"
    );
    assert!(
        leftovers(&fs.path).is_empty(),
        "left behind: {:?}",
        leftovers(&fs.path)
    );
}

#[test]
fn a_read_only_target_fails_the_run_and_keeps_the_old_results() {
    let Some(fs) = Tmpfs::mount("4m") else { return };
    let (code, err) = finish(
        nianbao(&fs.path, &["run", "he-llo", "--out", "r"])
            .spawn()
            .expect("run"),
    );
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&fs.path.join("r"));
    fs.remount("remount,ro");
    let (code, err) = finish(
        nianbao(&fs.path, &["run", "he-llo", "--out", "r"])
            .spawn()
            .expect("run"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
    assert_eq!(
        snapshot(&fs.path.join("r")),
        before,
        "the old results are whole"
    );
}
