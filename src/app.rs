//! The commands: each takes parsed arguments, calls the library, and
//! returns the text to print and whether the run reproduced.

use crate::analysis::RunResult;
use crate::cli::{Cli, Command, Format, PlotArgs, RunArgs, ShowArgs};
use crate::error::Result;
use crate::experiment::{plan, Overrides, Source, CATALOGUE};
use crate::report::results::{preflight, write_results};
use crate::report::{json::run_json, readback, ruler::RulerOptions, text};
use crate::run::run_plan;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What a command produced.
pub struct Outcome {
    /// Text for stdout.
    pub stdout: String,
    /// False when an `[expect]` did not reproduce (exit status 1).
    pub reproduced: bool,
    /// The exit status to end with, when it is not nianbao's own: `trace`
    /// passes on the traced command's.
    pub status: Option<u8>,
}

/// Whether to colour stdout: a terminal, and NO_COLOR unset.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs one command.
pub fn execute(command: Command) -> Result<Outcome> {
    match command {
        Command::List => Ok(Outcome {
            stdout: list(),
            reproduced: true,
            status: None,
        }),
        Command::Run(args) if args.all => run_all(&args),
        Command::Run(args) => run_one(&args),
        Command::Listen(args) => {
            let (run, dir) = crate::app_peer::listen(&args)?;
            let out = &args.output;
            Ok(render(&run, &dir, out.format, out.ruler_messages))
        }
        Command::Send(args) => {
            let (run, dir) = crate::app_peer::send(&args)?;
            let out = &args.output;
            Ok(render(&run, &dir, out.format, out.ruler_messages))
        }
        Command::Proxy(args) => {
            let (run, dir) = crate::app_peer::proxy(&args)?;
            let out = &args.output;
            Ok(render(&run, &dir, out.format, out.ruler_messages))
        }
        Command::Trace(args) => {
            let t = crate::app_peer::trace(&args)?;
            let out = &args.output;
            let mut o = match (&t.run, args.quiet) {
                (Some(run), false) => render(run, &t.dir, out.format, out.ruler_messages),
                (None, false) => Outcome {
                    stdout: crate::units::terminal_safe(&t.text),
                    reproduced: true,
                    status: None,
                },
                (_, true) => Outcome {
                    stdout: String::new(),
                    reproduced: true,
                    status: None,
                },
            };
            o.status = t.status;
            Ok(o)
        }
        Command::Show(args) => show(&args),
        Command::Plot(args) => plot(&args),
        Command::Completions(args) => Ok(Outcome {
            stdout: completions(args.shell),
            reproduced: true,
            status: None,
        }),
        Command::Man(args) => Ok(Outcome {
            stdout: man(args.command.as_deref())?,
            reproduced: true,
            status: None,
        }),
    }
}

