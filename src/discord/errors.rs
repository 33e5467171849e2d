//! The one error handler. Members get a short, kind message; the details go to the log,
//! never with the question's text or the member's identity.

use std::sync::atomic::Ordering;

use super::rest::MessageBody;
use super::{Data, Error};

/// What a member is told when Lantern could not answer them.
pub(super) const SORRY: &str = "Sorry, something went wrong on my side and I couldn't answer. Please try again in a moment. \
     If you are worried about your health right now, please contact your doctor, midwife or local emergency number.";

/// What a member is told who uses a command Lantern no longer has.
const NO_SUCH_COMMAND: &str = "That command is no longer part of Lantern. Use /ask to ask a question, or /topics to see what Lantern can answer.";

pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            if is_worker_failure(&error) {
                tracing::error!(command = %ctx.command().name, "command's worker task failed");
            } else {
                tracing::error!(command = %ctx.command().name, %error, "command failed");
            }
            if let poise::Context::Application(ctx) = ctx {
                apologise(ctx).await;
            }
        }
        poise::FrameworkError::CommandPanic { ctx, .. } => {
            tracing::error!(command = %ctx.command().name, "command panicked");
            if let poise::Context::Application(ctx) = ctx {
                apologise(ctx).await;
            }
        }
        poise::FrameworkError::ArgumentParse { ctx, .. } => {
            tracing::warn!(command = %ctx.command().name, "could not read the command's options");
            if let poise::Context::Application(ctx) = ctx {
                apologise(ctx).await;
            }
        }
        poise::FrameworkError::EventHandler {
            error,
            event,
            framework,
            ..
        } => {
            if is_worker_failure(&error) {
                tracing::error!(event = %event.snake_case_name(), "event's worker task failed");
            } else {
                tracing::error!(event = %event.snake_case_name(), %error, "handling an event failed");
            }
            // A failed click otherwise leaves Discord's bare "This interaction failed".
            if let serenity::all::FullEvent::InteractionCreate {
                interaction: serenity::all::Interaction::Component(click),
            } = event
            {
                apologise_for_click(framework.user_data, click).await;
            }
        }
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(%error, "setting up after connecting failed");
        }
        // The only check is the repeat-delivery check, which has already logged.
        poise::FrameworkError::CommandCheckFailed { error: None, .. } => {}
        // Handled here, not by poise's fallback, which would log the member's name.
        poise::FrameworkError::CommandCheckFailed {
            error: Some(error),
            ctx,
            ..
        } => {
            tracing::error!(command = %ctx.command().name, %error, "a command check failed");
        }
        poise::FrameworkError::UnknownInteraction {
            interaction,
            framework,
            ..
        } => {
            tracing::warn!(command = %interaction.data.name, "an interaction for a command Lantern does not have");
            // A command left registered by an older version or another scope: say so,
            // rather than leave Discord's bare "This interaction failed". (Its
            // autocomplete is left alone: that takes choices, not a message.)
            if interaction.data.autocomplete().is_none() {
                let message = MessageBody::text(NO_SUCH_COMMAND, true);
                let sent = framework
                    .user_data
                    .rest
                    .respond(interaction.id.get(), &interaction.token, &message)
                    .await;
                if let Err(error) = sent {
                    tracing::error!(%error, "could not answer a command Lantern does not have");
                }
            }
        }
        other => {
            if let Err(error) = poise::builtins::on_error(other).await {
                tracing::error!(%error, "the error handler itself failed");
            }
        }
    }
}

/// Whether `error` is a worker task's failure, whose panic message can quote the
/// question it was handling and so is never logged.
fn is_worker_failure(error: &Error) -> bool {
    error.downcast_ref::<tokio::task::JoinError>().is_some()
}

/// Tells the member who clicked that something went wrong: privately, as the click's
/// answer or, when it was answered before the failure, as a follow-up.
async fn apologise_for_click(data: &Data, click: &serenity::all::ComponentInteraction) {
    let message = MessageBody::text(SORRY, true);
    let sent = data
        .rest
        .respond_or_follow_up(
            click.id.get(),
            click.application_id.get(),
            &click.token,
            &message,
        )
        .await;
    if let Err(error) = sent {
        tracing::error!(%error, "could not tell the member about the error");
    }
}

/// Tells the member something went wrong, as the first response or as a follow-up.
async fn apologise(ctx: poise::ApplicationContext<'_, Data, Error>) {
    let data = ctx.data();
    let interaction = ctx.interaction;
    let message = MessageBody::text(SORRY, true);
    let sent = if ctx.has_sent_initial_response.load(Ordering::SeqCst) {
        data.rest
            .follow_up(
                interaction.application_id.get(),
                &interaction.token,
                &message,
            )
            .await
    } else {
        data.rest
            .respond(interaction.id.get(), &interaction.token, &message)
            .await
    };
    if let Err(error) = sent {
        tracing::error!(%error, "could not tell the member about the error");
    }
}
