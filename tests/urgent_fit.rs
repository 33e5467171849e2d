//! The one procedure that chooses the urgent gate's meaning-net settings
//! (`safety::URGENT_SIMILARITY`, `CRISIS_SIMILARITY`, `URGENT_MARGIN`), run as a test so
//! the shipped constants can never drift from what it picks.
//!
//! Fitting sets: `dev`, `member`, `holdout`, `corpus-b`, `corpus-c` (their `urgent`
//! fields), `urgent-fit.jsonl` to `urgent-fit-8.jsonl`, written
//! for fitting. Validation set: `urgent-2.jsonl`, whose verdicts this procedure reads
//! but whose questions it never prints (nor has anyone read them). `urgent.jsonl`,
//! `urgent-3.jsonl` and `corpus-d` to `corpus-h` are never read here: they are the
//! held-out measures, reported after the choice (F and G were tried as fitting sets and
//! left out, README "Evaluation").
//!
//! For every question the patterns' verdict and each meaning's closeness to the
//! examples are computed once; then every setting on a grid (a threshold for the urgent
//! examples, one for the crisis examples, the calm veto's margin) is scored by
//! `MISS_COST` x emergencies missed + calm questions flagged, summed over the fitting
//! sets. Every setting within one part in `NEAR_BEST_PARTS` of the cheapest is a candidate, and the
//! candidate cheapest on the validation set wins (ties: cheaper on the fitting sets,
//! then the higher urgent threshold, then the higher crisis threshold, then the larger
//! margin: fewer notices). `MISS_COST` was fixed before the first sweep: a missed
//! emergency weighs four needless notices.
//!
//! Why a validation set: each time a fitting set is read, patterns are written for the
//! emergencies it misses, so the fitting sets come to overstate what the patterns catch
//! and the cheapest setting there drifts towards fewer notices from the meaning net.
//! On words nobody has read, that drift showed as missed emergencies (README,
//! "Evaluation"). The validation set, never read, is the check against it.
//!
//! `cargo test --release --test urgent_fit -- --nocapture` prints the sweep's best rows,
//! the candidates' validation figures, and what the chosen setting misses in the
//! fitting sets.

mod common;

use std::fs;

use lantern::knowledge::Knowledge;
use lantern::safety::{self, Closeness, Thresholds, Urgency};
use serde_json::Value;

/// How many needless notices one missed emergency is worth.
const MISS_COST: usize = 4;

/// How far above the cheapest fitting cost a setting may be and still be a candidate:
/// one part in twenty.
const NEAR_BEST_PARTS: usize = 20;

/// The validation set, as a path under `tests/data`.
const VALIDATION_SET: &str = "eval/urgent-2.jsonl";

/// The fitting sets, as paths under `tests/data`.
const FITTING_SETS: [&str; 13] = [
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

/// The candidates: every setting whose fitting cost is within [`NEAR_BEST_PARTS`] of the
/// cheapest.
fn candidates(scores: &[Score]) -> Vec<Score> {
    let cheapest = scores
        .iter()
        .map(Score::cost)
        .min()
        .expect("a non-empty grid");
    let within = cheapest + cheapest.div_ceil(NEAR_BEST_PARTS);
    scores
        .iter()
        .copied()
        .filter(|s| s.cost() <= within)
        .collect()
}

/// The candidate cheapest on the validation set (`validation[i]` scores
/// `candidates[i]`), ties broken as the module docs say.
fn choose(candidates: &[Score], validation: &[Score]) -> (Score, Score) {
    candidates
        .iter()
        .zip(validation)
        .map(|(fit, check)| (*fit, *check))
        .min_by(|(fit_a, check_a), (fit_b, check_b)| {
            check_a
                .cost()
                .cmp(&check_b.cost())
                .then(fit_a.cost().cmp(&fit_b.cost()))
                .then(fit_b.thresholds.urgent.total_cmp(&fit_a.thresholds.urgent))
                .then(fit_b.thresholds.crisis.total_cmp(&fit_a.thresholds.crisis))
                .then(fit_b.thresholds.margin.total_cmp(&fit_a.thresholds.margin))
        })
        .expect("at least the cheapest setting is a candidate")
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
    let held = gather(&knowledge, &[VALIDATION_SET]);
    let urgent = evidence.iter().filter(|e| e.urgent).count();
    let calm = evidence.len() - urgent;
    let mut scores: Vec<Score> = grid().into_iter().map(|t| score(&evidence, t)).collect();
    scores.sort_by_key(Score::cost);
    let candidates = candidates(&scores);
    let validation: Vec<Score> = candidates
        .iter()
        .map(|c| score(&held, c.thresholds))
        .collect();
    let (chosen, checked) = choose(&candidates, &validation);
    println!("fitting sets: {urgent} emergencies, {calm} calm questions");
    println!(
        "{} candidates within 1/{NEAR_BEST_PARTS} of the cheapest:",
        candidates.len()
    );
    for (fit, check) in candidates.iter().zip(&validation) {
        println!(
            "urgent {:.2} crisis {:.2} margin {:+.2}: fitting missed {}, false alarms {}, cost {}; \
             validation missed {}, false alarms {}, cost {}",
            fit.thresholds.urgent,
            fit.thresholds.crisis,
            fit.thresholds.margin,
            fit.missed,
            fit.false_alarms,
            fit.cost(),
            check.missed,
            check.false_alarms,
            check.cost()
        );
    }
    println!(
        "chosen: urgent {:.2} crisis {:.2} margin {:+.2} (fitting: missed {}/{urgent}, false alarms {}/{calm}; \
         validation: missed {}, false alarms {})",
        chosen.thresholds.urgent,
        chosen.thresholds.crisis,
        chosen.thresholds.margin,
        chosen.missed,
        chosen.false_alarms,
        checked.missed,
        checked.false_alarms
    );
    // The fitting sets' misses only: the validation set's questions stay unread.
    for item in &evidence {
        let flagged = item.flagged(chosen.thresholds);
        if flagged != item.urgent {
            let kind = if item.urgent { "missed" } else { "false alarm" };
            let by = if item.by_words.is_urgent() {
                "patterns"
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
