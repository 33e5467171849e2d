//! Live content through the running bot: moderators change files on disk, members see
//! the change without a restart, and a bad change never reaches them.

mod common;
mod support;

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::bot::{Bot, BotOptions, PATIENCE, callback_for, edited_response, reply_text};
use support::fake_discord::{self as fake, FakeDiscord, Fault, Member, RouteMatch};

use common::{article_path, content_copy, edit};

const HEPARIN: &str = "is heparin a blood thinner";

async fn start(content: &std::path::Path) -> (FakeDiscord, Bot) {
    start_with(content, vec![]).await
}

async fn start_with(
    content: &std::path::Path,
    mut env: Vec<(&'static str, String)>,
) -> (FakeDiscord, Bot) {
    let discord = FakeDiscord::start().await;
    env.push((
        "LANTERN_MOD_LOG_CHANNEL_ID",
        FakeDiscord::MOD_LOG_CHANNEL_ID.to_string(),
    ));
    let bot = Bot::start(&discord, BotOptions { content, env }).await;
    (discord, bot)
}

/// Asks `question` as a member and returns the reply's text.
async fn ask(discord: &FakeDiscord, bot: &Bot, question: &str) -> String {
    let interaction = fake::slash_command(
        "ask",
        json!([{ "name": "question", "type": 3, "value": question }]),
        &Member::regular(5000),
    );
    reply_text(discord, bot, &interaction).await
}

/// Asks until the reply satisfies `wanted`; returns it and how long that took.
async fn ask_until(
    discord: &FakeDiscord,
    bot: &Bot,
    question: &str,
    wanted: impl Fn(&str) -> bool,
) -> (String, Duration) {
    let started = Instant::now();
    loop {
        let reply = ask(discord, bot, question).await;
        if wanted(&reply) {
            return (reply, started.elapsed());
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the change never reached members; last reply:\n{reply}\nlog:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for a post in the moderators' log channel containing `text`.
async fn mod_log_post(discord: &FakeDiscord, bot: &Bot, text: &str) -> String {
    let path = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    let post = discord
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.path == path
                    && r.body
                        .as_ref()
                        .and_then(|b| b["content"].as_str())
                        .is_some_and(|c| c.contains(text))
            },
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "no mod-log post containing {text:?}: {e}\nlog:\n{}",
                bot.log()
            )
        });
    let body = post.body.unwrap();
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    body["content"].as_str().unwrap().to_string()
}

/// Saves `addition` into the heparin passage of `content`, then waits until a member's
/// answer quotes it and the moderators' log reports the edit; returns that answer and
/// how long it took to arrive.
async fn an_edit_reaches_members(
    discord: &FakeDiscord,
    bot: &Bot,
    content: &std::path::Path,
    addition: &str,
) -> (String, Duration) {
    let passage = "Heparin is an injectable blood thinner";
    assert!(
        ask(discord, bot, HEPARIN)
            .await
            .contains(&format!("{passage}."))
    );
    edit(
        &article_path(content),
        &format!("{passage}."),
        &format!("{passage}{addition}."),
    );
    let arrived = ask_until(discord, bot, HEPARIN, |r| r.contains(addition)).await;
    let report = mod_log_post(
        discord,
        bot,
        "Topics edited: Heparin, an injectable blood thinner",
    )
    .await;
    assert!(report.contains("Files changed"), "{report}");
    arrived
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_edits_and_new_articles_reach_members_without_a_restart() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let (reply, took) =
        an_edit_reaches_members(&discord, &bot, content.path(), ", given by injection").await;
    assert!(reply.contains(&common::bundled_safety().doctor_advice));
    println!("edit to answer: {took:?}");

    fs::write(
        content.path().join("articles/after-a-loss.md"),
        "---\ntitle: After a loss\nsource: Moderators' notes\nlast_reviewed: 2026-11-20\n---\n\n## Talking to your partner\n\nPartners grieve too, often differently.\n",
    )
    .unwrap();
    mod_log_post(&discord, &bot, "Topics added: Talking to your partner").await;
    let list = fake::slash_command("topics", json!([]), &Member::regular(5001));
    discord.send_interaction(list.clone()).await;
    let callback = callback_for(&discord, &list, &bot).await;
    let listed = callback.body.unwrap()["data"]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(listed.contains("Talking to your partner"), "{listed}");
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_saved_in_the_wrong_place_is_named_to_the_moderators() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    // Saved beside articles/ instead of inside it: nothing else changes, but a moderator
    // who saved it must hear that Lantern does not read it.
    fs::write(
        content.path().join("after-a-loss.md"),
        "---\ntitle: After a loss\nsource: Moderators' notes\nlast_reviewed: 2026-11-20\n---\n\n## Talking to your partner\n\nPartners grieve too.\n",
    )
    .unwrap();
    let report = mod_log_post(&discord, &bot, "after-a-loss.md").await;
    assert!(report.contains("Not read"), "{report}");
    assert!(
        report.contains("articles/"),
        "says where it belongs: {report}"
    );
    // Inside articles/ but not named .md (an editor's "Save as text"): named too.
    fs::write(
        content.path().join("articles/cramps.md.txt"),
        "---\ntitle: Cramps\nsource: Moderators' notes\nlast_reviewed: 2026-11-20\n---\n\n## Cramps after a loss\n\nCramps can last a few days.\n",
    )
    .unwrap();
    let report = mod_log_post(&discord, &bot, "cramps.md.txt").await;
    assert!(report.contains("Not read"), "{report}");
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_file_keeps_the_old_answers_and_the_mod_log_hears_of_it() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let article = article_path(content.path());
    let good = fs::read_to_string(&article).unwrap();

    let broken = good
        .replace("last_reviewed: 2026-11-24", "last_reviewed: 24/11/2026")
        .replace(
            "Heparin is an injectable blood thinner.",
            "Heparin is an injectable blood thinner (broken edit).",
        );
    fs::write(&article, broken).unwrap();
    let report = mod_log_post(&discord, &bot, "nothing was reloaded").await;
    assert!(
        report.contains("lupus-anticoagulant-and-miscarriage.md:4:"),
        "file and line: {report}"
    );
    assert!(report.contains("is not a date"), "{report}");

    let reply = ask(&discord, &bot, HEPARIN).await;
    assert!(
        reply.contains("Heparin is an injectable blood thinner."),
        "the previous content serves: {reply}"
    );
    assert!(!reply.contains("broken edit"));

    // Put back as it was: nothing differs from what serves, but the moderators hear that
    // the content is valid again.
    fs::write(&article, &good).unwrap();
    let report = mod_log_post(&discord, &bot, "The errors are fixed").await;
    assert!(report.contains("Content reloaded"), "{report}");

    fs::write(
        &article,
        good.replace(
            "Heparin is an injectable blood thinner.",
            "Heparin is an injectable blood thinner (fixed edit).",
        ),
    )
    .unwrap();
    mod_log_post(&discord, &bot, "Content reloaded").await;
    ask_until(&discord, &bot, HEPARIN, |r| r.contains("(fixed edit)")).await;
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );
}

