//! Lantern on Discord: slash commands, mentions and direct messages.
//!
//! Structure follows the poise examples: one file per command family under
//! [`commands`], one shared [`Data`], one error handler in [`errors`]. Every reply goes
//! through [`rest::DiscordRest`] with the text rendered by [`crate::render`], so members
//! on Discord read exactly what `lantern ask` prints.

mod commands;
mod cooldown;
mod errors;
mod events;
mod expiring;
mod feedback;
mod gateway;
mod modlog;
pub mod rest;
mod seen;
mod shutdown;
mod stats;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{ClientBuilder, Command, GatewayIntents, GuildId, HttpBuilder};

use crate::config::{BotConfig, DISCORD_API_DEFAULT, Shards};
use crate::feedback::FeedbackCounts;
use crate::live::KnowledgeStore;
use crate::live::watch::{self, ContentWatcher, WatchMode};
use cooldown::Cooldowns;
use feedback::HeldQuestions;
use modlog::{ModLog, Trigger};
use rest::DiscordRest;
use seen::{Recent, Seen};
pub use shutdown::Signals;
use shutdown::{InFlight, Tracked};
use stats::Stats;

/// What every command and event handler shares.
pub struct Data {
    pub store: Arc<KnowledgeStore>,
    pub rest: DiscordRest,
    pub cooldowns: Cooldowns,
    pub modlog: Arc<ModLog>,
    /// Interactions and messages already handled: a replay is never answered again.
    pub seen: Recent,
    pub stats: Arc<Stats>,
    /// Counts per topic and week, kept for `/gaps` (never text, names or ids).
    pub counts: Arc<FeedbackCounts>,
    /// Questions waiting, in memory only, for their askers' choice to send them on.
    pub held: HeldQuestions,
    /// Answers already rated (by the id of Lantern's reply), so a rating counts once even if a
    /// stale client still shows the buttons enabled.
    pub rated: Seen,
    /// Topics already opened from a reply's Read buttons (by the reply and topic), so
    /// `/gaps` counts each once however often it is clicked.
    pub opened: Seen,
    /// One permit per core for reading questions: under a burst the rest wait their turn
    /// instead of starving the async workers, whose timers must still defer on time.
    pub readers: Arc<tokio::sync::Semaphore>,
    /// The server the moderators' channel belongs to: `LANTERN_GUILD_ID`, or learnt from
    /// Discord on connecting. Unknown until then, and no question is offered for sending.
    pub forwarding_server: Arc<OnceLock<u64>>,
    pub config: BotConfig,
}

impl Data {
    /// The moderators' channel a question asked in `server` may be sent to. Only a
    /// question asked in the server that channel belongs to: Lantern may serve other
    /// servers too, and their members never chose to tell these moderators anything; a
    /// direct message belongs to no community.
    pub fn forwarding_channel(&self, server: Option<u64>) -> Option<u64> {
        let channel = self.config.forward_channel_id()?;
        let from_its_server = server.is_some() && self.forwarding_server.get().copied() == server;
        from_its_server.then_some(channel)
    }
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Lantern's commands are slash commands only, so they get the interaction directly.
pub type Context<'a> = poise::ApplicationContext<'a, Data, Error>;

/// What Lantern asks Discord to send it. Message content arrives without the privileged
/// MESSAGE_CONTENT intent for the only messages Lantern reads: those that mention it,
/// and direct messages.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES
}

