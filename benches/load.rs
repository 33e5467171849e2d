//! Load benchmark: a burst of 1,000 `/ask` interactions from 200 members through the fake
//! Discord on 127.0.0.1, against the release `lantern run` process.
//!
//! Run with `cargo bench --bench load`. For each interaction it measures the time from the
//! gateway dispatch (just before the fake sends INTERACTION_CREATE) to the bot's callback
//! arriving at the fake's REST API, so it includes both loopback hops. It reports p50,
//! p99 and max over the burst, and the bot's resident memory before the burst and at its
//! peak (`VmHWM`). The cooldown is off, so every question is answered in full: the
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
    println!("run   questions   p50        p99        max        memory before   memory peak");
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
    for i in 0..QUESTIONS {
        let member = Member::regular(30_000 + (i as u64 % MEMBERS));
        let question = QUESTIONS_ASKED[i % QUESTIONS_ASKED.len()];
        let interaction = fake::slash_command(
            "ask",
            json!([{ "name": "question", "type": 3, "value": question }]),
            &member,
        );
        dispatched.insert(
            interaction["id"].as_str().unwrap().to_string(),
            Instant::now(),
        );
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

    let mut latencies: Vec<Duration> = callbacks
        .iter()
        .filter_map(|r| {
            let id = r.path.split('/').nth(2)?;
            Some(r.received_at.duration_since(*dispatched.get(id)?))
        })
        .collect();
    latencies.sort();
    let peak = memory_kib(bot.pid(), "VmHWM");
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{run:<5} {:>9}   {:<10} {:<10} {:<10} {:>9} MiB   {:>9} MiB",
        latencies.len(),
        format!("{:.2} ms", at(0.50).as_secs_f64() * 1000.0),
        format!("{:.2} ms", at(0.99).as_secs_f64() * 1000.0),
        format!("{:.2} ms", latencies.last().unwrap().as_secs_f64() * 1000.0),
        format!("{:.1}", before as f64 / 1024.0),
        format!("{:.1}", peak as f64 / 1024.0),
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
