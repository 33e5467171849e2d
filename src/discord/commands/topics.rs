//! `/topics` (paged with buttons when the list outgrows a message), `/topic`, and the
//! "Read" buttons that open a topic from a reply that quoted nothing.

use serenity::all::{AutocompleteChoice, ComponentInteraction, CreateAutocompleteResponse};

use super::{Context, Data, Error, Interaction, private, respond, respond_pages, send_pages};
use crate::discord::feedback::{self, topic_tag};
use crate::discord::rest::{ActionRow, Button, MessageBody};
use crate::knowledge::Answer;
use crate::render;
use crate::text::limits;

/// Button ids look like `lantern:topics:<page>`.
const PAGE_BUTTON_PREFIX: &str = "lantern:topics:";

/// Button ids look like `lantern:read:<topic tag>` (see [`topic_tag`]).
const READ_BUTTON_PREFIX: &str = "lantern:read:";

/// Said to a click on a "Read" button whose topic moderators have since renamed or removed.
const TOPIC_GONE: &str =
    "That topic is no longer in the articles. Use /topics to see them all, or /ask again.";

/// List the topics Lantern can answer about.
#[poise::command(slash_command)]
pub async fn topics(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    respond(ctx, topics_page(data, 0, private(data, None))).await
}

/// The topic list's page `page` (clamped), with Previous/Next buttons when there are several.
fn topics_page(data: &Data, page: usize, ephemeral: bool) -> MessageBody {
    let knowledge = data.store.current();
    let titles: Vec<String> = knowledge
        .library()
        .topics()
        .map(|t| t.topic.title.clone())
        .collect();
    let pages = render::render_topic_list(&titles);
    let page = page.min(pages.len().saturating_sub(1));
    let mut body = MessageBody::text(pages[page].clone(), ephemeral);
    if pages.len() > 1 {
        body.components = Some(page_buttons(page, pages.len()));
    }
    body
}

fn page_buttons(page: usize, pages: usize) -> Vec<ActionRow> {
    let button = |label: &str, target: usize, disabled: bool| {
        Button::secondary(label, format!("{PAGE_BUTTON_PREFIX}{target}"), disabled)
    };
    vec![ActionRow::new(vec![
        button("Previous", page.saturating_sub(1), page == 0),
        button("Next", (page + 1).min(pages - 1), page + 1 >= pages),
    ])]
}

/// Answers a click on a `/topics` page button: a private list turns to the requested
/// page in place; a list shared in the channel stays as it is for everyone, and the
/// clicker gets the page privately. Returns false when the click is not Lantern's.
pub async fn handle_topics_page(data: &Data, click: &ComponentInteraction) -> Result<bool, Error> {
    let Some(page) = click
        .data
        .custom_id
        .strip_prefix(PAGE_BUTTON_PREFIX)
        .and_then(|p| p.parse::<usize>().ok())
    else {
        return Ok(false);
    };
    if crate::discord::rest::is_ephemeral(click) {
        data.rest
            .update_message(click.id.get(), &click.token, &topics_page(data, page, true))
            .await?;
    } else {
        data.rest
            .respond(click.id.get(), &click.token, &topics_page(data, page, true))
            .await?;
    }
    Ok(true)
}

/// Read one topic in full, with its source.
#[poise::command(slash_command)]
pub async fn topic(
    ctx: Context<'_>,
    #[description = "The topic's title (start typing to choose)"]
    #[autocomplete = "topic_titles"]
    name: String,
    #[description = "Show it to everyone in the channel (True) or only to you (False)"]
    share: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let ephemeral = private(data, share);
    let knowledge = data.store.current();
    let Some(found) = knowledge.library().topic(&name) else {
        let text = "I don't have a topic with that title. Use /topics to see them all, or /ask your question.";
        return respond(ctx, MessageBody::text(text, ephemeral)).await;
    };
    let pages = render::render_topic(found, &knowledge.library().safety);
    respond_pages(ctx, pages, ephemeral).await
}

