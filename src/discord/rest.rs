//! The reply path: every message Lantern sends to members goes through here.
//!
//! Serenity's own rate limiter must be off whenever requests go through a proxy or a test
//! server (it ignores the proxy), and serenity's error type drops the `retry_after` of a
//! 429. So replies use this small client, which:
//!
//! - waits out a 429 for exactly as long as Discord asks (`retry_after`), then retries;
//! - retries server errors and dropped connections with backoff, then gives up with one
//!   log line, never a crash;
//! - never answers twice: Discord accepts one callback per interaction and answers a
//!   repeat with error 40060, which is taken as proof the first one arrived; channel
//!   messages carry an enforced nonce, so a retried send cannot post a second copy.
//!
//! Every body it sends has empty `allowed_mentions`: Lantern never pings anyone.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::config::Token;

/// Discord's error code for a second response to the same interaction.
const ALREADY_ACKNOWLEDGED: i64 = 40060;

/// Interaction flag: only the asker sees the message.
pub const EPHEMERAL: u64 = 1 << 6;

/// How many times one send is attempted, in all.
const MAX_ATTEMPTS: u32 = 5;

/// The first backoff after a server error; doubled after each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// The longest single wait on a 429 Lantern accepts before giving up.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Discord's window for the first response to an interaction.
pub const INTERACTION_WINDOW: Duration = Duration::from_secs(3);

/// Why a reply could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("Discord refused the request: HTTP {status}, code {code}")]
    Refused { status: u16, code: i64 },
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp { attempts: u32, last: String },
    #[error("the deadline for this reply passed while waiting to retry")]
    DeadlinePassed,
}

/// Sends replies to Discord's REST API.
#[derive(Clone)]
pub struct DiscordRest {
    client: reqwest::Client,
    api: String,
    authorization: String,
}

/// The body of a message: text, and optionally buttons and flags.
#[derive(Debug, Clone, Default)]
pub struct MessageBody {
    pub content: String,
    pub ephemeral: bool,
    pub components: Option<Value>,
}

impl MessageBody {
    pub fn text(content: impl Into<String>, ephemeral: bool) -> Self {
        MessageBody {
            content: content.into(),
            ephemeral,
            components: None,
        }
    }

    /// The body as Discord receives it: always with empty `allowed_mentions`.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "content": self.content,
            "allowed_mentions": { "parse": [] },
        });
        if self.ephemeral {
            body["flags"] = json!(EPHEMERAL);
        }
        if let Some(components) = &self.components {
            body["components"] = components.clone();
        }
        body
    }
}

