//! Spotting emergencies and crises before anything else happens to a question.
//!
//! This runs before retrieval and regardless of it: someone describing heavy bleeding or
//! thoughts of ending their life must see where to get help first, whether or not the
//! articles have anything to say. The patterns live in `content/safety.md`. They err on
//! the side of showing the notice: a needless notice costs a line, a missed one can cost
//! far more.

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
    let question_words = words(question);
    Urgency {
        emergency: texts
            .urgent_patterns
            .iter()
            .any(|p| p.matches(&question_words)),
        crisis: texts
            .crisis_patterns
            .iter()
            .any(|p| p.matches(&question_words)),
    }
}
