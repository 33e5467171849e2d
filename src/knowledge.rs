//! The content, validated and indexed, ready to answer: what the CLI and the bot hold.
//! A question goes in and an outcome comes out ([`Answer`]); wording it is `render`'s job.
//!
//! A [`Knowledge`] is immutable. Reloading builds a new one beside the old and swaps it
//! in, so a question is always answered from one complete, valid version of the content.

pub mod evaluation;
mod outcome;
mod small_talk;

use std::ops::Range;
use std::path::Path;

use crate::content::{ContentError, Library, Problem};
use crate::safety;
use crate::search::{self, Embedder, IndexError, SearchIndex, SearchResult, fuse};
use crate::text::limits;

pub use outcome::{Answer, AnswerRecord, Outcome, Quote, Refusal};
pub use small_talk::SmallTalk;

/// The default answer threshold on [`SearchResult::confidence`], the estimated chance
/// that the best passage answers. Fitted with the fused weights, cross-validated by
/// article (`benches/fit_confidence.py`); see README, "How Lantern decides".
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.80;

/// A candidate suggested for its words must cover at least this share of the question,
/// so a topic that shares one passing word is not offered.
pub const SUGGESTION_MIN_COVERAGE: f32 = 0.15;

/// A candidate whose fused score reaches this is suggested however few of the question's
/// words it shares. On a new article members' words often differ from the moderators',
/// and meaning alone then puts the right topic first more often than any word-matching
/// one: a declined member is one click from it. Fitted by the procedure in README
/// ("Closest topics when Lantern declines"), on the procedure's sets only.
pub const SUGGESTION_MIN_SCORE: f32 = 0.19;

/// How many nearby topics to suggest: as many as the safety texts' size check leaves
/// room for.
pub const MAX_SUGGESTIONS: usize = limits::TOPICS_NAMED;

/// Sentences of a question whose vectors retrieval reads: the question asked is near the
/// start, and the ranking's weights were fitted so.
const MAX_QUESTION_SENTENCES: usize = 6;

/// Sentences of a message that get a vector for the safety net: an emergency told in the
/// seventh sentence of a long post must not be diluted by the rest. Bounded, since a
/// message too long to answer is still scanned.
const MAX_SAFETY_SENTENCES: usize = 48;

/// Questions longer than this are not even scanned for emergencies beyond this point.
const SAFETY_SCAN_CHARS: usize = 20 * limits::QUESTION;

/// Loading failed: the content is invalid, or (rarely) the index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Model(#[from] search::ModelError),
}

impl LoadError {
    /// The problems a moderator can act on, each with file and line.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            LoadError::Content(error) => error.problems.clone(),
            LoadError::Index(_) | LoadError::Model(_) => Vec::new(),
        }
    }
}

/// Validated content with its search index.
pub struct Knowledge {
    library: Library,
    index: SearchIndex,
    /// The vectors of the safety examples, the urgent gate's second net.
    examples: safety::ExampleNet,
    embedder: Embedder,
    min_confidence: f32,
}

impl Knowledge {
    /// Loads, validates and indexes the content folder `dir`, embedding its passages
    /// with `embedder` (which remembers them for the next reload).
    pub fn load(
        dir: &Path,
        min_confidence: f32,
        embedder: &Embedder,
    ) -> Result<Knowledge, LoadError> {
        Knowledge::from_library(
            Library::load(dir, &search::reading)?,
            min_confidence,
            embedder,
        )
    }

