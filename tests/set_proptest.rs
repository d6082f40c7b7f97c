//! Property test: any `--set` (and `--sweep`) a user could type, with real
//! keys and hostile values — huge and negative numbers, control
//! characters, lists, durations in odd units — makes `plan()` return Ok or
//! an error, never panic; and a plan it accepts runs one short trial and
//! renders (see tiny_trial/), never panicking either.

mod tiny_trial;

use nianbao::experiment::{plan, Overrides, Source, CATALOGUE};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// What a key holds, so that most values get past the type check and
/// reach validation, where the interesting refusals are.
#[derive(Clone, Copy, Debug)]
enum Holds {
    Text,
    Count,
    Duration,
    Size,
    Sizes,
    Bool,
    Framing,
    Kind,
    Ip,
    Port,
    Reply,
    Messages,
    Bound,
    Anything,
}

/// The keys a user sets, as in README's "All fields", plus a few near misses.
const KEYS: &[(&str, Holds)] = &[
    ("name", Holds::Text),
    ("title", Holds::Text),
    ("about", Holds::Text),
    ("trials", Holds::Count),
    ("deadline", Holds::Duration),
    ("chart_metric", Holds::Text),
    ("transport.kind", Holds::Kind),
    ("transport.framing", Holds::Framing),
    ("transport.max_frame", Holds::Size),
    ("transport.ip", Holds::Ip),
    ("transport.port", Holds::Port),
    ("sender.messages", Holds::Messages),
    ("sender.count", Holds::Count),
    ("sender.size", Holds::Sizes),
    ("sender.size", Holds::Size),
    ("sender.seed", Holds::Count),
    ("sender.gap", Holds::Duration),
    ("sender.gap_jitter", Holds::Duration),
    ("sender.burst", Holds::Count),
    ("sender.nodelay", Holds::Bool),
    ("sender.sndbuf", Holds::Size),
    ("sender.cork", Holds::Bool),
    ("sender.more", Holds::Bool),
    ("sender.nonblocking", Holds::Bool),
    ("sender.raw_prefix", Holds::Text),
    ("sender.write_size", Holds::Size),
    ("receiver.start_delay", Holds::Duration),
    ("receiver.recv_sizes", Holds::Sizes),
    ("receiver.recv_gap", Holds::Duration),
    ("receiver.rcvbuf", Holds::Size),
    ("receiver.reply", Holds::Reply),
    ("receiver.reply_sends", Holds::Count),
    ("receiver.client_recv_sizes", Holds::Sizes),
    ("receiver.client_reads", Holds::Count),
    ("receiver.idle", Holds::Duration),
    ("expect.recvs", Holds::Messages),
    ("expect.flow", Holds::Text),
    ("expect.merged_fraction", Holds::Bound),
    ("expect.intact", Holds::Bound),
    ("variant", Holds::Anything),
    ("sweep", Holds::Anything),
    ("sender", Holds::Anything),
    ("sender.gap.ms", Holds::Duration),
    ("nope.x", Holds::Anything),
    (" sender.gap ", Holds::Duration),
    ("", Holds::Anything),
];

