//! `safety.md`: the texts every reply carries and the patterns that mark an emergency.
//!
//! These live in content rather than code so moderators can add local helpline numbers
//! or a new warning sign the day they learn of it, without a rebuild.

use std::path::Path;

use super::Reading;
use super::markdown::{self, BlockLine, Section};
use super::problem::{Problem, error_count};
use super::promo::promotional_reason;
use crate::text::WordPattern;
use crate::text::limits::{self, char_len};

/// The safety texts and emergency patterns, as loaded from `safety.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyTexts {
    /// "General information, not medical advice."
    pub disclaimer: String,
    /// "Please talk to your doctor or midwife…"
    pub doctor_advice: String,
    /// Shown first when a question describes a medical emergency.
    pub urgent_notice: String,
    /// Shown first when a question speaks of self-harm or suicide.
    pub crisis_notice: String,
    /// Local helplines, listed under the crisis notice.
    pub crisis_helplines: Vec<String>,
    /// Said when no passage answers the question.
    pub not_found: String,
    pub urgent_patterns: Vec<WordPattern>,
    pub crisis_patterns: Vec<WordPattern>,
    /// Short emergencies in members' words: a question close to one in meaning gets the
    /// urgent notice even when no pattern matches its words.
    pub urgent_examples: Vec<String>,
    /// The same for self-harm and suicide, and the crisis notice.
    pub crisis_examples: Vec<String>,
    /// Calm questions in alarming words ("what are the signs of a clot?"): a question
    /// closer to one of these than to any urgent or crisis example is not flagged by
    /// meaning (the patterns still apply).
    pub calm_examples: Vec<String>,
}

/// The keys of `safety.md`, each a `## ` heading.
pub const SAFETY_KEYS: &[&str] = &[
    "disclaimer",
    "doctor_advice",
    "urgent_notice",
    "crisis_notice",
    "crisis_helplines",
    "not_found",
    "urgent_patterns",
    "crisis_patterns",
    "urgent_examples",
    "crisis_examples",
    "calm_examples",
];

/// Parses `safety.md`.
/// `reading` judges whether a pattern's words say anything (see
/// [`super::Reading`]).
pub fn parse(
    path: &Path,
    text: &str,
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) -> Option<SafetyTexts> {
    let before = error_count(problems);
    let document = markdown::parse(path, text, markdown::Headings::Keys, problems);
    if document.front_matter.is_some() {
        problems.push(Problem::error(
            path,
            Some(1),
            "safety.md has no front matter: remove the `---` block and keep only `## key` sections",
        ));
    }
    let sections = Sections::known(path, &document.sections, problems);
    let texts = SafetyTexts {
        disclaimer: sections.text("disclaimer", problems),
        doctor_advice: sections.text("doctor_advice", problems),
        urgent_notice: sections.text("urgent_notice", problems),
        crisis_notice: sections.text("crisis_notice", problems),
        crisis_helplines: sections.helplines(problems),
        not_found: sections.text("not_found", problems),
        urgent_patterns: sections.patterns("urgent_patterns", reading, problems),
        crisis_patterns: sections.patterns("crisis_patterns", reading, problems),
        urgent_examples: sections.examples("urgent_examples", problems),
        crisis_examples: sections.examples("crisis_examples", problems),
        calm_examples: sections.examples("calm_examples", problems),
    };
    if error_count(problems) > before {
        return None;
    }
    sections.check_sizes(&texts, problems);
    if error_count(problems) > before {
        return None;
    }
    Some(texts)
}

/// The sections of safety.md with a known key, each key once.
struct Sections<'a> {
    path: &'a Path,
    found: Vec<&'a Section>,
}

