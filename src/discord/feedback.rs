//! The members' side of the moderators' feedback loop: "Helpful" / "Not what I needed"
//! under every answer, and, only by the member's choice, sending a question Lantern
//! could not answer well to the moderators, without the member's name.
//!
//! Nothing about a member is stored: a button's custom id carries what its click needs
//! (a short tag of the topic, the question's id, the asker's id, all of which Discord
//! already holds with the message), and the question text waits in memory only, for at
//! most [`crate::config::MAX_QUESTION_HOLD_SECONDS`], then is forgotten.

use std::time::{Duration, Instant};

use chrono::Utc;
use serenity::all::ComponentInteraction;
use sha2::{Digest, Sha256};

use super::expiring::Expiring;
use super::rest::{ActionRow, Button, MessageBody, Nonce};
use super::{Data, Error};
use crate::content::{Library, TopicRef};
use crate::feedback::Count;
use crate::knowledge::{Answer, Outcome};
use crate::render::{self, NearTopic};

/// Every feedback button's custom id starts with this.
const PREFIX: &str = "lantern:fb:";

/// What a click on one of the feedback buttons asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackButton {
    /// "Helpful" (`helpful`) or "Not what I needed" under an answer from `topic_tag`.
    Rate {
        helpful: bool,
        topic_tag: String,
        question: u64,
        asker: u64,
    },
    /// "Ask the moderators…" under a reply that answered nothing: shows the preview.
    Offer { question: u64, asker: u64 },
    /// "Send to the moderators" under the preview.
    Send { question: u64, asker: u64 },
    /// "Don't send" under the preview.
    Discard { question: u64, asker: u64 },
}

impl FeedbackButton {
    /// The custom id (Discord allows 100 characters; these stay under 80).
    pub fn custom_id(&self) -> String {
        match self {
            FeedbackButton::Rate {
                helpful,
                topic_tag,
                question,
                asker,
            } => {
                let verdict = if *helpful { "up" } else { "down" };
                format!("{PREFIX}{verdict}:{topic_tag}:{question}:{asker}")
            }
            FeedbackButton::Offer { question, asker } => {
                format!("{PREFIX}offer:{question}:{asker}")
            }
            FeedbackButton::Send { question, asker } => format!("{PREFIX}send:{question}:{asker}"),
            FeedbackButton::Discard { question, asker } => {
                format!("{PREFIX}discard:{question}:{asker}")
            }
        }
    }

