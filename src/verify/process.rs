//! One place for killing and timing out the processes verify and rank
//! start, without `unsafe`: process-group kills, pid-pinned kills, and a
//! wait that kills the child's whole group when its time is up.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};

/// A positive pid other than init's, as rustix wants it.
fn pid_of(pid: u32) -> Option<Pid> {
    i32::try_from(pid)
        .ok()
        .filter(|p| *p > 1)
        .and_then(Pid::from_raw)
}

/// SIGKILLs the process group `leader` leads (a child started with
/// `process_group(0)`). Returns whether a signal was delivered.
pub fn kill_group(leader: u32) -> bool {
    pid_of(leader).is_some_and(|p| rustix::process::kill_process_group(p, Signal::KILL).is_ok())
}

/// SIGKILLs the one process `pid`, if `still_ours` says so once the process
/// is pinned. On Linux a pidfd pins it first, so a pid reused by another
/// process between the check and the kill is never hit; where pidfds are
/// missing, the check runs just before a plain kill(2).
pub fn kill_pinned(pid: u32, still_ours: impl Fn() -> bool) -> bool {
    let Some(p) = pid_of(pid) else {
        return false;
    };
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{pidfd_open, pidfd_send_signal, PidfdFlags};
        match pidfd_open(p, PidfdFlags::empty()) {
            Ok(fd) => return still_ours() && pidfd_send_signal(&fd, Signal::KILL).is_ok(),
            // Gone already: nothing to kill.
            Err(rustix::io::Errno::SRCH) => return false,
            // No pidfd on this kernel: fall through to kill(2).
            Err(_) => {}
        }
    }
    still_ours() && rustix::process::kill_process(p, Signal::KILL).is_ok()
}

/// How a [`wait`] ended.
#[derive(Debug)]
pub struct Waited {
    /// The exit status (`None` when it could not be read).
    pub status: Option<ExitStatus>,
    /// Whether the time ran out and the child's group was killed.
    pub timed_out: bool,
}

/// Waits for `child`, a process group leader, for at most `timeout`; when the
/// time is up its whole group is SIGKILLed and reaped. Polls every `poll`.
pub fn wait(child: &mut Child, timeout: Duration, poll: Duration) -> std::io::Result<Waited> {
    let start = Instant::now();
    loop {
        match child.try_wait()? {
            Some(status) => {
                return Ok(Waited {
                    status: Some(status),
                    timed_out: false,
                })
            }
            None if start.elapsed() >= timeout => {
                kill_group(child.id());
                // The leader itself, in case it left its group.
                let _ = child.kill();
                return Ok(Waited {
                    status: child.wait().ok(),
                    timed_out: true,
                });
            }
            None => std::thread::sleep(poll.min(timeout.saturating_sub(start.elapsed()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    #[test]
    fn wait_returns_the_status_of_a_quick_child() {
        let mut child = Command::new("sh")
            .args(["-c", "exit 3"])
            .process_group(0)
            .spawn()
            .expect("sh");
        let w = wait(
            &mut child,
            Duration::from_secs(30),
            Duration::from_millis(5),
        )
        .expect("wait");
        assert!(!w.timed_out);
        assert_eq!(w.status.and_then(|s| s.code()), Some(3));
    }

    #[test]
    fn wait_kills_the_group_when_time_is_up() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .process_group(0)
            .spawn()
            .expect("sh");
        let start = Instant::now();
        let w = wait(
            &mut child,
            Duration::from_millis(200),
            Duration::from_millis(5),
        )
        .expect("wait");
        assert!(w.timed_out);
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(w.status.is_some_and(|s| s.code().is_none()));
    }

    #[test]
    fn kill_pinned_respects_the_check() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep");
        assert!(!kill_pinned(child.id(), || false));
        assert!(child.try_wait().expect("try_wait").is_none());
        assert!(kill_pinned(child.id(), || true));
        let status = child.wait().expect("wait");
        assert!(status.code().is_none());
    }

    #[test]
    fn init_and_zero_are_never_signalled() {
        assert!(!kill_group(0));
        assert!(!kill_group(1));
        assert!(!kill_pinned(1, || true));
    }
}
