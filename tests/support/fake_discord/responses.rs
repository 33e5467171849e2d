//! The JSON bodies the fake's REST routes answer with, shaped like Discord's so serenity's
//! model types deserialize them (a reply serenity cannot parse would surface in the bot as
//! a JSON error, not as the behaviour under test).

#![allow(dead_code)]

use serde_json::{Map, Value, json};

use super::fixtures::{self, APPLICATION_ID, GUILD_ID};

/// Discord's error body: `{"message": ..., "code": ...}`.
pub fn error(code: u64, message: &str) -> Value {
    json!({"message": message, "code": code})
}

/// The error body Discord gives for a bare status, e.g. `404: Not Found`.
pub fn status_error(status: u16) -> Value {
    let (code, message) = match status {
        400 => (0, "400: Bad Request"),
        401 => (0, "401: Unauthorized"),
        403 => (50013, "Missing Permissions"),
        404 => (0, "404: Not Found"),
        405 => (0, "405: Method Not Allowed"),
        429 => (0, "You are being rate limited."),
        500 => (0, "500: Internal Server Error"),
        502 => (0, "502: Bad Gateway"),
        503 => (0, "503: Service Unavailable"),
        504 => (0, "504: Gateway Timeout"),
        _ => (0, "Error"),
    };
    error(code, message)
}

/// Discord's 400 for a body it rejects ("Invalid Form Body", code 50035).
pub fn invalid_form_body(problems: &[String]) -> Value {
    json!({
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {"_errors": problems.iter().map(|p| json!({"code": "BASE_TYPE_INVALID", "message": p})).collect::<Vec<_>>()},
    })
}

/// `GET /oauth2/applications/@me` and `GET /applications/@me`.
pub fn application_info() -> Value {
    let mut bot = fixtures::bot_user_json();
    if let Some(map) = bot.as_object_mut() {
        map.remove("email");
    }
    json!({
        "id": APPLICATION_ID.to_string(),
        "name": fixtures::BOT_USERNAME,
        "icon": null,
        "description": "Answers health questions by quoting vetted articles.",
        "summary": "",
        "type": null,
        "hook": true,
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0f4a1b7c2d9e8f3a6b5c4d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a",
        "flags": (1 << 15) | (1 << 19) | (1 << 23),
        "owner": fixtures::owner_user().to_json(),
        "team": null,
        "bot": bot,
        "rpc_origins": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "tags": [],
        "install_params": {"scopes": ["bot", "applications.commands"], "permissions": fixtures::permissions::BOT.to_string()},
        "integration_types_config": {"0": {"oauth2_install_params": {"scopes": ["bot", "applications.commands"], "permissions": fixtures::permissions::BOT.to_string()}}},
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "guild_id": null,
        "is_monetized": false,
        "explicit_content_filter": 0,
        "terms_of_service_url": null,
        "privacy_policy_url": null,
    })
}

/// A command as Discord returns it after a bulk overwrite: the body's fields plus the ones
/// Discord adds. Ids come from [`fixtures::command_id_for`] so interaction fixtures agree.
pub fn registered_command(body: &Value, guild_id: Option<u64>) -> Value {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let mut command = body.as_object().cloned().unwrap_or_default();
    let defaults: [(&str, Value); 10] = [
        ("type", json!(1)),
        ("description", json!("")),
        ("options", json!([])),
        ("default_member_permissions", Value::Null),
        ("dm_permission", json!(guild_id.is_none())),
        ("nsfw", json!(false)),
        ("integration_types", json!([0])),
        ("contexts", Value::Null),
        ("name_localizations", Value::Null),
        ("description_localizations", Value::Null),
    ];
    for (key, value) in defaults {
        match command.get(key) {
            Some(existing) if !existing.is_null() => {}
            _ => {
                command.insert(key.to_string(), value);
            }
        }
    }
    command.insert(
        "id".into(),
        json!(fixtures::command_id_for(name).to_string()),
    );
    command.insert("application_id".into(), json!(APPLICATION_ID.to_string()));
    command.insert(
        "version".into(),
        json!(fixtures::next_snowflake().to_string()),
    );
    if let Some(guild_id) = guild_id {
        command.insert("guild_id".into(), json!(guild_id.to_string()));
    }
    Value::Object(command)
}

/// Fields of a message body that a created message takes over as they are.
const COPIED: [&str; 4] = ["content", "tts", "components", "poll"];

