//! The moderators' feedback loop end to end, as members and moderators use it: the real
//! `lantern run` against the fake Discord, buttons clicked as component interactions,
//! counts read back through `/gaps` and `lantern stats`, and the database file searched
//! for anything of the members.

mod common;
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::bot::{Bot, BotOptions, PATIENCE, answer_to, callback_for, edited_response};
use support::fake_discord::{self as fake, FakeDiscord, Fault, Member, Recorded, RouteMatch};

use common::{Lantern, bundled_content, vector_cache};

const EPHEMERAL: u64 = 64;
const ANSWERABLE: &str = "why would I need heparin injections?";
const OFF_TOPIC: &str = "which double pram folds smallest for a tiny car boot?";
/// Near the articles' topics, but not answered by any passage: the reply names topics.
const UNSURE: &str = "will heparin affect breastfeeding";

/// A data folder of the test's own, seeded with the shared passage vectors so the bot
/// does not embed the bundled content again.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Ok(entries) = std::fs::read_dir(vector_cache()) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("vectors-") {
                let _ = std::fs::copy(entry.path(), dir.path().join(name));
            }
        }
    }
    dir
}

async fn start(data: &Path, extra: Vec<(&str, String)>) -> (FakeDiscord, Bot) {
    let discord = FakeDiscord::start().await;
    let bot = start_bot(&discord, data, extra).await;
    (discord, bot)
}

async fn start_bot(discord: &FakeDiscord, data: &Path, extra: Vec<(&str, String)>) -> Bot {
    let mut env = vec![("LANTERN_DATA_DIR", data.display().to_string())];
    env.extend(extra);
    let content = bundled_content();
    Bot::start(
        discord,
        BotOptions {
            content: &content,
            env,
        },
    )
    .await
}

fn with_gaps_channel() -> Vec<(&'static str, String)> {
    vec![(
        "LANTERN_GAPS_CHANNEL_ID",
        FakeDiscord::MOD_LOG_CHANNEL_ID.to_string(),
    )]
}

fn ask(text: &str, who: &Member) -> Value {
    fake::slash_command(
        "ask",
        json!([{ "name": "question", "type": 3, "value": text }]),
        who,
    )
}

/// Sends `interaction` and returns the callback's type and message, as `type` and
/// `data` (a deferred answer's message is the edit that put it in place).
async fn send(discord: &FakeDiscord, bot: &Bot, interaction: &Value) -> Value {
    discord.send_interaction(interaction.clone()).await;
    let (kind, message) = answer_to(discord, interaction, bot).await;
    json!({ "type": kind, "data": message })
}

/// What `/about` tells `who`.
async fn about_text(discord: &FakeDiscord, bot: &Bot, who: &Member) -> String {
    let about = send(discord, bot, &fake::slash_command("about", json!([]), who)).await;
    about["data"]["content"].as_str().unwrap().to_string()
}

/// `/gaps` as `who` runs it: acknowledged privately at once (reading the counts can wait
/// on the database), then the first page as the edit.
async fn gaps(discord: &FakeDiscord, bot: &Bot, who: &Member) -> String {
    let interaction = fake::slash_command("gaps", json!([]), who);
    discord.send_interaction(interaction.clone()).await;
    let deferral = callback_for(discord, &interaction, bot).await;
    let deferral = deferral.body.expect("a JSON body");
    assert_eq!(deferral["type"], 5, "{deferral}");
    assert_eq!(deferral["data"]["flags"], EPHEMERAL);
    edited_response(discord, &interaction, bot).await
}

/// The custom ids of a message's buttons, by label.
fn button(message: &Value, label: &str) -> String {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"].as_str().is_some_and(|l| l.starts_with(label)))
        .and_then(|b| b["custom_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {label:?} button on {message}"))
}

/// The labels of a message's buttons, row by row.
fn button_labels(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["label"].as_str().map(str::to_string))
        .collect()
}

/// The message a click is made on: what the bot sent, as Discord would hold it.
fn clicked_message(data: &Value) -> Value {
    // The same message clicked twice has the same id, as on Discord: Lantern remembers
    // a rating by its reply.
    let id = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        // The buttons carry the question's id: two answers of the same text differ.
        (data["content"].to_string(), data["components"].to_string()).hash(&mut hasher);
        1_100_000_000_000_000_000 + hasher.finish() % 100_000_000_000_000_000
    };
    json!({
        "id": id.to_string(),
        "channel_id": FakeDiscord::CHANNEL_ID.to_string(),
        "content": data["content"],
        "components": data["components"],
        "flags": data["flags"].as_u64().unwrap_or(0),
    })
}