/// A rejection Discord would not take (the channel briefly refused Lantern's posts) is
/// not counted as told: the next save of the same broken file reports it again, rather
/// than being skipped as a repeat of a post the channel never had.
#[tokio::test(flavor = "multi_thread")]
async fn a_rejection_whose_post_failed_is_reported_at_the_next_save() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let channel = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    discord.fail_next(RouteMatch::Path(channel.clone()), Fault::Status(403), 1);
    let article = article_path(content.path());
    let broken = fs::read_to_string(&article)
        .unwrap()
        .replace("last_reviewed: 2026-11-24", "last_reviewed: 24/11/2026");
    fs::write(&article, &broken).unwrap();
    discord
        .wait_for_request(|r| r.path == channel && r.response_status == 403, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("the rejection was not tried: {e}\n{}", bot.log()));

    // The same error, saved again.
    fs::write(&article, format!("{broken}\n")).unwrap();
    let posted = discord
        .wait_for_request(|r| r.path == channel && r.response_status == 200, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("the rejection was never posted: {e}\n{}", bot.log()));
    let report = posted.body.unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(report.contains("nothing was reloaded"), "{report}");
    assert!(report.contains("is not a date"), "{report}");
}

/// The moderators' channel tells the reloads in the order they happened: a `/reload`
/// that fixed the content is not posted before the watcher's report of the errors, even
/// when that report is still waiting out a rate limit.
#[tokio::test(flavor = "multi_thread")]
async fn reload_reports_reach_the_moderators_in_the_order_of_the_reloads() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let channel = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    discord.fail_next(
        RouteMatch::Path(channel.clone()),
        Fault::RateLimited {
            retry_after: 2.0,
            global: false,
        },
        1,
    );
    let article = article_path(content.path());
    let good = fs::read_to_string(&article).unwrap();
    fs::write(
        &article,
        good.replace("last_reviewed: 2026-11-24", "last_reviewed: 24/11/2026"),
    )
    .unwrap();
    discord
        .wait_for_request(|r| r.path == channel && r.response_status == 429, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("the rejection was not reported: {e}\n{}", bot.log()));

    fs::write(&article, &good).unwrap();
    let reload = fake::slash_command("reload", json!([]), &Member::moderator(5200));
    discord.send_interaction(reload.clone()).await;
    edited_response(&discord, &reload, &bot).await;
    let posted = discord
        .wait_for_requests(
            2,
            |r| r.path == channel && r.response_status == 200,
            PATIENCE,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));
    let texts: Vec<&str> = posted
        .iter()
        .map(|r| r.body.as_ref().unwrap()["content"].as_str().unwrap())
        .collect();
    assert!(
        texts[0].contains("nothing was reloaded"),
        "the errors first: {texts:#?}"
    );
    assert!(
        texts[1].contains("The errors are fixed"),
        "then the fix: {texts:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_content_folder_deleted_and_restored() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let backup = tempfile::tempdir().unwrap();
    common::copy_dir(content.path(), backup.path());

    fs::remove_dir_all(content.path()).unwrap();
    mod_log_post(&discord, &bot, "does not exist").await;
    assert!(
        ask(&discord, &bot, HEPARIN)
            .await
            .contains("Heparin is an injectable blood thinner.")
    );

    common::copy_dir(backup.path(), content.path());
    edit(
        &article_path(content.path()),
        "Heparin is an injectable blood thinner.",
        "Heparin is an injectable blood thinner (restored).",
    );
    ask_until(&discord, &bot, HEPARIN, |r| r.contains("(restored)")).await;
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );
}

