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

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::config::Token;
use crate::text::limits;

/// Discord's error code for a second response to the same interaction.
const ALREADY_ACKNOWLEDGED: i64 = 40060;

/// Interaction flag: only the asker sees the message.
pub const EPHEMERAL: u64 = 1 << 6;

/// Whether the message a button sits under is private to its asker, so what the click
/// shows next stays private too.
pub fn is_ephemeral(click: &serenity::all::ComponentInteraction) -> bool {
    click
        .message
        .flags
        .is_some_and(|f| f.bits() & EPHEMERAL != 0)
}

/// How many times one send is attempted, in all.
const MAX_ATTEMPTS: u32 = 5;

/// The first backoff after a server error; doubled after each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// The longest single wait on a 429 Lantern accepts before giving up.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Discord's window for the first response to an interaction.
pub const INTERACTION_WINDOW: Duration = Duration::from_secs(3);

/// When Discord's ids start counting: the milliseconds in an id (its top 42 bits) are
/// since 2015-01-01.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// How much of Discord's window for the first response to the interaction `id` is left
/// at `now`: the window runs from when Discord created the interaction (the time in its
/// id), not from when Lantern started to answer, so no retry is made after it has closed.
/// What the clocks may disagree by is bounded: at least a third of the window is always
/// left, so a clock running ahead never stops a reply that could still arrive.
pub fn window_left(id: u64, now: std::time::SystemTime) -> Duration {
    let created = std::time::UNIX_EPOCH + Duration::from_millis((id >> 22) + DISCORD_EPOCH_MS);
    let elapsed = now.duration_since(created).unwrap_or(Duration::ZERO);
    INTERACTION_WINDOW - elapsed.min(INTERACTION_WINDOW * 2 / 3)
}

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

/// What a posted message is, for its nonce. Discord checks a nonce against the same
/// author's recent messages in every channel, and returns the earlier message instead of
/// posting: two kinds of post about the same question (the reply to a mention, and that
/// question sent on to the moderators) must not share one, or the second is silently lost.
#[derive(Debug, Clone, Copy)]
pub enum Nonce {
    /// The reply to the member's message with this id.
    ReplyTo(u64),
    /// A question sent to the moderators at its asker's choice, by the random number
    /// drawn when it was held (never its id, which leads back to the member).
    Forwarded(u64),
    /// A mod-log post: the process's start time and the post's number.
    ModLog { started: u64, post: u64 },
}

impl Nonce {
    /// A kind letter and hex numbers: at most 17 characters for an id, within
    /// [`limits::NONCE`] for a mod-log post for centuries of posts.
    fn wire(&self) -> String {
        match self {
            Nonce::ReplyTo(id) => format!("r{id:x}"),
            Nonce::Forwarded(id) => format!("f{id:x}"),
            Nonce::ModLog { started, post } => format!("m{started:x}{post:x}"),
        }
    }
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
    pub components: Option<Vec<ActionRow>>,
}

impl MessageBody {
    /// Whether the message carries buttons, the part Discord may refuse on its own.
    pub fn has_buttons(&self) -> bool {
        self.components
            .as_ref()
            .is_some_and(|rows| !rows.is_empty())
    }
}

// The request bodies below are typed so the compiler knows their shape. Fields are
// declared in alphabetical order: that is the order the `json!` bodies they replaced
// were sent in, so the bytes on the wire are unchanged.

/// A row of buttons under a message (component type 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    pub components: Vec<Button>,
    #[serde(rename = "type")]
    kind: u8,
}

impl ActionRow {
    pub fn new(components: Vec<Button>) -> Self {
        ActionRow {
            components,
            kind: 1,
        }
    }
}

/// A grey (secondary style) button that sends `custom_id` back when clicked
/// (component type 2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Button {
    pub custom_id: String,
    pub disabled: bool,
    pub label: String,
    style: u8,
    #[serde(rename = "type")]
    kind: u8,
}

impl Button {
    /// A grey button; a label longer than Discord allows is shortened, not refused.
    pub fn secondary(label: impl Into<String>, custom_id: String, disabled: bool) -> Self {
        Button {
            custom_id,
            disabled,
            label: limits::ellipsize(&label.into(), limits::BUTTON_LABEL),
            style: 2,
            kind: 2,
        }
    }
}

/// Who a message may ping: nobody. `parse` is always empty.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct AllowedMentions {
    parse: [&'static str; 0],
    /// Set to `false` on replies, so the asker is not pinged either.
    #[serde(skip_serializing_if = "Option::is_none")]
    replied_user: Option<bool>,
}

/// The message a channel reply answers.
#[derive(Debug, Clone, Serialize)]
struct MessageReference {
    fail_if_not_exists: bool,
    message_id: String,
}

