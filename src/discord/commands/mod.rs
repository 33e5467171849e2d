//! Lantern's slash commands, one file per family.

mod about;
mod ask;
mod moderation;
mod topics;

use std::sync::atomic::{AtomicBool, Ordering};

use serenity::all::{CommandInteraction, Permissions};

pub use ask::{Asked, answer_for, without_buttons};
pub use topics::{handle_read_topic, handle_topics_page};

use super::rest::MessageBody;
use super::{Context, Data, Error};
use crate::config::BotConfig;

/// Every command Lantern registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        topics::topics(),
        topics::topic(),
        moderation::reload(),
        moderation::stale(),
        moderation::gaps(),
        about::about(),
        about::privacy(),
    ]
}

/// Whether a reply should be private: the member's `share` choice, else the server's default.
fn private(data: &Data, share: Option<bool>) -> bool {
    share.map_or(data.config.ephemeral_default, |share| !share)
}

/// Answers the command's interaction through the retrying reply path, and tells poise
/// the first response is sent so anything after it goes out as a follow-up.
async fn respond(ctx: Context<'_>, message: MessageBody) -> Result<(), Error> {
    ctx.data()
        .rest
        .respond(ctx.interaction.id.get(), &ctx.interaction.token, &message)
        .await?;
    ctx.has_sent_initial_response.store(true, Ordering::SeqCst);
    Ok(())
}

/// Answers the command with `pages` (a text too long for one message): the first as the
/// response, the rest as follow-ups, in order.
async fn respond_pages(ctx: Context<'_>, pages: Vec<String>, ephemeral: bool) -> Result<(), Error> {
    let responded = &ctx.has_sent_initial_response;
    send_pages(
        ctx.data(),
        Interaction::of(ctx),
        pages,
        ephemeral,
        Some(responded),
    )
    .await
}

/// Acknowledges the command at once, privately ("thinking…"), for work that can outlast
/// Discord's three seconds; the answer then comes by [`edit_pages`].
async fn defer(ctx: Context<'_>) -> Result<(), Error> {
    let interaction = ctx.interaction;
    ctx.data()
        .rest
        .defer(interaction.id.get(), &interaction.token, true)
        .await?;
    ctx.has_sent_initial_response.store(true, Ordering::SeqCst);
    Ok(())
}

/// Answers a deferred command with `pages`: the first replaces "thinking…", the rest
/// follow, in order.
async fn edit_pages(ctx: Context<'_>, pages: Vec<String>) -> Result<(), Error> {
    let (data, interaction) = (ctx.data(), Interaction::of(ctx));
    let mut pages = pages.into_iter();
    let first = MessageBody::text(pages.next().unwrap_or_default(), true);
    data.rest
        .edit_original(interaction.application_id, interaction.token, &first)
        .await?;
    follow_up_pages(data, interaction, pages, true).await
}

/// What answering an interaction (a command or a button click) needs.
#[derive(Debug, Clone, Copy)]
struct Interaction<'a> {
    id: u64,
    application_id: u64,
    token: &'a str,
}

impl<'a> Interaction<'a> {
    fn of(ctx: Context<'a>) -> Interaction<'a> {
        Interaction {
            id: ctx.interaction.id.get(),
            application_id: ctx.interaction.application_id.get(),
            token: &ctx.interaction.token,
        }
    }
}

/// Answers `interaction` with `pages`: the first as the response, the rest as
/// follow-ups, in order. `responded` (a command's flag for poise and the error handler)
/// is set once the first is sent, so an error after it is told as a follow-up.
async fn send_pages(
    data: &Data,
    interaction: Interaction<'_>,
    pages: Vec<String>,
    ephemeral: bool,
    responded: Option<&AtomicBool>,
) -> Result<(), Error> {
    let mut pages = pages.into_iter();
    let first = MessageBody::text(pages.next().unwrap_or_default(), ephemeral);
    data.rest
        .respond(interaction.id, interaction.token, &first)
        .await?;
    if let Some(responded) = responded {
        responded.store(true, Ordering::SeqCst);
    }
    follow_up_pages(data, interaction, pages, ephemeral).await
}

/// Sends `pages` after the first response to `interaction`, in order.
async fn follow_up_pages(
    data: &Data,
    interaction: Interaction<'_>,
    pages: impl Iterator<Item = String>,
    ephemeral: bool,
) -> Result<(), Error> {
    for page in pages {
        let message = MessageBody::text(page, ephemeral);
        data.rest
            .follow_up(interaction.application_id, interaction.token, &message)
            .await?;
    }
    Ok(())
}

/// The server-side moderator check: Manage Server (or Administrator) in the permissions
/// Discord computed for this member in this channel, or the configured moderator role;
/// and, when `LANTERN_GUILD_ID` names the community's server, in that server: whoever
/// manages some other server the bot was added to moderates nothing here. Hiding the
/// command from members is Discord's UI only; this is what actually decides.
pub fn is_moderator(interaction: &CommandInteraction, config: &BotConfig) -> bool {
    let Some(member) = &interaction.member else {
        return false;
    };
    let in_the_community = config
        .guild_id
        .is_none_or(|guild| interaction.guild_id.is_some_and(|id| id.get() == guild));
    if !in_the_community {
        return false;
    }
    let mod_role_id = config.mod_role_id;
    let by_permission = member.permissions.is_some_and(|p| {
        p.contains(Permissions::MANAGE_GUILD) || p.contains(Permissions::ADMINISTRATOR)
    });
    let by_role = mod_role_id.is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
    by_permission || by_role
}
