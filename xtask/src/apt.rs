//! Installing Debian packages for commands that are missing.
//!
//! Only what is missing is installed, so a warm machine never touches apt;
//! `apt-get update` runs first because a fresh container has no package lists.

use std::process::Command;

use crate::run::{output, run, which};

/// A command and the Debian package that provides it.
#[derive(Clone, Copy, Debug)]
pub struct AptTool {
    /// The command looked up on `PATH`.
    pub command: &'static str,
    /// The package that provides it.
    pub package: &'static str,
}

/// Headless Chromium, for the browser tests and the browser benchmark.
pub const CHROMIUM: AptTool = AptTool {
    command: "chromium",
    package: "chromium",
};

/// Installs the packages of those `tools` whose command is not found.
pub fn ensure(tools: &[AptTool]) -> Result<(), String> {
    let mut missing = Vec::new();
    for tool in tools {
        match which(tool.command) {
            Some(path) => eprintln!(
                "xtask: {}: present at {}, skipped",
                tool.command,
                path.display()
            ),
            None => {
                eprintln!(
                    "xtask: {}: missing, installing Debian package {}",
                    tool.command, tool.package
                );
                missing.push(*tool);
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|t| t.package).collect();
    install(&packages).map_err(|e| {
        format!(
            "{e}\nxtask needs these commands: {}; install the packages {} (or equivalents) and run it again",
            missing.iter().map(|t| t.command).collect::<Vec<_>>().join(", "),
            packages.join(" ")
        )
    })?;
    for tool in missing {
        if which(tool.command).is_none() {
            return Err(format!(
                "package {} is installed but `{}` is still not on PATH",
                tool.package, tool.command
            ));
        }
    }
    Ok(())
}

/// `apt-get update` then `apt-get install` of `packages`, as root or via sudo.
fn install(packages: &[&str]) -> Result<(), String> {
    if which("apt-get").is_none() {
        return Err("apt-get not found: this is not a Debian-like system".to_owned());
    }
    let as_root = || -> Result<Command, String> {
        if is_root() {
            Ok(Command::new("apt-get"))
        } else if which("sudo").is_some() {
            let mut cmd = Command::new("sudo");
            // sudo resets the environment, so the variable goes on its command line.
            cmd.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            Ok(cmd)
        } else {
            Err("not root and sudo not found: cannot run apt-get".to_owned())
        }
    };
    run(as_root()?.arg("update"))?;
    run(as_root()?
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages))
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|uid| uid == "0")
}