/// Content on a network share raises no file events; with `LANTERN_WATCH_CONTENT=poll`
/// the bot looks for changes itself, and members still see an edit without a restart.
#[tokio::test(flavor = "multi_thread")]
async fn a_polled_content_folder_serves_saved_edits() {
    let content = content_copy();
    let env = vec![("LANTERN_WATCH_CONTENT", "poll".to_string())];
    let (discord, bot) = start_with(content.path(), env).await;
    let log = bot.log();
    assert!(
        log.lines()
            .any(|l| l.contains("watching the content folder") && l.contains("Poll")),
        "{log}"
    );
    an_edit_reaches_members(&discord, &bot, content.path(), ", checked by polling").await;
}

/// Whether `replies` hold the heparin passage as first written (version A) and as
/// version B.
fn versions_seen(replies: &[String]) -> (bool, bool) {
    let b = |reply: &String| reply.contains("blood thinner (version B).");
    (
        replies
            .iter()
            .any(|r| !b(r) && r.contains("Heparin is an injectable blood thinner.")),
        replies.iter().any(b),
    )
}

/// Every reply during reloads comes from one whole version of the content: the passage
/// and the source line of version B always appear together, never one without the other.
#[tokio::test(flavor = "multi_thread")]
async fn questions_are_answered_from_whole_content_through_a_hundred_reloads() {
    let content = content_copy();
    let (discord, bot) = start(content.path()).await;
    let bot = Arc::new(bot);
    let article = article_path(content.path());
    let version_a = fs::read_to_string(&article).unwrap();
    let version_b = version_a
        .replace(
            "Heparin is an injectable blood thinner.",
            "Heparin is an injectable blood thinner (version B).",
        )
        .replace(
            "the community's seed article",
            "the community's seed article (version B)",
        );

    let stop = Arc::new(AtomicBool::new(false));
    let replies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let asker = {
        let (discord, bot, stop, replies) =
            (discord.clone(), bot.clone(), stop.clone(), replies.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let reply = ask(&discord, &bot, HEPARIN).await;
                replies.lock().unwrap().push(reply);
            }
        })
    };

    // At least a hundred reloads, and on until enough questions were asked during them
    // to have seen both versions (a fast reload path must not fail the test).
    let started = Instant::now();
    let mut round = 0;
    loop {
        {
            let replies = replies.lock().unwrap();
            let (a, b) = versions_seen(&replies);
            if round >= 100 && replies.len() >= 20 && a && b {
                break;
            }
        }
        assert!(
            started.elapsed() < PATIENCE * 6,
            "after {round} reloads only {} questions were asked, versions seen {:?}",
            replies.lock().unwrap().len(),
            versions_seen(&replies.lock().unwrap())
        );
        fs::write(
            &article,
            if round % 2 == 0 {
                &version_b
            } else {
                &version_a
            },
        )
        .unwrap();
        let reload = fake::slash_command("reload", json!([]), &Member::moderator(5100));
        discord.send_interaction(reload.clone()).await;
        edited_response(&discord, &reload, &bot).await;
        round += 1;
    }
    stop.store(true, Ordering::SeqCst);
    asker.await.unwrap();
    let replies = replies.lock().unwrap().clone();

    let safety = common::bundled_safety();
    for reply in &replies {
        assert!(!reply.contains("something went wrong"), "{reply}");
        assert!(
            reply.contains(&safety.disclaimer) && reply.contains(&safety.doctor_advice),
            "{reply}"
        );
        let passage_b = reply.contains("blood thinner (version B).");
        let source_b = reply.contains("seed article (version B)");
        assert_eq!(
            passage_b, source_b,
            "a reply mixed two versions of the content:\n{reply}"
        );
        assert!(
            passage_b || reply.contains("Heparin is an injectable blood thinner."),
            "{reply}"
        );
    }
    assert!(
        discord.answered_twice().is_empty(),
        "an interaction was answered twice"
    );
    let violations: Vec<Value> = discord
        .schema_violations()
        .into_iter()
        .map(Value::String)
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
}
