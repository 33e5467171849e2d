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
    /// Named in a question about the sign in general ("what counts as heavy bleeding?").
    Asked,
}

impl NotNow {
    /// How `--explain` says it.
    pub fn describe(self) -> &'static str {
        match self {
            NotNow::Negated => "after a negation",
            NotNow::Imagined => "imagined, not happening",
            NotNow::Over => "told as long past or over",
            NotNow::Asked => "asked about in general",
        }
    }
}

/// One reading of a question (its words as typed), with what each of its sentences and
/// clauses says, worked out once: a long message can hold a thousand matches, and
/// reading the whole text again for each one took seconds.
pub(super) struct Judged<'a> {
    question: &'a str,
    words: &'a [Word],
    /// Where [`SUPPOSING`] openers stand.
    openers: Vec<Range<usize>>,
    /// For each word, its clause's index in `clauses`.
    clause_of_word: Vec<usize>,
    clauses: Vec<Clause>,
}

/// What one clause, and the sentence it is in, say about time.
struct Clause {
    /// The sentence is told as long past or over ([`told_as_over`]).
    sentence_over: bool,
    /// The sentence has a [`PRESENT`] word.
    sentence_present: bool,
    /// The clause carries the saying itself, or is told in the past, not the present, and
    /// not set against the rest ([`set_against`]): in "I had a clot years ago, my calf is
    /// swollen and hot", "diagnosed in 2018, severe chest pain" or "the bleeding has
    /// settled but I fainted in the shower" the sign is now, whatever the sentence's
    /// first clause says.
    over: bool,
    /// Where [`ASKING_IN_GENERAL`] openers stand in the clause (as word indices of the
    /// whole reading).
    asking: Vec<Range<usize>>,
    /// Nothing in the clause besides those openers tells of a sign someone has or is told
    /// in the present ([`tells_of_no_sign`]).
    tells_of_no_sign: bool,
}

impl<'a> Judged<'a> {
    /// Reads `words` (of `question`, whose sentences are the byte ranges `sentences`).
    /// Clauses end at a comma, semicolon or colon, or before "and", "but" or "so".
    pub(super) fn new(question: &'a str, words: &'a [Word], sentences: &[Range<usize>]) -> Self {
        let mut judged = Judged {
            question,
            words,
            openers: supposing_openers(words),
            clause_of_word: Vec::with_capacity(words.len()),
            clauses: Vec::new(),
        };
        let mut start = 0;
        while start < words.len() {
            let end = sentence_end(words, sentences, start);
            judged.read_sentence(start..end);
            start = end;
        }
        judged
    }

