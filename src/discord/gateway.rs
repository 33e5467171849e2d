//! Where the shards connect when `DISCORD_API_URL` names a proxy or a test server.
//!
//! Serenity asks the REST API for the gateway's address once, at start-up, and when that
//! fails it connects to Discord's own gateway instead: past the proxy, and out of a test
//! that must never reach Discord. So with a custom API URL, Lantern asks itself, retrying
//! until the API answers (or a signal stops the bot), and hands serenity that address.

use std::time::Duration;

use super::rest::DiscordRest;
use super::shutdown::Signals;

/// The longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The gateway's address from `rest`, once it answers; `None` when a signal came first.
pub async fn wait_for_gateway(rest: &DiscordRest, signals: &mut Signals) -> Option<String> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let tried = tokio::select! {
            tried = rest.gateway_url() => tried,
            () = signals.next() => return None,
        };
        match tried {
            Ok(url) => return Some(url),
            Err(error) => {
                tracing::warn!(%error, retry_in = ?backoff, "cannot reach DISCORD_API_URL to find the gateway");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {},
            () = signals.next() => return None,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
