//! `[[variant]]`: named configurations form the first sweep axis, in file
//! order, applied after `--set`; every error names the variant and the key.

use nianbao::experiment::{plan, Kind, Messages, Overrides, Plan, Source};
use nianbao::framing::Framing;

/// Three variants whose names sort differently from their file order.
const FILE: &str = r#"name = "v"
[sender]
count = 5
size = [8, 64]

[[variant]]
name = "zeta raw"

[[variant]]
name = "UDP"
"transport.kind" = "udp"

[[variant]]
name = "fixed:64"
transport.framing = "fixed:64"
"sender.size" = 64
"#;

fn source(text: &str) -> Source {
    Source::inline("v", text)
}

fn over(sets: &[&str], sweeps: &[&str]) -> Overrides {
    Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        sweeps: sweeps.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    }
}

fn ok(text: &str, sets: &[&str], sweeps: &[&str]) -> Plan {
    plan(&source(text), &over(sets, sweeps)).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str, sets: &[&str], sweeps: &[&str]) -> String {
    match plan(&source(text), &over(sets, sweeps)) {
        Ok(_) => panic!("expected an error for {text:?} {sets:?} {sweeps:?}"),
        Err(e) => e.to_string(),
    }
}

/// Each scenario's parameters, as `k=v k=v`.
fn points(p: &Plan) -> Vec<String> {
    let show = |s: &nianbao::experiment::Scenario| {
        let kv: Vec<String> = s.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        kv.join(" ")
    };
    p.scenarios.iter().map(show).collect()
}

#[test]
fn variants_are_the_first_axis_in_file_order_with_their_keys_applied() {
    let p = ok(FILE, &[], &[]);
    assert_eq!(p.swept, ["variant"]);
    assert_eq!(
        points(&p),
        ["variant=zeta raw", "variant=UDP", "variant=fixed:64"]
    );
    let e: Vec<_> = p.scenarios.iter().map(|s| &s.experiment).collect();
    assert_eq!(e[0].transport.kind, Kind::Tcp);
    assert_eq!(e[0].transport.framing, Framing::None);
    assert_eq!(e[1].transport.kind, Kind::Udp);
    assert_eq!(e[2].transport.framing, Framing::Fixed(64));
    assert!(matches!(
        e[2].sender.messages,
        Messages::Generated {
            min: 64,
            max: 64,
            ..
        }
    ));
    assert!(matches!(
        e[0].sender.messages,
        Messages::Generated {
            min: 8,
            max: 64,
            ..
        }
    ));
}

#[test]
fn variants_combine_cartesianly_with_a_sweep_variant_slowest() {
    let text = format!("{FILE}[sweep]\n\"sender.nodelay\" = [false, true]\n");
    let p = ok(&text, &[], &["receiver.recv_gap=0,1ms"]);
    assert_eq!(p.swept, ["variant", "sender.nodelay", "receiver.recv_gap"]);
    assert_eq!(p.scenarios.len(), 12);
    let shown = points(&p);
    assert_eq!(
        shown[..5],
        [
            "variant=zeta raw sender.nodelay=false receiver.recv_gap=0",
            "variant=zeta raw sender.nodelay=false receiver.recv_gap=1ms",
            "variant=zeta raw sender.nodelay=true receiver.recv_gap=0",
            "variant=zeta raw sender.nodelay=true receiver.recv_gap=1ms",
            "variant=UDP sender.nodelay=false receiver.recv_gap=0",
        ]
    );
    assert_eq!(
        shown[11],
        "variant=fixed:64 sender.nodelay=true receiver.recv_gap=1ms"
    );
    assert!(p.scenarios[11].experiment.sender.nodelay);
}

#[test]
fn a_variant_is_applied_after_set_and_before_the_sweep() {
    let text = "[sender]\ncount = 5\n[[variant]]\nname = \"a\"\n[[variant]]\nname = \"b\"\n\"sender.nodelay\" = false\n\"sender.count\" = 7\n";
    let p = ok(text, &["sender.nodelay=true"], &[]);
    assert!(
        p.scenarios[0].experiment.sender.nodelay,
        "--set applies to a"
    );
    assert!(
        !p.scenarios[1].experiment.sender.nodelay,
        "b's own key wins over --set"
    );
    let p = ok(text, &[], &["sender.count=9"]);
    let count = |i: usize| match p.scenarios[i].experiment.sender.messages {
        Messages::Generated { count, .. } => count,
        _ => 0,
    };
    assert_eq!(
        (count(0), count(1)),
        (9, 9),
        "the sweep value wins over b's"
    );
}

#[test]
fn sweep_variant_picks_a_subset_in_the_given_order() {
    let p = ok(FILE, &[], &["variant=fixed:64, UDP"]);
    assert_eq!(points(&p), ["variant=fixed:64", "variant=UDP"]);
    assert!(p.config.contains("name = \"fixed:64\"") && !p.config.contains("zeta raw"));
    let msg = err(FILE, &[], &["variant=UDP,tcp"]);
    assert!(
        msg.starts_with("--sweep variant=UDP,tcp")
            && msg.contains("no [[variant]] is named \"tcp\"")
            && msg.contains("allowed: zeta raw, UDP, fixed:64"),
        "{msg}"
    );
    let msg = err(FILE, &[], &["variant=UDP,UDP"]);
    assert!(msg.contains("\"UDP\" is named twice"), "{msg}");
    let msg = err("name = \"x\"\n", &[], &["variant=UDP"]);
    assert!(msg.contains("no [[variant]] tables"), "{msg}");
}

