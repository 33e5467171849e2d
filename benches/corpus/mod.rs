//! A generated content folder for benchmarks: many articles in the exact format of
//! `content/` (see `content/README.md`), built deterministically from a seed.
//!
//! Passages are made of sentences of 15 to 40 words over a few hundred medical and
//! everyday words, with sentences of the bundled seed article mixed in, so the bundled
//! evaluation questions still find (and compete for) matches. The safety texts and
//! synonyms are copied from the bundled content, so the folder loads like the real one.

// Shared by several benchmarks (`mod corpus;`), each of which uses only part of it.
#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use lantern::content::{ARTICLES_DIR, SAFETY_FILE, SYNONYMS_FILE, promotional_reason};

/// Topics per generated article, and passages per topic (the last ones may have fewer).
pub const TOPICS_PER_ARTICLE: usize = 10;
pub const PASSAGES_PER_TOPIC: usize = 5;

/// The share of passages, in percent, that quote one sentence of the seed article.
const SEED_SENTENCE_PERCENT: u64 = 25;

/// Generated sentences are this many words long, inclusive.
const SENTENCE_WORDS: (usize, usize) = (15, 40);
/// Sentences per passage, inclusive.
const PASSAGE_SENTENCES: (usize, usize) = (2, 5);
/// A passage stays under this many characters, so it fits in one Discord message with
/// the safety texts.
const PASSAGE_MAX_CHARS: usize = 1_300;

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CorpusStats {
    pub articles: usize,
    pub topics: usize,
    pub passages: usize,
    /// Sentences, generated and quoted from the seed article.
    pub sentences: usize,
    /// Sentences quoted from the seed article.
    pub seed_sentences: usize,
    pub words: usize,
    /// Bytes of article text written (safety texts and synonyms not included).
    pub bytes: usize,
}

