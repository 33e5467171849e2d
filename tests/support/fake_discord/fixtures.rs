//! Gateway payloads shaped like Discord's own (API v10), for tests to dispatch to the bot.
//!
//! Serenity drops a dispatch whose `d` does not deserialize (it logs a warning and goes on),
//! so a fixture missing one required field would make a test wait for a reply that never
//! comes. Every builder here therefore fills in every field Discord documents for the
//! object, and `tests/fake_discord_fixtures.rs` checks each one deserializes into serenity's
//! own model types.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The fake application's id.
pub const APPLICATION_ID: u64 = 1_180_000_000_000_000_001;
/// The bot user's id (deliberately not the application id, so the two cannot be confused).
pub const BOT_USER_ID: u64 = 1_180_000_000_000_000_002;
/// The one guild the bot is in.
pub const GUILD_ID: u64 = 1_180_000_000_000_000_100;
/// The guild's general text channel, where fixtures' guild interactions and messages happen.
pub const CHANNEL_ID: u64 = 1_180_000_000_000_000_200;
/// A second text channel in the guild, for moderator logs.
pub const MOD_LOG_CHANNEL_ID: u64 = 1_180_000_000_000_000_201;
/// The direct-message channel between the bot and a user.
pub const DM_CHANNEL_ID: u64 = 1_180_000_000_000_000_300;
/// The guild's moderator role.
pub const MOD_ROLE_ID: u64 = 1_180_000_000_000_000_400;
/// The guild owner and owner of the application.
pub const OWNER_USER_ID: u64 = 1_180_000_000_000_000_500;
/// The user on the other side of [`DM_CHANNEL_ID`] unless a test says otherwise.
pub const DM_USER_ID: u64 = 1_180_000_000_000_000_501;
/// The bot's username.
pub const BOT_USERNAME: &str = "Lantern";

/// Permission bits (Discord's documented values).
pub mod permissions {
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    pub const MODERATE_MEMBERS: u64 = 1 << 40;

    /// What the @everyone role grants in the fake guild.
    pub const EVERYONE: u64 = ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS;
    /// What the moderator role adds.
    pub const MODERATOR: u64 = EVERYONE | MANAGE_GUILD | MANAGE_MESSAGES | MODERATE_MEMBERS;
    /// The bot's computed permissions in the guild's channels (`app_permissions`).
    pub const BOT: u64 = EVERYONE;
}

/// Milliseconds from the Unix epoch to Discord's epoch (2015-01-01).
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

static SNOWFLAKE_COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh snowflake: the current time in Discord's layout, so ids sort like real ones and
/// serenity's `created_at` is sensible, with a process-wide counter in the low bits so two
/// calls never collide.
pub fn next_snowflake() -> u64 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(DISCORD_EPOCH_MS, |d| d.as_millis() as u64);
    let counter = SNOWFLAKE_COUNTER.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF;
    (now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22) | counter
}

/// The current time as Discord writes it (ISO 8601, UTC).
pub fn now_iso8601() -> String {
    serenity::model::Timestamp::now().to_string()
}

/// A fixed, plausible time for "joined at" fields, so payloads stay comparable.
const JOINED_AT: &str = "2024-01-15T12:00:00.000000+00:00";

/// A command id that is the same for the same name, so the ids in interactions match the
/// ids the fake handed out when the bot registered its commands.
pub fn command_id_for(name: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike std's `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    1_180_000_000_000_000_000 + (hash % 1_000_000_000_000)
}

/// A Discord user as tests describe one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
}

impl User {
    pub fn new(id: u64, username: &str) -> User {
        User {
            id,
            username: username.to_string(),
            global_name: None,
        }
    }

    /// A plain human user named after the id.
    pub fn regular(id: u64) -> User {
        User {
            id,
            username: format!("user{id}"),
            global_name: Some(format!("User {id}")),
        }
    }

