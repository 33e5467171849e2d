//! The state the HTTP and gateway halves share with the test, and the types tests read it by.
//!
//! Everything sits behind one `std::sync::Mutex` that is never held across an `.await`, and
//! every change bumps a `watch` counter, so a test can wait for "the next change" without
//! polling and without missing one that happened between its check and its wait.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

/// One REST request the bot made, as the fake saw and answered it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Without the `/api/v10` prefix, e.g. `/interactions/123/tok/callback`.
    pub path: String,
    /// The raw query string without `?` (serenity writes e.g. `&wait=true`).
    pub query: String,
    /// The parsed JSON body; for multipart requests, the `payload_json` part.
    pub body: Option<Value>,
    /// Lower-cased header names with their values.
    pub headers: Vec<(String, String)>,
    pub received_at: Instant,
    /// 0 when a [`Fault::ResetConnection`] closed the connection instead of answering.
    pub response_status: u16,
    /// What the fake answered, when it answered with JSON.
    pub response_body: Option<Value>,
}

impl Recorded {
    /// `true` if this is `method` on a path matching `template` (`{name}` matches one
    /// segment), e.g. `is("POST", "/interactions/{id}/{token}/callback")`.
    pub fn is(&self, method: &str, template: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(template, &self.path)
    }

    /// The header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// A header's value from lowercase-named pairs, by case-insensitive name.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// A scripted REST failure. Faults apply before normal handling.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 429 with Discord's body and headers (`Retry-After`, `X-RateLimit-Scope`, and
    /// `X-RateLimit-Global` when global).
    RateLimited { retry_after: f64, global: bool },
    /// That status with Discord's error JSON.
    Status(u16),
    /// Close the TCP connection without answering.
    ResetConnection,
    /// Wait this long, then answer normally (a slow Discord).
    Delay(Duration),
}

/// Which requests a fault applies to. Paths are without the `/api/v10` prefix.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteMatch {
    Any,
    /// The path contains this text.
    PathContains(&'static str),
    /// This method (case-insensitive) and a path matching this template, where `{name}`
    /// matches any one segment: `MethodPath("POST", "/interactions/{id}/{token}/callback")`.
    MethodPath(&'static str, &'static str),
    /// Exactly this path, any method (for paths built at run time).
    Path(String),
}

impl RouteMatch {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        match self {
            RouteMatch::Any => true,
            RouteMatch::PathContains(part) => path.contains(part),
            RouteMatch::MethodPath(m, template) => {
                m.eq_ignore_ascii_case(method) && path_matches(template, path)
            }
            RouteMatch::Path(p) => p == path,
        }
    }
}

/// Segment-by-segment match where a `{name}` template segment matches any non-empty segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// How a message the fake holds came to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageVia {
    /// `POST /channels/{id}/messages`.
    Channel,
    /// An interaction callback of type 4 or 5 (the original response).
    InteractionResponse,
    /// `POST /webhooks/{app}/{token}` (a follow-up).
    Followup,
}

/// A message the bot created, in order of creation.
#[derive(Clone, Debug)]
pub struct CreatedMessage {
    pub via: MessageVia,
    pub channel_id: u64,
    pub message: Value,
}

/// A pending fault with how many more requests it applies to.
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub route: RouteMatch,
    pub fault: Fault,
    pub remaining: usize,
}

/// An interaction the fake dispatched, so callbacks and webhooks can be checked against it.
#[derive(Clone, Debug)]
pub(crate) struct KnownInteraction {
    pub id: u64,
    pub kind: u64,
    pub channel_id: u64,
    pub token: String,
    /// The message a component interaction was on.
    pub message: Option<Value>,
    pub dispatched_at: Instant,
}

/// What a callback did to an interaction.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub callback_type: u64,
    pub at: Instant,
}

/// The REST side's memory.
#[derive(Default)]
pub(crate) struct RestState {
    pub requests: Vec<Recorded>,
    pub faults: VecDeque<FaultRule>,
    pub violations: Vec<String>,
    pub interactions_by_id: HashMap<u64, KnownInteraction>,
    pub interactions_by_token: HashMap<String, u64>,
    pub answered: HashMap<u64, Answer>,
    pub answered_twice: Vec<Recorded>,
    /// Every message the fake holds, by id (originals, follow-ups, channel messages).
    pub messages: HashMap<u64, Value>,
    /// Interaction token -> the original response's message id.
    pub originals: HashMap<String, u64>,
    /// nonce -> (message id, when) for `enforce_nonce`. Discord checks a nonce against the
    /// same author's recent messages, in any channel, and the bot is the only author.
    pub nonces: HashMap<String, (u64, Instant)>,
    pub created: Vec<CreatedMessage>,
    /// Registered commands: `None` for global, `Some(guild)` for a guild's.
    pub commands: HashMap<Option<u64>, Vec<Value>>,
    pub reject_invalid_bodies: bool,
    pub recommended_shards: u64,
    pub callback_deadline: Option<Duration>,
}

/// One websocket connection.
pub(crate) struct Conn {
    pub id: u64,
    pub tx: tokio::sync::mpsc::UnboundedSender<super::gateway::Outbound>,
    pub alive: bool,
    pub session_id: Option<String>,
    /// The handshake's path and query, e.g. `/?v=10`.
    pub uri: String,
}

/// A gateway session: outlives its connection so it can be resumed.
pub(crate) struct Session {
    pub id: String,
    pub shard: [u64; 2],
    pub seq: u64,
    /// Every dispatch sent in this session, as (seq, frame text), for replay on RESUME.
    pub sent: Vec<(u64, String)>,
    pub conn: Option<u64>,
    /// Increases each time a connection identifies or resumes into this session: the
    /// session with the highest value is "current".
    pub attached_order: u64,
    pub valid: bool,
}

/// The gateway side's memory.
#[derive(Default)]
pub(crate) struct GatewayState {
    pub conns: Vec<Conn>,
    pub sessions: HashMap<String, Session>,
    pub next_conn_id: u64,
    pub next_session: u64,
    pub attach_counter: u64,
    pub identifies: Vec<Value>,
    pub resumes: Vec<Value>,
    pub heartbeats: usize,
    /// Every frame the bot sent, in order, with the connection id.
    pub received: Vec<(u64, Value)>,
    /// Close frames the bot sent (a clean goodbye): the connection id and the close code.
    pub client_closes: Vec<(u64, Option<u16>)>,
}

/// Everything shared between the test, the HTTP server and the gateway.
pub(crate) struct Shared {
    pub http_port: u16,
    pub ws_port: u16,
    pub heartbeat_interval_ms: std::sync::atomic::AtomicU64,
    pub heartbeat_acks: std::sync::atomic::AtomicBool,
    pub rest: Mutex<RestState>,
    pub gateway: Mutex<GatewayState>,
    pub changes: watch::Sender<u64>,
}

impl Shared {
    pub fn rest(&self) -> MutexGuard<'_, RestState> {
        // A panic elsewhere must not turn every later lock into a second panic.
        self.rest.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn gateway(&self) -> MutexGuard<'_, GatewayState> {
        self.gateway.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes everyone waiting for a change.
    pub fn bump(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.ws_port)
    }

    /// Waits until `check` returns `Some`, re-checking after every change, up to `timeout`.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&Shared) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.changes.subscribe();
        loop {
            // Subscribing (or `changed`) marks the current value seen before this check,
            // so a change after the check always wakes the wait below.
            rx.borrow_and_update();
            if let Some(found) = check(self) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                // The sender lives in `self`, so it cannot be gone; time is up either way.
                Ok(Err(_)) | Err(_) => return check(self),
            }
        }
    }
}
