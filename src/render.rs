//! The one renderer, for the command line and Discord alike: replies, topic pages,
//! `/about`, reload reports and stale lists.
//!
//! `lantern ask` prints exactly the text the bot sends, so what moderators try on the
//! command line is what members will read. Every reply ends with the disclaimer and the
//! advice to see a doctor; safety notices always come first; a passage that must be
//! shortened is cut at a sentence end and says so.

mod feedback;

use std::fmt;

use chrono::NaiveDate;

use crate::content::{Changes, Library, Problem, ReloadEvent, SafetyTexts, TopicRef};
use crate::knowledge::evaluation::{MissKind, Report};
use crate::knowledge::{Answer, Explanation, Outcome, Refusal, SmallTalk};
use crate::safety::Urgency;
use crate::text::limits::{self, char_len, ellipsize};

pub use feedback::{
    NearTopic, render_forward_preview, render_forwarded_question, render_gaps,
    render_question_forgotten,
};

const SHORTENED: &str = "*(Passage shortened to fit: use /topic to read all of it.)*";
const SHORTENED_MID_SENTENCE: &str =
    "*(Passage cut mid-sentence to fit: use /topic to read all of it.)*";

/// Renders `answer` as the message members see, within [`limits::MESSAGE_CONTENT`].
pub fn render(answer: &Answer, texts: &SafetyTexts) -> String {
    let notices = notices(answer.urgency, texts);
    let footer = footer(texts);
    let body = match &answer.outcome {
        Outcome::Answered(quote) => {
            let heading = format!("**{}**", quote.topic);
            let source = source_line(&quote.source, quote.last_reviewed);
            let room =
                |see_also: &str| passage_room(&[&notices, &heading, &source, see_also, &footer]);
            // Safety notices and the footer are never cut; "see also" goes first when the
            // passage would otherwise be shortened: its own words come before pointers.
            let mut see_also = see_also(&answer.suggestions);
            let whole = char_len(&quote_lines(&quote.passage)).max(limits::PASSAGE_MIN);
            if room(&see_also) < whole {
                see_also.clear();
            }
            let room = room(&see_also);
            let passage = fit_quote(&quote.passage, room);
            join_parts(&[&format!("{heading}\n{passage}\n{source}"), &see_also])
        }
        Outcome::NotFound => {
            let mut text = texts.not_found.clone();
            if !answer.named_topics().is_empty() {
                text.push_str("\nClosest topics: ");
                text.push_str(&topic_names(answer.named_topics()));
            }
            text
        }
        Outcome::Withheld if answer.named_topics().is_empty() => String::new(),
        Outcome::Withheld => format!(
            "Topics in our articles nearest to your words: {}",
            topic_names(answer.named_topics())
        ),
        Outcome::SmallTalk(SmallTalk::Thanks) => {
            "You're welcome. 💙 I'm here whenever you want to ask something.".to_string()
        }
        Outcome::SmallTalk(SmallTalk::Greeting) => {
            "Hello 💙 Ask me a question in your own words, for example: *why would I need heparin?*"
                .to_string()
        }
        Outcome::TooClose => format!(
            "Your question fits two of our topics about equally well, so I won't guess which one you mean: {}. Ask again with a little more detail, or open one with `/topic`.",
            topic_names(answer.named_topics())
        ),
        Outcome::Refused(Refusal::Empty) => {
            "Please type a question, for example: *why would I need heparin?*".to_string()
        }
        Outcome::Refused(Refusal::TooLong { chars }) => format!(
            "That message is too long for me ({chars} characters; I read up to {}). Please ask about one thing in a sentence or two.",
            limits::QUESTION
        ),
    };
    // Thanks and greetings asked nothing health-related: no advice follows them.
    let footer = match answer.outcome {
        Outcome::SmallTalk(_) => String::new(),
        _ => footer,
    };
    let reply = join_parts(&[&notices, &body, &footer]);
    ellipsize(&reply, limits::MESSAGE_CONTENT)
}

/// What is left of one message for the quoted passage, beside the answer's other
/// `parts` (notices, heading, source line, "see also", footer), each set apart by a blank
/// line.
fn passage_room(parts: &[&str]) -> usize {
    let fixed: usize = parts.iter().map(|part| char_len(part) + 2).sum();
    limits::MESSAGE_CONTENT.saturating_sub(fixed)
}

