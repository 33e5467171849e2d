//! Spotting emergencies and crises before anything else happens to a question.
//!
//! This runs before retrieval and regardless of it: someone describing heavy bleeding or
//! thoughts of ending their life must see where to get help first, whether or not the
//! articles have anything to say. Two nets, either one enough: the moderators' word
//! patterns, and closeness in meaning to their short example emergencies ([`ExampleNet`]),
//! which catches the same emergency in other words, misspelt or split by punctuation.
//! Both live in `content/safety.md`. They err on the side of showing the notice: a
//! needless notice costs a line, a missed one can cost far more.

use std::ops::Range;

use serde::Serialize;

use crate::content::SafetyTexts;
use crate::text::{Word, sentence_spans, undisguised_words, with_contractions, words};

mod context;

pub use context::NotNow;

/// A sentence embedding (see `search::semantic`): L2-normalised, so a dot product is a
/// cosine. The gate takes vectors, not the model, so it stays below search.
pub type Meaning = [f32; minilm::DIM];

/// How close (cosine) a sentence of a question, or the whole question, must come to one
/// of the moderators' urgent examples for the urgent notice. Chosen with
/// [`URGENT_MARGIN`] by the one procedure in README ("Evaluation", the urgent gate) on
/// the fitting and validation sets (`tests/urgent_fit.rs`); the held-out urgent sets
/// were not used to choose it.
pub const URGENT_SIMILARITY: f32 = 0.45;

/// The same for the crisis examples and the crisis notice.
pub const CRISIS_SIMILARITY: f32 = 0.39;

/// How much closer to an emergency than to any calm example a meaning must come: the
/// calm veto's margin (negative: a calm example must be that much closer to veto).
pub const URGENT_MARGIN: f32 = -0.02;

/// The meaning net's settings: the shipped ones are [`Thresholds::SHIPPED`]; the fitting
/// procedure tries others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub urgent: f32,
    pub crisis: f32,
    pub margin: f32,
}

impl Thresholds {
    pub const SHIPPED: Thresholds = Thresholds {
        urgent: URGENT_SIMILARITY,
        crisis: CRISIS_SIMILARITY,
        margin: URGENT_MARGIN,
    };
}

/// The second net: the vectors of the moderators' `urgent_examples` and
/// `crisis_examples`. Patterns catch the words moderators thought of; this catches the
/// same emergency said in other words, misspelt, or split by punctuation.
#[derive(Debug, Clone, Default)]
pub struct ExampleNet {
    pub urgent: Vec<Meaning>,
    pub crisis: Vec<Meaning>,
    pub calm: Vec<Meaning>,
}

/// How close one meaning (the whole question, or one of its sentences) came to the
/// examples: the best cosine for each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Closeness {
    pub urgent: f32,
    pub crisis: f32,
    pub calm: f32,
    /// The meaning's words tell of an emergency imagined or long over
    /// (`context::imagined_or_over`): its closeness to the urgent examples does not count.
    /// Never held against the crisis examples.
    pub imagined_or_over: bool,
}

impl Closeness {
    /// What this one meaning says. Asking about warning signs sounds like having them;
    /// only a meaning closer to an emergency than to any calm example is one.
    ///
    /// Once either kind is raised, the kind this meaning sits nearer also gets its notice:
    /// the two kinds of example overlap ("I cannot stand up without nearly passing out"
    /// sits near "I cannot go on anymore"), and an emergency of the body given only the
    /// crisis notice would miss "get care now".
    pub fn urgency(&self, thresholds: Thresholds) -> Urgency {
        let beyond_calm = |closeness: f32| closeness > self.calm + thresholds.margin;
        let raised = Urgency {
            emergency: !self.imagined_or_over
                && self.urgent >= thresholds.urgent
                && beyond_calm(self.urgent),
            crisis: self.crisis >= thresholds.crisis && beyond_calm(self.crisis),
        };
        if !raised.is_urgent() {
            return raised;
        }
        let nearer_urgent = self.urgent >= self.crisis;
        Urgency {
            emergency: raised.emergency || (nearer_urgent && !self.imagined_or_over),
            crisis: raised.crisis || !nearer_urgent,
        }
    }

    /// How far this meaning leans towards an emergency of either kind, over calm.
    fn lean(&self) -> f32 {
        self.urgent.max(self.crisis) - self.calm
    }
}