/// Clicks `custom_id` on `data`'s message as `who`; returns the callback's body.
async fn click(
    discord: &FakeDiscord,
    bot: &Bot,
    data: &Value,
    custom_id: &str,
    who: &Member,
) -> (Value, Value) {
    let interaction = fake::component_click(custom_id, clicked_message(data), who);
    let body = send(discord, bot, &interaction).await;
    (interaction, body)
}

/// The private follow-up the bot sent after answering `interaction`.
async fn follow_up(discord: &FakeDiscord, bot: &Bot, interaction: &Value) -> Value {
    let path = format!(
        "/webhooks/{}/{}",
        FakeDiscord::APPLICATION_ID,
        interaction["token"].as_str().unwrap()
    );
    let request = discord
        .wait_for_request(|r| r.method == "POST" && r.path == path, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no follow-up: {e}\n{}", bot.log()));
    let body = request.body.expect("a JSON body");
    assert_eq!(body["flags"], EPHEMERAL, "acknowledged privately: {body}");
    assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
    body
}

fn posts_to_moderators(discord: &FakeDiscord) -> Vec<Recorded> {
    let path = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    discord
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

fn assert_schema_valid(discord: &FakeDiscord) {
    let violations = discord.schema_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Runs `lantern stats` over `data` until its output contains every one of `wanted`
/// (counts are written off the reply path, so they land a moment after the reply).
fn stats_until(data: &Path, wanted: &[&str]) -> String {
    let lantern = Lantern::new().env("LANTERN_DATA_DIR", &data.display().to_string());
    let deadline = Instant::now() + PATIENCE;
    loop {
        let run = lantern.run(&["stats"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        if wanted.iter().all(|w| run.stdout.contains(w)) {
            return run.stdout;
        }
        assert!(
            Instant::now() < deadline,
            "stats never showed {wanted:?}:\n{}",
            run.stdout
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The table row of the topic whose title starts with `topic`.
fn row<'a>(table: &'a str, topic: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.starts_with(topic))
        .unwrap_or_else(|| panic!("no row for {topic:?}:\n{table}"))
}

/// A click whose handling fails after its first answer gets an apology as a follow-up,
/// not Discord's bare "This interaction failed" (or nothing at all).
#[tokio::test(flavor = "multi_thread")]
async fn a_click_that_fails_half_way_is_apologised_for() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), vec![]).await;
    let member = Member::regular(3151);
    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let answer = &answer["data"];
    let helpful = button(answer, "Helpful");
    // The buttons are disabled in place, then the thanks, a follow-up, is refused once.
    discord.fail_next(
        RouteMatch::MethodPath("POST", "/webhooks/{application}/{token}"),
        Fault::Status(400),
        1,
    );
    let (clicked, rated) = click(&discord, &bot, answer, &helpful, &member).await;
    assert_eq!(rated["type"], 7, "{rated}");
    let path = format!(
        "/webhooks/{}/{}",
        FakeDiscord::APPLICATION_ID,
        clicked["token"].as_str().unwrap()
    );
    let apology = discord
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.path == path
                    && r.body.as_ref().is_some_and(|body| {
                        body["content"]
                            .as_str()
                            .is_some_and(|text| text.starts_with("Sorry, something went wrong"))
                    })
            },
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("no apology: {e}\n{}", bot.log()));
    assert_eq!(apology.body.unwrap()["flags"], EPHEMERAL);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rating_counts_once_is_thanked_privately_and_survives_a_restart() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), vec![]).await;
    let member = Member::regular(3101);

    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let answer = &answer["data"];
    assert!(answer["content"].as_str().unwrap().contains("eparin"));
    let helpful = button(answer, "Helpful");
    button(answer, "Not what I needed");

    // Someone else cannot rate the member's answer.
    let (_, other) = click(&discord, &bot, answer, &helpful, &Member::regular(3102)).await;
    assert_eq!(other["type"], 4);
    assert_eq!(other["data"]["flags"], EPHEMERAL);
    assert!(
        other["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the member who asked")
    );

    let (clicked, rated) = click(&discord, &bot, answer, &helpful, &member).await;
    assert_eq!(
        rated["type"], 7,
        "the buttons are replaced in place: {rated}"
    );
    let buttons = rated["data"]["components"][0]["components"]
        .as_array()
        .unwrap();
    assert!(buttons.iter().all(|b| b["disabled"] == true), "{rated}");
    assert_eq!(
        rated["data"]["content"], answer["content"],
        "the answer stays as it was"
    );
    let thanks = follow_up(&discord, &bot, &clicked).await;
    assert!(thanks["content"].as_str().unwrap().contains("Thank you"));

    // A second click (a stale client) is not counted again.
    let (_, again) = click(&discord, &bot, answer, &helpful, &member).await;
    assert!(
        again["data"]["content"]
            .as_str()
            .unwrap()
            .contains("already rated")
    );

    let table = stats_until(data.path(), &["100%"]);
    let topic = table
        .lines()
        .find(|l| l.contains("100%"))
        .unwrap()
        .to_string();
    let numbers: Vec<&str> = topic.split_whitespace().rev().take(6).collect();
    // Columns from the right: opened, urgent, refused nearby, not helpful, helpful, answered.
    assert_eq!(numbers, ["0", "0", "0", "0", "100%", "1"], "{table}");
    assert_schema_valid(&discord);

    // Restarted, the bot still has the count, and /gaps shows it to moderators only.
    bot.terminate();
    let bot = start_bot(&discord, data.path(), vec![]).await;
    let refused = send(
        &discord,
        &bot,
        &fake::slash_command("gaps", json!([]), &member),
    )
    .await;
    assert!(
        refused["data"]["content"]
            .as_str()
            .unwrap()
            .contains("for moderators")
    );
    let moderator = Member::moderator(3103);
    let gaps = gaps(&discord, &bot, &moderator).await;
    assert!(gaps.contains("last 4 weeks"), "{gaps}");
    let first_row = topic.split("  ").next().unwrap();
    assert!(row(&gaps, first_row).contains("100%"), "{gaps}");
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_topic_opened_from_a_reply_that_quoted_nothing_is_counted_for_moderators() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let member = Member::regular(3150);

    let unsure = send(&discord, &bot, &ask(UNSURE, &member)).await;
    let unsure = &unsure["data"];
    // The topics to read come first, the offer to ask the moderators last.
    let labels = button_labels(unsure);
    assert!(labels.len() >= 2, "{labels:?}");
    assert!(
        labels[..labels.len() - 1]
            .iter()
            .all(|l| l.starts_with("Read: ")),
        "{labels:?}"
    );
    assert!(labels.last().unwrap().starts_with("Ask the moderators"));
    let read = button(unsure, "Read: ");
    let label = unsure["components"][0]["components"][0]["label"]
        .as_str()
        .unwrap()
        .to_string();
    let title = label.trim_start_matches("Read: ");
    // Clicked three times on the same reply (as members do when a page is slow): one
    // topic opened.
    let reply = clicked_message(unsure);
    for _ in 0..3 {
        let clicked = fake::component_click(&read, reply.clone(), &member);
        let shown = send(&discord, &bot, &clicked).await;
        assert_eq!(shown["data"]["flags"], EPHEMERAL, "{shown}");
    }

    // The last column is "Opened". Counts land a moment after the reply: poll.
    let heading: String = title.chars().take(20).collect();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let table = stats_until(data.path(), &[heading.as_str()]);
        if row(&table, &heading).split_whitespace().last() == Some("1") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never counted as opened:\n{table}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_schema_valid(&discord);
    // Stopped, every count the bot made is written: still one.
    bot.terminate();
    let table = stats_until(data.path(), &[heading.as_str()]);
    assert_eq!(
        row(&table, &heading).split_whitespace().last(),
        Some("1"),
        "{table}"
    );
}

