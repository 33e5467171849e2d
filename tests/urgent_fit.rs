//! The one procedure that chooses the urgent gate's meaning-net settings
//! (`safety::URGENT_SIMILARITY`, `CRISIS_SIMILARITY`, `URGENT_MARGIN`), run as a test so
//! the shipped constants can never drift from what it picks.
//!
//! Fitting sets: `dev`, `member`, `holdout`, `corpus-b`, `corpus-c` (their `urgent`
//! fields), `urgent-fit.jsonl` and `urgent-fit-2.jsonl`, written for fitting. `urgent.jsonl`, `urgent-2.jsonl`
//! and `corpus-d` are never read here: they are the held-out measures, reported after the choice.
//!
//! For every question the patterns' verdict and each meaning's closeness to the
//! examples are computed once; then every setting on a grid (a threshold for the urgent
//! examples, one for the crisis examples, the calm veto's margin) is scored by
//! `MISS_COST` x emergencies missed + calm questions flagged, summed over the fitting
//! sets, and the cheapest wins (ties: the higher urgent threshold, then the higher crisis
//! threshold, then the larger margin: fewer notices). `MISS_COST` was fixed before the
//! first sweep: a missed emergency weighs four needless notices.
//!
//! `cargo test --release --test urgent_fit -- --nocapture` prints the sweep's best rows
//! and what the chosen setting misses.

mod common;

use std::fs;

use lantern::knowledge::Knowledge;
use lantern::safety::{self, Closeness, Thresholds, Urgency};
use serde_json::Value;

/// How many needless notices one missed emergency is worth.
const MISS_COST: usize = 4;

/// The fitting sets, as paths under `tests/data`.
const FITTING_SETS: [&str; 7] = [
    "eval/dev.jsonl",
    "eval/member.jsonl",
    "eval/holdout.jsonl",
    "eval/corpus-b/questions.jsonl",
    "eval/corpus-c/questions.jsonl",
    "eval/urgent-fit.jsonl",
    "eval/urgent-fit-2.jsonl",
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

fn gather() -> Vec<Evidence> {
    let knowledge = Knowledge::load(&common::bundled_content(), 0.79, &common::embedder())
        .expect("bundled content loads");
    let mut evidence = Vec::new();
    for set in FITTING_SETS {
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

fn best(scores: &[Score]) -> Score {
    *scores
        .iter()
        .min_by(|a, b| {
            a.cost()
                .cmp(&b.cost())
                .then(b.thresholds.urgent.total_cmp(&a.thresholds.urgent))
                .then(b.thresholds.crisis.total_cmp(&a.thresholds.crisis))
                .then(b.thresholds.margin.total_cmp(&a.thresholds.margin))
        })
        .expect("a non-empty grid")
}

#[test]
fn the_shipped_meaning_net_settings_are_the_fitted_ones() {
    let evidence = gather();
    let urgent = evidence.iter().filter(|e| e.urgent).count();
    let calm = evidence.len() - urgent;
    let mut scores: Vec<Score> = grid().into_iter().map(|t| score(&evidence, t)).collect();
    let chosen = best(&scores);
    scores.sort_by_key(Score::cost);
    println!("fitting sets: {urgent} emergencies, {calm} calm questions");
    for s in scores.iter().take(10) {
        println!(
            "urgent {:.2} crisis {:.2} margin {:+.2}: missed {}, false alarms {}, cost {}",
            s.thresholds.urgent,
            s.thresholds.crisis,
            s.thresholds.margin,
            s.missed,
            s.false_alarms,
            s.cost()
        );
    }
    println!(
        "chosen: urgent {:.2} crisis {:.2} margin {:+.2} (missed {}/{urgent}, false alarms {}/{calm})",
        chosen.thresholds.urgent,
        chosen.thresholds.crisis,
        chosen.thresholds.margin,
        chosen.missed,
        chosen.false_alarms
    );
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
