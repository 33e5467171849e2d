//! Property tests over the whole question path: whatever a member types, the reply is a
//! safe Discord message, and whatever moderators write, every renderer fits Discord.
//!
//! Members are frightened people typing on phones, and some are trolls: questions arrive
//! with emoji, pasted control characters, right-to-left text, markdown, mentions and
//! 100 KB pastes. The guarantees checked here are the ones a member relies on: a reply
//! always comes, always fits one message, always carries the disclaimer and the doctor
//! advice, never repeats what they typed (the bot must not echo or ping), quotes only
//! vetted text, and shows the crisis or urgent notice however the words are disguised.
//!
//! The bundled content is loaded once; every case is a pure function of its input, so
//! proptest can shrink a failure to a minimal question. Failures are not persisted to
//! `proptest-regressions/`: the shrunk input is printed in the failure message instead.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use lantern::content::{Library, Problem, SafetyTexts};
use lantern::discord::rest::MessageBody;
use lantern::knowledge::{Answer, DEFAULT_MIN_CONFIDENCE, Knowledge, Outcome, Quote, Refusal};
use lantern::render::{
    self, AboutFacts, fit_message, render_about, render_problems, render_topic, render_topic_list,
};
use lantern::safety::Urgency;
use lantern::search;
use lantern::text::limits::{MESSAGE_CONTENT, QUESTION};
use lantern::text::words;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------------------
// The bundled content, loaded once.
// ---------------------------------------------------------------------------------------

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// The bundled content with what the checks compare replies against.
struct Bundled {
    knowledge: Knowledge,
    /// Every article file, as written (without `\r`), joined: quotes must come from here.
    article_text: String,
    /// Every text a reply may legitimately contain: passages, titles, sources, safety texts.
    vetted: String,
    /// The characters of `vetted`, plus ASCII and the renderer's own punctuation. A
    /// question character outside this set can only reach a reply by being echoed.
    allowed: HashSet<char>,
}

fn bundled() -> &'static Bundled {
    static BUNDLED: OnceLock<Bundled> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let knowledge = Knowledge::load(
            &bundled_dir(),
            DEFAULT_MIN_CONFIDENCE,
            &lantern::search::Embedder::new(None).expect("the shipped model loads"),
        )
        .expect("the bundled content loads");
        let mut article_text = String::new();
        let mut names: Vec<PathBuf> = fs::read_dir(bundled_dir().join("articles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for name in names {
            article_text.push_str(&fs::read_to_string(name).unwrap().replace('\r', ""));
            article_text.push('\n');
        }
        let library = knowledge.library();
        let mut vetted = safety_text_of(&library.safety);
        for topic in library.topics() {
            for text in [
                &topic.topic.title,
                &topic.article.source,
                &topic.article.title,
            ] {
                vetted.push_str(text);
                vetted.push('\n');
            }
            for passage in &topic.topic.passages {
                vetted.push_str(&passage.text);
                vetted.push('\n');
            }
        }
        let mut allowed: HashSet<char> = vetted.chars().collect();
        allowed.extend((' '..='~').chain(['\n', '…', '·', '•']));
        Bundled {
            knowledge,
            article_text,
            vetted,
            allowed,
        }
    })
}

fn safety_text_of(texts: &SafetyTexts) -> String {
    let mut all = [
        &texts.disclaimer,
        &texts.doctor_advice,
        &texts.urgent_notice,
        &texts.crisis_notice,
        &texts.not_found,
    ]
    .map(String::as_str)
    .join("\n");
    for helpline in &texts.crisis_helplines {
        all.push('\n');
        all.push_str(helpline);
    }
    all
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Discord mention syntax: none of it may ever reach a reply.
const MENTIONS: &[&str] = &[
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&123>",
    "<#123>",
    "</ask:1>",
];

/// Markdown and code-block injection.
const MARKDOWN: &[&str] = &[
    "```",
    "```rust\n",
    "\n```\n",
    "**",
    "__",
    "*",
    "_",
    "~~",
    "`",
    "> ",
    ">>> ",
    "\n> ",
    "[link](http://x)",
    "||spoiler||",
    "# ",
    "## ",
    "- ",
    "1. ",
    "<!--",
    "-->",
    "\\",
    "<https://x>",
    "\n",
];

/// Fragments of injected syntax that no vetted text contains, so a reply containing one
/// has echoed the question.
const INJECTION_MARKERS: &[&str] = &[
    "@everyone",
    "@here",
    "<@",
    "<#",
    "</",
    "```",
    "||",
    "](",
    "~~",
    ">>>",
];

/// The ranges of Unicode's Default_Ignorable_Code_Point property, from ICU4X's table:
/// the characters that render as nothing, so a member (or a troll) can put them anywhere.
/// Drawn from Unicode itself, not from the list the code under test keeps, so a gap in
/// that list shows here.
fn ignorable_ranges() -> Vec<(char, char)> {
    use icu_properties::CodePointSetData;
    use icu_properties::props::DefaultIgnorableCodePoint;
    CodePointSetData::new::<DefaultIgnorableCodePoint>()
        .iter_ranges()
        .map(|range| {
            let first = char::from_u32(*range.start()).expect("a code point");
            let last = char::from_u32(*range.end()).expect("a code point");
            (first, last)
        })
        .collect()
}

/// Whether `c` is in Unicode's Default_Ignorable_Code_Point set (ICU4X's table).
fn is_ignorable(c: char) -> bool {
    use icu_properties::CodePointSetData;
    use icu_properties::props::DefaultIgnorableCodePoint;
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// Hangul fillers: letters to Rust, blank on screen, and U+3164 and U+FFA0 decompose to
/// U+1160. They once joined "sui" and "cide" into a word no pattern knew.
const HANGUL_FILLERS: &[char] = &['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'];

/// An invisible character: any of Unicode's default-ignorable ranges (each range as
/// likely as another, so the 4,096 tag-block code points do not crowd out the rest),
/// a Hangul filler, or a tag character (U+E0000 to U+E007F, which once split words).
fn invisible() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => select(ignorable_ranges())
            .prop_flat_map(|(first, last)| prop::char::range(first, last)),
        1 => select(HANGUL_FILLERS),
        1 => prop::char::range('\u{E0000}', '\u{E007F}'),
    ]
}

