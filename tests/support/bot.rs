//! The real `lantern run` process, pointed at a [`FakeDiscord`], with its log captured.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::fake_discord::{FakeDiscord, Recorded};

/// How long any single wait in these tests may take before it is a failure. Generous,
/// because CI machines are shared; nothing here is a performance assertion.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running bot process.
pub struct Bot {
    child: Child,
    log: Arc<Mutex<String>>,
    _workdir: tempfile::TempDir,
}

/// Settings for one bot process.
pub struct BotOptions<'a> {
    pub content: &'a Path,
    pub env: Vec<(&'a str, String)>,
}

impl Bot {
    /// Starts `lantern run` against `fake` with the bundled test settings and waits until
    /// it has connected and registered its commands.
    pub async fn start(fake: &FakeDiscord, options: BotOptions<'_>) -> Bot {
        let bot = Bot::spawn(fake, options);
        if let Err(error) = fake.wait_connected(PATIENCE).await {
            panic!("the bot did not connect: {error}\nlog:\n{}", bot.log());
        }
        bot.wait_registered(fake).await;
        bot
    }

    /// Starts `lantern run` against `fake` without waiting for anything.
    pub fn spawn(fake: &FakeDiscord, options: BotOptions<'_>) -> Bot {
        let workdir = tempfile::tempdir().expect("temporary directory");
        let mut command = Command::new(env!("CARGO_BIN_EXE_lantern"));
        command
            .arg("run")
            .arg("--content")
            .arg(options.content)
            .current_dir(workdir.path())
            .env_clear()
            .env("DISCORD_TOKEN", FakeDiscord::token())
            .env("DISCORD_API_URL", fake.api_url())
            .env("LANTERN_GUILD_ID", FakeDiscord::GUILD_ID.to_string())
            .env("LANTERN_MOD_ROLE_ID", FakeDiscord::MOD_ROLE_ID.to_string())
            .env("LANTERN_COOLDOWN_SECONDS", "0")
            .env(
                "LANTERN_DATA_DIR",
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("vector-cache"),
            )
            .env("RUST_LOG", "lantern=debug,warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("lantern run starts");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Bot {
            child,
            log,
            _workdir: workdir,
        }
    }

    /// The process id, to read its memory use.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the bulk registration of the commands in the test server.
    pub async fn wait_registered(&self, fake: &FakeDiscord) -> Recorded {
        let path = format!(
            "/applications/{}/guilds/{}/commands",
            FakeDiscord::APPLICATION_ID,
            FakeDiscord::GUILD_ID
        );
        match fake
            .wait_for_request(|r| r.method == "PUT" && r.path == path, PATIENCE)
            .await
        {
            Ok(request) => request,
            Err(error) => panic!(
                "commands were not registered: {error}\nlog:\n{}",
                self.log()
            ),
        }
    }

    /// Everything the bot has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the bot did not stop after SIGTERM\nlog:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `signal` ("TERM", "INT") to the process, without waiting.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} {pid}");
    }

    /// Polls until the process ends, at most `within`; returns its exit code. Panics with
    /// the log (after killing the process) when it is still running then.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the bot was still running {within:?} later\nlog:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls the log until `pattern` has appeared `count` times, at most [`PATIENCE`].
    pub fn wait_log(&self, pattern: &str, count: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.log().matches(pattern).count() < count {
            assert!(
                Instant::now() < deadline,
                "{pattern:?} not logged {count} times\nlog:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The interaction's id, as a string, from a fixture.
pub fn interaction_id(interaction: &Value) -> String {
    interaction["id"]
        .as_str()
        .expect("interaction id")
        .to_string()
}

/// Waits for the bot's callback to `interaction`.
pub async fn callback_for(fake: &FakeDiscord, interaction: &Value, bot: &Bot) -> Recorded {
    let prefix = format!("/interactions/{}/", interaction_id(interaction));
    match fake
        .wait_for_request(
            |r| r.path.starts_with(&prefix) && r.path.ends_with("/callback"),
            PATIENCE,
        )
        .await
    {
        Ok(request) => request,
        Err(error) => panic!("no callback: {error}\nlog:\n{}", bot.log()),
    }
}

/// The text of the bot's edit of its first response to `interaction` (how a deferred
/// reply, or a clicked message, gets its final words), checking that it pings no one.
pub async fn edited_response(fake: &FakeDiscord, interaction: &Value, bot: &Bot) -> String {
    edit_of_original(fake, interaction, bot).await["content"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The body of the bot's first edit of its first response to `interaction`, checking that
/// it pings no one.
async fn edit_of_original(fake: &FakeDiscord, interaction: &Value, bot: &Bot) -> Value {
    let path = format!(
        "/webhooks/{}/{}/messages/@original",
        FakeDiscord::APPLICATION_ID,
        interaction["token"].as_str().unwrap()
    );
    let edit = fake
        .wait_for_request(|r| r.method == "PATCH" && r.path == path, PATIENCE)
        .await
        .unwrap_or_else(|e| panic!("no edit of the first response: {e}\n{}", bot.log()));
    let body = edit.body.expect("a JSON body");
    assert_eq!(body["allowed_mentions"], serde_json::json!({ "parse": [] }));
    body
}

/// Waits for the bot's answer to `interaction` (already sent): the callback's type and
/// the message. On a loaded machine `/ask` may say "thinking" first (type 5) and put the
/// answer in place by an edit; the message is then that edit, with the deferral's flags.
/// Checks that it pings no one.
pub async fn answer_to(fake: &FakeDiscord, interaction: &Value, bot: &Bot) -> (u64, Value) {
    let callback = callback_for(fake, interaction, bot).await;
    let body = callback.body.expect("a JSON body");
    let kind = body["type"].as_u64().expect("a callback type");
    let message = if kind == 5 {
        let mut edit = edit_of_original(fake, interaction, bot).await;
        edit["flags"] = body["data"]["flags"].clone();
        edit
    } else {
        body["data"].clone()
    };
    assert_eq!(
        message["allowed_mentions"],
        serde_json::json!({ "parse": [] }),
        "every message pings no one: {body}"
    );
    (kind, message)
}

/// Sends `interaction`, waits for the bot's answer, checks that it pings no one, and
/// returns the message text.
pub async fn reply_text(fake: &FakeDiscord, bot: &Bot, interaction: &Value) -> String {
    fake.send_interaction(interaction.clone()).await;
    let (_, message) = answer_to(fake, interaction, bot).await;
    message["content"]
        .as_str()
        .expect("message content")
        .to_string()
}
