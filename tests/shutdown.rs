//! Ctrl-C and SIGTERM stop `lantern run` within seconds in every state: connecting to a
//! Discord that refuses connections or never answers, reconnecting after Discord went
//! away, and in the middle of a burst of questions, whose replies are still delivered. A
//! second signal ends it at once.
//!
//! Everything runs against 127.0.0.1: the fake Discord, a closed port, or a listener that
//! accepts connections and never answers. Nothing reaches discord.com: with the API down,
//! Lantern does not fall back to Discord's own gateway (`src/discord/gateway.rs`).

mod common;
mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::bot::{Bot, BotOptions, PATIENCE};
use support::fake_discord::{self as fake, FakeDiscord, Fault, Member, RouteMatch};

use common::bundled_content;

/// How soon after SIGTERM the process must be gone, whatever it was doing.
const STOPS_WITHIN: Duration = Duration::from_secs(10);

fn spawn(discord: &FakeDiscord, env: Vec<(&str, String)>) -> Bot {
    Bot::spawn(
        discord,
        BotOptions {
            content: &bundled_content(),
            env,
        },
    )
}

async fn start(discord: &FakeDiscord) -> Bot {
    Bot::start(
        discord,
        BotOptions {
            content: &bundled_content(),
            env: vec![],
        },
    )
    .await
}

/// Sends SIGTERM and asserts a clean exit (code 0) within [`STOPS_WITHIN`].
fn terminate_and_expect_clean_exit(mut bot: Bot) -> Bot {
    let sent = Instant::now();
    bot.signal("TERM");
    let code = bot.wait_exit(STOPS_WITHIN);
    assert_eq!(
        code,
        Some(0),
        "exit code after SIGTERM\nlog:\n{}",
        bot.log()
    );
    assert!(
        sent.elapsed() < STOPS_WITHIN,
        "took {:?}\nlog:\n{}",
        sent.elapsed(),
        bot.log()
    );
    bot
}

/// A port on 127.0.0.1 that nothing listens on: connections are refused.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    listener.local_addr().unwrap().port()
}

/// A listener on 127.0.0.1 that accepts connections and never answers; counts them.
fn silent_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().map_while(Result::ok) {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, accepted)
}

