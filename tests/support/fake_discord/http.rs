//! The fake REST API: serenity's HTTP client, pointed here by its `proxy` setting, sends
//! `http://127.0.0.1:PORT/api/v10/...` requests, and each is recorded (with its parsed body,
//! checked against Discord's spec) and answered the way Discord would.
//!
//! Scripted faults ([`Fault`]) apply before any route runs, except to `GET /gateway`:
//! serenity's client falls back to `wss://gateway.discord.gg` when that request fails, and
//! nothing in a test may reach Discord.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::fixtures::{self, APPLICATION_ID, GUILD_ID, id_of, snowflake_value};
use super::responses;
use super::schema;
use super::state::{Answer, CreatedMessage, Fault, MessageVia, Recorded, RestState, Shared};

/// How long Discord remembers a nonce for `enforce_nonce`.
const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Returned by the service to make hyper drop the connection without answering.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("scripted connection reset")
    }
}

impl std::error::Error for ResetConnection {}

/// Accepts HTTP/1.1 connections forever; each is served in its own task.
pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                eprintln!("fake discord http: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&shared), request));
            // Errors here are resets (scripted or by the client): nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What a route answers.
struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    fn error(status: u16, code: u64, message: &str) -> Reply {
        Reply::json(status, responses::error(code, message))
    }

    fn not_found() -> Reply {
        Reply::json(404, responses::status_error(404))
    }
}

/// The request as the routes see it.
struct ApiRequest {
    method: String,
    /// Without `/api/v10`.
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ResetConnection> {
    let received_at = Instant::now();
    let method = request.method().as_str().to_string();
    let full_path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let content_type = header("content-type").unwrap_or_default();
    let bytes = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            eprintln!("fake discord http: reading {method} {full_path} failed: {error}");
            return Err(ResetConnection);
        }
    };
    let versioned = full_path.strip_prefix("/api/v10").map(str::to_string);
    let path = versioned.clone().unwrap_or_else(|| full_path.clone());
    let (body, body_problem) = parse_body(&content_type, &bytes);

    let fault = if method == "GET" && path == "/gateway" {
        None
    } else {
        take_fault(&shared, &method, &path)
    };
    let mut reply = None;
    match fault {
        Some(Fault::ResetConnection) => {
            record(
                &shared,
                Recorded {
                    method,
                    path,
                    query,
                    body,
                    headers,
                    received_at,
                    response_status: 0,
                    response_body: None,
                },
                false,
            );
            return Err(ResetConnection);
        }
        Some(Fault::RateLimited {
            retry_after,
            global,
        }) => reply = Some(rate_limited(retry_after, global)),
        Some(Fault::Status(status)) => {
            reply = Some(Reply::json(status, responses::status_error(status)));
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }

    let mut answered_twice = false;
    let reply = match reply {
        Some(reply) => reply,
        None => {
            let mut problems: Vec<String> = body_problem.into_iter().collect();
            if versioned.is_none() {
                // Serenity 0.12 speaks v10; anything else means a misbuilt URL.
                problems.push("the path is not under /api/v10".into());
            }
            if let (Some(body), Some(_)) = (&body, &versioned) {
                let (m, p, b) = (method.clone(), path.clone(), body.clone());
                match tokio::task::spawn_blocking(move || schema::validate_request(&m, &p, &b))
                    .await
                {
                    Ok(found) => problems.extend(found),
                    Err(error) => problems.push(format!("the schema check panicked: {error}")),
                }
            }
            let reject = {
                let mut rest = shared.rest();
                rest.violations
                    .extend(problems.iter().map(|p| format!("{method} {path}: {p}")));
                rest.reject_invalid_bodies
            };
            if problems.is_empty() || !reject {
                if versioned.is_some() {
                    let request = ApiRequest {
                        method: method.clone(),
                        path: path.clone(),
                        query: query.clone(),
                        headers: headers.clone(),
                        body: body.clone(),
                    };
                    let (reply, twice) = route(&shared, &request);
                    answered_twice = twice;
                    reply
                } else {
                    Reply::not_found()
                }
            } else {
                Reply::json(400, responses::invalid_form_body(&problems))
            }
        }
    };

    let response = build_response(&reply);
    record(
        &shared,
        Recorded {
            method,
            path,
            query,
            body,
            headers,
            received_at,
            response_status: reply.status,
            response_body: reply.body,
        },
        answered_twice,
    );
    Ok(response)
}

