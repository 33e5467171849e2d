//! What Lantern decided about one question, as data: the quote, refusal or nothing
//! found, with urgency and suggestions. `render` turns it into words; knowledge never
//! renders.

use chrono::NaiveDate;
use serde::Serialize;

use super::small_talk::SmallTalk;
use crate::safety::Urgency;

/// What Lantern decided to say about one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub urgency: Urgency,
    pub outcome: Outcome,
    /// Nearest other topics: alternatives when not answered, "see also" when answered.
    pub suggestions: Vec<String>,
    /// Confidence of the best candidate, answered or not.
    pub score: Option<f32>,
    /// The best candidate's topic, answered or not: what the question was nearest to.
    pub nearest_topic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    Answered(Quote),
    NotFound,
    /// Two topics fit about equally, so neither is quoted; the suggestions start with both.
    TooClose,
    /// The crisis notice is shown and no passage beneath it, only the closest topics
    /// (see [`crate::knowledge`]'s `under_the_crisis_notice`).
    Withheld,
    /// Thanks or a greeting: nothing was asked, so nothing was searched.
    SmallTalk(SmallTalk),
    Refused(Refusal),
}

/// A passage quoted verbatim, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub topic: String,
    pub passage: String,
    pub source: String,
    pub last_reviewed: NaiveDate,
}

/// Why a question was not searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    Empty,
    TooLong { chars: usize },
}

impl Answer {
    pub fn quote(&self) -> Option<&Quote> {
        match &self.outcome {
            Outcome::Answered(quote) => Some(quote),
            _ => None,
        }
    }

    /// The topics a reply that quotes nothing names: every suggestion when nothing was
    /// found, the two that fit equally when it was too close to call, none otherwise.
    /// One list, so the reply's words and Discord's "Read" buttons cannot disagree.
    pub fn named_topics(&self) -> &[String] {
        match self.outcome {
            Outcome::NotFound | Outcome::Withheld => &self.suggestions,
            Outcome::TooClose => &self.suggestions[..self.suggestions.len().min(2)],
            Outcome::Answered(_) | Outcome::SmallTalk(_) | Outcome::Refused(_) => &[],
        }
    }
}

/// The JSON object `lantern ask --json` prints, exactly as README documents it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRecord {
    pub answered: bool,
    pub urgent: bool,
    pub topic: Option<String>,
    pub passage: Option<String>,
    pub score: Option<f64>,
    pub suggestions: Vec<String>,
    pub reply: String,
}

impl AnswerRecord {
    pub fn new(answer: &Answer, reply: String) -> Self {
        let quote = answer.quote();
        AnswerRecord {
            answered: quote.is_some(),
            urgent: answer.urgency.is_urgent(),
            topic: quote.map(|q| q.topic.clone()),
            passage: quote.map(|q| q.passage.clone()),
            score: answer
                .score
                .map(|s| (f64::from(s) * 1000.0).round() / 1000.0),
            suggestions: answer.suggestions.clone(),
            reply,
        }
    }
}