impl ExampleNet {
    /// The closeness of each of `meanings` (the whole question and each sentence), whose
    /// texts are `texts`, in the same order.
    pub fn closeness_each(&self, meanings: &[Meaning], texts: &[&str]) -> Vec<Closeness> {
        let best = |meaning: &Meaning, examples: &[Meaning]| {
            examples
                .iter()
                .map(|example| minilm::similarity(meaning, example))
                .fold(0.0, f32::max)
        };
        let mut each: Vec<Closeness> = meanings
            .iter()
            .zip(texts)
            .map(|(meaning, text)| Closeness {
                urgent: best(meaning, &self.urgent),
                crisis: best(meaning, &self.crisis),
                calm: best(meaning, &self.calm),
                imagined_or_over: context::imagined_or_over(&words(text)),
            })
            .collect();
        whole_follows_its_sentences(&mut each);
        each
    }

    /// What the examples alone say about a question with `meanings`, and the closeness
    /// of the meaning that leans most towards an emergency (what `--explain` shows).
    pub fn assess(&self, meanings: &[Meaning], texts: &[&str]) -> (Urgency, Closeness) {
        assess_meanings(&self.closeness_each(meanings, texts), Thresholds::SHIPPED)
    }
}

/// The whole question (the first of `each`, followed by its sentences) is read as
/// imagined, over or asked in general when one of its sentences is, and that sentence
/// is at least as close to the urgent examples as the whole: the whole's closeness then
/// comes from that sentence. "What counts as heavy bleeding, so I know when to go in?
/// I'm having the tablets next week" is a question about a sign, even though "I'm"
/// keeps the whole from reading so.
fn whole_follows_its_sentences(each: &mut [Closeness]) {
    let Some((whole, sentences)) = each.split_first_mut() else {
        return;
    };
    if sentences
        .iter()
        .any(|sentence| sentence.imagined_or_over && sentence.urgent >= whole.urgent)
    {
        whole.imagined_or_over = true;
    }
}

/// Decides meaning by meaning: any one meaning close enough to an emergency, and closer
/// to it than to any calm example, is enough. A calm sentence elsewhere in the question
/// ("I read about warning signs") cannot veto an emergency told in another sentence.
///
/// The closeness returned is the one a moderator needs to see: of a meaning that raised
/// a notice when one did (a sentence at 0.60 against a calm 0.61 counts at the margin,
/// while another sentence may lean further from calm at 0.10 against 0.05), else of the
/// meaning that leaned most towards an emergency.
pub fn assess_meanings(each: &[Closeness], thresholds: Thresholds) -> (Urgency, Closeness) {
    let urgency = each
        .iter()
        .map(|closeness| closeness.urgency(thresholds))
        .fold(Urgency::default(), Urgency::or);
    let leaning_most = |meanings: &mut dyn Iterator<Item = Closeness>| {
        meanings.max_by(|a, b| a.lean().total_cmp(&b.lean()))
    };
    let raising = leaning_most(
        &mut each
            .iter()
            .copied()
            .filter(|closeness| closeness.urgency(thresholds).is_urgent()),
    );
    let shown = raising
        .or_else(|| leaning_most(&mut each.iter().copied()))
        .unwrap_or_default();
    (urgency, shown)
}

/// What the safety gate found in a question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Urgency {
    /// Describes a medical emergency: the urgent-care notice comes first.
    pub emergency: bool,
    /// Speaks of self-harm or suicide: the crisis notice comes first.
    pub crisis: bool,
}

impl Urgency {
    /// Either net's finding is enough.
    pub fn or(self, other: Urgency) -> Urgency {
        Urgency {
            emergency: self.emergency || other.emergency,
            crisis: self.crisis || other.crisis,
        }
    }

    /// Whether any notice must come before the answer.
    pub fn is_urgent(&self) -> bool {
        self.emergency || self.crisis
    }
}

/// Checks `question` against the emergency and crisis patterns of `texts`.
pub fn assess(texts: &SafetyTexts, question: &str) -> Urgency {
    read_patterns(texts, question).urgency
}

/// What the moderators' patterns found in a question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternFindings {
    pub urgency: Urgency,
    /// Where in the question (byte ranges) the words are that made it urgent. The notice
    /// answers those words, so retrieval does not hold it against a passage that it says
    /// nothing about fainting when the question is "I fainted and I'm bleeding".
    pub spans: Vec<Range<usize>>,
    pub lines: PatternLines,
}

