//! A fake Discord for integration tests: REST and gateway on 127.0.0.1, so the real bot,
//! with serenity's real HTTP client and shard, runs against it and tests assert on what the
//! bot sent.
//!
//! Point the bot at it with `DISCORD_API_URL=<api_url()>` and `DISCORD_TOKEN=<token()>`.
//! Serenity only honours its `proxy` setting (how `DISCORD_API_URL` reaches it) when its own
//! rate limiter is disabled: with the rate limiter on, every request goes to discord.com
//! whatever the proxy says. The gateway URL comes from this fake's `GET /gateway`.
//!
//! ```ignore
//! let discord = FakeDiscord::start().await;
//! // start the bot with discord.api_url() and FakeDiscord::token() ...
//! discord.wait_connected(Duration::from_secs(10)).await?;
//! discord.send_interaction(slash_command("ask", json!([]), &Member::regular(42))).await;
//! let reply = discord.wait_for_request(|r| r.path.ends_with("/callback"), Duration::from_secs(10)).await?;
//! assert!(discord.schema_violations().is_empty());
//! ```

#![allow(dead_code)]

pub mod fixtures;
mod gateway;
mod http;
pub mod raw_http;
pub mod responses;
pub mod schema;
mod state;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

// Each test binary uses a subset of these.
#[allow(unused_imports)]
pub use fixtures::{
    Member, User, autocomplete, autocomplete_in_dm, bot_message, bot_user_json, command_id_for,
    complete_message, component_click, component_click_in_dm, direct_message, guild_create_payload,
    guild_message, guild_message_mentioning_bot, id_of, next_snowflake, permissions, ready_payload,
    slash_command, slash_command_in_dm, snowflake_value,
};
#[allow(unused_imports)]
pub use state::{CreatedMessage, Fault, MessageVia, Recorded, RouteMatch, path_matches};

use gateway::Outbound;
use state::{GatewayState, KnownInteraction, RestState, Shared};

/// How long actions aimed at "the current connection" wait for one before giving up.
const CONNECTION_WAIT: Duration = Duration::from_secs(10);

/// Discord's default heartbeat interval.
const DEFAULT_HEARTBEAT_MS: u64 = 41_250;

/// The running fake. Cheap to clone; every clone is the same fake.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
    tasks: Arc<std::sync::Mutex<Vec<AbortHandle>>>,
}

impl FakeDiscord {
    pub const APPLICATION_ID: u64 = fixtures::APPLICATION_ID;
    pub const BOT_USER_ID: u64 = fixtures::BOT_USER_ID;
    pub const GUILD_ID: u64 = fixtures::GUILD_ID;
    pub const CHANNEL_ID: u64 = fixtures::CHANNEL_ID;
    pub const MOD_LOG_CHANNEL_ID: u64 = fixtures::MOD_LOG_CHANNEL_ID;
    pub const DM_CHANNEL_ID: u64 = fixtures::DM_CHANNEL_ID;
    pub const MOD_ROLE_ID: u64 = fixtures::MOD_ROLE_ID;
    pub const OWNER_USER_ID: u64 = fixtures::OWNER_USER_ID;