/// Words and phrases that reach retrieval, so answered replies are generated too.
const WORDS: &[&str] = &[
    "heparin",
    "Heparin",
    "HEPARIN",
    "heprin",
    "aspirin",
    "miscarriage",
    "miscarriages",
    "antiphospholipid",
    "syndrome",
    "APS",
    "lupus",
    "anticoagulant",
    "blood",
    "thinner",
    "lovenox",
    "clot",
    "clots",
    "thrombophilia",
    "pregnancy",
    "pregnant",
    "risk",
    "bone",
    "loss",
    "how",
    "what",
    "why",
    "does",
    "is",
    "it",
    "safe",
    "help",
    "causes",
    "common",
    "I",
    "my",
    "the",
    "and",
    "not",
    "don't",
    "please",
    "doctor",
    "placenta",
    "dog",
    "Tokyo",
    "IVF",
];

const PHRASES: &[&str] = &[
    "How does heparin help?",
    "Is heparin safe in pregnancy?",
    "What causes miscarriage?",
    "How common is miscarriage?",
    "I want to die",
    "heavy bleeding",
    "I fainted",
    "chest pain",
];

/// Control characters, emoji, combining marks, right-to-left and other scripts.
const ODD: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\r",
    "\r\n",
    "\t",
    "\u{2028}",
    "\u{2029}",
    "\u{FFFD}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "\u{E000}",
    "🚨",
    "💙",
    "👍🏽",
    "👨‍👩‍👧",
    "🏳️‍🌈",
    "e\u{301}",
    "\u{301}\u{302}\u{303}",
    "Z\u{337}\u{322}\u{353}\u{36A}",
    "שלום",
    "مرحبا",
    "\u{202E}evil\u{202C}",
    "日本語",
    "한국어",
    "Ελληνικά",
    "ﷺ",
    "İ",
    "ß",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(WORDS).prop_map(String::from),
        1 => select(PHRASES).prop_map(String::from),
        2 => select(MARKDOWN).prop_map(String::from),
        2 => select(MENTIONS).prop_map(String::from),
        2 => select(ODD).prop_map(String::from),
        1 => invisible().prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
        1 => prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just(String::new()),
        1 => Just("\n".to_string()),
        1 => invisible().prop_map(String::from),
    ]
}

/// `text` with `marks` inserted at the given character positions.
fn insert_at(text: &str, marks: &[(Index, char)]) -> String {
    let mut out: Vec<char> = text.chars().collect();
    for (at, mark) in marks {
        out.insert(at.index(out.len() + 1), *mark);
    }
    out.into_iter().collect()
}

/// Questions made of all of the above, with invisible characters inserted anywhere.
fn question() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((fragment(), separator()), 0..40),
        prop::collection::vec((any::<Index>(), invisible()), 0..6),
    )
        .prop_map(|(parts, marks)| {
            let text: String = parts.into_iter().map(|(f, s)| f + &s).collect();
            insert_at(&text, &marks)
        })
}

/// A character no article, safety text or renderer template uses.
fn unusual_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('\u{4E00}', '\u{9FFF}'),
        prop::char::range('\u{1F300}', '\u{1F5FF}'),
        prop::char::range('\u{05D0}', '\u{05EA}'),
        prop::char::range('\u{0627}', '\u{064A}'),
        prop::char::range('\u{0300}', '\u{036F}'),
        prop::char::range('\u{E000}', '\u{F8FF}'),
        prop::char::range('\u{1}', '\u{1F}'),
    ]
}

/// Unusual characters that are not letters, so they separate words.
fn unusual_separator() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('\u{1F300}', '\u{1F5FF}'),
        prop::char::range('\u{E000}', '\u{F8FF}'),
        prop::char::range('\u{1}', '\u{8}'),
    ]
}

/// More than 20 characters, mostly unusual ones, sometimes wrapped in words that get an
/// answer, or an answerable question with its spaces replaced by unusual characters: a
/// reply containing it has echoed the member.
fn unusual_question() -> impl Strategy<Value = String> {
    prop_oneof![
        unusual_run(),
        (
            select(PHRASES),
            prop::collection::vec(prop::collection::vec(unusual_separator(), 1..4), 8),
        )
            .prop_map(|(phrase, separators)| {
                let mut out = String::new();
                for (i, word) in phrase.split(' ').enumerate() {
                    if i > 0 {
                        out.extend(&separators[i % separators.len()]);
                    }
                    out.push_str(word);
                }
                out.extend(&separators[0]);
                out
            }),
    ]
    .prop_filter("more than 20 characters once trimmed", |q| {
        chars(q.trim()) > 20
    })
}

/// 21 to 200 characters, mostly unusual, optionally between answerable phrases.
fn unusual_run() -> impl Strategy<Value = String> {
    (
        prop::option::of(select(PHRASES)),
        prop::collection::vec(
            prop_oneof![
                6 => unusual_char(),
                1 => select(vec![' ', 'a', 'e', '@', '<', '>', '*', '`', '|']),
                1 => invisible(),
            ],
            21..200,
        ),
        prop::option::of(select(PHRASES)),
    )
        .prop_map(|(before, core, after)| {
            let core: String = core.into_iter().collect();
            format!(
                "{} {core} {}",
                before.unwrap_or_default(),
                after.unwrap_or_default()
            )
        })
}

