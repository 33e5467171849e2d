//! Whether an emergency pattern's match tells of something happening now.
//!
//! Words alone cannot tell "I have a fever" from "no fever", "if I ever get a fever" or
//! "I had a fever after my D&C two years ago". These rules read the words around a
//! match, in general English only, so they hold for any pattern moderators write. The
//! gate applies them to emergency patterns, never to crisis ones: "I don't want to die"
//! or "I used to self-harm" is no reason to hold the crisis notice back.

use std::ops::Range;
use std::sync::OnceLock;

use crate::text::{Word, WordPattern};

/// Why a match does not tell of a sign happening now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotNow {
    /// Straight after a plain negation ("no fever").
    Negated,
    /// After an opener of something imagined ("if I ever start bleeding").
    Imagined,
    /// In a sentence told as long past or over ("as a teenager", "fully recovered").
    Over,
}

impl NotNow {
    /// How `--explain` says it.
    pub fn describe(self) -> &'static str {
        match self {
            NotNow::Negated => "after a negation",
            NotNow::Imagined => "imagined, not happening",
            NotNow::Over => "told as long past or over",
        }
    }
}

/// Whether the match starting at word `position` of `reading` (words of `question`,
/// whose sentences are `sentences`) says the sign is absent, imagined, or long over,
/// and which.
pub(super) fn not_happening_now(
    question: &str,
    reading: &[Word],
    sentences: &[Range<usize>],
    position: usize,
) -> Option<NotNow> {
    if negated(reading, position) {
        Some(NotNow::Negated)
    } else if supposed(reading, position) {
        Some(NotNow::Imagined)
    } else if over_where_told(question, reading, sentences, position) {
        Some(NotNow::Over)
    } else {
        None
    }
}

/// Whether the match at `position` is told as long past or over. The sentence must say
/// so ([`told_as_over`]), and the match's own clause must either carry the saying or be
/// told in the past and not the present: in "I had a clot years ago, my calf is swollen
/// and hot" or "diagnosed in 2018, severe chest pain" the sign is now, whatever the
/// sentence's first clause says.
fn over_where_told(
    question: &str,
    reading: &[Word],
    sentences: &[Range<usize>],
    position: usize,
) -> bool {
    let sentence = sentence_of(reading, sentences, position);
    if !told_as_over(sentence) {
        return false;
    }
    let clause = clause_of(question, sentence, reading[position].span.start);
    says_over(clause) || (told_in_past(clause) && !TOLD_IN_PRESENT.occur_in(clause))
}

/// Common verbs in the past tense that do not end in "-ed".
static IRREGULAR_PAST: Phrases = Phrases::new(&[
    "had", "was", "were", "did", "got", "went", "lost", "bled", "felt", "came", "took", "gave",
    "found", "fell", "told", "said", "began", "kept", "left", "saw",
]);

/// Whether a clause is told in the past: a past-tense verb, or a word in "-ed" straight
/// after a pronoun ("I passed out", "she needed"). A clause with no verb ("severe chest
/// pain", "one leg swollen and red") is not: members list what is happening now that way.
fn told_in_past(clause: &[Word]) -> bool {
    const SUBJECTS: &[&str] = &["i", "we", "she", "he", "it", "they"];
    IRREGULAR_PAST.occur_in(clause)
        || clause.windows(2).any(|pair| {
            SUBJECTS.contains(&pair[0].text.as_str())
                && pair[1].text.len() > 4
                && pair[1].text.ends_with("ed")
        })
}

/// Present-tense words: a clause with one tells of now ("my calf is swollen", "I'm
/// bleeding", "I feel dizzy").
static TOLD_IN_PRESENT: Phrases = Phrases::new(&[
    "im", "i am", "is", "are", "its", "feel", "feeling", "keep", "keeps", "cant", "i have",
    "ive got", "has",
]);

