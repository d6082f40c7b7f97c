//! `[network]`: the network lab's link, checked. Every key but `lab` needs
//! `lab = true` (on loopback there is no link to shape), and the lab runs
//! TCP only.

use super::file::{FileNetwork, Percent};
use super::invalid::{bad, Invalid};
use super::model::{Kind, Network, Transport, DEFAULT_MTU};
use super::values::opt_dur;
use std::time::Duration;

type V<T> = Result<T, Invalid>;

/// Smallest MTU of the lab's link: IPv4's minimum datagram.
pub const MIN_MTU: u32 = 576;
/// Smallest MTU when the trial runs over IPv6.
pub const MIN_MTU_V6: u32 = 1280;
/// Largest MTU of a veth pair.
pub const MAX_MTU: u32 = 65_535;
/// Slowest rate of the lab's link, bits per second.
pub const MIN_RATE: u64 = 8_000;
/// Fastest rate, bits per second.
pub const MAX_RATE: u64 = 100_000_000_000;
/// Longest one-way delay.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// Checks `[network]` against the transport it carries.
pub(super) fn network(n: &FileNetwork, t: &Transport) -> V<Network> {
    let lab = n.lab.unwrap_or(false);
    let mtu = mtu(n.mtu, t)?;
    let rate_bps = n.rate.as_deref().map(rate).transpose()?;
    let delay = opt_dur(&n.delay, "network.delay")?.unwrap_or(Duration::ZERO);
    if delay > MAX_DELAY {
        return Err(bad(
            "network.delay",
            format!(
                "{} is out of range; allowed 0 to {}s",
                crate::units::format_duration(delay),
                MAX_DELAY.as_secs()
            ),
        ));
    }
    let loss_percent = match &n.loss {
        None => 0.0,
        Some(Percent::Text(t)) => loss(t)?,
        Some(Percent::Number(x)) => loss(&x.to_string())?,
    };
    if !lab {
        let set = [
            ("network.mtu", n.mtu.is_some()),
            ("network.rate", n.rate.is_some()),
            ("network.delay", n.delay.is_some()),
            ("network.loss", n.loss.is_some()),
        ];
        if let Some((key, _)) = set.iter().find(|(_, on)| *on) {
            return Err(bad(
                key,
                "shapes the network lab's link, and there is none: set network.lab = true (root) as well",
            ));
        }
    }
    if lab && t.kind != Kind::Tcp {
        return Err(bad(
            "network.lab",
            "the network lab runs TCP trials only; set transport.kind = \"tcp\"",
        ));
    }
    Ok(Network {
        lab,
        mtu,
        rate_bps,
        delay,
        loss_percent,
    })
}

/// `network.mtu`: [`MIN_MTU`] (IPv6: [`MIN_MTU_V6`]) to [`MAX_MTU`].
fn mtu(m: Option<i64>, t: &Transport) -> V<u32> {
    let min = match t.ip.is_ipv6() {
        true => MIN_MTU_V6,
        false => MIN_MTU,
    };
    match m {
        None => Ok(DEFAULT_MTU),
        Some(m) if (i64::from(min)..=i64::from(MAX_MTU)).contains(&m) => Ok(m as u32),
        Some(m) => Err(bad(
            "network.mtu",
            format!("{m} is out of range; allowed {min} to {MAX_MTU} bytes, like 1500"),
        )),
    }
}

/// `network.rate`: a number and bit, kbit, mbit or gbit (powers of 1000,
/// as tc reads them), [`MIN_RATE`] to [`MAX_RATE`].
fn rate(text: &str) -> V<u64> {
    const KEY: &str = "network.rate";
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "bit" => 1.0,
        "kbit" => 1e3,
        "mbit" => 1e6,
        "gbit" => 1e9,
        _ => {
            return Err(bad(
                KEY,
                format!(
                "`{t}` is not a rate; write a number and bit, kbit, mbit or gbit, like \"10mbit\""
            ),
            ))
        }
    };
    let bps = num
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|b| b.is_finite())
        .ok_or_else(|| {
            bad(
                KEY,
                format!("`{t}` is not a rate; write it like \"10mbit\""),
            )
        })?;
    if !(MIN_RATE as f64..=MAX_RATE as f64).contains(&bps) {
        return Err(bad(
            KEY,
            format!("`{t}` is out of range; allowed 8kbit to 100gbit"),
        ));
    }
    Ok(bps.round() as u64)
}

/// `network.loss`: a percentage, `"0%"` to `"100%"`.
fn loss(text: &str) -> V<f64> {
    let t = text.trim();
    t.strip_suffix('%')
        .and_then(|n| n.trim().parse::<f64>().ok())
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| {
            bad(
                "network.loss",
                format!("`{t}` is not a loss; write a percentage from 0% to 100%, like \"1%\""),
            )
        })
}

/// A rate as tc and people write it: `10mbit`, `1.5mbit`, `800kbit`.
pub fn format_rate(bps: u64) -> String {
    let (scale, unit) = match bps {
        b if b >= 1_000_000_000 => (1e9, "gbit"),
        b if b >= 1_000_000 => (1e6, "mbit"),
        b if b >= 1_000 => (1e3, "kbit"),
        _ => (1.0, "bit"),
    };
    format!("{}{unit}", bps as f64 / scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_tc_reads_them() {
        assert_eq!(rate("10mbit"), Ok(10_000_000));
        assert_eq!(rate("1.5mbit"), Ok(1_500_000));
        assert_eq!(rate("800kbit"), Ok(800_000));
        assert!(rate("10mbps")
            .unwrap_err()
            .msg
            .contains("kbit, mbit or gbit"));
        assert!(rate("1bit").unwrap_err().msg.contains("out of range"));
        assert_eq!(format_rate(10_000_000), "10mbit");
        assert_eq!(format_rate(1_500_000), "1.5mbit");
    }

    #[test]
    fn loss_is_a_percentage() {
        assert_eq!(loss("1%"), Ok(1.0));
        assert_eq!(loss(" 0.5 %"), Ok(0.5));
        assert!(loss("1").is_err());
        assert!(loss("101%").is_err());
    }
}
