//! `/ask`, and the answer shared with mentions and direct messages.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Context, Data, Error, private, respond};
use crate::discord::feedback;
use crate::discord::rest::{ActionRow, INTERACTION_WINDOW, MessageBody, SendError};
use crate::knowledge::Outcome;
use crate::render;

/// Ask a health question; Lantern quotes the article passage that answers it.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    // Discord's own limit, not Lantern's: a longer question is refused by Lantern, with
    // the urgent or crisis notice when it needs one. With Lantern's limit here, Discord
    // would not send a long story of a crisis at all.
    #[description = "Your question, in your own words"]
    #[max_length = 6000]
    question: String,
    #[description = "Show the answer to everyone in the channel (True) or only to you (False)"]
    share: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let ephemeral = private(data, share);
    let asked = Asked {
        question_id: ctx.interaction.id.get(),
        asker: ctx.interaction.user.id.get(),
        server: ctx.interaction.guild_id.map(|id| id.get()),
    };
    let delivered = deliver(ctx, asked, ephemeral, answer_for(data, asked, question)).await;
    asked.forget_unless(data, &delivered);
    delivered
}

/// Responds with `answer` when it is ready in time, else defers and puts it in place.
async fn deliver(
    ctx: Context<'_>,
    asked: Asked,
    ephemeral: bool,
    answer: impl std::future::Future<Output = Result<Reply, Error>>,
) -> Result<(), Error> {
    let data = ctx.data();
    tokio::pin!(answer);
    tokio::select! {
        reply = &mut answer => {
            let message = reply?.into_message(ephemeral);
            match data.rest.respond(ctx.interaction.id.get(), &ctx.interaction.token, &message).await {
                Err(SendError::Refused { .. }) if message.has_buttons() => {
                    tracing::warn!("Discord refused an answer with buttons; sending it without them");
                    respond(ctx, without_buttons(data, asked, message)).await
                }
                sent => {
                    sent?;
                    ctx.has_sent_initial_response.store(true, Ordering::SeqCst);
                    Ok(())
                }
            }
        }
        () = tokio::time::sleep(defer_after(ctx.interaction.id.get())) => {
            // Discord refuses a first response later than 3 s after the question: under
            // a burst, say "thinking" now and put the answer in place when it is ready.
            let interaction = ctx.interaction;
            data.rest.defer(interaction.id.get(), &interaction.token, ephemeral).await?;
            ctx.has_sent_initial_response.store(true, Ordering::SeqCst);
            let message = answer.await?.into_message(ephemeral);
            put_in_place(data, interaction, asked, message).await
        }
    }
}

/// Puts a deferred answer in place of "thinking…", stepping down as the mention path
/// does when Discord will not take it: without its buttons, then as a follow-up. The
/// answer, and any notice in it, matter more than its buttons or its place.
async fn put_in_place(
    data: &Data,
    interaction: &serenity::all::CommandInteraction,
    asked: Asked,
    message: MessageBody,
) -> Result<(), Error> {
    let (application, token) = (interaction.application_id.get(), &interaction.token);
    let refused = match data.rest.edit_original(application, token, &message).await {
        Ok(()) => return Ok(()),
        Err(error) => error,
    };
    let plain = without_buttons(data, asked, message);
    if matches!(refused, SendError::Refused { .. }) {
        tracing::warn!(error = %refused, "Discord refused the deferred answer; sending it without buttons");
        if data
            .rest
            .edit_original(application, token, &plain)
            .await
            .is_ok()
        {
            return Ok(());
        }
    }
    tracing::warn!(error = %refused, "could not put the deferred answer in place; sending it as a follow-up");
    data.rest.follow_up(application, token, &plain).await?;
    Ok(())
}

/// `message` without its buttons; the question it held for sending to the moderators is
/// forgotten, as it can no longer be sent.
pub fn without_buttons(data: &Data, asked: Asked, message: MessageBody) -> MessageBody {
    data.held.take(asked.question_id);
    MessageBody {
        components: None,
        ..message
    }
}

/// How long `/ask` waits for its answer before deferring: half of Discord's 3-second
/// window, so the deferral itself has time for a retry.
const DEFER_AFTER: Duration = Duration::from_millis(INTERACTION_WINDOW.as_millis() as u64 / 2);

/// What the deferral needs of the window, a retry included.
const DEFERRAL_TIME: Duration = Duration::from_secs(1);