/// The passages of `library` (in the folder `dir`) too long to quote whole in an answer,
/// even with no notice above them: members would read only their start. Warnings for
/// `lantern check`, with each passage's file and line.
pub fn passages_cut_in_answers(library: &Library, dir: &std::path::Path) -> Vec<Problem> {
    let footer = footer(&library.safety);
    let mut problems = Vec::new();
    for article in &library.articles {
        let source = source_line(&article.source, article.last_reviewed);
        for topic in &article.topics {
            let heading = format!("**{}**", topic.title);
            let room = passage_room(&["", &heading, &source, "", &footer]);
            for passage in &topic.passages {
                let length = char_len(&quote_lines(&passage.text));
                if length > room {
                    problems.push(Problem::warning(
                        &dir.join(&article.file),
                        Some(passage.line),
                        format!(
                            "this passage takes {length} characters quoted, and an answer has room for {room}: members see only its start, cut short with a pointer to /topic; split it into shorter paragraphs"
                        ),
                    ));
                }
            }
        }
    }
    problems
}

/// Renders a whole topic, as `/topic` shows it: as many messages as it needs, each
/// within the limit, passages whole where they fit, the footer on the last message.
pub fn render_topic(topic: TopicRef<'_>, texts: &SafetyTexts) -> Vec<String> {
    let heading = format!("**{}**", topic.topic.title);
    let source = source_line(&topic.article.source, topic.article.last_reviewed);
    let footer = footer(texts);
    let budget = limits::MESSAGE_CONTENT
        .saturating_sub(char_len(&heading) + char_len(&source) + char_len(&footer) + 20)
        .max(200);
    let mut pieces: Vec<String> = Vec::new();
    for passage in &topic.topic.passages {
        // Quoting adds two characters a line; leave room for them before splitting.
        let room = budget
            .saturating_sub(2 * passage.text.lines().count())
            .max(100);
        pieces.extend(
            split_at_sentences(&passage.text, room)
                .iter()
                .map(|p| quote_lines(p)),
        );
    }
    let mut pages = pack(&pieces, "\n>\n", budget);
    let last = pages.len() - 1;
    for (index, page) in pages.iter_mut().enumerate() {
        let mut text = if index == 0 {
            format!("{heading}\n{page}")
        } else {
            format!("{heading} (continued)\n{page}")
        };
        if index == last {
            text = format!("{text}\n{source}\n\n{footer}");
        }
        *page = ellipsize(&text, limits::MESSAGE_CONTENT);
    }
    pages
}

/// Room kept on each page of the topic list for its "*Page 12 of 34*" line.
const PAGE_LINE_ROOM: usize = 32;

/// Renders the list of topic titles, as `/topics` shows it, in as many messages as needed;
/// when there are several, each ends with its page number, within the message limit.
pub fn render_topic_list(titles: &[String]) -> Vec<String> {
    let heading = "**Topics** (ask about any of them, or read one with /topic)";
    let lines: Vec<String> = titles.iter().map(|t| format!("• {t}")).collect();
    let budget = limits::MESSAGE_CONTENT - char_len(heading) - 1 - PAGE_LINE_ROOM;
    let pages = pack(&lines, "\n", budget);
    let count = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(index, page)| {
            let mut text = format!("{heading}\n{page}");
            if count > 1 {
                text.push_str(&format!("\n*Page {} of {count}*", index + 1));
            }
            ellipsize(&text, limits::MESSAGE_CONTENT)
        })
        .collect()
}

/// The reply when a member asks again within their cooldown. An urgent or crisis notice
/// is never held back by it.
pub fn render_cooldown(urgency: Urgency, wait: std::time::Duration, texts: &SafetyTexts) -> String {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let body = format!(
        "I'm still here. Please give me {} between questions, then ask again.",
        describe_duration(seconds)
    );
    ellipsize(
        &join_parts(&[&notices(urgency, texts), &body, &footer(texts)]),
        limits::MESSAGE_CONTENT,
    )
}

/// A time Lantern keeps something for, as members read it: "15 minutes", "90 seconds".
pub fn describe_duration(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (1, 0) => "1 minute".to_string(),
        (minutes, 0) if minutes > 1 => format!("{minutes} minutes"),
        _ if seconds == 1 => "1 second".to_string(),
        _ => format!("{seconds} seconds"),
    }
}