/// Connects to Discord and answers until Ctrl-C or SIGTERM, then closes the shards,
/// lets the replies in flight finish and returns within [`shutdown::GRACE`], whether
/// Discord is connected, unreachable or reconnecting. A second signal exits at once.
/// `signals` are listened for by the caller from before the content loaded, so a signal
/// while loading or connecting is a request to stop too.
pub async fn run(
    config: BotConfig,
    store: Arc<KnowledgeStore>,
    counts: Arc<FeedbackCounts>,
    mut signals: Signals,
) -> anyhow::Result<()> {
    let mut http = HttpBuilder::new(config.token.expose());
    if config.api_url != DISCORD_API_DEFAULT {
        // Serenity's rate limiter would talk to Discord directly, past the proxy; the proxy
        // (or test server) is trusted to pace requests, and the reply path retries 429s.
        http = http
            .proxy(config.api_url.clone())
            .ratelimiter_disabled(true);
    }
    let rest =
        DiscordRest::new(&config.api_url, &config.token).context("setting up the HTTP client")?;
    // Watching from the start: an edit saved while Discord is still out of reach must not
    // be missed.
    let in_flight = Arc::new(InFlight::default());
    let modlog = Arc::new(ModLog::start(
        rest.clone(),
        config.mod_log_channel_id,
        in_flight.clone(),
    ));
    let watcher = match config.watch_content {
        Some(mode) => start_watching(&store, mode, &modlog).await,
        None => None,
    };
    // Through a proxy or a test server, never past it to Discord's own gateway.
    let gateway_url = if config.api_url == DISCORD_API_DEFAULT {
        None
    } else {
        match gateway::wait_for_gateway(&rest, &mut signals).await? {
            Some(url) => Some(url),
            None => {
                tracing::info!("stopped before connecting to Discord");
                return Ok(());
            }
        }
    };
    let guild_id = config.guild_id;
    let registers_commands = config.shards.includes_first();
    let shards = config.shards;
    let stats = Arc::new(Stats::default());
    let data = Data {
        store,
        rest,
        cooldowns: Cooldowns::start(Duration::from_secs(config.cooldown_seconds)),
        modlog,
        seen: Recent::start(),
        stats: stats.clone(),
        counts,
        held: HeldQuestions::start(Duration::from_secs(config.question_hold_seconds)),
        rated: Seen::default(),
        opened: Seen::default(),
        readers: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )),
        forwarding_server: Arc::new(config.guild_id.map(OnceLock::from).unwrap_or_default()),
        config,
    };

    let framework = framework(data, guild_id, registers_commands);

    let framework = Tracked {
        framework,
        in_flight: in_flight.clone(),
    };
    let building = ClientBuilder::new_with_http(http.build(), intents()).framework(framework);
    let client = tokio::select! {
        client = building => client,
        () = signals.next() => {
            tracing::info!("stopped before connecting to Discord");
            return Ok(());
        }
    };
    let mut client = client.context("creating the Discord client")?;
    if let Some(url) = gateway_url {
        *client.ws_url.lock().await = url;
    }

    let shard_manager = client.shard_manager.clone();
    // The connection runs in its own task, so a signal can end the wait for it even while
    // serenity keeps retrying an unreachable Discord.
    let mut connection = tokio::spawn(async move {
        // Serenity starts shards `range.start..=range.end`, whatever `Range` suggests.
        match shards {
            Shards::Single => client.start().await,
            Shards::Auto => client.start_autosharded().await,
            Shards::Total(total) => client.start_shards(total).await,
            Shards::Range { first, last, total } => {
                client.start_shard_range(first..last, total).await
            }
        }
    });
    let connected = tokio::select! {
        joined = &mut connection => match joined {
            Ok(connected) => connected.map_err(explain_connection_error),
            Err(error) => Err(anyhow::Error::new(error).context("the connection to Discord failed")),
        },
        () = signals.next() => {
            tracing::info!("shutting down: closing the connection to Discord");
            shutdown::stop(shard_manager, &in_flight, &mut signals).await;
            connection.abort();
            Ok(())
        }
    };
    drop(watcher);
    tracing::info!(questions = %stats, "stopped");
    connected
}

/// The poise framework: commands, the one error handler, events, and on connecting,
/// command registration by the process that runs shard 0.
fn framework(
    data: Data,
    guild_id: Option<u64>,
    registers_commands: bool,
) -> poise::Framework<Data, Error> {
    poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(errors::on_error(error)),
            command_check: Some(|ctx| Box::pin(async move { Ok(first_delivery(ctx)) })),
            event_handler: |framework, event| Box::pin(events::handle(framework, event)),
            allowed_mentions: Some(serenity::all::CreateAllowedMentions::new()),
            // Lantern has no prefix commands: mentions are questions, handled in events.
            prefix_options: poise::PrefixFrameworkOptions {
                mention_as_prefix: false,
                ..Default::default()
            },
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(shard = ?ready.shard, "connected to Discord");
                // Only the process running shard 0 registers, so several processes do not
                // race to overwrite the same command set. In its own task: poise holds every
                // event until setup returns, and a slow or rate-limited registration must not
                // keep members' questions waiting (commands registered before still work).
                if registers_commands {
                    let commands =
                        poise::builtins::create_application_commands(&framework.options().commands);
                    let http = ctx.http.clone();
                    tokio::spawn(register_commands(http, commands, guild_id));
                } else {
                    tracing::info!("commands are registered by the process running shard 0");
                }
                if let (Some(channel), None) = (
                    data.config.forward_channel_id(),
                    data.forwarding_server.get(),
                ) {
                    let (http, server) = (ctx.http.clone(), data.forwarding_server.clone());
                    tokio::spawn(learn_forwarding_server(http, channel, server));
                }
                Ok(data)
            })
        })
        .build()
}

/// Registers the slash commands on one server, or globally. A failed registration must
/// not stop the bot: commands registered before keep working, and mentions and DMs need
/// no registration.
async fn register_commands(
    http: Arc<serenity::all::Http>,
    commands: Vec<serenity::all::CreateCommand>,
    guild_id: Option<u64>,
) {
    let registered = retried("registering slash commands", || async {
        match guild_id {
            Some(id) => GuildId::new(id).set_commands(&http, commands.clone()).await,
            None => Command::set_global_commands(&http, commands.clone()).await,
        }
    })
    .await;
    if let Some(commands) = registered {
        let scope = if guild_id.is_some() {
            "server"
        } else {
            "global"
        };
        tracing::info!(count = commands.len(), scope, "slash commands registered");
    }
}