    /// The Discord user object (API v10). Humans have discriminator "0" since the
    /// username migration.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": null,
            "avatar_decoration_data": null,
            "banner": null,
            "accent_color": null,
            "public_flags": 0,
            "flags": 0,
            "clan": null,
            "primary_guild": null,
            "collectibles": null,
        })
    }
}

/// A guild member as tests describe one: `permissions` are the computed bits Discord sends
/// in an interaction's member object (all roles and channel overwrites applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub roles: Vec<u64>,
    pub permissions: u64,
}

impl Member {
    /// An ordinary member: no roles, the @everyone permissions.
    pub fn regular(id: u64) -> Member {
        Member {
            user: User::regular(id),
            roles: Vec::new(),
            permissions: permissions::EVERYONE,
        }
    }

    /// `user` as an ordinary member (no roles, the @everyone permissions), e.g. for
    /// [`guild_message`] from a [`User`] a test already has.
    pub fn of(user: &User) -> Member {
        Member {
            user: user.clone(),
            roles: Vec::new(),
            permissions: permissions::EVERYONE,
        }
    }

    /// A moderator: holds [`MOD_ROLE_ID`] and has Manage Server.
    pub fn moderator(id: u64) -> Member {
        Member {
            user: User::regular(id),
            roles: vec![MOD_ROLE_ID],
            permissions: permissions::MODERATOR,
        }
    }

    /// A member holding `role` but only the @everyone permissions, to test role checks apart
    /// from permission checks.
    pub fn with_role(id: u64, role: u64) -> Member {
        Member {
            user: User::regular(id),
            roles: vec![role],
            permissions: permissions::EVERYONE,
        }
    }

    /// A member with exactly these computed permission bits and no roles.
    pub fn with_permissions(id: u64, permissions: u64) -> Member {
        Member {
            user: User::regular(id),
            roles: Vec::new(),
            permissions,
        }
    }

    /// The member object as an interaction carries it: with `user` and `permissions`.
    pub fn to_interaction_json(&self) -> Value {
        let mut member = self.partial_json();
        member["user"] = self.user.to_json();
        member["permissions"] = json!(self.permissions.to_string());
        member
    }

    /// The member object as MESSAGE_CREATE carries it: without `user`.
    pub fn partial_json(&self) -> Value {
        json!({
            "roles": self.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "nick": null,
            "avatar": null,
            "banner": null,
            "premium_since": null,
            "joined_at": JOINED_AT,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "communication_disabled_until": null,
            "unusual_dm_activity_until": null,
        })
    }
}

/// The bot's user object, as in READY and `GET /users/@me`.
pub fn bot_user_json() -> Value {
    json!({
        "id": BOT_USER_ID.to_string(),
        "username": BOT_USERNAME,
        "global_name": null,
        "discriminator": "4821",
        "avatar": null,
        "avatar_decoration_data": null,
        "banner": null,
        "accent_color": null,
        "public_flags": 0,
        "flags": 0,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "email": null,
        "locale": "en-US",
        "premium_type": 0,
        "bio": "",
    })
}

/// The guild owner, who also owns the application.
pub fn owner_user() -> User {
    User::new(OWNER_USER_ID, "guildowner")
}

/// A text channel of the fake guild.
pub fn guild_text_channel_json(id: u64, name: &str, position: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": GUILD_ID.to_string(),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "last_pin_timestamp": null,
        "flags": 0,
    })
}

/// The DM channel with `recipient`.
pub fn dm_channel_json(recipient: &User) -> Value {
    json!({
        "id": DM_CHANNEL_ID.to_string(),
        "type": 1,
        "last_message_id": null,
        "flags": 0,
        "recipients": [recipient.to_json()],
    })
}

