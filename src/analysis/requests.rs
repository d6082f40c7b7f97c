//! Request/response timing: when the server answers each whole message
//! with one reply (`receiver.reply_per = "message"`), request `i` is c2s
//! message `i` and its reply is s2c message `i`. Its latency runs from the
//! moment the client began the request's first send call (or, when that
//! was not recorded, the call's return) to the return of the client's read
//! that completed the reply. Pure: read from the two flows' rows.

use super::FlowAnalysis;
use crate::trace::Flow;

/// One request and its reply, ns on the trial clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub request: u64,
    /// When the request's first send call began (returned, if not recorded).
    pub sent_ns: u64,
    /// When the read that completed the reply returned.
    pub reply_ns: u64,
    pub latency_ns: u64,
}

/// Mean, median and 99th percentile (nearest rank) of the latencies, ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Latency {
    pub mean_ns: f64,
    pub median_ns: f64,
    pub p99_ns: f64,
}

/// Pairs each request with its reply: requests whose reply never arrived
/// (or that were never sent) are left out.
pub fn requests(flows: &[FlowAnalysis]) -> Vec<Request> {
    let flow = |f: Flow| flows.iter().find(|a| a.flow == f);
    let (Some(c2s), Some(s2c)) = (flow(Flow::C2s), flow(Flow::S2c)) else {
        return Vec::new();
    };
    // The first send of message i is the first call that starts with it.
    let mut first: Vec<Option<u64>> = c2s.began.iter().map(|t| Some(*t)).collect();
    first.resize(c2s.messages.len().max(first.len()), None);
    for s in &c2s.sends {
        if let Some(slot) = first.get_mut(s.msg_id as usize) {
            slot.get_or_insert(s.t_ns);
        }
    }
    s2c.messages
        .iter()
        .enumerate()
        .filter_map(|(i, reply)| {
            let sent_ns = (*first.get(i)?)?;
            let reply_ns = reply.delivered_ns?;
            // A reply is read after its request is sent; a pair that says
            // otherwise is not a request and its reply.
            Some(Request {
                request: i as u64,
                sent_ns,
                reply_ns,
                latency_ns: reply_ns.checked_sub(sent_ns)?,
            })
        })
        .collect()
}

/// The latencies' mean, median and p99; `None` without requests.
pub fn latency(requests: &[Request]) -> Option<Latency> {
    let mut ns: Vec<f64> = requests.iter().map(|r| r.latency_ns as f64).collect();
    ns.sort_by(f64::total_cmp);
    let rank = ((ns.len() as f64 * 0.99).ceil() as usize).clamp(1, ns.len().max(1));
    Some(Latency {
        mean_ns: super::stats::mean(&ns)?.round(),
        median_ns: super::stats::median(&ns)?.round(),
        p99_ns: ns[rank - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse_owned;
    use crate::trace::{Boundaries, Delivery, FlowTrace, MessageSpan, RecvEvent, SendEvent};

    fn flow(
        flow: Flow,
        lens: &[u64],
        sends: &[(u64, u64, u64)],
        recvs: &[(u64, u64)],
    ) -> FlowAnalysis {
        let mut t = FlowTrace {
            delivery: Delivery::Stream,
            boundaries: Boundaries::Known,
            ..FlowTrace::default()
        };
        let mut at = 0;
        for (id, len) in lens.iter().enumerate() {
            t.messages.push(MessageSpan {
                id: id as u64,
                offset: at,
                len: *len,
            });
            at += len;
        }
        for &(t_ns, msg_id, offset) in sends {
            t.sends.push(SendEvent {
                t_ns,
                msg_id,
                offset,
                len: 10,
                ret: 10,
            });
        }
        let mut at = 0;
        for &(t_ns, len) in recvs {
            t.recvs.push(RecvEvent {
                t_ns,
                offset: at,
                len: len as u32,
                asked: 1024,
                ..RecvEvent::default()
            });
            at += len;
        }
        analyse_owned(flow, t, 0)
    }

    #[test]
    fn a_request_runs_from_its_first_send_to_the_read_that_completes_its_reply() {
        // Two requests of header + body; the first reply comes in two reads.
        let c2s = flow(
            Flow::C2s,
            &[20, 20],
            &[(100, 0, 0), (200, 0, 10), (1_000, 1, 20), (45_000, 1, 30)],
            &[],
        );
        let s2c = flow(Flow::S2c, &[2, 2], &[], &[(500, 1), (900, 1), (46_000, 2)]);
        let r = requests(&[c2s, s2c]);
        assert_eq!(
            r,
            vec![
                Request {
                    request: 0,
                    sent_ns: 100,
                    reply_ns: 900,
                    latency_ns: 800
                },
                Request {
                    request: 1,
                    sent_ns: 1_000,
                    reply_ns: 46_000,
                    latency_ns: 45_000
                },
            ]
        );
        let l = latency(&r).unwrap();
        assert_eq!(
            (l.mean_ns, l.median_ns, l.p99_ns),
            (22_900.0, 22_900.0, 45_000.0)
        );
    }

    #[test]
    fn a_reply_that_never_came_is_no_request_and_no_flow_is_none() {
        let c2s = flow(Flow::C2s, &[20, 20], &[(100, 0, 0), (1_000, 1, 20)], &[]);
        let s2c = flow(Flow::S2c, &[2, 2], &[], &[(500, 2)]);
        assert_eq!(requests(&[c2s.clone(), s2c]).len(), 1);
        assert!(requests(&[c2s]).is_empty());
        assert_eq!(latency(&[]), None);
    }

    #[test]
    fn p99_is_the_nearest_rank() {
        let r: Vec<Request> = (1..=200)
            .map(|i| Request {
                request: i,
                sent_ns: 0,
                reply_ns: i,
                latency_ns: i,
            })
            .collect();
        assert_eq!(latency(&r).unwrap().p99_ns, 198.0);
    }
}
