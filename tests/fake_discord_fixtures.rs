//! Checks the fake Discord itself: its payloads deserialize into serenity's own model types
//! (serenity silently drops a dispatch it cannot parse, so a broken fixture would only show
//! up as a bot that never answers), its schema check accepts what Discord accepts and rejects
//! what Discord rejects, and its gateway and REST halves speak the protocol.

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use serenity::model::application::{Command, CurrentApplicationInfo, Interaction};
use serenity::model::channel::{Channel, Message};
use serenity::model::event::{Event, GatewayEvent};
use serenity::model::gateway::Ready;
use serenity::model::guild::Guild;
use serenity::model::user::CurrentUser;
use support::fake_discord::*;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WAIT: Duration = Duration::from_secs(10);

fn interaction(value: Value) -> Interaction {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("serenity rejects the interaction fixture: {e}\n{value:#}"))
}

fn message(value: Value) -> Message {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("serenity rejects the message fixture: {e}\n{value:#}"))
}

/// The whole frame as serenity's shard reads it.
fn gateway_event(seq: u64, event: &str, d: &Value) -> Event {
    let frame = json!({"op": 0, "s": seq, "t": event, "d": d});
    match serde_json::from_value::<GatewayEvent>(frame) {
        Ok(GatewayEvent::Dispatch(s, event)) => {
            assert_eq!(s, seq);
            event
        }
        Ok(other) => panic!("expected a dispatch, got {other:?}"),
        Err(e) => panic!("serenity rejects the {event} frame: {e}"),
    }
}

// ---- fixtures against serenity's model ----

#[test]
fn slash_command_is_a_command_from_a_guild_member() {
    let who = Member::moderator(42);
    let value = slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "is sleep important?"}]),
        &who,
    );
    let Interaction::Command(command) = interaction(value.clone()) else {
        panic!("not a Command interaction");
    };
    assert_eq!(command.data.name, "ask");
    assert_eq!(command.data.options.len(), 1);
    assert_eq!(
        command.guild_id.map(|g| g.get()),
        Some(FakeDiscord::GUILD_ID)
    );
    assert_eq!(command.channel_id.get(), FakeDiscord::CHANNEL_ID);
    assert_eq!(command.user.id.get(), 42);
    let member = command.member.expect("a guild interaction has a member");
    assert!(
        member
            .roles
            .iter()
            .any(|r| r.get() == FakeDiscord::MOD_ROLE_ID)
    );
    let permissions = member
        .permissions
        .expect("interaction members carry permissions");
    assert!(permissions.manage_guild());
    assert_eq!(command.data.id.get(), command_id_for("ask"));
    assert!(matches!(
        gateway_event(3, "INTERACTION_CREATE", &value),
        Event::InteractionCreate(_)
    ));
}

#[test]
fn interactions_get_unique_ids_and_tokens() {
    let who = Member::regular(7);
    let a = slash_command("ask", json!([]), &who);
    let b = slash_command("ask", json!([]), &who);
    assert_ne!(a["id"], b["id"]);
    assert_ne!(a["token"], b["token"]);
    let regular = interaction(a).command().expect("command");
    assert!(
        !regular
            .member
            .and_then(|m| m.permissions)
            .expect("permissions")
            .manage_guild()
    );
}

#[test]
fn slash_command_in_dm_has_a_user_and_no_guild() {
    let user = User::regular(43);
    let Interaction::Command(command) = interaction(slash_command_in_dm("ask", json!([]), &user))
    else {
        panic!("not a Command interaction");
    };
    assert_eq!(command.guild_id, None);
    assert!(command.member.is_none());
    assert_eq!(command.user.id.get(), 43);
    assert_eq!(command.channel_id.get(), FakeDiscord::DM_CHANNEL_ID);
}

#[test]
fn autocomplete_is_autocomplete_with_the_focused_option() {
    let options = json!([{"name": "topic", "type": 3, "value": "sle", "focused": true}]);
    let value = autocomplete("ask", options, &Member::regular(44));
    let Interaction::Autocomplete(command) = interaction(value) else {
        panic!("not an Autocomplete interaction");
    };
    let focused = command.data.autocomplete().expect("a focused option");
    assert_eq!(focused.name, "topic");
    assert_eq!(focused.value, "sle");
    let dm = autocomplete_in_dm(
        "ask",
        json!([{"name": "topic", "type": 3, "value": "", "focused": true}]),
        &User::regular(45),
    );
    assert!(matches!(interaction(dm), Interaction::Autocomplete(_)));
}

