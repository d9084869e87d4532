//! Shared by the command line's tests: running the `onstage` binary and
//! writing its input files.
#![allow(dead_code)]

use std::process::{Command, Output, Stdio};

/// The exit status (-1 when a signal ended it), standard output and
/// standard error of one run.
pub type Ran = (i32, String, String);

fn ran(out: Output) -> Ran {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `onstage ARGS` with `stdin` as its standard input.
pub fn run_with(args: &[&str], stdin: Stdio) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_onstage"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    ran(out)
}

/// `onstage ARGS` with nothing on its standard input.
pub fn run(args: &[&str]) -> Ran {
    run_with(args, Stdio::null())
}

/// `onstage ARGS` with `text` written to its standard input.
pub fn run_with_input(args: &[&str], text: &str) -> Ran {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_onstage"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    ran(child.wait_with_output().unwrap())
}

/// A file of its own holding `bytes` (tests run at once: each call gets a
/// directory no other call writes).
pub fn temp(name: &str, bytes: impl AsRef<[u8]>) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("onstage-cli-tests-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}