fn record(shared: &Shared, recorded: Recorded, answered_twice: bool) {
    {
        let mut rest = shared.rest();
        if answered_twice {
            rest.answered_twice.push(recorded.clone());
        }
        rest.requests.push(recorded);
    }
    shared.bump();
}

fn build_response(reply: &Reply) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = Response::builder().status(status);
    let has_ratelimit_headers = reply
        .headers
        .iter()
        .any(|(name, _)| name.starts_with("x-ratelimit"));
    if !has_ratelimit_headers {
        // What Discord sends on a request with plenty of room left in its bucket.
        builder = builder
            .header("x-ratelimit-limit", "5")
            .header("x-ratelimit-remaining", "4")
            .header("x-ratelimit-reset-after", "1.000")
            .header("x-ratelimit-bucket", "fakebucket0000000000000000000000");
    }
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match &reply.body {
        Some(body) => {
            builder = builder.header("content-type", "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(body)).unwrap_or_else(|error| {
        eprintln!("fake discord http: building a response failed: {error}");
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response
    })
}

/// Discord's 429: body with `retry_after` in seconds (a float), `Retry-After` header in whole
/// seconds, and the scope headers.
fn rate_limited(retry_after: f64, global: bool) -> Reply {
    let mut headers = vec![
        (
            "retry-after".to_string(),
            format!("{}", retry_after.ceil() as u64),
        ),
        (
            "x-ratelimit-scope".to_string(),
            if global { "global" } else { "user" }.to_string(),
        ),
    ];
    if global {
        headers.push(("x-ratelimit-global".into(), "true".into()));
    } else {
        headers.extend([
            ("x-ratelimit-limit".into(), "5".into()),
            ("x-ratelimit-remaining".into(), "0".into()),
            (
                "x-ratelimit-reset-after".into(),
                format!("{retry_after:.3}"),
            ),
            (
                "x-ratelimit-bucket".into(),
                "fakebucket0000000000000000000000".into(),
            ),
        ]);
    }
    Reply {
        status: 429,
        body: Some(json!({
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": global,
        })),
        headers,
    }
}

/// Takes the first pending fault that matches, in the order they were scripted.
fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<Fault> {
    let mut rest = shared.rest();
    let index = rest
        .faults
        .iter()
        .position(|rule| rule.remaining > 0 && rule.route.matches(method, path))?;
    let rule = &mut rest.faults[index];
    rule.remaining -= 1;
    let fault = rule.fault.clone();
    if rule.remaining == 0 {
        rest.faults.remove(index);
    }
    Some(fault)
}

/// The JSON body (for multipart, the `payload_json` part), and a problem if it is not JSON.
fn parse_body(content_type: &str, bytes: &[u8]) -> (Option<Value>, Option<String>) {
    if bytes.is_empty() {
        return (None, None);
    }
    let json_bytes = if content_type.starts_with("multipart/form-data") {
        match multipart_payload_json(content_type, bytes) {
            Some(part) => part,
            None => return (None, None), // files only: nothing to check
        }
    } else {
        bytes
    };
    match serde_json::from_slice(json_bytes) {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(format!("the body is not JSON: {error}"))),
    }
}