impl<'a> Sections<'a> {
    /// Keeps the sections with a known key, reporting unknown and repeated keys and any
    /// promotional line.
    fn known(path: &'a Path, sections: &'a [Section], problems: &mut Vec<Problem>) -> Self {
        let mut found: Vec<&Section> = Vec::new();
        for section in sections {
            if !SAFETY_KEYS.contains(&section.heading.as_str()) {
                problems.push(Problem::error(
                    path,
                    Some(section.line),
                    format!(
                        "unknown safety key `{}`: the keys are {}",
                        section.heading,
                        SAFETY_KEYS.join(", ")
                    ),
                ));
            } else if let Some(first) = found.iter().find(|s| s.heading == section.heading) {
                problems.push(Problem::error(
                    path,
                    Some(section.line),
                    format!(
                        "`{}` is given twice (first on line {}): keep one",
                        section.heading, first.line
                    ),
                ));
            } else {
                found.push(section);
            }
            for line in section.blocks.iter().flat_map(|b| &b.lines) {
                if let Some(reason) = promotional_reason(&line.text) {
                    problems.push(Problem::error(
                        path,
                        Some(line.line),
                        format!("promotional material: {reason}. Remove it from the safety texts"),
                    ));
                }
            }
        }
        Sections { path, found }
    }

    /// Whether `texts` leave room in one Discord message for what they go with: every
    /// problem is reported, at the line of the section to shorten.
    fn check_sizes(&self, texts: &SafetyTexts, problems: &mut Vec<Problem>) {
        let line = |key: &str| self.find(key).map(|section| section.line);
        let notices_and_footer: usize = [
            &texts.crisis_notice,
            &texts.urgent_notice,
            &texts.disclaimer,
            &texts.doctor_advice,
        ]
        .iter()
        .map(|text| char_len(text) + 2)
        .chain(texts.crisis_helplines.iter().map(|line| char_len(line) + 1))
        .sum();
        let footer = char_len(&texts.disclaimer) + char_len(&texts.doctor_advice);
        if footer > limits::FOOTER {
            problems.push(Problem::error(
                self.path,
                line("disclaimer"),
                format!(
                    "the disclaimer and doctor advice add up to {footer} characters; they close every reply and /about, so keep them under {} together",
                    limits::FOOTER
                ),
            ));
        }
        if notices_and_footer > limits::SAFETY_TEXTS {
            problems.push(Problem::error(
                self.path,
                line("crisis_notice"),
                format!(
                    "the crisis and urgent notices, helplines, disclaimer and doctor advice add up to {notices_and_footer} characters; with a passage they must fit in one Discord message ({} characters), so keep them under {}",
                    limits::MESSAGE_CONTENT,
                    limits::SAFETY_TEXTS
                ),
            ));
        }
        // A reply that quotes nothing shows `not_found` and names the closest topics in
        // the room a passage would have had.
        let not_found_room = limits::MESSAGE_CONTENT
            .saturating_sub(notices_and_footer + limits::NAMED_TOPICS_LINE + 4);
        let not_found = char_len(&texts.not_found);
        if not_found > not_found_room {
            problems.push(Problem::error(
                self.path,
                line("not_found"),
                format!(
                    "not_found is {not_found} characters; with the notices and the closest topics named under it, it must fit in one Discord message, so keep it under {not_found_room}"
                ),
            ));
        }
    }

