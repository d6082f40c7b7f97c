//! The seccomp filter that makes only the calls nianbao records stop the
//! tracee (as `strace --seccomp-bpf` does): a classic BPF program that
//! returns SECCOMP_RET_TRACE for the syscalls in [`TRACED`] on x86_64 and
//! SECCOMP_RET_ALLOW for everything else, so a program's other system calls
//! run at full speed, untouched.

use nix::libc;

/// `seccomp_data.nr` and `seccomp_data.arch` (linux/seccomp.h).
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;
/// AUDIT_ARCH_X86_64 (linux/audit.h): EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// linux/seccomp.h return values.
const RET_ALLOW: u32 = 0x7fff_0000;
const RET_TRACE: u32 = 0x7ff0_0000;

/// The x86_64 syscalls that stop: the data calls recorded at their exit,
/// and the fd calls that make nianbao forget what an fd was (at entry).
pub const TRACED: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_write,
    libc::SYS_readv,
    libc::SYS_writev,
    libc::SYS_sendto,
    libc::SYS_recvfrom,
    libc::SYS_sendmsg,
    libc::SYS_recvmsg,
    libc::SYS_close,
    libc::SYS_dup2,
    libc::SYS_dup3,
    libc::SYS_close_range,
];

/// The filter program: load the arch, allow any other arch (a 32-bit call
/// is not recorded), load the syscall number, trace the listed ones.
pub fn program() -> Vec<libc::sock_filter> {
    let op = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    let ld = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    let jeq = libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K;
    let ret = libc::BPF_RET | libc::BPF_K;
    let n = TRACED.len() as u8;
    let mut p = vec![
        op(ld, 0, 0, ARCH_OFFSET),
        // Not x86_64: jump over the number load and the n tests to ALLOW.
        op(jeq, 0, n + 1, AUDIT_ARCH_X86_64),
        op(ld, 0, 0, NR_OFFSET),
    ];
    for (i, &nr) in TRACED.iter().enumerate() {
        // Equal: jump over the rest of the tests and ALLOW to TRACE.
        p.push(op(jeq, n - i as u8, 0, nr as u32));
    }
    p.push(op(ret, 0, 0, RET_ALLOW));
    p.push(op(ret, 0, 0, RET_TRACE));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny interpreter of the program's three instruction kinds.
    fn verdict(p: &[libc::sock_filter], arch: u32, nr: u32) -> u32 {
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = p[pc];
            match i.code as u32 {
                c if c == (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) => {
                    acc = if i.k == ARCH_OFFSET { arch } else { nr };
                    pc += 1;
                }
                c if c == (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) => {
                    pc += 1 + if acc == i.k { i.jt } else { i.jf } as usize;
                }
                _ => return i.k,
            }
        }
    }

    #[test]
    fn only_the_listed_x86_64_calls_are_traced() {
        let p = program();
        for &nr in TRACED {
            assert_eq!(verdict(&p, AUDIT_ARCH_X86_64, nr as u32), RET_TRACE);
        }
        for nr in [libc::SYS_openat, libc::SYS_mmap, libc::SYS_connect, 999] {
            assert_eq!(verdict(&p, AUDIT_ARCH_X86_64, nr as u32), RET_ALLOW);
        }
        assert_eq!(verdict(&p, 0x4000_0003, libc::SYS_read as u32), RET_ALLOW);
    }
}
