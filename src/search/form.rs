//! What the form of a question asks for, and which sentences have that shape.
//!
//! "What is thrombophilia?" shares its one meaningful word with every passage that
//! mentions thrombophilia, so word coverage cannot tell them apart, yet only one of them
//! answers: the one that defines it ("thrombophilia disorders, or medical conditions in
//! which the blood has an increased tendency to clot"). Likewise "when do most
//! miscarriages happen?" is answered by the sentence that says when ("within the first 8
//! weeks"), not by one that only says miscarriages happen, and "how do clots make you
//! miscarry?" by the sentence that says how one leads to the other. Both sides are read from the
//! shape of the sentence, never from a list of terms, so a moderator's new article gets
//! the same treatment. Question words stay stop words for matching; this module is the
//! only place their meaning is used.

use std::ops::Range;

use crate::text::{Word, words};

/// What the form of a question says, beyond its words.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct QuestionForm {
    /// It asks what something is ("what is X", "X, what's that?", "what does X mean").
    pub asks_definition: bool,
    /// It asks when ("when", "what week", "how far along", "how long").
    pub asks_when: bool,
    /// It asks how or why one thing brings about another ("how do clots make you
    /// miscarry", "why does APS cause miscarriage").
    pub asks_how_caused: bool,
    /// Words that name the kind of answer rather than the subject: "kind of medicine"
    /// in "what kind of medicine is heparin". They count as weak: a passage need not say
    /// them to answer, yet they may be the subject too ("what type of miscarriage").
    #[serde(skip)]
    pub answer_kind: Vec<Range<usize>>,
    /// Where the words asking for a definition start, as byte offsets: in a question of
    /// several sentences, only the sentence holding them asks what something is.
    #[serde(skip)]
    pub definition_cues: Vec<usize>,
    /// It asks what a thing it names is ("what is lupus"): not what something at hand is
    /// ("what is this pain"), what a thing is for ("what is the scan for"), or which ones
    /// ("what are the tests", "whats the treatment"), which a list naming them answers.
    #[serde(skip)]
    pub asks_what_a_named_thing_is: bool,
    /// It asks something at all: a question mark, or a sentence opening with a word that
    /// asks ("how do I", "is it normal").
    #[serde(skip)]
    pub asks_a_question: bool,
}

impl QuestionForm {
    /// What the question asks for, in words, for explanations.
    pub fn describe(&self) -> Vec<&'static str> {
        [
            (self.asks_definition, "what something is"),
            (self.asks_when, "when"),
            (self.asks_how_caused, "how one thing causes another"),
        ]
        .into_iter()
        .filter_map(|(asks, what)| asks.then_some(what))
        .collect()
    }
}

/// Reads the form of `question`.
pub fn read_question(question: &str) -> QuestionForm {
    let words = words(question);
    let text = |index: usize| words.get(index).map_or("", |w: &Word| w.text.as_str());
    let mut form = QuestionForm::default();
    for index in 0..words.len() {
        let asks = match text(index) {
            "whats" | "define" | "definition" | "meaning" => true,
            "what" => {
                matches!(text(index + 1), "is" | "are" | "s")
                    || (words[index + 1..].iter().any(|w| w.text == "mean"))
            }
            _ => false,
        };
        if asks {
            form.asks_definition = true;
            form.definition_cues.push(words[index].span.start);
        }
        form.asks_when |= match text(index) {
            "when" => !opens_a_clause(&words, index),
            "what" | "which" => is_time_unit(text(index + 1)),
            "how" => {
                matches!(
                    (text(index + 1), text(index + 2)),
                    ("far", "along") | ("many", _) | ("long" | "soon" | "early" | "late", _)
                ) && (text(index + 1) != "many" || is_time_unit(text(index + 2)))
            }
            _ => false,
        };
        // "what kind of medicine is heparin": the subject follows "is".
        if text(index) == "what"
            && matches!(text(index + 1), "kind" | "type" | "sort")
            && text(index + 2) == "of"
            && matches!(text(index + 4), "is" | "are")
        {
            form.asks_definition = true;
            form.definition_cues.push(words[index].span.start);
            form.answer_kind.extend(
                words[index + 1..=index + 3]
                    .iter()
                    .map(|word| word.span.clone()),
            );
        }
    }
    form.asks_how_caused = words
        .iter()
        .any(|w| matches!(w.text.as_str(), "how" | "why"))
        && words.iter().any(|w| is_causation_verb(&w.text));
    let points_or_asks_purpose = words
        .iter()
        .any(|word| matches!(word.text.as_str(), "this" | "these" | "my" | "for"));
    let asks_which = words.windows(2).any(|pair| {
        matches!(pair[0].text.as_str(), "is" | "are" | "whats" | "s") && pair[1].text == "the"
    });
    form.asks_what_a_named_thing_is =
        form.asks_definition && !points_or_asks_purpose && !asks_which;
    form.asks_a_question = question.contains('?')
        || crate::text::sentence_spans(question).any(|span| {
            words
                .iter()
                .find(|word| word.span.start >= span.start && word.span.end <= span.end)
                .is_some_and(|word| ASKING_WORDS.contains(&word.text.as_str()))
        });
    form
}

