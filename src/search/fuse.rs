//! One confidence from two kinds of evidence.
//!
//! Word matching is precise but brittle: it misses a passage that says the same thing in
//! other words. Sentence embeddings find those, but rank a near miss close to an answer
//! and cannot tell when nothing answers. Each catches what the other misses, so every
//! passage is ranked on a weighted sum of both, and the answer's confidence is a
//! logistic function of how well the best passage scores, how far ahead it is of the
//! best passage of any other topic, its lexical share and its closest sentence's cosine:
//! the estimated chance that the quoted passage is right.
//!
//! The weights and the logistic's coefficients are fitted by `benches/fit_confidence.py`,
//! cross-validated by article (see README, "How Lantern decides"); they are not tuned by
//! hand, and they hold for any content because every input is a share or a cosine.

use serde::Serialize;

/// What one passage has going for it, each in 0..1 (cosines may dip below 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// The weighted share of the question's concepts the passage expresses (words and
    /// synonyms), or of one question sentence when the rest only tells a story.
    pub lexical: f32,
    /// BM25 as a share of the best score any passage could reach for this question.
    pub bm25_share: f32,
    /// How well the passage has the shape of answer the question's form asks for: for
    /// "what is X", 1 if it defines X; for "when ..." or "how does X cause Y", the largest
    /// share of the question that one sentence saying when (or how) covers; else 0.
    pub shape: f32,
    /// Cosine of the question to the whole passage.
    pub passage: f32,
    /// Cosine of the question to the passage's closest sentence.
    pub sentence: f32,
    /// Cosine of the question to the topic title or its closest `Also asked` phrase.
    pub heading: f32,
}

/// Weights of [`Evidence`] in the ranking score, in field order (lexical, BM25 share,
/// shape, passage, sentence, heading); fitted, summing to 1.
const RANKING: [f32; 6] = [0.1, 0.3, 0.2, 0.3, 0.1, 0.0];

/// The logistic model of "the best passage answers": coefficients of the best passage's
/// score, its lead over the best passage of another topic, its lexical share and its
/// closest-sentence cosine, then the intercept. Fitted.
const CONFIDENCE: [f32; 5] = [-3.124, 8.438, 4.158, 4.736, -3.557];

/// A lead this small over another topic is too close to call: the member is told both
/// topics fit. In ranking-score units, where a right answer's lead is typically 0.05 to
/// 0.2. Not fitted: it decides which refusal is shown, and is kept small because each
/// question it catches is one not answered.
pub const TOO_CLOSE: f32 = 0.01;

impl Evidence {
    /// The ranking score.
    pub fn score(&self) -> f32 {
        let values = [
            self.lexical,
            self.bm25_share,
            self.shape,
            self.passage,
            self.sentence,
            self.heading,
        ];
        values
            .iter()
            .zip(RANKING)
            .map(|(value, weight)| value * weight)
            .sum()
    }
}

/// The confidence (0..1) that the best passage, with evidence `best`, answers the
/// question, given its lead `lead` in score over the best passage of any other topic.
pub fn confidence(best: &Evidence, lead: f32) -> f32 {
    let [per_score, per_lead, per_lexical, per_sentence, intercept] = CONFIDENCE;
    let z = per_score * best.score()
        + per_lead * lead
        + per_lexical * best.lexical
        + per_sentence * best.sentence
        + intercept;
    1.0 / (1.0 + (-z).exp())
}

/// What the confidence would be with a lead of just [`TOO_CLOSE`]: when the lead is
/// smaller than that and this passes the threshold, the question fits two topics
/// equally, rather than none (`Knowledge` then offers both).
pub fn confidence_if_clear(best: &Evidence) -> f32 {
    confidence(best, TOO_CLOSE)
}