/// What `/about` must tell truly about the running bot and the place it is asked in.
#[derive(Debug, Clone, Copy)]
pub struct AboutFacts {
    /// Questions answered since the bot started.
    pub answered: u64,
    /// Questions the articles did not answer since the bot started.
    pub not_found: u64,
    /// The server's default for who sees an answer.
    pub answers_private: bool,
    /// How long a question waits in memory for its asker to send it to the moderators;
    /// `None` when no question asked here may be sent.
    pub question_hold_seconds: Option<u64>,
    /// How long the id of a member's message is remembered against a second delivery.
    pub replay_memory_seconds: u64,
    /// Whether the log records question text now (`LANTERN_LOG_QUESTIONS` with trace
    /// logging, for testing): members must not be told it never does.
    pub questions_logged: bool,
}

/// What Lantern is, what it keeps, and where its content comes from (`/about`).
pub fn render_about(library: &Library, facts: AboutFacts) -> String {
    let AboutFacts {
        answered,
        not_found,
        answers_private,
        question_hold_seconds,
        replay_memory_seconds,
        questions_logged,
    } = facts;
    let replay_memory = describe_duration(replay_memory_seconds);
    let logs = if questions_logged {
        "**Its logs are recording the text of questions right now, for testing: do not ask anything private \
         here.** They never contain your name or your id"
    } else {
        "its logs never contain what you asked, your name or your id"
    };
    let sending = match question_hold_seconds {
        Some(seconds) => format!(
            "After each answer, and when it cannot answer, it may offer to send your question to the moderators \
             without your name: only if you click Send, after seeing exactly what they will read. Until you choose, \
             your question waits in memory only, for at most {}, and is then forgotten. ",
            describe_duration(seconds)
        ),
        None => String::new(),
    };
    let who_sees = if answers_private {
        "Answers to /ask and /topic are private to you unless you choose to share them"
    } else {
        "On this server, answers to /ask and /topic are shown to everyone in the channel \
         unless you choose share: False, which keeps one private to you"
    };
    let mut sources: Vec<String> = Vec::new();
    for article in &library.articles {
        let line = format!(
            "• {}: {} (reviewed {})",
            article.title,
            article.source,
            article.last_reviewed.format("%Y-%m-%d")
        );
        if !sources.contains(&line) {
            sources.push(line);
        }
    }
    let text = format!(
        "**About Lantern**\n\
         Lantern answers questions by quoting passages, word for word, from articles this community's moderators have \
         reviewed. It writes nothing of its own, and when the articles do not answer a question it says so. \
         It is not a doctor and cannot know your situation.\n\n\
         **Privacy**\n\
         Lantern keeps no record of your questions: it does not store their text, and {logs}. It keeps counts per topic and week (answers given, \"Helpful\" and \"Not what I \
         needed\" clicks, questions it could not answer and which topic they were nearest, topics opened with a Read \
         button, urgent notices shown) so moderators can see which topics need work; the counts hold no words, names \
         or ids (since it last started: {answered} answered, {not_found} not found in the articles). {sending}During \
         the cooldown after you ask, it keeps your id alone, in memory, to pace questions; then it forgets it. It \
         remembers the id of each message it answers (not who sent it) for {replay_memory}, so one Discord \
         delivers twice is answered once. \
         {who_sees}; a question asked by mentioning Lantern in a channel is answered in that channel.\n\n\
         **Content** ({} topics)",
        library.topics().count(),
    );
    // The disclaimer and doctor advice always show, as under every answer; a long
    // library's source list is what gets shortened.
    let footer = footer(&library.safety);
    let room = limits::MESSAGE_CONTENT.saturating_sub(char_len(&text) + char_len(&footer) + 3);
    let sources = fit_lines(&sources.join("\n"), room);
    let sources = sources.trim_start_matches('\n');
    ellipsize(
        &format!("{text}\n{sources}\n\n{footer}"),
        limits::MESSAGE_CONTENT,
    )
}

/// Content problems for moderators, under a heading, as many as fit in one message.
pub fn render_problems(heading: &str, problems: &[Problem]) -> String {
    let mut text = heading.to_string();
    for problem in problems {
        text.push('\n');
        text.push_str(&problem.to_string());
    }
    fit_message(&text)
}

