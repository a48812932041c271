//! The `commonground` command: parse the command line and run the chosen subcommand.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
