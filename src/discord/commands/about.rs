//! `/about` and `/privacy`: what Lantern is, what it keeps, where its words come from.

use super::{Context, Error, respond};
use crate::discord::rest::MessageBody;
use crate::render;

/// What Lantern is, what it keeps, and where its content comes from.
#[poise::command(slash_command)]
pub async fn about(ctx: Context<'_>) -> Result<(), Error> {
    about_inner(ctx).await
}

/// What Lantern stores about you (nothing of your questions).
#[poise::command(slash_command)]
pub async fn privacy(ctx: Context<'_>) -> Result<(), Error> {
    about_inner(ctx).await
}

async fn about_inner(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let knowledge = data.store.current();
    let text = render::render_about(
        knowledge.library(),
        data.stats.answered(),
        data.stats.not_found(),
        data.config.ephemeral_default,
        data.forwarding_channel(ctx.interaction.guild_id.map(|id| id.get()))
            .map(|_| data.config.question_hold_seconds),
    );
    respond(ctx, MessageBody::text(text, true)).await
}