/// The words of `sentence` in the clause holding the word that starts at byte `at`:
/// clauses end at a comma, semicolon or colon, or before "and", "but" or "so".
fn clause_of<'a>(question: &str, sentence: &'a [Word], at: usize) -> &'a [Word] {
    let turns_before = |i: usize| {
        let between = question
            .get(sentence[i - 1].span.end..sentence[i].span.start)
            .unwrap_or("");
        between.contains([',', ';', ':'])
            || matches!(sentence[i].text.as_str(), "and" | "but" | "so")
    };
    let Some(here) = sentence.iter().position(|w| w.span.start == at) else {
        return sentence;
    };
    let start = (1..=here).rev().find(|&i| turns_before(i)).unwrap_or(0);
    let end = (here + 1..sentence.len())
        .find(|&i| turns_before(i))
        .unwrap_or(sentence.len());
    &sentence[start..end]
}

/// Plain negations: "no fever", "not dizzy", "didn't faint", "without heavy bleeding" say
/// the sign is absent. Modal ones ("can't", "won't") are left out, as is "never" ("never
/// bled like this"): with them a negation often comes with the emergency, not against it.
/// So are "doesn't" and "hadn't", which members put before what goes on ("it doesn't stop
/// bleeding", "I hadn't bled like this before").
pub(super) const PLAIN_NEGATIONS: &[&str] = &[
    "arent", "didnt", "dont", "hasnt", "havent", "isnt", "neither", "no", "none", "nor", "not",
    "wasnt", "werent", "without",
];

/// Whether the word just before `position` negates what starts there.
fn negated(reading: &[Word], position: usize) -> bool {
    position > 0 && PLAIN_NEGATIONS.contains(&reading[position - 1].text.as_str())
}

/// Openers of a sign imagined in the future ("if I ever start bleeding heavily",
/// "hypothetically, if I got a fever"): asking what to do then, not telling what is
/// happening now. "What if" is left out: "what if I'm bleeding this much now" is both.
static SUPPOSING: Phrases = Phrases::new(&[
    "if i ever",
    "if i start",
    "if i started",
    "if i get",
    "if i got",
    "if i were",
    "if it ever",
    "in case i",
    "hypothetically",
]);

/// How many words may stand between a supposing opener and a pattern's match ("if I ever
/// start bleeding heavily" has one, "start").
const SUPPOSING_REACH: usize = 3;

/// Whether a supposing opener ends within [`SUPPOSING_REACH`] words before `position`.
fn supposed(reading: &[Word], position: usize) -> bool {
    let reach = position.saturating_sub(SUPPOSING_REACH)..=position;
    SUPPOSING
        .occurrences(reading)
        .any(|opener| reach.contains(&opener.end))
}

/// Phrases that place what a sentence tells years back ("fainted once as a teenager",
/// "a fever after my D&C two years ago"). A year written in digits counts too (see
/// [`is_year`]). Recent past ("last week", "yesterday") is left out: a sign from then
/// may still need care.
static LONG_AGO: Phrases = Phrases::new(&[
    "years ago",
    "year ago",
    "years back",
    "last year",
    "as a teenager",
    "as a teen",
    "as a kid",
    "as a child",
    "when i was younger",
    "when i was little",
    "when i was a",
]);

/// Phrases that say it is over ("...and I'm fully recovered", "all fine now").
static NOW_OVER: Phrases = Phrases::new(&[
    "fully recovered",
    "all fine now",
    "all good now",
    "all ok now",
    "im fine now",
    "im ok now",
    "im okay now",
    "back to normal",
]);

/// Words that bring a sentence back to the present ("two years ago, and now again",
/// "like last year but since this morning"): with any of them the sentence may tell of
/// an emergency happening now, whatever else it says.
static PRESENT: Phrases = Phrases::new(&[
    "now",
    "today",
    "tonight",
    "this morning",
    "this afternoon",
    "this evening",
    "currently",
    "at the moment",
    "still",
    "again",
    "suddenly",
    "just",
    "since",
    "keeps",
    "started",
    "starting",
    "hour",
    "hours",
    "minutes",
]);

/// Whether a sentence places what it tells long ago or says it is over, and nothing in
/// it outside those phrases brings it back to the present.
fn told_as_over(sentence: &[Word]) -> bool {
    let over: Vec<Range<usize>> = NOW_OVER.occurrences(sentence).collect();
    says_over(sentence) && !in_the_present(sentence, &over)
}

