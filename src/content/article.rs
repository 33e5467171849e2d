//! Articles: one Markdown file each, front matter, topics under headings, passages.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::Reading;
use super::markdown::{self, Document, Field, Section};
use super::problem::{Problem, error_count};
use super::promo::promotional_reason;
use crate::text::limits;

/// An article as moderators wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Path relative to the content folder, for messages and reports.
    pub file: std::path::PathBuf,
    pub title: String,
    /// Where the article comes from; shown under every passage quoted from it.
    pub source: String,
    pub last_reviewed: NaiveDate,
    pub reviewed_by: Option<String>,
    pub next_review: Option<NaiveDate>,
    pub topics: Vec<Topic>,
}

/// A topic: a heading written for members (or an introduction), and its passages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub title: String,
    pub line: usize,
    /// The text before the article's first heading, titled by the article.
    pub introduction: bool,
    /// Other ways members ask what this topic answers, from its `Also asked:` lines.
    /// They are searched like the title but never shown.
    pub also_asked: Vec<String>,
    pub passages: Vec<Passage>,
}

/// The longest `Also asked:` phrase, in characters: a phrase is a question's wording,
/// not a passage, and a long one would match everything.
pub const ALSO_ASKED_MAX_CHARS: usize = 120;

/// The unit Lantern quotes: a paragraph with the list it introduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub text: String,
    pub line: usize,
}

/// Front matter keys, in the order moderators are told about them.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "source",
    "last_reviewed",
    "reviewed_by",
    "next_review",
];

const FRONT_MATTER_EXAMPLE: &str = "---\ntitle: …\nsource: …\nlast_reviewed: 2026-01-31\n---";

