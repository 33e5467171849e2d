//! The words of the moderators' feedback loop: the counts table (`/gaps`, `lantern
//! stats`), the preview a member sees before sending a question to the moderators, and
//! the post the moderators then read.

use crate::feedback::TopicCounts;
use crate::text::limits::{self, char_len, ellipsize};

use super::pack;

/// How many characters of a topic title the table shows; longer titles end in "…".
const TOPIC_COLUMN: usize = 34;

/// The row of a question that had no topic near it at all.
const NO_TOPIC: &str = "(nothing near)";

/// The longest `Also asked:` phrase content accepts (see `content::article`).
const ALSO_ASKED_MAX_CHARS: usize = crate::content::ALSO_ASKED_MAX_CHARS;

/// The counts per topic over the last `weeks` weeks, most in need of attention first,
/// as a monospace table in as many messages as it needs.
pub fn render_gaps(topics: &[TopicCounts], weeks: u32) -> Vec<String> {
    let span = if weeks == 1 {
        "this week".to_string()
    } else {
        format!("the last {weeks} weeks")
    };
    if topics.is_empty() {
        return vec![format!(
            "**Questions per topic, {span}**\nNo questions counted yet."
        )];
    }
    let heading = format!(
        "**Questions per topic, {span}**, most in need first. *Not helped* counts \"Not what I needed\" clicks and \
         questions Lantern could not answer that were nearest the topic: those want a new passage or an `Also asked:` line. \
         *Opened* counts how often members read the topic from a reply that quoted nothing: it may hold what they asked, in other words."
    );
    let header = format!(
        "{:<TOPIC_COLUMN$}  {:>8}  {:>7}  {:>11}  {:>14}  {:>6}  {:>6}",
        "Topic", "Answered", "Helpful", "Not helpful", "Refused nearby", "Urgent", "Opened"
    );
    let rows: Vec<String> = topics.iter().map(table_row).collect();
    // Each page is its own code block, so the columns line up on every page.
    let budget = limits::MESSAGE_CONTENT - char_len(&heading) - char_len(&header) - 16;
    pack(&rows, "\n", budget)
        .into_iter()
        .map(|page| {
            ellipsize(
                &format!("{heading}\n```\n{header}\n{page}\n```"),
                limits::MESSAGE_CONTENT,
            )
        })
        .collect()
}

fn table_row(topic: &TopicCounts) -> String {
    let name = if topic.topic.is_empty() {
        NO_TOPIC.to_string()
    } else {
        ellipsize(&topic.topic, TOPIC_COLUMN)
    };
    let tally = &topic.tally;
    let share = tally
        .helpful_share()
        .map_or("-".to_string(), |s| format!("{:.0}%", s * 100.0));
    format!(
        "{name:<TOPIC_COLUMN$}  {:>8}  {share:>7}  {:>11}  {:>14}  {:>6}  {:>6}",
        tally.answers,
        tally.not_helpful,
        tally.refusals_nearby,
        tally.urgent_notices,
        tally.opened_from_refusals
    )
}

/// A topic near a question, and how sure Lantern was of it (0 to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct NearTopic {
    pub title: String,
    pub confidence: Option<f32>,
}

/// What the moderators read when a member sends them a question: no name, no id, the
/// nearest topics, the whole question, and the question as an `Also asked:` line ready
/// to paste.
pub fn render_forwarded_question(question: &str, near: &[NearTopic]) -> String {
    // In a code block, a member's words read exactly as typed: no Markdown of theirs can
    // turn the rest of the post into code, hide a link behind other words under the
    // bot's name, or render a mention. Only backticks, which would close the block,
    // become apostrophes, as in the `Also asked` line.
    let shown = one_line(question).replace('`', "'");
    let near_lines: Vec<String> = near
        .iter()
        .map(|topic| match topic.confidence {
            Some(confidence) => format!("• {} (confidence {confidence:.2})", topic.title),
            None => format!("• {}", topic.title),
        })
        .collect();
    let near = if near_lines.is_empty() {
        "Nothing in the content came near.".to_string()
    } else {
        format!("Nearest topics:\n{}", near_lines.join("\n"))
    };
    let line = also_asked_line(question);
    let text = format!(
        "📨 **A member asked this and Lantern could not help well.** They chose to send it, without their name.\n\
         ```\n{shown}\n```\n{near}\n\
         If a topic answers it, add this line under that topic's heading so Lantern finds it next time:\n```\n{line}\n```"
    );
    ellipsize(&text, limits::MESSAGE_CONTENT)
}

/// The private preview a member sees before choosing: the message that would be sent,
/// whole. When the preview's own words and quoting would take it past one message, the
/// longest line (the question) is shortened in the preview only, and the member is told
/// that the whole of it is sent.
pub fn render_forward_preview(post: &str, hold_seconds: u64) -> String {
    let full = forward_preview(post, "", hold_seconds);
    let over = char_len(&full).saturating_sub(limits::MESSAGE_CONTENT);
    if over == 0 {
        return full;
    }
    let mut lines: Vec<String> = post.lines().map(str::to_string).collect();
    if let Some(longest) = lines.iter_mut().max_by_key(|line| char_len(line)) {
        let keep = char_len(longest).saturating_sub(over + char_len(SHORTENED_HERE) + 1);
        *longest = ellipsize(longest, keep);
    }
    ellipsize(
        &forward_preview(&lines.join("\n"), SHORTENED_HERE, hold_seconds),
        limits::MESSAGE_CONTENT,
    )
}

