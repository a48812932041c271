//! `backup` and `restore`.
//!
//! SQLite: an online snapshot with `VACUUM INTO`, checked before a restore copies it into place.
//! PostgreSQL: the server's own `pg_dump` and `pg_restore` (custom format), which must be on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use commonground_store::Store;

use super::{DatabaseArgs, ServerArgs, load_config};

/// Options of `backup`.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// The file to write; must not exist yet.
    pub file: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Options of `restore`.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A file written by `backup`.
    pub file: PathBuf,
    /// Replace the current database even if it holds data.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

fn database_url(config_file: Option<&Path>, database: DatabaseArgs) -> Result<String, String> {
    let config = load_config(
        config_file,
        &ServerArgs {
            bind: None,
            database,
        },
    )?;
    Ok(config.database_url.expose().to_owned())
}

/// The file path of a `sqlite://` URL, without query options.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

fn run_tool(mut command: Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {what} (is the PostgreSQL client installed?): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed with {status}"))
    }
}

/// Writes a backup of the configured database.
pub async fn backup(config_file: Option<&Path>, args: BackupArgs) -> Result<(), String> {
    if args.file.exists() {
        return Err(format!(
            "{} already exists: choose a new file name",
            args.file.display()
        ));
    }
    let url = database_url(config_file, args.database)?;
    let target = args.file.to_string_lossy().into_owned();
    if sqlite_path(&url).is_some() {
        let store = Store::connect(&url).await.map_err(|e| e.to_string())?;
        store
            .backup_sqlite_into(&target)
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
    } else {
        let mut command = Command::new("pg_dump");
        command.args(["--format=custom", "--no-owner", "--file", &target, &url]);
        run_tool(command, "pg_dump")?;
    }
    println!("Backup written to {target}");
    Ok(())
}

/// Replaces the configured database with a backup.
pub async fn restore(config_file: Option<&Path>, args: RestoreArgs) -> Result<(), String> {
    if !args.file.is_file() {
        return Err(format!("{} is not a file", args.file.display()));
    }
    let url = database_url(config_file, args.database)?;
    let source = args.file.to_string_lossy().into_owned();
    if let Some(path) = sqlite_path(&url) {
        // Every SQLite file starts with this header; checking it first fails fast on other files.
        let mut header = [0u8; 16];
        let is_sqlite = std::fs::File::open(&args.file)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
            .is_ok()
            && &header == b"SQLite format 3\0";
        if !is_sqlite {
            return Err(format!(
                "{source} is not a commonground backup (not an SQLite file)"
            ));
        }
        let check = Store::connect(&format!("sqlite://{source}?mode=ro"))
            .await
            .map_err(|e| format!("{source} is not a commonground backup: {e}"))?;
        let verdict = check.integrity_check().await.map_err(|e| e.to_string())?;
        check.close().await;
        if verdict != "ok" {
            return Err(format!("{source} is damaged: {verdict}"));
        }
        if Path::new(path).exists() && !args.force {
            return Err(format!(
                "{path} exists: stop the service and run restore again with --force to replace it"
            ));
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        std::fs::copy(&source, path).map_err(|e| format!("cannot write {path}: {e}"))?;
    } else {
        if !args.force {
            return Err(
                "restoring into PostgreSQL replaces every table: run again with --force".into(),
            );
        }
        let mut command = Command::new("pg_restore");
        command.args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            &url,
            &source,
        ]);
        run_tool(command, "pg_restore")?;
    }
    println!("Restored from {source}");
    Ok(())
}