/// Learns which server the moderators' channel belongs to, when `LANTERN_GUILD_ID` does
/// not say: until then no question is offered for sending, so none can reach the
/// moderators of another community.
async fn learn_forwarding_server(
    http: Arc<serenity::all::Http>,
    channel: u64,
    server: Arc<OnceLock<u64>>,
) {
    let found = retried("finding the server of the moderators' channel", || {
        serenity::all::ChannelId::new(channel).to_channel(&http)
    })
    .await;
    match found.and_then(|channel| channel.guild()) {
        Some(channel) => {
            let _ = server.set(channel.guild_id.get());
            tracing::info!(
                "questions asked in the moderators' channel's own server may be sent to it (set LANTERN_GUILD_ID if members ask in another server)"
            );
        }
        None => tracing::error!(
            "the moderators' channel (LANTERN_GAPS_CHANNEL_ID or LANTERN_MOD_LOG_CHANNEL_ID) is not a server channel Lantern can see, \
             so no question is offered for sending; set LANTERN_GUILD_ID to the channel's server, or check the channel id"
        ),
    }
}

/// Runs `request` until it succeeds, or fails in a way retrying cannot fix, or
/// [`ATTEMPTS`] times, and says why when it gives up.
async fn retried<T, F, Fut>(what: &str, mut request: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, serenity::Error>>,
{
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        match request().await {
            Ok(done) => return Some(done),
            Err(error) if attempt < ATTEMPTS && may_pass(&error) => {
                tracing::warn!(%error, attempt, wait_s = wait.as_secs(), "{what} failed; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(60));
            }
            Err(error) => {
                tracing::error!(%error, "{what} failed");
                return None;
            }
        }
    }
    None
}

/// How many times a request made on connecting is tried: with waits doubling from a
/// second, about a minute of a rate limit or an outage. With a proxy between (serenity's
/// own rate limiter off), a 429 comes back as an error and would otherwise leave the
/// commands unregistered until the next start. The waits double rather than follow
/// Discord's `Retry-After`: serenity's error keeps neither that header nor the body's
/// `retry_after`.
const ATTEMPTS: u32 = 7;

/// Whether a failed request may succeed when tried again: Discord's rate limit, its own
/// errors, or no answer at all; not a refusal such as missing access.
fn may_pass(error: &serenity::Error) -> bool {
    match error {
        serenity::Error::Http(http) => http
            .status_code()
            .is_none_or(|status| status.as_u16() == 429 || status.is_server_error()),
        _ => false,
    }
}

/// Reloads on file changes, reporting each reload to the moderators. Without a watcher
/// the bot still runs, and `/reload` still works.
async fn start_watching(
    store: &Arc<KnowledgeStore>,
    mode: WatchMode,
    modlog: &Arc<ModLog>,
) -> Option<ContentWatcher> {
    let modlog = modlog.clone();
    let report = move |event| modlog.tell(event, Trigger::Watcher);
    match watch::watch(store.clone(), mode, report).await {
        Ok(watcher) => {
            tracing::info!(folder = %watch::watched_folder(store).display(), ?mode, "watching the content folder");
            Some(watcher)
        }
        Err(error) => {
            tracing::error!(%error, "cannot watch the content folder; changes need /reload");
            None
        }
    }
}

/// A gateway failure that retrying cannot fix, said so the operator can act on it.
fn explain_connection_error(error: serenity::Error) -> anyhow::Error {
    use serenity::all::GatewayError;
    match error {
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => anyhow::anyhow!(
            "Discord rejected the token (gateway close code 4004): DISCORD_TOKEN is wrong or was reset. \
             Copy a new one from the Developer Portal (your app, Bot, Reset Token) into .env"
        ),
        serenity::Error::Gateway(
            GatewayError::InvalidGatewayIntents | GatewayError::DisallowedGatewayIntents,
        ) => {
            anyhow::anyhow!(
                "Discord refused the gateway intents (close code 4013 or 4014); Lantern asks for no privileged \
                 intents, so check that this build is unmodified"
            )
        }
        other => anyhow::Error::new(other).context("the connection to Discord failed"),
    }
}

/// Poise's command check: only the first delivery of an interaction runs its command.
fn first_delivery(ctx: poise::Context<'_, Data, Error>) -> bool {
    match ctx {
        poise::Context::Application(ctx) => {
            let first = ctx.data().seen.first_time(ctx.interaction.id.get());
            if !first {
                tracing::warn!(command = %ctx.command().name, "ignored a repeated delivery of an interaction");
            }
            first
        }
        poise::Context::Prefix(_) => true,
    }
}