/// Which pattern lines matched a question, once each, so `--explain` can show a
/// moderator the line behind a notice, or why a matching line put none up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PatternLines {
    /// The lines that counted.
    pub matched: Vec<MatchedPattern>,
    /// Emergency lines that matched but did not count, and why.
    pub not_counted: Vec<DiscountedPattern>,
}

/// An emergency pattern line that matched but did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscountedPattern {
    pub pattern: String,
    pub reason: NotNow,
}

/// One pattern line that counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedPattern {
    pub pattern: String,
    /// A crisis pattern (else an emergency one).
    pub crisis: bool,
}

/// [`assess`], with where the words that counted are and which lines they matched.
pub fn read_patterns(texts: &SafetyTexts, question: &str) -> PatternFindings {
    let mut found = PatternFindings::default();
    let sentences: Vec<_> = sentence_spans(question).collect();
    // As written, and as meant when disguised or broken up (when that differs), each also
    // with its negations contracted ("do not" as "dont"): any reading is enough. Whether
    // an emergency is happening now is judged on the words as typed.
    let mut typed = vec![words(question)];
    let undisguised = undisguised_words(question);
    if undisguised != typed[0] {
        typed.push(undisguised);
    }
    for as_typed in &typed {
        let judged = context::Judged::new(question, as_typed, &sentences);
        let contracted = with_contractions(question, as_typed);
        found.match_reading(texts, as_typed, &judged);
        if contracted != *as_typed {
            found.match_reading(texts, &contracted, &judged);
        }
    }
    // A line that counted in one reading is not also shown as discounted in another.
    let PatternLines {
        matched,
        not_counted,
    } = &mut found.lines;
    not_counted.retain(|line| !matched.iter().any(|m| m.pattern == line.pattern));
    found
        .spans
        .sort_unstable_by_key(|span| (span.start, span.end));
    found.spans.dedup();
    found
}

impl PatternFindings {
    /// Notes every match of the patterns in `reading`, one reading of a question made
    /// from the words `judged` holds as typed, on which whether an emergency is happening
    /// now is judged.
    fn match_reading(&mut self, texts: &SafetyTexts, reading: &[Word], judged: &context::Judged) {
        let as_typed = judged.words();
        for (patterns, crisis) in [
            (&texts.urgent_patterns, false),
            (&texts.crisis_patterns, true),
        ] {
            for pattern in patterns {
                for occurrence in pattern.occurrences(reading) {
                    let first = reading[occurrence[0]].span.start;
                    let at = as_typed
                        .binary_search_by_key(&first, |word| word.span.start)
                        .unwrap_or(occurrence[0]);
                    let not_now = (!crisis).then(|| judged.not_now(at)).flatten();
                    let matched = occurrence.iter().map(|&i| reading[i].span.clone());
                    self.record(pattern.to_string(), crisis, not_now, matched);
                }
            }
        }
    }