#[test]
#[should_panic(expected = "focused")]
fn autocomplete_without_a_focused_option_is_refused() {
    autocomplete(
        "ask",
        json!([{"name": "topic", "type": 3, "value": "x"}]),
        &Member::regular(1),
    );
}

#[test]
fn component_click_is_a_button_press_on_the_message() {
    let on = bot_message(
        "Was this helpful?",
        json!([{"type": 1, "components": [{"type": 2, "style": 1, "label": "Yes", "custom_id": "helpful:yes"}]}]),
    );
    let Interaction::Component(click) = interaction(component_click(
        "helpful:yes",
        on.clone(),
        &Member::regular(46),
    )) else {
        panic!("not a Component interaction");
    };
    assert_eq!(click.data.custom_id, "helpful:yes");
    assert!(matches!(
        click.data.kind,
        serenity::model::application::ComponentInteractionDataKind::Button
    ));
    assert_eq!(click.message.id.get(), id_of(&on).expect("id"));
    assert_eq!(click.message.components.len(), 1);
    let dm = component_click_in_dm("helpful:no", on, &User::regular(47));
    assert!(matches!(interaction(dm), Interaction::Component(_)));
}

#[test]
fn component_click_completes_a_partial_message() {
    let partial = json!({"id": "9001", "content": "Page 1 of 3", "flags": 64});
    let click = interaction(component_click("page:2", partial, &Member::regular(51)))
        .message_component()
        .expect("a Component interaction");
    assert_eq!(click.message.id.get(), 9001);
    assert_eq!(click.message.content, "Page 1 of 3");
    assert_eq!(click.message.author.id.get(), FakeDiscord::BOT_USER_ID);
}

#[test]
fn guild_message_mentioning_the_bot_deserializes_with_the_mention() {
    let content = format!("<@{}> what helps a headache?", FakeDiscord::BOT_USER_ID);
    let value = guild_message_mentioning_bot(&content, &User::regular(48));
    let parsed = message(value.clone());
    assert_eq!(parsed.content, content);
    assert_eq!(
        parsed.guild_id.map(|g| g.get()),
        Some(FakeDiscord::GUILD_ID)
    );
    assert!(parsed.member.is_some());
    assert!(
        parsed
            .mentions
            .iter()
            .any(|u| u.id.get() == FakeDiscord::BOT_USER_ID && u.bot)
    );
    assert!(parsed.mentions_user_id(FakeDiscord::BOT_USER_ID));
    assert!(matches!(
        gateway_event(4, "MESSAGE_CREATE", &value),
        Event::MessageCreate(_)
    ));
    // A message that does not mention the bot has no mentions.
    assert!(
        message(guild_message("hello all", &Member::regular(49)))
            .mentions
            .is_empty()
    );
}

#[test]
#[should_panic(expected = "must contain")]
fn guild_message_mentioning_bot_insists_on_the_mention() {
    guild_message_mentioning_bot("no mention here", &User::regular(1));
}

#[test]
fn direct_message_has_no_guild() {
    let parsed = message(direct_message("hi", &User::regular(50)));
    assert_eq!(parsed.guild_id, None);
    assert!(parsed.member.is_none());
    assert_eq!(parsed.channel_id.get(), FakeDiscord::DM_CHANNEL_ID);
    assert_eq!(parsed.author.id.get(), 50);
}

#[test]
fn ready_and_guild_create_deserialize() {
    let d = ready_payload("abc", "ws://127.0.0.1:1", [1, 2]);
    let ready: Ready = serde_json::from_value(d.clone()).expect("serenity parses READY");
    assert_eq!(ready.user.id.get(), FakeDiscord::BOT_USER_ID);
    assert!(ready.user.bot);
    assert_eq!(ready.application.id.get(), FakeDiscord::APPLICATION_ID);
    let shard = ready.shard.expect("shard");
    assert_eq!((shard.id.0, shard.total), (1, 2));
    assert_eq!(ready.resume_gateway_url, "ws://127.0.0.1:1");
    assert!(matches!(gateway_event(1, "READY", &d), Event::Ready(_)));

    let d = guild_create_payload();
    let guild: Guild = serde_json::from_value(d.clone()).expect("serenity parses GUILD_CREATE");
    assert_eq!(guild.id.get(), FakeDiscord::GUILD_ID);
    assert!(
        guild
            .channels
            .keys()
            .any(|c| c.get() == FakeDiscord::CHANNEL_ID)
    );
    assert!(
        guild
            .roles
            .keys()
            .any(|r| r.get() == FakeDiscord::MOD_ROLE_ID)
    );
    assert!(
        guild
            .members
            .keys()
            .any(|u| u.get() == FakeDiscord::BOT_USER_ID)
    );
    match gateway_event(2, "GUILD_CREATE", &d) {
        Event::GuildCreate(event) => assert_eq!(event.guild.id.get(), FakeDiscord::GUILD_ID),
        other => panic!("expected GuildCreate, got {other:?}"),
    }
}