    /// Reads a custom id; `None` when it is not a feedback button.
    pub fn parse(custom_id: &str) -> Option<FeedbackButton> {
        let rest = custom_id.strip_prefix(PREFIX)?;
        let parts: Vec<&str> = rest.split(':').collect();
        let id = |s: &str| s.parse::<u64>().ok();
        match parts.as_slice() {
            [verdict @ ("up" | "down"), tag, question, asker] => Some(FeedbackButton::Rate {
                helpful: *verdict == "up",
                topic_tag: (*tag).to_string(),
                question: id(question)?,
                asker: id(asker)?,
            }),
            [kind, question, asker] => {
                let (question, asker) = (id(question)?, id(asker)?);
                match *kind {
                    "offer" => Some(FeedbackButton::Offer { question, asker }),
                    "send" => Some(FeedbackButton::Send { question, asker }),
                    "discard" => Some(FeedbackButton::Discard { question, asker }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn asker(&self) -> u64 {
        match self {
            FeedbackButton::Rate { asker, .. }
            | FeedbackButton::Offer { asker, .. }
            | FeedbackButton::Send { asker, .. }
            | FeedbackButton::Discard { asker, .. } => *asker,
        }
    }
}

/// A short, stable tag of a topic title for button ids: titles can be longer than a
/// custom id allows. Not a secret, and not about anyone: it names moderators' content.
/// Exact, so the buttons of messages sent by earlier versions keep working; a title
/// moderators rename (even only its capitals) leaves its old buttons pointing nowhere,
/// which a click is told.
pub fn topic_tag(title: &str) -> String {
    let digest = Sha256::digest(title.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The topic of `library` whose [`topic_tag`] is `tag`, if moderators have not since
/// removed or renamed it.
pub fn topic_by_tag<'a>(library: &'a Library, tag: &str) -> Option<TopicRef<'a>> {
    library.topics().find(|t| topic_tag(&t.topic.title) == tag)
}

/// Questions waiting for their askers' choice, in memory only, each for at most the
/// hold period (an [`Expiring`] store: forgotten on time even when nobody clicks), as
/// the post the moderators would read.
pub struct HeldQuestions {
    posts: Expiring<HeldPost>,
}

/// A question held for sending: the post the moderators would read, and the nonce it
/// would be posted with. The nonce is drawn at random, never made from the question's
/// id: Discord shows a message's nonce to whoever reads the channel, and the id would
/// lead back to the member (the time they asked, and a shared answer names them).
#[derive(Debug, Clone)]
pub struct HeldPost {
    pub text: String,
    pub nonce: u64,
}

impl HeldQuestions {
    /// Holds questions for `hold`, with a sweeper on the current Tokio runtime.
    pub fn start(hold: Duration) -> HeldQuestions {
        HeldQuestions {
            posts: Expiring::start(hold),
        }
    }

    /// Holds `post` (the text the moderators would read) for question `question`.
    pub fn hold(&self, question: u64, post: String) {
        let held = HeldPost {
            text: post,
            nonce: random_nonce(),
        };
        self.posts.insert_at(question, held, Instant::now());
    }

    /// The post held for `question`, if it is still held.
    pub fn post(&self, question: u64) -> Option<String> {
        self.posts
            .get_at(question, Instant::now())
            .map(|held| held.text)
    }

    /// Takes the post out (when sent) or forgets it (when declined).
    pub fn take(&self, question: u64) -> Option<HeldPost> {
        self.posts.remove_at(question, Instant::now())
    }

    /// Whether nothing is held now (for tests of forgetting).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
    }
}

/// A random number for a nonce, from the standard library's randomly keyed hasher (a
/// fresh key each time): a nonce needs only to be unique and to say nothing, not a
/// cryptographic generator.
fn random_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Counts each of `counts` (topic, what happened) off the async workers, in one write:
/// a write may wait for another process holding the file.
pub fn count(data: &Data, counts: &[(&str, Count)]) {
    let store = data.counts.clone();
    let counts: Vec<(String, Count)> = counts
        .iter()
        .map(|&(topic, count)| (topic.to_string(), count))
        .collect();
    tokio::task::spawn_blocking(move || store.record_all(&counts, Utc::now()));
}

/// Counts what an answer did, per topic: never its text or who asked.
pub fn count_answer(data: &Data, answer: &Answer) {
    let nearest = answer.nearest_topic.as_deref().unwrap_or("");
    let mut counts = Vec::with_capacity(2);
    match &answer.outcome {
        Outcome::Answered(quote) => counts.push((quote.topic.as_str(), Count::Answer)),
        Outcome::NotFound | Outcome::TooClose => counts.push((nearest, Count::RefusalNearby)),
        Outcome::Refused(_) | Outcome::Withheld | Outcome::SmallTalk(_) => {}
    }
    if answer.urgency.is_urgent() {
        counts.push((nearest, Count::UrgentNotice));
    }
    if !counts.is_empty() {
        count(data, &counts);
    }
}

/// The buttons under the reply to `question` from `asker`, and, when the member could
/// later choose to send it to the moderators, the question held for that choice.
pub fn buttons_for(
    data: &Data,
    answer: &Answer,
    question_id: u64,
    asker: u64,
    server: Option<u64>,
    question: &str,
) -> Option<Vec<ActionRow>> {
    let forwarding = data.forwarding_channel(server).is_some();
    let hold = || {
        let near = near_topics(answer);
        data.held.hold(
            question_id,
            render::render_forwarded_question(question, &near),
        );
    };
    match &answer.outcome {
        Outcome::Answered(quote) => {
            if forwarding {
                hold();
            }
            Some(rate_buttons(
                &topic_tag(&quote.topic),
                question_id,
                asker,
                None,
            ))
        }
        Outcome::NotFound | Outcome::TooClose | Outcome::Withheld if forwarding => {
            hold();
            let offer = FeedbackButton::Offer {
                question: question_id,
                asker,
            };
            Some(vec![ActionRow::new(vec![Button::secondary(
                "Ask the moderators…",
                offer.custom_id(),
                false,
            )])])
        }
        _ => None,
    }
}

/// The nearest topics of an answer, the best with Lantern's confidence in it.
fn near_topics(answer: &Answer) -> Vec<NearTopic> {
    let mut near: Vec<NearTopic> = answer
        .nearest_topic
        .iter()
        .map(|title| NearTopic {
            title: title.clone(),
            confidence: answer.score,
        })
        .collect();
    for title in &answer.suggestions {
        if !near.iter().any(|n| &n.title == title) {
            near.push(NearTopic {
                title: title.clone(),
                confidence: None,
            });
        }
    }
    near
}

/// "Helpful" / "Not what I needed"; after a click, both disabled and the chosen marked.
fn rate_buttons(tag: &str, question: u64, asker: u64, chosen: Option<bool>) -> Vec<ActionRow> {
    let button = |helpful: bool, label: &str| {
        let id = FeedbackButton::Rate {
            helpful,
            topic_tag: tag.to_string(),
            question,
            asker,
        }
        .custom_id();
        let label = if chosen == Some(helpful) {
            format!("{label} ✓")
        } else {
            label.to_string()
        };
        Button::secondary(label, id, chosen.is_some())
    };
    vec![ActionRow::new(vec![
        button(true, "Helpful"),
        button(false, "Not what I needed"),
    ])]
}

const NOT_YOURS: &str =
    "Only the member who asked can use these buttons. Ask your own question with /ask.";
const THANKS_HELPFUL: &str = "Thank you. That tells the moderators this passage works for members.";
const THANKS_NOT_HELPFUL: &str =
    "Thank you. The moderators will see that this answer did not help, so they can improve it.";
const ALREADY_RATED: &str = "You have already rated this answer. Thank you.";
const SENT: &str = "Sent to the moderators, without your name. Thank you: questions like yours are how the articles get better.";
/// Shown at once when Send is clicked, until the post is made.
const SENDING: &str = "Sending your question to the moderators…";
/// The held question is forgotten either way, as `/about` promises.
const NOT_REACHED: &str = "I couldn't post your question to the moderators' channel, so it was not sent, and I have forgotten it. Please ask again later, or tell a moderator if this keeps happening.";
const NOT_SENT: &str = "Not sent. Your question has been forgotten.";

/// Handles a click on a feedback button. Returns false when the click is not one.
pub async fn handle_click(data: &Data, click: &ComponentInteraction) -> Result<bool, Error> {
    let Some(button) = FeedbackButton::parse(&click.data.custom_id) else {
        return Ok(false);
    };
    if click.user.id.get() != button.asker() {
        reply_privately(data, click, MessageBody::text(NOT_YOURS, true)).await?;
        return Ok(true);
    }
    match button {
        FeedbackButton::Rate {
            helpful,
            topic_tag,
            question,
            asker,
        } => rate(data, click, helpful, &topic_tag, question, asker).await?,
        FeedbackButton::Offer { question, asker } => {
            let message = match data.held.post(question) {
                Some(post) => preview(data, &post, question, asker),
                None => forgotten(data),
            };
            reply_privately(data, click, message).await?;
        }
        FeedbackButton::Send { question, .. } => send(data, click, question).await?,
        FeedbackButton::Discard { question, .. } => {
            data.held.take(question);
            let done = MessageBody::text(NOT_SENT, true);
            data.rest
                .update_message(click.id.get(), &click.token, &done)
                .await?;
        }
    }
    Ok(true)
}

/// Counts a rating once: the buttons are disabled in the same response, then the
/// member is thanked privately (and offered to send the question, if it did not help).
async fn rate(
    data: &Data,
    click: &ComponentInteraction,
    helpful: bool,
    tag: &str,
    question: u64,
    asker: u64,
) -> Result<(), Error> {
    // Keyed by Lantern's reply, not by the question: a mention's or DM's id is the
    // member's own message, which points at them.
    if !data.rated.first_time(click.message.id.get()) {
        return reply_privately(data, click, MessageBody::text(ALREADY_RATED, true)).await;
    }
    let knowledge = data.store.current();
    let topic = topic_by_tag(knowledge.library(), tag).map(|t| t.topic.title.as_str());
    match topic {
        Some(topic) => {
            let verdict = if helpful {
                Count::Helpful
            } else {
                Count::NotHelpful
            };
            count(data, &[(topic, verdict)]);
        }
        None => tracing::info!("a rating for a topic that no longer exists was not counted"),
    }
    if helpful {
        // Nothing is left to send: the question is forgotten now, not when its hold ends,
        // whatever happens to the replies below.
        data.held.take(question);
    }
    let mut rated = MessageBody::text(
        click.message.content.clone(),
        super::rest::is_ephemeral(click),
    );
    rated.components = Some(rate_buttons(tag, question, asker, Some(helpful)));
    data.rest
        .update_message(click.id.get(), &click.token, &rated)
        .await?;
    let thanks = if helpful {
        MessageBody::text(THANKS_HELPFUL, true)
    } else {
        match data.held.post(question) {
            Some(post) => preview(data, &post, question, asker),
            None => MessageBody::text(THANKS_NOT_HELPFUL, true),
        }
    };
    data.rest
        .follow_up(click.application_id.get(), &click.token, &thanks)
        .await?;
    Ok(())
}

/// Posts the held question to the moderators' channel and says so in place of the preview.
/// The click is answered first: the post can wait on Discord's rate limits well past the
/// 3 seconds a click has, and a click that times out reads as failed to a member whose
/// question was in fact sent.
async fn send(data: &Data, click: &ComponentInteraction, question: u64) -> Result<(), Error> {
    let (Some(channel), Some(post)) = (data.config.forward_channel_id(), data.held.take(question))
    else {
        let gone = forgotten(data);
        data.rest
            .update_message(click.id.get(), &click.token, &gone)
            .await?;
        return Ok(());
    };
    // Without buttons, so "Don't send" cannot be clicked while the post is made; and
    // the post is made even if this answer to the click failed: the member pressed Send.
    let sending = without_buttons(SENDING);
    if let Err(error) = data
        .rest
        .update_message(click.id.get(), &click.token, &sending)
        .await
    {
        tracing::warn!(%error, "could not answer a Send click before posting");
    }
    // The held nonce goes with every try, so a retried post cannot appear twice.
    let outcome = match data
        .rest
        .post(channel, &post.text, &Nonce::Forwarded(post.nonce))
        .await
    {
        Ok(()) => {
            tracing::info!("a member sent an unanswered question to the moderators");
            SENT
        }
        Err(error) => {
            tracing::warn!(%error, "could not post a member's question to the moderators");
            NOT_REACHED
        }
    };
    data.rest
        .edit_original(
            click.application_id.get(),
            &click.token,
            &without_buttons(outcome),
        )
        .await?;
    Ok(())
}

/// A private message that also takes away the buttons of the message it replaces.
fn without_buttons(text: &str) -> MessageBody {
    MessageBody {
        components: Some(Vec::new()),
        ..MessageBody::text(text, true)
    }
}

/// Told when the question is no longer held.
fn forgotten(data: &Data) -> MessageBody {
    let hold = data.config.question_hold_seconds;
    MessageBody::text(render::render_question_forgotten(hold), true)
}

/// Exactly what would be sent, with the member's two choices.
fn preview(data: &Data, post: &str, question: u64, asker: u64) -> MessageBody {
    let hold = data.config.question_hold_seconds;
    let mut message = MessageBody::text(render::render_forward_preview(post, hold), true);
    message.components = Some(vec![ActionRow::new(vec![
        Button::secondary(
            "Send to the moderators",
            FeedbackButton::Send { question, asker }.custom_id(),
            false,
        ),
        Button::secondary(
            "Don't send",
            FeedbackButton::Discard { question, asker }.custom_id(),
            false,
        ),
    ])]);
    message
}

/// Answers a click with a new private message (response type 4, ephemeral).
async fn reply_privately(
    data: &Data,
    click: &ComponentInteraction,
    message: MessageBody,
) -> Result<(), Error> {
    data.rest
        .respond(click.id.get(), &click.token, &message)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_fit_discord() {
        let buttons = [
            FeedbackButton::Rate {
                helpful: false,
                topic_tag: topic_tag("A topic"),
                question: u64::MAX,
                asker: u64::MAX,
            },
            FeedbackButton::Offer {
                question: 1,
                asker: 2,
            },
            FeedbackButton::Send {
                question: 3,
                asker: 4,
            },
            FeedbackButton::Discard {
                question: 5,
                asker: 6,
            },
        ];
        for button in buttons {
            let id = button.custom_id();
            assert!(id.len() <= 100, "{id}");
            assert_eq!(FeedbackButton::parse(&id), Some(button));
        }
        assert_eq!(FeedbackButton::parse("lantern:topics:2"), None);
        assert_eq!(FeedbackButton::parse("lantern:read:0123456789ab"), None);
        assert_eq!(FeedbackButton::parse("lantern:fb:send:x:1"), None);
    }

    #[tokio::test]
    async fn a_sent_or_declined_question_is_gone_at_once() {
        let held = HeldQuestions::start(Duration::from_secs(60));
        held.hold(1, "post".into());
        assert_eq!(held.post(1).as_deref(), Some("post"));
        assert_eq!(held.take(1).map(|held| held.text).as_deref(), Some("post"));
        assert!(held.take(1).is_none());
        assert!(held.is_empty());
    }

    #[tokio::test]
    async fn a_held_questions_nonce_is_not_made_from_its_id() {
        let held = HeldQuestions::start(Duration::from_secs(60));
        let id = 1_234_567_890_123_456_789;
        held.hold(id, "post".into());
        held.hold(id + 1, "post".into());
        let (first, second) = (held.take(id).unwrap(), held.take(id + 1).unwrap());
        assert_ne!(first.nonce, id);
        assert_ne!(first.nonce, second.nonce);
    }
}