/// A content reload, as moderators read it in their channel and in /reload's answer.
pub fn render_reload_event(event: &ReloadEvent, from_disk: bool) -> String {
    match event {
        ReloadEvent::Reloaded(changes) => {
            let cause = if from_disk { "Files changed in the content folder. " } else { "" };
            fit_message(&format!("📚 {cause}{changes}"))
        }
        ReloadEvent::Rejected(problems) if problems.is_empty() => {
            "⚠️ The content could not be indexed; members still get the previous content. See the bot's log.".to_string()
        }
        ReloadEvent::Rejected(problems) => render_problems(
            "⚠️ The content has errors, so nothing was reloaded: members still get the previous content.",
            problems,
        ),
    }
}

/// A reload's changes as moderators read them, in the log and (through
/// [`render_reload_event`]) in their channel. Implemented here, beside the other
/// reports, so that wording stays in the one renderer while the data lives in `content`.
impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Content reloaded: {} article(s), {} topics, {} passages.",
            self.articles, self.topics, self.passages
        )?;
        if !self.unread.is_empty() {
            let names: Vec<String> = self
                .unread
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            write!(
                f,
                "\nNot read (articles are .md files in articles/; rename, move or delete these): {}",
                names.join(" · ")
            )?;
        }
        if self.valid_again {
            write!(
                f,
                "\nThe errors are fixed: members get this content from now on."
            )?;
        }
        if self.is_empty() {
            return write!(f, "\nNothing changed.");
        }
        let list = |f: &mut fmt::Formatter<'_>, label: &str, titles: &[String]| {
            if titles.is_empty() {
                Ok(())
            } else {
                write!(f, "\n{label}: {}", titles.join(" · "))
            }
        };
        list(f, "Topics added", &self.topics_added)?;
        list(f, "Topics removed", &self.topics_removed)?;
        list(f, "Topics edited", &self.topics_edited)?;
        if self.synonym_groups_added + self.synonym_groups_removed > 0 {
            write!(
                f,
                "\nSynonyms: {} group(s) added or changed, {} removed or changed",
                self.synonym_groups_added, self.synonym_groups_removed
            )?;
        }
        if !self.safety_changed.is_empty() {
            write!(
                f,
                "\nSafety texts changed: {}",
                self.safety_changed.join(", ")
            )?;
        }
        Ok(())
    }
}

/// How a question was read, as `lantern ask --explain` prints it. Here, beside the other
/// reports, so knowledge only gathers the facts.
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "How the question was read:")?;
        if !self.asks.is_empty() {
            writeln!(f, "  asks:     {}", self.asks.join("; "))?;
        }
        for correction in &self.corrections {
            writeln!(f, "  spelling: {} -> {}", correction.from, correction.to)?;
        }
        for synonym in &self.synonyms {
            writeln!(
                f,
                "  synonym:  \"{}\" read as \"{}\" and its synonyms",
                synonym.phrase, synonym.group
            )?;
        }
        if self.concepts.is_empty() {
            writeln!(f, "  no meaningful words (only question and chat words)")?;
        }
        for concept in &self.concepts {
            let found = match concept.passages {
                0 => "not in any passage".to_string(),
                1 => "in 1 passage".to_string(),
                n => format!("in {n} passages"),
            };
            let weak = if concept.weak { ", weak word" } else { "" };
            writeln!(
                f,
                "  concept:  {:<24} weight {:.2}{weak}, {found}",
                concept.label, concept.weight
            )?;
        }
        writeln!(
            f,
            "Answer confidence {:.2} (threshold {:.2}); lead over the next topic {:.3}",
            self.confidence, self.threshold, self.lead
        )?;
        if self.definition_unmet && self.confidence >= self.threshold {
            writeln!(
                f,
                "Declined: the question asks what one thing is, and the best passage neither defines it nor is about it by its title or `Also asked`"
            )?;
        }
        writeln!(
            f,
            "Closest safety example: urgent {:.2}, crisis {:.2}, calm {:.2} (a notice from {:.2} and {:.2}, \
             when above calm {:+.2})",
            self.safety.urgent,
            self.safety.crisis,
            self.safety.calm,
            crate::safety::URGENT_SIMILARITY,
            crate::safety::CRISIS_SIMILARITY,
            crate::safety::URGENT_MARGIN
        )?;
        let lines = &self.safety_patterns;
        if lines.matched.is_empty() {
            writeln!(f, "Safety patterns matched: none")?;
        }
        for line in &lines.matched {
            let kind = if line.crisis { "crisis" } else { "urgent" };
            writeln!(f, "Safety pattern matched: `{}` ({kind})", line.pattern)?;
        }
        for line in &lines.not_counted {
            writeln!(
                f,
                "Safety pattern not counted: `{}` ({})",
                line.pattern,
                line.reason.describe()
            )?;
        }
        writeln!(f, "Best candidates:")?;
        if self.candidates.is_empty() {
            writeln!(f, "  none: the content has no passages")?;
        }
        for (rank, candidate) in self.candidates.iter().enumerate() {
            let evidence = &candidate.evidence;
            writeln!(
                f,
                "  {}. {} ({}:{}): score {:.3}",
                rank + 1,
                candidate.topic,
                candidate.file,
                candidate.line,
                candidate.score,
            )?;
            writeln!(
                f,
                "     words: share {:.2} (BM25 {:.2}, {:.0}% of the best possible; answer shape {:.2}); matched: {}",
                evidence.lexical,
                candidate.bm25,
                evidence.bm25_share * 100.0,
                evidence.shape,
                if candidate.matched.is_empty() {
                    "nothing".to_string()
                } else {
                    candidate.matched.join(", ")
                }
            )?;
            writeln!(
                f,
                "     meaning: passage {:.2}, closest sentence {:.2}, title or `Also asked` {:.2}",
                evidence.passage, evidence.sentence, evidence.heading
            )?;
            if let Some(sentence) = &candidate.sentence {
                writeln!(
                    f,
                    "     judged on the sentence \"{sentence}\"; the rest only sets the scene"
                )?;
            }
        }
        Ok(())
    }
}