#[test]
fn rest_answers_deserialize_into_serenitys_types() {
    let _: CurrentApplicationInfo =
        serde_json::from_value(responses::application_info()).expect("application info");
    let me: CurrentUser = serde_json::from_value(responses::current_user()).expect("current user");
    assert_eq!(me.id.get(), FakeDiscord::BOT_USER_ID);
    let command: Command = serde_json::from_value(responses::registered_command(
        &json!({"name": "ask", "description": "Ask", "type": 1, "options": [{"type": 3, "name": "q", "description": "Q", "required": true}]}),
        Some(FakeDiscord::GUILD_ID),
    ))
    .expect("command");
    assert_eq!(command.id.get(), command_id_for("ask"));
    for id in [
        FakeDiscord::CHANNEL_ID,
        FakeDiscord::MOD_LOG_CHANNEL_ID,
        FakeDiscord::DM_CHANNEL_ID,
    ] {
        let _: Channel = serde_json::from_value(responses::channel(id).expect("known channel"))
            .unwrap_or_else(|e| panic!("channel {id}: {e}"));
    }
}

/// What serenity's own builders send is valid by Discord's spec, and the message the fake
/// makes of it deserializes back.
#[test]
fn serenity_builder_bodies_pass_the_schema_and_echo_as_messages() {
    use serenity::builder::{
        CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
        CreateInteractionResponseMessage, CreateMessage,
    };
    let reply = CreateInteractionResponseMessage::new()
        .content("Sleep matters.")
        .ephemeral(true)
        .embed(
            CreateEmbed::new()
                .title("Sleep")
                .description("Adults need 7-9 hours.")
                .field("Source", "NHS", false)
                .footer(CreateEmbedFooter::new("Not medical advice")),
        )
        .components(vec![CreateActionRow::Buttons(vec![
            CreateButton::new("helpful:yes").label("Helpful"),
        ])]);
    let body = serde_json::to_value(CreateInteractionResponse::Message(reply)).expect("serialize");
    let problems = schema::validate_request("POST", "/interactions/1/tok/callback", &body);
    assert!(problems.is_empty(), "{problems:#?}\n{body:#}");
    let echoed = responses::message_from_body(
        next_snowflake(),
        FakeDiscord::CHANNEL_ID,
        &body["data"],
        20,
        true,
    );
    let parsed = message(echoed);
    assert_eq!(parsed.embeds.len(), 1);
    assert_eq!(parsed.components.len(), 1);

    let body = serde_json::to_value(
        CreateMessage::new()
            .content("hello")
            .enforce_nonce(true)
            .nonce(serenity::model::channel::Nonce::String("n1".into())),
    )
    .expect("serialize");
    let problems = schema::validate_request(
        "POST",
        &format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID),
        &body,
    );
    assert!(problems.is_empty(), "{problems:#?}\n{body:#}");
    message(responses::message_from_body(
        1,
        FakeDiscord::CHANNEL_ID,
        &body,
        0,
        false,
    ));
}

// ---- the schema check ----

const CALLBACK: &str = "/interactions/1180000000000000999/sometoken/callback";

#[test]
fn schema_accepts_a_valid_callback() {
    let body = json!({"type": 4, "data": {"content": "hi", "flags": 64, "allowed_mentions": {"parse": []}}});
    let problems = schema::validate_request("POST", CALLBACK, &body);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn schema_rejects_overlong_content() {
    let body = json!({"type": 4, "data": {"content": "x".repeat(2001)}});
    let problems = schema::validate_request("POST", CALLBACK, &body);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("/data/content") && p.contains("longer than 2000")),
        "{problems:#?}"
    );
    // Exactly the limit is fine, and characters count, not bytes.
    let body = json!({"type": 4, "data": {"content": "é".repeat(2000)}});
    let problems = schema::validate_request("POST", CALLBACK, &body);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn schema_rejects_a_wrong_type() {
    let body = json!({"type": "x", "data": {"content": "hi"}});
    assert!(!schema::validate_request("POST", CALLBACK, &body).is_empty());
    let unknown_field_type = json!({"type": 4, "data": {"content": 5}});
    assert!(!schema::validate_request("POST", CALLBACK, &unknown_field_type).is_empty());
}

