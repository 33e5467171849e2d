//! Lantern on Discord: slash commands, mentions and direct messages.
//!
//! Structure follows the poise examples: one file per command family under
//! [`commands`], one shared [`Data`], one error handler in [`errors`]. Every reply goes
//! through [`rest::DiscordRest`] with the text rendered by [`crate::answer`], so members
//! on Discord read exactly what `lantern ask` prints.

mod commands;
mod cooldown;
mod errors;
mod events;
mod modlog;
pub mod rest;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{ClientBuilder, Command, GatewayIntents, GuildId, HttpBuilder};

use crate::config::{BotConfig, DISCORD_API_DEFAULT};
use crate::content::watch;
use crate::store::KnowledgeStore;
use cooldown::Cooldowns;
use modlog::{ModLog, Trigger};
use rest::DiscordRest;

/// What every command and event handler shares.
pub struct Data {
    pub store: Arc<KnowledgeStore>,
    pub rest: DiscordRest,
    pub cooldowns: Cooldowns,
    pub modlog: Arc<ModLog>,
    pub config: BotConfig,
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

/// Connects to Discord and answers until Ctrl-C or SIGTERM, then closes the shards
/// cleanly and returns.
pub async fn run(config: BotConfig, store: Arc<KnowledgeStore>) -> anyhow::Result<()> {
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
    let guild_id = config.guild_id;
    let modlog = Arc::new(ModLog::new(rest.clone(), config.mod_log_channel_id));

    // Saved files reach members without a restart; without a watcher, /reload still works.
    let watcher = if config.watch_content {
        watch::watch(store.clone(), {
        let modlog = modlog.clone();
        move |event| {
            let modlog = modlog.clone();
            tokio::spawn(async move { modlog.report(&event, Trigger::Watcher).await });
        }
        })
        .map_err(|error| tracing::error!(%error, "cannot watch the content folder; changes need /reload"))
        .ok()
    } else {
        None
    };
    if watcher.is_some() {
        tracing::info!(folder = %watch::watched_folder(&store).display(), "watching the content folder");
    }

    let data = Data {
        store,
        rest,
        cooldowns: Cooldowns::new(Duration::from_secs(config.cooldown_seconds)),
        modlog,
        config,
    };

    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(errors::on_error(error)),
            event_handler: |framework, event| Box::pin(events::handle(framework, event)),
            allowed_mentions: Some(serenity::all::CreateAllowedMentions::new()),
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(shard = ?ready.shard, "connected to Discord");
                let commands =
                    poise::builtins::create_application_commands(&framework.options().commands);
                // A failed registration must not stop the bot: commands registered before
                // keep working, and mentions and DMs need no registration.
                let registered = match guild_id {
                    Some(id) => GuildId::new(id).set_commands(ctx, commands).await,
                    None => Command::set_global_commands(ctx, commands).await,
                };
                match registered {
                    Ok(commands) => tracing::info!(
                        count = commands.len(),
                        scope = if guild_id.is_some() {
                            "server"
                        } else {
                            "global"
                        },
                        "slash commands registered"
                    ),
                    Err(error) => tracing::error!(%error, "registering slash commands failed"),
                }
                Ok(data)
            })
        })
        .build();

    let mut client = ClientBuilder::new_with_http(http.build(), intents())
        .framework(framework)
        .await
        .context("creating the Discord client")?;

    let shard_manager = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: closing the connection to Discord");
        shard_manager.shutdown_all().await;
    });
    client
        .start()
        .await
        .context("the connection to Discord failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C, or SIGTERM on Unix (what service managers and containers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