/// The figures of an evaluation set, then each miss with what came instead, as
/// `lantern eval` prints them.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let share = |part: usize, whole: usize| {
            if whole == 0 {
                "-".to_string()
            } else {
                format!("{:.1}%", 100.0 * part as f64 / whole as f64)
            }
        };
        writeln!(f, "{} questions", self.questions)?;
        writeln!(
            f,
            "  right passage     {}/{} answerable ({})",
            self.right,
            self.answerable,
            share(self.right, self.answerable)
        )?;
        writeln!(
            f,
            "  wrong passage     {} quoted ({} on answerable questions, {} on questions nothing answers)",
            self.wrong_quoted(),
            self.wrong,
            self.off_topic - self.refused
        )?;
        if self.declined > 0 {
            writeln!(
                f,
                "  declined          {} answerable, the answer's topic named first for {} and at all for {}",
                self.declined, self.declined_topic_first, self.declined_topic_named
            )?;
        }
        writeln!(
            f,
            "  honest refusals   {}/{} that nothing answers ({})",
            self.refused,
            self.off_topic,
            share(self.refused, self.off_topic)
        )?;
        writeln!(
            f,
            "  urgent notice     {}/{} emergencies ({}), {} false alarm(s) in {} calm questions",
            self.urgent_flagged,
            self.urgent,
            share(self.urgent_flagged, self.urgent),
            self.false_alarms,
            self.calm
        )?;
        if self.kind_named > 0 {
            writeln!(
                f,
                "  notice of kind    {}/{} emergencies whose kind the set names ({})",
                self.right_notice,
                self.kind_named,
                share(self.right_notice, self.kind_named)
            )?;
        }
        for miss in &self.misses {
            let kind = match miss.kind {
                MissKind::WrongPassage => "wrong passage",
                MissKind::NotAnswered => "not answered",
                MissKind::AnsweredOffTopic => "answered, but nothing should be",
                MissKind::UrgentMissed => "urgent notice missing",
                MissKind::WrongNotice => "notice of another kind",
                MissKind::FalseAlarm => "urgent notice not needed",
            };
            writeln!(f, "line {}: {kind}: {:?}", miss.line, miss.question)?;
            if !miss.expected.is_empty() && miss.kind != MissKind::FalseAlarm {
                writeln!(f, "    expected: {:?}", miss.expected.join(" | "))?;
            }
            if let (Some(topic), Some(passage)) = (&miss.topic, &miss.passage) {
                let start: String = passage.chars().take(100).collect();
                writeln!(f, "    got: {topic}: \"{start}…\"")?;
            } else if matches!(miss.kind, MissKind::NotAnswered) {
                let confidence = miss
                    .confidence
                    .map_or("-".to_string(), |c| format!("{c:.2}"));
                writeln!(f, "    got: \"I don't know\" (confidence {confidence})")?;
            }
        }
        Ok(())
    }
}

