//! The named experiments, embedded at build time so `nianbao run hellofeng`
//! works from any folder.

/// One built-in experiment.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// Its name (the file stem).
    pub name: &'static str,
    /// The TOML text of `experiments/NAME.toml`.
    pub text: &'static str,
}

macro_rules! catalogue {
    ($($name:literal),* $(,)?) => {
        /// Every named experiment, in the order `nianbao list` shows them.
        pub const CATALOGUE: &[Builtin] = &[
            $(Builtin { name: $name, text: include_str!(concat!("../../experiments/", $name, ".toml")) }),*
        ];
    };
}

catalogue!(
    "hellofeng",
    "he-llo",
    "hellofeng-gap",
    "udp-hellofeng",
    "udp-truncate",
    "remote-cmd",
    "utf8-split",
    "short-write",
    "nagle",
    "nagle-stall",
    "recv-size-sweep",
    "framing-compare",
    "delimiter-collision",
    "json-header-file",
    "hostile-length",
    "mss-split",
    "slow-link",
);

/// The built-in experiment of that name.
pub fn builtin(name: &str) -> Option<Builtin> {
    CATALOGUE.iter().copied().find(|b| b.name == name)
}

/// Names close to a mistyped one: a shared part, or a few edits away.
pub fn close_matches(name: &str) -> Vec<&'static str> {
    let lower = name.to_lowercase();
    CATALOGUE
        .iter()
        .map(|b| b.name)
        .filter(|n| n.contains(&lower) || lower.contains(n) || edit_distance(n, &lower) <= 3)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_find_typos() {
        assert_eq!(close_matches("helofeng"), vec!["hellofeng"]);
        assert_eq!(close_matches("udp"), vec!["udp-hellofeng", "udp-truncate"]);
        assert!(close_matches("zzzzzzzzzz").is_empty());
    }
}
