//! `sweep.csv`: per (scenario, flow) and summary figure, the statistics over
//! trials (n, mean, median, min, max, sample std dev), with the scenario's
//! swept parameter values in front, so a sweep reads as one table.

use super::load::{Flow, LoadError};
use super::summary::{self, SummaryRow, FIGURES};
use crate::analysis::stats;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Writes `sweep.csv` at `out` from the `summary.csv` at `summary_csv`.
pub fn write_sweep_csv(summary_csv: &Path, out: &Path) -> Result<(), LoadError> {
    let (keys, rows) = summary::read(summary_csv)?;
    let io = |source| LoadError::Io {
        path: out.to_path_buf(),
        source,
    };
    let mut buf = Vec::new();
    write_sweep(&keys, &rows, &mut buf).map_err(|e| io(std::io::Error::other(e)))?;
    std::fs::write(out, buf).map_err(io)
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v}")).unwrap_or_default()
}

/// Writes the sweep table for `rows` (parameter columns named by `keys`).
pub fn write_sweep<W: Write>(keys: &[String], rows: &[SummaryRow], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["scenario".to_string(), "flow".to_string()];
    header.extend(keys.iter().cloned());
    header.extend(["metric", "n", "mean", "median", "min", "max", "std"].map(String::from));
    w.write_record(&header)?;
    let mut groups: BTreeMap<(u32, Flow), Vec<&SummaryRow>> = BTreeMap::new();
    for r in rows {
        groups.entry((r.scenario, r.flow)).or_default().push(r);
    }
    for ((scenario, flow), group) in &groups {
        for metric in FIGURES {
            let xs: Vec<f64> = group.iter().filter_map(|r| r.figure(metric)).collect();
            if xs.is_empty() && metric.starts_with("latency_") {
                // Only request/response trials time requests.
                continue;
            }
            let d = stats::describe(&xs);
            let mut rec = vec![scenario.to_string(), flow.as_str().to_string()];
            rec.extend(group[0].params.iter().cloned());
            rec.push(metric.to_string());
            rec.push(xs.len().to_string());
            rec.push(num(d.map(|d| d.mean)));
            rec.push(num(d.map(|d| d.median)));
            rec.push(num(d.map(|d| d.min)));
            rec.push(num(d.map(|d| d.max)));
            rec.push(num(d.and_then(|d| d.std)));
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: u32, trial: u32, gap: &str, merged: f64) -> SummaryRow {
        let mut figures = vec![Some(10.0); FIGURES.len()];
        figures[2] = None; // segments unknown
        figures[12] = Some(merged);
        SummaryRow {
            line: 2 + trial as u64,
            scenario,
            trial,
            flow: Flow::C2s,
            params: vec![gap.to_string()],
            figures,
        }
    }

    #[test]
    fn one_row_per_scenario_flow_and_metric() {
        let rows = [
            row(0, 0, "0", 0.8),
            row(0, 1, "0", 1.0),
            row(1, 0, "1ms", 0.1),
        ];
        let mut out = Vec::new();
        write_sweep(&["sender.gap".to_string()], &rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "scenario,flow,sender.gap,metric,n,mean,median,min,max,std"
        );
        assert_eq!(lines.len(), 1 + 2 * FIGURES.len());
        let merged0 = lines
            .iter()
            .find(|l| l.starts_with("0,c2s,0,merged_fraction,"))
            .unwrap();
        let std = stats::std_dev(&[0.8, 1.0]).unwrap();
        assert_eq!(
            *merged0,
            format!("0,c2s,0,merged_fraction,2,0.9,0.9,0.8,1,{std}")
        );
        assert!(lines.contains(&"0,c2s,0,segments,0,,,,,"));
        assert!(lines.contains(&"1,c2s,1ms,merged_fraction,1,0.1,0.1,0.1,0.1,"));
    }
}