    /// The words as typed, which word positions refer to.
    pub(super) fn words(&self) -> &'a [Word] {
        self.words
    }

    /// Notes the clauses of the sentence made of `words[range]`.
    fn read_sentence(&mut self, range: Range<usize>) {
        let sentence = &self.words[range.clone()];
        let sentence_over = told_as_over(sentence);
        let sentence_present = PRESENT.occur_in(sentence);
        let mut clause_start = range.start;
        for end in range.start + 1..=range.end {
            if end < range.end && !self.turns_before(end) {
                continue;
            }
            let clause = &self.words[clause_start..end];
            // Told in the past or the present is judged over the clause as commas and
            // "and/but/so" bound it: a dash or an emoji must not cut "I feel awful" away
            // from "- I passed out". The finer breaks only bound how far a time long ago
            // reaches.
            let told = &self.words[self.told_clause(clause_start, end, &range)];
            let asking = asking_openers(clause);
            self.clause_of_word
                .extend(std::iter::repeat_n(self.clauses.len(), end - clause_start));
            self.clauses.push(Clause {
                sentence_over,
                sentence_present,
                over: (says_over(clause) && !present_despite_long_ago(clause))
                    || (told_in_past(told)
                        && !TOLD_IN_PRESENT.occur_in(told)
                        && !set_against(told)),
                tells_of_no_sign: tells_of_no_sign(clause, &asking),
                asking: asking
                    .into_iter()
                    .map(|opener| opener.start + clause_start..opener.end + clause_start)
                    .collect(),
            });
            clause_start = end;
        }
    }

    /// Whether a new clause starts at word `i`.
    fn turns_before(&self, i: usize) -> bool {
        self.turns_by_comma_or_word(i) || pauses(self.between(i))
    }

    /// Whether a comma, semicolon or colon, or "and", "but" or "so", starts a clause at
    /// word `i`: the coarser clauses tense is judged over.
    fn turns_by_comma_or_word(&self, i: usize) -> bool {
        self.between(i).contains([',', ';', ':'])
            || matches!(self.words[i].text.as_str(), "and" | "but" | "so")
    }

    /// What stands between word `i` and the word before it.
    fn between(&self, i: usize) -> &str {
        self.question
            .get(self.words[i - 1].span.end..self.words[i].span.start)
            .unwrap_or("")
    }

    /// The coarser clause ([`Judged::turns_by_comma_or_word`]) holding the words
    /// `start..end`, within the sentence `sentence`.
    fn told_clause(&self, start: usize, end: usize, sentence: &Range<usize>) -> Range<usize> {
        let from = (sentence.start + 1..=start)
            .rev()
            .find(|&i| self.turns_by_comma_or_word(i))
            .unwrap_or(sentence.start);
        let to = (end..sentence.end)
            .find(|&i| i > start && self.turns_by_comma_or_word(i))
            .unwrap_or(sentence.end);
        from..to
    }

    /// Whether the match starting at word `position` says the sign is absent, imagined,
    /// long over or asked about in general, and which.
    pub(super) fn not_now(&self, position: usize) -> Option<NotNow> {
        if negated(self.question, self.words, position) {
            return Some(NotNow::Negated);
        }
        if self.supposed(position) {
            return Some(NotNow::Imagined);
        }
        let clause = &self.clauses[self.clause_of_word[position]];
        if clause.sentence_over && clause.over {
            Some(NotNow::Over)
        } else if self.asked_in_general(clause, position) {
            Some(NotNow::Asked)
        } else {
            None
        }
    }

    /// Whether a supposing opener ends within [`SUPPOSING_REACH`] words before
    /// `position`, in the same clause: in "if I get up, I pass out" or "what happens if
    /// I get a fever? Bleeding heavily since this morning" the sign is not what is
    /// supposed.
    fn supposed(&self, position: usize) -> bool {
        let reach = position.saturating_sub(SUPPOSING_REACH)..=position;
        self.openers.iter().any(|opener| {
            reach.contains(&opener.end)
                && self
                    .question
                    .get(self.words[opener.start].span.start..self.words[position].span.start)
                    .is_some_and(|between| !between.contains([',', ';', ':', '.', '?', '!', '\n']))
                && !consequent_begins(self.words, opener.end..=position)
        })
    }

    /// Whether the match at `position`, in `clause`, is named in a question about the
    /// sign in general: an [`ASKING_IN_GENERAL`] opener ends at most [`SUPPOSING_REACH`]
    /// words before it in its own clause, nothing in that clause besides the opener tells
    /// of a sign someone has or is told in the present, and nothing in the sentence
    /// brings it to now. So "partner has signs of heavy bleeding" ("has") and "what are
    /// the signs of a clot? my calf is swollen" (another sentence) still count.
    fn asked_in_general(&self, clause: &Clause, position: usize) -> bool {
        let reach = position.saturating_sub(SUPPOSING_REACH)..=position;
        clause
            .asking
            .iter()
            .any(|opener| reach.contains(&opener.end))
            && clause.tells_of_no_sign
            && !clause.sentence_present
    }
}

