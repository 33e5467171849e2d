//! `/ask`, and the answer shared with mentions and direct messages.

use std::time::Instant;

use super::{Context, Data, Error, private, respond};
use crate::discord::rest::MessageBody;
use crate::knowledge::Outcome;
use crate::render;
use crate::safety;

/// Ask a health question; Lantern quotes the article passage that answers it.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, in your own words"]
    #[max_length = 1000]
    question: String,
    #[description = "Show the answer to everyone in the channel (it is private by default)"] share: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let text = answer_for(data, ctx.interaction.user.id.get(), &question);
    respond(ctx, MessageBody::text(text, private(data, share))).await
}

/// The reply to `question` from member `user`: the answer, or, within their cooldown, a
/// request to wait (with the urgent or crisis notice all the same, if the question needs
/// one). Neither the question nor the member is logged.
pub fn answer_for(data: &Data, user: u64, question: &str) -> String {
    let knowledge = data.store.current();
    if data.config.log_questions {
        tracing::trace!(question, "question text (LANTERN_LOG_QUESTIONS is on)");
    }
    if let Err(wait) = data.cooldowns.try_ask(user) {
        data.stats.record_cooldown();
        tracing::info!(outcome = "cooldown", "question held back by the cooldown");
        let urgency = safety::assess(&knowledge.library().safety, question);
        return render::render_cooldown(urgency, wait, &knowledge.library().safety);
    }
    let started = Instant::now();
    let answer = knowledge.ask(question);
    data.stats.record(&answer);
    let outcome = match &answer.outcome {
        Outcome::Answered(_) => "answered",
        Outcome::NotFound => "not_found",
        Outcome::Refused(_) => "refused",
    };
    tracing::info!(
        outcome,
        urgent = answer.urgency.is_urgent(),
        micros = started.elapsed().as_micros() as u64,
        "question answered"
    );
    if let Some(quote) = answer.quote() {
        tracing::debug!(topic = %quote.topic, score = ?answer.score, "answer chosen");
    }
    render::render(&answer, &knowledge.library().safety)
}