    /// Notes one match of the line `pattern`: where its words are, when it counts, or
    /// why it did not.
    fn record(
        &mut self,
        pattern: String,
        crisis: bool,
        not_now: Option<NotNow>,
        spans: impl Iterator<Item = Range<usize>>,
    ) {
        if let Some(reason) = not_now {
            let discounted = DiscountedPattern { pattern, reason };
            if !self.lines.not_counted.contains(&discounted) {
                self.lines.not_counted.push(discounted);
            }
            return;
        }
        if crisis {
            self.urgency.crisis = true;
        } else {
            self.urgency.emergency = true;
        }
        let line = MatchedPattern { pattern, crisis };
        if !self.lines.matched.contains(&line) {
            self.lines.matched.push(line);
        }
        self.spans.extend(spans);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(urgent: &str, crisis: &str) -> SafetyTexts {
        let text = format!(
            "## disclaimer\nNot advice.\n## doctor_advice\nSee a doctor.\n\
             ## urgent_notice\nGet help now.\n## crisis_notice\nYou matter.\n\
             ## crisis_helplines\n- 988\n## not_found\nNot found.\n\
             ## urgent_patterns\n{urgent}\n## crisis_patterns\n{crisis}\n\
             ## urgent_examples\n- I am bleeding heavily\n## crisis_examples\n- I want to die\n\
             ## calm_examples\n- what are the signs of a clot\n"
        );
        let mut problems = Vec::new();
        let texts = crate::content::parse_safety_texts(
            std::path::Path::new("safety.md"),
            &text,
            &|phrase| vec![phrase.to_string()],
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        texts.expect("valid safety texts")
    }

    #[test]
    fn a_sign_said_to_be_absent_is_not_an_emergency() {
        let texts = patterns("- fever*\n- heavy bleed*\n- dizzy", "- hurt* myself");
        for calm in [
            "tired and weepy, no fever",
            "not dizzy at all",
            "without heavy bleeding",
        ] {
            assert!(!assess(&texts, calm).emergency, "{calm}");
        }
        for urgent in [
            "no idea why but i have a fever",
            "i never felt this dizzy",
            "fever, no",
        ] {
            assert!(assess(&texts, urgent).emergency, "{urgent}");
        }
        // Never for the crisis patterns.
        assert!(assess(&texts, "i dont hurt myself anymore, mostly").crisis);
        for word in context::PLAIN_NEGATIONS {
            assert!(crate::text::NEGATIONS.contains(word), "{word}");
        }
    }

    /// A checklist answered "no" ("Heavy bleeding? No.") is not read as a negation: the
    /// "no" may go on to something worse ("No. Worse.", "no, it will not slow down"), and
    /// a needless notice costs a line where a missed one can cost far more.
    #[test]
    fn a_sign_asked_then_answered_no_still_counts() {
        let texts = patterns("- heavy bleed*", "- hurt* myself");
        for urgent in [
            "Heavy bleeding? No. Worse.",
            "heavy bleeding? no... way worse",
            "Heavy bleeding? No, it will not slow down",
        ] {
            assert!(assess(&texts, urgent).emergency, "{urgent}");
        }
    }

    #[test]
    fn a_sign_imagined_in_the_future_is_not_an_emergency() {
        let texts = patterns("- bleed* heavily\n- fever*", "- kill* myself");
        for calm in [
            "should i go to a&e if i start bleeding heavily",
            "if i ever start bleeding heavily what counts as heavy",
            "hypothetically if i got a fever after the tablets",
        ] {
            assert!(!assess(&texts, calm).emergency, "{calm}");
        }
        for urgent in [
            "what if im bleeding heavily right now",
            "if i ever needed help it is now, bleeding heavily since 4am and dizzy",
            "i had a fever",
        ] {
            assert!(assess(&texts, urgent).emergency, "{urgent}");
        }
    }

    #[test]
    fn a_past_event_placed_apart_or_likened_does_not_silence_a_sign_now() {
        let texts = patterns(
            "- swollen\n- bleed* ... heavily\n- pass* out\n- faint*\n- pus\n- excruciating pain",
            "- kill* myself",
        );
        for urgent in [
            // The time long ago belongs to another clause, set apart by a dash, a bracket
            // or an emoji as by a comma.
            "had a dvt years ago - my calf is swollen and hot",
            "had a clot in 2019 (my leg is swollen now)",
            // A dash or an emoji does not cut a present "I feel" from what happened.
            "I feel awful - I passed out, had a DVT in 2019",
            "its bad 😭 i passed out, c section was in 2019",
            "miscarried 2 years ago 😭 bleeding heavily",
            // ...or to a word of a clause told in the present.
            "my c section scar from 2 years ago is oozing pus",
            // ...or something is only likened to it.
            "bleeding heavily like last year",
            // Neither an amount nor this year is a year long ago.
            "lost 2000 ml of blood and i fainted",
            // What happened next is not over with what came before.
            "the cramps went away and then I passed out",
            "I passed out when I was a few steps from the loo",
            // A condition that ends in what happens now, without a comma.
            "if i get up im dizzy and i pass out",
            // What cannot be done without a sign tells of it.
            "I can't move without excruciating pain",
        ] {
            assert!(assess(&texts, urgent).emergency, "{urgent}");
        }
        for calm in [
            "I had a clot years ago, all fine now",
            "bled heavily with my first, 2 years ago",
            "if i get a fever should i go in",
            "walking without excruciating pain again after the op",
        ] {
            assert!(!assess(&texts, calm).emergency, "{calm}");
        }
    }

    #[test]
    fn asking_what_a_medicine_may_cause_is_not_telling_of_it() {
        let texts = patterns("- bleed* ... heavily\n- heavy bleed*", "- kill* myself");
        for calm in [
            "can heparin cause heavy bleeding",
            "does aspirin cause heavy bleeding",
            "what could cause heavy bleeding after the tablets",
        ] {
            assert!(!assess(&texts, calm).emergency, "{calm}");
        }
        for urgent in [
            "the heparin is causing me to bleed heavily",
            "the injections cause me to bleed heavily",
            "heparin caused heavy bleeding and im dizzy now",
            // "cause" is also "because".
            "went to a&e cause bleeding heavily",
            "my fibroids cause heavy bleeding every day",
        ] {
            assert!(assess(&texts, urgent).emergency, "{urgent}");
        }
    }

    #[test]
    fn disguised_and_broken_words_still_match() {
        let texts = patterns("- bleed* heavily\n- clot*\n- black* out", "- kill* myself");
        assert!(assess(&texts, "bl33ding heavily since 4am").emergency);
        assert!(assess(&texts, "passing c l o t s").emergency);
        assert!(assess(&texts, "i bl@cked out").emergency);
        assert!(assess(&texts, "blee-ding heavily").emergency);
        assert!(assess(&texts, "thinking of k!ll!ng myself").crisis);
        let spans = read_patterns(&texts, "passing c l o t s").spans;
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0], 8..17);
    }

