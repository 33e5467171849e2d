//! The one procedure that chooses the urgent gate's meaning-net settings
//! (`safety::URGENT_SIMILARITY`, `CRISIS_SIMILARITY`, `URGENT_MARGIN`), run as a test so
//! the shipped constants can never drift from what it picks.
//!
//! Fitting sets: `dev`, `member`, `holdout`, `corpus-b`, `corpus-c` (their `urgent`
//! fields), `urgent-fit.jsonl` to `urgent-fit-9.jsonl`, written for fitting and read.
//! Validation sets: `urgent-2.jsonl` and `urgent-3.jsonl`, whose verdicts this procedure
//! counts but whose questions it never prints (nor has anyone read them).
//! `urgent.jsonl`, `urgent-4.jsonl` and `corpus-d` to `corpus-h` are never read here:
//! they are the held-out measures, reported after the choice (F and G were tried as
//! fitting sets and left out, `docs/urgent-gate-history.md`).
//!
//! For every question the patterns' verdict and each meaning's closeness to the
//! examples are computed once; then every setting on a grid (a threshold for the urgent
//! examples, one for the crisis examples, the calm veto's margin) is scored by
//! `MISS_COST` x emergencies missed + calm questions flagged, summed over the fitting
//! and the validation sets together, and the cheapest wins (ties: cheaper on the fitting
//! sets, then the higher urgent threshold, then the higher crisis threshold, then the
//! larger margin: fewer notices). `MISS_COST` was fixed before the first sweep: a missed
//! emergency weighs four needless notices.
//!
//! Why unread sets count: each time a fitting set is read, patterns and examples are
//! written for what it gets wrong, so the fitting sets come to overstate what the
//! patterns catch, and the cheapest setting there drifts towards fewer notices from the
//! meaning net. On words nobody has read, that drift showed as missed emergencies
//! (`docs/urgent-gate-history.md`). The unread sets are the weight against it, and
//! between settings that cost nearly the same on the fitting sets they decide (on the
//! fitting sets alone urgent 0.47 is cheaper). Until the ninth round `urgent-2` alone
//! chose among the settings within a twentieth of the cheapest fitting cost; a one-point
//! change in fitting cost could then swap the candidates.
//!
//! `cargo test --release --test urgent_fit -- --nocapture` prints the cheapest settings,
//! and what the chosen setting gets wrong in the fitting sets.

mod common;

use std::fs;

use lantern::knowledge::Knowledge;
use lantern::safety::{self, Closeness, Thresholds, Urgency};
use serde_json::Value;

/// How many needless notices one missed emergency is worth.
const MISS_COST: usize = 4;

/// How many of the cheapest settings the test prints.
const SHOWN: usize = 8;

/// The validation sets, as paths under `tests/data`: counted, never printed.
const VALIDATION_SETS: [&str; 2] = ["eval/urgent-2.jsonl", "eval/urgent-3.jsonl"];

/// The fitting sets, as paths under `tests/data`.
const FITTING_SETS: [&str; 14] = [
    "eval/dev.jsonl",
    "eval/member.jsonl",
    "eval/holdout.jsonl",
    "eval/corpus-b/questions.jsonl",
    "eval/corpus-c/questions.jsonl",
    "eval/urgent-fit.jsonl",
    "eval/urgent-fit-2.jsonl",
    "eval/urgent-fit-3.jsonl",
    "eval/urgent-fit-4.jsonl",
    "eval/urgent-fit-5.jsonl",
    "eval/urgent-fit-6.jsonl",
    "eval/urgent-fit-7.jsonl",
    "eval/urgent-fit-8.jsonl",
    "eval/urgent-fit-9.jsonl",
];

/// One question with what each net made of it.
struct Evidence {
    set: &'static str,
    question: String,
    urgent: bool,
    by_words: Urgency,
    each: Vec<Closeness>,
}

impl Evidence {
    fn flagged(&self, thresholds: Thresholds) -> bool {
        self.by_words
            .or(safety::assess_meanings(&self.each, thresholds).0)
            .is_urgent()
    }
}

#[derive(Debug, Clone, Copy)]
struct Score {
    thresholds: Thresholds,
    missed: usize,
    false_alarms: usize,
}

impl Score {
    fn cost(&self) -> usize {
        MISS_COST * self.missed + self.false_alarms
    }
}

fn gather(knowledge: &Knowledge, sets: &[&'static str]) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    for &set in sets {
        let text = fs::read_to_string(common::data_file(set)).expect("set readable");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).expect("JSON line");
            let question = row["q"].as_str().expect("q").to_string();
            let (by_words, each) = knowledge.safety_evidence(&question);
            evidence.push(Evidence {
                set,
                urgent: row["urgent"].as_bool().unwrap_or(false),
                question,
                by_words,
                each,
            });
        }
    }
    evidence
}

