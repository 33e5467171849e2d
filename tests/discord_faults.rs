//! Discord misbehaving: rate limits, server errors, dropped connections, gateway
//! reconnects and close codes. After each, questions are still answered, and each one
//! exactly once.

mod common;
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::bot::{Bot, BotOptions, PATIENCE, edited_response};
use support::fake_discord::{self as fake, FakeDiscord, Fault, Member, Recorded, RouteMatch};

use common::bundled_content;

async fn start_with(discord: &FakeDiscord, env: Vec<(&str, String)>) -> Bot {
    Bot::start(
        discord,
        BotOptions {
            content: &bundled_content(),
            env,
        },
    )
    .await
}

fn ask_interaction(member: u64) -> Value {
    fake::slash_command(
        "ask",
        json!([{ "name": "question", "type": 3, "value": "is heparin a blood thinner" }]),
        &Member::regular(member),
    )
}

fn callback_path(interaction: &Value) -> String {
    format!(
        "/interactions/{}/{}/callback",
        interaction["id"].as_str().unwrap(),
        interaction["token"].as_str().unwrap()
    )
}

/// Every callback request made for `interaction`, in order.
fn callbacks(discord: &FakeDiscord, interaction: &Value) -> Vec<Recorded> {
    let path = callback_path(interaction);
    discord
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

/// Sends `interaction` and waits for its callback to be delivered (answered with 204),
/// however many failed attempts come first.
async fn send_and_wait_delivered(
    discord: &FakeDiscord,
    bot: &Bot,
    interaction: &Value,
) -> Recorded {
    discord.send_interaction(interaction.clone()).await;
    let path = callback_path(interaction);
    discord
        .wait_for_request(|r| r.path == path && r.response_status == 204, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("not delivered: {e}\nlog:\n{}", bot.log()))
}

/// Asks, and waits for the successful answer.
async fn assert_answered(discord: &FakeDiscord, bot: &Bot, member: u64) -> Recorded {
    let interaction = ask_interaction(member);
    let answered = send_and_wait_delivered(discord, bot, &interaction).await;
    let body = answered.body.as_ref().unwrap();
    // On a loaded machine the answer may come as "thinking", then an edit.
    let content = if body["type"] == 5 {
        edited_response(discord, &interaction, bot).await
    } else {
        body["data"]["content"].as_str().unwrap().to_string()
    };
    assert!(
        content.contains("Heparin is an injectable blood thinner"),
        "{content}"
    );
    answered
}

fn assert_no_double_answers(discord: &FakeDiscord) {
    assert!(
        discord.answered_twice().is_empty(),
        "answered twice: {:?}",
        discord.answered_twice()
    );
    assert!(
        discord.schema_violations().is_empty(),
        "{:#?}",
        discord.schema_violations()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_reply_is_delivered_after_the_wait_once() {
    for global in [false, true] {
        let discord = FakeDiscord::start().await;
        let bot = start_with(&discord, vec![]).await;
        let interaction = ask_interaction(4001);
        discord.fail_next(
            RouteMatch::Path(callback_path(&interaction)),
            Fault::RateLimited {
                retry_after: 0.6,
                global,
            },
            1,
        );
        send_and_wait_delivered(&discord, &bot, &interaction).await;
        let attempts = callbacks(&discord, &interaction);
        assert_eq!(
            attempts.len(),
            2,
            "one 429, then one delivery: {attempts:?}"
        );
        assert_eq!(attempts[0].response_status, 429);
        let waited = attempts[1]
            .received_at
            .duration_since(attempts[0].received_at);
        assert!(
            waited >= Duration::from_millis(600),
            "retried after {waited:?}, before retry_after"
        );
        assert_no_double_answers(&discord);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_and_resets_are_retried_with_backoff() {
    let discord = FakeDiscord::start().await;
    let bot = start_with(&discord, vec![]).await;
    let interaction = ask_interaction(4002);
    let route = || RouteMatch::Path(callback_path(&interaction));
    discord.fail_next(route(), Fault::Status(500), 1);
    discord.fail_next(route(), Fault::ResetConnection, 1);
    discord.fail_next(route(), Fault::Status(503), 1);
    send_and_wait_delivered(&discord, &bot, &interaction).await;
    let attempts = callbacks(&discord, &interaction);
    let successes = attempts.iter().filter(|r| r.response_status == 204).count();
    assert_eq!(successes, 1, "{attempts:?}");
    assert_eq!(attempts.len(), 4, "{attempts:?}");
    // Each retry waits at least its backoff (200 ms, doubling) after the failed attempt;
    // only lower bounds, as a loaded machine can only make the gaps longer.
    let gaps: Vec<Duration> = attempts
        .windows(2)
        .map(|w| w[1].received_at.duration_since(w[0].received_at))
        .collect();
    for (i, gap) in gaps.iter().enumerate() {
        let backoff = Duration::from_millis(200 << i);
        assert!(
            *gap >= backoff,
            "retry {i} after {gap:?}, before its backoff {backoff:?}: {gaps:?}"
        );
    }
    assert_no_double_answers(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_that_keeps_failing_is_given_up_with_a_log_line_and_the_bot_carries_on() {
    let discord = FakeDiscord::start().await;
    let mut bot = start_with(&discord, vec![]).await;
    let doomed = ask_interaction(4003);
    discord.fail_next(
        RouteMatch::Path(callback_path(&doomed)),
        Fault::Status(503),
        50,
    );
    discord.send_interaction(doomed.clone()).await;

    let deadline = Instant::now() + PATIENCE;
    while !bot.log().contains("giving up") && !bot.log().contains("deadline would pass") {
        assert!(
            Instant::now() < deadline,
            "no give-up line in the log:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let attempts = callbacks(&discord, &doomed);
    assert!(
        attempts.len() >= 2,
        "retried before giving up: {attempts:?}"
    );
    assert!(attempts.iter().all(|r| r.response_status == 503));
    assert!(bot.is_running(), "a failed reply never takes the bot down");
    assert_answered(&discord, &bot, 4004).await;
    assert_no_double_answers(&discord);
}

/// How many times the bot has identified or resumed so far.
fn handshakes(discord: &FakeDiscord) -> usize {
    discord.identifies().len() + discord.resumes().len()
}

/// Waits until the bot has identified or resumed again after `before` handshakes, then
/// checks that the next question is answered.
async fn assert_reconnected(
    discord: &FakeDiscord,
    bot: &Bot,
    before: usize,
    after_what: &str,
    member: u64,
) {
    let deadline = Instant::now() + PATIENCE;
    while handshakes(discord) == before {
        assert!(
            Instant::now() < deadline,
            "no reconnect after {after_what}:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_answered(discord, bot, member).await;
}

/// The session survives each gateway fault: the shard resumes or identifies again, and
/// the next question is answered.
#[tokio::test(flavor = "multi_thread")]
async fn the_bot_survives_dropped_connections_reconnect_requests_and_invalid_sessions() {
    let discord = FakeDiscord::start().await;
    let bot = start_with(&discord, vec![]).await;
    assert_answered(&discord, &bot, 4010).await;

    let (before, resumes) = (handshakes(&discord), discord.resumes().len());
    discord.drop_connection().await;
    assert_reconnected(&discord, &bot, before, "a dropped connection", 4011).await;
    let (before, resumes) = (
        handshakes(&discord),
        resumes_since(&discord, resumes, "a dropped connection"),
    );
    discord.send_reconnect().await;
    assert_reconnected(&discord, &bot, before, "RECONNECT", 4012).await;
    let (before, resumes) = (
        handshakes(&discord),
        resumes_since(&discord, resumes, "RECONNECT"),
    );
    discord.send_invalid_session(true).await;
    assert_reconnected(&discord, &bot, before, "a resumable INVALID_SESSION", 4013).await;
    resumes_since(&discord, resumes, "a resumable INVALID_SESSION");

    let identifies = discord.identifies().len();
    discord.send_invalid_session(false).await;
    assert_reconnected(
        &discord,
        &bot,
        handshakes(&discord),
        "a closed INVALID_SESSION",
        4014,
    )
    .await;
    assert!(
        discord.identifies().len() > identifies,
        "a session that cannot resume starts anew"
    );
    assert_no_double_answers(&discord);
}

/// Asserts the last reconnect was a resume; returns the resume count now.
fn resumes_since(discord: &FakeDiscord, before: usize, after_what: &str) -> usize {
    let now = discord.resumes().len();
    assert!(now > before, "{after_what} should end in a resume");
    now
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zombie_connection_is_noticed_and_replaced() {
    let discord = FakeDiscord::start().await;
    discord.set_heartbeat_interval(700);
    let bot = start_with(&discord, vec![]).await;
    assert_answered(&discord, &bot, 4020).await;

    let before = handshakes(&discord);
    discord.set_heartbeat_acks(false);
    let deadline = Instant::now() + PATIENCE;
    while handshakes(&discord) == before {
        assert!(
            Instant::now() < deadline,
            "the bot kept talking to a silent connection:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    discord.set_heartbeat_acks(true);
    assert_answered(&discord, &bot, 4021).await;
    assert_no_double_answers(&discord);
}

/// Serenity resumes or identifies at once after most codes; after 4003 it notices the
/// closed socket at its next heartbeat, so the interval is short here.
#[tokio::test(flavor = "multi_thread")]
async fn close_codes_4000_to_4009_lead_to_a_resume_or_a_new_session() {
    let discord = FakeDiscord::start().await;
    discord.set_heartbeat_interval(1000);
    let bot = start_with(&discord, vec![]).await;
    for (round, code) in [4000u16, 4001, 4002, 4003, 4005, 4006, 4007, 4008, 4009]
        .into_iter()
        .enumerate()
    {
        let before = handshakes(&discord);
        discord.close_with(code).await;
        assert_reconnected(
            &discord,
            &bot,
            before,
            &format!("close code {code}"),
            4100 + round as u64,
        )
        .await;
    }
    assert_no_double_answers(&discord);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_stops_the_bot_with_a_clear_message_and_no_reconnect_loop() {
    let discord = FakeDiscord::start().await;
    let bot = start_with(&discord, vec![]).await;
    discord.close_with(4004).await;
    let code = {
        let deadline = Instant::now() + PATIENCE;
        let mut bot = bot;
        loop {
            if !bot.is_running() {
                break bot;
            }
            assert!(
                Instant::now() < deadline,
                "the bot did not stop after 4004:\n{}",
                bot.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let log = code.log();
    assert!(
        log.contains("Discord rejected the token (gateway close code 4004)"),
        "{log}"
    );
    assert!(
        !log.contains(FakeDiscord::token()),
        "the token is never printed"
    );
    assert_eq!(code.terminate(), Some(1));
    assert_eq!(discord.identifies().len(), 1, "no reconnect loop");
}

/// An address that answers, but not as Discord's API would, is a setting to fix: the bot
/// stops at once and says what is wrong, instead of retrying forever with a warning.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_api_path_or_a_rejected_token_stops_the_bot_with_the_fix() {
    let discord = FakeDiscord::start().await;
    let wrong_path = vec![(
        "DISCORD_API_URL",
        format!("{}/discord-proxy", discord.api_url()),
    )];
    // Well formed, but not the token the fake accepts.
    let other_token = "MTAxMjM0NTY3ODkw.GhIjKl.abcdefghijklmnopqrstuvwxyz_-0123";
    let wrong_token = vec![("DISCORD_TOKEN", other_token.to_string())];
    for (env, expected) in [
        (
            wrong_path,
            "DISCORD_API_URL has no /api/v10/gateway (HTTP 404)",
        ),
        (
            wrong_token,
            "HTTP 401 to GET /api/v10/gateway: the token, or the proxy's",
        ),
    ] {
        let content = bundled_content();
        let mut bot = Bot::spawn(
            &discord,
            BotOptions {
                content: &content,
                env,
            },
        );
        assert_eq!(bot.wait_exit(PATIENCE), Some(1));
        bot.wait_log(expected, 1);
        assert!(
            !bot.log().contains(other_token),
            "the token is never printed"
        );
    }
    assert!(discord.identifies().is_empty(), "no shard connected");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interaction_is_answered_once_even_when_delivered_again_after_a_resume() {
    let discord = FakeDiscord::start().await;
    let bot = start_with(&discord, vec![]).await;
    let interaction = ask_interaction(4030);
    // The first callback fails on Discord's side; the retry delivers it.
    discord.fail_next(
        RouteMatch::Path(callback_path(&interaction)),
        Fault::Status(500),
        1,
    );
    send_and_wait_delivered(&discord, &bot, &interaction).await;

    let resumes = discord.resumes().len();
    discord.drop_connection().await;
    discord
        .wait_resumes(resumes + 1, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", bot.log()));
    // Discord may deliver an event again after a resume.
    discord.send_interaction(interaction.clone()).await;
    assert_answered(&discord, &bot, 4031).await;
    // The log comes through a pipe, after the repeated delivery was turned away.
    bot.wait_log("ignored a repeated delivery", 1);

    let successes = callbacks(&discord, &interaction)
        .iter()
        .filter(|r| r.response_status == 204)
        .count();
    assert_eq!(successes, 1);
    assert_eq!(
        callbacks(&discord, &interaction).len(),
        2,
        "the repeated delivery caused no attempt at all"
    );
    assert_no_double_answers(&discord);
}

/// A registration Discord answers with its rate limit or its own error (passed back as
/// errors when a proxy stands between, as here) is tried again until it is taken: the
/// commands are not left unregistered until the next start.
#[tokio::test(flavor = "multi_thread")]
async fn a_command_registration_refused_for_a_while_is_tried_again() {
    let discord = FakeDiscord::start().await;
    let route = RouteMatch::MethodPath("PUT", "/applications/{app}/guilds/{guild}/commands");
    discord.fail_next(
        route.clone(),
        Fault::RateLimited {
            retry_after: 0.5,
            global: false,
        },
        1,
    );
    discord.fail_next(route, Fault::Status(502), 1);
    let bot = Bot::spawn(
        &discord,
        BotOptions {
            content: &bundled_content(),
            env: vec![],
        },
    );
    bot.wait_log("slash commands registered", 1);
    let log = bot.log();
    assert_eq!(
        log.matches("registering slash commands failed; trying again")
            .count(),
        2,
        "{log}"
    );
    assert!(
        !discord
            .registered_commands(Some(FakeDiscord::GUILD_ID))
            .is_empty(),
        "{log}"
    );
}

/// Registering the commands can be slow (a rate-limited or lagging Discord); members'
/// questions must not wait for it, since commands registered before keep working.
#[tokio::test(flavor = "multi_thread")]
async fn questions_are_answered_while_the_command_registration_is_still_waiting() {
    let discord = FakeDiscord::start().await;
    discord.fail_next(
        RouteMatch::MethodPath("PUT", "/applications/{app}/guilds/{guild}/commands"),
        Fault::Delay(Duration::from_secs(60)),
        1,
    );
    let bot = Bot::spawn(
        &discord,
        BotOptions {
            content: &bundled_content(),
            env: vec![],
        },
    );
    if let Err(error) = discord.wait_connected(PATIENCE).await {
        panic!("the bot did not connect: {error}\nlog:\n{}", bot.log());
    }
    let asked = Instant::now();
    assert_answered(&discord, &bot, 4100).await;
    let log = bot.log();
    assert!(
        !log.contains("slash commands registered")
            && !log.contains("registering slash commands failed"),
        "the answer waited for the registration ({:?})\nlog:\n{log}",
        asked.elapsed()
    );
    assert_no_double_answers(&discord);
}