/// The bundled content folder, `content/` of this package.
pub fn bundled_content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Writes a complete, valid content folder with exactly `passages` passages (at least
/// one) into `dir`, created if needed: `articles/bench-NNN.md` with
/// [`TOPICS_PER_ARTICLE`] topics of [`PASSAGES_PER_TOPIC`] passages each (the last ones
/// may have fewer), plus `safety.md` and `synonyms.txt` copied from the bundled
/// content. The same `seed` writes the same text; only the review dates follow today's
/// date, so that no article is ever reported as due for review.
pub fn write_corpus(dir: &Path, passages: usize, seed: u64) -> io::Result<CorpusStats> {
    let bundled = bundled_content_dir();
    let articles_dir = dir.join(ARTICLES_DIR);
    fs::create_dir_all(&articles_dir)?;
    fs::copy(bundled.join(SAFETY_FILE), dir.join(SAFETY_FILE))?;
    fs::copy(bundled.join(SYNONYMS_FILE), dir.join(SYNONYMS_FILE))?;

    let seed_sentences = seed_sentences(&bundled.join(ARTICLES_DIR))?;
    let mut generator = Generator {
        rng: SplitMix64::new(seed),
        seed_sentences,
        titles: HashSet::new(),
    };
    let today = chrono::Local::now().date_naive();

    let mut stats = CorpusStats::default();
    let per_article = TOPICS_PER_ARTICLE * PASSAGES_PER_TOPIC;
    let article_count = passages.div_ceil(per_article).max(1);
    let mut remaining = passages.max(1);
    for article in 0..article_count {
        let in_article = remaining.min(per_article);
        remaining -= in_article;
        let text = generator.article(article, in_article, today, &mut stats);
        stats.articles += 1;
        stats.bytes += text.len();
        fs::write(articles_dir.join(format!("bench-{article:03}.md")), text)?;
    }
    Ok(stats)
}

/// The sentences of the seed articles in `articles_dir`: body lines split at sentence
/// ends, list numbers removed, sentences under five words dropped.
fn seed_sentences(articles_dir: &Path) -> io::Result<Vec<String>> {
    let mut files: Vec<PathBuf> = fs::read_dir(articles_dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut sentences = Vec::new();
    for file in files {
        let text = fs::read_to_string(file)?;
        let mut lines = text.lines();
        if text.starts_with("---") {
            lines.next();
            for line in lines.by_ref() {
                if line.trim_end() == "---" {
                    break;
                }
            }
        }
        for line in lines {
            let line = line.trim();
            // Headings, comments and `Also asked:` phrasings are not passage text.
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with("<!--")
                || line.starts_with(lantern::content::ALSO_ASKED)
            {
                continue;
            }
            let line = strip_list_number(line);
            let mut start = 0;
            for (index, ch) in line.char_indices() {
                let end = index + ch.len_utf8();
                let at_end = end == line.len()
                    || (matches!(ch, '.' | '?' | '!')
                        && line[end..].starts_with(char::is_whitespace));
                if at_end {
                    let sentence = line[start..end].trim();
                    if sentence.split_whitespace().count() >= 5
                        && promotional_reason(sentence).is_none()
                    {
                        sentences.push(sentence.to_string());
                    }
                    start = end;
                }
            }
        }
    }
    Ok(sentences)
}

fn strip_list_number(line: &str) -> &str {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    match line[digits..].strip_prefix(". ") {
        Some(rest) if digits > 0 => rest.trim_start(),
        _ => line,
    }
}

/// Sebastiano Vigna's SplitMix64: tiny, fast and good enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next_u64() % (high - low + 1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

struct Generator {
    rng: SplitMix64,
    seed_sentences: Vec<String>,
    /// Topic titles used so far, lowercased: titles must be unique across articles.
    titles: HashSet<String>,
}

impl Generator {
    fn article(
        &mut self,
        number: usize,
        passages: usize,
        today: NaiveDate,
        stats: &mut CorpusStats,
    ) -> String {
        let reviewed = today - Duration::days(self.rng.range(0, 300) as i64);
        let next_review = reviewed + Duration::days(365);
        let title = format!(
            "{} {} and {}",
            capitalize(self.rng.pick(ARTICLE_OPENERS)),
            self.rng.pick(MEDICAL_NOUNS),
            self.rng.pick(EVERYDAY_NOUNS)
        );
        let mut text = String::new();
        let _ = write!(
            text,
            "---\ntitle: {title}\nsource: Benchmark article {number} (generated text, not medical advice)\n\
             last_reviewed: {reviewed}\nreviewed_by: Benchmark generator\nnext_review: {next_review}\n---\n"
        );
        let topics = passages.div_ceil(PASSAGES_PER_TOPIC);
        for topic in 0..topics {
            let in_topic = (passages - topic * PASSAGES_PER_TOPIC).min(PASSAGES_PER_TOPIC);
            let title = self.topic_title();
            let _ = write!(text, "\n## {title}\n");
            if topic == 0 {
                text.push_str("\n<!-- Generated for the retrieval benchmark. -->\n");
            }
            for _ in 0..in_topic {
                let passage = self.passage(stats);
                let _ = write!(text, "\n{passage}\n");
                stats.passages += 1;
            }
            stats.topics += 1;
        }
        text
    }

    /// A topic title no other topic has, under 100 characters.
    fn topic_title(&mut self) -> String {
        for attempt in 0.. {
            let mut title = match self.rng.range(0, 9) {
                0 => format!(
                    "How {} affects {}",
                    self.rng.pick(MEDICAL_NOUNS),
                    self.rng.pick(EVERYDAY_NOUNS)
                ),
                1 => format!(
                    "{} {} and {}",
                    capitalize(self.rng.pick(ADJECTIVES)),
                    self.rng.pick(MEDICAL_NOUNS),
                    self.rng.pick(MEDICAL_NOUNS)
                ),
                2 => format!("When to ask about {}", self.rng.pick(MEDICAL_NOUNS)),
                3 => format!(
                    "{} {}",
                    capitalize(self.rng.pick(MEDICAL_NOUNS)),
                    self.rng.pick(TIMES)
                ),
                4 => format!(
                    "Questions about {} and {}",
                    self.rng.pick(MEDICAL_NOUNS),
                    self.rng.pick(EVERYDAY_NOUNS)
                ),
                5 => format!("Managing {} at home", self.rng.pick(MEDICAL_NOUNS)),
                6 => format!(
                    "Why {} matters for {}",
                    self.rng.pick(EVERYDAY_NOUNS),
                    self.rng.pick(MEDICAL_NOUNS)
                ),
                7 => format!("What to expect from {}", self.rng.pick(MEDICAL_NOUNS)),
                8 => format!(
                    "{} {} after a loss",
                    capitalize(self.rng.pick(ADJECTIVES)),
                    self.rng.pick(EVERYDAY_NOUNS)
                ),
                _ => format!(
                    "Living with {} {}",
                    self.rng.pick(ADJECTIVES),
                    self.rng.pick(MEDICAL_NOUNS)
                ),
            };
            if attempt >= 20 {
                let _ = write!(title, " (part {})", self.titles.len() + 1);
            }
            if title.chars().count() < 100
                && promotional_reason(&title).is_none()
                && self.titles.insert(title.to_lowercase())
            {
                return title;
            }
        }
        unreachable!("the loop only ends by returning")
    }

    /// One paragraph of 2 to 5 sentences, sometimes with a sentence of the seed article.
    fn passage(&mut self, stats: &mut CorpusStats) -> String {
        loop {
            let count = self.rng.range(PASSAGE_SENTENCES.0, PASSAGE_SENTENCES.1);
            let mut sentences: Vec<String> = (0..count).map(|_| self.sentence()).collect();
            let mut quoted = 0;
            if !self.seed_sentences.is_empty() && self.rng.chance(SEED_SENTENCE_PERCENT) {
                let seed = self.rng.range(0, self.seed_sentences.len() - 1);
                let at = self.rng.range(0, sentences.len() - 1);
                sentences[at] = self.seed_sentences[seed].clone();
                quoted = 1;
            }
            let passage = sentences.join(" ");
            if passage.chars().count() > PASSAGE_MAX_CHARS {
                continue;
            }
            stats.sentences += sentences.len();
            stats.seed_sentences += quoted;
            stats.words += passage.split_whitespace().count();
            return passage;
        }
    }

    /// A sentence of 15 to 40 words: an optional opener, then clauses joined by
    /// connectives. Sentences that would read as an advert are thrown away.
    fn sentence(&mut self) -> String {
        loop {
            let mut words: Vec<&str> = Vec::new();
            if self.rng.chance(40) {
                words.extend(self.rng.pick(OPENERS).split(' '));
            }
            self.clause(&mut words);
            let target = self.rng.range(SENTENCE_WORDS.0, SENTENCE_WORDS.1);
            while words.len() < target {
                words.extend(self.rng.pick(CONNECTIVES).split(' '));
                self.clause(&mut words);
            }
            if !(SENTENCE_WORDS.0..=SENTENCE_WORDS.1).contains(&words.len()) {
                continue;
            }
            let mut sentence = capitalize(&words.join(" "));
            sentence.push('.');
            if promotional_reason(&sentence).is_none() {
                return sentence;
            }
        }
    }

    /// One clause of about 5 to 12 words.
    fn clause(&mut self, words: &mut Vec<&'static str>) {
        let rng = &mut self.rng;
        match rng.range(0, 3) {
            // "many women often notice the mild cramping during the night"
            0 => {
                words.extend(rng.pick(PLURAL_SUBJECTS).split(' '));
                if rng.chance(50) {
                    words.push(rng.pick(ADVERBS));
                }
                words.push(rng.pick(VERBS).split('|').next().unwrap_or_default());
                noun_phrase(rng, words);
                if rng.chance(60) {
                    words.push(rng.pick(PREPOSITIONS));
                    noun_phrase(rng, words);
                }
            }
            // "the iron level usually changes the daily routine"
            1 => {
                noun_phrase(rng, words);
                if rng.chance(40) {
                    words.push(rng.pick(ADVERBS));
                }
                words.push(rng.pick(VERBS).split('|').nth(1).unwrap_or_default());
                noun_phrase(rng, words);
                if rng.chance(50) {
                    words.extend(rng.pick(TIMES).split(' '));
                }
            }
            // "a blood test is common in the first trimester"
            2 => {
                noun_phrase(rng, words);
                words.push(rng.pick(&["is", "seems", "becomes", "can be", "may be"]));
                words.push(rng.pick(ADJECTIVES));
                words.push(rng.pick(PREPOSITIONS));
                noun_phrase(rng, words);
            }
            // "your midwife can explain the weekly scan before the appointment"
            _ => {
                words.extend(rng.pick(SINGULAR_SUBJECTS).split(' '));
                words.extend(rng.pick(MODALS).split(' '));
                words.push(rng.pick(VERBS).split('|').next().unwrap_or_default());
                noun_phrase(rng, words);
                words.extend(rng.pick(TIMES).split(' '));
            }
        }
    }
}

/// "the mild headache", "your blood pressure", "each appointment".
fn noun_phrase(rng: &mut SplitMix64, words: &mut Vec<&'static str>) {
    words.push(rng.pick(DETERMINERS));
    if rng.chance(45) {
        words.push(rng.pick(ADJECTIVES));
    }
    let noun = if rng.chance(60) {
        rng.pick(MEDICAL_NOUNS)
    } else {
        rng.pick(EVERYDAY_NOUNS)
    };
    words.extend(noun.split(' '));
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// Word lists. None of these, alone or side by side, is sales wording: `lantern check`
// rejects "miracle", "buy now", "discount", "free trial", "special offer" and the like,
// and every generated sentence is checked against those rules anyway.

const MEDICAL_NOUNS: &[&str] = &[
    "anemia",
    "iron level",
    "blood pressure",
    "heart rate",
    "blood sugar",
    "platelet count",
    "clotting factor",
    "blood clot",
    "vein",
    "artery",
    "placenta",
    "uterus",
    "cervix",
    "ovary",
    "embryo",
    "fetal heartbeat",
    "amniotic fluid",
    "umbilical cord",
    "pregnancy test",
    "blood test",
    "urine sample",
    "ultrasound",
    "scan",
    "antibody test",
    "thyroid level",
    "progesterone",
    "hormone level",
    "folic acid",
    "vitamin",
    "iron supplement",
    "injection",
    "tablet",
    "prescription",
    "dose",
    "side effect",
    "allergy",
    "rash",
    "bruise",
    "swelling",
    "headache",
    "migraine",
    "nausea",
    "heartburn",
    "constipation",
    "backache",
    "cramping",
    "spotting",
    "discharge",
    "fatigue",
    "dizziness",
    "fever",
    "infection",
    "immune system",
    "inflammation",
    "joint pain",
    "kidney function",
    "liver function",
    "lupus",
    "autoimmune condition",
    "thrombosis",
    "pulmonary embolism",
    "stroke",
    "pre-eclampsia",
    "gestational diabetes",
    "miscarriage",
    "stillbirth",
    "preterm labour",
    "caesarean section",
    "delivery",
    "recovery",
    "check-up",
    "appointment",
    "referral",
    "clinic",
    "hospital",
    "ward",
    "midwife",
    "obstetrician",
    "haematologist",
    "rheumatologist",
    "nurse",
    "specialist",
    "diagnosis",
    "prognosis",
    "treatment plan",
    "care plan",
    "monitoring",
    "screening",
    "trimester",
    "due date",
    "bleeding",
    "blood flow",
    "oxygen",
    "nutrient",
    "weight gain",
    "birth weight",
    "growth scan",
    "heart monitor",
    "compression stocking",
    "aspirin",
    "anticoagulant",
    "heparin",
    "warfarin",
    "steroid",
    "painkiller",
    "paracetamol",
    "antibiotic",
    "vaccine",
    "blood group",
    "chromosome",
    "genetic test",
    "family history",
    "symptom",
    "pelvic exam",
    "hormone",
    "body temperature",
    "pulse",
];

const EVERYDAY_NOUNS: &[&str] = &[
    "sleep",
    "routine",
    "diet",
    "breakfast",
    "lunch",
    "dinner",
    "snack",
    "water",
    "coffee",
    "tea",
    "fruit",
    "vegetable",
    "walk",
    "exercise",
    "swimming",
    "yoga",
    "stretching",
    "stairs",
    "garden",
    "kitchen",
    "bedroom",
    "sofa",
    "car journey",
    "flight",
    "holiday",
    "weekend",
    "morning",
    "evening",
    "workplace",
    "desk",
    "manager",
    "colleague",
    "partner",
    "family",
    "friend",
    "sister",
    "mother",
    "neighbour",
    "support group",
    "phone call",
    "message",
    "diary",
    "notebook",
    "calendar",
    "alarm",
    "shower",
    "bath",
    "towel",
    "pillow",
    "blanket",
    "weather",
    "heat",
    "cold",
    "rain",
    "commute",
    "budget",
    "paperwork",
    "leave",
    "childcare",
    "toddler",
    "pet",
    "dog walk",
    "recipe",
    "meal",
    "grocery list",
    "bottle",
    "chair",
    "window",
    "fresh air",
    "music",
    "book",
    "journal",
    "hobby",
    "conversation",
    "question",
    "worry",
    "feeling",
    "mood",
    "stress",
    "rest",
    "energy",
    "comfort",
    "hope",
    "patience",
];

const ADJECTIVES: &[&str] = &[
    "mild",
    "moderate",
    "severe",
    "sudden",
    "gradual",
    "persistent",
    "occasional",
    "regular",
    "irregular",
    "normal",
    "unusual",
    "common",
    "rare",
    "early",
    "late",
    "daily",
    "weekly",
    "monthly",
    "routine",
    "careful",
    "gentle",
    "light",
    "heavy",
    "warm",
    "cool",
    "quiet",
    "busy",
    "long",
    "short",
    "small",
    "large",
    "low",
    "high",
    "steady",
    "stable",
    "uncertain",
    "worrying",
    "reassuring",
    "helpful",
    "useful",
    "important",
    "simple",
    "detailed",
    "previous",
    "next",
    "recent",
    "healthy",
    "balanced",
    "tired",
    "anxious",
    "calm",
    "hopeful",
    "local",
    "private",
    "clear",
    "safe",
    "slow",
    "fast",
    "extra",
    "full",
];

/// `base|third person singular`.
const VERBS: &[&str] = &[
    "affect|affects",
    "reduce|reduces",
    "increase|increases",
    "change|changes",
    "explain|explains",
    "discuss|discusses",
    "check|checks",
    "measure|measures",
    "track|tracks",
    "record|records",
    "notice|notices",
    "describe|describes",
    "support|supports",
    "protect|protects",
    "improve|improves",
    "lower|lowers",
    "raise|raises",
    "limit|limits",
    "delay|delays",
    "follow|follows",
    "review|reviews",
    "plan|plans",
    "arrange|arranges",
    "prepare|prepares",
    "manage|manages",
    "monitor|monitors",
    "recommend|recommends",
    "prescribe|prescribes",
    "adjust|adjusts",
    "repeat|repeats",
    "compare|compares",
    "confirm|confirms",
    "mention|mentions",
    "share|shares",
    "ease|eases",
    "worsen|worsens",
    "trigger|triggers",
    "cause|causes",
    "prevent|prevents",
    "shape|shapes",
    "influence|influences",
    "disturb|disturbs",
    "replace|replaces",
    "include|includes",
    "need|needs",
    "expect|expects",
    "keep|keeps",
    "bring|brings",
    "carry|carries",
    "balance|balances",
];

const ADVERBS: &[&str] = &[
    "often",
    "usually",
    "sometimes",
    "rarely",
    "gently",
    "carefully",
    "slowly",
    "quickly",
    "gradually",
    "regularly",
    "occasionally",
    "typically",
    "clearly",
    "quietly",
    "still",
    "also",
    "generally",
    "frequently",
    "simply",
    "mostly",
];

const DETERMINERS: &[&str] = &[
    "the", "the", "the", "your", "your", "this", "that", "each", "every", "any", "their", "her",
];

const PLURAL_SUBJECTS: &[&str] = &[
    "many women",
    "some women",
    "most people",
    "many parents",
    "some couples",
    "doctors",
    "midwives",
    "nurses",
    "specialists",
    "researchers",
    "families",
    "partners",
    "members",
    "new mothers",
    "care teams",
    "we",
    "you",
    "they",
];

const SINGULAR_SUBJECTS: &[&str] = &[
    "your midwife",
    "your doctor",
    "the specialist",
    "the nurse",
    "a pharmacist",
    "the care team",
    "a counsellor",
    "your partner",
    "the clinic",
    "a good friend",
    "the hospital",
    "your family doctor",
];

const MODALS: &[&str] = &[
    "can",
    "may",
    "might",
    "should",
    "will",
    "could",
    "can often",
    "will usually",
];

const PREPOSITIONS: &[&str] = &[
    "during", "after", "before", "with", "without", "for", "through", "around", "within",
    "despite", "beside", "near", "after", "about", "against", "under",
];

const TIMES: &[&str] = &[
    "in the first trimester",
    "in the second trimester",
    "in the third trimester",
    "after twenty weeks",
    "before twelve weeks",
    "at night",
    "every morning",
    "within a few days",
    "over the next month",
    "during the first weeks",
    "after the birth",
    "before the next pregnancy",
    "between appointments",
    "at the weekend",
    "after a long day",
    "during labour",
    "at the booking visit",
    "after the scan",
    "for several weeks",
    "in later pregnancy",
];

const OPENERS: &[&str] = &[
    "In most cases,",
    "During pregnancy,",
    "After the first visit,",
    "For many families,",
    "In the second trimester,",
    "According to current guidance,",
    "At home,",
    "Over several weeks,",
    "For some women,",
    "Early in pregnancy,",
    "After a miscarriage,",
    "When in doubt,",
    "As a rule,",
    "In practice,",
    "Before any change,",
];

const CONNECTIVES: &[&str] = &[
    "and",
    "because",
    "although",
    "while",
    "so",
    "which means",
    "even when",
    "especially if",
    "since",
    "before",
    "after",
    "unless",
    "but",
    "and then",
    "whereas",
];

const ARTICLE_OPENERS: &[&str] = &[
    "a guide to",
    "understanding",
    "living with",
    "questions about",
    "caring for",
    "notes on",
];