/// Where the sentence holding word `start` of `words` ends (a word index): sentences are
/// the byte ranges `sentences`; a word outside them is a sentence of its own.
fn sentence_end(words: &[Word], sentences: &[Range<usize>], start: usize) -> usize {
    let Some(sentence) = sentences
        .iter()
        .find(|s| s.contains(&words[start].span.start))
    else {
        return start + 1;
    };
    start
        + words[start..]
            .iter()
            .take_while(|w| sentence.contains(&w.span.start))
            .count()
}

/// Whether what stands between two words is a pause that ends a clause besides a comma
/// ([`Judged::turns_by_comma_or_word`]): a bracket, a line break, a dash set apart by
/// spaces ("had a clot years ago - my calf is swollen"), or a symbol such as an emoji,
/// which members use as a pause. A hyphen inside a word ("c-section") and quotes are not.
fn pauses(between: &str) -> bool {
    between.contains(['(', ')', '[', ']', '\n', '\u{2013}', '\u{2014}'])
        || between.contains(" -")
        || between.contains("- ")
        || between.chars().any(|c| {
            !c.is_alphanumeric()
                && !c.is_whitespace()
                && !c.is_ascii()
                && !matches!(c, '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}')
        })
}

/// Words that open a clause set against what came before ("it has settled, but I
/// fainted"): what such a clause tells does not share the rest's being over.
/// "Then" tells of what happened next ("the cramps went away and then I passed out"):
/// what came before being over says nothing of it.
const CONTRASTS: &[&str] = &[
    "but", "though", "although", "yet", "except", "however", "then",
];

/// Whether `clause` opens with a [`CONTRASTS`] word, after an "and" or "so" that may
/// start it ("and then I passed out").
fn set_against(clause: &[Word]) -> bool {
    let opening = match clause.first().map(|word| word.text.as_str()) {
        Some("and" | "so") => clause.get(1),
        _ => clause.first(),
    };
    opening.is_some_and(|word| CONTRASTS.contains(&word.text.as_str()))
}

