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
    let facts = render::AboutFacts {
        answered: data.stats.answered(),
        not_found: data.stats.not_found(),
        answers_private: data.config.ephemeral_default,
        question_hold_seconds: data
            .forwarding_channel(ctx.interaction.guild_id.map(|id| id.get()))
            .map(|_| data.config.question_hold_seconds),
        replay_memory_seconds: crate::discord::seen::REPLAY_MEMORY.as_secs(),
        questions_logged: crate::config::questions_logged(),
    };
    let text = render::render_about(knowledge.library(), facts);
    respond(ctx, MessageBody::text(text, true)).await
}
