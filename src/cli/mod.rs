//! Subcommands of the `commonground` binary.

// Clap shows these doc comments as the --help text, where Markdown backticks would be noise.
#![expect(clippy::doc_markdown, reason = "doc comments here are --help text")]

mod admin;
mod backup;
mod logs;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use commonground_web::config::{Config, ConfigInput};

/// commonground: clinical and finance staff measure how well they work together, agree joint
/// actions and review them every six months.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// A TOML configuration file (settings as in .env.example, in lower case without the prefix).
    #[arg(long, global = true, env = "COMMONGROUND_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where to listen and which database to use; flags beat environment variables beat the file.
#[derive(clap::Args, Clone)]
struct ServerArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "COMMONGROUND_BIND")]
    bind: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Which database to use.
#[derive(clap::Args, Clone)]
struct DatabaseArgs {
    /// sqlite://FILE or postgres://USER@HOST/DB [default: sqlite://commonground.sqlite3].
    #[arg(long, env = "COMMONGROUND_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and API (applies pending migrations first).
    Serve(ServerArgs),
    /// Create (or complete) a demo trust with accounts in every role, print how to sign in, then serve.
    Demo(ServerArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Copy the whole database to a file while the service keeps running.
    Backup(backup::BackupArgs),
    /// Replace the database with a backup (stop the service first).
    Restore(backup::RestoreArgs),
    /// Administrative tasks: users, network admins, organisations.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
}

/// Runs the command line and turns any failure into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logs::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve(args) => serve(load_config(file, &args)?, false).await,
        Command::Demo(args) => serve(load_config(file, &args)?, true).await,
        Command::Migrate(db) => {
            let config = load_config(
                file,
                &ServerArgs {
                    bind: None,
                    database: db,
                },
            )?;
            let store = commonground_store::Store::connect(config.database_url.expose())
                .await
                .map_err(|e| e.to_string())?;
            let applied = store.migrate().await.map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("The database is up to date.");
            } else {
                println!("Applied: {}", applied.join(", "));
            }
            store.close().await;
            Ok(())
        }
        Command::Backup(args) => backup::backup(file, args).await,
        Command::Restore(args) => backup::restore(file, args).await,
        Command::Admin(command) => admin::run(file, command).await,
    }
}

/// Defaults, then the file, then the environment, then flags; every problem reported at once.
fn load_config(file: Option<&std::path::Path>, args: &ServerArgs) -> Result<Config, String> {
    let from_file = match file {
        Some(path) => ConfigInput::from_file(path)?,
        None => ConfigInput::default(),
    };
    let from_env = ConfigInput::from_env(|name| std::env::var(name).ok())?;
    let from_flags = ConfigInput {
        bind: args.bind.clone(),
        database_url: args.database.database_url.clone(),
        ..ConfigInput::default()
    };
    from_file
        .overlay(from_env)
        .overlay(from_flags)
        .validate()
        .map_err(|problems| {
            format!(
                "the configuration is not valid:\n  - {}",
                problems.join("\n  - ")
            )
        })
}

/// Background workers per instance: enough to keep a mail relay busy on two cores.
const JOB_WORKERS: usize = 4;

async fn serve(config: Config, demo: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    let bind = config.bind;
    let base = config.public_base_url.clone();
    let state = commonground_web::prepare(config)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    if demo {
        commonground_web::demo::seed(&state)
            .await
            .map_err(|e| format!("cannot create the demo organisation: {e}"))?;
        print_demo_accounts(&base);
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let store = state.store.clone();
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let workers = state.jobs.clone().spawn(JOB_WORKERS, jobs_stopped);
    tracing::info!(%bind, startup_ms = started.elapsed().as_millis(), smtp = state.config.smtp.is_some(), "serving");
    let live = state.live.clone();
    let app = commonground_web::app(state);
    let shutdown = commonground_web::live::closing(live, shutdown_signal());
    commonground_web::run_until_stopped(listener, app, shutdown)
        .await
        .map_err(|e| e.to_string())?;
    // Workers finish the job in hand; jobs they had claimed but not started lapse with their
    // lease and are taken up on the next start (or by another instance).
    let _ = stop_jobs.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo_accounts(base: &str) {
    println!(
        "\ncommonground demo: open {base} and sign in as any of these (password: {}):\n",
        commonground_web::demo::DEMO_PASSWORD
    );
    for account in &commonground_web::demo::DEMO_ACCOUNTS {
        println!(
            "  {:<28} {} ({})",
            account.email, account.name, account.role
        );
    }
    println!();
}

/// Completes on Ctrl+C or SIGTERM, so requests in flight can finish.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
