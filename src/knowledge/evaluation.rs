//! Scoring an evaluation set: the moderators' check that a change to the content (or to
//! Lantern) still answers what members ask, and CI's measure of retrieval.
//!
//! A set is a JSON Lines file of `{"q", "expect", "urgent"}` objects. `expect` lists
//! phrases of the passage that answers (any one in the quoted passage makes it right);
//! an empty list means no passage answers and Lantern must say it does not know; without
//! `expect` only urgency is scored. `urgent` says whether the urgent or crisis notice must
//! show (absent: it must not). An urgent case may name its `kind` ("bleeding", "crisis",
//! ...): then the notice must also be the one for that kind, the crisis notice for
//! thoughts of suicide or self-harm and the urgent-care notice for everything else. A
//! member bleeding heavily who is shown only helplines has not been told to get care.

use serde::{Deserialize, Serialize};

use super::{Knowledge, Outcome};

/// One question of a set, with what a right answer looks like.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Case {
    #[serde(skip)]
    pub line: usize,
    #[serde(rename = "q")]
    pub question: String,
    #[serde(default)]
    pub expect: Option<Vec<String>>,
    #[serde(default)]
    pub urgent: bool,
    /// What kind of emergency an urgent case tells of, when the set says (some sets
    /// call it `class`).
    #[serde(default, alias = "class")]
    pub kind: Option<String>,
    /// Keys of the line that are none of the above, kept to be named: with `expect`
    /// misspelt, the question's answer would silently go unscored.
    #[serde(flatten)]
    pub other_keys: serde_json::Map<String, serde_json::Value>,
}

impl Case {
    /// Whether the crisis notice is the one this urgent case needs, when its kind is
    /// named: "crisis", or a kind that names suicide or self-harm ("suicidal", "Self
    /// harm", "urgent_suicide_selfharm"); any other kind ("bleeding", an adrenal crisis)
    /// needs the urgent-care notice.
    fn needs_crisis_notice(&self) -> Option<bool> {
        let kind = self
            .kind
            .as_deref()?
            .trim()
            .to_lowercase()
            .replace(['-', ' '], "_");
        Some(
            kind == "crisis"
                || kind.contains("suicid")
                || kind.contains("self_harm")
                || kind.contains("selfharm"),
        )
    }
}

/// One warning per key that some cases have and Lantern does not read, with how many
/// lines have it and the first.
pub fn unread_keys_warnings(cases: &[Case]) -> Vec<String> {
    let mut lines_by_key: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for case in cases {
        for key in case.other_keys.keys() {
            lines_by_key.entry(key).or_default().push(case.line);
        }
    }
    lines_by_key
        .into_iter()
        .map(|(key, lines)| {
            format!(
                "`{key}` (on {} line(s), the first line {}) is not read: a line holds \"q\", \"expect\", \"urgent\" \
                 and \"kind\", and without \"expect\" only the question's urgency is scored",
                lines.len(),
                lines[0]
            )
        })
        .collect()
}

/// A line of the set that is not a case; names the line and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct CaseError {
    pub line: usize,
    pub problem: String,
}

/// What every line of a set must be, said after its errors.
pub const CASE_SHAPE: &str = "every line must be a JSON object such as {\"q\": \"why heparin?\", \"expect\": [\"a phrase of the passage\"], \"urgent\": false}";