/// A role object of the fake guild.
fn role_json(id: u64, name: &str, permissions: u64, position: u64) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// The READY event's `d`. `shard` echoes the identify's `[id, total]`.
pub fn ready_payload(session_id: &str, resume_gateway_url: &str, shard: [u64; 2]) -> Value {
    json!({
        "v": 10,
        "user": bot_user_json(),
        "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "shard": shard,
        "application": {"id": APPLICATION_ID.to_string(), "flags": application_flags()},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["local"],
        "user_settings": {},
        "auth": {},
        "_trace": ["[\"fake-gateway\",{\"micros\":0}]"],
    })
}

/// GATEWAY_INTENT_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED |
/// APPLICATION_COMMAND_BADGE: what a small verified-free bot has.
fn application_flags() -> u64 {
    (1 << 15) | (1 << 19) | (1 << 23)
}

/// The GUILD_CREATE event's `d`: a full guild with the general and mod-log text channels,
/// the @everyone and moderator roles, and the bot as a member.
pub fn guild_create_payload() -> Value {
    let bot_member = {
        let mut member = Member {
            user: User::new(BOT_USER_ID, BOT_USERNAME),
            roles: Vec::new(),
            permissions: permissions::BOT,
        }
        .partial_json();
        member["user"] = bot_user_json();
        member
    };
    let mut guild = json!({
        "id": GUILD_ID.to_string(),
        "name": "Lantern Test Guild",
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": OWNER_USER_ID.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": [
            role_json(GUILD_ID, "@everyone", permissions::EVERYONE, 0),
            role_json(MOD_ROLE_ID, "Moderator", permissions::MODERATOR, 1),
        ],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": CHANNEL_ID.to_string(),
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
    });
    // Split in two: one `json!` this size exceeds the macro recursion limit.
    let extra = json!({
        "safety_alerts_channel_id": null,
        "incidents_data": null,
        "hub_type": null,
        "latest_onboarding_question_id": null,
        "nsfw": false,
        "region": "deprecated",
        "home_header": null,
        "version": 0,
        "inventory_settings": null,
        "embedded_activities": [],
        "activity_instances": [],
        "application_command_counts": {},
        "joined_at": JOINED_AT,
        "large": false,
        "unavailable": false,
        "member_count": 3,
        "lazy": true,
        "voice_states": [],
        "members": [bot_member],
        "channels": [
            guild_text_channel_json(CHANNEL_ID, "general", 0),
            guild_text_channel_json(MOD_LOG_CHANNEL_ID, "mod-log", 1),
        ],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    });
    if let (Some(guild), Value::Object(extra)) = (guild.as_object_mut(), extra) {
        guild.extend(extra);
    }
    guild
}

/// A unique interaction token: long, URL-safe, like Discord's.
fn interaction_token(id: u64) -> String {
    format!("aW50ZXJhY3Rpb246{id}OmZha2UtaW50ZXJhY3Rpb24tdG9rZW4tZm9yLWxhbnRlcm4")
}