#[test]
fn embed_limits_are_checked() {
    let long = json!({"type": 4, "data": {"embeds": [{"description": "d".repeat(4097)}]}});
    let problems = schema::message_limit_violations(&long);
    assert!(problems.iter().any(|p| p.contains("4096")), "{problems:#?}");
    assert!(!schema::validate_request("POST", CALLBACK, &long).is_empty());

    let ok = json!({"embeds": [{"description": "d".repeat(4096)}]});
    assert!(schema::message_limit_violations(&ok).is_empty());

    // Two embeds of 4,000 each are fine alone but 8,000 together.
    let total =
        json!({"embeds": [{"description": "d".repeat(4000)}, {"description": "d".repeat(4000)}]});
    let problems = schema::message_limit_violations(&total);
    assert!(problems.iter().any(|p| p.contains("6000")), "{problems:#?}");
}

/// Discord takes permission bit sets as decimal strings (what serenity sends), though the
/// OpenAPI description says integer; anything else is still refused.
#[test]
fn permission_strings_are_accepted_but_not_words() {
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        FakeDiscord::APPLICATION_ID,
        FakeDiscord::GUILD_ID
    );
    let command = |permissions: Value| json!([{"name": "reload", "description": "Reload", "type": 1, "default_member_permissions": permissions}]);
    for ok in [json!("32"), json!(32), Value::Null] {
        let problems = schema::validate_request("PUT", &path, &command(ok.clone()));
        assert!(problems.is_empty(), "{ok}: {problems:#?}");
    }
    assert!(!schema::validate_request("PUT", &path, &command(json!("manage guild"))).is_empty());
}

#[test]
fn templates_prefer_literal_segments() {
    assert_eq!(
        schema::find_template("PATCH", "/webhooks/1/tok/messages/@original").as_deref(),
        Some("/webhooks/{webhook_id}/{webhook_token}/messages/@original")
    );
    assert_eq!(
        schema::find_template("PATCH", "/webhooks/1/tok/messages/2").as_deref(),
        Some("/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
    );
    assert_eq!(
        schema::find_template("POST", CALLBACK).as_deref(),
        Some("/interactions/{interaction_id}/{interaction_token}/callback")
    );
    assert_eq!(schema::find_template("POST", "/no/such/route"), None);
}

#[test]
fn a_body_for_an_unknown_route_is_a_violation() {
    assert!(!schema::validate_request("POST", "/no/such/route", &json!({})).is_empty());
}

// ---- the running fake ----

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a gateway frame within the timeout")
            .expect("the connection stays open")
            .expect("a readable frame");
        match frame {
            WsMessage::Text(text) => return serde_json::from_str(&text).expect("JSON frame"),
            WsMessage::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

async fn send_json(ws: &mut Ws, value: Value) {
    ws.send(WsMessage::Text(value.to_string()))
        .await
        .expect("send");
}

fn identify_payload(shard: [u64; 2]) -> Value {
    json!({"op": 2, "d": {
        "token": FakeDiscord::token(),
        "intents": 33281,
        "properties": {"os": "linux", "browser": "test", "device": "test"},
        "compress": true,
        "large_threshold": 250,
        "shard": shard,
    }})
}

async fn connect(discord: &FakeDiscord) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/?v=10", discord.gateway_url()))
        .await
        .expect("connect to the fake gateway");
    ws
}

#[tokio::test]
async fn gateway_smoke_hello_identify_ready_heartbeat() {
    let discord = FakeDiscord::start().await;
    discord.set_heartbeat_interval(5_000);
    let mut ws = connect(&discord).await;

    let hello = next_json(&mut ws).await;
    assert_eq!(hello["op"], 10);
    assert_eq!(hello["d"]["heartbeat_interval"], 5_000);
    assert!(matches!(
        serde_json::from_value::<GatewayEvent>(hello),
        Ok(GatewayEvent::Hello(5_000))
    ));

    send_json(&mut ws, identify_payload([0, 1])).await;
    let ready = next_json(&mut ws).await;
    assert_eq!(
        (ready["op"].clone(), ready["t"].clone(), ready["s"].clone()),
        (json!(0), json!("READY"), json!(1))
    );
    assert_eq!(ready["d"]["resume_gateway_url"], discord.gateway_url());
    assert_eq!(ready["d"]["shard"], json!([0, 1]));
    assert!(matches!(
        serde_json::from_value::<GatewayEvent>(ready.clone()),
        Ok(GatewayEvent::Dispatch(1, Event::Ready(_)))
    ));
    let guild = next_json(&mut ws).await;
    assert_eq!(
        (guild["t"].clone(), guild["s"].clone()),
        (json!("GUILD_CREATE"), json!(2))
    );
    assert!(matches!(
        serde_json::from_value::<GatewayEvent>(guild),
        Ok(GatewayEvent::Dispatch(2, Event::GuildCreate(_)))
    ));

    discord.wait_connected(WAIT).await.expect("connected");
    assert_eq!(discord.identifies().len(), 1);
    assert_eq!(discord.identifies()[0]["shard"], json!([0, 1]));
    assert_eq!(discord.gateway_handshakes(), vec!["/?v=10".to_string()]);

    send_json(&mut ws, json!({"op": 1, "d": 2})).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["op"], 11);
    assert!(matches!(
        serde_json::from_value::<GatewayEvent>(ack),
        Ok(GatewayEvent::HeartbeatAck)
    ));

    // Dispatches carry the next sequence number and the event name.
    discord
        .send_message(direct_message("hi", &User::regular(5)))
        .await;
    let event = next_json(&mut ws).await;
    assert_eq!(
        (event["t"].clone(), event["s"].clone()),
        (json!("MESSAGE_CREATE"), json!(3))
    );

    // A zombie connection: heartbeats go unanswered.
    discord.set_heartbeat_acks(false);
    send_json(&mut ws, json!({"op": 1, "d": 3})).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), ws.next())
            .await
            .is_err(),
        "no ACK expected"
    );
    assert_eq!(discord.heartbeats(), 2);
}