/// Reads the cases of a set; blank lines and a byte-order mark (a file saved by
/// Notepad) are skipped. Every line that is not a case is named, at once.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, Vec<CaseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Case>(line) {
            Ok(case) => cases.push(Case {
                line: index + 1,
                ..case
            }),
            Err(error) => {
                // serde_json counts lines within the one line it was given.
                let message = error.to_string();
                let at = format!(" at line {} column {}", error.line(), error.column());
                let problem = message.strip_suffix(&at).unwrap_or(&message);
                errors.push(CaseError {
                    line: index + 1,
                    problem: format!("{problem} (column {})", error.column()),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// What went wrong for one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissKind {
    /// An answerable question got a passage that does not answer it.
    WrongPassage,
    /// An answerable question got "I don't know".
    NotAnswered,
    /// A question nothing answers got a passage.
    AnsweredOffTopic,
    UrgentMissed,
    /// An emergency got a notice, but not the one for its kind.
    WrongNotice,
    FalseAlarm,
}

/// One miss, with what was returned instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub line: usize,
    pub kind: MissKind,
    pub question: String,
    pub expected: Vec<String>,
    /// The topic and passage quoted, if any.
    pub topic: Option<String>,
    pub passage: Option<String>,
    pub confidence: Option<f32>,
}

/// The figures of one run of a set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub questions: usize,
    /// Questions some passage answers, and how many got one that does.
    pub answerable: usize,
    pub right: usize,
    /// Answerable questions that got a passage that does not answer them.
    pub wrong: usize,
    /// Questions no passage answers, and how many got an honest "I don't know".
    pub off_topic: usize,
    pub refused: usize,
    /// Answerable questions that got no passage, and among them those whose reply named
    /// the topic holding the answer first, or at all: one click from it in Discord.
    pub declined: usize,
    pub declined_topic_first: usize,
    pub declined_topic_named: usize,
    /// Questions that must get the urgent or crisis notice, and how many did.
    pub urgent: usize,
    pub urgent_flagged: usize,
    /// Emergencies whose kind the set names, and how many got that kind's notice.
    pub kind_named: usize,
    pub right_notice: usize,
    /// Questions that must not, and how many got it anyway.
    pub calm: usize,
    pub false_alarms: usize,
    pub misses: Vec<Miss>,
}

impl Report {
    /// Passages quoted that do not answer: wrong passages plus off-topic answers.
    pub fn wrong_quoted(&self) -> usize {
        self.wrong + (self.off_topic - self.refused)
    }
}

/// Asks every case and scores the answers.
pub fn evaluate(knowledge: &Knowledge, cases: &[Case]) -> Report {
    let mut report = Report {
        questions: cases.len(),
        ..Report::default()
    };
    for case in cases {
        let answer = knowledge.ask(&case.question);
        let quote = match &answer.outcome {
            Outcome::Answered(quote) => Some(quote),
            _ => None,
        };
        let miss = |kind: MissKind| Miss {
            line: case.line,
            kind,
            question: case.question.clone(),
            expected: case.expect.clone().unwrap_or_default(),
            topic: quote.map(|q| q.topic.clone()),
            passage: quote.map(|q| q.passage.clone()),
            confidence: answer.score,
        };
        let flagged = answer.urgency.is_urgent();
        if case.urgent {
            report.urgent += 1;
            report.urgent_flagged += usize::from(flagged);
            if !flagged {
                report.misses.push(miss(MissKind::UrgentMissed));
            }
            if let Some(needs_crisis) = case.needs_crisis_notice() {
                let shown = if needs_crisis {
                    answer.urgency.crisis
                } else {
                    answer.urgency.emergency
                };
                report.kind_named += 1;
                report.right_notice += usize::from(shown);
                if flagged && !shown {
                    report.misses.push(miss(MissKind::WrongNotice));
                }
            }
        } else {
            report.calm += 1;
            report.false_alarms += usize::from(flagged);
            if flagged {
                report.misses.push(miss(MissKind::FalseAlarm));
            }
        }
        match (case.expect.as_deref(), quote) {
            (None, _) => {}
            (Some([]), None) => {
                report.off_topic += 1;
                report.refused += 1;
            }
            (Some([]), Some(_)) => {
                report.off_topic += 1;
                report.misses.push(miss(MissKind::AnsweredOffTopic));
            }
            (Some(expected), Some(quote)) => {
                report.answerable += 1;
                if answers(&quote.passage, expected) {
                    report.right += 1;
                } else {
                    report.wrong += 1;
                    report.misses.push(miss(MissKind::WrongPassage));
                }
            }
            (Some(expected), None) => {
                report.answerable += 1;
                report.declined += 1;
                let holding = answer_topics(knowledge, expected);
                let holds_answer = |title: &String| holding.contains(title);
                let named = answer.named_topics();
                report.declined_topic_first += usize::from(named.first().is_some_and(holds_answer));
                report.declined_topic_named += usize::from(named.iter().any(holds_answer));
                report.misses.push(miss(MissKind::NotAnswered));
            }
        }
    }
    report
}

