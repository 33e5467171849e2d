//! `lantern`: parse arguments, load configuration, hand over to the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::Cli;
use lantern::config::{self, Config};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match config::load_dotenv() {
        Ok(loaded) => {
            for warning in loaded.map(|(_, warnings)| warnings).unwrap_or_default() {
                eprintln!("warning: {warning}");
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    }
    let token_set = config::token_is_set(&config::process_env);
    let log_questions = match config::log_questions(&config::process_env) {
        Ok(log_questions) => log_questions,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let default_filter = if cli.runs_bot(token_set) {
        "lantern=info,warn"
    } else {
        "warn"
    };
    lantern::init_logging(default_filter, log_questions);
    let config = match Config::load(&config::process_env, cli.content.clone()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    cli::run(cli, config)
}