/// Whether `words` hold a phrase that places something years back or says it is over.
fn says_over(words: &[Word]) -> bool {
    LONG_AGO.occur_in(words)
        || NOW_OVER.occur_in(words)
        || words.iter().any(|word| is_year(&word.text))
}

/// Whether a [`PRESENT`] word stands in `words` outside the phrases `apart` (the "now"
/// of "all fine now" or the "started" of "if I started" does not bring anything back).
fn in_the_present(words: &[Word], apart: &[Range<usize>]) -> bool {
    PRESENT.occur_outside(words, apart)
}

/// Whether `text`, read whole, tells of a sign imagined ("hypothetically, if I started
/// bleeding heavily") or long over ("two years ago", "fully recovered"), with nothing in
/// it bringing it back to the present. The meaning net's counterpart of
/// [`not_happening_now`]: a meaning has no matched words, so an opener may stand anywhere
/// in the text. Negations are not read here: "no fever, but bleeding through a pad an
/// hour" is one meaning with both.
pub(super) fn imagined_or_over(reading: &[Word]) -> bool {
    let openers: Vec<Range<usize>> = SUPPOSING.occurrences(reading).collect();
    (!openers.is_empty() && !in_the_present(reading, &openers))
        || (told_as_over(reading) && !telling_of_self_now(reading))
}

/// A member telling of themselves in the present ("I'm bleeding heavily, I had a
/// miscarriage two years ago"): a meaning with it is not over, whatever else it says.
/// Only first-person words: "is it normal" asks, it tells nothing.
static SELF_NOW: Phrases = Phrases::new(&[
    "im", "i am", "i feel", "i keep", "i cant", "i have", "ive got",
]);

/// Whether `reading` holds a [`SELF_NOW`] phrase outside the phrases that say it is over
/// and the word before each ("I'm fine now", "I'm fully recovered" say it is over).
fn telling_of_self_now(reading: &[Word]) -> bool {
    let over: Vec<Range<usize>> = NOW_OVER
        .occurrences(reading)
        .map(|phrase| phrase.start.saturating_sub(1)..phrase.end)
        .collect();
    SELF_NOW.occur_outside(reading, &over)
}

/// A year written in digits, of a past a member could be telling of ("that was 2019").
fn is_year(word: &str) -> bool {
    word.len() == 4
        && word
            .parse::<u16>()
            .is_ok_and(|year| (1980..2100).contains(&year))
}

/// The words of `reading` in the sentence holding word `position`.
fn sentence_of<'a>(reading: &'a [Word], sentences: &[Range<usize>], position: usize) -> &'a [Word] {
    let start = reading[position].span.start;
    let Some(sentence) = sentences.iter().find(|s| s.contains(&start)) else {
        return &reading[position..=position];
    };
    let inside = |word: &Word| sentence.contains(&word.span.start);
    let first = reading.iter().position(inside).unwrap_or(position);
    let count = reading[first..].iter().take_while(|w| inside(w)).count();
    &reading[first..first + count]
}

/// A list of fixed phrases, read with the moderators' pattern language (plain words:
/// whole words, no gaps), parsed on first use.
struct Phrases {
    source: &'static [&'static str],
    parsed: OnceLock<Vec<WordPattern>>,
}