/// The `payload_json` part of a multipart body, which is how serenity sends a message with
/// files.
fn multipart_payload_json<'a>(content_type: &str, bytes: &'a [u8]) -> Option<&'a [u8]> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = bytes;
    while let Some(start) = find(rest, delimiter) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter).unwrap_or(rest.len());
        let part = &rest[..end];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]);
            if head.contains("name=\"payload_json\"") {
                let content = &part[split + 4..];
                return Some(content.strip_suffix(b"\r\n").unwrap_or(content));
            }
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Routes that need the bot token; interaction callbacks and interaction webhooks do not.
fn authorized(request: &ApiRequest) -> bool {
    let expected = format!("Bot {}", super::FakeDiscord::token());
    request
        .headers
        .iter()
        .any(|(name, value)| name == "authorization" && *value == expected)
}

/// Answers a request. The flag is `true` for a second callback to the same interaction.
fn route(shared: &Shared, request: &ApiRequest) -> (Reply, bool) {
    let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    let method = request.method.as_str();
    let body = request.body.as_ref().unwrap_or(&Value::Null);
    let needs_auth = !matches!(segments.first(), Some(&"interactions" | &"webhooks"));
    if needs_auth && !authorized(request) {
        return (Reply::json(401, responses::status_error(401)), false);
    }
    let mut rest = shared.rest();
    let reply = match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => Reply::ok(json!({"url": shared.ws_url()})),
        ("GET", ["gateway", "bot"]) => Reply::ok(json!({
            "url": shared.ws_url(),
            "shards": rest.recommended_shards.max(1),
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        })),
        ("GET", ["users", "@me"]) => Reply::ok(responses::current_user()),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            Reply::ok(responses::application_info())
        }
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = body
                .get("recipient_id")
                .and_then(snowflake_value)
                .unwrap_or(fixtures::DM_USER_ID);
            Reply::ok(fixtures::dm_channel_json(&fixtures::User::regular(
                recipient,
            )))
        }
        (_, ["applications", app, rest_of @ ..]) => commands(&mut rest, method, app, rest_of, body),
        ("POST", ["interactions", id, token, "callback"]) => {
            return callback(&mut rest, id, token, &request.query, body);
        }
        (_, ["webhooks", app, token, rest_of @ ..]) => {
            webhook(&mut rest, method, app, token, rest_of, body)
        }
        ("GET", ["channels", id]) => id
            .parse()
            .ok()
            .and_then(responses::channel)
            .map_or_else(|| Reply::error(404, 10003, "Unknown Channel"), Reply::ok),
        ("POST", ["channels", id, "typing"]) => {
            match id.parse().ok().and_then(responses::channel) {
                Some(_) => Reply::no_content(),
                None => Reply::error(404, 10003, "Unknown Channel"),
            }
        }
        ("POST", ["channels", id, "messages"]) => channel_message(&mut rest, id, body),
        _ => Reply::not_found(),
    };
    (reply, false)
}

/// `/applications/{app}/commands` and `/applications/{app}/guilds/{guild}/commands`.
fn commands(rest: &mut RestState, method: &str, app: &str, tail: &[&str], body: &Value) -> Reply {
    if app.parse() != Ok(APPLICATION_ID) {
        return Reply::error(403, 50001, "Missing Access");
    }
    let scope = match tail {
        ["commands"] => None,
        ["guilds", guild, "commands"] => match guild.parse::<u64>() {
            Ok(GUILD_ID) => Some(GUILD_ID),
            _ => return Reply::error(403, 50001, "Missing Access"),
        },
        _ => return Reply::not_found(),
    };
    match method {
        "GET" => Reply::ok(json!(
            rest.commands.get(&scope).cloned().unwrap_or_default()
        )),
        "PUT" => {
            let Some(list) = body.as_array() else {
                return Reply::json(
                    400,
                    responses::invalid_form_body(&["expected an array of commands".into()]),
                );
            };
            let registered: Vec<Value> = list
                .iter()
                .map(|command| responses::registered_command(command, scope))
                .collect();
            rest.commands.insert(scope, registered.clone());
            Reply::ok(json!(registered))
        }
        "POST" => {
            let registered = responses::registered_command(body, scope);
            let list = rest.commands.entry(scope).or_default();
            list.retain(|c| c.get("name") != registered.get("name"));
            list.push(registered.clone());
            Reply::json(201, registered)
        }
        _ => Reply::json(405, responses::status_error(405)),
    }
}