#[tokio::test]
async fn gateway_resume_replays_missed_events_then_resumed() {
    let discord = FakeDiscord::start().await;
    let mut ws = connect(&discord).await;
    next_json(&mut ws).await; // HELLO
    send_json(&mut ws, identify_payload([0, 1])).await;
    let ready = next_json(&mut ws).await;
    let session_id = ready["d"]["session_id"]
        .as_str()
        .expect("session id")
        .to_string();
    next_json(&mut ws).await; // GUILD_CREATE, s = 2
    discord.wait_connected(WAIT).await.expect("connected");

    discord.drop_connection().await;
    assert!(
        matches!(
            tokio::time::timeout(WAIT, ws.next())
                .await
                .expect("the socket ends"),
            None | Some(Err(_))
        ),
        "a dropped connection ends without a close frame"
    );

    // Resume from s = 1: GUILD_CREATE (s = 2) is replayed, then RESUMED (s = 3).
    let mut ws = connect(&discord).await;
    send_json(
        &mut ws,
        json!({"op": 6, "d": {"token": FakeDiscord::token(), "session_id": session_id, "seq": 1}}),
    )
    .await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let frame = next_json(&mut ws).await;
        seen.push((frame["op"].clone(), frame["t"].clone(), frame["s"].clone()));
    }
    assert!(
        seen.contains(&(json!(10), Value::Null, Value::Null)),
        "{seen:?}"
    );
    let dispatches: Vec<_> = seen
        .iter()
        .filter(|(op, _, _)| *op == json!(0))
        .cloned()
        .collect();
    assert_eq!(
        dispatches,
        vec![
            (json!(0), json!("GUILD_CREATE"), json!(2)),
            (json!(0), json!("RESUMED"), json!(3)),
        ]
    );
    assert_eq!(discord.resumes().len(), 1);
    discord
        .wait_connected(WAIT)
        .await
        .expect("resumed session is current");

    // After an invalid session that is not resumable, resuming fails with op 9.
    discord.send_invalid_session(false).await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"op": 9, "d": false, "s": null, "t": null})
    );
    let mut ws = connect(&discord).await;
    send_json(
        &mut ws,
        json!({"op": 6, "d": {"token": FakeDiscord::token(), "session_id": session_id, "seq": 3}}),
    )
    .await;
    let mut op9 = false;
    for _ in 0..2 {
        if next_json(&mut ws).await["op"] == 9 {
            op9 = true;
        }
    }
    assert!(op9, "resuming an invalidated session gets op 9");
}

