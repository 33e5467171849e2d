//! Members' questions never reach the logs: a whole session is run with the log captured
//! at the default level, at debug and at trace, and searched for every question's text,
//! every member's id and name, and the token.

mod common;
mod support;

use serde_json::json;
use support::bot::{Bot, BotOptions, PATIENCE, callback_for};
use support::fake_discord::{self as fake, FakeDiscord, Member, User};

use common::content_copy;

/// Words that appear nowhere but in these questions, so any sighting in the log is a leak.
const QUESTIONS: &[&str] = &[
    "is heparin a blood thinner for quokkamarker",
    "I am bleeding heavily and scared zebramarker",
    "what are the signs of a miscarriage narwhalmarker",
];
const MEMBER_ID: u64 = 987_654_321_012_345_678;
const MEMBER_NAME: &str = "privacytestername";
const DM_QUESTION: &str = "does my age matter pangolinmarker";
const MENTION_QUESTION: &str = "side effects of heparin ocelotmarker";
/// A question in an event whose fields do not parse.
const UNREADABLE_QUESTION: &str = "is spotting normal walrusmarker";

/// The bundled content's copy, the fake Discord, and the bot started on them with `env`.
async fn start(env: Vec<(&str, String)>) -> (tempfile::TempDir, FakeDiscord, Bot) {
    let content = content_copy();
    let discord = FakeDiscord::start().await;
    let bot = Bot::start(
        &discord,
        BotOptions {
            content: content.path(),
            env,
        },
    )
    .await;
    (content, discord, bot)
}

/// Runs a session and returns everything the bot logged.
async fn session_log(env: Vec<(&str, String)>) -> String {
    let mut env = env;
    env.push((
        "LANTERN_MOD_LOG_CHANNEL_ID",
        FakeDiscord::MOD_LOG_CHANNEL_ID.to_string(),
    ));
    let (_content, discord, bot) = start(env).await;
    let user = User::new(MEMBER_ID, MEMBER_NAME);
    let member = Member::of(&user);

    for question in QUESTIONS {
        let interaction = fake::slash_command(
            "ask",
            json!([{ "name": "question", "type": 3, "value": question }]),
            &member,
        );
        discord.send_interaction(interaction.clone()).await;
        callback_for(&discord, &interaction, &bot).await;
    }
    let typing = fake::autocomplete(
        "topic",
        json!([{ "name": "name", "type": 3, "value": "griefmarker", "focused": true }]),
        &member,
    );
    discord.send_interaction(typing.clone()).await;
    callback_for(&discord, &typing, &bot).await;

    let mention = fake::guild_message_mentioning_bot(
        &format!("<@{}> {MENTION_QUESTION}", FakeDiscord::BOT_USER_ID),
        &user,
    );
    discord.send_message(mention).await;
    discord
        .send_message(fake::direct_message(DM_QUESTION, &user))
        .await;
    discord
        .wait_for_requests(
            2,
            |r| r.method == "POST" && r.path.starts_with("/channels/"),
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));

    // An event the gateway library cannot read whole: it logs the whole payload as an
    // unknown event, a member's words included.
    let mut unreadable = fake::direct_message(UNREADABLE_QUESTION, &user);
    unreadable["tts"] = json!(UNREADABLE_QUESTION);
    discord.dispatch("MESSAGE_CREATE", unreadable).await;

    let reload = fake::slash_command("reload", json!([]), &Member::moderator(MEMBER_ID));
    discord.send_interaction(reload.clone()).await;
    callback_for(&discord, &reload, &bot).await;
    // The reload's line is the session's last: once it is in, so is everything before.
    bot.wait_log("content reloaded by a moderator", 1);
    // The whole session's log, shutdown included.
    let mut bot = bot;
    bot.signal("TERM");
    assert_eq!(bot.wait_exit(PATIENCE), Some(0), "{}", bot.log());
    // Its last line ("stopped", with the session's counts) comes through the pipe after.
    bot.wait_log("stopped", 1);
    bot.log()
}

