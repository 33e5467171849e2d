//! The bot end to end: the real `lantern run` process, serenity's real HTTP client and
//! shard, against a Discord API on 127.0.0.1. Members and moderators are played by
//! gateway events shaped like Discord's; assertions are on what the bot sent back, every
//! body of which is also validated against Discord's published OpenAPI description.

mod common;
mod support;

use std::fs;
use std::time::Duration;

use serde_json::{Value, json};
use support::bot::{
    Bot, BotOptions, PATIENCE, answer_to, callback_for, edited_response, reply_text,
};
use support::fake_discord::{self as fake, FakeDiscord, Fault, Member, RouteMatch, User};

use common::{bundled_content, bundled_safety, content_copy, long_story};

const EPHEMERAL: u64 = 64;

async fn start() -> (FakeDiscord, Bot) {
    start_with(&bundled_content(), vec![]).await
}

async fn start_with(content: &std::path::Path, env: Vec<(&str, String)>) -> (FakeDiscord, Bot) {
    let discord = FakeDiscord::start().await;
    let bot = Bot::start(&discord, BotOptions { content, env }).await;
    (discord, bot)
}

fn question(text: &str) -> Value {
    json!([{ "name": "question", "type": 3, "value": text }])
}

/// The callback's message data, checked for what every Lantern message must have.
fn message_data(callback: &fake::Recorded) -> &Value {
    let body = callback.body.as_ref().expect("a JSON body");
    let data = &body["data"];
    assert_eq!(
        data["allowed_mentions"],
        json!({ "parse": [] }),
        "every message pings no one: {body}"
    );
    data
}