impl Phrases {
    const fn new(source: &'static [&'static str]) -> Self {
        Phrases {
            source,
            parsed: OnceLock::new(),
        }
    }

    /// Where any of the phrases occurs in `words`, as word ranges.
    fn occurrences<'w>(
        &'static self,
        words: &'w [Word],
    ) -> impl Iterator<Item = Range<usize>> + 'w {
        let parsed = self.parsed.get_or_init(|| {
            self.source
                .iter()
                .map(|phrase| WordPattern::parse(phrase).expect("the phrases are plain words"))
                .collect()
        });
        parsed
            .iter()
            .flat_map(move |phrase| phrase.occurrences(words))
            .filter_map(|found| Some(*found.first()?..*found.last()? + 1))
    }

    /// Whether any of the phrases occurs in `words`.
    fn occur_in(&'static self, words: &[Word]) -> bool {
        self.occurrences(words).next().is_some()
    }

    /// Whether any of the phrases starts in `words` outside the word ranges `apart`.
    fn occur_outside(&'static self, words: &[Word], apart: &[Range<usize>]) -> bool {
        self.occurrences(words)
            .any(|found| !apart.iter().any(|phrase| phrase.contains(&found.start)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{sentence_spans, words};

    /// Whether the match at the first word of `question` starting with `first` counts
    /// as happening now.
    fn happening_now(question: &str, first: &str) -> bool {
        let reading = words(question);
        let sentences: Vec<_> = sentence_spans(question).collect();
        let position = reading
            .iter()
            .position(|w| w.text.starts_with(first))
            .expect("the match's word is in the question");
        not_happening_now(question, &reading, &sentences, position).is_none()
    }

    #[test]
    fn a_sign_long_past_or_over_is_not_happening_now() {
        for (question, sign) in [
            (
                "i fainted once as a teenager at the dentist, does it matter",
                "fainted",
            ),
            (
                "i had a fever after my d&c two years ago, am i at risk",
                "fever",
            ),
            (
                "lost so much blood that i needed a transfusion, that was 2019",
                "blood",
            ),
            (
                "i passed out from low iron at a party, all fine now",
                "passed",
            ),
            (
                "i bled heavily with my first and im fully recovered",
                "bled",
            ),
        ] {
            assert!(!happening_now(question, sign), "{question}");
        }
    }

    #[test]
    fn a_sign_told_now_beside_a_past_one_is_happening_now() {
        for (question, sign) in [
            (
                "had a clot years ago, my calf is swollen and hot",
                "swollen",
            ),
            (
                "I'm bleeding heavily, I had a miscarriage two years ago",
                "bleeding",
            ),
            (
                "no fever but I feel dizzy, I fainted as a teenager",
                "dizzy",
            ),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
        for (question, sign) in [
            ("Diagnosed with APS in 2018, severe chest pain", "chest"),
            ("had a dvt years ago, one leg swollen and red", "leg"),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
        // The past clause itself, and a past told across clauses, stay over.
        assert!(!happening_now(
            "no fever but I feel dizzy, I fainted as a teenager",
            "fainted"
        ));
        assert!(!happening_now(
            "i passed out from low iron at a party, all fine now",
            "passed"
        ));
    }

    #[test]
    fn the_present_brings_a_past_sign_back() {
        for (question, sign) in [
            (
                "i had a clot two years ago and now my calf is swollen",
                "clot",
            ),
            ("fainted as a teenager and again this morning", "fainted"),
            (
                "bleeding heavily like in 2019, soaking a pad an hour",
                "bleeding",
            ),
            ("i was fine now im bleeding heavily", "bleeding"),
            (
                "my mc was two years ago. Now I am bleeding heavily",
                "bleeding",
            ),
            ("i have a fever", "fever"),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
    }

    #[test]
    fn a_meaning_imagined_or_long_over_is_not_happening_now() {
        for calm in [
            "hypothetically if i started bleeding heavily at home, when should i go in",
            "if i got a fever after my d&c would that mean infection? planning ahead",
            "i fainted once as a teenager, does it matter",
            "i bled heavily with my first and im fully recovered",
        ] {
            assert!(imagined_or_over(&words(calm)), "{calm}");
        }
        for urgent in [
            "if i ever needed help it is now, bleeding heavily",
            "i am bleeding heavily and dizzy",
            "if i start bleeding heavily again like today what do i do",
            "im bleeding heavily, i had a miscarriage two years ago",
        ] {
            assert!(!imagined_or_over(&words(urgent)), "{urgent}");
        }
    }

    #[test]
    fn only_the_sentence_of_the_match_is_read() {
        assert!(happening_now(
            "My first loss was in 2019. I am bleeding heavily and dizzy",
            "bleeding"
        ));
        assert!(!happening_now(
            "I am scared. I bled heavily with my first, that was 2019",
            "bled"
        ));
    }
}