/// Whole numbers from tiny to past u64, written as a user would.
fn number() -> BoxedStrategy<String> {
    prop_oneof![
        8 => (-3i64..70).prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => select(vec![
            "18446744073709551616",
            "-9223372036854775809",
            "9223372036854775807",
            "65536",
            "1e3",
            "1.5",
            "-0",
            "0x10",
            "nan",
            "inf",
            "1_000",
            "",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

/// A number with a unit, sensible or not: `3ms`, `-1 s`, `1.5KiB`, `9q`;
/// quoted (a TOML string) more often than not.
fn with_unit(units: Vec<&'static str>) -> BoxedStrategy<String> {
    (number(), select(units), any::<bool>())
        .prop_map(|(n, u, bare)| match bare {
            true => format!("{n}{u}"),
            false => format!("\"{n}{u}\""),
        })
        .boxed()
}

fn duration() -> BoxedStrategy<String> {
    with_unit(vec![
        "", "ns", "us", "µs", "ms", "s", "m", "h", "d", "MS", " ms", "sec", "ms ms", "KiB",
    ])
}

fn size() -> BoxedStrategy<String> {
    prop_oneof![
        number(),
        with_unit(vec![
            "", "B", "KiB", "MiB", "GiB", "TiB", "kb", "k", " B", "ms", "q"
        ]),
    ]
    .boxed()
}

/// Text with control characters, quotes and non-ASCII, bare or quoted.
fn text() -> BoxedStrategy<String> {
    let chars = vec(
        prop_oneof![
            any::<char>(),
            select(vec![
                '\0', '\n', '\r', '\t', '\x1b', '"', '\'', '\\', ',', '=', '[', ']'
            ]),
            select(vec!['a', 'b', ' ', '你', 'x']),
        ],
        0..12,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>());
    (chars, 0..3u8)
        .prop_map(|(s, quote)| match quote {
            0 => s,
            1 => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
            _ => format!("'{s}'"),
        })
        .boxed()
}

/// A short list of `item`s, sometimes empty.
fn list(item: BoxedStrategy<String>) -> BoxedStrategy<String> {
    vec(item, 0..4)
        .prop_map(|vs| format!("[{}]", vs.join(", ")))
        .boxed()
}

/// Words from `words`, as they are.
fn words(words: Vec<&'static str>) -> BoxedStrategy<String> {
    select(words).prop_map(String::from).boxed()
}

/// A value for a key that holds `holds`: mostly of its type, hostile
/// within it; sometimes anything at all.
fn value_for(holds: Holds) -> BoxedStrategy<String> {
    let typed = match holds {
        Holds::Text => text(),
        Holds::Count | Holds::Port => number(),
        Holds::Duration => duration(),
        Holds::Size => size(),
        Holds::Sizes => list(size()),
        Holds::Bool => words(vec!["true", "false", "yes", "1"]),
        Holds::Framing => words(vec![
            "none",
            "u32be",
            "u16be",
            "varint",
            "line",
            "line:",
            "'line:\\n'",
            "line:;",
            "fixed:0",
            "fixed:1",
            "fixed:4",
            "fixed:-1",
            "fixed:99999999999999999999",
            "json-header",
            "json",
            "fixed:",
        ]),
        Holds::Kind => words(vec!["tcp", "udp", "TCP", "sctp"]),
        Holds::Ip => words(vec![
            "127.0.0.1",
            "::1",
            "127.0.0.2",
            "0.0.0.0",
            "::",
            "localhost",
        ]),
        Holds::Reply => {
            prop_oneof![words(vec!["none", "echo", "upper", "shout"]), list(size()),].boxed()
        }
        Holds::Messages => list(text()),
        Holds::Bound => words(vec![
            "'>= 1'",
            "'== 0.5'",
            "'<'",
            "'>= -1e308'",
            "'== nan'",
            "0.5",
        ]),
        Holds::Anything => anything(),
    };
    prop_oneof![8 => typed, 1 => anything()].boxed()
}

/// Any value of any shape.
fn anything() -> BoxedStrategy<String> {
    let scalar = prop_oneof![number(), duration(), size(), text()].boxed();
    prop_oneof![
        4 => scalar.clone(),
        1 => list(scalar),
        1 => words(vec!["{}", "{ a = 1 }", "[[]]", "true"]),
    ]
    .boxed()
}

/// `key=value` with a real key (sometimes a near miss).
fn assignment() -> impl Strategy<Value = String> {
    select(KEYS.to_vec())
        .prop_flat_map(|(k, holds)| value_for(holds).prop_map(move |v| format!("{k}={v}")))
}

/// `key=v1,v2` for `--sweep`.
fn sweep() -> impl Strategy<Value = String> {
    select(KEYS.to_vec()).prop_flat_map(|(k, holds)| {
        vec(value_for(holds), 1..3).prop_map(move |vs| format!("{k}={}", vs.join(",")))
    })
}

/// The file the flags apply to: a named experiment or a three-line one.
fn base() -> impl Strategy<Value = Source> {
    let names: Vec<&str> = CATALOGUE.iter().map(|b| b.name).collect();
    prop_oneof![
        select(names).prop_map(|n| Source::resolve(n).expect("a built-in")),
        Just(Source::inline(
            "mine",
            "name = \"mine\"\n[sender]\nmessages = [\"hello\", \"feng\"]\n"
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_set_plans_or_errs_and_a_small_plan_runs_and_renders(
        source in base(),
        sets in vec(assignment(), 1..4),
        sweeps in prop_oneof![3 => Just(Vec::new()), 1 => vec(sweep(), 1..2)],
    ) {
        let over = Overrides {
            sets,
            sweeps,
            max_runs: Some(50),
            ..Overrides::default()
        };
        if let Ok(plan) = plan(&source, &over) {
            let _ = tiny_trial::run_and_render(&plan);
        }
    }
}

/// The harness above really runs trials: every named experiment small
/// enough runs shortened, and most are small enough.
#[test]
fn named_experiments_run_shortened() {
    let mut ran = Vec::new();
    for b in CATALOGUE {
        let source = Source::resolve(b.name).expect("a built-in");
        let plan = plan(&source, &Overrides::default()).expect("plans");
        if let Some(outcome) = tiny_trial::run_and_render(&plan) {
            let text = outcome.unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert!(text.contains(&plan.name), "{text}");
            ran.push(b.name);
        }
    }
    assert!(ran.len() >= CATALOGUE.len() / 2, "ran only {ran:?}");
}