#[tokio::test]
async fn gateway_close_codes_and_bad_tokens() {
    let discord = FakeDiscord::start().await;
    let mut ws = connect(&discord).await;
    next_json(&mut ws).await;
    let mut bad = identify_payload([0, 1]);
    bad["d"]["token"] = json!("not.the.token");
    send_json(&mut ws, bad).await;
    match tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("an answer")
    {
        Some(Ok(WsMessage::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 4004),
        other => panic!("expected close 4004, got {other:?}"),
    }

    let mut ws = connect(&discord).await;
    next_json(&mut ws).await;
    send_json(&mut ws, identify_payload([0, 1])).await;
    next_json(&mut ws).await;
    next_json(&mut ws).await;
    discord.close_with(4000).await;
    match tokio::time::timeout(WAIT, ws.next())
        .await
        .expect("an answer")
    {
        Some(Ok(WsMessage::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 4000),
        other => panic!("expected close 4000, got {other:?}"),
    }
}

#[tokio::test]
async fn shards_identify_separately_and_dispatch_can_target_one() {
    let discord = FakeDiscord::start().await;
    let mut shards = Vec::new();
    for id in 0..2 {
        let mut ws = connect(&discord).await;
        next_json(&mut ws).await;
        send_json(&mut ws, identify_payload([id, 2])).await;
        let ready = next_json(&mut ws).await;
        assert_eq!(ready["d"]["shard"], json!([id, 2]));
        shards.push(ws);
    }
    discord
        .wait_identifies(2, WAIT)
        .await
        .expect("two identifies");
    discord
        .dispatch_to_shard(
            0,
            "MESSAGE_CREATE",
            direct_message("to shard 0", &User::regular(9)),
        )
        .await;
    // Shard 0 may have had GUILD_CREATE first (the guild hashes to one of the two shards).
    let mut got = next_json(&mut shards[0]).await;
    if got["t"] == "GUILD_CREATE" {
        got = next_json(&mut shards[0]).await;
    }
    assert_eq!(got["d"]["content"], "to shard 0");
}

#[tokio::test]
async fn rest_gateway_url_and_rate_limit_fault() {
    let discord = FakeDiscord::start().await;
    let token = Some(FakeDiscord::token());
    let answer = raw_http::request(&discord.api_url(), "GET", "/api/v10/gateway", None, token)
        .await
        .expect("GET /gateway");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json().expect("json")["url"], discord.gateway_url());

    let bot = raw_http::request(
        &discord.api_url(),
        "GET",
        "/api/v10/gateway/bot",
        None,
        token,
    )
    .await
    .expect("GET /gateway/bot");
    let parsed: serenity::model::gateway::BotGateway =
        serde_json::from_str(&bot.body).expect("serenity parses /gateway/bot");
    assert_eq!(parsed.shards, 1);

    discord.fail_next(
        RouteMatch::PathContains("/users/@me"),
        Fault::RateLimited {
            retry_after: 0.25,
            global: false,
        },
        1,
    );
    let limited = raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
        .await
        .expect("GET /users/@me");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json().expect("json")["retry_after"], 0.25);
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.header("x-ratelimit-scope"), Some("user"));
    // Consumed: the next one succeeds.
    let ok = raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
        .await
        .expect("GET /users/@me");
    assert_eq!(ok.status, 200);

    discord.fail_next(
        RouteMatch::Any,
        Fault::RateLimited {
            retry_after: 2.5,
            global: true,
        },
        1,
    );
    let global = raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
        .await
        .expect("GET /users/@me");
    assert_eq!(global.status, 429);
    assert_eq!(global.header("x-ratelimit-global"), Some("true"));
    assert_eq!(global.json().expect("json")["global"], true);

    discord.fail_next(
        RouteMatch::MethodPath("GET", "/users/{id}"),
        Fault::ResetConnection,
        1,
    );
    assert!(
        raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
            .await
            .is_err()
    );
    discord.fail_next(RouteMatch::Any, Fault::Status(503), 1);
    let unavailable =
        raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
            .await
            .expect("GET");
    assert_eq!(unavailable.status, 503);

    // Faults never apply to GET /gateway: serenity would fall back to the real gateway.
    discord.fail_next(RouteMatch::Any, Fault::Status(500), 1);
    let gateway = raw_http::request(&discord.api_url(), "GET", "/api/v10/gateway", None, token)
        .await
        .expect("GET /gateway");
    assert_eq!(gateway.status, 200);
    // The fault is still pending and goes to the next request instead.
    let failed = raw_http::request(&discord.api_url(), "GET", "/api/v10/users/@me", None, token)
        .await
        .expect("GET /users/@me");
    assert_eq!(failed.status, 500);
    assert_eq!(
        failed.json().expect("json")["message"],
        "500: Internal Server Error"
    );

    let statuses: Vec<u16> = discord
        .requests()
        .iter()
        .map(|r| r.response_status)
        .collect();
    assert_eq!(statuses, vec![200, 200, 429, 200, 429, 0, 503, 200, 500]);

    let unauthorized = raw_http::request(
        &discord.api_url(),
        "GET",
        "/api/v10/users/@me",
        None,
        Some("wrong.token.here"),
    )
    .await
    .expect("GET");
    assert_eq!(unauthorized.status, 401);
    let missing = raw_http::request(
        &discord.api_url(),
        "GET",
        "/api/v10/nothing/here",
        None,
        token,
    )
    .await
    .expect("GET");
    assert_eq!(missing.status, 404);
    assert_eq!(
        discord.requests().last().map(|r| r.path.clone()),
        Some("/nothing/here".into())
    );
    assert!(discord.schema_violations().is_empty());
    let unversioned =
        raw_http::request(&discord.api_url(), "GET", "/api/v9/users/@me", None, token)
            .await
            .expect("GET");
    assert_eq!(unversioned.status, 404);
    assert_eq!(
        discord.schema_violations().len(),
        1,
        "{:?}",
        discord.schema_violations()
    );
}