/// Words that open a question.
const ASKING_WORDS: &[&str] = &[
    "what", "whats", "how", "hows", "why", "when", "where", "which", "who", "is", "are", "am",
    "can", "could", "does", "do", "did", "should", "will", "would", "may", "might", "any",
    "anyone", "has", "have",
];

/// Whether the "when" at `words[index]` opens a clause about something else rather than
/// asking when. A question puts a verb after "when" ("when do", "when should I"), a
/// clause its subject and then its verb ("what does it do when you're pregnant", "my
/// gums bleed when I brush", "when I bleed, should I worry"). A modal straight after the
/// subject still asks ("when I should stop heparin?", "when we can try again"), and so
/// does the clause after "know", "sure", "idea" and the like ("how would I know when
/// I'm safe").
fn opens_a_clause(words: &[Word], index: usize) -> bool {
    // Not "were" (folded "we're"): "when were you diagnosed" asks when.
    const SUBJECTS: &[&str] = &[
        "i", "im", "ive", "you", "youre", "youve", "we", "weve", "they", "theyre", "she", "shes",
        "he", "hes",
    ];
    const MODALS: &[&str] = &[
        "can", "cant", "could", "should", "will", "would", "shall", "may", "might", "must", "need",
        "ought",
    ];
    const ASKING: &[&str] = &[
        "know",
        "sure",
        "unsure",
        "tell",
        "idea",
        "out",
        "remember",
        "wonder",
        "wondering",
        "ask",
        "decide",
    ];
    let text = |i: usize| words.get(i).map_or("", |w: &Word| w.text.as_str());
    let before = index.checked_sub(1).map_or("", text);
    SUBJECTS.contains(&text(index + 1))
        && !MODALS.contains(&text(index + 2))
        && !ASKING.contains(&before)
}

/// Verbs members use for one thing bringing about another.
fn is_causation_verb(word: &str) -> bool {
    [
        "make", "made", "cause", "hurt", "affect", "damag", "harm", "lead", "trigger",
    ]
    .iter()
    .any(|stem| word.starts_with(stem))
}

/// What one sentence says about itself, read once when the index is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentenceShape {
    /// It says when (see [`mentions_time`]).
    pub mentions_time: bool,
    /// It says how one thing brings about another (see [`mentions_cause`]).
    pub mentions_cause: bool,
    /// Byte ranges of the sentence naming what it defines (see [`defined_subjects`]).
    pub defines: Vec<Range<usize>>,
}

/// Reads the shape of one `sentence`.
pub fn sentence_shape(sentence: &str) -> SentenceShape {
    let words = words(sentence);
    SentenceShape {
        mentions_time: mentions_time(&words),
        mentions_cause: mentions_cause(&words),
        defines: defined_subjects(sentence, &words),
    }
}