/// How long `/ask` for the interaction `id` waits before deferring: [`DEFER_AFTER`] from
/// now, or sooner when the interaction reached Lantern late (a busy gateway, a resumed
/// session), so that [`DEFERRAL_TIME`] of Discord's window is still left. Counted from
/// now alone, an interaction a second and a half late would be deferred after the window
/// closed, and its answer, notice included, lost.
fn defer_after(id: u64) -> Duration {
    let left = crate::discord::rest::window_left(id, std::time::SystemTime::now());
    DEFER_AFTER.min(left.saturating_sub(DEFERRAL_TIME))
}

/// Which question this is (an interaction's or a message's id) and who asked it: what
/// the buttons under the reply need, never stored.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub question_id: u64,
    pub asker: u64,
    /// The server it was asked in; `None` in a direct message.
    pub server: Option<u64>,
}

impl Asked {
    /// Forgets the question held for sending when its answer never reached Discord: with
    /// no reply there is no button to send it with, so it is not kept waiting for one.
    pub fn forget_unless(self, data: &Data, delivered: &Result<(), Error>) {
        if delivered.is_err() {
            data.held.take(self.question_id);
        }
    }
}

/// A reply's text and the buttons under it.
pub struct Reply {
    pub text: String,
    pub buttons: Option<Vec<ActionRow>>,
}

impl Reply {
    pub fn into_message(self, ephemeral: bool) -> MessageBody {
        MessageBody {
            components: self.buttons,
            ..MessageBody::text(self.text, ephemeral)
        }
    }
}

/// The reply to `question` asked as `asked`: the answer with its feedback buttons, or,
/// within the member's cooldown, a request to wait (with the urgent or crisis notice all
/// the same, if the question needs one). Neither the question nor the member is logged.
pub async fn answer_for(data: &Data, asked: Asked, question: String) -> Result<Reply, Error> {
    let user = asked.asker;
    let knowledge = data.store.current();
    if crate::config::questions_logged() {
        tracing::trace!(question, "question text (LANTERN_LOG_QUESTIONS is on)");
    }
    if let Err(wait) = data.cooldowns.try_ask(user) {
        data.stats.record_cooldown();
        tracing::info!(outcome = "cooldown", "question held back by the cooldown");
        // The notice is never held back, and judging it reads the question's meaning:
        // off the async workers too.
        let judge = knowledge.clone();
        let _turn = data.readers.acquire().await?;
        let urgency = tokio::task::spawn_blocking(move || judge.urgency(&question)).await?;
        if urgency.is_urgent() {
            // Shown without a search, so near no topic.
            feedback::count(data, &[("", crate::feedback::Count::UrgentNotice)]);
        }
        let text = render::render_cooldown(urgency, wait, &knowledge.library().safety);
        return Ok(Reply {
            text,
            buttons: None,
        });
    }
    let started = Instant::now();
    // Reading a question's meaning takes milliseconds of arithmetic: off the async
    // workers, so a burst of questions does not stall the gateway.
    let answer = {
        let knowledge = knowledge.clone();
        let _turn = data.readers.acquire().await?;
        let question = question.clone();
        tokio::task::spawn_blocking(move || knowledge.ask(&question)).await?
    };
    data.stats.record(&answer);
    feedback::count_answer(data, &answer);
    let outcome = match &answer.outcome {
        Outcome::Answered(_) => "answered",
        Outcome::NotFound => "not_found",
        Outcome::TooClose => "too_close",
        Outcome::Withheld => "crisis_only",
        Outcome::SmallTalk(_) => "small_talk",
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
    // The topics to read first, then the offer to ask the moderators.
    let rows: Vec<ActionRow> = super::topics::read_buttons(&answer)
        .into_iter()
        .chain(
            feedback::buttons_for(
                data,
                &answer,
                asked.question_id,
                asked.asker,
                asked.server,
                &question,
            )
            .into_iter()
            .flatten(),
        )
        .collect();
    let buttons = (!rows.is_empty()).then_some(rows);
    Ok(Reply {
        text: render::render(&answer, &knowledge.library().safety),
        buttons,
    })
}

#[cfg(test)]
mod tests {
    use serenity::all::{CommandOptionType, CreateCommandOption};

    /// The attribute above must say the same number as the one table of limits: Discord's
    /// own, so every question reaches Lantern, which refuses one too long itself.
    #[test]
    fn discord_allows_exactly_the_longest_question_lantern_reads() {
        let command = super::ask();
        let question = command
            .parameters
            .iter()
            .find(|p| p.name == "question")
            .expect("a question option");
        let set_type = question.type_setter.expect("a string option");
        let option = set_type(CreateCommandOption::new(
            CommandOptionType::String,
            "question",
            "q",
        ));
        let json = serde_json::to_value(&option).expect("options serialize");
        assert_eq!(
            json["max_length"].as_u64(),
            Some(crate::text::limits::STRING_OPTION as u64)
        );
    }
}