#[tokio::test]
async fn interaction_callbacks_are_answered_once() {
    let discord = FakeDiscord::start().await;
    let mut ws = connect(&discord).await;
    next_json(&mut ws).await;
    send_json(&mut ws, identify_payload([0, 1])).await;
    discord.wait_connected(WAIT).await.expect("connected");
    let command = slash_command("ask", json!([]), &Member::regular(60));
    discord.send_interaction(command.clone()).await;

    let path = format!(
        "/api/v10/interactions/{}/{}/callback",
        command["id"].as_str().expect("id"),
        command["token"].as_str().expect("token")
    );
    let body = json!({"type": 4, "data": {"content": "hi", "flags": 64, "allowed_mentions": {"parse": []}}});
    let first = raw_http::request(&discord.api_url(), "POST", &path, Some(&body), None)
        .await
        .expect("callback");
    assert_eq!(first.status, 204);
    let second = raw_http::request(&discord.api_url(), "POST", &path, Some(&body), None)
        .await
        .expect("callback");
    assert_eq!(second.status, 400);
    assert_eq!(second.json().expect("json")["code"], 40060);
    assert_eq!(discord.answered_twice().len(), 1);
    assert_eq!(discord.callback_type(&command), Some(4));

    let original = discord
        .original_response(&command)
        .expect("an original response");
    assert_eq!(original["content"], "hi");
    let edit_path = format!(
        "/api/v10/webhooks/{}/{}/messages/@original",
        FakeDiscord::APPLICATION_ID,
        command["token"].as_str().expect("token")
    );
    let edited = raw_http::request(
        &discord.api_url(),
        "PATCH",
        &edit_path,
        Some(&json!({"content": "edited"})),
        None,
    )
    .await
    .expect("edit");
    assert_eq!(edited.status, 200);
    message(edited.json().expect("json"));
    assert_eq!(
        discord.original_response(&command).expect("original")["content"],
        "edited"
    );

    // Autocomplete only takes type 8.
    let auto = autocomplete(
        "ask",
        json!([{"name": "q", "type": 3, "value": "", "focused": true}]),
        &Member::regular(61),
    );
    discord.send_interaction(auto.clone()).await;
    let path = format!(
        "/api/v10/interactions/{}/{}/callback",
        auto["id"].as_str().expect("id"),
        auto["token"].as_str().expect("token")
    );
    let wrong = raw_http::request(
        &discord.api_url(),
        "POST",
        &path,
        Some(&json!({"type": 4, "data": {"content": "x"}})),
        None,
    )
    .await
    .expect("callback");
    assert_eq!(wrong.status, 400);
    assert_eq!(
        discord.schema_violations().len(),
        1,
        "{:?}",
        discord.schema_violations()
    );

    // An interaction the fake never dispatched is unknown.
    let unknown = raw_http::request(
        &discord.api_url(),
        "POST",
        "/api/v10/interactions/1/nope/callback",
        Some(&body),
        None,
    )
    .await
    .expect("callback");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json().expect("json")["code"], 10062);
}