fn ask_interaction(member: u64) -> Value {
    fake::slash_command(
        "ask",
        json!([{ "name": "question", "type": 3, "value": "is heparin a blood thinner" }]),
        &Member::regular(member),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_discord_refuses_connections_exits_cleanly() {
    let discord = FakeDiscord::start().await;
    let api_url = format!("http://127.0.0.1:{}", closed_port());
    let bot = spawn(&discord, vec![("DISCORD_API_URL", api_url)]);
    // Retrying: the first try failed, and the back-off has begun.
    bot.wait_log("cannot reach DISCORD_API_URL", 1);
    let bot = terminate_and_expect_clean_exit(bot);
    assert!(
        !bot.log().contains("gateway.discord.gg"),
        "fell back to Discord's own gateway:\n{}",
        bot.log()
    );
    assert!(discord.identifies().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_discord_never_answers_exits_cleanly() {
    let discord = FakeDiscord::start().await;
    let (port, accepted) = silent_server();
    let bot = spawn(
        &discord,
        vec![("DISCORD_API_URL", format!("http://127.0.0.1:{port}"))],
    );
    let deadline = Instant::now() + PATIENCE;
    while accepted.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the bot never connected\nlog:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Its request to find the gateway is now waiting for an answer that never comes.
    terminate_and_expect_clean_exit(bot);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_reconnecting_to_a_vanished_discord_exits_cleanly() {
    let discord = FakeDiscord::start().await;
    let bot = start(&discord).await;
    // Discord goes away: open connections dropped, new ones refused.
    discord.shutdown();
    let deadline = Instant::now() + PATIENCE;
    while discord.open_connections() > 0 {
        assert!(Instant::now() < deadline, "the connection stayed open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    terminate_and_expect_clean_exit(bot);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_burst_delivers_the_replies_in_flight_then_exits() {
    let discord = FakeDiscord::start().await;
    let bot = start(&discord).await;
    let burst = 5;
    // Discord is slow to take each reply, so all of them are still being delivered when
    // the signal comes.
    discord.fail_next(
        RouteMatch::MethodPath("POST", "/interactions/{id}/{token}/callback"),
        Fault::Delay(Duration::from_millis(1500)),
        burst,
    );
    let interactions: Vec<Value> = (0..burst)
        .map(|i| ask_interaction(7000 + i as u64))
        .collect();
    for interaction in &interactions {
        discord.send_interaction(interaction.clone()).await;
    }
    // Every question is answered, its reply on its way to Discord.
    bot.wait_log("question answered", burst);
    let bot = terminate_and_expect_clean_exit(bot);
    for interaction in &interactions {
        let path = format!(
            "/interactions/{}/{}/callback",
            interaction["id"].as_str().unwrap(),
            interaction["token"].as_str().unwrap()
        );
        let delivered = discord
            .requests()
            .iter()
            .filter(|r| r.path == path && r.response_status == 204)
            .count();
        assert_eq!(delivered, 1, "{path}\nlog:\n{}", bot.log());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_exits_at_once() {
    let discord = FakeDiscord::start().await;
    let mut bot = start(&discord).await;
    // A reply that would keep the graceful shutdown waiting for its whole grace period.
    discord.fail_next(
        RouteMatch::MethodPath("POST", "/interactions/{id}/{token}/callback"),
        Fault::Delay(Duration::from_secs(60)),
        1,
    );
    discord.send_interaction(ask_interaction(7100)).await;
    bot.wait_log("question answered", 1);
    bot.signal("TERM");
    bot.wait_log("shutting down", 1);
    let second = Instant::now();
    bot.signal("INT");
    let code = bot.wait_exit(Duration::from_secs(3));
    assert!(second.elapsed() < Duration::from_secs(3));
    assert_eq!(
        code,
        Some(1),
        "a reply was abandoned, so not success\nlog:\n{}",
        bot.log()
    );
    assert!(bot.log().contains("second signal"), "{}", bot.log());
}

/// A reload report still waiting to reach the moderators' channel when the signal comes
/// (here, told by Discord to retry in two seconds) is posted before the process ends: a
/// moderator who saved a file just before a restart still learns what it did.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_waits_for_a_reload_report_on_its_way_to_the_moderators() {
    let content = common::content_copy();
    let discord = FakeDiscord::start().await;
    let bot = Bot::start(
        &discord,
        BotOptions {
            content: content.path(),
            env: vec![(
                "LANTERN_MOD_LOG_CHANNEL_ID",
                FakeDiscord::MOD_LOG_CHANNEL_ID.to_string(),
            )],
        },
    )
    .await;
    let path = format!("/channels/{}/messages", FakeDiscord::MOD_LOG_CHANNEL_ID);
    discord.fail_next(
        RouteMatch::Path(path.clone()),
        Fault::RateLimited {
            retry_after: 2.0,
            global: false,
        },
        1,
    );
    common::edit(
        &common::article_path(content.path()),
        "Heparin is an injectable blood thinner.",
        "Heparin is an injectable blood thinner, given by injection.",
    );
    discord
        .wait_for_request(|r| r.path == path && r.response_status == 429, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no report tried: {e}\nlog:\n{}", bot.log()));
    let bot = terminate_and_expect_clean_exit(bot);
    let posted = discord
        .requests()
        .iter()
        .filter(|r| r.path == path && r.response_status == 200)
        .count();
    assert_eq!(posted, 1, "the report was abandoned\nlog:\n{}", bot.log());
}

/// A first start embeds every passage, which takes minutes for a large library: SIGTERM
/// then still ends the process cleanly, instead of killing it mid-load.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_the_content_is_still_loading_exits_cleanly() {
    let content = common::content_copy();
    let words = [
        "walking",
        "sleep",
        "iron",
        "scans",
        "leave",
        "grief",
        "swimming",
        "coffee",
        "travel",
        "vaccines",
        "dental",
        "sunlight",
        "stairs",
        "gardening",
        "reading",
        "music",
    ];
    let mut article = String::from(
        "---\ntitle: Everyday questions\nsource: Moderators' notes\nlast_reviewed: 2026-11-20\n---\n",
    );
    for (i, word) in words.iter().cycle().take(400).enumerate() {
        article.push_str(&format!(
            "\n## Everyday question {i} about {word}\n\nMembers often ask about {word} in week {i}. \
             Most people find that {word} is fine in moderation, and a midwife can say more. \
             Keep a note of how {word} feels on day {i} to bring to the next appointment.\n"
        ));
    }
    std::fs::write(content.path().join("articles/everyday.md"), article).unwrap();
    let cold_cache = tempfile::tempdir().unwrap();
    let discord = FakeDiscord::start().await;
    let bot = Bot::spawn(
        &discord,
        BotOptions {
            content: content.path(),
            env: vec![("LANTERN_DATA_DIR", cold_cache.path().display().to_string())],
        },
    );
    bot.wait_log("loading the content", 1);
    let bot = terminate_and_expect_clean_exit(bot);
    assert!(
        bot.log().contains("stopped while loading the content"),
        "{}",
        bot.log()
    );
    assert!(
        discord.identifies().is_empty(),
        "connected after the signal"
    );
}