    /// Starts the REST API and the gateway on 127.0.0.1, each on a free port.
    ///
    /// # Panics
    ///
    /// If no local port can be bound, which leaves the test nothing to run against.
    pub async fn start() -> FakeDiscord {
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake discord: bind the HTTP port on 127.0.0.1");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake discord: bind the gateway port on 127.0.0.1");
        let port = |l: &TcpListener| {
            l.local_addr()
                .map(|a| a.port())
                .expect("fake discord: local port")
        };
        let shared = Arc::new(Shared {
            http_port: port(&http),
            ws_port: port(&ws),
            heartbeat_interval_ms: AtomicU64::new(DEFAULT_HEARTBEAT_MS),
            heartbeat_acks: AtomicBool::new(true),
            rest: std::sync::Mutex::new(RestState {
                recommended_shards: 1,
                ..RestState::default()
            }),
            gateway: std::sync::Mutex::new(GatewayState::default()),
            changes: tokio::sync::watch::channel(0).0,
        });
        let tasks = vec![
            tokio::spawn(http::serve(Arc::clone(&shared), http)).abort_handle(),
            tokio::spawn(gateway::serve(Arc::clone(&shared), ws)).abort_handle(),
        ];
        FakeDiscord {
            shared,
            tasks: Arc::new(std::sync::Mutex::new(tasks)),
        }
    }

    /// The base URL for the bot's `DISCORD_API_URL`: `http://127.0.0.1:PORT` (serenity
    /// appends `/api/v10/...`).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.http_port)
    }

    /// The gateway's URL, as `GET /gateway` and READY's `resume_gateway_url` give it.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url()
    }

    /// A well-formed fake bot token: base64url of the bot's id, a timestamp part and an
    /// HMAC part, joined by dots. The fake rejects any other token (401 on REST, close code
    /// 4004 on the gateway), as Discord would.
    pub fn token() -> &'static str {
        "MTE4MDAwMDAwMDAwMDAwMDAwMg.GFakeT.ZmFrZS1ib3QtdG9rZW4tZm9yLWxhbnRlcm4tdGVzdHM"
    }

    /// The HELLO heartbeat interval for connections made from now on (default 41,250 ms).
    pub fn set_heartbeat_interval(&self, ms: u64) {
        self.shared
            .heartbeat_interval_ms
            .store(ms, Ordering::SeqCst);
    }

    /// Whether heartbeats (op 1) are answered with op 11; off makes a zombie connection.
    pub fn set_heartbeat_acks(&self, enabled: bool) {
        self.shared.heartbeat_acks.store(enabled, Ordering::SeqCst);
    }

    /// The shard count `GET /gateway/bot` recommends (default 1).
    pub fn set_recommended_shards(&self, shards: u64) {
        self.shared.rest().recommended_shards = shards;
    }

    /// When on, a request whose body breaks Discord's spec or limits gets Discord's 400
    /// "Invalid Form Body" instead of being handled (it is recorded as a violation either
    /// way). Off by default, so one bad body does not derail the rest of a test.
    pub fn set_reject_invalid_bodies(&self, reject: bool) {
        self.shared.rest().reject_invalid_bodies = reject;
    }

    /// Discord's 3-second limit for the first response to an interaction: with `Some`, a
    /// callback later than this after the dispatch gets 404 Unknown interaction. Off by
    /// default, since a slow CI machine would make such tests flaky.
    pub fn set_callback_deadline(&self, deadline: Option<Duration>) {
        self.shared.rest().callback_deadline = deadline;
    }

    /// Stops accepting connections and drops the open gateway connections.
    pub fn shutdown(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
        for conn in &self.shared.gateway().conns {
            let _ = conn.tx.send(Outbound::Drop);
        }
    }

    // ---- gateway ----

    /// Waits until a connection has identified (READY sent) or resumed and is still open.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<(), String> {
        self.shared
            .wait_until(timeout, |s| gateway::current(&s.gateway(), None))
            .await
            .map(|_| ())
            .ok_or_else(|| {
                format!(
                    "no gateway session within {timeout:?}: {} connection(s), {} IDENTIFY(s), {} RESUME(s)",
                    self.shared.gateway().conns.len(),
                    self.identifies().len(),
                    self.resumes().len()
                )
            })
    }

    /// Waits until at least `count` IDENTIFYs have arrived; returns them all.
    pub async fn wait_identifies(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, String> {
        self.wait_handshakes("IDENTIFY", count, timeout, |g| &g.identifies)
            .await
    }

    /// Waits until at least `count` RESUMEs have arrived; returns them all.
    pub async fn wait_resumes(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, String> {
        self.wait_handshakes("RESUME", count, timeout, |g| &g.resumes)
            .await
    }

    async fn wait_handshakes(
        &self,
        kind: &str,
        count: usize,
        timeout: Duration,
        recorded: fn(&state::GatewayState) -> &Vec<Value>,
    ) -> Result<Vec<Value>, String> {
        self.shared
            .wait_until(timeout, |s| {
                let gateway = s.gateway();
                let seen = recorded(&gateway);
                (seen.len() >= count).then(|| seen.clone())
            })
            .await
            .ok_or_else(|| {
                let seen = recorded(&self.shared.gateway()).clone();
                format!("fewer than {count} {kind}(s) within {timeout:?}: {seen:?}")
            })
    }

    /// Every IDENTIFY payload received (`d`), in order.
    pub fn identifies(&self) -> Vec<Value> {
        self.shared.gateway().identifies.clone()
    }

    /// Every RESUME payload received (`d`), in order.
    pub fn resumes(&self) -> Vec<Value> {
        self.shared.gateway().resumes.clone()
    }

    /// How many heartbeats (op 1) the bot has sent.
    pub fn heartbeats(&self) -> usize {
        self.shared.gateway().heartbeats
    }

    /// Every frame the bot sent over any connection, in order.
    pub fn gateway_frames(&self) -> Vec<Value> {
        self.shared
            .gateway()
            .received
            .iter()
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The path and query of every websocket handshake, e.g. `/?v=10`.
    pub fn gateway_handshakes(&self) -> Vec<String> {
        self.shared
            .gateway()
            .conns
            .iter()
            .map(|c| c.uri.clone())
            .collect()
    }

    /// The close frames the bot sent, as (connection id, close code).
    pub fn client_closes(&self) -> Vec<(u64, Option<u16>)> {
        self.shared.gateway().client_closes.clone()
    }

    /// How many websocket connections are open now.
    pub fn open_connections(&self) -> usize {
        self.shared
            .gateway()
            .conns
            .iter()
            .filter(|c| c.alive)
            .count()
    }

    /// Sends an event (op 0, next sequence number) to the current session: the most
    /// recently identified or resumed one that is connected. Waits up to 10 s for one.
    ///
    /// # Panics
    ///
    /// If no session is connected within that time: the test cannot go on meaningfully.
    pub async fn dispatch(&self, event_name: &str, data: Value) {
        self.dispatch_inner(None, event_name, data).await;
    }

    /// Like [`dispatch`](Self::dispatch), to the current session of one shard.
    pub async fn dispatch_to_shard(&self, shard_id: u64, event_name: &str, data: Value) {
        self.dispatch_inner(Some(shard_id), event_name, data).await;
    }

    async fn dispatch_inner(&self, shard: Option<u64>, event_name: &str, data: Value) {
        if event_name == "INTERACTION_CREATE" {
            self.remember_interaction(&data);
        }
        let (session_id, conn_id) = self.current_or_panic(shard, event_name).await;
        {
            let mut gateway = self.shared.gateway();
            let tx = gateway
                .conns
                .iter()
                .find(|c| c.id == conn_id)
                .map(|c| c.tx.clone());
            if let (Some(tx), Some(session)) = (tx, gateway.sessions.get_mut(&session_id)) {
                gateway::send_dispatch(session, &tx, event_name, &data);
            }
        }
        self.shared.bump();
    }

    /// Records an interaction so its callback and webhook requests can be checked.
    fn remember_interaction(&self, data: &Value) {
        let (Some(id), Some(token)) = (id_of(data), data.get("token").and_then(Value::as_str))
        else {
            return;
        };
        let known = KnownInteraction {
            id,
            kind: data.get("type").and_then(Value::as_u64).unwrap_or(0),
            channel_id: data
                .get("channel_id")
                .and_then(snowflake_value)
                .unwrap_or(fixtures::CHANNEL_ID),
            token: token.to_string(),
            message: data.get("message").cloned(),
            dispatched_at: Instant::now(),
        };
        let mut rest = self.shared.rest();
        rest.interactions_by_token.insert(known.token.clone(), id);
        rest.interactions_by_id.insert(id, known);
    }

    async fn current_or_panic(&self, shard: Option<u64>, action: &str) -> (String, u64) {
        match self
            .shared
            .wait_until(CONNECTION_WAIT, |s| gateway::current(&s.gateway(), shard))
            .await
        {
            Some(found) => found,
            None => panic!(
                "fake discord: {action}: no connected gateway session{} within {CONNECTION_WAIT:?} \
                 ({} IDENTIFY(s), {} RESUME(s))",
                shard.map(|s| format!(" for shard {s}")).unwrap_or_default(),
                self.identifies().len(),
                self.resumes().len()
            ),
        }
    }

    /// `dispatch("INTERACTION_CREATE", interaction)`.
    ///
    /// # Panics
    ///
    /// If a text option is longer than the registered command's `max_length`: Discord's
    /// client does not let a member send it, so the bot would never see it.
    pub async fn send_interaction(&self, interaction: Value) {
        self.assert_within_registered_lengths(&interaction);
        self.dispatch("INTERACTION_CREATE", interaction).await;
    }

    fn assert_within_registered_lengths(&self, interaction: &Value) {
        let data = &interaction["data"];
        let registered: Vec<Value> = [
            None,
            interaction["guild_id"]
                .as_str()
                .and_then(|id| id.parse().ok()),
        ]
        .into_iter()
        .flat_map(|guild| self.registered_commands(guild))
        .filter(|command| command["name"] == data["name"])
        .collect();
        for given in data["options"].as_array().into_iter().flatten() {
            let (Some(text), Some(name)) = (given["value"].as_str(), given["name"].as_str()) else {
                continue;
            };
            let limit = registered
                .iter()
                .flat_map(|command| command["options"].as_array().into_iter().flatten())
                .filter(|option| option["name"] == name)
                .find_map(|option| option["max_length"].as_u64());
            if let Some(limit) = limit {
                let length = text.chars().count() as u64;
                assert!(
                    length <= limit,
                    "fake discord: Discord's client would not send /{} with a {name} of {length} characters (max_length {limit})",
                    data["name"].as_str().unwrap_or_default()
                );
            }
        }
    }

    /// `dispatch("MESSAGE_CREATE", message)`.
    pub async fn send_message(&self, message: Value) {
        self.dispatch("MESSAGE_CREATE", message).await;
    }

    /// Waits (up to 5 s) until the connection is closed on the fake's side.
    async fn wait_closed(&self, conn_id: u64) {
        let _ = self
            .shared
            .wait_until(Duration::from_secs(5), |s| {
                s.gateway()
                    .conns
                    .iter()
                    .any(|c| c.id == conn_id && !c.alive)
                    .then_some(())
            })
            .await;
    }

    /// Closes the current connection's TCP socket without a close frame. The session stays
    /// resumable.
    pub async fn drop_connection(&self) {
        let (_, conn_id) = self.current_or_panic(None, "drop_connection").await;
        gateway::send_to_conn(&self.shared.gateway(), conn_id, Outbound::Drop);
        self.wait_closed(conn_id).await;
    }

    /// Sends op 7 RECONNECT to the current connection (the bot should resume).
    pub async fn send_reconnect(&self) {
        let (_, conn_id) = self.current_or_panic(None, "send_reconnect").await;
        gateway::send_op(&self.shared.gateway(), conn_id, 7, Value::Null);
    }

    /// Sends op 9 INVALID SESSION; when not resumable, a later RESUME of it fails too.
    pub async fn send_invalid_session(&self, resumable: bool) {
        let (session_id, conn_id) = self.current_or_panic(None, "send_invalid_session").await;
        let mut gateway = self.shared.gateway();
        if let Some(session) = gateway.sessions.get_mut(&session_id).filter(|_| !resumable) {
            session.valid = false;
        }
        gateway::send_op(&gateway, conn_id, 9, Value::Bool(resumable));
    }

    /// Closes the current connection with a close frame carrying a Discord close code
    /// (4000-4014). Codes after which Discord does not allow resuming (4004, 4007, 4009,
    /// 4010-4014) also invalidate the session.
    pub async fn close_with(&self, code: u16) {
        let (session_id, conn_id) = self.current_or_panic(None, "close_with").await;
        {
            let mut gateway = self.shared.gateway();
            let final_code = matches!(code, 4004 | 4007 | 4009 | 4010..=4014);
            if let Some(session) = gateway.sessions.get_mut(&session_id).filter(|_| final_code) {
                session.valid = false;
            }
            gateway::send_to_conn(
                &gateway,
                conn_id,
                Outbound::Close(code, close_reason(code).into()),
            );
        }
        self.wait_closed(conn_id).await;
    }

    // ---- REST ----

    /// The next `times` requests matching `route` get `fault` instead of their answer.
    /// Faults are consumed in the order they were scripted. `GET /gateway` is exempt (see
    /// the `http` module).
    pub fn fail_next(&self, route: RouteMatch, fault: Fault, times: usize) {
        if times == 0 {
            return;
        }
        self.shared.rest().faults.push_back(state::FaultRule {
            route,
            fault,
            remaining: times,
        });
    }

    /// Every REST request, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.rest().requests.clone()
    }

    /// Waits for the first recorded request (earlier ones included) matching `pred`.
    pub async fn wait_for_request(
        &self,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        self.shared
            .wait_until(timeout, |s| {
                s.rest().requests.iter().find(|r| pred(r)).cloned()
            })
            .await
            .ok_or_else(|| {
                let seen: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {} -> {}", r.method, r.path, r.response_status))
                    .collect();
                format!("no matching request within {timeout:?}; requests so far: {seen:?}")
            })
    }

    /// Waits until at least `count` requests match `pred`; returns them.
    pub async fn wait_for_requests(
        &self,
        count: usize,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Result<Vec<Recorded>, String> {
        self.shared
            .wait_until(timeout, |s| {
                let found: Vec<Recorded> = s
                    .rest()
                    .requests
                    .iter()
                    .filter(|r| pred(r))
                    .cloned()
                    .collect();
                (found.len() >= count).then_some(found)
            })
            .await
            .ok_or_else(|| format!("fewer than {count} matching requests within {timeout:?}"))
    }

    /// Request bodies Discord would reject, one line each: method, path and why (Discord's
    /// spec, its message/embed limits, or a callback type the interaction does not allow).
    /// Tests assert this is empty.
    pub fn schema_violations(&self) -> Vec<String> {
        self.shared.rest().violations.clone()
    }

    /// Second (and later) callbacks to an interaction that was already answered; each got
    /// 400 with code 40060.
    pub fn answered_twice(&self) -> Vec<Recorded> {
        self.shared.rest().answered_twice.clone()
    }

    /// Every message the bot created (channel messages, original interaction responses,
    /// follow-ups), in order. A repeated `enforce_nonce` send is not a creation.
    pub fn created_messages(&self) -> Vec<CreatedMessage> {
        self.shared.rest().created.clone()
    }

    /// A message as the fake holds it now (after edits), by id.
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.rest().messages.get(&id).cloned()
    }

    /// The current original response to a dispatched interaction (after edits), if any.
    pub fn original_response(&self, interaction: &Value) -> Option<Value> {
        let token = interaction.get("token")?.as_str()?;
        let rest = self.shared.rest();
        rest.originals
            .get(token)
            .and_then(|id| rest.messages.get(id))
            .cloned()
    }

    /// The callback type the interaction was answered with, if it was.
    pub fn callback_type(&self, interaction: &Value) -> Option<u64> {
        let id = id_of(interaction)?;
        self.shared
            .rest()
            .answered
            .get(&id)
            .map(|a| a.callback_type)
    }

    /// How long after its dispatch the interaction was answered.
    pub fn callback_latency(&self, interaction: &Value) -> Option<Duration> {
        let id = id_of(interaction)?;
        let rest = self.shared.rest();
        let known = rest.interactions_by_id.get(&id)?;
        let answer = rest.answered.get(&id)?;
        Some(answer.at.saturating_duration_since(known.dispatched_at))
    }

    /// The commands registered by bulk overwrite: global with `None`, a guild's with its id.
    pub fn registered_commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        self.shared
            .rest()
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }
}

/// Discord's reason text for its close codes.
fn close_reason(code: u16) -> &'static str {
    match code {
        4000 => "Unknown error.",
        4001 => "Unknown opcode.",
        4002 => "Decode error.",
        4003 => "Not authenticated.",
        4004 => "Authentication failed.",
        4005 => "Already authenticated.",
        4007 => "Invalid seq.",
        4008 => "Rate limited.",
        4009 => "Session timed out.",
        4010 => "Invalid shard.",
        4011 => "Sharding required.",
        4012 => "Invalid API version.",
        4013 => "Invalid intent(s).",
        4014 => "Disallowed intent(s).",
        _ => "",
    }
}