#[tokio::test]
async fn channel_messages_honour_enforce_nonce_and_record_violations() {
    let discord = FakeDiscord::start().await;
    let token = Some(FakeDiscord::token());
    let path = format!("/api/v10/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    let body = json!({"content": "once", "nonce": "abc", "enforce_nonce": true});
    let first = raw_http::request(&discord.api_url(), "POST", &path, Some(&body), token)
        .await
        .expect("post");
    let again = raw_http::request(&discord.api_url(), "POST", &path, Some(&body), token)
        .await
        .expect("post");
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(
        first.json().expect("json")["id"],
        again.json().expect("json")["id"]
    );
    assert_eq!(discord.created_messages().len(), 1);
    message(first.json().expect("json"));
    assert!(
        discord.schema_violations().is_empty(),
        "{:?}",
        discord.schema_violations()
    );

    let too_long = json!({"content": "x".repeat(2001)});
    raw_http::request(&discord.api_url(), "POST", &path, Some(&too_long), token)
        .await
        .expect("post");
    assert!(!discord.schema_violations().is_empty());
    let recorded = discord
        .wait_for_request(|r| r.is("POST", "/channels/{id}/messages"), WAIT)
        .await
        .expect("recorded");
    assert_eq!(recorded.body, Some(body));

    discord.set_reject_invalid_bodies(true);
    let rejected = raw_http::request(&discord.api_url(), "POST", &path, Some(&too_long), token)
        .await
        .expect("post");
    assert_eq!(rejected.status, 400);
    assert_eq!(rejected.json().expect("json")["code"], 50035);
}

/// The real serenity client, as the bot uses it, against the fake: it fetches the gateway
/// URL, identifies, receives dispatches, and its replies are recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_client_runs_against_the_fake() {
    use serenity::all::{Context, EventHandler, GatewayIntents};
    use serenity::builder::{CreateInteractionResponse, CreateInteractionResponseMessage};
    use serenity::http::HttpBuilder;

    struct Handler;

    #[serenity::async_trait]
    impl EventHandler for Handler {
        async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
            if let Interaction::Command(command) = interaction {
                let reply = CreateInteractionResponseMessage::new()
                    .content("pong")
                    .ephemeral(true);
                if let Err(e) = command
                    .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                    .await
                {
                    eprintln!("reply failed: {e}");
                }
            }
        }

        async fn message(&self, ctx: Context, msg: Message) {
            if !msg.mentions_user_id(FakeDiscord::BOT_USER_ID) {
                return;
            }
            if let Err(e) = msg.channel_id.say(&ctx.http, "hello").await {
                eprintln!("say failed: {e}");
            }
        }
    }

    let discord = FakeDiscord::start().await;
    // Serenity ignores `proxy` unless its rate limiter is off.
    let http = HttpBuilder::new(FakeDiscord::token())
        .proxy(discord.api_url())
        .ratelimiter_disabled(true)
        .build();
    let intents = GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT;
    let mut client = serenity::client::ClientBuilder::new_with_http(http, intents)
        .event_handler(Handler)
        .await
        .expect("client");
    let shards = client.shard_manager.clone();
    let run = tokio::spawn(async move { client.start().await });

    discord
        .wait_connected(WAIT)
        .await
        .expect("serenity identifies");
    assert_eq!(discord.gateway_handshakes()[0], "/?v=10");
    let identify = &discord.identifies()[0];
    // Serenity sends the token with its `Bot ` prefix in IDENTIFY; Discord accepts both.
    assert_eq!(identify["token"], format!("Bot {}", FakeDiscord::token()));
    assert_eq!(identify["shard"], json!([0, 1]));

    let command = slash_command("ping", json!([]), &Member::regular(70));
    discord.send_interaction(command.clone()).await;
    let callback = discord
        .wait_for_request(
            |r| r.is("POST", "/interactions/{id}/{token}/callback"),
            WAIT,
        )
        .await
        .expect("serenity answers the interaction");
    assert_eq!(callback.response_status, 204);
    assert_eq!(
        callback.body.as_ref().expect("body")["data"]["content"],
        "pong"
    );

    let mention = format!("<@{}> hi", FakeDiscord::BOT_USER_ID);
    discord
        .send_message(guild_message_mentioning_bot(&mention, &User::regular(71)))
        .await;
    let said = discord
        .wait_for_request(|r| r.is("POST", "/channels/{id}/messages"), WAIT)
        .await
        .expect("serenity answers the mention");
    assert_eq!(said.response_status, 200);
    assert_eq!(
        said.header("authorization").map(str::to_string),
        Some(format!("Bot {}", FakeDiscord::token()))
    );
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );

    // A dropped connection is resumed.
    discord.drop_connection().await;
    discord
        .wait_resumes(1, Duration::from_secs(20))
        .await
        .expect("serenity resumes");
    discord.wait_connected(WAIT).await.expect("connected again");

    shards.shutdown_all().await;
    run.abort();
    discord.shutdown();
}
