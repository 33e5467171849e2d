//! Retrieval quality, measured the way a moderator would: `lantern eval` runs each
//! evaluation set and its JSON report is held to floors; every reply of the older sets is
//! also checked, through `lantern ask --json` batch mode, for the promises every reply
//! keeps.
//!
//! Files (one JSON object per line): `q` the question; `expect` the acceptable phrases,
//! one of which the returned passage must contain (an empty list: the bot must say it
//! does not know; absent: any answer will do); `urgent` whether the urgent-care notice
//! must show (absent means it must not); on most urgent sets `kind` (or `class`), the
//! emergency's kind, whose notice (crisis or urgent care) must be the one shown.
//!
//! `tests/data/eval/dev.jsonl` is the product's development sample; `member.jsonl` was
//! written separately in members' own style (rambling, misspelt, near misses);
//! `holdout.jsonl` was written with it but kept out of sight until the retrieval was
//! built, then run once (see README for that first figure). `corpus-b/` to `corpus-h/`
//! add new articles with questions over them (`corpus-d/`, `corpus-e/` and `corpus-h/`
//! fit nothing, and `corpus-e/`'s and `corpus-h/`'s questions are never printed);
//! `short-1/` and `short-2/` ask short questions over corpus B's and F's articles;
//! `urgent.jsonl` and `urgent-2.jsonl` hold emergencies in members' words, and
//! `urgent-fit.jsonl` more of them, written to fit the urgent gate's thresholds. None is
//! tuned question by question: a failure is fixed only by a general change, never a
//! special case.

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