/// Which callback types Discord accepts for which interaction types.
fn callback_allowed(interaction_type: u64, callback_type: u64) -> bool {
    match interaction_type {
        2 => matches!(callback_type, 4 | 5 | 9 | 10 | 12),
        3 => matches!(callback_type, 4 | 5 | 6 | 7 | 9 | 10 | 12),
        4 => callback_type == 8,
        5 => matches!(callback_type, 4 | 5 | 6 | 7 | 10),
        _ => callback_type == 1,
    }
}

/// `POST /interactions/{id}/{token}/callback`: 204, once per interaction.
fn callback(
    rest: &mut RestState,
    id: &str,
    token: &str,
    query: &str,
    body: &Value,
) -> (Reply, bool) {
    let unknown = || Reply::error(404, 10062, "Unknown interaction");
    let Ok(id) = id.parse::<u64>() else {
        return (unknown(), false);
    };
    let Some(known) = rest.interactions_by_id.get(&id).cloned() else {
        return (unknown(), false);
    };
    if known.token != token {
        return (Reply::error(401, 50027, "Invalid Webhook Token"), false);
    }
    if rest.answered.contains_key(&id) {
        return (
            Reply::error(400, 40060, "Interaction has already been acknowledged."),
            true,
        );
    }
    let late = rest
        .callback_deadline
        .is_some_and(|deadline| known.dispatched_at.elapsed() > deadline);
    if late {
        return (unknown(), false);
    }
    let Some(callback_type) = body.get("type").and_then(Value::as_u64) else {
        return (
            Reply::json(
                400,
                responses::invalid_form_body(&["type is required".into()]),
            ),
            false,
        );
    };
    if !callback_allowed(known.kind, callback_type) {
        let problem = format!(
            "callback type {callback_type} is not valid for an interaction of type {}",
            known.kind
        );
        rest.violations
            .push(format!("POST /interactions/{id}/.../callback: {problem}"));
        return (
            Reply::json(400, responses::invalid_form_body(&[problem])),
            false,
        );
    }
    rest.answered.insert(
        id,
        Answer {
            callback_type,
            at: Instant::now(),
        },
    );
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .cloned()
        .unwrap_or(json!({}));
    let message = match callback_type {
        4 | 5 => {
            let mut data = data;
            if callback_type == 5 {
                // A deferred reply is an empty "thinking" message (flag LOADING) until edited.
                let flags = data.get("flags").and_then(Value::as_u64).unwrap_or(0);
                data = json!({"content": "", "flags": flags | 128});
            }
            let message_id = fixtures::next_snowflake();
            let kind = if known.kind == 2 { 20 } else { 0 };
            let message =
                responses::message_from_body(message_id, known.channel_id, &data, kind, true);
            rest.messages.insert(message_id, message.clone());
            rest.originals.insert(known.token.clone(), message_id);
            rest.created.push(CreatedMessage {
                via: MessageVia::InteractionResponse,
                channel_id: known.channel_id,
                message: message.clone(),
            });
            Some(message)
        }
        6 | 7 => known.message.as_ref().and_then(|original| {
            let message_id = id_of(original)?;
            let stored = rest
                .messages
                .entry(message_id)
                .or_insert_with(|| original.clone());
            if callback_type == 7 {
                responses::apply_edit(stored, &data);
            }
            let message = stored.clone();
            rest.originals.insert(known.token.clone(), message_id);
            Some(message)
        }),
        _ => None,
    };
    if query.split('&').any(|pair| pair == "with_response=true") {
        (
            Reply::ok(responses::callback_response(
                id,
                callback_type,
                message.as_ref(),
            )),
            false,
        )
    } else {
        (Reply::no_content(), false)
    }
}

