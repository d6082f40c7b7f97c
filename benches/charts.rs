//! Times every chart on a synthetic 10 000-event trace (CSV files written to
//! a temp dir first, then loaded once). Target: under 200 ms per chart.
//! Run with `cargo bench --bench charts`.

use nianbao::report::chart::{self, ChartError, ChartOptions};
use nianbao::report::load::{load, Results};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

const MESSAGES: u64 = 5_000;
const MSG_LEN: u64 = 32;

/// Writes a results folder: 5 000 sends and the recvs that cover their bytes in scenario 0, trial
/// 0, and a summary of 8 swept scenarios.
fn write_trace(dir: &Path) -> std::io::Result<()> {
    let (mut sends, mut recvs, mut msgs) = (String::new(), String::new(), String::new());
    sends.push_str("scenario,trial,flow,t_ns,msg_id,offset,len,ret\n");
    recvs.push_str("scenario,trial,flow,t_ns,offset,len,first_msg,last_msg,kind,truncated,label\n");
    msgs.push_str("scenario,trial,flow,msg_id,offset,len,sent_ns,delivered_ns,reads,fate,label\n");
    for i in 0..MESSAGES {
        let (s, t) = (0, 0);
        let o = MSG_LEN * i;
        let _ = writeln!(
            sends,
            "{s},{t},c2s,{},{i},{o},{MSG_LEN},{MSG_LEN}",
            i * 1000
        );
        let _ = writeln!(
            msgs,
            "{s},{t},c2s,{i},{o},{MSG_LEN},{},{},1,merged,msg-{i:05}",
            i * 1000,
            i * 1000 + 500
        );
    }
    // Recvs that cover the stream exactly (show and plot check that), of
    // varied sizes: some sticky, most fragments.
    let (total, mut off, mut i) = (MSG_LEN * MESSAGES, 0, 0);
    while off < total {
        let want = if i % 3 == 0 {
            MSG_LEN * 2
        } else {
            MSG_LEN / 2 + i % 7
        };
        let len = want.min(total - off);
        let (first, last) = (off / MSG_LEN, (off + len - 1) / MSG_LEN);
        let kind = match (first != last, len == MSG_LEN && off % MSG_LEN == 0) {
            (true, _) => "sticky",
            (false, true) => "whole",
            (false, false) => "fragment",
        };
        let _ = writeln!(
            recvs,
            "0,0,c2s,{},{off},{len},{first},{last},{kind},false,recv-{i}",
            i * 1000 + 500
        );
        off += len;
        i += 1;
    }
    let mut summary = String::from("scenario,trial,flow,sender.gap,sender.nodelay,messages,recvs,segments,whole,sticky,fragment,intact,merged,split,truncated,lost,corrupt,merged_fraction,split_fraction,bytes,duration_ns\n");
    for s in 0..8u32 {
        for t in 0..3 {
            let gap = ["0", "100us", "1ms", "10ms"][(s / 2) as usize];
            let mf = 0.9 / f64::from(s + 1) + f64::from(t) * 0.01;
            let _ = writeln!(
                summary,
                "{s},{t},c2s,{gap},{},625,600,,0,300,300,100,400,125,0,0,0,{mf},0.2,20000,5000000",
                s % 2 == 1
            );
        }
    }
    std::fs::write(
        dir.join("experiment.toml"),
        "name = \"bench\"\ntitle = \"Synthetic 10 000-event trace\"\n",
    )?;
    for (name, text) in [
        ("sends.csv", sends),
        ("recvs.csv", recvs),
        ("messages.csv", msgs),
        ("summary.csv", summary),
    ] {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

type Draw = fn(&Results, &ChartOptions, &Path) -> Result<(), ChartError>;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    write_trace(dir.path())?;
    let t = Instant::now();
    let res = load(dir.path())?;
    println!("load          {:7.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let opts = ChartOptions::default();
    // Warm-up: fonts are read once per process.
    chart::boundaries(&res, &opts, &dir.path().join("warm.png"))?;
    let charts: [(&str, Draw); 5] = [
        ("boundaries.png", chart::boundaries),
        ("timeline.png", chart::timeline),
        ("sweep.png", chart::sweep),
        ("compare.png", chart::compare),
        ("recv-sizes.png", chart::recv_sizes),
    ];
    for (name, draw) in charts {
        let runs = 5;
        let t = Instant::now();
        for _ in 0..runs {
            draw(&res, &opts, &dir.path().join(name))?;
        }
        let ms = t.elapsed().as_secs_f64() * 1e3 / f64::from(runs);
        let verdict = if ms < 200.0 {
            "ok"
        } else {
            "SLOW (target < 200 ms)"
        };
        println!("{name:14}{ms:7.1} ms  {verdict}");
    }
    if let Some(keep) = std::env::args().nth(1).filter(|a| !a.starts_with('-')) {
        for (name, _) in charts {
            std::fs::copy(dir.path().join(name), Path::new(&keep).join(name))?;
        }
    }
    Ok(())
}