/// Whether the sentence of `words` says how one thing brings about another: "because",
/// "due to", "causing", "blocking", "leads to", "results in".
fn mentions_cause(words: &[Word]) -> bool {
    words.iter().enumerate().any(|(index, word)| {
        let next = words.get(index + 1).map_or("", |w| w.text.as_str());
        match word.text.as_str() {
            "because" | "therefore" | "thereby" => true,
            "due" => next == "to",
            "lead" | "leads" | "led" | "leading" => next == "to",
            "result" | "results" | "resulting" | "resulted" => next == "in",
            other => ["caus", "block", "trigger"]
                .iter()
                .any(|stem| other.starts_with(stem)),
        }
    })
}

/// Whether the parenthesis opening `rest` glosses the words before it ("first trimester
/// (12 weeks)") rather than adding an aside ("(or increasing risk of other pregnancy
/// complications)"): a gloss is short and does not start with a conjunction.
fn is_gloss(rest: &str) -> bool {
    let inside = rest.split(')').next().unwrap_or(rest);
    let inside = words(inside);
    inside.len() <= 3
        && !inside.first().is_some_and(|first| {
            matches!(
                first.text.as_str(),
                "or" | "and" | "such" | "eg" | "e" | "including" | "see"
            )
        })
}

/// Whether `word` names a span of pregnancy time.
fn is_time_unit(word: &str) -> bool {
    matches!(
        word,
        "week"
            | "weeks"
            | "wk"
            | "wks"
            | "month"
            | "months"
            | "day"
            | "days"
            | "trimester"
            | "trimesters"
    )
}

/// Whether the sentence of `words` says when: a number of weeks, months or days
/// ("within the first 8 weeks", "6 to 12 weeks") or a trimester.
fn mentions_time(words: &[Word]) -> bool {
    words.iter().enumerate().any(|(index, word)| {
        let is_count = word.text.chars().all(|c| c.is_ascii_digit())
            || NUMBER_WORDS.contains(&word.text.as_str());
        word.text.starts_with("trimester")
            || (is_count
                && words[index + 1..]
                    .iter()
                    .take(2)
                    .any(|next| is_time_unit(&next.text)))
    })
}

/// Counts written as words, as far as pregnancy is counted.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "few", "several",
];

/// Words that, right after a sentence's opening words, say those words are being
/// defined: "Heparin is an injectable blood thinner", "APS means ...".
const DEFINING_VERBS: &[&[&str]] = &[
    &["is", "a"],
    &["is", "an"],
    &["is", "the"],
    &["is", "when"],
    &["are", "a"],
    &["are", "an"],
    &["are", "the"],
    &["means"],
    &["refers", "to"],
    &["is", "called"],
    &["are", "called"],
    &["is", "known", "as"],
    &["is", "also", "known", "as"],
    &["are", "known", "as"],
    &["is", "also", "called"],
    &["stands", "for"],
    &["is", "short", "for"],
];

/// The longest subject a definition names, in words: "low molecular weight heparin".
const MAX_SUBJECT_WORDS: usize = 4;

/// Words that give another name for what a sentence describes: "a pregnancy of unknown
/// location, often shortened to PUL, means ...", "also known as sticky blood".
const ANOTHER_NAME: &[&[&str]] = &[
    &["shortened", "to"],
    &["abbreviated", "to"],
    &["abbreviated", "as"],
    &["known", "as"],
    &["referred", "to", "as"],
    &["also", "called"],
    &["often", "called"],
    &["sometimes", "called"],
    &["commonly", "called"],
    &["aka"],
    &["stands", "for"],
];