/// A question asked by mention, not answered, and sent to the moderators: the post is
/// made although the bot's reply to that same message was posted moments before with a
/// nonce. Discord returns the earlier message, creating nothing, when the same author (the
/// bot) repeats a nonce, in any channel: the member would read "Sent" and the moderators
/// see nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_question_asked_by_mention_and_sent_reaches_the_moderators() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let author = fake::User::regular(3301);
    let member = Member::of(&author);
    discord
        .send_message(fake::guild_message_mentioning_bot(
            &format!("<@{}> {OFF_TOPIC}", FakeDiscord::BOT_USER_ID),
            &author,
        ))
        .await;
    let replies = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    let reply = discord
        .wait_for_request(|r| r.method == "POST" && r.path == replies, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no reply to the mention: {e}\n{}", bot.log()));
    let reply = reply.body.expect("a JSON body");

    let offer = button(&reply, "Ask the moderators");
    let (_, preview) = click(&discord, &bot, &reply, &offer, &member).await;
    let send_button = button(&preview["data"], "Send to the moderators");
    let (clicked, _) = click(&discord, &bot, &preview["data"], &send_button, &member).await;
    let sent = edited_response(&discord, &clicked, &bot).await;
    assert!(sent.contains("Sent to the moderators"), "{sent}");
    let posted: Vec<_> = discord
        .created_messages()
        .into_iter()
        .filter(|m| m.channel_id == FakeDiscord::MOD_LOG_CHANNEL_ID)
        .collect();
    assert_eq!(posted.len(), 1, "{posted:#?}");
    let text = posted[0].message["content"].as_str().unwrap();
    assert!(text.contains(OFF_TOPIC), "{text}");
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_question_reaches_the_moderators_only_when_the_member_sends_it() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let member = Member::regular(3201);

    let refusal = send(&discord, &bot, &ask(OFF_TOPIC, &member)).await;
    let refusal = &refusal["data"];
    let offer = button(refusal, "Ask the moderators");
    assert!(
        posts_to_moderators(&discord).is_empty(),
        "nothing sent before the choice"
    );

    let (_, preview) = click(&discord, &bot, refusal, &offer, &member).await;
    assert_eq!(preview["type"], 4);
    let preview = &preview["data"];
    assert_eq!(preview["flags"], EPHEMERAL, "the preview is private");
    let shown = preview["content"].as_str().unwrap();
    assert!(
        shown.contains(OFF_TOPIC) && shown.contains("without your name"),
        "{shown}"
    );
    assert!(
        posts_to_moderators(&discord).is_empty(),
        "a preview sends nothing"
    );

    let send_button = button(preview, "Send to the moderators");
    let (clicked, sending) = click(&discord, &bot, preview, &send_button, &member).await;
    assert_eq!(sending["type"], 7, "the click is answered in place at once");
    let sent = edited_response(&discord, &clicked, &bot).await;
    assert!(sent.contains("Sent to the moderators"), "{sent}");
    let posts = posts_to_moderators(&discord);
    assert_eq!(posts.len(), 1);
    let post = posts[0].body.as_ref().unwrap();
    assert_eq!(post["allowed_mentions"], json!({ "parse": [] }));
    let text = post["content"].as_str().unwrap();
    assert!(text.contains(&format!("Also asked: {OFF_TOPIC}")), "{text}");
    assert!(text.contains("confidence") || text.contains("Nothing in the content came near"));
    // Exactly what the member was shown, and nothing of who they are.
    assert!(
        shown.contains(text.lines().nth(1).unwrap()),
        "{shown}\n---\n{text}"
    );
    for personal in ["3201", "user3201", "User 3201"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // Sent once: the question is no longer held.
    let (_, again) = click(&discord, &bot, preview, &send_button, &member).await;
    assert!(
        again["data"]["content"]
            .as_str()
            .unwrap()
            .contains("no longer hold")
    );
    assert_eq!(posts_to_moderators(&discord).len(), 1);

    // "Not what I needed" on an answer offers the same choice; declining sends nothing.
    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let answer = &answer["data"];
    let not_needed = button(answer, "Not what I needed");
    let (clicked, _) = click(&discord, &bot, answer, &not_needed, &member).await;
    let offered = follow_up(&discord, &bot, &clicked).await;
    assert!(offered["content"].as_str().unwrap().contains(ANSWERABLE));
    let decline = button(&offered, "Don't send");
    let (_, declined) = click(&discord, &bot, &offered, &decline, &member).await;
    assert!(
        declined["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Not sent")
    );
    assert_eq!(posts_to_moderators(&discord).len(), 1);

    // "Helpful" leaves nothing to send: the question is forgotten at once, so even a
    // Send click made up for it finds nothing.
    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let answer = &answer["data"];
    let helpful = button(answer, "Helpful");
    click(&discord, &bot, answer, &helpful, &member).await;
    // The rating buttons' ids end with the question's id and the asker's.
    let ids: Vec<&str> = helpful.rsplitn(3, ':').collect();
    let (asker, question) = (ids[0], ids[1]);
    let made_up = format!("lantern:fb:send:{question}:{asker}");
    let (_, after) = click(&discord, &bot, answer, &made_up, &member).await;
    assert!(
        after["data"]["content"]
            .as_str()
            .unwrap()
            .contains("no longer hold"),
        "{after}"
    );
    assert_eq!(posts_to_moderators(&discord).len(), 1);

    // One "Not what I needed" and one "Helpful" on the heparin topic, both counted.
    let lantern = Lantern::new().env("LANTERN_DATA_DIR", &data.path().display().to_string());
    let deadline = Instant::now() + PATIENCE;
    loop {
        let run = lantern.run(&["stats"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let counted = run
            .stdout
            .lines()
            .find(|l| l.starts_with("Heparin"))
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().rev().take(6).collect();
                // From the right: opened, urgent, refused nearby, not helpful, helpful.
                (cells[3], cells[4])
            });
        if counted == Some(("1", "50%")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ratings were never counted (not helpful, helpful: {counted:?}):\n{}",
            run.stdout
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_schema_valid(&discord);
}

/// Asks a question Lantern cannot answer as `member`, opens the offer to ask the
/// moderators and clicks Send, with the moderators' channel meeting the post with
/// `fault`: the click, and the bot's immediate answer to it.
async fn send_to_moderators_meeting(
    discord: &FakeDiscord,
    bot: &Bot,
    member: &Member,
    fault: Fault,
) -> (Value, Value) {
    let refusal = send(discord, bot, &ask(OFF_TOPIC, member)).await;
    let offer = button(&refusal["data"], "Ask the moderators");
    let (_, preview) = click(discord, bot, &refusal["data"], &offer, member).await;
    let preview = &preview["data"];
    let channel = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    discord.fail_next(RouteMatch::Path(channel), fault, 1);
    let send_button = button(preview, "Send to the moderators");
    click(discord, bot, preview, &send_button, member).await
}

/// Posting to the moderators' channel can wait on rate limits far longer than the 3
/// seconds a click has: the click is answered first, and the message says "sent" after.
#[tokio::test(flavor = "multi_thread")]
async fn a_slow_moderators_channel_does_not_fail_the_send_click() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    discord.set_callback_deadline(Some(Duration::from_secs(3)));
    let member = Member::regular(3251);
    let slow = Fault::Delay(Duration::from_secs(5));
    let (clicked, _) = send_to_moderators_meeting(&discord, &bot, &member, slow).await;
    let sent = edited_response(&discord, &clicked, &bot).await;
    assert!(sent.contains("Sent to the moderators"), "{sent}");
    assert_eq!(
        discord.callback_type(&clicked),
        Some(7),
        "the click was answered within its window"
    );
    assert_eq!(posts_to_moderators(&discord).len(), 1);
    assert_schema_valid(&discord);
}

/// When the post cannot be made (here the bot lacks permission in the channel), the
/// member is told it was not sent, and the buttons are gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_post_that_fails_is_said_to_have_failed() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let member = Member::regular(3261);
    let forbidden = Fault::Status(403);
    let (clicked, sending) = send_to_moderators_meeting(&discord, &bot, &member, forbidden).await;
    assert_eq!(sending["data"]["components"], json!([]), "{sending}");
    let said = edited_response(&discord, &clicked, &bot).await;
    assert!(said.contains("was not sent"), "{said}");
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_question_is_forgotten_after_its_window() {
    let data = data_dir();
    let mut env = with_gaps_channel();
    env.push(("LANTERN_QUESTION_HOLD_SECONDS", "2".to_string()));
    let (discord, bot) = start(data.path(), env).await;
    let member = Member::regular(3301);

    // What members are told of the window is the window set, not the longest allowed.
    let about = about_text(&discord, &bot, &member).await;
    assert!(about.contains("for at most 2 seconds"), "{about}");
    let refusal = send(&discord, &bot, &ask(OFF_TOPIC, &member)).await;
    let offer = button(&refusal["data"], "Ask the moderators");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, reply) = click(&discord, &bot, &refusal["data"], &offer, &member).await;
        let text = reply["data"]["content"].as_str().unwrap().to_string();
        if text.contains("no longer hold") {
            assert!(text.contains("more than 2 seconds ago"), "{text}");
            break;
        }
        assert!(text.contains(OFF_TOPIC), "{text}");
        assert!(text.contains("forgotten within 2 seconds"), "{text}");
        assert!(
            Instant::now() < deadline,
            "the question was never forgotten"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(posts_to_moderators(&discord).is_empty());
    assert_schema_valid(&discord);
}

/// An answer Discord never took (every try failed) has no button to send its question
/// with, so the question is not kept for one: a click forged for it finds nothing held.
#[tokio::test(flavor = "multi_thread")]
async fn a_question_whose_answer_never_arrived_is_not_held() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let first = Member::regular(3311);
    let refusal = send(&discord, &bot, &ask(OFF_TOPIC, &first)).await;
    let offer = button(&refusal["data"], "Ask the moderators");

    let second = Member::regular(3312);
    let lost = ask(OFF_TOPIC, &second);
    let callback = format!(
        "/interactions/{}/{}/callback",
        lost["id"].as_str().unwrap(),
        lost["token"].as_str().unwrap()
    );
    discord.fail_next(RouteMatch::Path(callback.clone()), Fault::Status(500), 20);
    discord.send_interaction(lost.clone()).await;
    discord
        .wait_for_request(|r| r.path == callback && r.response_status == 500, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("the answer was not tried: {e}\n{}", bot.log()));

    // The offer button the lost answer would have carried.
    let first_id = refusal_question_id(&refusal);
    let forged = offer
        .replace(&first_id, lost["id"].as_str().unwrap())
        .replace("3311", "3312");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, reply) = click(&discord, &bot, &refusal["data"], &forged, &second).await;
        let text = reply["data"]["content"].as_str().unwrap().to_string();
        if text.contains("no longer hold") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the question of an answer that never arrived is still held: {text}\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(posts_to_moderators(&discord).is_empty());
}