/// A message as Discord receives it.
#[derive(Debug, Clone, Serialize)]
struct WireMessage<'a> {
    allowed_mentions: AllowedMentions,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<&'a [ActionRow]>,
    content: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    enforce_nonce: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_reference: Option<MessageReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

impl WireMessage<'_> {
    /// As a reply to message `reply_to` that does not ping its author.
    fn reply_to(self, reply_to: u64) -> Self {
        WireMessage {
            message_reference: Some(MessageReference {
                fail_if_not_exists: false,
                message_id: reply_to.to_string(),
            }),
            allowed_mentions: AllowedMentions {
                replied_user: Some(false),
                ..AllowedMentions::default()
            },
            ..self
        }
        // One reply per question, however often the send is retried.
        .with_nonce(&Nonce::ReplyTo(reply_to))
    }

    /// Makes retries of the same send post at most one message.
    fn with_nonce(self, nonce: &Nonce) -> Self {
        let nonce = nonce.wire();
        debug_assert!(
            nonce.chars().count() <= limits::NONCE,
            "nonce too long: {nonce}"
        );
        WireMessage {
            nonce: Some(nonce),
            enforce_nonce: Some(true),
            ..self
        }
    }
}

/// An interaction callback: a response `type` and, for most types, its data.
#[derive(Debug, Clone, Serialize)]
struct Callback<D> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<D>,
    #[serde(rename = "type")]
    kind: u8,
}

impl<'a> Callback<WireMessage<'a>> {
    /// Answering with a message (response type 4).
    fn message(message: &'a MessageBody) -> Self {
        Callback {
            data: Some(message.wire()),
            kind: 4,
        }
    }
}

/// A deferral's data: only whether the coming answer is private.
#[derive(Debug, Clone, Copy, Serialize)]
struct DeferData {
    flags: u64,
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
    fn wire(&self) -> WireMessage<'_> {
        WireMessage {
            allowed_mentions: AllowedMentions::default(),
            components: self.components.as_deref(),
            content: &self.content,
            enforce_nonce: None,
            flags: self.ephemeral.then_some(EPHEMERAL),
            message_reference: None,
            nonce: None,
        }
    }

    /// The body as Discord receives it, as JSON (for tests and checks).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.wire()).expect("a message body always serializes")
    }
}

