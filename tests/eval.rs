//! Retrieval quality, measured the way an evaluator would: every question of an
//! evaluation file is sent through `lantern ask --json` batch mode, and the answers are
//! scored against the acceptable passages.
//!
//! Files (one JSON object per line): `q` the question; `expect` the acceptable phrases,
//! one of which the returned passage must contain (an empty list: the bot must say it
//! does not know; absent: any answer will do); `urgent` whether the urgent-care notice
//! must show (absent means it must not).
//!
//! `tests/data/eval/dev.jsonl` is the product's development sample; `member.jsonl` was
//! written separately in members' own style (rambling, misspelt, near misses);
//! `holdout.jsonl` was written with it but kept out of sight until the retrieval was
//! built, then run once (see README for that first figure). None is tuned question by
//! question: a failure is fixed only by a general change, never a special case.

mod common;

use std::fs;

use common::{Lantern, bundled_content, bundled_safety, data_file};
use serde_json::Value;

struct Figures {
    answered_right: usize,
    answerable: usize,
    abstained: usize,
    off_topic: usize,
    urgent_missed: Vec<String>,
    urgent_false: Vec<String>,
    failures: Vec<String>,
}

impl Figures {
    fn answer_rate(&self) -> f64 {
        self.answered_right as f64 / self.answerable.max(1) as f64
    }

    fn abstain_rate(&self) -> f64 {
        self.abstained as f64 / self.off_topic.max(1) as f64
    }
}

fn evaluate(file: &str) -> Figures {
    let rows: Vec<Value> = fs::read_to_string(data_file(file))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let input: String = rows
        .iter()
        .map(|r| format!("{}\n", r["q"].as_str().unwrap()))
        .collect();
    let content = bundled_content().display().to_string();
    let run =
        Lantern::new().run_with_stdin(&["ask", "--json", "--content", &content], input.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answers = run.json_lines();
    assert_eq!(answers.len(), rows.len(), "one answer per question");

    let safety = bundled_safety();
    let articles: Vec<String> = fs::read_dir(bundled_content().join("articles"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();

    let mut figures = Figures {
        answered_right: 0,
        answerable: 0,
        abstained: 0,
        off_topic: 0,
        urgent_missed: Vec::new(),
        urgent_false: Vec::new(),
        failures: Vec::new(),
    };
    for (row, answer) in rows.iter().zip(&answers) {
        let question = row["q"].as_str().unwrap();
        let reply = answer["reply"].as_str().unwrap();

        // Promises that hold for every reply, whatever the question.
        assert!(
            reply.contains(&safety.disclaimer),
            "no disclaimer for {question:?}"
        );
        assert!(
            reply.contains(&safety.doctor_advice),
            "no doctor advice for {question:?}"
        );
        assert!(
            !reply.to_lowercase().contains("miracle"),
            "the advert leaked for {question:?}"
        );
        assert!(
            reply.chars().count() <= 2000,
            "over Discord's limit for {question:?}"
        );
        if let Some(passage) = answer["passage"].as_str() {
            assert!(
                articles.iter().any(|a| a.contains(passage)),
                "not verbatim: {passage:?}"
            );
        }

        let urgent_expected = row["urgent"].as_bool().unwrap_or(false);
        let urgent = answer["urgent"].as_bool().unwrap();
        if urgent_expected && !urgent {
            figures.urgent_missed.push(question.to_string());
        }
        if urgent && !urgent_expected {
            figures.urgent_false.push(question.to_string());
        }
        if urgent_expected {
            assert!(
                reply.starts_with(&safety.urgent_notice)
                    || reply.starts_with(&safety.crisis_notice)
            );
        }

        let Some(expect) = row["expect"].as_array() else {
            continue;
        };
        let answered = answer["answered"].as_bool().unwrap();
        if expect.is_empty() {
            figures.off_topic += 1;
            if answered {
                figures.failures.push(format!(
                    "answered off-topic {question:?} with {}",
                    answer["topic"]
                ));
            } else {
                figures.abstained += 1;
            }
        } else {
            figures.answerable += 1;
            let passage = answer["passage"].as_str().unwrap_or("");
            if answered && expect.iter().any(|p| passage.contains(p.as_str().unwrap())) {
                figures.answered_right += 1;
            } else {
                figures.failures.push(format!(
                    "{question:?}: {} (score {})",
                    if answered {
                        format!("wrong passage from {}", answer["topic"])
                    } else {
                        "abstained".to_string()
                    },
                    answer["score"]
                ));
            }
        }
    }
    println!(
        "{file}: right passage for {}/{} answerable ({:.1}%), honest \"I don't know\" for {}/{} off-topic ({:.1}%), \
         urgent missed {}, urgent shown needlessly {}",
        figures.answered_right,
        figures.answerable,
        100.0 * figures.answer_rate(),
        figures.abstained,
        figures.off_topic,
        100.0 * figures.abstain_rate(),
        figures.urgent_missed.len(),
        figures.urgent_false.len()
    );
    for failure in &figures.failures {
        println!("  {failure}");
    }
    figures
}

fn assert_floor(figures: &Figures, answer_floor: f64, abstain_floor: f64) {
    assert!(
        figures.answer_rate() >= answer_floor,
        "right-passage rate {:.3} is below {answer_floor}: {:#?}",
        figures.answer_rate(),
        figures.failures
    );
    assert!(
        figures.abstain_rate() >= abstain_floor,
        "honest-abstention rate {:.3} is below {abstain_floor}: {:#?}",
        figures.abstain_rate(),
        figures.failures
    );
    assert!(
        figures.urgent_missed.is_empty(),
        "urgent notice missing for {:?}",
        figures.urgent_missed
    );
    assert!(
        figures.urgent_false.is_empty(),
        "urgent notice shown needlessly for {:?}",
        figures.urgent_false
    );
}

#[test]
fn dev_set() {
    let figures = evaluate("eval/dev.jsonl");
    assert_floor(&figures, 0.95, 0.95);
}

#[test]
fn member_style_set() {
    let figures = evaluate("eval/member.jsonl");
    assert!(
        figures.answerable >= 40 && figures.off_topic >= 20,
        "the set must stay large"
    );
    // The bar: 95% on both rates (today 95.0% and 96.7%); see README.
    assert_floor(&figures, 0.95, 0.95);
}

#[test]
fn holdout_set() {
    let figures = evaluate("eval/holdout.jsonl");
    assert!(
        figures.answerable >= 30 && figures.off_topic >= 15,
        "the set must stay large"
    );
    // Floors set from what the retrieval reaches today (91.4% and 100%); see README.
    assert_floor(&figures, 0.90, 0.95);
}