/// Topic titles containing what the member has typed, at most Discord's 25 choices.
async fn topic_titles(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let wanted = partial.trim().to_lowercase();
    let knowledge = ctx.data().store.current();
    let choices = knowledge
        .library()
        .topics()
        .map(|t| t.topic.title.as_str())
        .filter(|title| title.to_lowercase().contains(&wanted))
        .take(limits::CHOICES)
        .map(|title| {
            let shown: String = title.chars().take(limits::CHOICE_NAME).collect();
            AutocompleteChoice::new(shown.clone(), shown)
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Under a reply that quotes nothing, one "Read" button per topic it names
/// ([`Answer::named_topics`]). When Lantern is not sure enough to quote, the topic that
/// holds the answer is often among those it names (README, "Commands for members"), so
/// the member is one click from reading it, and still nothing is presented as the
/// answer. Not under an urgent or crisis notice: that reply asks for help now, not
/// reading.
pub fn read_buttons(answer: &Answer) -> Option<ActionRow> {
    let named = answer.named_topics();
    if named.is_empty() || answer.urgency.is_urgent() {
        return None;
    }
    let buttons = named
        .iter()
        .take(limits::BUTTONS_PER_ROW)
        .map(|title| {
            let id = format!("{READ_BUTTON_PREFIX}{}", topic_tag(title));
            Button::secondary(format!("Read: {title}"), id, false)
        })
        .collect();
    Some(ActionRow::new(buttons))
}

/// Answers a click on a "Read" button with the topic in full, privately to whoever
/// clicked: reading a topic is open to every member and tells no one else anything.
/// Counted for the moderators' `/gaps`. Returns false when the click is not one.
pub async fn handle_read_topic(data: &Data, click: &ComponentInteraction) -> Result<bool, Error> {
    let Some(tag) = click.data.custom_id.strip_prefix(READ_BUTTON_PREFIX) else {
        return Ok(false);
    };
    let knowledge = data.store.current();
    let library = knowledge.library();
    let pages = match feedback::topic_by_tag(library, tag) {
        Some(found) => {
            if data
                .opened
                .first_time(opened_key(click.message.id.get(), tag))
            {
                let opened = crate::feedback::Count::OpenedFromRefusal;
                feedback::count(data, &[(&found.topic.title, opened)]);
            }
            render::render_topic(found, &library.safety)
        }
        None => vec![TOPIC_GONE.to_string()],
    };
    let interaction = Interaction {
        id: click.id.get(),
        application_id: click.application_id.get(),
        token: &click.token,
    };
    send_pages(data, interaction, pages, true, None).await?;
    Ok(true)
}

/// One reply's Read button for one topic, as a number [`Seen`](crate::discord::seen::Seen)
/// can hold: the reply's id and the topic's tag, hashed.
fn opened_key(reply: u64, tag: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    (reply, tag).hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{Outcome, Quote};
    use crate::safety::Urgency;

    fn answer(outcome: Outcome, suggestions: &[&str]) -> Answer {
        Answer {
            urgency: Urgency::default(),
            outcome,
            suggestions: suggestions.iter().map(|s| s.to_string()).collect(),
            score: None,
            nearest_topic: None,
        }
    }

    fn ids(row: &ActionRow) -> Vec<&str> {
        row.components
            .iter()
            .map(|b| b.custom_id.as_str())
            .collect()
    }

    #[test]
    fn read_buttons_open_exactly_the_topics_a_reply_names() {
        let three = [
            "How heparin helps",
            "Risks of heparin",
            "When heparin is used",
        ];
        let row = read_buttons(&answer(Outcome::NotFound, &three)).expect("a row");
        assert_eq!(row.components.len(), 3);
        let ids = ids(&row);
        assert!(
            ids.iter()
                .all(|id| id.len() <= 100 && id.starts_with(READ_BUTTON_PREFIX))
        );
        assert!(ids.windows(2).all(|pair| pair[0] != pair[1]), "{ids:?}");
        assert_eq!(row.components[0].label, "Read: How heparin helps");

        // Too close to call names two topics, so two buttons.
        let row = read_buttons(&answer(Outcome::TooClose, &three)).expect("a row");
        assert_eq!(row.components.len(), 2);

        let quote = Quote {
            topic: "How heparin helps".into(),
            passage: "…".into(),
            source: "…".into(),
            last_reviewed: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        assert!(read_buttons(&answer(Outcome::Answered(quote), &three)).is_none());
        assert!(read_buttons(&answer(Outcome::NotFound, &[])).is_none());
        let mut urgent = answer(Outcome::NotFound, &three);
        urgent.urgency.crisis = true;
        assert!(
            read_buttons(&urgent).is_none(),
            "no reading under a crisis notice"
        );
    }
}