    #[test]
    fn a_negation_written_out_or_contracted_matches_either_way() {
        let texts = patterns(
            "- cant stop* ... bleed*",
            "- dont want to live\n- does not want to be alive\n- cant go on",
        );
        for crisis in [
            "I do not want to live anymore",
            "i dont wanna live anymore",
            "she doesnt want to be alive",
            "she does not want to be alive",
            "I cannot go on",
            "i can not go on like this",
        ] {
            assert!(assess(&texts, crisis).crisis, "{crisis}");
        }
        assert!(assess(&texts, "I can not stop the bleeding").emergency);
        // The words a pattern matched span the written-out negation.
        let text = "I do not want to live";
        let spans = read_patterns(&texts, text).spans;
        assert_eq!(spans.first().map(|s| &text[s.clone()]), Some("do not"));
        for calm in [
            "I do want to live a full life",
            "she does want to be alive to see it",
        ] {
            assert!(!assess(&texts, calm).is_urgent(), "{calm}");
        }
        // Whether a sign is happening now is judged on the words as typed: "does not
        // gush" is a sign said to be absent, though "doesnt" is no plain negation.
        let texts = patterns("- gush*", "- kill* myself");
        assert!(!assess(&texts, "the bleeding does not gush, just spotting").is_urgent());
        assert!(assess(&texts, "its gushing and will not slow down").emergency);
    }

    fn along(axis: usize, weight: f32) -> Meaning {
        let mut meaning = [0.0; minilm::DIM];
        meaning[axis] = weight;
        meaning[axis + 1] = (1.0 - weight * weight).sqrt();
        meaning
    }

    #[test]
    fn a_question_near_an_emergency_is_flagged_unless_nearer_a_calm_one() {
        let net = ExampleNet {
            urgent: vec![along(0, 1.0)],
            crisis: vec![along(10, 1.0)],
            calm: vec![along(20, 1.0)],
        };
        let (urgency, _) = net.assess(&[along(0, 0.9)], &[""]);
        assert!(urgency.emergency && !urgency.crisis);
        let (urgency, _) = net.assess(&[along(10, 0.9)], &[""]);
        assert!(urgency.crisis && !urgency.emergency);
        // As close to the emergency as before, but closer still to a calm question.
        let mut asking = [0.0; minilm::DIM];
        asking[0] = 0.6;
        asking[20] = 0.8;
        assert!(!net.assess(&[asking], &[""]).0.is_urgent());
        // Far from everything: no notice.
        assert!(!net.assess(&[along(40, 1.0)], &[""]).0.is_urgent());
        // No vectors (a question without words): no notice from meaning.
        assert!(!net.assess(&[], &[]).0.is_urgent());
    }