/// The id of the question a reply's buttons are for (the interaction's id).
fn refusal_question_id(reply: &Value) -> String {
    let offer = button(&reply["data"], "Ask the moderators");
    offer.split(':').rev().nth(1).unwrap().to_string()
}

/// The reply to a mention of the bot in `server` (`None`: a direct message).
async fn reply_to_mention_in(discord: &FakeDiscord, bot: &Bot, server: Option<u64>) -> Value {
    let author = fake::User::regular(3501);
    let message = match server {
        Some(server) => {
            let mut message = fake::guild_message_mentioning_bot(
                &format!("<@{}> {OFF_TOPIC}", FakeDiscord::BOT_USER_ID),
                &author,
            );
            message["guild_id"] = json!(server.to_string());
            message
        }
        None => fake::direct_message(OFF_TOPIC, &author),
    };
    let (channel, id) = (
        message["channel_id"].as_str().unwrap().to_string(),
        message["id"].as_str().unwrap().to_string(),
    );
    discord.send_message(message).await;
    let replies = format!("/channels/{channel}/messages");
    let reply = discord
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.path == replies
                    && r.body.as_ref().is_some_and(|b| {
                        b["message_reference"]["message_id"].as_str() == Some(id.as_str())
                    })
            },
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("no reply to the mention: {e}\n{}", bot.log()));
    reply.body.expect("a JSON body")
}

