//! Charts drawn from committed results-folder fixtures: each is a real PNG of
//! the expected size, not blank, changes when the data change, and is
//! redrawn byte for byte; broken folders give errors naming file and line.

use nianbao::report::chart::{self, draw_all, ChartError, ChartOptions};
use nianbao::report::load::{load, LoadError, Results};
use std::path::{Path, PathBuf};

type Draw = fn(&Results, &ChartOptions, &Path) -> Result<(), ChartError>;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture in a temp dir, so charts can be written next to it.
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Decodes a PNG: (width, height, RGB bytes).
fn read_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rgb = img.to_rgb8();
    (rgb.width(), rgb.height(), rgb.into_raw())
}

fn variance(px: &[u8]) -> f64 {
    let n = px.len() as f64;
    let mean = px.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    px.iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n
}

/// Draws one chart of one fixture and checks it is a sensible PNG.
fn check(name: &str, draw: Draw, file: &str) -> Vec<u8> {
    let dir = copy(name);
    let res = load(dir.path()).unwrap();
    let out = dir.path().join(file);
    draw(&res, &ChartOptions::default(), &out).unwrap();
    let (w, h, px) = read_png(&out);
    assert_eq!(w, 1200, "{name}/{file} width");
    assert!((300..=2000).contains(&h), "{name}/{file} height {h}");
    assert!(variance(&px) > 200.0, "{name}/{file} looks blank");
    px
}

#[test]
fn every_chart_of_every_fixture_is_a_real_png() {
    let cases: [(&str, Draw, &str); 13] = [
        ("hellofeng", chart::boundaries, "boundaries.png"),
        ("hellofeng", chart::timeline, "timeline.png"),
        ("hellofeng", chart::recv_sizes, "recv-sizes.png"),
        ("he-llo", chart::boundaries, "boundaries.png"),
        ("he-llo", chart::timeline, "timeline.png"),
        ("two-flows", chart::boundaries, "boundaries.png"),
        ("two-flows", chart::timeline, "timeline.png"),
        ("two-flows", chart::recv_sizes, "recv-sizes.png"),
        ("nagle-sweep", chart::sweep, "sweep.png"),
        ("nagle-sweep", chart::compare, "compare.png"),
        ("nagle-sweep", chart::boundaries, "boundaries.png"),
        ("framing-compare", chart::compare, "compare.png"),
        ("framing-compare", chart::sweep, "sweep.png"),
    ];
    for (name, draw, file) in cases {
        check(name, draw, file);
    }
}

#[test]
fn different_data_draw_different_rulers() {
    let sticky = check("hellofeng", chart::boundaries, "boundaries.png");
    let split = check("he-llo", chart::boundaries, "boundaries.png");
    assert_ne!(sticky, split);
    let sweep = check("nagle-sweep", chart::sweep, "sweep.png");
    let framing = check("framing-compare", chart::sweep, "sweep.png");
    assert_ne!(sweep, framing);
}

#[test]
fn two_flows_make_a_taller_ruler() {
    let one = check("he-llo", chart::boundaries, "boundaries.png");
    let two = check("two-flows", chart::boundaries, "boundaries.png");
    assert!(two.len() > one.len() * 3 / 2, "s2c panel missing");
}

#[test]
fn draw_all_draws_what_applies_and_redraws_identically() {
    let dir = copy("nagle-sweep");
    let first = draw_all(dir.path(), &ChartOptions::default()).unwrap();
    let names: Vec<String> = first
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // Every recv of this fixture is 16 bytes: a one-bar recv-sizes.png
    // would say nothing, so it is not drawn.
    let expect = ["boundaries.png", "timeline.png", "sweep.png", "compare.png"];
    assert_eq!(names, expect);
    let bytes: Vec<Vec<u8>> = first.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let second = draw_all(dir.path(), &ChartOptions::default()).unwrap();
    for (p, b) in second.iter().zip(&bytes) {
        assert_eq!(
            &std::fs::read(p).unwrap(),
            b,
            "{} changed on redraw",
            p.display()
        );
    }
    let single = copy("hellofeng");
    let drawn = draw_all(single.path(), &ChartOptions::default()).unwrap();
    assert_eq!(
        drawn.len(),
        2,
        "no sweep or compare without a sweep, no recv-sizes for one recv: {drawn:?}"
    );
}