/// Articles whose review is due, for `/stale`.
pub fn render_stale(library: &Library, today: NaiveDate) -> String {
    let due: Vec<String> = library
        .articles
        .iter()
        .filter_map(|article| {
            crate::content::review_due(article, today).map(|date| {
                format!(
                    "• {} ({}): due since {date}",
                    article.title,
                    article.file.display()
                )
            })
        })
        .collect();
    if due.is_empty() {
        "Every article is within its review date.".to_string()
    } else {
        fit_message(&format!("**Articles due for review**\n{}", due.join("\n")))
    }
}

/// `text` cut to one message at a line end, saying how many lines were left out.
pub fn fit_message(text: &str) -> String {
    fit_lines(text, limits::MESSAGE_CONTENT)
}

/// `text` cut to at most `max` characters at a line end, saying how many lines were left
/// out. The line that does not fit is shown shortened when a useful part of it fits, so
/// one long line (a report's list of topics) never vanishes behind the note.
fn fit_lines(text: &str, max: usize) -> String {
    if char_len(text) <= max {
        return text.to_string();
    }
    let lines: Vec<&str> = text.lines().collect();
    let left_out = |count: usize| match count {
        0 => String::new(),
        _ => format!("\n… and {count} more line(s)."),
    };
    let mut kept = String::new();
    for (index, line) in lines.iter().enumerate() {
        let separator = if kept.is_empty() { "" } else { "\n" };
        let note = left_out(lines.len() - index);
        if char_len(&kept) + 1 + char_len(line) + char_len(&note) > max {
            let note = left_out(lines.len() - index - 1);
            let room = max.saturating_sub(char_len(&kept) + separator.len() + char_len(&note));
            if room >= MIN_SHORTENED_LINE {
                return format!("{kept}{separator}{}{note}", ellipsize(line, room));
            }
            return ellipsize(&format!("{kept}{}", left_out(lines.len() - index)), max);
        }
        kept.push_str(separator);
        kept.push_str(line);
    }
    kept
}

/// The fewest characters of a shortened line worth showing.
const MIN_SHORTENED_LINE: usize = 20;

fn notices(urgency: Urgency, texts: &SafetyTexts) -> String {
    let mut parts: Vec<String> = Vec::new();
    if urgency.crisis {
        let mut crisis = texts.crisis_notice.clone();
        for helpline in &texts.crisis_helplines {
            crisis.push('\n');
            crisis.push_str(helpline);
        }
        parts.push(crisis);
    }
    if urgency.emergency {
        parts.push(texts.urgent_notice.clone());
    }
    parts.join("\n\n")
}

fn footer(texts: &SafetyTexts) -> String {
    format!("*{}*\n**{}**", texts.disclaimer, texts.doctor_advice)
}

fn source_line(source: &str, reviewed: NaiveDate) -> String {
    format!(
        "Source: {source} · reviewed {}",
        reviewed.format("%Y-%m-%d")
    )
}

fn see_also(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("See also: {}", topic_names(suggestions))
    }
}

fn topic_names(titles: &[String]) -> String {
    titles
        .iter()
        .map(|t| format!("**{t}**"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The passage as a block quote, shortened at a sentence end to fit `room` characters.
fn fit_quote(passage: &str, room: usize) -> String {
    let quoted = quote_lines(passage);
    if char_len(&quoted) <= room {
        return quoted;
    }
    // Every line gains "> "; leave room for that, for closing what the cut leaves open
    // and for the note.
    let lines = passage.lines().count();
    let note_room = char_len(SHORTENED_MID_SENTENCE) + 1;
    let text_room = room.saturating_sub(note_room + 2 * lines + CLOSERS_ROOM);
    let (kept, whole_sentences) = cut_at_sentence(passage, text_room);
    let note = if whole_sentences {
        SHORTENED
    } else {
        SHORTENED_MID_SENTENCE
    };
    let closed = format!("{kept}{}", open_marks(kept).closers());
    format!("{}\n{note}", quote_lines(&closed))
}

/// The Markdown a cut passage may leave open: a code block, or a bold span. Cut inside
/// one, the rest of the reply (the source line, the notices' footer) would render as
/// code or bold, so a cut is made where nothing is open, or what is open is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct OpenMarks {
    fence: bool,
    bold: bool,
}

/// The most characters closing [`OpenMarks`] adds, quoted: "\n> ```" and "**".
const CLOSERS_ROOM: usize = 8;

impl OpenMarks {
    fn any(self) -> bool {
        self.fence || self.bold
    }

    /// What closes them, appended to the text.
    fn closers(self) -> &'static str {
        match (self.fence, self.bold) {
            (true, _) => "\n```",
            (false, true) => "**",
            (false, false) => "",
        }
    }

    /// What opens them again, before the text that follows.
    fn openers(self) -> &'static str {
        match (self.fence, self.bold) {
            (true, _) => "```\n",
            (false, true) => "**",
            (false, false) => "",
        }
    }
}