/// Where an interaction happens.
enum Place<'a> {
    Guild(&'a Member),
    Dm(&'a User),
}

/// The fields every interaction carries (interaction object, API v10).
fn interaction(kind: u8, data: Value, place: Place<'_>) -> Value {
    let id = next_snowflake();
    let mut out = json!({
        "id": id.to_string(),
        "application_id": APPLICATION_ID.to_string(),
        "type": kind,
        "data": data,
        "token": interaction_token(id),
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10_485_760,
    });
    match place {
        Place::Guild(member) => {
            let mut channel = guild_text_channel_json(CHANNEL_ID, "general", 0);
            channel["permissions"] = json!(member.permissions.to_string());
            out["guild_id"] = json!(GUILD_ID.to_string());
            out["guild"] = json!({"id": GUILD_ID.to_string(), "locale": "en-US", "features": []});
            out["guild_locale"] = json!("en-US");
            out["channel_id"] = json!(CHANNEL_ID.to_string());
            out["channel"] = channel;
            out["member"] = member.to_interaction_json();
            out["app_permissions"] = json!(permissions::BOT.to_string());
            out["authorizing_integration_owners"] = json!({"0": GUILD_ID.to_string()});
            out["context"] = json!(0);
        }
        Place::Dm(user) => {
            let mut channel = dm_channel_json(user);
            channel["permissions"] = json!(permissions::EVERYONE.to_string());
            out["channel_id"] = json!(DM_CHANNEL_ID.to_string());
            out["channel"] = channel;
            out["user"] = user.to_json();
            out["app_permissions"] = json!(permissions::BOT.to_string());
            // A guild-installed app used in its DM with the user: Discord sends "0".
            out["authorizing_integration_owners"] = json!({"0": "0"});
            out["context"] = json!(1);
        }
    }
    out
}

fn command_data(name: &str, options: Value, guild: bool) -> Value {
    let options = if options.is_null() {
        json!([])
    } else {
        options
    };
    let mut data = json!({
        "id": command_id_for(name).to_string(),
        "name": name,
        "type": 1,
        "options": options,
    });
    if guild {
        data["guild_id"] = json!(GUILD_ID.to_string());
    }
    data
}

/// A slash command (interaction type 2, APPLICATION_COMMAND) in [`CHANNEL_ID`] of
/// [`GUILD_ID`]. `options` is Discord's options array, e.g.
/// `json!([{"name": "question", "type": 3, "value": "is ibuprofen safe?"}])`.
pub fn slash_command(name: &str, options: Value, who: &Member) -> Value {
    interaction(2, command_data(name, options, true), Place::Guild(who))
}

/// A slash command in the bot's DM with `user`.
pub fn slash_command_in_dm(name: &str, options: Value, user: &User) -> Value {
    interaction(2, command_data(name, options, false), Place::Dm(user))
}

/// Panics unless exactly one option (at any depth) has `"focused": true`, which is what
/// Discord guarantees for autocomplete.
fn assert_one_focused(options: &Value) {
    fn count(options: &Value) -> usize {
        options.as_array().map_or(0, |options| {
            options
                .iter()
                .map(|o| {
                    usize::from(o["focused"] == json!(true)) + o.get("options").map_or(0, count)
                })
                .sum()
        })
    }
    let focused = count(options);
    assert_eq!(
        focused, 1,
        "an autocomplete interaction needs exactly one option with \"focused\": true, got {focused}"
    );
}

/// An autocomplete request (interaction type 4) in the guild. Exactly one option must have
/// `"focused": true`; its `value` is what the user has typed so far (a string).
pub fn autocomplete(name: &str, options: Value, who: &Member) -> Value {
    assert_one_focused(&options);
    interaction(4, command_data(name, options, true), Place::Guild(who))
}

/// An autocomplete request in the bot's DM with `user`.
pub fn autocomplete_in_dm(name: &str, options: Value, user: &User) -> Value {
    assert_one_focused(&options);
    interaction(4, command_data(name, options, false), Place::Dm(user))
}

/// A button click (interaction type 3, MESSAGE_COMPONENT, component_type 2) on `message`,
/// a message object such as [`bot_message`] or one the fake recorded. A partial message
/// (say only `id`, `content`, `flags`) is completed with the fields Discord always sends,
/// since serenity drops a click whose message it cannot parse.
pub fn component_click(custom_id: &str, message: Value, who: &Member) -> Value {
    click(custom_id, message, Place::Guild(who))
}

/// A button click in the bot's DM with `user`.
pub fn component_click_in_dm(custom_id: &str, message: Value, user: &User) -> Value {
    click(custom_id, message, Place::Dm(user))
}

fn click(custom_id: &str, message: Value, place: Place<'_>) -> Value {
    let mut out = interaction(
        3,
        json!({"custom_id": custom_id, "component_type": 2}),
        place,
    );
    out["message"] = complete_message(message);
    out
}

/// `message` with every field Discord always sends filled in where missing: by default a
/// message from the bot in [`CHANNEL_ID`] (or the channel `message` names).
pub fn complete_message(message: Value) -> Value {
    let channel_id = message
        .get("channel_id")
        .and_then(snowflake_value)
        .unwrap_or(CHANNEL_ID);
    let id = id_of(&message).unwrap_or_else(next_snowflake);
    let mut full = message_json(id, channel_id, bot_user_json(), "", json!([]));
    full["application_id"] = json!(APPLICATION_ID.to_string());
    if let (Some(full), Value::Object(given)) = (full.as_object_mut(), message) {
        full.extend(given);
    }
    full
}

/// A message the bot posted in [`CHANNEL_ID`], with `components` (Discord's action rows),
/// for [`component_click`].
pub fn bot_message(content: &str, components: Value) -> Value {
    let mut message = message_json(
        next_snowflake(),
        CHANNEL_ID,
        bot_user_json(),
        content,
        json!([]),
    );
    message["components"] = if components.is_null() {
        json!([])
    } else {
        components
    };
    message["application_id"] = json!(APPLICATION_ID.to_string());
    message
}

/// The message object fields every message carries (API v10), without guild fields.
pub fn message_json(
    id: u64,
    channel_id: u64,
    author: Value,
    content: &str,
    mentions: Value,
) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": author,
        "content": content,
        "timestamp": now_iso8601(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": mentions,
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": [],
        "reactions": [],
        "pinned": false,
        "webhook_id": null,
        "type": 0,
        "flags": 0,
        "components": [],
        "sticker_items": [],
        "position": null,
    })
}

