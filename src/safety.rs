//! Spotting emergencies and crises before anything else happens to a question.
//!
//! This runs before retrieval and regardless of it: someone describing heavy bleeding or
//! thoughts of ending their life must see where to get help first, whether or not the
//! articles have anything to say. The patterns live in `content/safety.md`. They err on
//! the side of showing the notice: a needless notice costs a line, a missed one can cost
//! far more.

use std::ops::Range;

use serde::Serialize;

use crate::content::SafetyTexts;
use crate::text::words;

/// What the safety gate found in a question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Urgency {
    /// Describes a medical emergency: the urgent-care notice comes first.
    pub emergency: bool,
    /// Speaks of self-harm or suicide: the crisis notice comes first.
    pub crisis: bool,
}

impl Urgency {
    /// Whether any notice must come before the answer.
    pub fn is_urgent(&self) -> bool {
        self.emergency || self.crisis
    }
}

/// Checks `question` against the emergency and crisis patterns of `texts`.
pub fn assess(texts: &SafetyTexts, question: &str) -> Urgency {
    assess_with_spans(texts, question).0
}

/// [`assess`], also returning where in `question` (byte ranges) the words are that made
/// it urgent. The notice answers those words, so retrieval does not hold it against a
/// passage that it says nothing about fainting when the question is "I fainted and I'm
/// bleeding".
pub fn assess_with_spans(texts: &SafetyTexts, question: &str) -> (Urgency, Vec<Range<usize>>) {
    let question_words = words(question);
    let mut positions = Vec::new();
    let mut urgency = Urgency::default();
    for (patterns, flag) in [
        (&texts.urgent_patterns, &mut urgency.emergency),
        (&texts.crisis_patterns, &mut urgency.crisis),
    ] {
        for pattern in patterns {
            let matched = pattern.matched_words(&question_words);
            *flag |= !matched.is_empty();
            positions.extend(matched);
        }
    }
    positions.sort_unstable();
    positions.dedup();
    let spans = positions
        .into_iter()
        .map(|i| question_words[i].span.clone())
        .collect();
    (urgency, spans)
}
