//! Lantern answers health questions in support communities by quoting passages from
//! articles that moderators have vetted, and says plainly when it does not know.
//!
//! Nothing is generated. The library holds everything that can be tested without
//! Discord: content loading and validation ([`content`]), retrieval ([`search`]), the
//! safety gate ([`safety`]), the one reply renderer ([`answer`]) and configuration
//! ([`config`]). [`knowledge::Knowledge`] ties them together.

pub mod answer;
pub mod cli;
pub mod config;
pub mod content;
pub mod discord;
pub mod knowledge;
pub mod safety;
pub mod search;
pub mod store;
pub mod text;

/// Sets up logging to stderr. `RUST_LOG` overrides `default_filter`.
pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
