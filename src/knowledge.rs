//! The content, validated and indexed, ready to answer: what the CLI and the bot hold.
//! A question goes in and an outcome comes out ([`Answer`]); wording it is `render`'s job.
//!
//! A [`Knowledge`] is immutable. Reloading builds a new one beside the old and swaps it
//! in, so a question is always answered from one complete, valid version of the content.

mod outcome;

use std::path::Path;

use crate::content::{ContentError, Library, Problem, SAFETY_FILE};
use crate::safety;
use crate::search::{self, IndexError, SearchIndex, SearchResult};
use crate::text::limits::{self, char_len};

pub use outcome::{Answer, AnswerRecord, Outcome, Quote, Refusal};

/// The default answer threshold on [`crate::search::Candidate::confidence`]. Chosen on
/// the evaluation sets in `tests/data/eval/`; see README, "How Lantern decides".
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.55;

/// A candidate must cover at least this share of the question to be suggested as a
/// nearby topic, so unrelated topics are never offered.
pub const SUGGESTION_MIN_COVERAGE: f32 = 0.15;

/// How many nearby topics to suggest.
pub const MAX_SUGGESTIONS: usize = 3;

/// Questions longer than this are not even scanned for emergencies beyond this point.
const SAFETY_SCAN_CHARS: usize = 20 * limits::QUESTION;

/// Loading failed: the content is invalid, or (rarely) the index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl LoadError {
    /// The problems a moderator can act on, each with file and line.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            LoadError::Content(error) => error.problems.clone(),
            LoadError::Index(_) => Vec::new(),
        }
    }
}

/// Validated content with its search index.
pub struct Knowledge {
    library: Library,
    index: SearchIndex,
    min_confidence: f32,
}

impl Knowledge {
    /// Loads, validates and indexes the content folder `dir`.
    pub fn load(dir: &Path, min_confidence: f32) -> Result<Knowledge, LoadError> {
        Knowledge::from_library(Library::load(dir, &search::matchable)?, min_confidence)
    }

    /// Indexes an already loaded library, after checking that its safety texts leave
    /// room for a passage in one Discord message.
    pub fn from_library(library: Library, min_confidence: f32) -> Result<Knowledge, LoadError> {
        check_safety_text_size(&library)?;
        let index = SearchIndex::build(&library)?;
        Ok(Knowledge {
            library,
            index,
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
    pub fn ask_explained(&self, question: &str) -> (Answer, Option<SearchResult>) {
        let scanned: String = question.chars().take(SAFETY_SCAN_CHARS).collect();
        let (urgency, explained) = safety::assess_with_spans(&self.library.safety, &scanned);
        let unanswered = |outcome| Answer {
            urgency,
            outcome,
            suggestions: Vec::new(),
            score: None,
        };

        let chars = question.trim().chars().count();
        if chars > limits::QUESTION {
            return (
                unanswered(Outcome::Refused(Refusal::TooLong { chars })),
                None,
            );
        }
        if crate::text::words(question).is_empty() {
            return (unanswered(Outcome::Refused(Refusal::Empty)), None);
        }

        let result = match self.index.search(question, &explained) {
            Ok(result) => result,
            Err(error) => {
                tracing::error!(%error, "search failed; answering that nothing was found");
                return (unanswered(Outcome::NotFound), None);
            }
        };

        let best = result
            .best()
            .filter(|c| c.confidence >= self.min_confidence);
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
            None => Outcome::NotFound,
        };

        let answered_topic = best.map(|c| (c.passage.article, c.passage.topic));
        let mut suggestions: Vec<String> = Vec::new();
        for candidate in &result.candidates {
            if suggestions.len() == MAX_SUGGESTIONS {
                break;
            }
            let key = (candidate.passage.article, candidate.passage.topic);
            if !candidate.related
                || candidate.coverage < SUGGESTION_MIN_COVERAGE
                || Some(key) == answered_topic
            {
                continue;
            }
            let title = &self.library.articles[key.0].topics[key.1].title;
            if !suggestions.contains(title) {
                suggestions.push(title.clone());
            }
        }

        let answer = Answer {
            urgency,
            outcome,
            suggestions,
            score: result.best().map(|c| c.confidence),
        };
        (answer, Some(result))
    }
}

fn check_safety_text_size(library: &Library) -> Result<(), ContentError> {
    let texts = &library.safety;
    let worst_case: usize = [
        &texts.crisis_notice,
        &texts.urgent_notice,
        &texts.disclaimer,
        &texts.doctor_advice,
    ]
    .iter()
    .map(|t| char_len(t) + 2)
    .chain(texts.crisis_helplines.iter().map(|h| char_len(h) + 1))
    .sum();
    if worst_case <= limits::SAFETY_TEXTS {
        return Ok(());
    }
    Err(ContentError {
        problems: vec![Problem::error(
            &library.dir.join(SAFETY_FILE),
            None,
            format!(
                "the crisis and urgent notices, helplines, disclaimer and doctor advice add up to {worst_case} characters; \
                 with a passage they must fit in one Discord message ({} characters), so keep them under {}",
                limits::MESSAGE_CONTENT,
                limits::SAFETY_TEXTS
            ),
        )],
    })
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
    pub threshold: f32,
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
    pub line: usize,
    pub confidence: f32,
    pub coverage: f32,
    pub bm25: f32,
    pub bm25_share: f32,
    pub matched: Vec<String>,
    /// The sentence of the question the confidence was judged on, when one sentence
    /// rather than the whole question.
    pub sentence: Option<String>,
}

/// How many candidates an explanation lists.
const EXPLAINED_CANDIDATES: usize = 3;

impl Knowledge {
    /// Explains `result`, a search made by [`Knowledge::ask_explained`].
    pub fn explain(&self, question: &str, result: &SearchResult) -> Explanation {
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
                .take(EXPLAINED_CANDIDATES)
                .map(|c| {
                    let topic = &self.library.articles[c.passage.article].topics[c.passage.topic];
                    ExplainedCandidate {
                        topic: topic.title.clone(),
                        line: topic.passages[c.passage.passage].line,
                        confidence: c.confidence,
                        coverage: c.coverage,
                        bm25: c.bm25,
                        bm25_share: c.bm25_share,
                        matched: result.matched(c).into_iter().map(str::to_string).collect(),
                        sentence: c
                            .sentence
                            .as_ref()
                            .and_then(|span| question.get(span.clone()))
                            .map(|text| text.trim().to_string()),
                    }
                })
                .collect(),
            threshold: self.min_confidence,
        }
    }
}