/// Whether `reading` has a clause set against the rest ([`set_against`]) that tells of
/// something that happened and does not say it is over ("the bleeding has settled but I
/// fainted in the shower"): the meaning net's counterpart of the clause rule in
/// [`Clause::over`], on words alone (clauses run to the next "and", "but" or "so").
fn contrast_tells_of_an_event(reading: &[Word]) -> bool {
    (0..reading.len())
        .filter(|&i| CONTRASTS.contains(&reading[i].text.as_str()))
        .any(|i| {
            let end = (i + 1..reading.len())
                .find(|&j| matches!(reading[j].text.as_str(), "and" | "but" | "so"))
                .unwrap_or(reading.len());
            let clause = &reading[i..end];
            told_in_past(clause) && !says_over(clause)
        })
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

/// Plain negations: "no fever", "not dizzy", "didn't faint", "without heavy bleeding" say
/// the sign is absent. Modal ones ("can't", "won't") are left out, as is "never" ("never
/// bled like this"): with them a negation often comes with the emergency, not against it.
/// So are "doesn't" and "hadn't", which members put before what goes on ("it doesn't stop
/// bleeding", "I hadn't bled like this before").
pub(super) const PLAIN_NEGATIONS: &[&str] = &[
    "arent", "didnt", "dont", "hasnt", "havent", "isnt", "neither", "no", "none", "nor", "not",
    "wasnt", "werent", "without",
];

/// Whether the word just before `position` negates what starts there, with nothing but
/// spaces between them: in "is this normal or not? haemorrhaging" or "No! Gushing" the
/// negation answers something else.
fn negated(question: &str, reading: &[Word], position: usize) -> bool {
    position > 0
        && PLAIN_NEGATIONS.contains(&reading[position - 1].text.as_str())
        && nothing_but_spaces_between(question, &reading[position - 1], &reading[position])
        && !cannot_do_without(reading, position - 1)
}

/// Whether the negation at `negation` is the "without" of "I can't move without
/// excruciating pain": what cannot be done without the sign says the sign is there.
fn cannot_do_without(reading: &[Word], negation: usize) -> bool {
    reading[negation].text == "without"
        && reading[negation.saturating_sub(4)..negation]
            .iter()
            .any(|word| matches!(word.text.as_str(), "cant" | "cannot" | "couldnt" | "unable"))
}

/// Whether only spaces (not a line break: "Bleeding? no\nFainted" answers a question
/// above) stand between two words of `question`.
fn nothing_but_spaces_between(question: &str, before: &Word, after: &Word) -> bool {
    question
        .get(before.span.end..after.span.start)
        .is_some_and(|between| between.chars().all(|c| c == ' ' || c == '\t'))
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

/// Where [`SUPPOSING`] openers stand in `reading`, except after "as": "as if" likens
/// ("I feel as if I were going to faint") and supposes nothing.
fn supposing_openers(reading: &[Word]) -> Vec<Range<usize>> {
    SUPPOSING
        .occurrences(reading)
        .filter(|opener| !(opener.start > 0 && reading[opener.start - 1].text == "as"))
        .collect()
}

/// Whether a new subject ("I", "she", "we"...) stands among the words `range`, after a
/// supposing opener: in "if I get up I pass out", written without a comma, the
/// condition ends there and what follows tells what happens now. A subject straight
/// after "and" or "or" still belongs to the condition ("if I get a fever and I start
/// bleeding").
fn consequent_begins(words: &[Word], range: std::ops::RangeInclusive<usize>) -> bool {
    range.into_iter().any(|i| {
        SUBJECTS.contains(&words[i].text.as_str())
            && i > 0
            && !matches!(words[i - 1].text.as_str(), "and" | "or" | "if" | "when")
            && !ASKING_VERBS.contains(&words[i - 1].text.as_str())
    })
}

/// Pronouns, and a pronoun with its verb run together, that open a clause as its
/// subject ("if I get up im dizzy", "if I stand theres blood everywhere").
const SUBJECTS: [&str; 10] = [
    "i", "she", "he", "we", "they", "im", "ive", "its", "theres", "hes",
];

/// Verbs put before the subject to ask ("if I get a fever should I go in?"): the
/// subject after them asks about the condition, it tells nothing that happens now.
const ASKING_VERBS: &[&str] = &[
    "should", "shall", "do", "does", "did", "can", "could", "would", "will", "must", "am", "is",
    "are", "was", "were",
];

/// Openers of a question about a sign in general ("what counts as heavy bleeding?",
/// "how do I know what counts as reduced movements"): asking what the sign is, not
/// telling of one.
static ASKING_IN_GENERAL: Phrases = Phrases::new(&[
    "what counts as",
    "what count as",
    "what is classed as",
    "what is considered",
    "what are the signs of",
    "what are signs of",
    "what are the symptoms of",
    "what are symptoms of",
    "what are the warning signs of",
    "what does",
    "how do i know",
    "how do you know",
    "how can i tell",
    "how do i tell",
    "how do you tell",
    "how to tell",
    "difference between",
    "what to watch for",
    "when to worry about",
    "what happens if you",
    // What a medicine or a condition may cause, asked of in general ("can heparin cause
    // heavy bleeding?"): only after a word that asks (see [`asking_openers`]), since
    // "cause" is also "because" ("in A&E cause bleeding heavily").
    "cause",
    "causes",
]);

/// Words that ask, one of which must stand shortly before "cause" for it to open a
/// question about what something may cause.
const ASKING_BEFORE_CAUSE: &[&str] = &[
    "can", "could", "does", "do", "will", "would", "might", "may", "what", "which",
];

/// Where [`ASKING_IN_GENERAL`] openers stand in `words`; "cause" counts only asked
/// ("can heparin cause", "what could cause"), never as "because".
fn asking_openers(words: &[Word]) -> Vec<Range<usize>> {
    ASKING_IN_GENERAL
        .occurrences(words)
        .filter(|opener| {
            !matches!(words[opener.start].text.as_str(), "cause" | "causes")
                || words[opener.start.saturating_sub(3)..opener.start]
                    .iter()
                    .any(|word| ASKING_BEFORE_CAUSE.contains(&word.text.as_str()))
        })
        .collect()
}

/// Words that point at a sign someone has ("what is this pain in my chest", "what are
/// the signs of the clot she's got"): beside one, a question asks about that sign, not
/// the sign in general. With [`TOLD_IN_PRESENT`] ("I'm", "I have", "is"), which is read
/// too. "I" and "my" alone are left out: "what counts as heavy bleeding, so I know when
/// to go in" and "what counts as a fever after my D&C" still ask.
static TELLING_OF_A_SIGN: Phrases = Phrases::new(&["ive", "me", "this", "these", "shes", "hes"]);

/// Whether nothing in `words` outside the question's `openers` points at a sign someone
/// has ([`TELLING_OF_A_SIGN`]) or is told in the present ([`TOLD_IN_PRESENT`]): what the
/// match's clause, and the meaning net's whole text, must hold to ask in general.
fn tells_of_no_sign(words: &[Word], openers: &[Range<usize>]) -> bool {
    !TELLING_OF_A_SIGN.occur_outside(words, openers)
        && !TOLD_IN_PRESENT.occur_outside(words, openers)
}

/// Phrases that place what a sentence tells years back ("fainted once as a teenager",
/// "a fever after my D&C two years ago", "back in March", "six months since the
/// stillbirth", an anniversary). A year written in digits counts too (see [`is_year`]).
/// Recent past ("last week", "yesterday") is left out: a sign from then may still need
/// care. "Back in" alone is left out too: "back in A&E, bleeding heavily" is now.
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
    "when i was a teenager",
    "when i was a teen",
    "when i was a kid",
    "when i was a child",
    "when i was a student",
    "last spring",
    "last summer",
    "last autumn",
    "last winter",
    "years since",
    "year since",
    "months since",
    "anniversary",
    "back in january",
    "back in february",
    "back in march",
    "back in april",
    "back in may",
    "back in june",
    "back in july",
    "back in august",
    "back in september",
    "back in october",
    "back in november",
    "back in december",
    "back in the spring",
    "back in the summer",
    "back in the autumn",
    "back in the fall",
    "back in the winter",
    "back in the day",
]);