#[test]
fn the_written_experiment_toml_keeps_the_variants_and_runs_the_same_scenarios() {
    let text = format!("{FILE}[sweep]\n\"sender.gap\" = [\"0\", \"1ms\"]\n");
    let p = ok(
        &text,
        &["receiver.recv_sizes=[37, 100]"],
        &["variant=UDP,fixed:64"],
    );
    assert!(p.config.contains("[[variant]]"), "{}", p.config);
    let again = ok(&p.config, &[], &[]);
    assert_eq!(points(&again), points(&p));
    assert_eq!(points(&p)[0], "variant=UDP sender.gap=0");
    for (a, b) in p.scenarios.iter().zip(&again.scenarios) {
        assert_eq!(format!("{:?}", a.experiment), format!("{:?}", b.experiment));
    }
}

#[test]
fn expect_when_applies_per_variant() {
    let text = format!(
        "{FILE}[expect]\nintact_fraction = \"== 1\"\n[expect.when.\"variant=zeta raw\"]\nintact_fraction = \"< 0.5\"\n"
    );
    let p = ok(&text, &[], &[]);
    let bound = |i: usize| {
        let b = &p.scenarios[i].experiment.expect.bounds[0];
        format!("{} {} {}", b.figure, b.op.as_str(), b.value)
    };
    assert_eq!(bound(0), "intact_fraction < 0.5");
    assert_eq!(bound(1), "intact_fraction == 1");
    let bad = format!("{FILE}[expect.when.\"variant=raw\"]\nintact = \"== 1\"\n");
    let msg = err(&bad, &[], &[]);
    assert!(
        msg.contains("no [[variant]] is named \"raw\"") && msg.contains("zeta raw, UDP, fixed:64"),
        "{msg}"
    );
}

#[test]
fn an_unknown_key_names_the_variant_the_key_and_its_line() {
    let text = "[[variant]]\nname = \"UDP\"\n\"transport.kindd\" = \"udp\"\n";
    let msg = err(text, &[], &[]);
    assert!(
        msg.starts_with(
            "v.toml:3:1: [[variant]] \"UDP\": key `transport.kindd`: unknown field `kindd`"
        ),
        "{msg}"
    );
    let msg = err(
        "[[variant]]\nname = \"a\"\n\"sender.nodelay\" = \"yes\"\n",
        &[],
        &[],
    );
    assert!(
        msg.contains("[[variant]] \"a\": key `sender.nodelay`") && msg.contains("bool"),
        "{msg}"
    );
}

#[test]
fn names_must_be_present_unique_non_empty_strings() {
    let cases = [
        ("[[variant]]\n\"sender.count\" = 2\n", "has no `name`"),
        ("[[variant]]\nname = \"\"\n", "`name` is empty"),
        ("[[variant]]\nname = 3\n", "`name` must be a string"),
        ("[[variant]]\nname = \"a,b\"\n", "hold a comma"),
        (
            "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n",
            "names must be unique",
        ),
        ("variant = []\n", "one or more [[variant]] tables"),
    ];
    for (text, want) in cases {
        let msg = err(text, &[], &[]);
        assert!(
            msg.contains("[[variant]]") && msg.contains(want),
            "{text:?}: {msg}"
        );
    }
    let msg = err(
        "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n",
        &[],
        &[],
    );
    assert!(
        msg.starts_with("v.toml:4:1: [[variant]] \"a\": key `name`"),
        "{msg}"
    );
}

#[test]
fn run_wide_keys_are_refused_inside_a_variant() {
    for key in [
        "\"name.x\"",
        "variant",
        "sweep.\"sender.gap\"",
        "expect.intact",
        "trials",
        "title",
    ] {
        let text = format!("[[variant]]\nname = \"a\"\n{key} = 1\n");
        let msg = err(&text, &[], &[]);
        let top = key.trim_matches('"').split('.').next().unwrap_or(key);
        assert!(
            msg.contains("[[variant]] \"a\": key `")
                && msg.contains(&format!("`{top}` belongs to the whole run")),
            "{key}: {msg}"
        );
    }
}

#[test]
fn a_variant_that_fails_validation_is_named() {
    let msg = err(
        "[[variant]]\nname = \"S\"\n\"transport.kind\" = \"sctp\"\n",
        &[],
        &[],
    );
    assert!(
        msg.contains("[[variant]] \"S\": key `transport.kind`")
            && msg.contains("allowed: tcp, udp"),
        "{msg}"
    );
    // The base is framed; the UDP variant makes that invalid.
    let text = "[transport]\nframing = \"u32be\"\n[[variant]]\nname = \"framed\"\n[[variant]]\nname = \"UDP\"\n\"transport.kind\" = \"udp\"\n";
    let msg = err(text, &[], &[]);
    assert!(
        msg.starts_with("v.toml:2:1: key `transport.framing` (with [[variant]] \"UDP\")")
            && msg.contains("framing must be \"none\""),
        "{msg}"
    );
    let msg = err(
        "[[variant]]\nname = \"f\"\n\"transport.framing\" = \"fixed:64\"\n\"sender.size\" = 64\n",
        &[],
        &["sender.size=8,64"],
    );
    assert!(
        msg.contains("sweep sender.size=8 (with [[variant]] \"f\"): transport.framing")
            && msg.contains("fixed:64"),
        "{msg}"
    );
}

#[test]
fn the_variant_axis_comes_only_from_variant_tables() {
    let msg = err(
        "[sweep]\nvariant = [\"a\"]\n[[variant]]\nname = \"a\"\n",
        &[],
        &[],
    );
    assert!(
        msg.contains("[sweep] variant") && msg.contains("--sweep variant="),
        "{msg}"
    );
    let msg = err(FILE, &["variant=[]"], &[]);
    assert!(
        msg.starts_with("--set variant=[]") && msg.contains("cannot change [[variant]]"),
        "{msg}"
    );
}