fn offers_sending(reply: &Value) -> bool {
    button_labels(reply)
        .iter()
        .any(|label| label.starts_with("Ask the moderators"))
}

/// Lantern may serve several servers, but the moderators' channel is one community's:
/// a question asked in another server, or in a direct message, is never offered for
/// sending to it, and the post that is sent carries a nonce that says nothing of the
/// question (Discord shows nonces to whoever reads the channel).
#[tokio::test(flavor = "multi_thread")]
async fn only_a_question_asked_in_the_moderators_server_is_offered_to_them() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let elsewhere = FakeDiscord::GUILD_ID + 1;
    let reply = reply_to_mention_in(&discord, &bot, Some(elsewhere)).await;
    assert!(!offers_sending(&reply), "another server: {reply}");
    let reply = reply_to_mention_in(&discord, &bot, None).await;
    assert!(!offers_sending(&reply), "a direct message: {reply}");

    let reply = reply_to_mention_in(&discord, &bot, Some(FakeDiscord::GUILD_ID)).await;
    assert!(
        offers_sending(&reply),
        "the moderators' own server: {reply}"
    );
    let member = Member::of(&fake::User::regular(3501));
    let offer = button(&reply, "Ask the moderators");
    let question_id = offer.split(':').rev().nth(1).unwrap().to_string();
    let (_, preview) = click(&discord, &bot, &reply, &offer, &member).await;
    let send_button = button(&preview["data"], "Send to the moderators");
    let (clicked, _) = click(&discord, &bot, &preview["data"], &send_button, &member).await;
    let sent = edited_response(&discord, &clicked, &bot).await;
    assert!(sent.contains("Sent to the moderators"), "{sent}");
    let post = posts_to_moderators(&discord).pop().expect("the post");
    let nonce = post.body.unwrap()["nonce"].as_str().unwrap().to_string();
    let question_hex = format!("{:x}", question_id.parse::<u64>().unwrap());
    assert!(!nonce.contains(&question_hex), "{nonce} / {question_hex}");
}

