//! Gateway events that are not slash commands: questions in mentions and direct
//! messages, and clicks on Lantern's buttons.

use serenity::all::{FullEvent, Interaction, Message, UserId};

use super::commands::{Asked, answer_for, handle_read_topic, handle_topics_page, without_buttons};
use super::rest::{MessageBody, Nonce, SendError};
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
        server: message.guild_id.map(|id| id.get()),
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
    let delivered = deliver(data, asked, channel, replied_to, reply).await;
    asked.forget_unless(data, &delivered);
    delivered
}

/// Sends `reply` as a reply to the member's message, stepping down when Discord refuses
/// it as sent (HTTP 4xx): without its buttons (one Discord will not take), then as a plain
/// message in the channel (a reply needs Read Message History, which a server may have
/// taken away), then as a direct message to the asker (Lantern may read a channel it may
/// not post in, such as a locked thread). The answer, and any urgent or crisis notice in
/// it, matter more than any of these.
async fn deliver(
    data: &Data,
    asked: Asked,
    channel: u64,
    replied_to: u64,
    reply: MessageBody,
) -> Result<(), Error> {
    let has_buttons = reply.has_buttons();
    let refused = match data
        .rest
        .reply_in_channel(channel, replied_to, &reply)
        .await
    {
        Err(refused @ SendError::Refused { .. }) => refused,
        sent => return Ok(sent?),
    };
    let plain = without_buttons(data, asked, reply);
    if has_buttons {
        tracing::warn!(error = %refused, "Discord refused a reply with buttons; sending it without them");
        match data
            .rest
            .reply_in_channel(channel, replied_to, &plain)
            .await
        {
            Err(SendError::Refused { .. }) => {}
            sent => return Ok(sent?),
        }
    }
    tracing::warn!(
        "Discord refused a reply to the member's message; posting it in the channel instead"
    );
    let nonce = Nonce::ReplyTo(replied_to);
    match data.rest.post(channel, &plain.content, &nonce).await {
        Err(SendError::Refused { .. }) => {}
        sent => return Ok(sent?),
    }
    tracing::warn!("Discord refused every post in the channel; sending the answer directly");
    let direct = data.rest.open_direct_channel(asked.asker).await?;
    data.rest.post(direct, &plain.content, &nonce).await?;
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
