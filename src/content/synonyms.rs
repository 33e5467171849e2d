//! `synonyms.txt`: the words members use, mapped to the words the articles use.
//!
//! Format, one group per line: `heparin = blood thinner, lovenox, shots`. The first
//! phrase is the article's wording; the rest are what members say. `#` starts a comment.

use std::collections::HashMap;
use std::path::Path;

use super::Reading;
use super::problem::Problem;
use crate::text::words;

/// Why `phrase`, written by a moderator to be matched against questions, never can be:
/// it is made only of words analysis drops. `None` when it can match.
pub(super) fn never_matches(phrase: &str, reading: Reading<'_>) -> Option<String> {
    reading(phrase).is_empty().then(|| {
        format!(
            "\"{phrase}\" is made only of common words Lantern ignores (such as \"the\", \"how\", \"my\"), so it can never match: use a more specific phrase"
        )
    })
}

/// Phrases that mean the same thing to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymGroup {
    /// The article's own phrase first, then the lay phrases.
    pub phrases: Vec<String>,
    pub line: usize,
}

/// Parses `synonyms.txt`.
pub fn parse(
    path: &Path,
    text: &str,
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<SynonymGroup> {
    let mut groups: Vec<SynonymGroup> = Vec::new();
    // Each phrase, as words, with the line that first used it.
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    // Each phrase as search reads it, with the phrase and line that first read so.
    let mut read_alike: HashMap<Vec<String>, (String, usize)> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((article_side, member_side)) = line.split_once('=') else {
            problems.push(Problem::error(
                path,
                Some(line_no),
                "expected `article word = what members say, another way to say it`",
            ));
            continue;
        };
        // Either would make one long phrase that no member's question contains.
        let mistake = if member_side.contains('=') {
            Some("a line holds one `=`: write one group per line")
        } else {
            // A slash inside a word is the word ("m/c"); with a space beside it, a separator.
            let slash_between = line.contains(" /") || line.contains("/ ");
            (line.contains([';', '|']) || slash_between)
                .then_some("phrases are separated by commas, not `;`, `/` or `|`: write `article word = one way, another way`")
        };
        if let Some(mistake) = mistake {
            problems.push(Problem::error(path, Some(line_no), mistake));
            continue;
        }
        let mut phrases = vec![article_side.trim().to_string()];
        // A comma left at the end of a line, as lists are often typed, names nothing.
        let member_side = member_side.trim_end();
        let member_side = member_side.strip_suffix(',').unwrap_or(member_side);
        phrases.extend(member_side.split(',').map(|p| p.trim().to_string()));
        if phrases.iter().any(|p| words(p).is_empty()) {
            problems.push(Problem::error(
                path,
                Some(line_no),
                "a phrase in this line is empty or has no letters: check for a doubled comma or a missing word",
            ));
            continue;
        }
        if let Some(message) = phrases.iter().find_map(|p| never_matches(p, reading)) {
            problems.push(Problem::error(path, Some(line_no), message));
            continue;
        }
        if phrases.len() < 2 {
            problems.push(Problem::error(
                path,
                Some(line_no),
                "give at least one phrase after `=`",
            ));
            continue;
        }
        let mut in_line = std::collections::HashSet::new();
        if let Some(twice) = phrases.iter().find(|p| !in_line.insert(normalized(p))) {
            problems.push(Problem::warning(
                path,
                Some(line_no),
                format!(
                    "\"{twice}\" is written twice in this line: a group names each phrase once; remove one (a word needs no group of its own)"
                ),
            ));
        }
        for phrase in &phrases {
            if let Some(&other_line) = seen.get(&normalized(phrase)) {
                problems.push(Problem::error(
                    path,
                    Some(line_no),
                    format!(
                        "\"{phrase}\" is already in the group on line {other_line}: a phrase can mean only one thing; merge the lines or remove one"
                    ),
                ));
            } else if let Some((other, other_line)) = read_alike.get(&reading(phrase)) {
                // Search reads "lost my baby" as "lost the baby", "consultant" as
                // "consult": the group listed first silently takes the phrase.
                problems.push(Problem::warning(
                    path,
                    Some(line_no),
                    format!(
                        "\"{phrase}\" reads the same as \"{other}\" in the group on line {other_line} once common words and endings are set aside, so members' words are read as that group: merge the lines or remove one"
                    ),
                ));
            }
        }
        for phrase in &phrases {
            seen.entry(normalized(phrase)).or_insert(line_no);
            read_alike
                .entry(reading(phrase))
                .or_insert_with(|| (phrase.clone(), line_no));
        }
        groups.push(SynonymGroup {
            phrases,
            line: line_no,
        });
    }
    groups
}