/// Without `LANTERN_GUILD_ID`, Lantern asks Discord which server the moderators' channel
/// is in before it offers anything for sending.
#[tokio::test(flavor = "multi_thread")]
async fn the_moderators_server_is_learnt_from_their_channel() {
    let data = data_dir();
    let discord = FakeDiscord::start().await;
    let mut env = vec![
        ("LANTERN_DATA_DIR", data.path().display().to_string()),
        ("LANTERN_GUILD_ID", String::new()),
    ];
    env.extend(with_gaps_channel());
    let content = bundled_content();
    let bot = Bot::spawn(
        &discord,
        BotOptions {
            content: &content,
            env,
        },
    );
    bot.wait_log(
        "questions asked in the moderators' channel's own server may be sent to it",
        1,
    );
    let reply = reply_to_mention_in(&discord, &bot, Some(FakeDiscord::GUILD_ID)).await;
    assert!(offers_sending(&reply), "{reply}");
    let reply = reply_to_mention_in(&discord, &bot, Some(FakeDiscord::GUILD_ID + 1)).await;
    assert!(!offers_sending(&reply), "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_moderators_channel_no_question_is_offered_or_held() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), vec![]).await;
    let member = Member::regular(3401);

    let refusal = send(&discord, &bot, &ask(OFF_TOPIC, &member)).await;
    let labels = button_labels(&refusal["data"]);
    assert!(
        !labels.iter().any(|l| l.starts_with("Ask the moderators")),
        "no offer without a channel: {refusal}"
    );
    let about = about_text(&discord, &bot, &member).await;
    assert!(
        about.contains("keeps no record") && !about.contains("send your question"),
        "/about offers no sending it cannot do: {about}"
    );
    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let not_needed = button(&answer["data"], "Not what I needed");
    let (clicked, _) = click(&discord, &bot, &answer["data"], &not_needed, &member).await;
    let thanks = follow_up(&discord, &bot, &clicked).await;
    assert!(thanks.get("components").is_none(), "{thanks}");
    assert!(thanks["content"].as_str().unwrap().contains("did not help"));
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_data_folder_does_not_stop_answering() {
    let blocker = tempfile::tempdir().unwrap();
    let file = blocker.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let data = file.join("data");
    let (discord, bot) = start(&data, vec![]).await;
    bot.wait_log("feedback counts are kept in memory only", 1);
    let member = Member::regular(3501);

    let answer = send(&discord, &bot, &ask(ANSWERABLE, &member)).await;
    let helpful = button(&answer["data"], "Helpful");
    click(&discord, &bot, &answer["data"], &helpful, &member).await;
    let moderator = Member::moderator(3502);
    // Counted in memory: /gaps shows it (polled, since counting is off the reply path).
    let deadline = Instant::now() + PATIENCE;
    loop {
        let gaps = gaps(&discord, &bot, &moderator).await;
        if gaps.contains("100%") {
            break;
        }
        assert!(Instant::now() < deadline, "{gaps}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        bot.log()
            .matches("feedback counts are kept in memory only")
            .count(),
        1,
        "said once, not per question:\n{}",
        bot.log()
    );
    assert_schema_valid(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_holds_no_question_text_and_no_member_id() {
    let data = data_dir();
    let (discord, bot) = start(data.path(), with_gaps_channel()).await;
    let mut texts = vec![
        "why would I need heparin injections after two losses?".to_string(),
        "is aspirin safe in the first weeks of pregnancy for me?".to_string(),
        "what does a lupus anticoagulant test actually measure?".to_string(),
        OFF_TOPIC.to_string(),
        "I am bleeding heavily and soaking a pad every hour".to_string(),
    ];
    // Ids as Discord makes them (snowflakes), so their bytes cannot turn up by chance.
    let first_id = 1_187_654_321_012_345_000_u64;
    let mut ids = Vec::new();
    for (i, question) in texts.iter().enumerate() {
        let id = first_id + i as u64;
        ids.push(id);
        let member = Member::regular(id);
        let reply = send(&discord, &bot, &ask(question, &member)).await;
        let reply = &reply["data"];
        let label = if i % 2 == 0 {
            "Not what I needed"
        } else {
            "Helpful"
        };
        if reply.to_string().contains(label) {
            let custom_id = button(reply, label);
            click(&discord, &bot, reply, &custom_id, &member).await;
        }
    }
    let mentioned = "can stress cause a miscarriage at nine weeks?";
    texts.push(mentioned.to_string());
    let author = fake::User::regular(first_id + 99);
    ids.push(author.id);
    let message = fake::guild_message_mentioning_bot(
        &format!("<@{}> {mentioned}", FakeDiscord::BOT_USER_ID),
        &author,
    );
    discord.send_message(message).await;
    let replies = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    discord
        .wait_for_request(|r| r.method == "POST" && r.path == replies, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no reply to the mention: {e}\n{}", bot.log()));
    let moderator = Member::moderator(first_id + 98);
    ids.push(first_id + 98);
    gaps(&discord, &bot, &moderator).await;
    // A rating landed (the first answer's, as 0% helpful): the file has been written.
    stats_until(data.path(), &[" 0%"]);
    bot.terminate();

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(data.path()).unwrap().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("lantern.db")
        {
            stored.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    assert!(!stored.is_empty(), "the counts are in lantern.db");
    let contains = |needle: &[u8]| stored.windows(needle.len()).any(|w| w == needle);
    for text in &texts {
        assert!(!contains(text.as_bytes()), "question text stored: {text}");
    }
    for id in ids {
        for needle in [
            id.to_string().into_bytes(),
            format!("user{id}").into_bytes(),
            id.to_le_bytes().to_vec(),
            id.to_be_bytes().to_vec(),
        ] {
            assert!(!contains(&needle), "member {id} stored as {needle:?}");
        }
    }
}

/// Set only in the child process of [`two_processes_count_into_one_file`].
const CHILD_DIR: &str = "LANTERN_TEST_COUNTS_CHILD_DIR";
const PER_PROCESS: u64 = 150;

fn count_many(dir: &Path) {
    let counts = lantern::feedback::FeedbackCounts::open(dir);
    for _ in 0..PER_PROCESS {
        counts.record(
            "Shared topic",
            lantern::feedback::Count::Answer,
            chrono::Utc::now(),
        );
    }
}

/// The child half of [`two_processes_count_into_one_file`]: this test binary, started
/// again, counts into the folder it is given.
#[test]
#[ignore = "started by two_processes_count_into_one_file as a second process"]
fn counting_child() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        count_many(Path::new(&dir));
    }
}

#[test]
fn two_processes_count_into_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "counting_child", "--ignored", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .spawn()
        .unwrap();
    count_many(dir.path());
    assert!(child.wait().unwrap().success());
    let recent = lantern::feedback::read_recent(dir.path(), chrono::Utc::now(), 1)
        .unwrap()
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].tally.answers, 2 * PER_PROCESS, "no count lost");
}

/// A moderator reading the counts of a stopped bot from an account that may not write
/// its data folder: SQLite cannot make the shared-memory file a database in WAL mode
/// needs, so the counts are read as they lie on disk. Run as `nobody` when the tests run
/// as root (who may write anywhere), else in a folder made read-only.
#[test]
fn stats_reads_a_folder_it_may_not_write() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data dir ü");
    {
        let counts = lantern::feedback::FeedbackCounts::open(&data);
        for _ in 0..3 {
            counts.record(
                "Shared topic",
                lantern::feedback::Count::Answer,
                chrono::Utc::now(),
            );
        }
    }
    assert!(
        !data.join("lantern.db-shm").exists(),
        "closed cleanly, as a stopped bot leaves it"
    );
    let as_root = std::env::var("USER").as_deref() == Ok("root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let mode = if as_root { 0o755 } else { 0o555 };
    for dir in [parent.path(), data.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut command = Lantern::new()
        .env("LANTERN_DATA_DIR", &data.display().to_string())
        .command();
    if as_root {
        let program = command.get_program().to_owned();
        let mut runuser = Command::new("runuser");
        // Only the settings given, in a folder nobody may read: no `.env` of the
        // developer's is read.
        runuser
            .args(["-u", "nobody", "--"])
            .arg(program)
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .current_dir(parent.path());
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                runuser.env(key, value);
            }
        }
        command = runuser;
    }
    let output = command.arg("stats").output().unwrap();
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Shared topic"), "{stdout}\n{stderr}");
    assert!(!data.join("lantern.db-shm").exists(), "nothing written");
}

#[test]
fn stats_before_the_bot_ever_ran_says_so_and_creates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let folder = data.path().join("never-used");
    let lantern = Lantern::new().env("LANTERN_DATA_DIR", &folder.display().to_string());
    let run = lantern.run(&["stats", "--weeks", "2"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("No feedback counts yet"),
        "{}",
        run.stdout
    );
    assert!(!folder.exists(), "stats only reads");
    let bad = lantern.run(&["stats", "--weeks", "0"]);
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);
}