/// `completions SHELL`: the script clap_complete writes from [`Cli`].
fn completions(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "nianbao", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `man [COMMAND]`: the roff page clap_mangen writes from [`Cli`]:
/// nianbao(1), or nianbao-COMMAND(1), the pages nianbao(1) refers to.
fn man(command: Option<&str>) -> Result<String> {
    use clap::CommandFactory;
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => cli.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
            crate::error::Error::Config {
                origin: "man".into(),
                msg: format!("no command `{name}`; the commands are {}", names.join(", ")),
            }
        })?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .source(concat!("nianbao ", env!("CARGO_PKG_VERSION")))
        .render(&mut out)
        .map_err(|source| crate::error::Error::Io {
            what: "cannot render the man page".into(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn list() -> String {
    let mut out = String::new();
    let width = CATALOGUE.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in CATALOGUE {
        let title = Source::resolve(b.name)
            .and_then(|s| plan(&s, &Overrides::default()))
            .map(|p| p.scenarios[0].experiment.title.clone());
        let _ = writeln!(
            out,
            "{:<width$}  {}",
            b.name,
            title.unwrap_or_else(|e| format!("(invalid: {e})"))
        );
    }
    out
}

fn overrides(args: &RunArgs) -> Overrides {
    Overrides {
        sets: args.sets.clone(),
        flags: Vec::new(),
        sweeps: args.sweeps.clone(),
        trials: args.trials,
        max_runs: Some(args.max_runs),
        any_address: false,
    }
}

/// Runs, writes results, renders.
fn run_one(args: &RunArgs) -> Result<Outcome> {
    let name = args.experiment.as_deref().unwrap_or_default();
    let source = Source::resolve(name)?;
    let plan = plan(&source, &overrides(args))?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&plan.name));
    preflight(&out_dir)?;
    let run = run_with_progress(&plan, args.quiet, "")?;
    write_results(&out_dir, &run)?;
    Ok(render(&run, &out_dir, args.format, args.ruler_messages))
}

fn render(run: &RunResult, dir: &Path, format: Format, ruler_messages: u32) -> Outcome {
    let (ok, total) = run.reproduced();
    let stdout = match format {
        Format::Json => {
            let mut v = run_json(run);
            v["results_dir"] = serde_json::Value::String(dir.display().to_string());
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let opts = RulerOptions {
                max_messages: ruler_messages as usize,
                color: use_color(),
                ..RulerOptions::default()
            };
            text::render(run, &opts) + &format!("  Results: {}/\n", dir.display())
        }
    };
    Outcome {
        stdout: crate::units::terminal_safe(&stdout),
        reproduced: ok == total,
        status: None,
    }
}

/// `run --all`: every named experiment, one table.
fn run_all(args: &RunArgs) -> Result<Outcome> {
    let root = args.out.clone().unwrap_or_else(|| PathBuf::from("results"));
    let mut table = all_header();
    let mut all_ok = true;
    let mut docs = Vec::new();
    let plans = all_plans(args, &root)?;
    let count = CATALOGUE.len();
    for (i, (b, plan)) in CATALOGUE.iter().zip(plans).enumerate() {
        let run = match run_with_progress(&plan, args.quiet, &format!("[{}/{count}] ", i + 1)) {
            // A network-lab experiment without root is skipped, said so in
            // its row, and does not fail the others (nor the exit status).
            Err(e @ crate::error::Error::LabNeedsRoot { .. }) => {
                let _ = writeln!(table, "{:<20} skipped: needs root (network lab)", b.name);
                docs.push(serde_json::json!({"experiment": b.name, "skipped": e.to_string()}));
                continue;
            }
            run => run?,
        };
        write_results(&root.join(b.name), &run)?;
        let (ok, total) = run.reproduced();
        all_ok &= ok == total;
        table += &all_row(b.name, &plan, &run);
        docs.push(run_json(&run));
    }
    let stdout = match args.format {
        Format::Json => serde_json::to_string_pretty(&serde_json::Value::Array(docs)).unwrap_or_default() + "\n",
        Format::Text => table + &format!("(figures are means over trials, for the flow each experiment's [expect] checks; results in {}/)\n", root.display()),
    };
    Ok(Outcome {
        stdout,
        reproduced: all_ok,
        status: None,
    })
}

/// Plans every catalogue experiment and checks each results folder can be
/// written, before anything runs.
fn all_plans(args: &RunArgs, root: &Path) -> Result<Vec<crate::experiment::Plan>> {
    let mut plans = Vec::new();
    for b in CATALOGUE {
        let plan = plan(&Source::resolve(b.name)?, &overrides(args))?;
        preflight(&root.join(b.name))?;
        plans.push(plan);
    }
    Ok(plans)
}

/// The header line of the `run --all` table.
fn all_header() -> String {
    format!(
        "{:<20} {:>10} {:>8} {:>7} {:>8} {:>7} {:>9} {:>8} {:>8}\n",
        "experiment",
        "reproduced",
        "recvs",
        "sticky",
        "fragment",
        "whole",
        "truncated",
        "merged",
        "split"
    )
}

/// One experiment's line of the `run --all` table: trials reproduced and the
/// mean figures of the flow its `[expect]` checks.
fn all_row(name: &str, plan: &crate::experiment::Plan, run: &RunResult) -> String {
    let (ok, total) = run.reproduced();
    let flow = plan.scenarios[0]
        .experiment
        .expect
        .flow
        .unwrap_or(crate::trace::Flow::C2s);
    let sums: Vec<_> = run
        .trials
        .iter()
        .filter_map(|t| t.flows.iter().find(|f| f.flow == flow))
        .map(|f| &f.summary)
        .collect();
    let n = sums.len().max(1) as f64;
    let avg =
        |f: &dyn Fn(&crate::analysis::Summary) -> f64| sums.iter().map(|s| f(s)).sum::<f64>() / n;
    let mut row = String::new();
    let _ = writeln!(
        row,
        "{:<20} {:>7}/{:<2} {:>8.1} {:>7.1} {:>8.1} {:>7.1} {:>9.1} {:>7.0}% {:>7.0}%",
        name,
        ok,
        total,
        avg(&|s| s.recvs as f64),
        avg(&|s| s.sticky as f64),
        avg(&|s| s.fragment as f64),
        avg(&|s| s.whole as f64),
        avg(&|s| s.truncated as f64),
        100.0 * avg(&|s| s.merged_fraction),
        100.0 * avg(&|s| s.split_fraction)
    );
    row
}

/// `show`: reprint from a results folder's CSVs.
fn show(args: &ShowArgs) -> Result<Outcome> {
    let run = readback::read_results(&args.results_dir)?;
    Ok(render(
        &run,
        &args.results_dir,
        args.format,
        args.ruler_messages,
    ))
}

/// Runs a plan with a progress bar on stderr when it has more than a few
/// trials (indicatif draws nothing when stderr is not a terminal).
fn run_with_progress(
    plan: &crate::experiment::Plan,
    quiet: bool,
    label: &str,
) -> Result<RunResult> {
    let trials: Vec<u64> = plan
        .scenarios
        .iter()
        .map(|s| u64::from(s.experiment.trials))
        .collect();
    let total: u64 = trials.iter().sum();
    if quiet || total < 5 {
        return run_plan(plan, |_, _| {});
    }
    // indicatif draws to stderr only when it is a terminal: quiet in pipes and CI.
    let bar = indicatif::ProgressBar::new(total);
    let template =
        "{prefix} {msg} [{bar:30}] {pos}/{len} trials, {elapsed} so far, about {eta} left";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("{label}{}", plan.name));
    let scenarios = trials.len();
    if scenarios > 1 {
        bar.set_message(format!("scenario 1 of {scenarios}"));
    }
    let run = run_plan(plan, |done, _| {
        // The scenario the next trial belongs to, from the trials before it.
        let mut left = done as u64;
        let n = trials.iter().take_while(|&&t| {
            let past = left >= t;
            left = left.saturating_sub(t);
            past
        });
        let n = (n.count() + 1).min(scenarios);
        if scenarios > 1 {
            bar.set_message(format!("scenario {n} of {scenarios}"));
        }
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    run
}

/// `plot`: redraw every chart from a results folder.
fn plot(args: &PlotArgs) -> Result<Outcome> {
    use crate::report::chart::{draw_loaded, ChartError, ChartOptions};
    use crate::report::load::{load, Flow};
    let dir = &args.results_dir;
    let res = load(dir)?;
    let flow = if args.flow == "s2c" {
        Flow::S2c
    } else {
        Flow::C2s
    };
    let metric = args
        .metric
        .clone()
        .or_else(|| res.experiment.chart_metric.clone());
    let opts = ChartOptions {
        metric: metric.unwrap_or_else(|| "merged_fraction".to_string()),
        flow,
        max_messages: args.max_messages as usize,
        ..ChartOptions::default()
    };
    // Only a folder nianbao wrote, and the charts are drawn aside first: a
    // link, FIFO or user's file named like a chart is never written through.
    crate::report::results::check_target(dir)?;
    let written = crate::report::results::replace_charts(dir, |tmp| {
        draw_loaded(&res, tmp, &opts).map_err(|e| match e {
            ChartError::Load(e) => crate::error::Error::Load(e),
            e => crate::error::Error::Chart(e),
        })
    })?;
    let mut stdout = String::new();
    for p in written {
        let _ = writeln!(stdout, "{}", p.display());
    }
    Ok(Outcome {
        stdout,
        reproduced: true,
        status: None,
    })
}