    fn find(&self, key: &str) -> Option<&'a Section> {
        self.found.iter().copied().find(|s| s.heading == key)
    }

    /// A required text section, its blocks joined by blank lines.
    fn text(&self, key: &str, problems: &mut Vec<Problem>) -> String {
        match self.find(key) {
            Some(section) if !section.blocks.is_empty() => {
                let blocks: Vec<String> = section.blocks.iter().map(|b| b.text()).collect();
                blocks.join("\n\n")
            }
            Some(section) => {
                problems.push(Problem::error(
                    self.path,
                    Some(section.line),
                    format!("`{key}` has no text: write it under the heading"),
                ));
                String::new()
            }
            None => {
                problems.push(Problem::error(
                    self.path,
                    None,
                    format!("`## {key}` is missing: every reply needs it, add the section back"),
                ));
                String::new()
            }
        }
    }

    /// A required list of patterns, each forgiving one slip.
    fn patterns(
        &self,
        key: &str,
        reading: Reading<'_>,
        problems: &mut Vec<Problem>,
    ) -> Vec<WordPattern> {
        let Some(section) = self.find(key) else {
            problems.push(Problem::error(
                self.path,
                None,
                format!(
                    "`## {key}` is missing: add the section back with one `- pattern` per line"
                ),
            ));
            return Vec::new();
        };
        let mut patterns = Vec::new();
        for (item, pattern_text) in list_items(self.path, section, key, "patterns", problems) {
            // Markdown joins an unmarked line to the item above it; read as `suicid* hang
            // myself`, a pattern matches neither, and the notice would be silently lost.
            // (An example wrapped over lines is one sentence, read whole.)
            if item.last_line > item.line {
                problems.push(Problem::error(
                    self.path,
                    Some(item.last_line),
                    format!(
                        "this line continues the one above it: patterns are one per line, each starting with `- ` (in `{key}`)"
                    ),
                ));
                continue;
            }
            match WordPattern::parse(pattern_text) {
                // "my" or "the" alone would put the notice on nearly every question.
                Ok(_) if reading(&pattern_text.replace("...", " ").replace('*', "")).is_empty() => {
                    problems.push(Problem::error(
                        self.path,
                        Some(item.line),
                        format!(
                            "pattern `{pattern_text}` is made only of common words (such as \"the\", \"my\", \"how\"): it would put the notice on nearly every question; make it more specific (in `{key}`)"
                        ),
                    ))
                }
                // Members in distress misspell the very words these look for.
                Ok(pattern) => {
                    if crate::text::reads_as_alternatives(pattern_text) {
                        problems.push(Problem::warning(
                            self.path,
                            Some(item.line),
                            format!(
                                "pattern `{pattern_text}` matches its words in a row (a slash or comma is read as a space), not any one of them: if you meant alternatives, write each as its own `- ` line (in `{key}`)"
                            ),
                        ));
                    }
                    patterns.push(pattern.forgiving());
                }
                Err(error) => problems.push(Problem::error(
                    self.path,
                    Some(item.line),
                    format!("pattern `{pattern_text}` cannot be used: {error}"),
                )),
            }
        }
        if patterns.is_empty() && section.blocks.is_empty() {
            problems.push(Problem::error(
                self.path,
                Some(section.line),
                format!("`{key}` has no patterns: list at least one, as `- heavy bleeding`"),
            ));
        }
        patterns
    }

    /// An optional list of examples: without them only the patterns watch for
    /// emergencies, which is worth a warning.
    fn examples(&self, key: &str, problems: &mut Vec<Problem>) -> Vec<String> {
        let lost = if key == "calm_examples" {
            "questions that only ask about warning signs may get the urgent notice"
        } else {
            "these emergencies are caught only by the exact words of the patterns"
        };
        let Some(section) = self.find(key) else {
            problems.push(Problem::warning(
                self.path,
                None,
                format!(
                    "there is no `## {key}` section: {lost}; add short examples in members' words, one `- ` line each"
                ),
            ));
            return Vec::new();
        };
        let examples: Vec<String> = list_items(self.path, section, key, "examples", problems)
            .into_iter()
            .map(|(_, text)| text.to_string())
            .collect();
        // An emptied section weakens the net as much as a missing one.
        if examples.is_empty() {
            problems.push(Problem::warning(
                self.path,
                Some(section.line),
                format!(
                    "`## {key}` lists no examples: {lost}; add short examples in members' words, one `- ` line each"
                ),
            ));
        }
        examples
    }

    /// The helplines, one per line; optional, with a warning.
    fn helplines(&self, problems: &mut Vec<Problem>) -> Vec<String> {
        match self.find("crisis_helplines") {
            Some(section) => {
                let lines: Vec<String> = section
                    .blocks
                    .iter()
                    .flat_map(|b| &b.lines)
                    .map(|l| l.text.clone())
                    .collect();
                if lines.is_empty() {
                    problems.push(Problem::warning(
                        self.path,
                        Some(section.line),
                        "`## crisis_helplines` is empty: members in crisis see no local helpline numbers; add one line for each",
                    ));
                }
                lines
            }
            None => {
                problems.push(Problem::warning(
                    self.path,
                    None,
                    "there is no `## crisis_helplines` section: members in crisis see no local helpline numbers",
                ));
                Vec::new()
            }
        }
    }
}

