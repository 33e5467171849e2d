//! Lantern answers health questions in support communities by quoting passages from
//! articles that moderators have vetted, and says plainly when it does not know.
//!
//! Nothing is generated. Modules form one-way layers, each using only those below it
//! (`tests/layers.rs` checks this), bottom to top:
//!
//! 0. [`text`]: words, folding, sentences, the moderators' pattern language, Discord's limits.
//! 1. [`content`]: reading and validating the content folder (pure: no watching, no index).
//! 2. [`safety`] and [`search`]: the urgent/crisis gate; the index and scoring. Peers.
//! 3. [`knowledge`]: a question in, an outcome out. No rendering. Beside it, [`feedback`]:
//!    the counts per topic and week that moderators read in `/gaps`. Peers.
//! 4. [`render`]: the one renderer, for replies, topic pages, about, reload reports.
//! 5. [`live`]: the knowledge serving now, the watcher, reloads.
//! 6. [`config`]: settings from the environment and `.env`.
//! 7. [`discord`]; the command line is on the binary side (`src/cli.rs`), so clap is no
//!    part of the library's API.

pub mod config;
pub mod content;
pub mod discord;
pub mod feedback;
pub mod knowledge;
pub mod live;
pub mod render;
pub mod safety;
pub mod search;
pub mod text;

/// Libraries that log raw Discord traffic (questions, names, ids) at debug and trace.
const PAYLOAD_LOGGING_CRATES: &[&str] = &[
    "serenity",
    "tungstenite",
    "tokio_tungstenite",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
];

/// Modules whose warnings quote raw Discord payloads.
const PAYLOAD_WARNING_TARGETS: &[&str] = &["serenity::gateway::ws", "poise"];

/// Sets up logging to stderr. `RUST_LOG` overrides `default_filter`, but unless
/// `log_questions` is set and `RUST_LOG` asks for trace, the libraries that would log
/// members' questions are held at info whatever `RUST_LOG` says: these are health
/// questions. The flag alone (left on by mistake, or with `RUST_LOG=debug`) lifts nothing.
pub fn init_logging(default_filter: &str, log_questions: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;

    // An empty RUST_LOG (as `.env.example` leaves it) means "not set", not "log nothing":
    // otherwise warnings, errors and panics would all go unseen.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .and_then(|value| tracing_subscriber::EnvFilter::try_new(value).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default_filter));
    let log_questions = log_questions && filter.max_level_hint() == Some(LevelFilter::TRACE);
    config::set_questions_logged(log_questions);
    let mut cap = Targets::new().with_default(LevelFilter::TRACE);
    if !log_questions {
        for target in PAYLOAD_LOGGING_CRATES {
            cap = cap.with_target(*target, LevelFilter::INFO);
        }
        // Even their warnings can carry a member's words: serenity logs an event it cannot
        // parse whole, and poise logs messages it took for a command.
        for target in PAYLOAD_WARNING_TARGETS {
            cap = cap.with_target(*target, LevelFilter::ERROR);
        }
    }
    let _ = tracing_subscriber::registry()
        // Colour codes only for a person at a terminal: in a file, a pipe or the
        // journal they are noise.
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .with(filter)
        .with(cap)
        .try_init();
    if !log_questions {
        std::panic::set_hook(Box::new(log_panic_without_payload));
    }
}

/// Logs where a panic happened but not its message: Rust's own messages quote the text
/// they were handling ("byte index 7 is not a char boundary ... of `...`"), which may be
/// a member's question.
fn log_panic_without_payload(info: &std::panic::PanicHookInfo<'_>) {
    match info.location() {
        Some(at) => tracing::error!(
            file = at.file(),
            line = at.line(),
            "a task panicked (its message is not logged: it may hold a member's words)"
        ),
        None => tracing::error!("a task panicked (its message is not logged)"),
    }
}