#[test]
fn missing_csv_names_the_file() {
    let err = load(&fixture("missing-recvs")).unwrap_err();
    assert!(
        matches!(err, LoadError::Missing(ref p) if p.ends_with("recvs.csv")),
        "{err}"
    );
    assert!(err.to_string().contains("recvs.csv"), "{err}");
    let err = draw_all(&fixture("missing-recvs"), &ChartOptions::default()).unwrap_err();
    assert!(err.to_string().contains("recvs.csv: missing"), "{err}");
}

#[test]
fn malformed_csv_names_file_and_line() {
    let err = load(&fixture("malformed")).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, LoadError::Csv { line: 3, .. }), "{text}");
    assert!(text.contains("recvs.csv:3:"), "{text}");
}

#[test]
fn unknown_metric_is_refused_by_name() {
    let res = load(&fixture("nagle-sweep")).unwrap();
    let opts = ChartOptions {
        metric: "speed".into(),
        ..ChartOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let err = chart::sweep(&res, &opts, &dir.path().join("sweep.png")).unwrap_err();
    assert!(err.to_string().contains("unknown metric `speed`"), "{err}");
}

#[test]
fn sweep_csv_from_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep.csv");
    nianbao::report::sweep::write_sweep_csv(&fixture("nagle-sweep/summary.csv"), &out).unwrap();
    let text = std::fs::read_to_string(out).unwrap();
    let mut lines = text.lines();
    let header = "scenario,flow,sender.gap,sender.nodelay,metric,n,mean,median,min,max,std";
    assert_eq!(lines.next(), Some(header));
    // 8 configurations x 16 figures.
    assert_eq!(lines.clone().count(), 8 * 16);
    let merged: Vec<&str> = lines.filter(|l| l.contains(",merged_fraction,")).collect();
    assert!(
        merged[0].starts_with("0,c2s,0,false,merged_fraction,3,"),
        "{}",
        merged[0]
    );
    let mean = |l: &str| l.split(',').nth(6).unwrap().parse::<f64>().unwrap();
    assert!(mean(merged[0]) > 0.8 && mean(merged[7]) < 0.1, "{merged:?}");
}

#[test]
fn a_raw_scenario_0_gets_the_first_framed_scenario_drawn_under_it() {
    // framing-compare: scenario 0 is raw, scenario 1 is u32be.
    let raw_only = check("he-llo", chart::boundaries, "boundaries.png");
    let with_framed = check("framing-compare", chart::boundaries, "boundaries.png");
    // Two panels, the second with a decoded row: well over one panel's height.
    assert!(
        with_framed.len() > raw_only.len() * 3 / 2,
        "the framed scenario's panel is missing"
    );
}

/// The CJK ranges `assets/fonts/make-subsets.sh` scans the repository for.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        match path.is_dir() {
            true => text_files(&path, out),
            false => out.push(path),
        }
    }
}

#[test]
fn every_cjk_character_in_the_repo_has_an_embedded_glyph() {
    // A new experiment title or legend in Chinese needs the subset remade.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for dir in ["experiments", "src", "tests", "examples", "benches"] {
        text_files(&root.join(dir), &mut files);
    }
    let fonts = chart::fonts::fonts().unwrap();
    let mut seen = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for c in text.chars().filter(|&c| is_cjk(c)) {
            assert!(
                fonts.face_for(c).is_some(),
                "{c:?} in {} has no glyph; run assets/fonts/make-subsets.sh",
                file.display()
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no CJK text found under {}", root.display());
}
