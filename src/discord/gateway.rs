//! Where the shards connect when `DISCORD_API_URL` names a proxy or a test server.
//!
//! Serenity asks the REST API for the gateway's address once, at start-up, and when that
//! fails it connects to Discord's own gateway instead: past the proxy, and out of a test
//! that must never reach Discord. So with a custom API URL, Lantern asks itself, retrying
//! until the API answers (or a signal stops the bot), and hands serenity that address.
//! An answer that retrying cannot change (a wrong path, a rejected token) stops the bot
//! with what to fix, rather than a warning repeated forever.

use std::time::Duration;

use super::rest::{DiscordRest, GatewayError};
use super::shutdown::Signals;

/// The longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The gateway's address from `rest`, once it answers; `None` when a signal came first.
pub async fn wait_for_gateway(
    rest: &DiscordRest,
    signals: &mut Signals,
) -> anyhow::Result<Option<String>> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let tried = tokio::select! {
            tried = rest.gateway_url() => tried,
            () = signals.next() => return Ok(None),
        };
        match tried {
            Ok(url) => return Ok(Some(url)),
            Err(GatewayError::Refused { status }) => return Err(explain_refusal(status)),
            Err(error @ GatewayError::Unreachable(_)) => {
                tracing::warn!(%error, retry_in = ?backoff, "cannot reach DISCORD_API_URL to find the gateway");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {},
            () = signals.next() => return Ok(None),
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// What the operator should do about a refusal of `GET /api/v10/gateway`.
fn explain_refusal(status: u16) -> anyhow::Error {
    match status {
        401 | 403 => anyhow::anyhow!(
            "DISCORD_API_URL answered HTTP {status} to GET /api/v10/gateway: the token, or the proxy's own \
             access rules, refused the bot. Check the proxy's settings; if they allow the bot, copy a new token \
             from the Developer Portal (your app, Bot, Reset Token) into .env as DISCORD_TOKEN"
        ),
        404 => anyhow::anyhow!(
            "DISCORD_API_URL has no /api/v10/gateway (HTTP 404): it must be the base URL Discord's API \
             sits under, such as https://discord.com or the proxy's origin; Lantern adds /api/v10 itself"
        ),
        _ => anyhow::anyhow!(
            "DISCORD_API_URL answered HTTP {status} to GET /api/v10/gateway, which asking again will \
             not change: check DISCORD_API_URL and the proxy's settings"
        ),
    }
}
