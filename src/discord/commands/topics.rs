//! `/topics` (paged with buttons when the list outgrows a message), `/topic`, and the
//! "Read" buttons that open a topic from a reply that quoted nothing.

use serenity::all::{AutocompleteChoice, ComponentInteraction, CreateAutocompleteResponse};

use super::{Context, Data, Error, private, respond, respond_pages};
use crate::discord::feedback::topic_tag;
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
        body.content = format!("{}\n*Page {} of {}*", body.content, page + 1, pages.len());
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

/// Answers a click on a `/topics` page button by showing the requested page in place.
/// Returns false when the click is not Lantern's.
pub async fn handle_topics_page(data: &Data, click: &ComponentInteraction) -> Result<bool, Error> {
    let Some(page) = click
        .data
        .custom_id
        .strip_prefix(PAGE_BUTTON_PREFIX)
        .and_then(|p| p.parse::<usize>().ok())
    else {
        return Ok(false);
    };
    let ephemeral = crate::discord::rest::is_ephemeral(click);
    data.rest
        .update_message(
            click.id.get(),
            &click.token,
            &topics_page(data, page, ephemeral),
        )
        .await?;
    Ok(true)
}

/// Read one topic in full, with its source.
#[poise::command(slash_command)]
pub async fn topic(
    ctx: Context<'_>,
    #[description = "The topic's title (start typing to choose)"]
    #[autocomplete = "topic_titles"]
    name: String,
    #[description = "Show it to everyone in the channel (it is private by default)"] share: Option<
        bool,
    >,
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

/// Under a reply that quotes nothing, one "Read" button per topic it names. When Lantern
/// is not sure enough to quote, the topic that holds the answer is often among those it
/// names (first for about two in three such questions on new articles), so the member is
/// one click from reading it, and still nothing is presented as the answer.
pub fn read_buttons(answer: &Answer) -> Option<ActionRow> {
    if answer.quote().is_some() || answer.suggestions.is_empty() {
        return None;
    }
    let buttons = answer
        .suggestions
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
/// Returns false when the click is not one.
pub async fn handle_read_topic(data: &Data, click: &ComponentInteraction) -> Result<bool, Error> {
    let Some(tag) = click.data.custom_id.strip_prefix(READ_BUTTON_PREFIX) else {
        return Ok(false);
    };
    let knowledge = data.store.current();
    let library = knowledge.library();
    let pages = match library.topics().find(|t| topic_tag(&t.topic.title) == tag) {
        Some(found) => render::render_topic(found, &library.safety),
        None => vec![TOPIC_GONE.to_string()],
    };
    let mut pages = pages.into_iter();
    let first = MessageBody::text(pages.next().unwrap_or_default(), true);
    data.rest
        .respond(click.id.get(), &click.token, &first)
        .await?;
    for page in pages {
        data.rest
            .follow_up(
                click.application_id.get(),
                &click.token,
                &MessageBody::text(page, true),
            )
            .await?;
    }
    Ok(true)
}