/// Runs `lantern eval --json` on a set, against the bundled content plus the articles
/// of `article_folders`, and prints the report as a moderator would read it.
fn eval_report(file: &str, article_folders: &[&str]) -> Value {
    let content = common::content_copy();
    for folder in article_folders {
        for entry in fs::read_dir(data_file(folder)).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(
                &path,
                content
                    .path()
                    .join("articles")
                    .join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    let dir = content.path().display().to_string();
    let set = data_file(file).display().to_string();
    let lantern = Lantern::new();
    let text = lantern.run(&["eval", &set, "--content", &dir]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    if UNREAD_SETS.contains(&file) {
        // Figures only: the misses (questions, expected and returned passages) of a set
        // kept unread must never be shown, and they all come after the figures.
        for line in text.stdout.lines().take_while(|l| !l.starts_with("line ")) {
            println!("{line}");
        }
    } else {
        println!("{}", text.stdout);
    }
    let run = lantern.run(&["eval", "--json", &set, "--content", &dir]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("one JSON object")
}

/// Sets whose questions nobody has read: their misses are never printed, here or in a
/// failed assertion.
const UNREAD_SETS: [&str; 5] = [
    "eval/urgent-2.jsonl",
    "eval/urgent-3.jsonl",
    "eval/urgent-4.jsonl",
    "eval/corpus-e/questions.jsonl",
    "eval/corpus-h/questions.jsonl",
];

/// The report's figures without its misses, for assertion messages.
fn figures(report: &Value) -> Value {
    let mut figures = report.clone();
    if let Some(object) = figures.as_object_mut() {
        object.remove("misses");
    }
    figures
}

/// Floors under today's figures (README, "Evaluation"): they catch a regression, they are
/// not the goal. `urgent_misses` is how many emergencies may go without the notice.
fn assert_floors(
    report: &Value,
    right: f64,
    refused: f64,
    wrong_quoted: u64,
    urgent_misses: u64,
    false_alarms: u64,
) {
    let count = |key: &str| report[key].as_u64().unwrap();
    let share = |part: &str, whole: &str| count(part) as f64 / count(whole).max(1) as f64;
    let wrong = count("wrong") + count("off_topic") - count("refused");
    assert!(
        share("right", "answerable") >= right,
        "right passages below {right}: {:#}",
        figures(report)
    );
    assert!(
        share("refused", "off_topic") >= refused,
        "honest refusals below {refused}: {:#}",
        figures(report)
    );
    assert!(
        wrong <= wrong_quoted,
        "{wrong} wrong passages quoted, more than {wrong_quoted}"
    );
    assert!(
        count("urgent") - count("urgent_flagged") <= urgent_misses,
        "urgent notices missing: {:#}",
        figures(report)
    );
    assert!(
        count("false_alarms") <= false_alarms,
        "needless urgent notices: {:#}",
        figures(report)
    );
}

/// When Lantern declines a question the articles answer, its reply should still name the
/// topic that holds the answer (a "Read" button in Discord): at least `share` of the time.
fn assert_declines_name_the_answer(report: &Value, share: f64) {
    let count = |key: &str| report[key].as_u64().unwrap();
    if count("declined") == 0 {
        return;
    }
    let named = count("declined_topic_named") as f64 / count("declined") as f64;
    assert!(
        named >= share,
        "declined questions whose reply names the answer's topic below {share}: {:#}",
        figures(report)
    );
}

/// Every reply keeps its promises, and `lantern eval` (which every floor below trusts)
/// counts as this independent reading of `lantern ask --json` does.
#[test]
fn every_reply_keeps_its_promises_on_every_set() {
    for file in ["eval/dev.jsonl", "eval/member.jsonl", "eval/holdout.jsonl"] {
        let figures = evaluate(file);
        let report = eval_report(file, &[]);
        let count = |key: &str| report[key].as_u64().unwrap() as usize;
        assert_eq!(
            (
                count("right"),
                count("answerable"),
                count("refused"),
                count("off_topic")
            ),
            (
                figures.answered_right,
                figures.answerable,
                figures.abstained,
                figures.off_topic
            ),
            "{file}: lantern eval counts differently: {:#}",
            self::figures(&report)
        );
        assert_eq!(
            count("urgent") - count("urgent_flagged"),
            figures.urgent_missed.len(),
            "{file}"
        );
        assert_eq!(count("false_alarms"), figures.urgent_false.len(), "{file}");
    }
}

#[test]
fn dev_set() {
    let report = eval_report("eval/dev.jsonl", &[]);
    assert_floors(&report, 0.85, 0.95, 3, 0, 0);
}

#[test]
fn member_style_set() {
    let report = eval_report("eval/member.jsonl", &[]);
    assert!(
        report["answerable"].as_u64().unwrap() >= 40,
        "the set must stay large"
    );
    assert_floors(&report, 0.78, 0.95, 3, 0, 1);
}

#[test]
fn holdout_set() {
    let report = eval_report("eval/holdout.jsonl", &[]);
    assert_floors(&report, 0.75, 0.95, 3, 0, 1);
}

/// The report of a new-article set: `tests/data/eval/{corpus}/questions.jsonl` over the
/// bundled content with the set's `articles` folder added.
fn corpus_report(corpus: &str, articles: &str) -> Value {
    eval_report(
        &format!("eval/{corpus}/questions.jsonl"),
        &[&format!("eval/{corpus}/{articles}")],
    )
}

/// A new-article set over its own articles, held to [`assert_floors`] (no emergency
/// missed) and to naming the answer's topic in at least `named` of its declines.
fn new_article_set(
    corpus: &str,
    right: f64,
    refused: f64,
    wrong_quoted: u64,
    false_alarms: u64,
    named: f64,
) {
    let report = corpus_report(corpus, "articles");
    assert_floors(&report, right, refused, wrong_quoted, 0, false_alarms);
    assert_declines_name_the_answer(&report, named);
}

/// New articles a moderator team would add, with member-style questions: the measure of
/// whether retrieval works on content it was not built on.
#[test]
fn corpus_b_new_articles() {
    new_article_set("corpus-b", 0.21, 0.95, 1, 4, 0.95);
}

#[test]
fn corpus_c_new_articles() {
    new_article_set("corpus-c", 0.18, 0.95, 5, 5, 0.84);
}

/// Written blind to the code, synonyms and safety texts, and used to fit nothing: the
/// truest measure of a moderator team's next articles.
#[test]
fn corpus_d_new_articles() {
    new_article_set("corpus-d", 0.11, 0.85, 4, 7, 0.85);
}

/// Written blind to the code, synonyms and safety texts after the last change to either,
/// run once for its first figures, never read and never fitted on: its misses are not
/// printed (see [`UNREAD_SETS`]).
#[test]
fn corpus_e_new_articles() {
    new_article_set("corpus-e", 0.18, 0.95, 4, 12, 0.73);
}

/// Written blind like corpus E, then read; fitted on nothing (README, "More new-article
/// sets").
#[test]
fn corpus_f_new_articles() {
    new_article_set("corpus-f", 0.21, 0.95, 3, 15, 0.82);
}

#[test]
fn corpus_g_new_articles() {
    new_article_set("corpus-g", 0.16, 0.9, 5, 8, 0.87);
}

/// The new articles with the `Also asked` lines a moderator wrote for them without
/// seeing the questions (`articles-with-also-asked/`): what `content/README.md` asks of
/// a moderator adding an article must lead members to more right answers, on every set.
/// Sets kept unread print their figures only.
#[test]
fn a_moderators_also_asked_lines_help_on_new_articles() {
    // Set, least share of right answers and most wrong passages quoted with the lines.
    for (corpus, right_share, wrong_quoted) in [
        ("corpus-d", 0.18, 4),
        ("corpus-e", 0.23, 3),
        ("corpus-f", 0.3, 3),
        ("corpus-g", 0.23, 5),
        ("corpus-h", 0.23, 2),
    ] {
        let plain = corpus_report(corpus, "articles");
        let moderated = corpus_report(corpus, "articles-with-also-asked");
        let right = |report: &Value| report["right"].as_u64().unwrap();
        assert!(
            right(&moderated) > right(&plain),
            "{corpus}: {} right with the moderator's lines, {} without",
            right(&moderated),
            right(&plain)
        );
        assert_floors(&moderated, right_share, 0.85, wrong_quoted, 0, 18);
    }
}

/// Written blind with F and G, never read and never fitted on: its misses are not
/// printed (see [`UNREAD_SETS`]).
#[test]
fn corpus_h_new_articles() {
    new_article_set("corpus-h", 0.21, 0.95, 2, 13, 0.76);
}

/// Short questions (one to seven words, as members often type them) over the bundled
/// article with corpus B's articles (`short-1`) or corpus F's (`short-2`), written blind
/// to the code. Their off-topic questions ask what a term is that the articles only name
/// in passing, which Lantern answered with the passage naming it until a question asking
/// only what one thing is needed a passage defining it or about it (README, "Short
/// questions").
#[test]
fn short_questions() {
    // Set, articles, least share right, least share of honest refusals, most wrong
    // passages quoted, most needless notices, least share of declines naming the topic.
    for (set, articles, right, refused, wrong_quoted, false_alarms, named) in [
        ("short-1", "corpus-b", 0.49, 0.70, 11, 0, 0.83),
        ("short-2", "corpus-f", 0.56, 0.85, 8, 3, 0.89),
    ] {
        let report = eval_report(
            &format!("eval/{set}/questions.jsonl"),
            &[&format!("eval/{articles}/articles")],
        );
        assert_floors(&report, right, refused, wrong_quoted, 0, false_alarms);
        assert_declines_name_the_answer(&report, named);
    }
}

/// Urgent sets whose lines do not name the emergency's kind (`kind`, or `class`).
const SETS_WITHOUT_KINDS: [&str; 2] = ["eval/urgent-2.jsonl", "eval/urgent-fit-8.jsonl"];

/// A set scored on urgency alone (no `expect`), over the bundled content, held to its
/// [`Floors`]: it must keep its emergencies, and may miss, flag calm questions and give
/// emergencies whose kind it names only the other kind's notice at most so often.
fn urgent_only_set(file: &str, floors: Floors) {
    urgent_only_report(&eval_report(file, &[]), file, floors);
}

/// [`urgent_only_set`]'s checks on `report`, the set `file`'s report.
fn urgent_only_report(report: &Value, file: &str, floors: Floors) {
    let (emergencies, misses, false_alarms, wrong_notices) = floors;
    assert_eq!(report["urgent"].as_u64(), Some(emergencies), "{file}");
    assert_floors(report, 0.0, 0.0, u64::MAX, misses, false_alarms);
    let named = report["kind_named"].as_u64().unwrap();
    if SETS_WITHOUT_KINDS.contains(&file) {
        assert_eq!(named, 0, "{file}");
    } else {
        assert_eq!(
            named, emergencies,
            "{file}: every emergency's kind is named"
        );
    }
    let wrong = report["misses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|miss| miss["kind"] == "wrong_notice")
        .count();
    assert!(
        wrong <= wrong_notices,
        "{file}: {wrong} emergencies got only the other kind's notice: {:#}",
        figures(report)
    );
}

/// A larger library must not quiet the gate: the two held-out urgent sets over one
/// folder holding every new-article set's 28 articles and the bundled one meet the same
/// floors as over the bundled article alone. Passages as calm evidence failed exactly
/// this (`docs/urgent-gate-history.md`, twelfth round): a library's own warning-sign
/// passages sit close to members telling of those signs.
#[test]
fn a_larger_library_flags_as_many_emergencies() {
    let corpora = ["b", "c", "d", "e", "f", "g", "h"].map(|c| format!("eval/corpus-{c}/articles"));
    let articles: Vec<&str> = corpora.iter().map(String::as_str).collect();
    // 28 new articles beside the bundled one; none may replace another on the copy.
    let mut names: Vec<_> = articles
        .iter()
        .flat_map(|folder| fs::read_dir(data_file(folder)).unwrap())
        .map(|entry| entry.unwrap().file_name())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 28);
    for (file, floors) in [
        ("eval/urgent.jsonl", URGENT_SET_FLOORS),
        ("eval/urgent-4.jsonl", FOURTH_URGENT_SET_FLOORS),
    ] {
        urgent_only_report(&eval_report(file, &articles), file, floors);
    }
}

/// `urgent.jsonl`'s floors: emergencies, most missed, most false alarms, most given only
/// the other kind's notice.
const URGENT_SET_FLOORS: Floors = (100, 0, 10, 0);

/// `urgent-4.jsonl`'s floors, as [`URGENT_SET_FLOORS`].
const FOURTH_URGENT_SET_FLOORS: Floors = (100, 13, 26, 2);

/// An urgent-only set's floors: emergencies, most missed, most false alarms, most given
/// only the other kind's notice.
type Floors = (u64, u64, u64, usize);

/// Emergencies in members' own words, and calm questions with alarming words.
#[test]
fn urgent_set() {
    urgent_only_set("eval/urgent.jsonl", URGENT_SET_FLOORS);
}

/// A second blind set of emergencies and calm questions, written after the first had been
/// read while working on the gate; its questions are not read. Since the third fitting
/// round it is a validation set of the threshold procedure (`tests/urgent_fit.rs`), so
/// its figures are no longer a held-out measure.
#[test]
fn second_urgent_set() {
    urgent_only_set("eval/urgent-2.jsonl", (70, 2, 8, 0));
}

/// A third blind set, written by another writer blind to the code, the safety texts and
/// every other set; its questions are not read. Since the ninth round it is the
/// threshold procedure's second validation set, so no longer a held-out measure.
#[test]
fn third_urgent_set() {
    urgent_only_set("eval/urgent-3.jsonl", (90, 6, 12, 0));
}

/// A fourth blind set, written by another writer blind to the code, the safety texts and
/// every other set once the ninth round's choices were made; its questions are not read,
/// and nothing is fitted or chosen on it.
#[test]
fn fourth_urgent_set() {
    urgent_only_set("eval/urgent-4.jsonl", FOURTH_URGENT_SET_FLOORS);
}

/// The set written to fit the urgent gate's thresholds (`tests/urgent_fit.rs`), so its
/// figures are not a blind measure; held here so a change to the examples is noticed.
#[test]
fn urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit.jsonl", (61, 0, 8, 0));
}

/// The third fitting set: emergencies a maternity unit would see beyond the product contract's list
/// (stroke, allergic reaction, vomited blood) and calm questions about loss; not blind.
#[test]
fn third_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-3.jsonl", (100, 0, 22, 2));
}

/// The fourth fitting set: emergencies told indirectly, minimised, in txt-speak or with
/// numbers; calm questions a keyword filter would flag. Not blind.
#[test]
fn fourth_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-4.jsonl", (100, 1, 22, 0));
}

/// The fifth fitting set: emergencies buried in long calm posts or told through what
/// someone does; calm posts about past emergencies, anniversaries, terms and minor
/// signs. Not blind.
#[test]
fn fifth_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-5.jsonl", (90, 1, 28, 1));
}

