//! The `commonground` binary's subcommands, run as a user would run them.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn commonground(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_commonground"));
    command
        .current_dir(dir)
        .env_remove("COMMONGROUND_DATABASE_URL")
        .env_remove("COMMONGROUND_BIND")
        .env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        &["serve"][..],
        &["demo"],
        &["migrate"],
        &["backup"],
        &["restore"],
        &["admin"],
        &["admin", "create-user"],
        &["admin", "make-network-admin"],
        &["admin", "create-organisation"],
    ] {
        let (ok, out, _) = run(commonground(dir.path()).args(sub).arg("--help"));
        assert!(ok && out.contains("Usage:"), "{sub:?}");
    }
    let (_, out, _) = run(commonground(dir.path()).args(["serve", "--help"]));
    assert!(out.contains("COMMONGROUND_BIND") && out.contains("COMMONGROUND_DATABASE_URL"));
}

#[test]
fn admin_tasks_migrate_backup_and_restore_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(commonground(dir.path()).arg("migrate"));
    assert!(ok, "{err}");
    assert!(out.contains("0001_foundation"));
    assert!(
        dir.path().join("commonground.sqlite3").exists(),
        "the default database is a file here"
    );
    let (ok, out, _) = run(commonground(dir.path()).arg("migrate"));
    assert!(ok && out.contains("up to date"));

    let (ok, out, err) = run(commonground(dir.path()).args([
        "admin",
        "create-user",
        "--email",
        "Root@Trust.nhs.uk",
        "--name",
        "Rory Admin",
    ]));
    assert!(ok, "{err}");
    assert!(out.contains("root@trust.nhs.uk") && out.contains("Password: "));
    let (ok, _, err) = run(commonground(dir.path()).args([
        "admin",
        "make-network-admin",
        "--email",
        "root@trust.nhs.uk",
    ]));
    assert!(ok, "{err}");
    let (ok, out, err) = run(commonground(dir.path()).args([
        "admin",
        "create-organisation",
        "--name",
        "Northshire Hospitals",
        "--ods-code",
        "rx1",
        "--admin-email",
        "root@trust.nhs.uk",
    ]));
    assert!(ok, "{err}");
    assert!(out.contains("RX1"));
    let (ok, _, err) = run(commonground(dir.path()).args([
        "admin",
        "create-organisation",
        "--name",
        "Again",
        "--ods-code",
        "RX1",
    ]));
    assert!(!ok && err.contains("already"), "{err}");
    let (ok, _, err) = run(commonground(dir.path()).args([
        "admin",
        "create-user",
        "--email",
        "not-an-email",
        "--name",
        "X",
    ]));
    assert!(!ok && err.contains("email"), "{err}");

    let (ok, _, err) = run(commonground(dir.path()).args(["backup", "backup.sqlite3"]));
    assert!(ok, "{err}");
    let (ok, _, err) = run(commonground(dir.path()).args(["backup", "backup.sqlite3"]));
    assert!(!ok && err.contains("already exists"));
    std::fs::remove_file(dir.path().join("commonground.sqlite3")).unwrap();
    let (ok, _, err) = run(commonground(dir.path()).args(["restore", "backup.sqlite3"]));
    assert!(ok, "{err}");
    let (ok, _, err) = run(commonground(dir.path()).args(["restore", "backup.sqlite3"]));
    assert!(!ok && err.contains("--force"), "{err}");
    let (ok, _, err) = run(commonground(dir.path()).args([
        "admin",
        "create-organisation",
        "--name",
        "Again",
        "--ods-code",
        "RX1",
    ]));
    assert!(
        !ok && err.contains("already"),
        "the restored database has the organisation: {err}"
    );
    std::fs::write(dir.path().join("junk.sqlite3"), b"not a database").unwrap();
    let (ok, _, _) = run(commonground(dir.path()).args(["restore", "--force", "junk.sqlite3"]));
    assert!(!ok, "a damaged backup is refused");
}

#[test]
fn bad_configuration_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(commonground(dir.path())
        .args(["serve", "--bind", "nowhere"])
        .env("COMMONGROUND_DEFAULT_MIN_REPORTING_GROUP", "2"));
    assert!(!ok);
    assert!(
        err.contains("bind address") && err.contains("minimum reporting group"),
        "{err}"
    );
    std::fs::write(dir.path().join("config.toml"), "colour = 'blue'\n").unwrap();
    let (ok, _, err) = run(commonground(dir.path()).args(["--config", "config.toml", "migrate"]));
    assert!(!ok && err.contains("config.toml"), "{err}");
}

#[test]
fn serve_answers_health_checks_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = commonground(dir.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let healthy = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            break answer.starts_with("HTTP/1.1 200");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(healthy);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "a graceful stop exits 0");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}