impl DiscordRest {
    /// `base_url` is Discord's (or a proxy's) origin, e.g. `https://discord.com`.
    pub fn new(base_url: &str, token: &Token) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "DiscordBot (lantern, ",
                env!("CARGO_PKG_VERSION"),
                ")"
            ))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(DiscordRest {
            client,
            api: format!("{}/api/v10", base_url.trim_end_matches('/')),
            authorization: format!("Bot {}", token.expose()),
        })
    }

    /// Answers an interaction with a message (response type 4).
    pub async fn respond(
        &self,
        interaction_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        let body = json!({ "type": 4, "data": message.to_json() });
        self.callback(interaction_id, token, &body).await
    }

    /// Acknowledges an interaction now and answers later with [`Self::edit_original`]
    /// (response type 5), for work that may outlast Discord's three seconds.
    pub async fn defer(
        &self,
        interaction_id: u64,
        token: &str,
        ephemeral: bool,
    ) -> Result<(), SendError> {
        let mut body = json!({ "type": 5 });
        if ephemeral {
            body["data"] = json!({ "flags": EPHEMERAL });
        }
        self.callback(interaction_id, token, &body).await
    }

    /// Replaces the deferred (or first) response to an interaction.
    pub async fn edit_original(
        &self,
        application_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        let url = format!(
            "{}/webhooks/{application_id}/{token}/messages/@original",
            self.api
        );
        let mut body = message.to_json();
        // Flags cannot change on an edit; the deferral set them.
        if let Some(object) = body.as_object_mut() {
            object.remove("flags");
        }
        // An edit sets the same content however often it is sent.
        self.send(reqwest::Method::PATCH, &url, &body, None, true)
            .await
    }

    /// Answers a button click by replacing the message it sits on (response type 7).
    pub async fn update_message(
        &self,
        interaction_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        let body = json!({ "type": 7, "data": message.to_json() });
        self.callback(interaction_id, token, &body).await
    }

    async fn callback(
        &self,
        interaction_id: u64,
        token: &str,
        body: &Value,
    ) -> Result<(), SendError> {
        let url = format!(
            "{}/interactions/{interaction_id}/{token}/callback",
            self.api
        );
        let deadline = Instant::now() + INTERACTION_WINDOW;
        match self
            .send(reqwest::Method::POST, &url, body, Some(deadline), true)
            .await
        {
            Err(SendError::Refused { code, .. }) if code == ALREADY_ACKNOWLEDGED => Ok(()),
            other => other,
        }
    }

    /// A further message after the first response to an interaction.
    pub async fn follow_up(
        &self,
        application_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        let url = format!("{}/webhooks/{application_id}/{token}", self.api);
        // A follow-up has no nonce: after an ambiguous failure a retry could post it twice,
        // so only failures that certainly sent nothing (429, refused connection) are retried.
        self.send(reqwest::Method::POST, &url, &message.to_json(), None, false)
            .await
    }

    /// Posts `message` in a channel as a reply to `reply_to`, without pinging its author.
    pub async fn reply_in_channel(
        &self,
        channel_id: u64,
        reply_to: u64,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        let url = format!("{}/channels/{channel_id}/messages", self.api);
        let mut body = message.to_json();
        body["message_reference"] =
            json!({ "message_id": reply_to.to_string(), "fail_if_not_exists": false });
        body["allowed_mentions"]["replied_user"] = json!(false);
        // One reply per question, however often the send is retried. Discord allows 25
        // characters; the question's id (a snowflake, at most 20 digits) is unique enough.
        body["nonce"] = json!(reply_to.to_string());
        body["enforce_nonce"] = json!(true);
        self.send(reqwest::Method::POST, &url, &body, None, true)
            .await
    }

    /// Posts `message` in a channel (the moderators' log). `nonce` (at most 25
    /// characters) makes retries of the same post safe.
    pub async fn post(&self, channel_id: u64, content: &str, nonce: &str) -> Result<(), SendError> {
        let url = format!("{}/channels/{channel_id}/messages", self.api);
        let mut body = MessageBody::text(content, false).to_json();
        body["nonce"] = json!(nonce);
        body["enforce_nonce"] = json!(true);
        self.send(reqwest::Method::POST, &url, &body, None, true)
            .await
    }

    /// Sends with retries. `idempotent`: whether a retry after an ambiguous failure is
    /// safe. `deadline`: after this, a retry is pointless.
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: &Value,
        deadline: Option<Instant>,
        idempotent: bool,
    ) -> Result<(), SendError> {
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let wait = match self
                .client
                .request(method.clone(), url)
                .header(reqwest::header::AUTHORIZATION, &self.authorization)
                .json(body)
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                    let wait = retry_after(response).await;
                    last = format!("rate limited for {:.2}s", wait.as_secs_f64());
                    tracing::warn!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "Discord rate limit; waiting as asked"
                    );
                    if wait > MAX_RETRY_AFTER {
                        break;
                    }
                    wait
                }
                Ok(response) if response.status().is_server_error() => {
                    last = format!("HTTP {}", response.status().as_u16());
                    tracing::warn!(
                        attempt,
                        status = response.status().as_u16(),
                        "Discord server error"
                    );
                    if !idempotent {
                        break;
                    }
                    next_backoff(&mut backoff)
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let code = response
                        .json::<Value>()
                        .await
                        .ok()
                        .and_then(|v| v["code"].as_i64())
                        .unwrap_or(0);
                    return Err(SendError::Refused { status, code });
                }
                Err(error) => {
                    last = format!("connection failed: {}", without_url(&error));
                    tracing::warn!(attempt, error = %without_url(&error), "could not reach Discord");
                    // A request that never connected is safe to retry; one cut off mid-way
                    // may have been processed.
                    if !idempotent && !error.is_connect() {
                        break;
                    }
                    next_backoff(&mut backoff)
                }
            };
            if attempt == MAX_ATTEMPTS {
                break;
            }
            if deadline.is_some_and(|d| Instant::now() + wait > d) {
                tracing::warn!(
                    attempt,
                    "reply deadline would pass before the retry; giving up"
                );
                return Err(SendError::DeadlinePassed);
            }
            tokio::time::sleep(wait).await;
        }
        tracing::error!(reason = %last, "giving up on a Discord reply");
        Err(SendError::GaveUp {
            attempts: MAX_ATTEMPTS,
            last,
        })
    }
}

fn next_backoff(backoff: &mut Duration) -> Duration {
    let wait = *backoff;
    *backoff = (*backoff * 2).min(Duration::from_secs(5));
    wait
}

/// How long a 429 asks to wait: the body's `retry_after` (seconds, fractional), else the
/// `Retry-After` header, else one second.
async fn retry_after(response: reqwest::Response) -> Duration {
    let header = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok());
    let body = response
        .json::<Value>()
        .await
        .ok()
        .and_then(|v| v["retry_after"].as_f64());
    let seconds = body.or(header).unwrap_or(1.0);
    Duration::from_secs_f64(seconds.clamp(0.0, 3600.0))
}

/// A reqwest error's text without its URL: interaction URLs carry the interaction token.
fn without_url(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    if let Some(url) = error.url() {
        message = message.replace(url.as_str(), "<url>");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_never_allow_mentions() {
        let body = MessageBody::text("@everyone hi <@123>", true).to_json();
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(body["flags"], json!(64));
        let public = MessageBody::text("hi", false).to_json();
        assert!(public.get("flags").is_none());
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let mut backoff = FIRST_BACKOFF;
        let waits: Vec<_> = (0..7)
            .map(|_| next_backoff(&mut backoff).as_millis())
            .collect();
        assert_eq!(waits, [200, 400, 800, 1600, 3200, 5000, 5000]);
    }
}