/// Checks everything a member is promised about the reply to `question`.
fn check_reply(question: &str, answer: &Answer, reply: &str) -> Result<(), TestCaseError> {
    let bundled = bundled();
    let safety = &bundled.knowledge.library().safety;
    prop_assert!(!reply.trim().is_empty(), "empty reply");
    prop_assert!(
        chars(reply) <= MESSAGE_CONTENT,
        "reply of {} characters: {reply:?}",
        chars(reply)
    );
    prop_assert!(
        reply.contains(&safety.disclaimer),
        "no disclaimer: {reply:?}"
    );
    prop_assert!(
        reply.contains(&safety.doctor_advice),
        "no doctor advice: {reply:?}"
    );
    if answer.urgency.crisis {
        prop_assert!(reply.starts_with(&safety.crisis_notice), "{reply:?}");
    } else if answer.urgency.emergency {
        prop_assert!(reply.starts_with(&safety.urgent_notice), "{reply:?}");
    }

    // The bot never echoes: no character that only the question could have brought, no
    // mention, no injected markdown.
    for c in question.chars().filter(|c| !bundled.allowed.contains(c)) {
        prop_assert!(!reply.contains(c), "echoed {c:?} into {reply:?}");
    }
    for marker in INJECTION_MARKERS {
        if !bundled.vetted.contains(marker) {
            prop_assert!(!reply.contains(marker), "{marker:?} in {reply:?}");
        }
    }

    // Quotes are verbatim.
    let quoted: Vec<&str> = reply.lines().filter_map(|l| l.strip_prefix("> ")).collect();
    match answer.quote() {
        Some(quote) => {
            let library = bundled.knowledge.library();
            let topic = library.topic(&quote.topic);
            prop_assert!(topic.is_some(), "unknown topic {:?}", quote.topic);
            let topic = topic.unwrap();
            prop_assert!(topic.topic.passages.iter().any(|p| p.text == quote.passage));
            prop_assert_eq!(&topic.article.source, &quote.source);
            prop_assert!(
                bundled.article_text.contains(&quote.passage),
                "not in the article files: {:?}",
                quote.passage
            );
            let heading = format!("**{}**", quote.topic);
            prop_assert!(reply.contains(&heading), "{reply:?}");
            let shown = quoted.join("\n");
            prop_assert!(!shown.is_empty(), "answered without a quote: {reply:?}");
            prop_assert!(
                quote.passage.starts_with(&shown),
                "quoted {shown:?}, passage {:?}",
                quote.passage
            );
        }
        None => prop_assert!(quoted.is_empty(), "a quote without an answer: {reply:?}"),
    }
    Ok(())
}

