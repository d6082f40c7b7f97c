//! Redraws every chart of a results folder: `cargo run --example plot -- DIR`.

use nianbao::report::chart::{draw_all, ChartOptions};

fn main() -> anyhow::Result<()> {
    for dir in std::env::args().skip(1) {
        let written = draw_all(std::path::Path::new(&dir), &ChartOptions::default())?;
        for path in written {
            println!("{}", path.display());
        }
    }
    Ok(())
}