/// Whether `content` mentions the bot the way Discord clients write it.
pub fn mentions_bot(content: &str) -> bool {
    content.contains(&format!("<@{BOT_USER_ID}>"))
        || content.contains(&format!("<@!{BOT_USER_ID}>"))
}

/// A MESSAGE_CREATE `d` in [`CHANNEL_ID`] from `who`, with the guild fields, mentioning
/// the bot in `mentions` only if the content does.
pub fn guild_message(content: &str, who: &Member) -> Value {
    let mentions = if mentions_bot(content) {
        let mut bot = bot_user_json();
        bot["member"] = Member {
            user: User::new(BOT_USER_ID, BOT_USERNAME),
            roles: Vec::new(),
            permissions: permissions::BOT,
        }
        .partial_json();
        json!([bot])
    } else {
        json!([])
    };
    let mut message = message_json(
        next_snowflake(),
        CHANNEL_ID,
        who.user.to_json(),
        content,
        mentions,
    );
    message["guild_id"] = json!(GUILD_ID.to_string());
    message["member"] = who.partial_json();
    message
}

/// A MESSAGE_CREATE `d` in [`CHANNEL_ID`] that mentions the bot: `content` must contain
/// `<@BOT_USER_ID>` (checked; for a message that does not mention the bot use
/// [`guild_message`] with [`Member::of`]). The author is an ordinary member.
pub fn guild_message_mentioning_bot(content: &str, author: &User) -> Value {
    assert!(
        mentions_bot(content),
        "guild_message_mentioning_bot: the content must contain <@{BOT_USER_ID}>, got {content:?}"
    );
    guild_message(content, &Member::of(author))
}

/// A MESSAGE_CREATE `d` in the bot's DM ([`DM_CHANNEL_ID`]): no guild_id, no member.
pub fn direct_message(content: &str, author: &User) -> Value {
    message_json(
        next_snowflake(),
        DM_CHANNEL_ID,
        author.to_json(),
        content,
        json!([]),
    )
}

/// The `id` of a payload, as a number (ids are strings in Discord's JSON).
pub fn id_of(value: &Value) -> Option<u64> {
    value.get("id").and_then(snowflake_value)
}

/// A snowflake that Discord writes as a string (and some clients as a number).
pub fn snowflake_value(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}