fn ask_and_check(question: &str) -> Result<Answer, TestCaseError> {
    let knowledge = &bundled().knowledge;
    let answer = knowledge.ask(question);
    let reply = render::render(&answer, &knowledge.library().safety);
    check_reply(question, &answer, &reply)?;
    // What the bot sends carries exactly this text.
    prop_assert_eq!(&MessageBody::text(reply.clone(), true).content, &reply);
    Ok(answer)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The vetted texts must not contain the markers the echo check looks for, or that check
/// would prove nothing.
#[test]
fn injection_markers_are_absent_from_the_bundled_content() {
    let bundled = bundled();
    for marker in INJECTION_MARKERS {
        assert!(
            !bundled.vetted.contains(marker),
            "{marker:?} is in the content"
        );
    }
    for c in "日本語🙂\u{E000}\u{1}".chars() {
        assert!(!bundled.allowed.contains(&c), "{c:?} is in the content");
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Any question at all, however mangled, gets a safe reply: one message, the
    /// disclaimer and doctor advice, no echo, no mention, only vetted quotes.
    #[test]
    fn any_question_gets_a_safe_reply_within_one_message(question in question()) {
        ask_and_check(&question)?;
    }
}

proptest! {
    #![proptest_config(config(200))]

    /// Arbitrary Unicode scalar values, control characters and NUL included.
    #[test]
    fn arbitrary_unicode_gets_a_safe_reply(
        question in prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter)
    ) {
        ask_and_check(&question)?;
    }

    /// A long run of unusual characters is never repeated back, even around words that
    /// get an answer.
    #[test]
    fn a_question_is_never_echoed(question in unusual_question()) {
        let answer = ask_and_check(&question)?;
        let reply = render::render(&answer, &bundled().knowledge.library().safety);
        prop_assert!(!reply.contains(question.as_str()), "echoed: {reply:?}");
        prop_assert!(!reply.contains(question.trim()), "echoed: {reply:?}");
    }

    /// Around the 1,000-character limit: at most the limit is answered, beyond it the
    /// member is told the length and nothing is searched.
    #[test]
    fn questions_over_the_limit_are_refused_with_their_length(
        seed in question(),
        extra in 0usize..30,
    ) {
        let seed = if seed.trim().is_empty() { "heparin".to_string() } else { seed };
        let target = QUESTION - 15 + extra;
        let question: String = seed.chars().cycle().take(target).collect();
        let answer = ask_and_check(&question)?;
        let length = chars(question.trim());
        if length > QUESTION {
            prop_assert_eq!(answer.outcome, Outcome::Refused(Refusal::TooLong { chars: length }));
        } else {
            let too_long = matches!(answer.outcome, Outcome::Refused(Refusal::TooLong { .. }));
            prop_assert!(!too_long, "{length} characters refused as too long");
        }
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// 100 KB pastes are refused politely, and a crisis or emergency at their start still
    /// puts the notice first.
    #[test]
    fn hundred_kilobyte_questions_are_refused_and_still_screened(
        seed in question(),
        arbitrary in prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter),
        opening in select(vec!["", "I want to die. ", "heavy bleeding ", "@everyone "]),
    ) {
        let unit = format!("{seed} {arbitrary} ");
        let mut question = opening.to_string();
        while question.len() < 100_000 {
            question.push_str(&unit);
        }
        let answer = ask_and_check(&question)?;
        prop_assert_eq!(
            answer.outcome,
            Outcome::Refused(Refusal::TooLong { chars: chars(question.trim()) })
        );
        if opening.contains("die") {
            prop_assert!(answer.urgency.crisis);
        }
        if opening.contains("bleeding") {
            prop_assert!(answer.urgency.emergency);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The safety gate cannot be dodged.
// ---------------------------------------------------------------------------------------

/// Phrases that must always show a notice, and whether it is the crisis one.
const URGENT_PHRASES: &[(&str, bool)] = &[
    ("I want to die", true),
    ("I want to kill myself", true),
    ("I don't want to live", true),
    ("thinking about suicide", true),
    ("self harm", true),
    ("heavy bleeding", false),
    ("I'm soaking a pad every hour", false),
    ("I fainted", false),
    ("chest pain", false),
    ("my swollen left leg", false),
];

/// `phrase` with letters' case changed and invisible characters inserted: `flips[i]`
/// toggles the case of character `i`, `marks[i]` goes before character `i` (the last
/// one at the end).
fn disguise(phrase: &str, flips: &[bool], marks: &[Option<char>]) -> String {
    let mut out = String::new();
    for (i, c) in phrase.chars().enumerate() {
        if let Some(Some(mark)) = marks.get(i) {
            out.push(*mark);
        }
        if flips.get(i).copied().unwrap_or(false) {
            if c.is_ascii_lowercase() {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c.to_ascii_lowercase());
            }
        } else {
            out.push(c);
        }
    }
    if let Some(Some(mark)) = marks.get(phrase.chars().count()) {
        out.push(*mark);
    }
    out
}

/// (phrase, whether it is a crisis, the phrase disguised).
fn disguised_phrase() -> impl Strategy<Value = (String, bool, String)> {
    select(URGENT_PHRASES).prop_flat_map(|(phrase, crisis)| {
        let len = phrase.chars().count();
        (
            prop::collection::vec(any::<bool>(), len),
            prop::collection::vec(prop::option::weighted(0.3, invisible()), len + 1),
        )
            .prop_map(move |(flips, marks)| {
                (phrase.to_string(), crisis, disguise(phrase, &flips, &marks))
            })
    })
}

proptest! {
    #![proptest_config(config(300))]

    /// Zero-width characters, direction marks and letter case inside a crisis or
    /// emergency phrase never hide it, wherever the phrase stands in the question.
    #[test]
    fn disguised_crisis_and_emergency_phrases_still_get_the_notice(
        (phrase, crisis, disguised) in disguised_phrase(),
        before in prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
        after in prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
    ) {
        let question = format!("{before} {disguised} {after}");
        let answer = ask_and_check(&question)?;
        prop_assert!(answer.urgency.is_urgent(), "{phrase:?} hidden as {question:?}");
        if crisis {
            prop_assert!(answer.urgency.crisis, "crisis {phrase:?} hidden as {question:?}");
        } else {
            prop_assert!(answer.urgency.emergency, "emergency {phrase:?} hidden as {question:?}");
        }
    }
}

/// Letters of other scripts drawn like Latin ones, as people who disguise words use them
/// (Cyrillic а с е і о р ѕ х у һ ј ԁ ԝ and capitals К М Н Т В І Е А, Greek ο): written
/// here, not taken from the
/// implementation, which reads Unicode's table of confusable characters.
const HOMOGLYPHS: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('i', 'і'),
    ('o', 'о'),
    ('o', 'ο'),
    ('p', 'р'),
    ('s', 'ѕ'),
    ('x', 'х'),
    ('y', 'у'),
    ('h', 'һ'),
    ('j', 'ј'),
    ('d', 'ԁ'),
    ('w', 'ԝ'),
    ('k', 'К'),
    ('m', 'М'),
    ('h', 'Н'),
    ('t', 'Т'),
    ('b', 'В'),
    ('i', 'І'),
    ('e', 'Е'),
    ('a', 'А'),
];

/// `phrase` with the letters `swaps[i]` says written with a look-alike of another script.
fn with_homoglyphs(phrase: &str, swaps: &[bool]) -> String {
    phrase
        .chars()
        .zip(swaps.iter().chain(std::iter::repeat(&false)))
        .map(|(c, &swap)| {
            let lower = c.to_ascii_lowercase();
            match HOMOGLYPHS.iter().find(|(latin, _)| *latin == lower) {
                Some((_, look_alike)) if swap => *look_alike,
                _ => c,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(config(200))]

    /// Letters swapped for look-alikes of another script ("kіll myѕеlf") never hide a
    /// crisis or emergency phrase.
    #[test]
    fn look_alike_letters_do_not_hide_a_notice(
        (phrase, crisis) in select(URGENT_PHRASES),
        swaps in prop::collection::vec(any::<bool>(), 40),
    ) {
        let question = with_homoglyphs(phrase, &swaps);
        let answer = ask_and_check(&question)?;
        if crisis {
            prop_assert!(answer.urgency.crisis, "crisis {phrase:?} hidden as {question:?}");
        } else {
            prop_assert!(answer.urgency.emergency, "emergency {phrase:?} hidden as {question:?}");
        }
    }
}

/// Hangul fillers fold into a letter, and tag characters were not on the list of
/// invisible characters: "sui\u{3164}cide" and "sui\u{E0020}cide" got no crisis notice.
#[test]
fn hangul_fillers_and_tag_characters_do_not_hide_a_crisis() {
    for mark in [
        '\u{3164}',
        '\u{FFA0}',
        '\u{115F}',
        '\u{1160}',
        '\u{E0020}',
        '\u{E007F}',
    ] {
        for question in [
            format!("thinking about sui{mark}cide"),
            format!("I want to k{mark}ill myself"),
        ] {
            let answer = bundled().knowledge.ask(&question);
            assert!(answer.urgency.crisis, "{question:?}: {answer:?}");
        }
    }
    let answer = bundled().knowledge.ask("heavy blee\u{3164}ding");
    assert!(answer.urgency.emergency, "{answer:?}");
}

/// Found by the property above, shrunk: a zero-width space after the apostrophe of
/// "don't" used to split it into "don" and "t", so "I don't want to live" got no crisis
/// notice.
#[test]
fn an_invisible_character_after_an_apostrophe_does_not_hide_a_crisis() {
    let answer = bundled().knowledge.ask("I don'\u{200B}t want to live");
    assert!(answer.urgency.crisis, "{answer:?}");
}

// ---------------------------------------------------------------------------------------
// Words.
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(300))]

    /// `words` never panics, and every word's span is a non-empty slice of the original
    /// text on character boundaries, in order, starting with a letter or digit and ending
    /// with one or with the accent marks typed after it, covering every letter and digit.
    #[test]
    fn word_spans_index_the_original_text_on_char_boundaries(
        text in prop_oneof![
            question(),
            prop::collection::vec(any::<char>(), 0..200).prop_map(String::from_iter),
        ]
    ) {
        let found = words(&text);
        let mut previous_end = 0;
        for word in &found {
            let span = word.span.clone();
            prop_assert!(span.start < span.end && span.end <= text.len(), "{span:?} in {text:?}");
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            prop_assert!(span.start >= previous_end, "overlapping spans in {text:?}");
            previous_end = span.end;
            prop_assert!(!word.text.is_empty());
            let slice = &text[span];
            prop_assert!(slice.chars().next().is_some_and(char::is_alphanumeric), "{slice:?}");
            prop_assert!(
                slice.chars().last().is_some_and(|c| c.is_alphanumeric()
                    || unicode_normalization::char::is_combining_mark(c)),
                "{slice:?}"
            );
            prop_assert!(
                !slice.chars().any(|c| c.is_whitespace()
                    || (c.is_ascii_punctuation() && c != '\'' && c != '`')),
                "a separator inside the word {slice:?}"
            );
            if slice.is_ascii() {
                let expected: String = slice
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                prop_assert_eq!(&word.text, &expected);
            }
        }
        // Every letter and digit is in a word. A combining mark belongs to the letter it
        // follows, so one with no letter before it is not a letter of its own, nor is a
        // letter whose compatibility form is marks alone (U+FF9E, a spacing voiced-sound
        // mark); a Hangul filler counts as a letter to Rust but shows nothing, so it is no
        // letter either. Nor are the modifier letters members type as an apostrophe
        // (ʼ ʹ ʻ): "donʼt" is one word, "dont".
        for (index, c) in text.char_indices() {
            let only_marks = unicode_normalization::UnicodeNormalization::nfkd(c.to_string().as_str())
                .all(unicode_normalization::char::is_combining_mark);
            if c.is_alphanumeric()
                && !unicode_normalization::char::is_combining_mark(c)
                && !only_marks
                && !is_ignorable(c)
                && !matches!(c, 'ʼ' | 'ʹ' | 'ʻ')
            {
                prop_assert!(
                    found.iter().any(|w| w.span.contains(&index)),
                    "{c:?} at {index} belongs to no word in {text:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Renderers on generated content.
// ---------------------------------------------------------------------------------------

/// Letters for generated content: without i, o and y, no generated text can spell an
/// advert ("miracle", "buy now", "discount", "click here"…) and be rejected.
const LETTERS: &[u8] = b"abcdefghjklmnpqrstuvwxz";

/// A word of 1 to 10 of [`LETTERS`], spelt out from a number (much faster to generate
/// than a character at a time, and it still shrinks towards "a").
fn letters_word() -> impl Strategy<Value = String> {
    (0usize..10, any::<u64>()).prop_map(|(extra, mut seed)| {
        let mut word = String::new();
        for _ in 0..=extra {
            word.push(LETTERS[(seed % LETTERS.len() as u64) as usize] as char);
            seed /= LETTERS.len() as u64;
        }
        word
    })
}

/// Words for generated content.
fn content_word() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => letters_word(),
        1 => select(vec!["größe", "café", "日本語", "Ελλάδα", "עברית", "naïve", "3.5", "12", "50%"])
            .prop_map(String::from),
    ]
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sentence: a capitalised word, up to eight more, and a sentence end. At most 100
/// characters, so it always fits the smallest piece a topic is split into.
fn sentence() -> impl Strategy<Value = String> {
    (
        letters_word(),
        prop::collection::vec(content_word(), 0..9),
        select(vec![".", "!", "?", "…"]),
    )
        .prop_map(|(first, rest, end)| {
            let mut text = capitalised(&first);
            for word in rest {
                text.push(' ');
                text.push_str(&word);
            }
            text.push_str(end);
            text
        })
}

#[derive(Debug, Clone)]
enum GenPassage {
    /// A paragraph, written wrapped at `wrap` characters (one line when `None`).
    Paragraph {
        sentences: Vec<String>,
        wrap: Option<usize>,
    },
    /// A paragraph introducing a list; each item is one or more sentences.
    List {
        intro: Vec<String>,
        items: Vec<Vec<String>>,
        blank_before_list: bool,
    },
}

impl GenPassage {
    /// The passage text Lantern must quote.
    fn expected(&self) -> String {
        match self {
            GenPassage::Paragraph { sentences, .. } => sentences.join(" "),
            GenPassage::List { intro, items, .. } => {
                let mut text = intro.join(" ");
                for (i, item) in items.iter().enumerate() {
                    text.push('\n');
                    text.push_str(&list_marker(i));
                    text.push(' ');
                    text.push_str(&item.join(" "));
                }
                text
            }
        }
    }

    fn sentences(&self) -> Vec<&String> {
        match self {
            GenPassage::Paragraph { sentences, .. } => sentences.iter().collect(),
            GenPassage::List { intro, items, .. } => {
                intro.iter().chain(items.iter().flatten()).collect()
            }
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            GenPassage::Paragraph { sentences, wrap } => {
                let text = sentences.join(" ");
                match wrap {
                    None => out.push_str(&text),
                    Some(wrap) => {
                        let mut line = 0;
                        for (i, word) in text.split(' ').enumerate() {
                            if i > 0 {
                                // A line starting "12. " would be a list item.
                                let numeric = word.starts_with(|c: char| c.is_ascii_digit());
                                if line + word.len() > *wrap && !numeric {
                                    out.push('\n');
                                    line = 0;
                                } else {
                                    out.push(' ');
                                    line += 1;
                                }
                            }
                            out.push_str(word);
                            line += word.len();
                        }
                    }
                }
                out.push('\n');
            }
            GenPassage::List {
                intro,
                items,
                blank_before_list,
            } => {
                out.push_str(&intro.join(" "));
                out.push('\n');
                if *blank_before_list {
                    out.push('\n');
                }
                for (i, item) in items.iter().enumerate() {
                    let _ = writeln!(out, "{} {}", list_marker(i), item.join(" "));
                }
            }
        }
    }
}

/// Numbered items up to 999 (longer numbers are not list markers), then dashes.
fn list_marker(i: usize) -> String {
    match i % 4 {
        _ if i >= 999 => "-".to_string(),
        0 => format!("{}.", i + 1),
        1 => "-".to_string(),
        2 => "*".to_string(),
        _ => format!("{})", i + 1),
    }
}

fn sentences(long: bool) -> BoxedStrategy<Vec<String>> {
    if long {
        prop::collection::vec(sentence(), 30..250).boxed()
    } else {
        prop::collection::vec(sentence(), 1..6).boxed()
    }
}

fn passage() -> impl Strategy<Value = GenPassage> {
    prop_oneof![
        3 => (sentences(false), prop::option::of(20usize..120))
            .prop_map(|(sentences, wrap)| GenPassage::Paragraph { sentences, wrap }),
        1 => (sentences(true), prop::option::of(20usize..120))
            .prop_map(|(sentences, wrap)| GenPassage::Paragraph { sentences, wrap }),
        2 => (
            sentences(false),
            prop_oneof![
                3 => prop::collection::vec(sentences(false), 1..8),
                1 => prop::collection::vec(prop::collection::vec(sentence(), 1..3), 100..400),
            ],
            any::<bool>(),
        )
            .prop_map(|(intro, items, blank_before_list)| GenPassage::List {
                intro,
                items,
                blank_before_list,
            }),
    ]
}

#[derive(Debug, Clone)]
struct GenTopic {
    /// Made unique by the topic's number when the article is written.
    words: Vec<String>,
    passages: Vec<GenPassage>,
}

#[derive(Debug, Clone)]
struct GenArticle {
    source: Vec<String>,
    topics: Vec<GenTopic>,
}

fn topic() -> impl Strategy<Value = GenTopic> {
    (
        prop::collection::vec(content_word(), 1..20),
        prop::collection::vec(passage(), 1..4),
    )
        .prop_map(|(words, passages)| GenTopic { words, passages })
}

fn article(source_words: std::ops::Range<usize>) -> impl Strategy<Value = GenArticle> {
    (
        prop::collection::vec(content_word(), source_words),
        prop::collection::vec(topic(), 1..5),
    )
        .prop_map(|(source, topics)| GenArticle { source, topics })
}

/// A title of at most 100 characters (the validated maximum), unique by its number.
fn title(number: usize, words: &[String]) -> String {
    let mut title = format!("Topic {number}");
    for word in words {
        if chars(&title) + 1 + chars(word) > 100 {
            break;
        }
        title.push(' ');
        title.push_str(word);
    }
    title
}

/// Generated articles written into a content folder with the bundled safety texts and
/// synonyms, and what the loaded library must contain: (title, passages) per topic.
struct Generated {
    _dir: tempfile::TempDir,
    library: Library,
    expected: Vec<(String, Vec<GenPassage>)>,
}

fn write_and_load(articles: &[GenArticle]) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("articles")).unwrap();
    for name in ["safety.md", "synonyms.txt"] {
        fs::copy(bundled_dir().join(name), dir.path().join(name)).unwrap();
    }
    let mut expected = Vec::new();
    for (a, article) in articles.iter().enumerate() {
        let mut text = format!(
            "---\ntitle: Generated article {a}\nsource: {}\nlast_reviewed: 2026-01-31\n---\n",
            article.source.join(" ")
        );
        for topic in &article.topics {
            let title = title(expected.len(), &topic.words);
            let _ = write!(text, "\n## {title}\n");
            for passage in &topic.passages {
                text.push('\n');
                passage.write(&mut text);
            }
            expected.push((title, topic.passages.clone()));
        }
        fs::write(dir.path().join(format!("articles/a{a:02}.md")), text).unwrap();
    }
    let library = Library::load(dir.path(), &search::reading).unwrap_or_else(|e| panic!("{e}"));
    Generated {
        _dir: dir,
        library,
        expected,
    }
}

/// The quoted text of rendered pages: every `> ` line without its marker, in order.
fn quoted_stream(pages: &[String]) -> String {
    pages
        .iter()
        .flat_map(|p| p.lines())
        .filter_map(|l| l.strip_prefix("> "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_topic_pages(generated: &Generated, texts: &SafetyTexts) -> Result<(), TestCaseError> {
    let topics: Vec<_> = generated.library.topics().collect();
    prop_assert_eq!(topics.len(), generated.expected.len());
    for (topic, (title, passages)) in topics.iter().zip(&generated.expected) {
        // The library holds the passages verbatim (line wrapping aside).
        prop_assert_eq!(&topic.topic.title, title);
        prop_assert_eq!(topic.topic.passages.len(), passages.len());
        for (loaded, wanted) in topic.topic.passages.iter().zip(passages) {
            let wanted = wanted.expected();
            if loaded.text != wanted {
                let at = loaded
                    .text
                    .char_indices()
                    .zip(wanted.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(loaded.text.len().min(wanted.len()), |((i, _), _)| i);
                let mut start = at.saturating_sub(40);
                while !loaded.text.is_char_boundary(start) {
                    start -= 1;
                }
                prop_assert!(
                    false,
                    "passage at line {} differs from what was written at byte {at}: loaded {:?}, written {:?}",
                    loaded.line,
                    &loaded.text[start..],
                    wanted.get(start..).unwrap_or("")
                );
            }
        }

        let pages = render_topic(*topic, texts);
        prop_assert!(!pages.is_empty());
        for (i, page) in pages.iter().enumerate() {
            prop_assert!(
                chars(page) <= MESSAGE_CONTENT,
                "page {i} of {title:?} has {} characters",
                chars(page)
            );
            let heading = if i == 0 {
                format!("**{title}**\n")
            } else {
                format!("**{title}** (continued)\n")
            };
            prop_assert!(page.starts_with(&heading), "page {i}: {page:?}");
        }
        let last = pages.last().unwrap();
        prop_assert!(last.contains(&topic.article.source));
        prop_assert!(last.contains(&texts.disclaimer) && last.contains(&texts.doctor_advice));

        // Every sentence, in order, whole on one line: pages split only at sentence ends.
        let stream = quoted_stream(&pages);
        let mut from = 0;
        for sentence in passages.iter().flat_map(GenPassage::sentences) {
            match stream[from..].find(sentence.as_str()) {
                Some(at) => from += at + sentence.len(),
                None => prop_assert!(
                    false,
                    "{sentence:?} of {title:?} is missing or split across pages"
                ),
            }
        }
    }
    Ok(())
}

fn check_topic_list(generated: &Generated) -> Result<(), TestCaseError> {
    let titles: Vec<String> = generated.expected.iter().map(|(t, _)| t.clone()).collect();
    let pages = render_topic_list(&titles);
    prop_assert!(!pages.is_empty());
    let mut listed = Vec::new();
    for page in &pages {
        prop_assert!(chars(page) <= MESSAGE_CONTENT, "{} characters", chars(page));
        prop_assert!(page.starts_with("**Topics**"));
        listed.extend(page.lines().filter_map(|l| l.strip_prefix("• ")));
    }
    prop_assert_eq!(
        listed,
        titles.iter().map(String::as_str).collect::<Vec<_>>()
    );
    Ok(())
}

/// Quoting any passage of the library as an answer, with any notices and suggestions.
fn check_quoted_answers(generated: &Generated, urgency: Urgency) -> Result<(), TestCaseError> {
    let texts = &generated.library.safety;
    let titles: Vec<String> = generated.expected.iter().map(|(t, _)| t.clone()).collect();
    for topic in generated.library.topics() {
        for passage in &topic.topic.passages {
            let answer = Answer {
                urgency,
                outcome: Outcome::Answered(Quote {
                    topic: topic.topic.title.clone(),
                    passage: passage.text.clone(),
                    source: topic.article.source.clone(),
                    last_reviewed: topic.article.last_reviewed,
                }),
                suggestions: titles.iter().rev().take(3).cloned().collect(),
                score: Some(1.0),
                nearest_topic: Some(topic.topic.title.clone()),
            };
            let reply = render::render(&answer, texts);
            prop_assert!(chars(&reply) <= MESSAGE_CONTENT);
            prop_assert!(
                reply.contains(&texts.disclaimer) && reply.contains(&texts.doctor_advice),
                "no disclaimer or doctor advice: {reply:?}"
            );
            let shown = reply
                .lines()
                .filter_map(|l| l.strip_prefix("> "))
                .collect::<Vec<_>>()
                .join("\n");
            prop_assert!(
                passage.text.starts_with(&shown),
                "{shown:?} is not quoted verbatim"
            );
            if shown != passage.text {
                prop_assert!(reply.contains("use /topic to read all of it"), "{reply:?}");
            }
        }
    }
    Ok(())
}

fn urgency() -> impl Strategy<Value = Urgency> {
    (any::<bool>(), any::<bool>()).prop_map(|(emergency, crisis)| Urgency { emergency, crisis })
}

proptest! {
    #![proptest_config(config(64))]

    /// Any topic moderators can write, with very long paragraphs and long lists, renders
    /// as pages within Discord's limit that together show every sentence verbatim, split
    /// only at sentence ends, with the footer on the last page.
    #[test]
    fn every_topic_renders_within_the_limit_and_shows_every_sentence(
        articles in prop::collection::vec(article(1..12), 1..3)
    ) {
        let generated = write_and_load(&articles);
        check_topic_pages(&generated, &generated.library.safety)?;
    }

    /// The topic list pages fit, and list every title once, in order.
    #[test]
    fn the_topic_list_fits_and_lists_every_title_once(
        articles in prop::collection::vec(article(1..3), 1..4),
        more in prop::collection::vec(prop::collection::vec(content_word(), 8..20), 0..120),
        answered in any::<u64>(),
        not_found in any::<u64>(),
    ) {
        let mut articles = articles;
        if !more.is_empty() {
            articles.push(GenArticle {
                source: vec!["extra".to_string()],
                topics: more
                    .into_iter()
                    .map(|words| GenTopic {
                        words,
                        passages: vec![GenPassage::Paragraph {
                            sentences: vec!["Short.".to_string()],
                            wrap: None,
                        }],
                    })
                    .collect(),
            });
        }
        let generated = write_and_load(&articles);
        check_topic_list(&generated)?;
        let about = render_about(
            &generated.library,
            AboutFacts {
                answered,
                not_found,
                answers_private: answered % 2 == 0,
                question_hold_seconds: Some(900),
                replay_memory_seconds: 900,
                questions_logged: answered % 3 == 0,
            },
        );
        prop_assert!(chars(&about) <= MESSAGE_CONTENT);
    }

    /// An answer quoting any passage fits one message, keeps the disclaimer and doctor
    /// advice, and quotes a verbatim prefix of the passage (saying so when shortened).
    #[test]
    fn a_quoted_answer_fits_and_keeps_the_footer(
        articles in prop::collection::vec(article(1..12), 1..3),
        urgency in urgency(),
    ) {
        let generated = write_and_load(&articles);
        check_quoted_answers(&generated, urgency)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Every answer repeats its article's `source:`. Found by this property: a source of
    /// about a thousand characters (a pasted reference list) used to push the disclaimer
    /// and doctor advice out of the reply. Sources are now capped by validation (see
    /// `an_over_long_source_is_refused`), and up to the cap the footer always fits.
    #[test]
    fn a_long_source_never_pushes_the_footer_out_of_an_answer(
        source_length in 1usize..=lantern::text::limits::SOURCE,
        urgency in urgency(),
    ) {
        let article = GenArticle {
            source: vec!["s".repeat(source_length)],
            topics: vec![GenTopic {
                words: vec!["w".to_string()],
                passages: vec![GenPassage::Paragraph {
                    sentences: vec!["Short.".to_string()],
                    wrap: None,
                }],
            }],
        };
        let generated = write_and_load(&[article]);
        check_quoted_answers(&generated, urgency)?;
        let topic = generated.library.topics().next().unwrap();
        let pages = render_topic(topic, &generated.library.safety);
        let last = pages.last().unwrap();
        prop_assert!(last.contains(&generated.library.safety.disclaimer), "{last:?}");
    }
}

/// A source longer than the cap is a validation error naming the file and line, not a
/// reply that loses its footer.
#[test]
fn an_over_long_source_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("articles")).unwrap();
    for name in ["safety.md", "synonyms.txt"] {
        fs::copy(bundled_dir().join(name), dir.path().join(name)).unwrap();
    }
    let source = "s".repeat(lantern::text::limits::SOURCE + 1);
    fs::write(
        dir.path().join("articles/a.md"),
        format!("---\ntitle: T\nsource: {source}\nlast_reviewed: 2026-01-31\n---\n\n## Topic\n\nShort.\n"),
    )
    .unwrap();
    let error = Library::load(dir.path(), &search::reading)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("a.md:3:") && error.contains("keep it under"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------
// fit_message and render_problems.
// ---------------------------------------------------------------------------------------

/// A line longer than a message: a random run of characters repeated.
fn huge_line() -> impl Strategy<Value = String> {
    (prop::collection::vec(any::<char>(), 1..40), 1900usize..2600)
        .prop_map(|(unit, n)| unit.into_iter().cycle().take(n).collect())
}

/// Texts for `fit_message`: short, one huge line, many lines, or `\r\n` runs near the limit.
fn long_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        3 => prop::collection::vec(any::<char>(), 0..80).prop_map(String::from_iter),
        1 => prop::collection::vec(select(ODD), 0..40).prop_map(|v| v.concat()),
        1 => huge_line(),
    ];
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter),
        huge_line(),
        prop::collection::vec(line, 0..120).prop_map(|lines| lines.join("\n")),
        (
            prop::collection::vec(select(vec!["🚨", "é", "a", "\r\n", "\n"]), 1..20),
            1990usize..2010
        )
            .prop_map(|(unit, n)| unit.into_iter().cycle().take(n).collect()),
    ]
}

/// A problem's message: usually short, sometimes longer than a message.
fn problem_message() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::collection::vec(any::<char>(), 0..200).prop_map(String::from_iter),
        1 => prop::collection::vec(select(ODD), 0..40).prop_map(|v| v.concat()),
        1 => huge_line(),
    ]
}

proptest! {
    #![proptest_config(config(200))]

    /// `fit_message` of any text is one message: the text itself when it fits, otherwise
    /// its first lines, the last of them possibly shortened (ending in "…"), and a note of
    /// how many lines were left out (no note when none was: only `\r\n` line ends made
    /// the text too long, or only its last line was shortened).
    #[test]
    fn fit_message_is_always_within_the_limit(text in long_text()) {
        let fitted = fit_message(&text);
        prop_assert!(chars(&fitted) <= MESSAGE_CONTENT, "{} characters", chars(&fitted));
        if chars(&text) <= MESSAGE_CONTENT {
            prop_assert_eq!(&fitted, &text);
            return Ok(());
        }
        let lines: Vec<&str> = text.lines().collect();
        let (kept, left_out) = match fitted.rfind("\n… and ") {
            None => (fitted.as_str(), 0),
            Some(at) => {
                let note = &fitted[at + 1..];
                let left_out: Option<usize> = note
                    .strip_prefix("… and ")
                    .and_then(|n| n.strip_suffix(" more line(s)."))
                    .and_then(|n| n.parse().ok());
                prop_assert!(left_out.is_some_and(|n| (1..=lines.len()).contains(&n)), "{note:?}");
                (&fitted[..at], left_out.unwrap())
            }
        };
        let shown = lines.len() - left_out;
        // Leading blank lines may be dropped; nothing else may change, except that the
        // last line shown may be cut short.
        let whole = lines[..shown].join("\n");
        let whole_trimmed = whole.trim_start_matches('\n');
        let untouched = kept == whole || kept == whole_trimmed;
        let shortened = shown > 0
            && kept.strip_suffix('…').is_some_and(|prefix| {
                let before = lines[..shown - 1].join("\n");
                [(whole.as_str(), before.as_str()), (whole_trimmed, before.trim_start_matches('\n'))]
                    .iter()
                    .any(|(whole, before)| whole.starts_with(prefix) && prefix.len() >= before.len())
            });
        prop_assert!(
            untouched || shortened,
            "kept {kept:?}, expected the first {shown} lines {whole:?}"
        );
    }

    /// Problem lists for moderators fit one message, whatever the files and messages.
    #[test]
    fn problem_lists_fit_one_message(
        heading in problem_message(),
        problems in prop::collection::vec(
            (problem_message(), prop::option::of(any::<usize>()), any::<bool>()),
            0..40,
        ),
    ) {
        let problems: Vec<Problem> = problems
            .into_iter()
            .map(|(message, line, error)| {
                let path = Path::new("content/articles/a.md");
                if error {
                    Problem::error(path, line, message)
                } else {
                    Problem::warning(path, line, message)
                }
            })
            .collect();
        let text = render_problems(&heading, &problems);
        prop_assert!(chars(&text) <= MESSAGE_CONTENT);
    }
}

/// Dates in generated front matter are fixed, so the review-due warnings never change
/// from one run to the next.
#[test]
fn generated_content_is_valid_and_dated() {
    let article = GenArticle {
        source: vec!["s".to_string()],
        topics: vec![GenTopic {
            words: vec!["w".to_string()],
            passages: vec![GenPassage::Paragraph {
                sentences: vec!["A b.".to_string()],
                wrap: None,
            }],
        }],
    };
    let generated = write_and_load(&[article]);
    assert_eq!(
        generated.library.articles[0].last_reviewed,
        NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()
    );
    assert_eq!(generated.library.passage_count(), 1);
}

// ---------------------------------------------------------------------------------------
// Message bodies.
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(300))]

    /// Whatever a reply says (mention syntax, `@everyone`, anything), the body Discord
    /// receives allows no mention at all, so no one is ever pinged.
    #[test]
    fn every_message_body_allows_no_mentions(
        content in question(),
        ephemeral in any::<bool>(),
    ) {
        let body = lantern::discord::rest::MessageBody::text(content.clone(), ephemeral).to_json();
        prop_assert_eq!(&body["allowed_mentions"], &serde_json::json!({ "parse": [] }));
        prop_assert_eq!(body["content"].as_str(), Some(content.as_str()));
        prop_assert_eq!(body.get("flags").is_some(), ephemeral);
    }
}