/// Parses one article. `shown_path` is the path used in messages.
pub fn parse(
    shown_path: &Path,
    file: &Path,
    text: &str,
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Article> {
    let before = error_count(problems);
    let document = markdown::parse(shown_path, text, markdown::Headings::Topics, problems);
    let Document {
        front_matter,
        sections,
    } = document;

    let Some(fields) = front_matter else {
        problems.push(Problem::error(
            shown_path,
            Some(1),
            format!("an article must start with front matter, like:\n{FRONT_MATTER_EXAMPLE}"),
        ));
        return None;
    };
    let meta = FrontMatter::read(shown_path, &fields, problems);

    for field in &fields {
        if let Some(reason) = promotional_reason(&field.value) {
            problems.push(promo_problem(shown_path, field.line, &reason));
        }
    }

    let topics: Vec<Topic> = sections
        .into_iter()
        .filter_map(|section| read_topic(shown_path, section, reading, problems))
        .collect();
    if topics.is_empty() && error_count(problems) == before {
        problems.push(Problem::error(
            shown_path,
            None,
            "this article has no topics: add a `## Topic title` heading with a paragraph under it",
        ));
    }

    let meta = meta?;
    if error_count(problems) > before {
        return None;
    }
    Some(Article {
        file: file.to_path_buf(),
        title: meta.title,
        source: meta.source,
        last_reviewed: meta.last_reviewed,
        reviewed_by: meta.reviewed_by,
        next_review: meta.next_review,
        topics,
    })
}

/// One section as a topic, reporting what is wrong with it; `None` when it has no
/// passage.
fn read_topic(
    path: &Path,
    section: Section,
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Topic> {
    if section.blocks.is_empty() {
        problems.push(Problem::error(
            path,
            Some(section.line),
            format!(
                "topic \"{}\" has no passage: add a paragraph under the heading or remove the heading",
                section.heading
            ),
        ));
        return None;
    }
    let title_length = section.heading.chars().count();
    if title_length > limits::CHOICE_NAME {
        let message = if section.level == markdown::INTRODUCTION {
            format!(
                "the text here, before the first heading, is a topic titled by the file's `# ` line (or its front matter title without one), which is {title_length} characters long; \
                 Discord shows at most {} in /topic choices, so put a `## Topic title` heading above it or shorten that title",
                limits::CHOICE_NAME
            )
        } else {
            format!(
                "this topic title is {title_length} characters long; Discord shows at most {} in /topic choices, so shorten it",
                limits::CHOICE_NAME
            )
        };
        problems.push(Problem::error(path, Some(section.line), message));
    }
    if let Some(reason) = promotional_reason(&section.heading) {
        problems.push(promo_problem(path, section.line, &reason));
    }
    let also_asked = read_also_asked(path, &section.also_asked, reading, problems);
    if let Some(first) = section.blocks.first() {
        warn_of_a_wrapped_also_asked_line(path, &section.also_asked, first, problems);
    }
    for block in &section.blocks {
        warn_of_a_bold_line_as_heading(path, block, problems);
    }
    let mut passages = Vec::new();
    for block in &section.blocks {
        for line in &block.lines {
            if let Some(reason) = promotional_reason(&line.text) {
                problems.push(promo_problem(path, line.line, &reason));
            }
        }
        let text = block.text();
        if let Some(problem) = placeholder_problem(path, block.line(), &text) {
            problems.push(problem);
        }
        passages.push(Passage {
            text,
            line: block.line(),
        });
    }
    Some(Topic {
        title: section.heading,
        line: section.line,
        introduction: section.level == markdown::INTRODUCTION,
        also_asked,
        passages,
    })
}

/// A passage that is a draft's placeholder rather than text: with no word at all ("...",
/// "—") it is an error, as it would be quoted to a member as a confident answer; one
/// that only says it is to be written ("TODO", "TBC") is a warning, as it may be meant
/// to go out as it stands.
fn placeholder_problem(path: &Path, line: usize, text: &str) -> Option<Problem> {
    if !text.chars().any(char::is_alphanumeric) {
        return Some(Problem::error(
            path,
            Some(line),
            format!(
                "this passage (`{text}`) has no words: Lantern would quote it as an answer; write the passage, or remove it"
            ),
        ));
    }
    let said: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    PLACEHOLDERS.contains(&said.as_str()).then(|| {
        Problem::warning(
            path,
            Some(line),
            format!(
                "this passage only says `{text}`: it reads as a note that it is still to be written, and Lantern would quote it as an answer; write the passage, or remove it until it is written"
            ),
        )
    })
}

/// What a writer puts where a passage is still to come.
const PLACEHOLDERS: &[&str] = &[
    "todo",
    "to do",
    "tbc",
    "tbd",
    "tba",
    "coming soon",
    "placeholder",
    "text here",
    "xxx",
    "lorem ipsum",
];

/// Names a first passage that is more likely the rest of an `Also asked:` line wrapped
/// onto the next one: straight under that line, one short line in lower case with no sentence's end
/// ("how much iron should I take when pregnant"), or phrases split by semicolons. Read as
/// a passage, it would be quoted as the answer.
fn warn_of_a_wrapped_also_asked_line(
    path: &Path,
    also_asked: &[(usize, String)],
    first: &markdown::Block,
    problems: &mut Vec<Problem>,
) {
    let Some((line, phrases)) = also_asked.last() else {
        return;
    };
    let text = first.text();
    let words = text.split_whitespace().count();
    // A passage opens with a capital ("Usually 75mg once a day"); a member's phrase,
    // as moderators write them, does not, unless it is "I", or the line above it broke
    // off mid-phrase ("how long after a miscarriage should").
    let broke_off = phrases
        .split_whitespace()
        .last()
        .is_some_and(|last| UNFINISHED.contains(&last.to_lowercase().as_str()));
    let opens_like_a_phrase = text.starts_with(|c: char| c.is_lowercase())
        || text.starts_with("I ")
        || text.contains(';')
        || broke_off;
    let phrase_like = !text.contains(['.', '!', ':', '\n'])
        && first.lines.len() == 1
        && opens_like_a_phrase
        && (words <= 12 || text.contains(';'));
    if first.line() == line + 1 && phrase_like {
        const ASKED: &str = markdown::ALSO_ASKED;
        problems.push(Problem::warning(
            path,
            Some(first.line()),
            format!(
                "this line follows the `{ASKED}` line directly and reads like more of its \
                 phrases (short, no full stop), so it is the topic's first passage and would be \
                 quoted: if it is a phrase, put it on the `{ASKED}` line after a semicolon; \
                 if it is the passage, end its sentence with a full stop"
            ),
        ));
    }
}

/// Names a paragraph that opens with a line in bold and nothing else, then goes on
/// ("**Signs of low iron**" over its text), as a document pasted from a word processor
/// marks its headings: read as text, every such "heading" and its text join the topic
/// above, and the bold line is quoted with it.
fn warn_of_a_bold_line_as_heading(
    path: &Path,
    block: &markdown::Block,
    problems: &mut Vec<Problem>,
) {
    let Some(first) = block.lines.first() else {
        return;
    };
    let text = first.text.trim();
    let Some(marker) = ["**", "__"].into_iter().find(|m| text.starts_with(m)) else {
        return;
    };
    let Some(end) = text[2..].find(marker) else {
        return;
    };
    let bold = text[2..2 + end].trim();
    let reads_as_title = !bold.is_empty()
        && !bold.ends_with(['.', ':', '!', '?', ','])
        && bold.split_whitespace().count() <= 8;
    // The bold stood alone on its line of the file, and text or a list follows it in the
    // same paragraph: a bold lead-in shares its line with its sentence ("**Heparin
    // injections** are given once a day...", "**Clexane** Your midwife will show you").
    let first_line = first
        .text
        .get(..first.first_line_end)
        .unwrap_or(&first.text);
    let alone_on_its_line = first_line.trim() == &text[..2 + end + 2];
    let followed = first.last_line > first.line || block.lines.len() > 1;
    if reads_as_title && alone_on_its_line && followed {
        problems.push(Problem::warning(
            path,
            Some(first.line),
            format!(
                "this paragraph opens with a line in bold (`{bold}`), which is read as text and \
                 quoted with the passage: if it is a heading, write `## {bold}` on its own line"
            ),
        ));
    }
}

/// Words a phrase does not end on: an `Also asked:` line ending on one was cut off.
const UNFINISHED: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "at", "with", "after", "before",
    "if", "is", "are", "can", "could", "should", "would", "will", "do", "does", "what", "when",
    "how", "why", "my", "i",
];

/// The usable phrases of a topic's `Also asked:` lines (`(line, phrases)`), reporting
/// empty, overlong and never-matching ones.
fn read_also_asked(
    path: &Path,
    lines: &[(usize, String)],
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut also_asked = Vec::new();
    for (line, phrases) in lines {
        if phrases.trim().is_empty() {
            problems.push(Problem::error(
                path,
                Some(*line),
                "this `Also asked:` line names no phrase: write the phrases on the line itself, after the colon, \
                 separated by semicolons (`Also asked: is it safe; when is it safe`); lines below it are read as the passage",
            ));
            continue;
        }
        // A semicolon left at the end of the line names nothing.
        let phrases = phrases.trim_end();
        let phrases = phrases.strip_suffix(';').unwrap_or(phrases);
        for phrase in phrases.split(';').map(str::trim) {
            let problem = if phrase.is_empty() {
                Some("an empty phrase: separate phrases with single semicolons, like `Also asked: is it safe; when is it safe`".to_string())
            } else if phrase.chars().count() > ALSO_ASKED_MAX_CHARS {
                Some(format!(
                    "an `Also asked` phrase is {} characters long; keep each under {ALSO_ASKED_MAX_CHARS}, the way members would ask",
                    phrase.chars().count()
                ))
            } else {
                super::synonyms::never_matches(phrase, reading)
            };
            match problem {
                Some(message) => problems.push(Problem::error(path, Some(*line), message)),
                None => also_asked.push(phrase.to_string()),
            }
        }
    }
    also_asked
}

fn promo_problem(path: &Path, line: usize, reason: &str) -> Problem {
    Problem::error(
        path,
        Some(line),
        format!(
            "promotional material: {reason}. Lantern quotes only medical content; remove the advert or reword the line"
        ),
    )
}

struct FrontMatter {
    title: String,
    source: String,
    last_reviewed: NaiveDate,
    reviewed_by: Option<String>,
    next_review: Option<NaiveDate>,
}

impl FrontMatter {
    fn read(path: &Path, fields: &[Field], problems: &mut Vec<Problem>) -> Option<FrontMatter> {
        let before = error_count(problems);
        let mut seen: Vec<&str> = Vec::new();
        for field in fields {
            if !FRONT_MATTER_KEYS.contains(&field.key.as_str()) {
                // A warning, not an error: articles often carry keys of their own
                // (`author`, `tags`), and one error keeps the whole folder from loading.
                problems.push(Problem::warning(
                    path,
                    Some(field.line),
                    format!(
                        "front matter key `{}` is not one Lantern reads, so it is ignored: the keys are {}; \
                         check its spelling if you meant one of them",
                        field.key,
                        FRONT_MATTER_KEYS.join(", ")
                    ),
                ));
            } else if seen.contains(&field.key.as_str()) {
                problems.push(Problem::error(
                    path,
                    Some(field.line),
                    format!("`{}` is given twice: keep one", field.key),
                ));
            } else if field.value.is_empty() {
                problems.push(Problem::error(
                    path,
                    Some(field.line),
                    format!(
                        "`{}` is empty: give it a value or remove the line",
                        field.key
                    ),
                ));
            }
            seen.push(&field.key);
        }

        let get = |key: &str| fields.iter().find(|f| f.key == key && !f.value.is_empty());
        let required = |key: &str, problems: &mut Vec<Problem>| {
            let found = get(key);
            if found.is_none() && !fields.iter().any(|f| f.key == key) {
                problems.push(Problem::error(
                    path,
                    Some(1),
                    format!("the front matter has no `{key}:` line; it needs title, source and last_reviewed"),
                ));
            }
            found
        };
        let date = |field: &Field, problems: &mut Vec<Problem>| match NaiveDate::parse_from_str(
            &field.value,
            "%Y-%m-%d",
        ) {
            // Four-digit years only: chrono also reads "+262142-12-31", a typo no
            // moderator means, and a date that near its end cannot be reasoned about.
            Ok(date) if (1000..=9999).contains(&date.year()) => Some(date),
            _ => {
                problems.push(Problem::error(
                    path,
                    Some(field.line),
                    format!(
                        "`{}: {}` is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31",
                        field.key, field.value
                    ),
                ));
                None
            }
        };

        let title = required("title", problems);
        let source = required("source", problems);
        for field in [title, source].into_iter().flatten() {
            let length = field.value.chars().count();
            if length > limits::SOURCE {
                problems.push(Problem::error(
                    path,
                    Some(field.line),
                    format!(
                        "`{}` is {length} characters; keep it under {} (it is shown with every answer from this article)",
                        field.key,
                        limits::SOURCE
                    ),
                ));
            }
        }
        let last_reviewed = required("last_reviewed", problems).and_then(|f| date(f, problems));
        let next_review = get("next_review").and_then(|f| date(f, problems));
        if error_count(problems) > before {
            return None;
        }
        Some(FrontMatter {
            title: title?.value.clone(),
            source: source?.value.clone(),
            last_reviewed: last_reviewed?,
            reviewed_by: get("reviewed_by").map(|f| f.value.clone()),
            next_review,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "---\ntitle: T\nsource: S\nlast_reviewed: 2026-01-02\n---\n\n## Topic one\n\nA passage.\n";

    fn parse_str(text: &str) -> (Option<Article>, Vec<Problem>) {
        let mut problems = Vec::new();
        let reading = |phrase: &str| -> Vec<String> {
            crate::text::words(phrase)
                .into_iter()
                .map(|word| word.text)
                .collect()
        };
        let article = parse(
            Path::new("a.md"),
            Path::new("a.md"),
            text,
            &reading,
            &mut problems,
        );
        (article, problems)
    }

    #[test]
    fn good_article() {
        let (article, problems) = parse_str(GOOD);
        assert!(problems.is_empty());
        let article = article.unwrap();
        assert_eq!(article.topics[0].passages[0].text, "A passage.");
        assert_eq!(article.topics[0].passages[0].line, 9);
        assert_eq!(
            article.last_reviewed,
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()
        );
    }

    #[test]
    fn front_matter_errors() {
        let (article, problems) =
            parse_str("---\ntitle: T\nlast_reviewed: 31/01/2026\ncolour: red\n---\n## A\nx\n");
        assert!(article.is_none());
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(messages.iter().any(|m| m.starts_with("a.md:4: warning:")
            && m.contains("front matter key `colour` is not one Lantern reads")));
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("a.md:3:") && m.contains("YYYY-MM-DD"))
        );
        assert!(messages.iter().any(|m| m.contains("no `source:` line")));
    }

    #[test]
    fn an_introduction_under_a_long_article_title_says_how_to_fix_it() {
        let title = "A".repeat(limits::CHOICE_NAME + 1);
        let (article, problems) = parse_str(&format!(
            "---\ntitle: {title}\nsource: S\nlast_reviewed: 2026-01-02\n---\nIntro.\n## A\nx\n"
        ));
        assert!(article.is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(6));
        assert!(
            problems[0]
                .message
                .contains("put a `## Topic title` heading above it")
        );
    }

    /// An `Also asked` line wrapped onto a second line would have its second half quoted
    /// as the passage: a short line with no full stop straight under it is named.
    #[test]
    fn a_wrapped_also_asked_line_is_named() {
        let head = "---\ntitle: T\nsource: S\nlast_reviewed: 2026-01-02\n---\n## Iron\n";
        let wrapped = format!(
            "{head}Also asked: do I need iron; iron side effects\n\
             how much iron should I take when pregnant\n\nIron tablets can cause constipation.\n"
        );
        let (article, problems) = parse_str(&wrapped);
        assert!(article.is_some());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(8));
        assert!(
            problems[0].message.contains("after a semicolon"),
            "{problems:?}"
        );
        // Wrapped mid-phrase, the rest opening with "I" or a capital.
        for cut in [
            "Also asked: is heparin safe; how long after a miscarriage should\nI wait to try again\n",
            "Also asked: what is\nAPS treatment\n",
        ] {
            let (_, problems) = parse_str(&format!("{head}{cut}\nThe passage.\n"));
            assert_eq!(problems.len(), 1, "{cut}: {problems:?}");
        }
        // A passage straight under the line, wrapped or not, or a blank line between.
        for fine in [
            "Also asked: do I need iron\nIron tablets can cause constipation.\n",
            "Also asked: do I need iron\n\nhow much iron\n",
            "Also asked: do I need iron\nMost women need iron tablets when their levels fall low in the\n\
             second half of pregnancy, and the midwife checks them.\n",
            "Also asked: do I need iron\nIt is given in two ways:\n- by mouth\n- by drip\n",
            "Also asked: how much aspirin\nUsually 75mg to 150mg once a day from 12 weeks until birth\n",
        ] {
            let (_, problems) = parse_str(&format!("{head}{fine}"));
            assert!(problems.is_empty(), "{fine}: {problems:?}");
        }
    }

    /// A semicolon left at the end of an `Also asked:` line names nothing; a line with no
    /// phrases says where they go.
    #[test]
    fn also_asked_lines_forgive_a_trailing_semicolon_and_explain_an_empty_one() {
        let head = "---\ntitle: T\nsource: S\nlast_reviewed: 2026-01-02\n---\n## Iron\n";
        let (article, problems) = parse_str(&format!(
            "{head}Also asked: do I need iron; iron side effects;\n\nIron helps.\n"
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            article.unwrap().topics[0].also_asked,
            ["do I need iron", "iron side effects"]
        );
        let (_, problems) = parse_str(&format!(
            "{head}Also asked:\n- do I need iron\n\nIron helps.\n"
        ));
        assert!(
            problems
                .iter()
                .any(|p| p.line == Some(7) && p.message.contains("on the line itself")),
            "{problems:?}"
        );
        let (_, problems) = parse_str(&format!("{head}Also asked: a;; b\n\nIron helps.\n"));
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("an empty phrase")),
            "{problems:?}"
        );
    }

    /// Headings marked in bold, as a word processor pastes them, are named.
    #[test]
    fn a_bold_line_used_as_a_heading_is_named() {
        let head = "---\ntitle: T\nsource: S\nlast_reviewed: 2026-01-02\n---\n## Iron\n\n";
        let pasted = format!(
            "{head}Iron matters in pregnancy.\n\n**Signs of low iron**\nTiredness and pale skin.\n"
        );
        let (article, problems) = parse_str(&pasted);
        assert!(article.is_some());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(10));
        assert!(
            problems[0].message.contains("`## Signs of low iron`"),
            "{problems:?}"
        );
        // Over a list too.
        let (_, problems) = parse_str(&format!(
            "{head}**Signs of low iron**\n- tiredness\n- pale skin\n"
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        // Bold inside a sentence, a bold lead-in (wrapped or not), a bold line alone:
        // nothing to say.
        for fine in [
            "**Note:** take it with food.\n",
            "**Do not** stop heparin without advice.\n",
            "Take it **with food**, every day.\n",
            "**Call your midwife**\n",
            "**Clexane** Your midwife will show you how to inject it into your\ntummy or thigh.\n",
            "**Heparin injections** are given once a day into the skin of your tummy or\n\
             thigh, and your midwife will show you how.\n",
            "**Note**: keep the pens at room temperature and away from\nsunlight.\n",
        ] {
            let (_, problems) = parse_str(&format!("{head}{fine}"));
            assert!(problems.is_empty(), "{fine}: {problems:?}");
        }
    }

    #[test]
    fn missing_front_matter_and_empty_topic() {
        let (_, problems) = parse_str("## A\ntext\n");
        assert!(problems[0].message.contains("must start with front matter"));
        let (_, problems) = parse_str(&GOOD.replace("## Topic one", "## Empty\n\n## Topic one"));
        assert_eq!(problems[0].line, Some(7));
        assert!(problems[0].message.contains("has no passage"));
    }

    #[test]
    fn adverts_are_errors_with_their_line() {
        let (article, problems) = parse_str(&format!(
            "{GOOD}\nTry the Pregnancy Miracle System today.\n"
        ));
        assert!(article.is_none());
        assert_eq!(problems[0].line, Some(11));
        assert!(problems[0].message.contains("promotional material"));
    }
}
