//! Load benchmark: a burst of 1,000 `/ask` interactions from 200 members through the fake
//! Discord on 127.0.0.1, against the release `lantern run` process.
//!
//! Run with `cargo bench --bench load`. For each interaction it measures the time from the
//! gateway dispatch (just before the fake sends INTERACTION_CREATE) to the bot's callback
//! arriving at the fake's REST API, so it includes both loopback hops; and the time until
//! the member has the answer: the callback itself, or, for a deferred question (response
//! type 5), the edit that puts the answer in place. It reports p50, p99 and max of both
//! over the burst, how many were deferred, and the bot's resident memory before the
//! burst and at its peak (`VmHWM`). The cooldown is off, so every question is answered in full: the
//! heaviest case. Figures are per run over three fresh bots; nothing is enforced.

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use support::bot::{Bot, BotOptions};
use support::fake_discord::{self as fake, FakeDiscord, Member};

const MEMBERS: u64 = 200;
const QUESTIONS: usize = 1_000;
const RUNS: usize = 3;

const QUESTIONS_ASKED: &[&str] = &[
    "is heparin a blood thinner",
    "what are the signs of a miscarriage",
    "side effects of heparin",
    "how common is miscarriage",
    "how do I make pancakes",
];

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    println!(
        "run   callback p50 / p99 / max          answer p50 / p99 / max            deferred   memory before / peak"
    );
    for run in 1..=RUNS {
        runtime.block_on(burst(run));
    }
}

async fn burst(run: usize) {
    let discord = FakeDiscord::start().await;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let bot = Bot::start(
        &discord,
        BotOptions {
            content: &content,
            env: vec![
                ("RUST_LOG", "warn".to_string()),
                ("LANTERN_WATCH_CONTENT", "false".to_string()),
            ],
        },
    )
    .await;
    let before = memory_kib(bot.pid(), "VmRSS");

    let mut dispatched: HashMap<String, Instant> = HashMap::with_capacity(QUESTIONS);
    let mut by_token: HashMap<String, String> = HashMap::with_capacity(QUESTIONS);
    for i in 0..QUESTIONS {
        let member = Member::regular(30_000 + (i as u64 % MEMBERS));
        let question = QUESTIONS_ASKED[i % QUESTIONS_ASKED.len()];
        let interaction = fake::slash_command(
            "ask",
            json!([{ "name": "question", "type": 3, "value": question }]),
            &member,
        );
        let id = interaction["id"].as_str().unwrap().to_string();
        by_token.insert(
            interaction["token"].as_str().unwrap().to_string(),
            id.clone(),
        );
        dispatched.insert(id, Instant::now());
        discord.send_interaction(interaction).await;
    }
    let callbacks = discord
        .wait_for_requests(
            QUESTIONS,
            |r| r.path.ends_with("/callback") && r.response_status == 204,
            Duration::from_secs(120),
        )
        .await
        .unwrap_or_else(|e| panic!("the burst was not answered: {e}\n{}", bot.log()));

    let since_dispatch = |id: &str, at: Instant| Some(at.duration_since(*dispatched.get(id)?));
    let mut answered: HashMap<String, Instant> = HashMap::with_capacity(QUESTIONS);
    let mut latencies: Vec<Duration> = Vec::with_capacity(QUESTIONS);
    let mut deferred = 0;
    for r in &callbacks {
        let Some(id) = r.path.split('/').nth(2) else {
            continue;
        };
        latencies.extend(since_dispatch(id, r.received_at));
        if r.body.as_ref().is_some_and(|b| b["type"] == 5) {
            deferred += 1;
        } else {
            answered.insert(id.to_string(), r.received_at);
        }
    }
    let edits = discord
        .wait_for_requests(
            deferred,
            |r| r.method == "PATCH" && r.path.ends_with("/messages/@original"),
            Duration::from_secs(120),
        )
        .await
        .unwrap_or_else(|e| panic!("a deferred answer never came: {e}\n{}", bot.log()));
    for r in &edits {
        let token = r.path.split('/').nth(3).unwrap_or_default();
        if let Some(id) = by_token.get(token) {
            answered.insert(id.clone(), r.received_at);
        }
    }
    let mut answers: Vec<Duration> = answered
        .iter()
        .filter_map(|(id, at)| since_dispatch(id, *at))
        .collect();
    latencies.sort();
    answers.sort();
    let peak = memory_kib(bot.pid(), "VmHWM");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let summary = |sorted: &[Duration]| {
        let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
        format!(
            "{:>7.1} / {:>7.1} / {:>7.1} ms",
            ms(at(0.50)),
            ms(at(0.99)),
            ms(*sorted.last().unwrap())
        )
    };
    println!(
        "{run:<5} {}   {}   {:>4}/{}   {:.1} / {:.1} MiB",
        summary(&latencies),
        summary(&answers),
        deferred,
        latencies.len(),
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    assert_eq!(
        discord.answered_twice().len(),
        0,
        "an interaction was answered twice"
    );
    let _ = bot.terminate();
}

/// A field of `/proc/<pid>/status`, in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