fn assert_schema_valid(discord: &FakeDiscord) {
    let violations = discord.schema_violations();
    assert!(
        violations.is_empty(),
        "requests Discord would reject: {violations:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_are_registered_in_the_server_and_the_gateway_comes_from_the_api() {
    let (discord, bot) = start().await;
    let registration = bot.wait_registered(&discord).await;
    let commands = registration.body.clone().unwrap();
    let names: Vec<&str> = commands
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for expected in [
        "ask", "topics", "topic", "reload", "stale", "gaps", "about", "privacy",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} not registered: {names:?}"
        );
    }
    let command = |name: &str| {
        commands
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        command("reload")["default_member_permissions"],
        "32",
        "hidden from members: Manage Server"
    );
    assert_eq!(command("stale")["default_member_permissions"], "32");
    assert_eq!(command("gaps")["default_member_permissions"], "32");
    let ask_question = &command("ask")["options"][0];
    assert_eq!(ask_question["name"], "question");
    // Discord's limit: Lantern refuses a longer question itself, with any notice it needs.
    assert_eq!(ask_question["max_length"], 6000);
    assert_eq!(command("topic")["options"][0]["autocomplete"], true);

    let requests = discord.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path == "/gateway"),
        "the gateway URL must come from GET /gateway, not Discord's default"
    );
    let identify = &discord.identifies()[0];
    assert_eq!(identify["token"], format!("Bot {}", FakeDiscord::token()));
    let intents = identify["intents"].as_u64().unwrap();
    assert_eq!(
        intents & (1 << 15),
        0,
        "the privileged MESSAGE_CONTENT intent is not requested"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn ask_answers_privately_with_the_passage_disclaimer_and_doctor_advice() {
    let (discord, bot) = start().await;
    let member = Member::regular(1001);
    let interaction = fake::slash_command("ask", question("why would I need heparin?"), &member);
    discord.send_interaction(interaction.clone()).await;
    // Answering in time is the burst test's (`tests/discord_scale.rs`, with Discord's
    // deadline enforced): here a loaded machine may say "thinking" first.
    let (kind, data) = answer_to(&discord, &interaction, &bot).await;
    assert!(
        kind == 4 || kind == 5,
        "a message response, or deferred: {kind}"
    );
    assert_eq!(data["flags"], EPHEMERAL, "private by default");
    let content = data["content"].as_str().unwrap();
    let safety = bundled_safety();
    assert!(
        content.contains("Heparin is an injectable blood thinner"),
        "{content}"
    );
    assert!(content.contains(&safety.disclaimer));
    assert!(content.contains(&safety.doctor_advice));
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn ask_abstains_honestly_and_puts_urgent_notices_first() {
    let (discord, bot) = start().await;
    let safety = bundled_safety();
    let member = Member::regular(1002);

    let off_topic = fake::slash_command("ask", question("how do I make pancakes"), &member);
    let content = reply_text(&discord, &bot, &off_topic).await;
    assert!(content.starts_with(&safety.not_found), "{content}");
    assert!(content.contains(&safety.doctor_advice));

    let urgent = fake::slash_command(
        "ask",
        question("I'm bleeding a lot and the pain is unbearable"),
        &member,
    );
    let content = reply_text(&discord, &bot, &urgent).await;
    assert!(content.starts_with(&safety.urgent_notice), "{content}");
    assert!(
        content.contains("abnormal vaginal bleeding"),
        "the fitting passage follows: {content}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_is_pinged_even_when_the_question_tries() {
    let (discord, bot) = start().await;
    let member = Member::regular(1003);
    let options = json!([
        { "name": "question", "type": 3, "value": "@everyone @here <@&42> <@1234> is heparin a blood thinner" },
        { "name": "share", "type": 5, "value": true }
    ]);
    let interaction = fake::slash_command("ask", options, &member);
    discord.send_interaction(interaction.clone()).await;
    let (_, data) = answer_to(&discord, &interaction, &bot).await;
    assert!(
        data.get("flags")
            .is_none_or(|f| f.as_u64().unwrap_or(0) & EPHEMERAL == 0),
        "shared on request"
    );
    let content = data["content"].as_str().unwrap();
    assert!(
        !content.contains("@everyone") && !content.contains("<@"),
        "the question is not echoed: {content}"
    );
    assert!(
        content.contains("Heparin is an injectable blood thinner"),
        "answered, not refused: {content}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn too_long_questions_are_refused_politely() {
    let (discord, bot) = start().await;
    let interaction = fake::slash_command(
        "ask",
        question(&"heparin ".repeat(200)),
        &Member::regular(1004),
    );
    let content = reply_text(&discord, &bot, &interaction).await;
    assert!(content.contains("too long"), "{content}");
    assert_schema_valid(&discord);
}

/// A long story of a crisis typed into `/ask` reaches Lantern (Discord sends up to 6,000
/// characters, the command's limit) and gets the crisis notice with the refusal.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_crisis_story_asked_with_slash_ask_gets_the_notice() {
    let (discord, bot) = start().await;
    let story = format!(
        "{} I want to end my life tonight.",
        "We lost our son at 22 weeks and nothing has felt real since then. ".repeat(20)
    );
    assert!(story.chars().count() > 1000 && story.chars().count() <= 6000);
    let interaction = fake::slash_command("ask", question(&story), &Member::regular(1014));
    let content = reply_text(&discord, &bot, &interaction).await;
    assert!(content.contains("too long"), "{content}");
    let crisis_line = bundled_safety().crisis_notice;
    assert!(
        content.starts_with(crisis_line.lines().next().unwrap()),
        "{content}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn topics_and_topic_with_autocomplete() {
    let (discord, bot) = start().await;
    let member = Member::regular(1005);

    let list = fake::slash_command("topics", json!([]), &member);
    let content = reply_text(&discord, &bot, &list).await;
    for title in [
        "Signs of a miscarriage",
        "Coping with grief",
        "How heparin helps",
    ] {
        assert!(content.contains(title), "{content}");
    }

    let typing = fake::autocomplete(
        "topic",
        json!([{ "name": "name", "type": 3, "value": "grie", "focused": true }]),
        &member,
    );
    discord.send_interaction(typing.clone()).await;
    let callback = callback_for(&discord, &typing, &bot).await;
    let body = callback.body.as_ref().unwrap();
    assert_eq!(body["type"], 8, "an autocomplete result");
    let choices = body["data"]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0]["value"], "Coping with grief");

    let read = fake::slash_command(
        "topic",
        json!([{ "name": "name", "type": 3, "value": "Coping with grief" }]),
        &member,
    );
    let content = reply_text(&discord, &bot, &read).await;
    assert!(
        content.contains("Miscarriage leads to depression and grief"),
        "{content}"
    );
    assert!(content.contains("Source: "));
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_topic_list_is_paged_with_buttons() {
    let content = content_copy();
    let mut article =
        String::from("---\ntitle: Many topics\nsource: Test\nlast_reviewed: 2026-11-01\n---\n");
    for i in 0..150 {
        article.push_str(&format!(
            "\n## Generated test topic number {i} with a longer title\n\nPassage {i}.\n"
        ));
    }
    fs::write(content.path().join("articles/many.md"), article).unwrap();
    let (discord, bot) = start_with(content.path(), vec![]).await;
    let member = Member::regular(1006);

    let list = fake::slash_command("topics", json!([]), &member);
    discord.send_interaction(list.clone()).await;
    let callback = callback_for(&discord, &list, &bot).await;
    let data = message_data(&callback).clone();
    assert!(
        data["content"].as_str().unwrap().contains("Page 1 of "),
        "{data}"
    );
    let buttons = data["components"][0]["components"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(buttons[0]["disabled"], true, "no previous page");
    let next = buttons[1]["custom_id"].as_str().unwrap();

    // Clicks Next under the list `message` as `who`, and returns the callback's body,
    // which must show page 2.
    let next_page = |message: Value, who: Member| {
        let (discord, bot) = (&discord, &bot);
        async move {
            let click = fake::component_click(next, message, &who);
            discord.send_interaction(click.clone()).await;
            let callback = callback_for(discord, &click, bot).await;
            let body = callback.body.clone().unwrap();
            let content = body["data"]["content"].as_str().unwrap_or_default();
            assert!(content.contains("Page 2 of "), "{body}");
            body
        }
    };
    let private = json!({ "id": "9001", "channel_id": FakeDiscord::CHANNEL_ID.to_string(), "content": data["content"], "flags": EPHEMERAL });
    let body = next_page(private, member.clone()).await;
    assert_eq!(
        body["type"], 7,
        "the page replaces the message it was clicked on"
    );

    // A list shared in the channel stays as it is for everyone: another member who
    // clicks Next gets the page privately.
    let shared = json!({ "id": "9002", "channel_id": FakeDiscord::CHANNEL_ID.to_string(), "content": data["content"] });
    let body = next_page(shared, Member::regular(1007)).await;
    assert_eq!(
        body["type"], 4,
        "a new message, not the shared one changed: {body}"
    );
    assert_eq!(body["data"]["flags"], EPHEMERAL, "{body}");
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_that_quotes_nothing_opens_the_topics_it_names_with_a_click() {
    let (discord, bot) = start().await;
    let asker = Member::regular(1011);
    let reader = Member::regular(1012);

    let unsure = fake::slash_command("ask", question("will heparin affect breastfeeding"), &asker);
    discord.send_interaction(unsure.clone()).await;
    let callback = callback_for(&discord, &unsure, &bot).await;
    let data = message_data(&callback).clone();
    let content = data["content"].as_str().unwrap();
    assert!(
        content.starts_with(&bundled_safety().not_found),
        "{content}"
    );
    let buttons = data["components"][0]["components"].as_array().unwrap();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert!(labels.iter().all(|l| l.starts_with("Read: ")), "{labels:?}");
    let first_title = labels[0].trim_start_matches("Read: ");
    assert!(
        content.contains(&format!("**{first_title}**")),
        "the buttons open the topics the reply names: {content}"
    );

    // Anyone may read a topic: on a reply shared in the channel, another member clicks,
    // and the topic comes privately to them.
    let message = json!({ "id": "9002", "channel_id": FakeDiscord::CHANNEL_ID.to_string(), "content": content, "components": data["components"], "flags": 0 });
    let read = buttons[0]["custom_id"].as_str().unwrap();
    let click = fake::component_click(read, message.clone(), &reader);
    discord.send_interaction(click.clone()).await;
    let callback = callback_for(&discord, &click, &bot).await;
    let body = callback.body.as_ref().unwrap();
    assert_eq!(body["type"], 4, "a new message, the reply stays: {body}");
    let shown = message_data(&callback);
    assert_eq!(shown["flags"], EPHEMERAL, "{shown}");
    let topic = shown["content"].as_str().unwrap();
    assert!(topic.starts_with(&format!("**{first_title}**")), "{topic}");
    assert!(topic.contains("Source: "), "{topic}");

    // A topic moderators have since removed is said to be gone, not silently ignored.
    let stale = fake::component_click("lantern:read:000000000000", message, &reader);
    discord.send_interaction(stale.clone()).await;
    let callback = callback_for(&discord, &stale, &bot).await;
    let gone = message_data(&callback);
    assert_eq!(gone["flags"], EPHEMERAL);
    assert!(
        gone["content"]
            .as_str()
            .unwrap()
            .contains("no longer in the articles"),
        "{gone}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn reload_is_for_moderators_only_even_when_discord_shows_it() {
    let content = content_copy();
    // Only /reload may pick up the edits below, so what it reports is deterministic.
    let (discord, bot) = start_with(
        content.path(),
        vec![("LANTERN_WATCH_CONTENT", "false".to_string())],
    )
    .await;

    let member = fake::slash_command("reload", json!([]), &Member::regular(1007));
    let refused = reply_text(&discord, &bot, &member).await;
    assert!(refused.contains("for moderators"), "{refused}");
    // Managing another server the bot is in makes no one a moderator of this one.
    let mut elsewhere = fake::slash_command("reload", json!([]), &Member::moderator(1011));
    elsewhere["guild_id"] = json!((FakeDiscord::GUILD_ID + 1).to_string());
    let refused = reply_text(&discord, &bot, &elsewhere).await;
    assert!(refused.contains("for moderators"), "{refused}");

    let article = common::article_path(content.path());
    let text = fs::read_to_string(&article)
        .unwrap()
        .replace("## Coping with grief", "## Coping with loss");
    fs::write(&article, text).unwrap();

    let by_role = fake::slash_command(
        "reload",
        json!([]),
        &Member::with_role(1008, FakeDiscord::MOD_ROLE_ID),
    );
    discord.send_interaction(by_role.clone()).await;
    let deferral = callback_for(&discord, &by_role, &bot).await;
    let deferral = deferral.body.as_ref().unwrap();
    assert_eq!(
        deferral["type"], 5,
        "reloading may take a while: deferred first"
    );
    assert_eq!(deferral["data"]["flags"], EPHEMERAL);
    let report = edited_response(&discord, &by_role, &bot).await;
    assert!(report.contains("Content reloaded"), "{report}");
    assert!(
        report.contains("Topics added: Coping with loss"),
        "{report}"
    );
    assert!(
        report.contains("Topics removed: Coping with grief"),
        "{report}"
    );

    let ask = fake::slash_command(
        "topic",
        json!([{ "name": "name", "type": 3, "value": "Coping with loss" }]),
        &Member::regular(1009),
    );
    let shown = reply_text(&discord, &bot, &ask).await;
    assert!(
        shown.contains("Miscarriage leads to depression"),
        "the reloaded content serves: {shown}"
    );

    fs::write(&article, "---\ntitle: broken\n").unwrap();
    let by_permission = fake::slash_command("reload", json!([]), &Member::moderator(1010));
    discord.send_interaction(by_permission.clone()).await;
    let report = edited_response(&discord, &by_permission, &bot).await;
    assert!(report.contains("nothing was reloaded"), "{report}");
    assert!(
        report.contains("lupus-anticoagulant-and-miscarriage.md:1:"),
        "names file and line: {report}"
    );
    assert_schema_valid(&discord);
}

/// A command still registered from an older version gets a word, not Discord's bare
/// "This interaction failed".
#[tokio::test(flavor = "multi_thread")]
async fn a_command_lantern_no_longer_has_is_answered() {
    let (discord, bot) = start().await;
    let old = fake::slash_command("askold", question("anything"), &Member::regular(1041));
    let content = reply_text(&discord, &bot, &old).await;
    assert!(content.contains("no longer part of Lantern"), "{content}");
    assert_schema_valid(&discord);
}

/// An `/ask` answer Discord refuses as sent is sent again without its buttons, the
/// urgent notice first as before: the generic apology it got instead carried no notice.
#[tokio::test(flavor = "multi_thread")]
async fn an_ask_answer_refused_for_its_buttons_is_sent_without_them() {
    let (discord, bot) = start().await;
    let interaction = fake::slash_command(
        "ask",
        question("I am bleeding heavily and soaking a pad an hour, is heparin safe"),
        &Member::regular(1040),
    );
    let id = interaction["id"].as_str().unwrap().to_string();
    let path = format!(
        "/interactions/{id}/{}/callback",
        interaction["token"].as_str().unwrap()
    );
    discord.fail_next(RouteMatch::Path(path.clone()), Fault::Status(400), 1);
    discord.send_interaction(interaction.clone()).await;
    let delivered = discord
        .wait_for_request(|r| r.path == path && r.response_status == 204, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no answer: {e}\n{}", bot.log()));
    let body = delivered.body.unwrap();
    let content = body["data"]["content"].as_str().unwrap();
    let notice = bundled_safety().urgent_notice;
    assert!(
        content.starts_with(notice.lines().next().unwrap()),
        "{content}"
    );
    assert!(body["data"]["components"].is_null(), "{body}");
    assert_schema_valid(&discord);
}

/// An `/ask` that reaches Lantern late (a busy gateway, a resumed session) has less of
/// Discord's 3-second window left than Lantern's usual wait before deferring: it is
/// deferred in time, and the answer, urgent notice first, put in place. Here the
/// interaction was created 2.5 s before it arrives, and Discord (the fake) takes its first
/// response for only 200 ms more; reading a long story takes longer than that.
#[tokio::test(flavor = "multi_thread")]
async fn an_ask_that_arrives_late_is_deferred_within_the_window_left() {
    let (discord, bot) = start().await;
    discord.set_callback_deadline(Some(Duration::from_millis(200)));
    let mut story = long_story(60);
    story.push_str("Now I am bleeding heavily and soaking a pad an hour.");
    let mut interaction = fake::slash_command("ask", question(&story), &Member::regular(1041));
    let created_earlier = fake::next_snowflake() - (2_500 << 22);
    interaction["id"] = json!(created_earlier.to_string());
    discord.send_interaction(interaction.clone()).await;
    let answer = edited_response(&discord, &interaction, &bot).await;
    assert_eq!(
        discord.callback_type(&interaction),
        Some(5),
        "{}",
        bot.log()
    );
    let notice = bundled_safety().urgent_notice;
    assert!(
        answer.starts_with(notice.lines().next().unwrap()),
        "{answer}"
    );
    assert_schema_valid(&discord);
}

/// A reply Discord refuses as sent (a button it will not take) is sent again without its
/// buttons: the answer and any notice in it matter more than the feedback buttons.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_refused_for_its_buttons_is_sent_without_them() {
    let (discord, bot) = start().await;
    let path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    discord.fail_next(RouteMatch::Path(path.clone()), Fault::Status(400), 1);
    let author = User::new(2002, "asker");
    discord
        .send_message(fake::guild_message_mentioning_bot(
            &format!(
                "<@{}> is heparin a blood thinner?",
                FakeDiscord::BOT_USER_ID
            ),
            &author,
        ))
        .await;
    let posted = channel_message(&discord, &bot, 0).await;
    let text = posted["content"].as_str().unwrap();
    assert!(
        text.contains("Heparin is an injectable blood thinner"),
        "{text}"
    );
    assert!(
        posted["components"]
            .as_array()
            .is_none_or(|rows| rows.is_empty()),
        "{posted}"
    );

    // Refused as a reply too (the server took Read Message History away): posted in the
    // channel, the answer all the same.
    discord.fail_next(RouteMatch::Path(path.clone()), Fault::Status(403), 2);
    discord
        .send_message(fake::guild_message_mentioning_bot(
            &format!("<@{}> what is heparin?", FakeDiscord::BOT_USER_ID),
            &author,
        ))
        .await;
    let posted = channel_message(&discord, &bot, 1).await;
    assert!(
        posted["content"].as_str().unwrap().contains("eparin"),
        "{posted}"
    );
    assert!(
        posted.get("message_reference").is_none_or(Value::is_null),
        "{posted}"
    );
}

/// A channel Lantern can read but not post in (a locked thread): every post there is
/// refused, so the answer, crisis notice first, goes to the asker as a direct message
/// rather than nowhere.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_no_channel_post_is_allowed_for_goes_to_the_asker_directly() {
    let (discord, bot) = start().await;
    let path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    // Every post in the channel refused.
    discord.fail_next(RouteMatch::Path(path.clone()), Fault::Status(403), 3);
    let author = User::new(2003, "asker");
    discord
        .send_message(fake::guild_message_mentioning_bot(
            &format!(
                "<@{}> I want to kill myself, I can't do this any more",
                FakeDiscord::BOT_USER_ID
            ),
            &author,
        ))
        .await;
    let direct_path = format!("/channels/{}/messages", fake::fixtures::DM_CHANNEL_ID);
    let sent = discord
        .wait_for_request(
            |r| r.path == direct_path && r.response_status == 200,
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("no direct message: {e}\n{}", bot.log()));
    let content = sent.body.unwrap()["content"].as_str().unwrap().to_string();
    let notice = bundled_safety().crisis_notice;
    assert!(
        content.starts_with(notice.lines().next().unwrap()),
        "{content}"
    );
    let opened = discord
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/users/@me/channels")
        .expect("the direct channel was opened");
    assert_eq!(
        opened.body.unwrap()["recipient_id"],
        Value::from(author.id.to_string()),
    );
    // The channel took nothing: the reply (without buttons, a crisis reply has none)
    // and the plain post were both refused first.
    let in_channel: Vec<u16> = discord
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.response_status)
        .collect();
    assert_eq!(in_channel, [403, 403], "{}", bot.log());
    assert_schema_valid(&discord);
}

/// The `index`th message the bot created in the server channel, once there is one.
async fn channel_message(discord: &FakeDiscord, bot: &Bot, index: usize) -> Value {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let created: Vec<_> = discord
            .created_messages()
            .into_iter()
            .filter(|m| m.channel_id == FakeDiscord::CHANNEL_ID)
            .collect();
        if let Some(message) = created.get(index) {
            return message.message.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message {index} in the channel\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mentions_and_direct_messages_are_answered_as_replies_without_pings() {
    let (discord, bot) = start().await;
    let author = User::new(2001, "asker");

    let mention = fake::guild_message_mentioning_bot(
        &format!(
            "<@{}> is heparin a blood thinner? @everyone",
            FakeDiscord::BOT_USER_ID
        ),
        &author,
    );
    discord.send_message(mention.clone()).await;
    let path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    let reply = discord
        .wait_for_request(|r| r.method == "POST" && r.path == path, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));
    let body = reply.body.as_ref().unwrap();
    assert_eq!(body["message_reference"]["message_id"], mention["id"]);
    assert_eq!(
        body["allowed_mentions"],
        json!({ "parse": [], "replied_user": false })
    );
    assert!(
        body["content"]
            .as_str()
            .unwrap()
            .contains("Heparin is an injectable blood thinner")
    );

    let dm = fake::direct_message("what are the signs of a miscarriage", &author);
    discord.send_message(dm.clone()).await;
    let path = format!("/channels/{}/messages", FakeDiscord::DM_CHANNEL_ID);
    let reply = discord
        .wait_for_request(|r| r.method == "POST" && r.path == path, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));
    let body = reply.body.as_ref().unwrap();
    assert!(
        body["content"]
            .as_str()
            .unwrap()
            .contains("well-known miscarriage signs")
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));

    let unrelated =
        fake::guild_message("a message that does not name the bot", &Member::of(&author));
    discord.send_message(unrelated.clone()).await;
    // A mention after it, as a marker: the unrelated message is handled (with nothing to
    // do) long before the marker's answer is ready.
    let marker = fake::guild_message_mentioning_bot(
        &format!("<@{}> is heparin a blood thinner", FakeDiscord::BOT_USER_ID),
        &author,
    );
    discord.send_message(marker.clone()).await;
    let posted = |r: &fake::Recorded| r.path.ends_with("/messages") && r.method == "POST";
    let replies = discord
        .wait_for_requests(3, posted, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));
    assert_eq!(
        replies.last().unwrap().body.as_ref().unwrap()["message_reference"]["message_id"],
        marker["id"]
    );
    let replies: Vec<_> = discord
        .requests()
        .into_iter()
        .filter(|r| posted(r))
        .collect();
    assert_eq!(
        replies.len(),
        3,
        "only messages that name Lantern are questions"
    );
    assert!(
        replies.iter().all(
            |r| r.body.as_ref().unwrap()["message_reference"]["message_id"] != unrelated["id"]
        )
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cooldown_applies_per_member() {
    let (discord, bot) = start_with(
        &bundled_content(),
        vec![("LANTERN_COOLDOWN_SECONDS", "30".to_string())],
    )
    .await;
    let first = Member::regular(3001);
    let second = Member::regular(3002);
    let ask = |member: &Member| {
        fake::slash_command("ask", question("is heparin a blood thinner"), member)
    };

    let a = ask(&first);
    assert!(reply_text(&discord, &bot, &a).await.contains("Heparin"));

    let again = ask(&first);
    let content = reply_text(&discord, &bot, &again).await;
    assert!(content.contains("between questions"), "{content}");
    assert!(!content.contains("Heparin is an injectable"));

    let other = ask(&second);
    let content = reply_text(&discord, &bot, &other).await;
    assert!(
        content.contains("Heparin is an injectable"),
        "another member is not held back: {content}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn about_says_what_is_kept() {
    let (discord, bot) = start().await;
    for name in ["about", "privacy"] {
        let interaction = fake::slash_command(name, json!([]), &Member::regular(1011));
        let content = reply_text(&discord, &bot, &interaction).await;
        assert!(
            content.contains("keeps no record of your questions"),
            "{content}"
        );
        assert!(content.contains("private to you unless"), "{content}");
        assert!(
            content.contains("Lupus Anticoagulant Miscarriage Symptoms"),
            "names its source: {content}"
        );
    }
    assert_schema_valid(&discord);
}

/// With many articles the source list is what gets shortened: the disclaimer and the
/// doctor advice always show.
#[tokio::test(flavor = "multi_thread")]
async fn about_keeps_the_disclaimer_however_many_articles_there_are() {
    let content = content_copy();
    for i in 0..8 {
        let source = format!(
            "Community summary number {i} of patient leaflets {}",
            "x".repeat(90)
        );
        fs::write(
            content.path().join(format!("articles/extra-{i}.md")),
            format!("---\ntitle: Extra article {i}\nsource: {source}\nlast_reviewed: 2026-11-01\n---\n\n## Extra topic {i}\n\nPassage {i}.\n"),
        )
        .unwrap();
    }
    let (discord, bot) = start_with(content.path(), vec![]).await;
    let safety = bundled_safety();
    let interaction = fake::slash_command("about", json!([]), &Member::regular(1012));
    let content = reply_text(&discord, &bot, &interaction).await;
    assert!(
        content.contains("more line(s)"),
        "the list was shortened: {content}"
    );
    assert!(content.contains(&safety.disclaimer), "{content}");
    assert!(content.contains(&safety.doctor_advice), "{content}");
    // The same closing lines, in the same style, as under every answer.
    let ask = fake::slash_command(
        "ask",
        json!([{ "name": "question", "type": 3, "value": "is heparin a blood thinner" }]),
        &Member::regular(1013),
    );
    let answer = reply_text(&discord, &bot, &ask).await;
    let closing: Vec<&str> = answer.lines().rev().take(2).collect();
    let about_closing: Vec<&str> = content.lines().rev().take(2).collect();
    assert_eq!(about_closing, closing, "{content}\n---\n{answer}");
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_closes_the_connection_and_exits_zero() {
    let (discord, bot) = start().await;
    let log = bot.log();
    let code = bot.terminate();
    assert_eq!(code, Some(0), "{log}");
    // A goodbye Discord can see (a close frame), not a dropped socket, so the session
    // ends at once instead of when its heartbeats stop.
    assert!(
        !discord.client_closes().is_empty(),
        "no close frame was sent before exiting"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_lists_overdue_articles_for_moderators_only() {
    let content = content_copy();
    let article = common::article_path(content.path());
    let text = fs::read_to_string(&article)
        .unwrap()
        .replace("next_review: 2027-05-24", "next_review: 2025-01-31");
    fs::write(&article, text).unwrap();
    let (discord, bot) = start_with(content.path(), vec![]).await;

    let member = fake::slash_command("stale", json!([]), &Member::regular(1020));
    let refused = reply_text(&discord, &bot, &member).await;
    assert!(refused.contains("for moderators"), "{refused}");

    let moderator = fake::slash_command("stale", json!([]), &Member::moderator(1021));
    discord.send_interaction(moderator.clone()).await;
    let callback = callback_for(&discord, &moderator, &bot).await;
    let data = message_data(&callback);
    assert_eq!(data["flags"], EPHEMERAL);
    let listed = data["content"].as_str().unwrap();
    assert!(
        listed.contains("Lupus anticoagulant, heparin and miscarriage")
            && listed.contains("due since 2025-01-31"),
        "{listed}"
    );

    let ask = fake::slash_command(
        "ask",
        question("side effects of heparin"),
        &Member::regular(1022),
    );
    let answer = reply_text(&discord, &bot, &ask).await;
    assert!(
        answer.contains("reviewed 2026-11-24"),
        "answers carry the review date: {answer}"
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_can_make_answers_public_by_default() {
    let (discord, bot) = start_with(
        &bundled_content(),
        vec![("LANTERN_EPHEMERAL_DEFAULT", "false".to_string())],
    )
    .await;
    let public = fake::slash_command(
        "ask",
        question("is heparin a blood thinner"),
        &Member::regular(1030),
    );
    discord.send_interaction(public.clone()).await;
    let callback = callback_for(&discord, &public, &bot).await;
    assert!(
        message_data(&callback).get("flags").is_none(),
        "public by the server's default"
    );

    let options = json!([
        { "name": "question", "type": 3, "value": "is heparin a blood thinner" },
        { "name": "share", "type": 5, "value": false }
    ]);
    let private = fake::slash_command("ask", options, &Member::regular(1031));
    discord.send_interaction(private.clone()).await;
    let callback = callback_for(&discord, &private, &bot).await;
    assert_eq!(
        message_data(&callback)["flags"],
        EPHEMERAL,
        "the member's choice wins"
    );

    // `/about` tells members the server's default, not the usual one.
    let about = fake::slash_command("about", json!([]), &Member::regular(1032));
    let content = reply_text(&discord, &bot, &about).await;
    assert!(
        content.contains("shown to everyone in the channel")
            && !content.contains("private to you unless"),
        "{content}"
    );
    assert_schema_valid(&discord);
}
