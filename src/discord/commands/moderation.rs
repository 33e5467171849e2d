//! Moderator commands: `/reload` and `/stale`. Hidden from members by default
//! permissions, and checked again here, since a server's settings can override what
//! Discord shows.

use super::{Context, Error, is_moderator, respond};
use crate::answer;
use crate::discord::rest::MessageBody;

const NOT_A_MODERATOR: &str =
    "This command is for moderators (Manage Server, or the moderator role).";

/// Re-read the content files now and report what changed or what is wrong.
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    if !is_moderator(ctx.interaction, data.config.mod_role_id) {
        tracing::warn!(
            command = "reload",
            "refused a moderator command to a member"
        );
        return respond(ctx, MessageBody::text(NOT_A_MODERATOR, true)).await;
    }
    let store = data.store.clone();
    let result = tokio::task::spawn_blocking(move || store.reload()).await?;
    let report = match result {
        Ok(changes) => {
            tracing::info!(
                topics = changes.topics,
                passages = changes.passages,
                "content reloaded by a moderator"
            );
            changes.to_string()
        }
        Err(error) => {
            tracing::warn!(
                "reload refused: the content has errors; the previous content keeps serving"
            );
            answer::render_problems(
                "The content has errors, so nothing was reloaded: members still get the previous content.",
                &error.problems(),
            )
        }
    };
    respond(ctx, MessageBody::text(answer::fit_message(&report), true)).await
}

/// List articles whose review date has passed.
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn stale(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    if !is_moderator(ctx.interaction, data.config.mod_role_id) {
        tracing::warn!(command = "stale", "refused a moderator command to a member");
        return respond(ctx, MessageBody::text(NOT_A_MODERATOR, true)).await;
    }
    let knowledge = data.store.current();
    let text = answer::render_stale(knowledge.library(), chrono::Local::now().date_naive());
    respond(ctx, MessageBody::text(text, true)).await
}