/// Told to a member whose question Lantern no longer holds when they click to send it.
pub fn render_question_forgotten(hold_seconds: u64) -> String {
    format!(
        "I no longer hold that question: it has already been sent from another preview, or it was asked more \
         than {} ago (questions are kept no longer). If it was not sent, ask it again to send it.",
        super::describe_duration(hold_seconds)
    )
}

/// Said under a preview whose question had to be shortened to fit.
const SHORTENED_HERE: &str = "(Your question is shortened here to fit; the whole of it is sent.)";

/// The preview of `post`, with `note` under it; the question is held `hold_seconds`.
fn forward_preview(post: &str, note: &str, hold_seconds: u64) -> String {
    let text = format!(
        "You can send your question to this community's moderators, so they can add what was missing. \
         They will see exactly the message below, **without your name**. Nothing is sent unless you press *Send to the moderators*; \
         if you don't, your question is forgotten within {}.\n\n{}",
        super::describe_duration(hold_seconds),
        super::quote_lines(post)
    );
    if note.is_empty() {
        text
    } else {
        format!("{text}\n{note}")
    }
}

/// The question as one `Also asked:` line: on one line, without the semicolons that
/// separate phrases, shortened to what content accepts.
fn also_asked_line(question: &str) -> String {
    let phrase = one_line(question).replace(';', ",").replace('`', "'");
    let phrase = if char_len(&phrase) > ALSO_ASKED_MAX_CHARS {
        let cut: String = phrase.chars().take(ALSO_ASKED_MAX_CHARS).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
        format!("{cut} (shorten this to the question's core)")
    } else {
        phrase
    };
    format!("Also asked: {phrase}")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_question_is_sent_whole_and_previewed_within_one_message() {
        let question = "why ".repeat(limits::QUESTION / 4);
        let near: Vec<NearTopic> = (0..4)
            .map(|i| NearTopic {
                title: format!("{i} {}", "t".repeat(98)),
                confidence: Some(0.5),
            })
            .collect();
        let post = render_forwarded_question(&question, &near);
        assert!(
            post.contains(question.trim()),
            "the whole question is sent: {post}"
        );
        assert!(post.ends_with("```"), "{post}");
        let preview = render_forward_preview(&post, 900);
        assert!(char_len(&preview) <= limits::MESSAGE_CONTENT);
        assert!(preview.ends_with(SHORTENED_HERE), "{preview}");
        assert!(
            preview.contains("> ```"),
            "the code block is shown closed: {preview}"
        );
        // A short question's preview is the post, whole, with no note.
        let short = render_forwarded_question("why heparin?", &near);
        let preview = render_forward_preview(&short, 900);
        assert!(
            preview.ends_with(&crate::render::quote_lines(&short)),
            "{preview}"
        );
    }
    use crate::feedback::Tally;

    #[test]
    fn the_table_lines_up_and_pages_fit() {
        let topics: Vec<TopicCounts> = (0..120)
            .map(|i| TopicCounts {
                topic: format!("A rather long topic title number {i} that goes on"),
                tally: Tally {
                    answers: i,
                    helpful: 1,
                    not_helpful: 1,
                    refusals_nearby: 2,
                    urgent_notices: 0,
                    opened_from_refusals: i % 3,
                },
            })
            .collect();
        let pages = render_gaps(&topics, 4);
        assert!(pages.len() > 1);
        for page in &pages {
            assert!(char_len(page) <= limits::MESSAGE_CONTENT);
            assert_eq!(page.matches("```").count(), 2, "{page}");
        }
        let rows: Vec<&str> = pages[0].lines().filter(|l| l.contains("50%")).collect();
        let widths: Vec<usize> = rows.iter().map(|l| char_len(l)).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{rows:#?}");
        assert!(rows[0].contains("…"));
    }

    /// A member's Markdown cannot reshape the moderators' post: their words sit in a
    /// code block of their own, whose fence they cannot close.
    #[test]
    fn a_members_markdown_is_shown_as_typed() {
        let question = "is ``` heparin **safe** [verify here](https://example.com) <@123> # help";
        let post = render_forwarded_question(question, &[]);
        assert_eq!(post.matches("```").count(), 4, "{post}");
        let (_, first_block) = post.split_once("```\n").unwrap();
        let (typed, _) = first_block.split_once("\n```").unwrap();
        assert_eq!(
            typed,
            "is ''' heparin **safe** [verify here](https://example.com) <@123> # help"
        );
        assert!(post.ends_with("```"), "{post}");
    }

    #[test]
    fn a_forwarded_question_is_ready_to_paste() {
        let post = render_forwarded_question(
            "can I   take\nibuprofen; with heparin?",
            &[NearTopic {
                title: "Heparin".into(),
                confidence: Some(0.41),
            }],
        );
        assert!(
            post.contains("```\ncan I take ibuprofen; with heparin?\n```"),
            "{post}"
        );
        assert!(post.contains("Also asked: can I take ibuprofen, with heparin?"));
        assert!(post.contains("• Heparin (confidence 0.41)"));
        let long = "why ".repeat(60);
        let post = render_forwarded_question(&long, &[]);
        let line = post.lines().find(|l| l.starts_with("Also asked:")).unwrap();
        assert!(char_len(line) < ALSO_ASKED_MAX_CHARS + 60, "{line}");
        assert!(post.contains("Nothing in the content came near."));
    }
}