/// The byte ranges of `sentence` (whose words are `words`) naming something it defines:
/// - its opening words followed by "is a", "are the", "means", ...;
/// - the words before an appositive ", or" ("thrombophilia disorders, or medical
///   conditions in which ...") or before a parenthesis ("first trimester (12 weeks)");
/// - another name given for it, up to the next mark ("often shortened to PUL").
fn defined_subjects(sentence: &str, words: &[Word]) -> Vec<Range<usize>> {
    let mut subjects = Vec::new();
    for count in 1..=MAX_SUBJECT_WORDS.min(words.len()) {
        let rest: Vec<&str> = words[count..].iter().map(|w| w.text.as_str()).collect();
        if DEFINING_VERBS.iter().any(|verb| rest.starts_with(verb)) {
            subjects.push(words[0].span.start..words[count - 1].span.end);
            break;
        }
    }
    for (index, pair) in words.windows(2).enumerate() {
        let between = &sentence[pair[0].span.end..pair[1].span.start];
        let appositive = between.contains(',') && pair[1].text == "or";
        if appositive || (between.contains('(') && is_gloss(&sentence[pair[1].span.start..])) {
            let first = (index + 1).saturating_sub(2);
            subjects.push(words[first].span.start..pair[0].span.end);
        }
    }
    subjects.extend(other_names(sentence, words));
    subjects
}

/// The names given after [`ANOTHER_NAME`] words, or after "called" set off by a comma
/// (", called PUL,"): each up to [`MAX_SUBJECT_WORDS`] words, ending at a mark (comma,
/// bracket, stop); "or" and "and" part two names ("Hughes syndrome or sticky blood").
fn other_names(sentence: &str, words: &[Word]) -> Vec<Range<usize>> {
    let mut names = Vec::new();
    for index in 0..words.len() {
        let rest: Vec<&str> = words[index..]
            .iter()
            .take(3)
            .map(|w| w.text.as_str())
            .collect();
        let after_comma =
            index > 0 && sentence[words[index - 1].span.end..words[index].span.start].contains(',');
        let cue_length = match ANOTHER_NAME.iter().find(|cue| rest.starts_with(cue)) {
            Some(cue) => cue.len(),
            None if after_comma && rest.first() == Some(&"called") => 1,
            None => continue,
        };
        names.extend(names_from(sentence, words, index + cue_length));
    }
    names
}