/// Warnings about cases no answer can satisfy, or every answer can: expected phrases
/// that are in no passage of the content (a typo, or a passage since edited), and an
/// empty phrase, which every passage contains. Either makes the set's figures wrong
/// without a word.
pub fn expectation_warnings(knowledge: &Knowledge, cases: &[Case]) -> Vec<String> {
    let mut in_no_passage = Vec::new();
    let mut empty = Vec::new();
    for case in cases {
        let Some(expected) = case.expect.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        if expected.iter().any(|phrase| phrase.trim().is_empty()) {
            empty.push(case.line);
        } else if answer_topics(knowledge, expected).is_empty() {
            in_no_passage.push(case.line);
        }
    }
    let lines = |lines: &[usize]| {
        lines
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut warnings = Vec::new();
    if !in_no_passage.is_empty() {
        warnings.push(format!(
            "no passage of the content contains the expected phrases of line(s) {}: copy the phrases from the passage word for word",
            lines(&in_no_passage)
        ));
    }
    if !empty.is_empty() {
        warnings.push(format!(
            "line(s) {} expect an empty phrase, which every passage contains: remove it",
            lines(&empty)
        ));
    }
    warnings
}

/// The titles of the topics with a passage that contains one of `expected`.
fn answer_topics(knowledge: &Knowledge, expected: &[String]) -> Vec<String> {
    knowledge
        .library()
        .topics()
        .filter(|t| {
            t.topic
                .passages
                .iter()
                .any(|passage| answers(&passage.text, expected))
        })
        .map(|t| t.topic.title.clone())
        .collect()
}

/// Whether `passage` is the one a case expects: it contains one of the case's phrases.
fn answers(passage: &str, expected: &[String]) -> bool {
    expected
        .iter()
        .any(|phrase| passage.contains(phrase.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case_of_kind(kind: Option<&str>) -> Case {
        Case {
            line: 1,
            question: "q".to_string(),
            expect: None,
            urgent: true,
            kind: kind.map(str::to_string),
            other_keys: serde_json::Map::new(),
        }
    }

    #[test]
    fn every_bad_line_is_named_with_its_own_line_and_column() {
        let errors =
            parse_cases("\u{feff}{\"q\": \"a\"}\n{\"q\": \"a\", \"q\": \"b\"}\n\n{\"q\": 3}\n")
                .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 4], "{errors:?}");
        assert!(
            errors[0]
                .to_string()
                .starts_with("line 2: duplicate field `q` (column"),
            "{}",
            errors[0]
        );
        assert!(!errors[0].to_string().contains("line 1"), "{}", errors[0]);
        assert_eq!(parse_cases("\u{feff}{\"q\": \"a\"}\n").unwrap().len(), 1);
    }

    #[test]
    fn keys_that_are_not_read_are_named() {
        let cases = parse_cases(
            "{\"q\": \"a\", \"expected\": [\"x\"]}\n{\"q\": \"b\", \"class\": \"bleeding\", \"urgent\": true}\n",
        )
        .unwrap();
        let warnings = unread_keys_warnings(&cases);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("`expected` (on 1 line(s), the first line 1)"),
            "{warnings:?}"
        );
        assert_eq!(cases[1].kind.as_deref(), Some("bleeding"));
    }

    #[test]
    fn the_kinds_the_sets_use_name_the_notice_they_need() {
        for (kind, crisis) in [
            ("crisis", true),
            ("urgent_suicide_selfharm", true),
            ("Self-harm", true),
            ("suicidal", true),
            ("Crisis ", true),
            ("self harm", true),
            ("adrenal_crisis", false),
            ("cut_himself_on_warfarin", false),
            ("bleeding", false),
            ("anticoag_bleed", false),
            ("urgent_reduced_movements", false),
        ] {
            assert_eq!(
                case_of_kind(Some(kind)).needs_crisis_notice(),
                Some(crisis),
                "{kind}"
            );
        }
        assert_eq!(case_of_kind(None).needs_crisis_notice(), None);
    }
}