/// `GET /gateway` failed: why, without the URL.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Worth trying again: no answer, a server error, a rate limit, a body cut short.
    #[error("{0}")]
    Unreachable(String),
    /// An answer that asking again will not change: a wrong path or a rejected token.
    #[error("HTTP {status}")]
    Refused { status: u16 },
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

    /// The gateway's address, from `GET /gateway`: where the shards connect.
    pub async fn gateway_url(&self) -> Result<String, GatewayError> {
        #[derive(serde::Deserialize)]
        struct Gateway {
            url: String,
        }
        let unreachable = |error: reqwest::Error| GatewayError::Unreachable(without_url(&error));
        let response = self
            .client
            .get(format!("{}/gateway", self.api))
            .header("Authorization", &self.authorization)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let passing = matches!(
            status,
            reqwest::StatusCode::TOO_MANY_REQUESTS | reqwest::StatusCode::REQUEST_TIMEOUT
        );
        if status.is_client_error() && !passing {
            return Err(GatewayError::Refused {
                status: status.as_u16(),
            });
        }
        let response = response.error_for_status().map_err(unreachable)?;
        let gateway: Gateway = response.json().await.map_err(unreachable)?;
        Ok(gateway.url)
    }

    /// Answers an interaction with a message (response type 4).
    pub async fn respond(
        &self,
        interaction_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        self.callback(interaction_id, token, &Callback::message(message))
            .await
    }

    /// Acknowledges an interaction now and answers later with [`Self::edit_original`]
    /// (response type 5), for work that may outlast Discord's three seconds.
    pub async fn defer(
        &self,
        interaction_id: u64,
        token: &str,
        ephemeral: bool,
    ) -> Result<(), SendError> {
        let body = Callback {
            data: ephemeral.then_some(DeferData { flags: EPHEMERAL }),
            kind: 5,
        };
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
        // Flags cannot change on an edit; the deferral set them.
        let body = WireMessage {
            flags: None,
            ..message.wire()
        };
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
        let body = Callback {
            data: Some(message.wire()),
            kind: 7,
        };
        self.callback(interaction_id, token, &body).await
    }

    /// Answers an interaction with `message` (response type 4), or, when it was answered
    /// already (its handler failed after replying), adds `message` as a follow-up: an
    /// apology must arrive whichever step failed.
    pub async fn respond_or_follow_up(
        &self,
        interaction_id: u64,
        application_id: u64,
        token: &str,
        message: &MessageBody,
    ) -> Result<(), SendError> {
        match self
            .callback_once(interaction_id, token, &Callback::message(message))
            .await
        {
            Err(SendError::Refused { code, .. }) if code == ALREADY_ACKNOWLEDGED => {
                self.follow_up(application_id, token, message).await
            }
            other => other,
        }
    }

    /// Sends an interaction response; a repeat Discord refuses as already answered
    /// (after a retry whose first try did arrive) counts as delivered.
    async fn callback(
        &self,
        interaction_id: u64,
        token: &str,
        body: &(impl Serialize + Sync),
    ) -> Result<(), SendError> {
        match self.callback_once(interaction_id, token, body).await {
            Err(SendError::Refused { code, .. }) if code == ALREADY_ACKNOWLEDGED => Ok(()),
            other => other,
        }
    }

    /// Sends an interaction response, reporting every refusal as it is.
    async fn callback_once(
        &self,
        interaction_id: u64,
        token: &str,
        body: &(impl Serialize + Sync),
    ) -> Result<(), SendError> {
        let url = format!(
            "{}/interactions/{interaction_id}/{token}/callback",
            self.api
        );
        let deadline = Instant::now() + window_left(interaction_id, std::time::SystemTime::now());
        self.send(reqwest::Method::POST, &url, body, Some(deadline), true)
            .await
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
        self.send(reqwest::Method::POST, &url, &message.wire(), None, false)
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
        let body = message.wire().reply_to(reply_to);
        self.send(reqwest::Method::POST, &url, &body, None, true)
            .await
    }

    /// Posts `message` in a channel (the moderators' log). `nonce` makes retries of the
    /// same post safe.
    pub async fn post(
        &self,
        channel_id: u64,
        content: &str,
        nonce: &Nonce,
    ) -> Result<(), SendError> {
        let url = format!("{}/channels/{channel_id}/messages", self.api);
        let message = MessageBody::text(content, false);
        let body = message.wire().with_nonce(nonce);
        self.send(reqwest::Method::POST, &url, &body, None, true)
            .await
    }

    /// Opens (or finds) the direct-message channel with the member `user_id`, for a reply
    /// no channel of the server would take. Returns the channel's id.
    pub async fn open_direct_channel(&self, user_id: u64) -> Result<u64, SendError> {
        let url = format!("{}/users/@me/channels", self.api);
        let body = serde_json::json!({ "recipient_id": user_id.to_string() });
        let channel = self
            .exchange(reqwest::Method::POST, &url, &body, None, true)
            .await?;
        channel["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| SendError::GaveUp {
                attempts: 1,
                last: "Discord opened a direct channel without an id".to_string(),
            })
    }

    /// Sends with retries. `idempotent`: whether a retry after an ambiguous failure is
    /// safe. `deadline`: after this, a retry is pointless.
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: &(impl Serialize + Sync),
        deadline: Option<Instant>,
        idempotent: bool,
    ) -> Result<(), SendError> {
        self.exchange(method, url, body, deadline, idempotent)
            .await
            .map(drop)
    }

    /// [`DiscordRest::send`], returning the JSON Discord answered with (null for none).
    async fn exchange(
        &self,
        method: reqwest::Method,
        url: &str,
        body: &(impl Serialize + Sync),
        deadline: Option<Instant>,
        idempotent: bool,
    ) -> Result<Value, SendError> {
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        let mut attempts = 0;
        for attempt in 1..=MAX_ATTEMPTS {
            attempts = attempt;
            let wait = match self
                .client
                .request(method.clone(), url)
                .header(reqwest::header::AUTHORIZATION, &self.authorization)
                .json(body)
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => {
                    return Ok(response.json::<Value>().await.unwrap_or(Value::Null));
                }
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
        tracing::error!(attempts, reason = %last, "giving up on a Discord reply");
        Err(SendError::GaveUp { attempts, last })
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
    retry_wait(body, header)
}

/// The wait a 429 asks for: the body's value, else the header's, else one second, kept
/// within an hour. A NaN or infinite value (from a proxy, say) counts as none: it would
/// make `Duration::from_secs_f64` panic.
fn retry_wait(body: Option<f64>, header: Option<f64>) -> Duration {
    let finite = |seconds: Option<f64>| seconds.filter(|s| s.is_finite());
    let seconds = finite(body).or(finite(header)).unwrap_or(1.0);
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
    use serde_json::json;

    #[test]
    fn nonces_of_different_posts_about_one_question_differ_and_fit() {
        let id = u64::MAX;
        let kinds = [
            Nonce::ReplyTo(id),
            Nonce::Forwarded(id),
            Nonce::ModLog {
                started: u64::from(u32::MAX),
                post: id,
            },
        ]
        .map(|nonce| nonce.wire());
        assert_ne!(kinds[0], kinds[1]);
        for nonce in &kinds {
            assert!(nonce.chars().count() <= limits::NONCE, "{nonce}");
        }
    }

    #[test]
    fn a_button_label_longer_than_discord_allows_is_shortened() {
        let title = "A moderator's very long topic title ".repeat(4);
        let button = Button::secondary(format!("Read: {title}"), "id".into(), false);
        assert_eq!(limits::char_len(&button.label), limits::BUTTON_LABEL);
        assert!(button.label.starts_with("Read: A moderator") && button.label.ends_with('…'));
        assert_eq!(Button::secondary("Next", "id".into(), false).label, "Next");
    }

    #[test]
    fn the_reply_window_counts_from_the_interactions_creation() {
        let created_ms: u64 = 1_700_000_000_000;
        let id = (created_ms - DISCORD_EPOCH_MS) << 22;
        let at = |ms: u64| std::time::UNIX_EPOCH + Duration::from_millis(created_ms + ms);
        assert_eq!(window_left(id, at(0)), INTERACTION_WINDOW);
        assert_eq!(window_left(id, at(1500)), Duration::from_millis(1500));
        // Clocks that disagree: never less than a third of the window, never more than it.
        assert_eq!(window_left(id, at(60_000)), Duration::from_secs(1));
        assert_eq!(
            window_left(
                id,
                std::time::UNIX_EPOCH + Duration::from_millis(created_ms - 5000)
            ),
            INTERACTION_WINDOW
        );
    }

    #[test]
    fn a_retry_wait_that_is_not_a_number_is_one_second() {
        assert_eq!(retry_wait(Some(f64::NAN), None), Duration::from_secs(1));
        assert_eq!(
            retry_wait(None, Some(f64::INFINITY)),
            Duration::from_secs(1)
        );
        assert_eq!(
            retry_wait(Some(f64::NAN), Some(2.5)),
            Duration::from_secs_f64(2.5)
        );
        assert_eq!(retry_wait(Some(-3.0), None), Duration::ZERO);
        assert_eq!(retry_wait(Some(1e9), None), Duration::from_secs(3600));
    }

    #[test]
    fn bodies_never_allow_mentions() {
        let body = MessageBody::text("@everyone hi <@123>", true).to_json();
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(body["flags"], json!(64));
        let public = MessageBody::text("hi", false).to_json();
        assert!(public.get("flags").is_none());
    }

    /// The typed bodies serialize to exactly the bytes the `json!` bodies they replaced did.
    #[test]
    fn typed_bodies_are_the_json_they_replaced() {
        fn text(body: &impl Serialize) -> String {
            serde_json::to_string(body).expect("a body always serializes")
        }
        let message = MessageBody::text("hi", true);
        assert_eq!(
            text(&Callback {
                data: Some(message.wire()),
                kind: 4
            }),
            json!({ "type": 4, "data": message.to_json() }).to_string()
        );
        let deferred = Callback {
            data: Some(DeferData { flags: EPHEMERAL }),
            kind: 5,
        };
        assert_eq!(
            text(&deferred),
            json!({ "type": 5, "data": { "flags": EPHEMERAL } }).to_string()
        );
        let public = Callback::<DeferData> {
            data: None,
            kind: 5,
        };
        assert_eq!(text(&public), json!({ "type": 5 }).to_string());

        let mut old = MessageBody::text("hi", false).to_json();
        old["message_reference"] = json!({ "message_id": "42", "fail_if_not_exists": false });
        old["allowed_mentions"]["replied_user"] = json!(false);
        old["nonce"] = json!("r2a"); // the kind of post, and the id in hex
        old["enforce_nonce"] = json!(true);
        let reply = MessageBody::text("hi", false);
        assert_eq!(text(&reply.wire().reply_to(42)), old.to_string());

        let mut buttons = MessageBody::text("page", false);
        buttons.components = Some(vec![ActionRow::new(vec![Button::secondary(
            "Next",
            "lantern:topics:1".to_string(),
            false,
        )])]);
        let old = json!({
            "content": "page",
            "allowed_mentions": { "parse": [] },
            "components": [{
                "type": 1,
                "components": [{
                    "type": 2,
                    "style": 2,
                    "label": "Next",
                    "custom_id": "lantern:topics:1",
                    "disabled": false,
                }],
            }],
        });
        assert_eq!(text(&buttons.wire()), old.to_string());
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