/// The names in a row from word `first` of `words`, as [`other_names`] reads them.
fn names_from(sentence: &str, words: &[Word], first: usize) -> Vec<Range<usize>> {
    let mut names = Vec::new();
    let mut start = first;
    let mut index = first;
    while index < words.len() && index < first + 2 * MAX_SUBJECT_WORDS {
        let next = words.get(index + 1);
        let ends_here = next.is_none_or(|next| {
            sentence[words[index].span.end..next.span.start]
                .chars()
                .any(|c| !c.is_whitespace())
        });
        let parts_here = next.is_some_and(|next| matches!(next.text.as_str(), "or" | "and"));
        if ends_here || parts_here || index + 1 - start == MAX_SUBJECT_WORDS {
            names.push(words[start].span.start..words[index].span.end);
            if !parts_here {
                break;
            }
            index += 2;
            start = index;
            continue;
        }
        index += 1;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sentences of `text` define, as written.
    fn subjects(text: &str) -> Vec<&str> {
        crate::text::sentence_spans(text)
            .flat_map(|span| {
                sentence_shape(&text[span.clone()])
                    .defines
                    .into_iter()
                    .map(move |range| &text[span.start + range.start..span.start + range.end])
            })
            .collect()
    }

    fn mentions_time(text: &str) -> bool {
        sentence_shape(text).mentions_time
    }

    fn mentions_cause(text: &str) -> bool {
        sentence_shape(text).mentions_cause
    }

    /// Checks that `asks` holds for every question of `yes` and none of `no`.
    fn assert_forms(asks: impl Fn(&QuestionForm) -> bool, yes: &[&str], no: &[&str]) {
        for question in yes {
            assert!(asks(&read_question(question)), "{question}");
        }
        for question in no {
            assert!(!asks(&read_question(question)), "{question}");
        }
    }

    #[test]
    fn definitions_are_read_from_sentence_shape() {
        assert_eq!(
            subjects("Heparin is an injectable blood thinner. Doctors prescribe it."),
            ["Heparin"]
        );
        assert_eq!(
            subjects(
                "One factor is thrombophilia disorders, or medical conditions in which the blood clots."
            ),
            ["thrombophilia disorders"]
        );
        assert_eq!(
            subjects("It happens in the first trimester (12 weeks) of pregnancy."),
            ["first trimester"]
        );
        assert!(
            subjects("eventually causing miscarriage (or increasing risk of pre-eclampsia).")
                .is_empty(),
            "an aside in brackets is not a gloss"
        );
        assert!(
            subjects("Heparin treatment is usually recommended only in some women.").is_empty(),
            "a sentence about a subject is not its definition"
        );
        assert_eq!(
            subjects("A pregnancy of unknown location, often shortened to PUL, may be early."),
            ["PUL"]
        );
        assert_eq!(
            subjects("Ovula, called zorbitis, is rare. TPX stands for tropixane."),
            ["zorbitis", "TPX", "tropixane"]
        );
        assert_eq!(
            subjects("APS is also known as Hughes syndrome or sticky blood."),
            ["APS", "Hughes syndrome", "sticky blood"]
        );
    }

    #[test]
    fn time_is_read_from_counts_and_trimesters() {
        for text in [
            "more than 90% of miscarriages happen within the first 8 weeks",
            "this usually happens between 6 to 12 weeks of pregnancy",
            "after the first trimester",
            "for two or three months",
        ] {
            assert!(mentions_time(text), "{text}");
        }
        for text in [
            "Miscarriage leads to grief.",
            "12 women out of 100",
            "a week",
        ] {
            assert!(!mentions_time(text), "{text}");
        }
        assert_forms(
            |form| form.asks_when,
            &[
                "when do most miscarriages happen",
                "what week is the riskiest",
                "how far along are you safe",
                "how many weeks does bleeding last",
                "when should I go in",
                "24 weeks now, when do I stop the aspirin",
                "how would I know when I'm safe",
                "when I should stop heparin?",
                "when I should stop heparin, aspirin and progesterone?",
                "any idea when I can stop heparin",
                "when we can try again after a miscarriage?",
            ],
            &[
                "how many tests do I need",
                "what is heparin",
                "how do I cope",
                "what does progesterone do when you're pregnant",
                "my gums bleed when I brush, is that normal",
                "When I take aspirin, should I avoid ibuprofen?",
                "When I'm pregnant can I take ibuprofen",
                "i'm on heparin. when i bleed is that normal",
            ],
        );
    }

    #[test]
    fn causes_are_read_from_connectives() {
        assert!(mentions_cause(
            "tiny clots get stuck in the placenta, blocking flow and eventually causing miscarriage"
        ));
        assert!(mentions_cause("Miscarriage leads to depression and grief."));
        assert!(!mentions_cause("Heparin is an injectable blood thinner."));
        assert!(read_question("how exactly do blood clots make you miscarry").asks_how_caused);
        assert!(read_question("why does APS cause miscarriage").asks_how_caused);
        assert!(!read_question("how does heparin work").asks_how_caused);
        assert!(!read_question("what causes miscarriage").asks_how_caused);
    }

    #[test]
    fn question_forms() {
        assert_forms(
            |form| form.asks_definition,
            &[
                "what is thrombophilia",
                "thrombophila what is it",
                "APS, what's that?",
                "what does lupus anticoagulant mean",
                "meaning of hcg",
            ],
            &[
                "is heparin safe",
                "how does heparin help",
                "what should i do",
            ],
        );
        let question = "what kind of medicine is heparin";
        let form = read_question(question);
        assert!(form.asks_definition);
        let kind: Vec<&str> = form
            .answer_kind
            .iter()
            .map(|r| &question[r.clone()])
            .collect();
        assert_eq!(kind, ["kind", "of", "medicine"]);
        assert!(
            read_question("what kind of doctor treats APS")
                .answer_kind
                .is_empty(),
            "the kind of answer is only set aside when the subject follows"
        );
    }
}
