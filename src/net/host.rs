//! Facts about the machine a run ran on that shape what it shows: the
//! kernel release, the sysctls that change TCP's behaviour and the loopback
//! MTU. [`HostFacts::probe`] reads them once per run; `run` writes them
//! into meta.json and `show` reads them back from there, so a report always
//! speaks of the machine that made the results, never of the one showing them.

use std::collections::BTreeMap;

/// The sysctls that shape what an experiment shows, as paths under /proc/sys.
pub const SYSCTLS: &[&str] = &[
    "net/ipv4/tcp_autocorking",
    "net/ipv4/tcp_rmem",
    "net/ipv4/tcp_wmem",
    "net/core/rmem_default",
    "net/core/rmem_max",
    "net/core/wmem_default",
    "net/core/wmem_max",
];

/// The sysctl that lets Linux hold small writes while earlier data is queued.
pub const TCP_AUTOCORKING: &str = "net.ipv4.tcp_autocorking";

/// What the host was like during a run; `None` is a fact unknown (not
/// readable then, or not recorded in an older results folder).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// The running kernel's release, like `6.1.0-18-amd64`.
    pub kernel_release: Option<String>,
    /// Each sysctl by its dotted name (`net.ipv4.tcp_rmem`), its value with
    /// tabs as spaces.
    pub sysctls: BTreeMap<String, Option<String>>,
    /// The loopback interface's MTU in bytes.
    pub loopback_mtu: Option<u64>,
}

impl HostFacts {
    /// Reads every fact from this machine (uname, /proc/sys, /sys/class/net).
    pub fn probe() -> HostFacts {
        HostFacts {
            kernel_release: kernel_release(),
            sysctls: SYSCTLS
                .iter()
                .map(|k| {
                    (
                        dotted(k),
                        read_trim(&format!("/proc/sys/{k}")).map(|v| v.replace('\t', " ")),
                    )
                })
                .collect(),
            loopback_mtu: read_trim("/sys/class/net/lo/mtu").and_then(|s| s.parse().ok()),
        }
    }

    /// A sysctl's value by its dotted name, when known.
    pub fn sysctl(&self, name: &str) -> Option<&str> {
        self.sysctls.get(name)?.as_deref()
    }

    /// `net.ipv4.tcp_autocorking`, when known.
    pub fn tcp_autocorking(&self) -> Option<&str> {
        self.sysctl(TCP_AUTOCORKING)
    }
}

/// A /proc/sys path's dotted sysctl name: `net/ipv4/tcp_rmem` → `net.ipv4.tcp_rmem`.
pub fn dotted(path: &str) -> String {
    path.replace('/', ".")
}

/// Whether the kernel trusts the CPU's time-stamp counter as its own clock:
/// clocksource `tsc`, and the CPU flags `constant_tsc` and `nonstop_tsc`.
pub fn kernel_trusts_tsc() -> bool {
    let source = read_trim("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    let flags = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags = flags
        .lines()
        .find(|l| l.starts_with("flags"))
        .unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    source.is_some_and(|s| s == "tsc") && has("constant_tsc") && has("nonstop_tsc")
}

/// The running kernel's release (uname -r).
fn kernel_release() -> Option<String> {
    nix::sys::utsname::uname()
        .ok()
        .map(|u| u.release().to_string_lossy().into_owned())
}

fn read_trim(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_sysctl_is_probed_by_its_dotted_name() {
        let host = HostFacts::probe();
        let mut names: Vec<String> = SYSCTLS.iter().map(|k| dotted(k)).collect();
        names.sort();
        assert!(host.sysctls.keys().eq(names.iter()), "{host:?}");
        assert!(names.iter().any(|n| n == TCP_AUTOCORKING));
        assert_eq!(host.tcp_autocorking(), host.sysctl(TCP_AUTOCORKING));
        println!("{host:?}");
    }

    #[test]
    fn unknown_facts_read_as_none() {
        let host = HostFacts::default();
        assert_eq!(host.tcp_autocorking(), None);
        assert_eq!(host.sysctl("net.ipv4.tcp_rmem"), None);
    }
}
