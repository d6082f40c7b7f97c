//! The house stays one-way (ARCHITECTURE.md): every file of `src/` imports
//! only from layers below its own, no two files import each other round a
//! circle, and only `net/` calls socket2 or nix or reads /proc and /sys.
//! Read from the source text: `crate::x` and `super::x` paths outside
//! comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer, lowest first; a module may import only
/// from layers with a smaller number (and from inside itself).
const LAYERS: &[(&str, u32)] = &[
    ("units", 0),
    ("framing", 0),
    ("error", 1),
    ("net", 2),
    ("experiment", 2),
    ("tsc", 3),
    ("interrupt", 3),
    ("trace", 4),
    ("engine", 5),
    ("analysis", 5),
    ("report", 6),
    ("run", 7),
    ("cli", 7),
    ("peer", 6),
    ("app_peer", 8),
    ("app", 9),
    ("main", 10),
    ("lib", 10),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's code without comments and without its unit tests (the
/// `#[cfg(test)]` module at its end, which may use anything), one string.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `src/report/chart/mod.rs` → ["report", "chart"]; `src/run.rs` → ["run"].
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The module paths a file names: `crate::a::b` and `super::c` (resolved).
fn imports(code: &str, me: &[String]) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.contains("::"))
        .collect();
    for w in words {
        let parts: Vec<&str> = w.split("::").filter(|p| !p.is_empty()).collect();
        let (mut base, rest): (Vec<String>, &[&str]) = match parts.first() {
            Some(&"crate") => (Vec::new(), &parts[1..]),
            Some(&"super") => {
                // One level up: a file's folder, or a mod.rs's parent.
                (me[..me.len().saturating_sub(1)].to_vec(), &parts[1..])
            }
            _ => continue,
        };
        for p in rest
            .iter()
            .take_while(|p| p.chars().next().is_some_and(|c| c.is_lowercase()))
        {
            base.push(p.to_string());
        }
        if !base.is_empty() {
            out.insert(base);
        }
    }
    out
}

fn layer(top: &str) -> u32 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == top)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("module {top} has no layer in tests/architecture.rs"))
}

struct File {
    module: Vec<String>,
    imports: BTreeSet<Vec<String>>,
    code: String,
}

fn files() -> Vec<File> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    paths
        .iter()
        .map(|p| {
            let module = module_path(&src, p);
            let code = code(p);
            let imports = imports(&code, &module);
            File {
                module,
                imports,
                code,
            }
        })
        .collect()
}

#[test]
fn no_file_imports_from_a_layer_above_its_own() {
    let mut wrong = Vec::new();
    for f in files() {
        let mine = &f.module[0];
        for imp in &f.imports {
            let theirs = &imp[0];
            if theirs != mine && layer(theirs) >= layer(mine) {
                wrong.push(format!(
                    "{} imports {}",
                    f.module.join("::"),
                    imp.join("::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let files = files();
    let known: BTreeSet<&Vec<String>> = files.iter().map(|f| &f.module).collect();
    // Each import names the deepest known module it reaches.
    let mut edges: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in &files {
        for imp in &f.imports {
            let target = (1..=imp.len())
                .rev()
                .map(|n| imp[..n].to_vec())
                .find(|m| known.contains(m));
            if let Some(t) = target.filter(|t| *t != f.module && !f.module.starts_with(t)) {
                edges.entry(&f.module).or_default().insert(t);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit<'a>(
        m: &'a Vec<String>,
        edges: &'a BTreeMap<&'a Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        path: &mut Vec<String>,
    ) -> Option<String> {
        match state.get(m) {
            Some(1) => return Some(format!("{} -> {}", path.join(" -> "), m.join("::"))),
            Some(_) => return None,
            None => {}
        }
        state.insert(m.clone(), 1);
        path.push(m.join("::"));
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for f in &files {
        if let Some(circle) = visit(&f.module, &edges, &mut state, &mut Vec::new()) {
            panic!("an import circle: {circle}");
        }
    }
}

#[test]
fn only_net_calls_socket2_or_nix_or_reads_proc_and_sys() {
    for f in files() {
        if f.module[0] == "net" {
            continue;
        }
        for needle in ["socket2::", "nix::", "\"/proc", "\"/sys"] {
            assert!(
                !f.code.contains(needle),
                "{} uses {needle}: only net/ may",
                f.module.join("::")
            );
        }
    }
}