/// What `text` leaves open: a line starting with ``` opens or closes a code block, and
/// outside one every `**` opens or closes bold.
fn open_marks(text: &str) -> OpenMarks {
    let mut open = OpenMarks::default();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            open.fence = !open.fence;
        } else if !open.fence && line.matches("**").count() % 2 == 1 {
            open.bold = !open.bold;
        }
    }
    open
}

fn quote_lines(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest prefix of `text` of at most `max` characters that ends a sentence, and
/// whether one was found; otherwise the longest prefix ending at a word.
fn cut_at_sentence(text: &str, max: usize) -> (&str, bool) {
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let window = &text[..end];
    if end == text.len() {
        return (window, true);
    }
    let sentence_end = crate::text::sentence_ends(text)
        .take_while(|&cut| cut <= end)
        .filter(|&cut| !open_marks(&text[..cut]).any())
        .last();
    match sentence_end {
        Some(cut) => (window[..cut].trim_end(), true),
        None => (window.rfind(' ').map_or(window, |i| &window[..i]), false),
    }
}

/// Splits `text` into pieces of at most `max` characters at sentence ends. A piece that
/// must end inside a code block or bold span closes it, and the next opens it again.
fn split_at_sentences(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text.to_string();
    let max = max.max(1);
    // Below this, closing and reopening could take more room than a piece gains.
    let marks_room = if max > 4 * CLOSERS_ROOM {
        CLOSERS_ROOM
    } else {
        0
    };
    while char_len(&rest) > max {
        let (kept, _) = cut_at_sentence(&rest, max - marks_room);
        let kept = if kept.is_empty() {
            &rest[..rest
                .char_indices()
                .nth(max - marks_room)
                .map_or(rest.len(), |(i, _)| i)]
        } else {
            kept
        };
        let open = if marks_room > 0 {
            open_marks(kept)
        } else {
            OpenMarks::default()
        };
        pieces.push(format!("{kept}{}", open.closers()));
        rest = format!("{}{}", open.openers(), rest[kept.len()..].trim_start());
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Packs `pieces` into pages of at most `budget` characters, joined by `separator`.
fn pack(pieces: &[String], separator: &str, budget: usize) -> Vec<String> {
    let mut pages: Vec<String> = vec![String::new()];
    for piece in pieces {
        let page = pages.last_mut().expect("pages is never empty");
        if !page.is_empty() && char_len(page) + char_len(separator) + char_len(piece) > budget {
            pages.push(piece.clone());
        } else {
            if !page.is_empty() {
                page.push_str(separator);
            }
            page.push_str(piece);
        }
    }
    pages
}

fn join_parts(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_members_would_say_them() {
        for (seconds, said) in [
            (900, "15 minutes"),
            (60, "1 minute"),
            (90, "90 seconds"),
            (2, "2 seconds"),
            (1, "1 second"),
        ] {
            assert_eq!(describe_duration(seconds), said);
        }
    }

    #[test]
    fn cuts_at_the_last_sentence_end_that_fits() {
        let text = "One two. Three four? Five six seven.";
        assert_eq!(cut_at_sentence(text, 25), ("One two. Three four?", true));
        assert_eq!(cut_at_sentence(text, 5), ("One", false));
        assert_eq!(cut_at_sentence(text, 100), (text, true));
    }

    /// A cut never leaves a code block or bold span running into the rest of the reply:
    /// it is made before the span when a sentence ends there, or the span is closed.
    #[test]
    fn a_cut_leaves_no_code_block_or_bold_open() {
        let bold = "Intro. **Never stop your injections alone. Ask first.** More text here.";
        let (kept, whole) = cut_at_sentence(bold, 50);
        assert_eq!((kept, whole), ("Intro.", true));

        let code = format!(
            "Doses are shown below:\n```\n{}```\nAsk your doctor.",
            "day 1: 40 mg\n".repeat(40)
        );
        let fitted = fit_quote(&code, 300);
        assert!(char_len(&fitted) <= 300, "{fitted}");
        assert_eq!(fitted.matches("```").count() % 2, 0, "{fitted}");

        let pieces = split_at_sentences(&code, 120);
        for piece in &pieces {
            assert!(char_len(piece) <= 120, "{piece}");
            assert!(!open_marks(piece).any(), "{piece}");
        }
        assert!(pieces.len() > 3, "{pieces:#?}");
        assert!(
            pieces[1..pieces.len() - 1]
                .iter()
                .all(|piece| piece.starts_with("```\n") && piece.ends_with("\n```")),
            "{pieces:#?}"
        );

        let only_code = format!("```\n{}```", "day 1: 40 mg\n".repeat(40));
        let fitted = fit_quote(&only_code, 300);
        assert!(char_len(&fitted) <= 300, "{fitted}");
        assert!(
            fitted.contains("\n> ```\n"),
            "the block is closed: {fitted}"
        );
        assert!(fitted.ends_with(SHORTENED_MID_SENTENCE), "{fitted}");
    }

    #[test]
    fn splits_long_text_into_sentences_within_the_budget() {
        let text = "Aaaa bbbb. Cccc dddd. Eeee ffff.";
        let pieces = split_at_sentences(text, 12);
        assert_eq!(pieces, ["Aaaa bbbb.", "Cccc dddd.", "Eeee ffff."]);
        let words = split_at_sentences("abcdefghijklmnop", 5);
        assert!(words.iter().all(|p| char_len(p) <= 5));
        assert_eq!(words.concat(), "abcdefghijklmnop");
    }

    #[test]
    fn long_texts_are_cut_at_a_line_and_say_so() {
        let text = (0..500)
            .map(|i| format!("line number {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let fitted = fit_message(&text);
        assert!(char_len(&fitted) <= limits::MESSAGE_CONTENT);
        assert!(fitted.ends_with("more line(s)."), "{fitted}");
        assert!(fitted.starts_with("line number 0\nline number 1\n"));
    }

    #[test]
    fn a_line_longer_than_the_message_is_shortened_not_dropped() {
        let text = format!("{}\nshort line", "word ".repeat(600));
        let fitted = fit_message(&text);
        assert!(char_len(&fitted) <= limits::MESSAGE_CONTENT);
        assert!(fitted.starts_with("word word"), "{fitted}");
        assert!(fitted.ends_with("…\n… and 1 more line(s)."), "{fitted}");

        let report = format!("Reloaded.\nTopics added: {}", "a topic, ".repeat(300));
        let fitted = fit_message(&report);
        assert!(
            fitted.starts_with("Reloaded.\nTopics added: a topic, "),
            "{fitted}"
        );
        assert!(fitted.ends_with('…'), "{fitted}");
        assert!(char_len(&fitted) <= limits::MESSAGE_CONTENT);
    }

    #[test]
    fn truncation_respects_characters_not_bytes() {
        let text = "é".repeat(10);
        let cut = ellipsize(&text, 5);
        assert_eq!(char_len(&cut), 5);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn every_page_of_a_long_topic_list_fits_with_its_page_number() {
        for title_length in 20..=80 {
            let titles: Vec<String> = (0..120)
                .map(|i| format!("{i:03} {}", "t".repeat(title_length - 4)))
                .collect();
            let pages = render_topic_list(&titles);
            assert!(pages.len() > 1);
            for (index, page) in pages.iter().enumerate() {
                assert!(char_len(page) <= limits::MESSAGE_CONTENT, "{title_length}");
                let line = format!("*Page {} of {}*", index + 1, pages.len());
                assert!(page.ends_with(&line), "{title_length}: {page}");
                assert!(!page.contains('…'), "nothing is cut");
            }
        }
    }
}
