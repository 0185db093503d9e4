//! A child process in a process group of its own, so that stopping it also stops what it
//! started (an emulator's function processes, Chromium's helpers) — on drop too, so a
//! failed check leaves nothing running.

use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

pub struct ProcessGroup {
    name: String,
    child: Option<Child>,
}

impl ProcessGroup {
    /// Spawns `command` as the leader of a new process group.
    pub fn spawn(name: &str, command: &mut Command) -> std::io::Result<Self> {
        use std::os::unix::process::CommandExt;
        let child = command.process_group(0).spawn()?;
        Ok(Self {
            name: name.to_owned(),
            child: Some(child),
        })
    }

    /// The leader's standard output, if it was piped (once).
    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.as_mut().and_then(|c| c.stdout.take())
    }

    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The exit status if it has already ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// SIGTERM to the whole group, SIGKILL to what is left after `grace`, then reaps the
    /// leader. Safe to call twice.
    pub fn stop(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = format!("-{}", child.id());
        signal("-TERM", &group);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) && !group_alive(&group) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal("-KILL", &group);
        let _ = child.kill();
        let _ = child.wait();
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(3));
    }
}

/// `kill SIGNAL -- -PGID` (no unsafe code for `killpg`).
fn signal(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", group])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Whether any process of the group is left (`kill -0`).
fn group_alive(group: &str) -> bool {
    Command::new("kill")
        .args(["-0", "--", group])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_the_leader_stops_its_children() {
        // A shell that starts a grandchild and waits: both must be gone after stop.
        let marker = std::env::temp_dir().join(format!("rewind-pg-{}", std::process::id()));
        let script = format!("sleep 300 & echo $! > {}; wait", marker.display());
        let mut group = ProcessGroup::spawn("sh", Command::new("sh").args(["-c", &script]))
            .map_err(|e| e.to_string());
        let Ok(group) = group.as_mut() else {
            panic!("cannot spawn sh: {group:?}", group = group.err());
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let grandchild = loop {
            if let Some(pid) = std::fs::read_to_string(&marker)
                .ok()
                .and_then(|t| t.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(
                Instant::now() < deadline,
                "the shell did not start its child"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        group.stop(Duration::from_secs(2));
        let alive = Command::new("kill")
            .args(["-0", &grandchild.to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let _ = std::fs::remove_file(&marker);
        assert!(!alive, "the grandchild {grandchild} outlived its group");
    }
}