/// A message object the way Discord returns one the bot created from `body`.
pub fn message_from_body(
    id: u64,
    channel_id: u64,
    body: &Value,
    kind: u64,
    webhook: bool,
) -> Value {
    let mut message =
        fixtures::message_json(id, channel_id, fixtures::bot_user_json(), "", json!([]));
    message["type"] = json!(kind);
    if webhook {
        message["webhook_id"] = json!(APPLICATION_ID.to_string());
        message["application_id"] = json!(APPLICATION_ID.to_string());
    }
    if channel_id != fixtures::DM_CHANNEL_ID {
        message["guild_id"] = json!(GUILD_ID.to_string());
    }
    apply_edit(&mut message, body);
    message["edited_timestamp"] = Value::Null;
    if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
        let mut reference = reference.clone();
        if reference.get("channel_id").is_none_or(Value::is_null) {
            reference["channel_id"] = json!(channel_id.to_string());
        }
        reference["type"] = reference.get("type").cloned().unwrap_or(json!(0));
        message["message_reference"] = reference;
        if kind == 0 {
            message["type"] = json!(19); // REPLY
        }
    }
    if let Some(nonce) = body.get("nonce") {
        message["nonce"] = nonce.clone();
    }
    message
}

/// Applies an edit body (PATCH) to a stored message: present fields replace, `null`
/// clears, absent fields stay.
pub fn apply_edit(message: &mut Value, body: &Value) {
    let Some(body) = body.as_object() else {
        return;
    };
    for key in COPIED {
        if let Some(value) = body.get(key) {
            message[key] = match (key, value) {
                ("content", Value::Null) => json!(""),
                ("components", Value::Null) => json!([]),
                _ => value.clone(),
            };
        }
    }
    if let Some(embeds) = body.get("embeds") {
        message["embeds"] = match embeds {
            Value::Array(embeds) => Value::Array(embeds.iter().map(normalize_embed).collect()),
            _ => json!([]),
        };
    }
    if let Some(flags) = body.get("flags") {
        message["flags"] = json!(flags.as_u64().unwrap_or(0));
    }
    if let Some(attachments) = body.get("attachments") {
        // The bot's attachment stubs are {id, filename, ...}; an answer with full
        // attachment objects would need URLs the fake does not serve.
        if attachments.as_array().is_some_and(Vec::is_empty) {
            message["attachments"] = json!([]);
        }
    }
    message["edited_timestamp"] = json!(fixtures::now_iso8601());
}

/// An embed as Discord echoes it: `type: "rich"`, `inline` on fields.
fn normalize_embed(embed: &Value) -> Value {
    let mut out: Map<String, Value> = embed.as_object().cloned().unwrap_or_default();
    out.entry("type").or_insert(json!("rich"));
    if let Some(Value::Array(fields)) = out.get_mut("fields") {
        for field in fields {
            if field.get("inline").is_none() {
                field["inline"] = json!(false);
            }
        }
    }
    Value::Object(out)
}

/// `GET /channels/{id}` for the channels the fake knows.
pub fn channel(id: u64) -> Option<Value> {
    match id {
        fixtures::CHANNEL_ID => Some(fixtures::guild_text_channel_json(id, "general", 0)),
        fixtures::MOD_LOG_CHANNEL_ID => Some(fixtures::guild_text_channel_json(id, "mod-log", 1)),
        fixtures::DM_CHANNEL_ID => Some(fixtures::dm_channel_json(&fixtures::User::regular(
            fixtures::DM_USER_ID,
        ))),
        _ => None,
    }
}

/// The interaction callback response for `?with_response=true`.
pub fn callback_response(
    interaction_id: u64,
    callback_type: u64,
    message: Option<&Value>,
) -> Value {
    let mut out = json!({
        "interaction": {
            "id": interaction_id.to_string(),
            "type": 2,
            "activity_instance_id": null,
            "response_message_id": message.and_then(|m| m.get("id")).cloned(),
            "response_message_loading": callback_type == 5,
            "response_message_ephemeral": message
                .and_then(|m| m.get("flags"))
                .and_then(Value::as_u64)
                .is_some_and(|f| f & 64 != 0),
        },
    });
    if let Some(message) = message {
        out["resource"] = json!({"type": callback_type, "message": message});
    }
    out
}

/// `GET /users/@me`.
pub fn current_user() -> Value {
    fixtures::bot_user_json()
}