/// A phrase's words as written, lowercased and folded.
fn normalized(phrase: &str) -> Vec<String> {
    words(phrase).into_iter().map(|w| w.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Search's reading is not known here: each word reads as itself.
    fn words_as_written(phrase: &str) -> Vec<String> {
        words(phrase).into_iter().map(|word| word.text).collect()
    }

    #[test]
    fn groups_and_comments() {
        let mut problems = Vec::new();
        let groups = parse(
            Path::new("synonyms.txt"),
            "# comment\nheparin = blood thinner, Lovenox  # brand\n\nmiscarriage = losing the baby\n",
            &words_as_written,
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(groups[0].phrases, ["heparin", "blood thinner", "Lovenox"]);
        assert_eq!(groups[1].line, 4);

        // A comma left at the end of a line is no empty phrase; a doubled one still is.
        let groups = parse(
            Path::new("synonyms.txt"),
            "heparin = blood thinner, Lovenox,
",
            &words_as_written,
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(groups[0].phrases, ["heparin", "blood thinner", "Lovenox"]);
    }

    #[test]
    fn errors_name_their_line() {
        let mut problems = Vec::new();
        parse(
            Path::new("s.txt"),
            "heparin blood thinner\na = b,, c\nx = Blood  Thinner\nheparin = blood thinner\n\
             nutrients = vitamins; minerals\nd = e = f\ng; h = i\ntheorised = theorized / hypothesised\n\
             j = k | l\nplacenta = placenta\ntendency = tendancy, tendancy\nmiscarriage = m/c\n",
            &words_as_written,
            &mut problems,
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line.unwrap()).collect();
        assert_eq!(lines, [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert!(problems[2].message.contains("line 3"));
        assert!(problems[3].message.contains("commas"));
        assert!(problems[4].message.contains("one `=`"));
        assert!(problems[6].message.contains("not `;`, `/` or `|`"));
        assert!(problems[7].message.contains("not `;`, `/` or `|`"));
        assert!(
            problems[8]
                .message
                .contains("\"placenta\" is written twice")
        );
        assert!(
            problems[9]
                .message
                .contains("\"tendancy\" is written twice")
        );
    }

    /// Two phrases that search reads alike belong to the group listed first, so the
    /// later one is named with the one that takes it.
    #[test]
    fn a_phrase_read_like_another_groups_is_named() {
        let without_my_and_the = |phrase: &str| -> Vec<String> {
            words(phrase)
                .into_iter()
                .map(|word| word.text)
                .filter(|word| word != "my" && word != "the")
                .collect()
        };
        let mut problems = Vec::new();
        let groups = parse(
            Path::new("synonyms.txt"),
            "miscarriage = lost the baby\nstillbirth = stillborn, lost my baby\n",
            &without_my_and_the,
            &mut problems,
        );
        assert_eq!(groups.len(), 2, "a warning, not an error");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(2));
        assert!(
            problems[0].message.contains(
                "\"lost my baby\" reads the same as \"lost the baby\" in the group on line 1"
            ),
            "{}",
            problems[0].message
        );
    }
}
