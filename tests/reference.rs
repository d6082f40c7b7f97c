//! The committed reference results (`results/reference/NAME/`) are current:
//! one per named experiment, written by nianbao (marker), from the
//! experiment as it is built in today, and readable by `show`. Regenerate
//! them with `cargo run --release -- run --all --out results/reference`.

use nianbao::experiment::{plan, Overrides, Source, CATALOGUE};
use nianbao::report::readback::read_results;
use nianbao::report::results::MARKER;
use std::path::Path;

#[test]
fn every_named_experiment_has_current_reference_results() {
    for b in CATALOGUE {
        let dir = Path::new("results/reference").join(b.name);
        assert!(dir.join(MARKER).is_file(), "{}: no marker", dir.display());
        let want = plan(&Source::resolve(b.name).unwrap(), &Overrides::default())
            .unwrap()
            .config;
        let have = std::fs::read_to_string(dir.join("experiment.toml")).unwrap();
        assert_eq!(
            have,
            want,
            "{}: made from an older experiments/{}.toml; regenerate: cargo run --release -- run --all --out results/reference",
            dir.display(),
            b.name
        );
        read_results(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
}