/// The list items of `section` with their text, the marker removed; any other line is an
/// error naming what the section holds (`what`: "patterns", "examples").
fn list_items<'a>(
    path: &Path,
    section: &'a Section,
    key: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(&'a BlockLine, &'a str)> {
    let mut items = Vec::new();
    for line in section.blocks.iter().flat_map(|b| &b.lines) {
        if line.list_item {
            let text = markdown::list_item_text(&line.text).unwrap_or(&line.text);
            items.push((line, text.trim()));
        } else {
            problems.push(Problem::error(
                path,
                Some(line.line),
                format!("{what} are list items: start the line with `- ` (in `{key}`)"),
            ));
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const MINIMAL: &str = "## disclaimer\nNot advice.\n## doctor_advice\nSee a doctor.\n\
        ## urgent_notice\nGet help now.\n## crisis_notice\nYou matter.\n## crisis_helplines\n- 988\n\
        ## not_found\nNot found.\n## urgent_patterns\n- heavy bleed*\n## crisis_patterns\n- kill* myself\n\
        ## urgent_examples\n- I am bleeding heavily\n## crisis_examples\n- I want to die\n\
        ## calm_examples\n- what are the signs of a clot\n";

    /// Parses `text` as safety.md, each word of a pattern read as itself (search's
    /// reading is not known here).
    fn parse_words_as_written(text: &str, problems: &mut Vec<Problem>) -> Option<SafetyTexts> {
        parse(
            Path::new("safety.md"),
            text,
            &|phrase| vec![phrase.to_string()],
            problems,
        )
    }

    #[test]
    fn reads_every_key() {
        let mut problems = Vec::new();
        let texts = parse_words_as_written(MINIMAL, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(texts.doctor_advice, "See a doctor.");
        assert_eq!(texts.crisis_helplines, ["- 988"]);
        assert_eq!(texts.urgent_patterns[0].as_str(), "heavy bleed*");
        assert_eq!(texts.urgent_examples, ["I am bleeding heavily"]);
        assert_eq!(texts.crisis_examples, ["I want to die"]);
        assert_eq!(texts.calm_examples, ["what are the signs of a clot"]);
    }

    #[test]
    fn unknown_key_and_bad_pattern_are_reported_with_lines() {
        let text = MINIMAL
            .replace("## not_found", "## not_fonud")
            .replace("- kill* myself", "- ... myself");
        let mut problems = Vec::new();
        assert!(parse_words_as_written(&text, &mut problems).is_none());
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(messages.iter().any(
            |m| m.starts_with("safety.md:11:") && m.contains("unknown safety key `not_fonud`")
        ));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`## not_found` is missing"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("safety.md:16:") && m.contains("cannot be used"))
        );
    }

    /// Each pattern is one list item: a numbered one is read without its number, and a
    /// line without a marker under a pattern (which Markdown joins to it) is an error at
    /// that line, not a longer pattern that matches nothing; an example may wrap.
    #[test]
    fn patterns_are_one_list_item_each() {
        let numbered = MINIMAL.replace("- kill* myself", "1. kill* myself\n2) suicid*");
        let mut problems = Vec::new();
        let texts = parse_words_as_written(&numbered, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let patterns: Vec<&str> = texts.crisis_patterns.iter().map(|p| p.as_str()).collect();
        assert_eq!(patterns, ["kill* myself", "suicid*"]);

        let wrapped = MINIMAL.replace("- I want to die", "- I want to die\nand I mean it");
        let mut problems = Vec::new();
        let texts = parse_words_as_written(&wrapped, &mut problems).unwrap();
        assert_eq!(texts.crisis_examples, ["I want to die and I mean it"]);

        for joined in ["hang myself", "    hang myself"] {
            let text = MINIMAL.replace("- kill* myself", &format!("- kill* myself\n{joined}"));
            let mut problems = Vec::new();
            assert!(parse_words_as_written(&text, &mut problems).is_none());
            let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            assert_eq!(messages.len(), 1, "{messages:?}");
            assert!(
                messages[0].starts_with("safety.md:17:") && messages[0].contains("continues"),
                "{messages:?}"
            );
        }
    }
}