/// `/webhooks/{app}/{token}[/messages/{id|@original}]` for interaction tokens.
fn webhook(
    rest: &mut RestState,
    method: &str,
    app: &str,
    token: &str,
    tail: &[&str],
    body: &Value,
) -> Reply {
    let unknown_webhook = || Reply::error(404, 10015, "Unknown Webhook");
    if app.parse() != Ok(APPLICATION_ID) {
        return unknown_webhook();
    }
    let Some(interaction) = rest
        .interactions_by_token
        .get(token)
        .and_then(|id| rest.interactions_by_id.get(id))
        .cloned()
    else {
        return unknown_webhook();
    };
    let unknown_message = || Reply::error(404, 10008, "Unknown Message");
    let message_id = match tail {
        [] if method == "POST" => {
            let message_id = fixtures::next_snowflake();
            let message =
                responses::message_from_body(message_id, interaction.channel_id, body, 0, true);
            rest.messages.insert(message_id, message.clone());
            rest.created.push(CreatedMessage {
                via: MessageVia::Followup,
                channel_id: interaction.channel_id,
                message: message.clone(),
            });
            return Reply::ok(message);
        }
        ["messages", "@original"] => match rest.originals.get(token) {
            Some(id) => *id,
            None => return unknown_message(),
        },
        ["messages", id] => match id.parse::<u64>() {
            Ok(id) if rest.messages.contains_key(&id) => id,
            _ => return unknown_message(),
        },
        _ => return Reply::not_found(),
    };
    match method {
        "GET" => rest
            .messages
            .get(&message_id)
            .cloned()
            .map_or_else(unknown_message, Reply::ok),
        "PATCH" => match rest.messages.get_mut(&message_id) {
            Some(message) => {
                responses::apply_edit(message, body);
                // Editing a deferred reply replaces the "thinking" state.
                if let Some(flags) = message["flags"].as_u64() {
                    message["flags"] = json!(flags & !128);
                }
                Reply::ok(message.clone())
            }
            None => unknown_message(),
        },
        "DELETE" => {
            rest.messages.remove(&message_id);
            rest.originals.retain(|_, id| *id != message_id);
            Reply::no_content()
        }
        _ => Reply::json(405, responses::status_error(405)),
    }
}

/// `POST /channels/{id}/messages`, honouring `nonce` with `enforce_nonce`.
fn channel_message(rest: &mut RestState, id: &str, body: &Value) -> Reply {
    let Some(channel_id) = id
        .parse::<u64>()
        .ok()
        .filter(|id| responses::channel(*id).is_some())
    else {
        return Reply::error(404, 10003, "Unknown Channel");
    };
    let non_empty = |key: &str| match body.get(key) {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(_)) => true,
        _ => false,
    };
    if ![
        "content",
        "embeds",
        "components",
        "sticker_ids",
        "attachments",
        "poll",
    ]
    .iter()
    .any(|key| non_empty(key))
    {
        return Reply::error(400, 50006, "Cannot send an empty message");
    }
    let nonce = match body.get("nonce") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let enforce = body.get("enforce_nonce") == Some(&json!(true));
    if let (Some(nonce), true) = (&nonce, enforce) {
        rest.nonces.retain(|_, (_, at)| at.elapsed() < NONCE_WINDOW);
        let earlier = rest
            .nonces
            .get(nonce)
            .and_then(|(earlier, _)| rest.messages.get(earlier));
        if let Some(message) = earlier {
            return Reply::ok(message.clone());
        }
    }
    let message_id = fixtures::next_snowflake();
    let message = responses::message_from_body(message_id, channel_id, body, 0, false);
    rest.messages.insert(message_id, message.clone());
    if let (Some(nonce), true) = (nonce, enforce) {
        rest.nonces.insert(nonce, (message_id, Instant::now()));
    }
    rest.created.push(CreatedMessage {
        via: MessageVia::Channel,
        channel_id,
        message: message.clone(),
    });
    Reply::ok(message)
}