    #[test]
    fn a_calm_sentence_does_not_veto_an_emergency_told_in_another() {
        let net = ExampleNet {
            urgent: vec![along(0, 1.0)],
            crisis: vec![along(10, 1.0)],
            calm: vec![along(20, 1.0)],
        };
        // "I read about the warning signs. Now I am bleeding through a pad an hour.":
        // the first sentence is nearer a calm example than the second is to the
        // emergency, but the second is an emergency on its own.
        let emergency = along(0, 0.8);
        let calm = along(20, 0.95);
        let (urgency, shown) = net.assess(&[calm, emergency], &["", ""]);
        assert!(urgency.emergency, "{shown:?}");
        assert_eq!(
            shown.urgent,
            net.closeness_each(&[emergency], &[""])[0].urgent
        );
    }

    #[test]
    fn explain_shows_the_meaning_that_raised_the_notice() {
        // A sentence at the margin raised the notice; another leans further from calm
        // but is far from any emergency. A moderator must see the one that counted.
        let at_margin = Closeness {
            urgent: 0.60,
            crisis: 0.20,
            calm: 0.61,
            imagined_or_over: false,
        };
        let far_from_all = Closeness {
            urgent: 0.10,
            crisis: 0.19,
            calm: 0.05,
            imagined_or_over: false,
        };
        let (urgency, shown) = assess_meanings(
            &[far_from_all, at_margin, far_from_all],
            Thresholds::SHIPPED,
        );
        assert!(urgency.emergency);
        assert_eq!(shown, at_margin);
        // No notice: the meaning leaning most is shown.
        let calm = Closeness {
            calm: 0.9,
            ..at_margin
        };
        let (urgency, shown) = assess_meanings(&[calm, far_from_all], Thresholds::SHIPPED);
        assert!(!urgency.is_urgent());
        assert_eq!(shown, far_from_all);
    }

    #[test]
    fn the_margin_decides_a_meaning_as_close_to_calm_as_to_an_emergency() {
        let even = Closeness {
            urgent: 0.6,
            crisis: 0.0,
            calm: 0.6,
            imagined_or_over: false,
        };
        let lenient = Thresholds {
            margin: -0.04,
            ..Thresholds::SHIPPED
        };
        let strict = Thresholds {
            margin: 0.04,
            ..Thresholds::SHIPPED
        };
        assert!(even.urgency(lenient).emergency);
        assert!(!even.urgency(strict).emergency);
    }

    #[test]
    fn a_meaning_raised_for_one_kind_also_gets_the_notice_of_the_kind_it_sits_nearer() {
        let thresholds = Thresholds::SHIPPED;
        // Over the crisis threshold but below the urgent one, yet nearer the urgent
        // examples: a body emergency the crisis examples happened to catch.
        let body = Closeness {
            urgent: thresholds.crisis + 0.04,
            crisis: thresholds.crisis + 0.01,
            calm: 0.1,
            imagined_or_over: false,
        };
        assert!(body.urgent < thresholds.urgent);
        let urgency = body.urgency(thresholds);
        assert!(urgency.emergency && urgency.crisis, "{urgency:?}");
        // The other way round, where the crisis threshold is the higher (the shipped one
        // is lower, so there a meaning nearer a crisis already raises it): raised as an
        // emergency, nearer a crisis, below the crisis threshold.
        let crisis_higher = Thresholds {
            urgent: 0.40,
            crisis: 0.50,
            ..thresholds
        };
        let crisis = Closeness {
            urgent: 0.42,
            crisis: 0.45,
            calm: 0.1,
            imagined_or_over: false,
        };
        let urgency = crisis.urgency(crisis_higher);
        assert!(urgency.emergency && urgency.crisis, "{urgency:?}");
        // Nearer the kind it was raised for: that notice alone.
        let only_crisis = Closeness {
            urgent: 0.2,
            ..body
        };
        assert_eq!(
            only_crisis.urgency(thresholds),
            Urgency {
                emergency: false,
                crisis: true
            }
        );
        // An emergency told as long past never gets the urgent notice from meaning.
        let over = Closeness {
            imagined_or_over: true,
            ..body
        };
        assert!(!over.urgency(thresholds).emergency);
        // Nothing raised: nothing added, however the kinds compare.
        let calm = Closeness {
            urgent: 0.3,
            crisis: 0.2,
            calm: 0.1,
            imagined_or_over: false,
        };
        assert!(!calm.urgency(thresholds).is_urgent());
    }
}