/// The sixth fitting set: emergencies told in everyday words, without the names of the
/// signs (what the bathroom looks like, what someone can no longer do), and calm posts
/// with strong body words. Not blind.
#[test]
fn sixth_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-6.jsonl", (100, 4, 21, 2));
}

/// The seventh fitting set: the everyday calm questions of a support community, with
/// emergencies told in the same style. Not blind.
#[test]
fn seventh_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-7.jsonl", (40, 0, 15, 0));
}

/// The eighth fitting set: emergencies after a birth and told as reassurance-seeking
/// questions, by someone else or minimised. Not blind.
#[test]
fn eighth_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-8.jsonl", (100, 0, 9, 0));
}

/// The ninth fitting set: thoughts of suicide or self-harm in bereaved parents' and
/// chronically ill members' words (joining the baby who died, a plan, a place, medicines
/// counted, feeling a burden, someone else unreachable after a goodbye), and calm posts
/// of grief, remembrance, medicine doses and resolved crises. Not blind.
#[test]
fn ninth_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-9.jsonl", (70, 10, 19, 3));
}

/// The second fitting set, written to be harder (disguised words, indirect telling); not
/// blind either.
#[test]
fn second_urgent_fitting_set() {
    urgent_only_set("eval/urgent-fit-2.jsonl", (100, 1, 11, 0));
}