/// Every way the session could show up in a log line.
fn leaks(log: &str) -> Vec<String> {
    let mut secrets: Vec<String> = vec![
        MEMBER_ID.to_string(),
        MEMBER_NAME.to_string(),
        FakeDiscord::token().to_string(),
    ];
    for marker in [
        "quokkamarker",
        "zebramarker",
        "narwhalmarker",
        "pangolinmarker",
        "ocelotmarker",
        "griefmarker",
        "walrusmarker",
    ] {
        secrets.push(marker.to_string());
    }
    secrets.push("bleeding heavily and scared".to_string());
    secrets
        .into_iter()
        .filter(|secret| log.contains(secret.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_members_said_reaches_the_log_at_the_default_level_or_at_debug() {
    for level in ["lantern=info,warn", "debug"] {
        let log = session_log(vec![("RUST_LOG", level.to_string())]).await;
        assert!(
            log.contains("question answered"),
            "the session ran ({level}):\n{log}"
        );
        let found = leaks(&log);
        assert!(
            found.is_empty(),
            "RUST_LOG={level} leaked {found:?}:\n{log}"
        );
        // Written to a pipe, as a service manager reads it: no colour codes.
        assert!(!log.contains('\u{1b}'), "{log}");
    }
}

/// The flag alone, for a test server, lets nothing through at the default level: the
/// gateway library's warning quoting an unreadable event, or a panic's message, stay out.
#[tokio::test(flavor = "multi_thread")]
async fn allowing_question_logs_leaks_nothing_without_trace() {
    for level in ["", "lantern=info,warn", "debug"] {
        let log = session_log(vec![
            ("RUST_LOG", level.to_string()),
            ("LANTERN_LOG_QUESTIONS", "true".to_string()),
        ])
        .await;
        assert!(log.contains("question answered"), "the session ran:\n{log}");
        let found = leaks(&log);
        assert!(
            found.is_empty(),
            "RUST_LOG={level:?} with LANTERN_LOG_QUESTIONS=true leaked {found:?}:\n{log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trace_shows_questions_only_when_explicitly_allowed() {
    let log = session_log(vec![("RUST_LOG", "trace".to_string())]).await;
    let found = leaks(&log);
    assert!(found.is_empty(), "RUST_LOG=trace alone leaked {found:?}");

    let log = session_log(vec![
        ("RUST_LOG", "trace".to_string()),
        ("LANTERN_LOG_QUESTIONS", "true".to_string()),
    ])
    .await;
    assert!(
        log.contains("quokkamarker"),
        "with LANTERN_LOG_QUESTIONS=true the question text is logged"
    );
    assert!(
        !log.contains(FakeDiscord::token()),
        "the token is never logged, even then"
    );
}

/// `/about` as a member reads it from a bot started with `env`.
async fn about_with(env: Vec<(&str, String)>) -> String {
    let (_content, discord, bot) = start(env).await;
    let interaction = fake::slash_command("about", json!([]), &Member::regular(1012));
    support::bot::reply_text(&discord, &bot, &interaction).await
}

/// `/about` tells members the truth about the log: while question text is logged for
/// testing it says so plainly, and it names how long a message's id is remembered.
#[tokio::test(flavor = "multi_thread")]
async fn about_says_when_questions_are_being_logged() {
    let about = about_with(vec![]).await;
    assert!(
        about.contains("its logs never contain what you asked"),
        "{about}"
    );
    assert!(about.contains("for 15 minutes, so one Discord"), "{about}");
    let about = about_with(vec![
        ("RUST_LOG", "trace".to_string()),
        ("LANTERN_LOG_QUESTIONS", "true".to_string()),
    ])
    .await;
    assert!(
        about.contains("recording the text of questions right now"),
        "{about}"
    );
    assert!(!about.contains("never contain what you asked"), "{about}");
}