fn score(evidence: &[Evidence], thresholds: Thresholds) -> Score {
    let mut score = Score {
        thresholds,
        missed: 0,
        false_alarms: 0,
    };
    for item in evidence {
        match (item.urgent, item.flagged(thresholds)) {
            (true, false) => score.missed += 1,
            (false, true) => score.false_alarms += 1,
            _ => {}
        }
    }
    score
}

/// Every setting tried: a threshold for the urgent examples and one for the crisis
/// examples, each 0.30 to 0.60 by 0.01, and a margin from -0.06 to 0.06 by 0.02.
fn grid() -> Vec<Thresholds> {
    let mut grid = Vec::new();
    for urgent in 30..=60 {
        for crisis in 30..=60 {
            for margin in -3..=3 {
                grid.push(Thresholds {
                    urgent: urgent as f32 / 100.0,
                    crisis: crisis as f32 / 100.0,
                    margin: margin as f32 * 0.02,
                });
            }
        }
    }
    grid
}

/// A setting's figures on the fitting sets and on the validation sets.
#[derive(Debug, Clone, Copy)]
struct Scored {
    fitting: Score,
    validation: Score,
}

impl Scored {
    fn cost(&self) -> usize {
        self.fitting.cost() + self.validation.cost()
    }
}

/// The setting cheapest over both kinds of sets, ties broken as the module docs say.
fn cheapest_first(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    let (ta, tb) = (a.fitting.thresholds, b.fitting.thresholds);
    a.cost()
        .cmp(&b.cost())
        .then(a.fitting.cost().cmp(&b.fitting.cost()))
        .then(tb.urgent.total_cmp(&ta.urgent))
        .then(tb.crisis.total_cmp(&ta.crisis))
        .then(tb.margin.total_cmp(&ta.margin))
}

fn describe(setting: &Scored) -> String {
    let (fit, check) = (setting.fitting, setting.validation);
    format!(
        "urgent {:.2} crisis {:.2} margin {:+.2}: cost {} (fitting missed {}, false alarms {}; \
         validation missed {}, false alarms {})",
        fit.thresholds.urgent,
        fit.thresholds.crisis,
        fit.thresholds.margin,
        setting.cost(),
        fit.missed,
        fit.false_alarms,
        check.missed,
        check.false_alarms
    )
}

#[test]
fn the_shipped_meaning_net_settings_are_the_fitted_ones() {
    let knowledge = Knowledge::load(
        &common::bundled_content(),
        lantern::knowledge::DEFAULT_MIN_CONFIDENCE,
        &common::embedder(),
    )
    .expect("bundled content loads");
    let evidence = gather(&knowledge, &FITTING_SETS);
    let held = gather(&knowledge, &VALIDATION_SETS);
    let count = |items: &[Evidence]| {
        let urgent = items.iter().filter(|e| e.urgent).count();
        (urgent, items.len() - urgent)
    };
    let (urgent, calm) = count(&evidence);
    let (held_urgent, held_calm) = count(&held);
    let mut settings: Vec<Scored> = grid()
        .into_iter()
        .map(|t| Scored {
            fitting: score(&evidence, t),
            validation: score(&held, t),
        })
        .collect();
    settings.sort_by(cheapest_first);
    println!("fitting sets: {urgent} emergencies, {calm} calm questions");
    println!("validation sets: {held_urgent} emergencies, {held_calm} calm questions");
    println!("the {SHOWN} cheapest settings:");
    for setting in settings.iter().take(SHOWN) {
        println!("{}", describe(setting));
    }
    let chosen = settings[0].fitting;
    println!("chosen: {}", describe(&settings[0]));
    // The fitting sets' misses only: the validation sets' questions stay unread.
    for item in &evidence {
        let flagged = item.flagged(chosen.thresholds);
        if flagged != item.urgent {
            let kind = if item.urgent { "missed" } else { "false alarm" };
            let by_meaning = safety::assess_meanings(&item.each, chosen.thresholds).0;
            let by = if item.by_words.is_urgent() {
                "patterns"
            } else if by_meaning.crisis {
                "meaning, crisis"
            } else {
                "meaning"
            };
            println!("  {kind} ({}, {by}): {}", item.set, item.question);
        }
    }
    let shipped = Thresholds::SHIPPED;
    let same = |a: f32, b: f32| (a - b).abs() < 1e-4;
    assert!(
        same(shipped.urgent, chosen.thresholds.urgent)
            && same(shipped.crisis, chosen.thresholds.crisis)
            && same(shipped.margin, chosen.thresholds.margin),
        "the procedure picks {:?}, the code ships {shipped:?}",
        chosen.thresholds
    );
}
