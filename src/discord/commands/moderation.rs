//! Moderator commands: `/reload`, `/stale` and `/gaps`. Hidden from members by default
//! permissions, and checked again here, since a server's settings can override what
//! Discord shows.

use super::{Context, Error, defer, edit_pages, is_moderator, respond};
use crate::content::ReloadEvent;
use crate::discord::modlog::Trigger;
use crate::discord::rest::MessageBody;
use crate::render;

const NOT_A_MODERATOR: &str =
    "This command is for moderators (Manage Server, or the moderator role).";

/// The server-side check every moderator command starts with: when the member is not a
/// moderator, tells them so privately and returns true.
async fn refused_to_a_member(ctx: Context<'_>) -> Result<bool, Error> {
    if is_moderator(ctx.interaction, &ctx.data().config) {
        return Ok(false);
    }
    tracing::warn!(command = %ctx.command().name, "refused a moderator command to a member");
    respond(ctx, MessageBody::text(NOT_A_MODERATOR, true)).await?;
    Ok(true)
}

/// Re-read the content files now and report what changed or what is wrong.
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    if refused_to_a_member(ctx).await? {
        return Ok(());
    }
    // Reloading large content can outlast Discord's three seconds: acknowledge first.
    defer(ctx).await?;

    let store = data.store.clone();
    let event = match tokio::task::spawn_blocking(move || store.reload()).await? {
        Ok(changes) => {
            tracing::info!(%changes, "content reloaded by a moderator");
            ReloadEvent::Reloaded(changes)
        }
        Err(error) => {
            tracing::warn!(%error, "reload refused: the content has errors; the previous content keeps serving");
            ReloadEvent::Rejected(error.problems())
        }
    };
    let reply = render::render_reload_event(&event, false);
    data.modlog.report(event, Trigger::Command).await;
    edit_pages(ctx, vec![reply]).await
}

/// List articles whose review date has passed.
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn stale(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    if refused_to_a_member(ctx).await? {
        return Ok(());
    }
    let knowledge = data.store.current();
    let text = render::render_stale(knowledge.library(), chrono::Local::now().date_naive());
    respond(ctx, MessageBody::text(text, true)).await
}

/// The weeks `/gaps` covers: a month, enough to see a pattern, recent enough to act on.
const GAPS_WEEKS: u32 = 4;

/// Show which topics members most needed and did not get, over the last four weeks.
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn gaps(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    if refused_to_a_member(ctx).await? {
        return Ok(());
    }
    // Reading the counts can wait on the database file while another shard writes to
    // it: acknowledge first.
    defer(ctx).await?;
    let counts = data.counts.clone();
    let recent =
        tokio::task::spawn_blocking(move || counts.recent(chrono::Utc::now(), GAPS_WEEKS)).await?;
    let pages = match recent {
        Ok(topics) => render::render_gaps(&topics, GAPS_WEEKS),
        Err(error) => {
            tracing::error!(%error, "cannot read the feedback counts");
            vec![format!("I cannot read the counts right now: {error}")]
        }
    };
    edit_pages(ctx, pages).await
}
