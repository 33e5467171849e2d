//! Gateway events that are not slash commands: questions in mentions and direct
//! messages, and clicks on Lantern's buttons.

use serenity::all::{FullEvent, Interaction, Message, UserId};

use super::commands::{Asked, answer_for, handle_read_topic, handle_topics_page};
use super::rest::{MessageBody, SendError};
use super::{Data, Error};
use super::{errors, feedback};

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    match event {
        FullEvent::Message { new_message } => {
            on_message(data, framework.bot_id(), new_message).await
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(click),
        } => {
            if !data.seen.first_time(click.id.get()) {
                tracing::warn!("ignored a repeated delivery of a button click");
                return Ok(());
            }
            if !handle_topics_page(data, click).await?
                && !handle_read_topic(data, click).await?
                && !feedback::handle_click(data, click).await?
            {
                tracing::debug!("ignored a click on a component that is not Lantern's");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A direct message, or a server message that mentions Lantern in its text, is a
/// question. The reply goes to the same channel as a reply to that message, pinging
/// no one, not even the asker.
async fn on_message(data: &Data, bot_id: UserId, message: &Message) -> Result<(), Error> {
    if message.author.bot {
        return Ok(());
    }
    let in_dm = message.guild_id.is_none();
    // A reply to one of Lantern's answers lists Lantern among the mentions without
    // naming it in the text; only a mention written in the message asks a question.
    if !in_dm && !names(&message.content, bot_id) {
        return Ok(());
    }
    if !data.seen.first_time(message.id.get()) {
        tracing::warn!("ignored a repeated delivery of a message");
        return Ok(());
    }
    let question = without_mentions_of(&message.content, bot_id);
    let asked = Asked {
        question_id: message.id.get(),
        asker: message.author.id.get(),
    };
    let (channel, replied_to) = (message.channel_id.get(), message.id.get());
    let reply = match answer_for(data, asked, question).await {
        Ok(reply) => reply.into_message(false),
        Err(error) => {
            // Silence is the worst reply to a question that may be urgent.
            let apology = MessageBody::text(errors::SORRY, false);
            if let Err(sent) = data
                .rest
                .reply_in_channel(channel, replied_to, &apology)
                .await
            {
                tracing::error!(error = %sent, "could not tell the member about the error");
            }
            return Err(error);
        }
    };
    match data
        .rest
        .reply_in_channel(channel, replied_to, &reply)
        .await
    {
        // Refused as sent (a button Discord will not take, missing permission to attach
        // them): the answer, with any urgent notice in it, matters more than its buttons.
        Err(SendError::Refused { .. })
            if reply
                .components
                .as_ref()
                .is_some_and(|rows| !rows.is_empty()) =>
        {
            tracing::warn!("Discord refused a reply with buttons; sending it without them");
            // Without its buttons, a question held for sending can no longer be sent.
            data.held.take(asked.question_id);
            let plain = MessageBody {
                components: None,
                ..reply
            };
            data.rest
                .reply_in_channel(channel, replied_to, &plain)
                .await?;
        }
        sent => sent?,
    }
    Ok(())
}

fn names(content: &str, bot_id: UserId) -> bool {
    content.contains(&format!("<@{bot_id}>")) || content.contains(&format!("<@!{bot_id}>"))
}

fn without_mentions_of(content: &str, bot_id: UserId) -> String {
    content
        .replace(&format!("<@{bot_id}>"), " ")
        .replace(&format!("<@!{bot_id}>"), " ")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_of_the_bot_are_removed_from_the_question() {
        let bot = UserId::new(42);
        assert!(names("<@42> why heparin?", bot));
        assert!(names("hey <@!42>", bot));
        assert!(!names("<@43> hi", bot));
        assert_eq!(
            without_mentions_of("<@42> why heparin? <@!42>", bot),
            "why heparin?"
        );
        assert_eq!(without_mentions_of("<@43> and <@42>", bot), "<@43> and");
    }
}