    /// Indexes an already loaded library.
    pub fn from_library(
        library: Library,
        min_confidence: f32,
        embedder: &Embedder,
    ) -> Result<Knowledge, LoadError> {
        let load = embedder.begin_load();
        let index = SearchIndex::build(&library, embedder)?;
        let embed = |texts: &[String]| {
            embedder.embed_content(&texts.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let examples = safety::ExampleNet {
            urgent: embed(&library.safety.urgent_examples),
            crisis: embed(&library.safety.crisis_examples),
            calm: embed(&library.safety.calm_examples),
        };
        load.finish();
        Ok(Knowledge {
            library,
            index,
            examples,
            embedder: embedder.clone(),
            min_confidence,
        })
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn min_confidence(&self) -> f32 {
        self.min_confidence
    }

    /// Answers `question`.
    pub fn ask(&self, question: &str) -> Answer {
        self.ask_explained(question).0
    }

    /// Answers `question`, also returning the search behind the answer (when one ran)
    /// so `--explain` can show how the question was read.
    pub fn ask_explained(&self, question: &str) -> (Answer, Option<Searched>) {
        // Trimmed once here: the safety gate's byte ranges of the words it answered are
        // positions in this text, and retrieval must read the same one.
        let question = question.trim();
        let scanned = safety_scanned(question);
        let meanings = self.meanings(&scanned);
        let (urgency, patterns, closeness) = self.assess(&scanned, &meanings);
        let unanswered = |outcome| Answer {
            urgency,
            outcome,
            suggestions: Vec::new(),
            score: None,
            nearest_topic: None,
        };

        let chars = question.chars().count();
        if chars > limits::QUESTION {
            return (
                unanswered(Outcome::Refused(Refusal::TooLong { chars })),
                None,
            );
        }
        if crate::text::words(question).is_empty() {
            return (unanswered(Outcome::Refused(Refusal::Empty)), None);
        }

        if meanings.vectors.is_empty() {
            return (unanswered(Outcome::Refused(Refusal::Empty)), None);
        }
        if !urgency.is_urgent()
            && let Some(talk) = small_talk::small_talk(question)
        {
            return (unanswered(Outcome::SmallTalk(talk)), None);
        }
        // Same length as the question: the safety gate's spans stay in place.
        let searched_text = crate::text::without_links(question);
        let mut result =
            match self
                .index
                .search(&searched_text, meanings.for_retrieval(), &patterns.spans)
            {
                Ok(result) => result,
                Err(error) => {
                    tracing::error!(%error, "search failed; answering that nothing was found");
                    return (unanswered(Outcome::NotFound), None);
                }
            };
        // Beside a notice a member tells of a sign ("whats happening to me"): the
        // passage about it is kept, whatever the form of the words.
        if urgency.is_urgent() {
            result.definition_unmet = false;
        }

        let two_topics = self.too_close_to_call(&result);
        // Words the notice answers still name what is asked about ("bleeding a lot and
        // the pain is unbearable" wants the signs passage beside the notice).
        let names_something = result.names_a_subject() || !patterns.spans.is_empty();
        let confident = result.confidence >= self.min_confidence
            && two_topics.is_none()
            && names_something
            && !result.definition_unmet;
        let best = result.best().filter(|_| confident);
        let outcome = match best {
            Some(candidate) => {
                let article = &self.library.articles[candidate.passage.article];
                let topic = &article.topics[candidate.passage.topic];
                Outcome::Answered(Quote {
                    topic: topic.title.clone(),
                    passage: topic.passages[candidate.passage.passage].text.clone(),
                    source: article.source.clone(),
                    last_reviewed: article.last_reviewed,
                })
            }
            None if two_topics.is_some() => Outcome::TooClose,
            None => Outcome::NotFound,
        };
        let asks = result.form.asks_a_question;
        let outcome = under_the_crisis_notice(urgency, patterns.urgency.crisis, outcome, asks);

        // A passage withheld beneath the crisis notice leaves its topic to be named.
        let answered_topic = best
            .filter(|_| matches!(outcome, Outcome::Answered(_)))
            .map(|c| (c.passage.article, c.passage.topic));
        let topic_of = |c: &search::Candidate| (c.passage.article, c.passage.topic);
        // When two topics are too close to call, both come first, whatever their words.
        let mut offered: Vec<(usize, usize)> =
            two_topics.iter().flatten().map(|c| topic_of(c)).collect();
        let nearby = result.candidates.iter().filter(|c| {
            let near_in_words = c.related && c.coverage >= SUGGESTION_MIN_COVERAGE;
            (near_in_words || c.score() >= SUGGESTION_MIN_SCORE)
                && Some(topic_of(c)) != answered_topic
        });
        for candidate in nearby {
            if offered.len() == MAX_SUGGESTIONS {
                break;
            }
            if !offered.contains(&topic_of(candidate)) {
                offered.push(topic_of(candidate));
            }
        }
        let suggestions = offered
            .into_iter()
            .map(|(article, topic)| self.library.articles[article].topics[topic].title.clone())
            .collect();

        let answer = Answer {
            urgency,
            outcome,
            suggestions,
            score: result.best().map(|_| result.confidence),
            nearest_topic: result.best().map(|c| {
                let (article, topic) = topic_of(c);
                self.library.articles[article].topics[topic].title.clone()
            }),
        };
        (
            answer,
            Some(Searched {
                result,
                closeness,
                patterns: patterns.lines,
            }),
        )
    }

    /// Whether `question` needs the urgent or crisis notice, by either net: the
    /// moderators' patterns, or closeness in meaning to their examples.
    pub fn urgency(&self, question: &str) -> safety::Urgency {
        let scanned = safety_scanned(question);
        self.assess(&scanned, &self.meanings(&scanned)).0
    }

    /// The two nets' findings on `question` kept apart, for fitting the meaning net's
    /// thresholds (`tests/urgent_fit.rs`): what the patterns say, and how close each
    /// meaning (the whole question, then each sentence) came to the examples.
    pub fn safety_evidence(&self, question: &str) -> (safety::Urgency, Vec<safety::Closeness>) {
        let scanned = safety_scanned(question);
        let by_words = safety::assess(&self.library.safety, &scanned);
        let meanings = self.meanings(&scanned);
        (
            by_words,
            self.examples
                .closeness_each(&meanings.vectors, &meanings.text_refs()),
        )
    }

    /// Both safety nets over `question`, whose meanings are `meanings`; also where the
    /// pattern words are (retrieval counts them as weak) and how close the examples came.
    fn assess(
        &self,
        question: &str,
        meanings: &Meanings,
    ) -> (safety::Urgency, safety::PatternFindings, safety::Closeness) {
        let found = safety::read_patterns(&self.library.safety, question);
        let (by_meaning, closeness) = self
            .examples
            .assess(&meanings.vectors, &meanings.text_refs());
        (found.urgency.or(by_meaning), found, closeness)
    }

    /// The whole question and, when it has several, its first sentences, with their
    /// vectors: an emergency told in one sentence of a long story must not be diluted by
    /// the rest. Empty when the question has no words.
    fn meanings(&self, question: &str) -> Meanings {
        // Read with its letters folded, as the word side reads them.
        let plain = crate::text::as_plain_letters(question);
        let texts: Vec<String> = meaning_texts(&plain)
            .into_iter()
            .map(str::to_string)
            .collect();
        // One batch: the question and its sentences share forward passes.
        let vectors = self
            .embedder
            .embed_questions(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        Meanings { texts, vectors }
    }

    /// The two best candidates, when they belong to different topics and neither leads
    /// enough to be chosen although the best would be answered with a clear lead: the
    /// member is told both fit, rather than given one at a coin's toss or told that
    /// nothing does.
    fn too_close_to_call<'a>(
        &self,
        result: &'a SearchResult,
    ) -> Option<[&'a search::Candidate; 2]> {
        let best = result.best()?;
        let runner_up = &result.candidates[result.runner_up?];
        let close = result.lead < fuse::TOO_CLOSE;
        let clear_would_pass = fuse::confidence_if_clear(&best.evidence) >= self.min_confidence;
        (close && clear_would_pass).then_some([best, runner_up])
    }
}

/// How a question was read and why the answer was chosen or refused, for
/// `lantern ask --explain`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// What the form of the question asks for ("what something is", "when").
    pub asks: Vec<&'static str>,
    pub corrections: Vec<crate::search::Correction>,
    pub synonyms: Vec<crate::search::SynonymUse>,
    pub concepts: Vec<ExplainedConcept>,
    pub candidates: Vec<ExplainedCandidate>,
    /// The estimated chance that the best candidate answers, and its lead over the best
    /// candidate of another topic.
    pub confidence: f32,
    pub lead: f32,
    pub threshold: f32,
    /// The question asks only what one thing is, and the best passage only names it:
    /// declined whatever the confidence.
    pub definition_unmet: bool,
    /// How close the question came to the safety examples (the urgent gate's second net).
    pub safety: safety::Closeness,
    /// The safety pattern lines that matched (the first net), counted or not.
    pub safety_patterns: safety::PatternLines,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ExplainedConcept {
    pub label: String,
    pub weak: bool,
    pub passages: usize,
    pub weight: f32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ExplainedCandidate {
    pub topic: String,
    /// The article's file name, and the passage's line in it.
    pub file: String,
    pub line: usize,
    pub passage: String,
    /// The ranking score fused from `evidence`.
    pub score: f32,
    pub evidence: search::Evidence,
    pub coverage: f32,
    pub bm25: f32,
    pub bm25_share: f32,
    pub matched: Vec<String>,
    /// The sentence of the question the confidence was judged on, when one sentence
    /// rather than the whole question.
    pub sentence: Option<String>,
}

/// The search behind an answer and how close the question came to the safety examples:
/// what `--explain` shows, kept from answering so nothing is embedded twice.
pub struct Searched {
    pub result: SearchResult,
    pub closeness: safety::Closeness,
    /// The safety pattern lines that matched, counted or not.
    pub patterns: safety::PatternLines,
}

impl Knowledge {
    /// Explains `searched`, made by [`Knowledge::ask_explained`], with its best
    /// `candidates`. Nothing is computed again: the question was read once.
    pub fn explain(&self, question: &str, searched: &Searched, candidates: usize) -> Explanation {
        // Positions are in the question as searched: trimmed, as `ask_explained` reads it.
        let question = question.trim();
        let result = &searched.result;
        Explanation {
            asks: result.form.describe(),
            corrections: result.plan.corrections.clone(),
            synonyms: result.plan.synonyms.clone(),
            concepts: result
                .concepts
                .iter()
                .map(|c| ExplainedConcept {
                    label: c.concept.label.clone(),
                    weak: c.concept.class == crate::search::TermClass::Weak,
                    passages: c.passages,
                    weight: c.weight,
                })
                .collect(),
            candidates: result
                .candidates
                .iter()
                .take(candidates)
                .map(|c| {
                    let article = &self.library.articles[c.passage.article];
                    let topic = &article.topics[c.passage.topic];
                    let passage = &topic.passages[c.passage.passage];
                    ExplainedCandidate {
                        topic: topic.title.clone(),
                        // Relative to articles/, so a subfolder tells same-named files apart.
                        file: article
                            .file
                            .strip_prefix(crate::content::ARTICLES_DIR)
                            .unwrap_or(&article.file)
                            .to_string_lossy()
                            .into_owned(),
                        line: passage.line,
                        passage: passage.text.clone(),
                        score: c.score(),
                        evidence: c.evidence,
                        coverage: c.coverage,
                        bm25: c.bm25,
                        bm25_share: c.evidence.bm25_share,
                        matched: result.matched(c).into_iter().map(str::to_string).collect(),
                        sentence: c
                            .sentence
                            .as_ref()
                            .and_then(|span| question.get(span.clone()))
                            .map(|text| text.trim().to_string()),
                    }
                })
                .collect(),
            confidence: result.confidence,
            lead: result.lead,
            threshold: self.min_confidence,
            definition_unmet: result.definition_unmet,
            safety: searched.closeness,
            safety_patterns: searched.patterns.clone(),
        }
    }
}

/// What goes beneath the crisis notice. When the member's words say it (a crisis
/// pattern: "i want to die", "how many injections would it take to not wake up"), no
/// passage: one picked from their words (a grief passage urging them to think positive)
/// reads as not having been heard, and a question beside it may be about the means.
/// When only the meaning net raised the notice, a question a passage answers is still
/// answered: that net also raises it, needlessly, above ordinary questions about doses
/// ("is heparin injected once a day?"). "I couldn't find that" is never said beneath it;
/// the nearest topics are named.
fn under_the_crisis_notice(
    urgency: safety::Urgency,
    crisis_in_words: bool,
    outcome: Outcome,
    asks_a_question: bool,
) -> Outcome {
    match outcome {
        Outcome::Refused(_) => outcome,
        _ if !urgency.crisis => outcome,
        Outcome::Answered(_) if !crisis_in_words && asks_a_question => outcome,
        _ => Outcome::Withheld,
    }
}

/// The part of a question the safety gate reads: its first [`SAFETY_SCAN_CHARS`]
/// characters once leading and trailing space is gone, so padding cannot push an
/// emergency out of reach.
fn safety_scanned(question: &str) -> String {
    question.trim().chars().take(SAFETY_SCAN_CHARS).collect()
}

/// A question as the safety nets and retrieval read it: the texts of its meanings and
/// their vectors, in the same order (see [`Knowledge::meanings`]).
struct Meanings {
    texts: Vec<String>,
    vectors: Vec<safety::Meaning>,
}

impl Meanings {
    fn text_refs(&self) -> Vec<&str> {
        self.texts.iter().map(String::as_str).collect()
    }

    /// The vectors retrieval reads: the whole question's and its first
    /// [`MAX_QUESTION_SENTENCES`] sentences'.
    fn for_retrieval(&self) -> &[safety::Meaning] {
        &self.vectors[..self.vectors.len().min(1 + MAX_QUESTION_SENTENCES)]
    }
}

/// The texts [`Knowledge::meanings`] embeds: the whole question and, when it has several,
/// its first sentences. Empty when the question has no words.
fn meaning_texts(question: &str) -> Vec<&str> {
    if crate::text::words(question).is_empty() {
        return Vec::new();
    }
    let mut texts = vec![question];
    // Spans of blank lines and lone punctuation are not sentences, and must not use up
    // the places of real ones further on.
    let sentences: Vec<_> = crate::text::sentence_spans(question)
        .filter(|span| !crate::text::words(&question[span.clone()]).is_empty())
        .collect();
    if sentences.len() > 1 {
        texts.extend(
            within_safety_bound(sentences)
                .into_iter()
                .map(|span| &question[span]),
        );
    }
    texts
}

/// `sentences` (byte ranges, in order) as at most [`MAX_SAFETY_SENTENCES`] ranges that
/// still cover all of them: the first [`MAX_QUESTION_SENTENCES`] alone (retrieval reads
/// them), the rest joined a few neighbours at a time. Cutting by position instead left
/// the end of a long post unread, where "…and I can't stop the bleeding" may stand.
fn within_safety_bound(mut sentences: Vec<Range<usize>>) -> Vec<Range<usize>> {
    if sentences.len() <= MAX_SAFETY_SENTENCES {
        return sentences;
    }
    let rest = sentences.split_off(MAX_QUESTION_SENTENCES);
    let places = MAX_SAFETY_SENTENCES - MAX_QUESTION_SENTENCES;
    // As evenly as the places allow, the larger groups last: a post just over the bound
    // has all but its last few sentences read alone, as before.
    let (size, larger) = (rest.len() / places, rest.len() % places);
    let mut grouped = sentences;
    let mut from = 0;
    for place in 0..places {
        let count = size + usize::from(place >= places - larger);
        let group = &rest[from..from + count];
        grouped.push(group[0].start..group[count - 1].end);
        from += count;
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_post_is_covered_whole_with_only_its_overflow_joined() {
        let sentences: Vec<Range<usize>> = (0..49).map(|i| i * 10..i * 10 + 9).collect();
        let grouped = within_safety_bound(sentences.clone());
        assert_eq!(grouped.len(), MAX_SAFETY_SENTENCES);
        assert_eq!(grouped[..47], sentences[..47], "all but the overflow alone");
        assert_eq!(grouped[47], 470..489);
        let many: Vec<Range<usize>> = (0..200).map(|i| i * 10..i * 10 + 9).collect();
        let grouped = within_safety_bound(many);
        assert_eq!(grouped.len(), MAX_SAFETY_SENTENCES);
        assert_eq!(grouped.first().unwrap().start, 0);
        assert_eq!(grouped.last().unwrap().end, 1999);
        assert!(
            grouped.windows(2).all(|w| w[0].end < w[1].start),
            "in order, no overlap"
        );
    }
}
