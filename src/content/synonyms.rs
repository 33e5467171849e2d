//! `synonyms.txt`: the words members use, mapped to the words the articles use.
//!
//! Format, one group per line: `heparin = blood thinner, lovenox, shots`. The first
//! phrase is the article's wording; the rest are what members say. `#` starts a comment.

use std::collections::HashMap;
use std::path::Path;

use super::Matchable;
use super::problem::Problem;
use crate::text::words;

/// Why `phrase`, written by a moderator to be matched against questions, never can be:
/// it is made only of words analysis drops. `None` when it can match.
pub(super) fn never_matches(phrase: &str, matchable: Matchable<'_>) -> Option<String> {
    (!matchable(phrase)).then(|| {
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
    matchable: Matchable<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<SynonymGroup> {
    let mut groups: Vec<SynonymGroup> = Vec::new();
    // Each phrase, as words, with the line that first used it.
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
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
            line.contains(';')
                .then_some("phrases are separated by commas, not `;`")
        };
        if let Some(mistake) = mistake {
            problems.push(Problem::error(path, Some(line_no), mistake));
            continue;
        }
        let mut phrases = vec![article_side.trim().to_string()];
        phrases.extend(member_side.split(',').map(|p| p.trim().to_string()));
        if phrases.iter().any(|p| words(p).is_empty()) {
            problems.push(Problem::error(
                path,
                Some(line_no),
                "a phrase in this line is empty or has no letters: check for a doubled comma or a missing word",
            ));
            continue;
        }
        if let Some(message) = phrases.iter().find_map(|p| never_matches(p, matchable)) {
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
        for phrase in &phrases {
            if let Some(&other_line) = seen.get(&normalized(phrase)) {
                problems.push(Problem::error(
                    path,
                    Some(line_no),
                    format!(
                        "\"{phrase}\" is already in the group on line {other_line}: a phrase can mean only one thing; merge the lines or remove one"
                    ),
                ));
            }
        }
        for phrase in &phrases {
            seen.entry(normalized(phrase)).or_insert(line_no);
        }
        groups.push(SynonymGroup {
            phrases,
            line: line_no,
        });
    }
    groups
}

fn normalized(phrase: &str) -> Vec<String> {
    words(phrase).into_iter().map(|w| w.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Search's reading is not known here; any phrase with a word can match.
    fn has_words(phrase: &str) -> bool {
        !words(phrase).is_empty()
    }

    #[test]
    fn groups_and_comments() {
        let mut problems = Vec::new();
        let groups = parse(
            Path::new("synonyms.txt"),
            "# comment\nheparin = blood thinner, Lovenox  # brand\n\nmiscarriage = losing the baby\n",
            &has_words,
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(groups[0].phrases, ["heparin", "blood thinner", "Lovenox"]);
        assert_eq!(groups[1].line, 4);
    }

    #[test]
    fn errors_name_their_line() {
        let mut problems = Vec::new();
        parse(
            Path::new("s.txt"),
            "heparin blood thinner\na = b,, c\nx = Blood  Thinner\nheparin = blood thinner\n\
             nutrients = vitamins; minerals\nd = e = f\ng; h = i\n",
            &has_words,
            &mut problems,
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line.unwrap()).collect();
        assert_eq!(lines, [1, 2, 4, 5, 6, 7]);
        assert!(problems[2].message.contains("line 3"));
        assert!(problems[3].message.contains("commas"));
        assert!(problems[4].message.contains("one `=`"));
    }
}