/// Phrases that say it is over ("...and I'm fully recovered", "all fine now", "the
/// bleeding has settled", "she's fine now"). Someone else's "she's fine" without "now"
/// is left out: "she says she's fine but she's grey and sweaty" is how an emergency is
/// played down.
static NOW_OVER: Phrases = Phrases::new(&[
    "fully recovered",
    "all fine now",
    "all good now",
    "all ok now",
    "all well",
    "im fine now",
    "im ok now",
    "im okay now",
    "im well now",
    "ive been well",
    "im safe",
    "shes fine now",
    "hes fine now",
    "she is fine now",
    "he is fine now",
    "i was fine after",
    "she was fine after",
    "he was fine after",
    "back to normal",
    "has settled",
    "all settled",
    "went away",
    "gone now",
    "stopped straight away",
    "stopped on its own",
    "stopped by itself",
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
    let over: Vec<Range<usize>> = NOW_OVER
        .occurrences(sentence)
        .chain(LONG_AGO.occurrences(sentence))
        .collect();
    says_over(sentence) && !in_the_present(sentence, &over)
}

/// Whether `words` hold a phrase that places something years back or says it is over.
/// A time long ago that something is likened to ("bleeding heavily like last year",
/// "worse than when I was a teenager") places nothing.
fn says_over(words: &[Word]) -> bool {
    let likened = |start: usize| {
        start > 0 && matches!(words[start - 1].text.as_str(), "like" | "than" | "as")
    };
    LONG_AGO
        .occurrences(words)
        .any(|phrase| !likened(phrase.start))
        || NOW_OVER.occur_in(words)
        || words.iter().enumerate().any(|(i, word)| {
            // "at 2015" is a time of day, not a year; "2000 ml" an amount.
            let at_time = i > 0 && words[i - 1].text == "at";
            let amount = words
                .get(i + 1)
                .is_some_and(|next| AMOUNT_UNITS.contains(&next.text.as_str()));
            is_year(&word.text) && !at_time && !amount && !likened(i)
        })
}

/// Units a number of four digits may be an amount of, not a year.
const AMOUNT_UNITS: &[&str] = &[
    "ml", "mls", "mg", "mcg", "g", "kg", "iu", "units", "hcg", "miu", "steps", "calories",
];

/// Whether a clause placed long ago is still told in the present tense about its own
/// subject ("my scar from the section two years ago is oozing pus"): the time then
/// belongs to a word of the clause, not to what the clause tells.
fn present_despite_long_ago(clause: &[Word]) -> bool {
    TOLD_IN_PRESENT.occur_in(clause) && !NOW_OVER.occur_in(clause)
}

/// Whether a [`PRESENT`] word stands in `words` outside the phrases `apart` (the "now"
/// of "all fine now", the "since" of "years since" or the "started" of "if I started"
/// does not bring anything back).
fn in_the_present(words: &[Word], apart: &[Range<usize>]) -> bool {
    PRESENT.occur_outside(words, apart)
}

/// Whether `text`, read whole, tells of a sign imagined ("hypothetically, if I started
/// bleeding heavily"), long over ("two years ago", "fully recovered") or asked about in
/// general ("what counts as heavy bleeding?"), with nothing in it bringing it back to
/// the present. The meaning net's counterpart of
/// [`Judged::not_now`]: a meaning has no matched words, so an opener may stand anywhere
/// in the text. Negations are not read here: "no fever, but bleeding through a pad an
/// hour" is one meaning with both.
pub(super) fn imagined_or_over(reading: &[Word]) -> bool {
    // An opener whose condition ends in a consequent told now ("if I get up I faint")
    // supposes nothing.
    let openers: Vec<Range<usize>> = supposing_openers(reading)
        .into_iter()
        .filter(|opener| {
            let reach = (opener.end + SUPPOSING_REACH).min(reading.len().saturating_sub(1));
            opener.end > reach || !consequent_begins(reading, opener.end..=reach)
        })
        .collect();
    (!openers.is_empty() && !in_the_present(reading, &openers))
        || (told_as_over(reading)
            && !telling_of_self_now(reading)
            && !contrast_tells_of_an_event(reading))
        || asks_in_general(reading)
}

/// Whether `text`, read whole, asks about a sign in general ("what counts as heavy
/// bleeding, so I know when to go in?"): an [`ASKING_IN_GENERAL`] opener, and nothing
/// outside the openers that tells of a sign someone has, is told in the present, or
/// brings it to now.
fn asks_in_general(reading: &[Word]) -> bool {
    let openers = asking_openers(reading);
    !openers.is_empty() && tells_of_no_sign(reading, &openers) && !in_the_present(reading, &openers)
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

/// A year written in digits, of a past a member could be telling of ("that was 2019"):
/// not this year (what happened in it may still need care) nor one still to come, which
/// is more likely a time of day ("2030"). The clock is read only for a word of four
/// digits, not for every word of a long message.
fn is_year(word: &str) -> bool {
    use chrono::Datelike;
    word.len() == 4
        && word
            .parse::<i32>()
            .is_ok_and(|year| (1980..chrono::Utc::now().year()).contains(&year))
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
        Judged::new(question, &reading, &sentences)
            .not_now(position)
            .is_none()
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
    fn a_discount_holds_only_where_it_is_said() {
        // A sign set against a settled one, told after a supposing opener's clause or
        // sentence, likened, or after a negation that answers something else, is now.
        for (question, sign) in [
            (
                "The bleeding has settled but I fainted in the shower",
                "fainted",
            ),
            ("If I get up, I pass out", "pass"),
            ("If I get up I pass out", "pass"),
            ("if i get up she faints", "faints"),
            (
                "What happens if I get a fever? Bleeding heavily since this morning",
                "bleeding",
            ),
            ("I feel as if I were going to faint", "faint"),
            (
                "Is this normal or not? Haemorrhaging after the tablets",
                "haemorrhaging",
            ),
            ("No! Gushing", "gushing"),
            ("Bleeding? no\nFainted in the shower", "fainted"),
            ("I collapsed at 2015 in the kitchen", "collapsed"),
            ("I don´t know, bleeding heavily", "bleeding"),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
        for (question, sign) in [
            ("if I start bleeding heavily, what do I do", "bleeding"),
            ("if i get sick and i faint what then", "faint"),
            ("what do I do if I get heavy bleeding", "bleeding"),
            ("no fever", "fever"),
            (
                "I fainted at the funeral but I was fine after some water",
                "fainted",
            ),
        ] {
            assert!(!happening_now(question, sign), "{question}");
        }
        assert!(!imagined_or_over(&words(
            "the bleeding has settled but i fainted in the shower"
        )));
        assert!(!imagined_or_over(&words(
            "I feel as if I were going to faint"
        )));
        assert!(imagined_or_over(&words(
            "I fainted at the funeral but I was fine after some water"
        )));
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
            "What counts as heavy bleeding, so I know when to go in?",
        ] {
            assert!(imagined_or_over(&words(calm)), "{calm}");
        }
        for urgent in [
            "if i ever needed help it is now, bleeding heavily",
            "i am bleeding heavily and dizzy",
            "if i start bleeding heavily again like today what do i do",
            "im bleeding heavily, i had a miscarriage two years ago",
            "what counts as heavy bleeding? I'm soaking a pad an hour",
            "how do i know if this is a clot, my calf is red",
        ] {
            assert!(!imagined_or_over(&words(urgent)), "{urgent}");
        }
    }

    #[test]
    fn a_sign_asked_about_in_general_is_not_happening_now() {
        for (question, sign) in [
            (
                "What counts as heavy bleeding, so I know when to go in?",
                "heavy",
            ),
            ("How do I know what counts as reduced movements?", "reduced"),
            ("what are the signs of heavy bleeding after a d&c", "heavy"),
            (
                "what does shoulder tip pain mean in early pregnancy",
                "shoulder",
            ),
        ] {
            assert!(!happening_now(question, sign), "{question}");
        }
        for (question, sign) in [
            ("what is this pain in my chest", "pain"),
            ("partner has signs of heavy bleeding", "heavy"),
            (
                "partner has symptoms of pre-eclampsia, severe headache and blurred vision",
                "severe",
            ),
            (
                "what counts as heavy bleeding? I'm soaking a pad an hour",
                "soaking",
            ),
            (
                "what counts as heavy bleeding, im soaking a pad an hour",
                "soaking",
            ),
            ("what counts as heavy bleeding because this is now", "heavy"),
            ("how do i know if im bleeding heavily", "bleeding"),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
    }

    #[test]
    fn anniversaries_and_settled_signs_are_over() {
        for (question, sign) in [
            (
                "Back in March I collapsed from blood loss during my miscarriage",
                "collapsed",
            ),
            (
                "One year since my haemorrhage and the night we lost him",
                "haemorrhage",
            ),
            (
                "Six months since the stillbirth, the fever after it was the worst",
                "fever",
            ),
            (
                "I fainted at the funeral but I was fine after some water",
                "fainted",
            ),
            ("Last spring I passed out in the shower", "passed"),
        ] {
            assert!(!happening_now(question, sign), "{question}");
        }
        for (question, sign) in [
            ("back in A&E, bleeding heavily", "bleeding"),
            (
                "a year since my loss and I'm bleeding heavily again",
                "bleeding",
            ),
            ("my wife fainted, she says she's fine", "fainted"),
        ] {
            assert!(happening_now(question, sign), "{question}");
        }
        assert!(imagined_or_over(&words(
            "My friend had a miscarriage last week. the bleeding has settled and she's been checked over"
        )));
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
