//! Synonym groups, applied the same way to passages and to questions.
//!
//! A lay phrase and the article's wording must become the same thing, and a phrase must
//! keep its own meaning: "bone loss" in an article is about bones, not a pregnancy loss,
//! even though "loss" alone means miscarriage to members. So both sides are segmented
//! the same way, longest phrase first, and every phrase of a group becomes one group
//! token. A passage that says "heparin" and "blood thinner" then expresses one concept,
//! counted once.
//!
//! Passages also keep the plain terms of the words inside a multi-word phrase, and a
//! group whose article wording is one word also matches that word's plain term. So
//! "miscarriage signs" still speaks of miscarriage, while "loss" inside "bone loss" never
//! reads as a pregnancy loss: "loss" is a member's word for miscarriage, not the
//! article's.

use std::collections::{HashMap, HashSet};

use super::analysis::{Analyzed, TermClass, Token, term};
use crate::content::SynonymGroup;
use crate::text::words;

/// A synonym group with every phrase analysed into index terms.
#[derive(Debug, Clone)]
pub struct AnalyzedGroup {
    /// The article's wording, for explanations.
    pub name: String,
    /// Each phrase as index terms, the article's own wording first.
    pub phrases: Vec<Vec<String>>,
}

impl AnalyzedGroup {
    /// The article's wording as a plain term, when it is one word.
    pub fn plain_term(&self) -> Option<&str> {
        match self.phrases.first().map(Vec::as_slice) {
            Some([single]) => Some(single),
            _ => None,
        }
    }
}

/// The synonym groups, ready to segment text.
#[derive(Debug, Clone, Default)]
pub struct SynonymTable {
    groups: Vec<AnalyzedGroup>,
    /// First term → (phrase terms, group, phrase index), longest phrases first.
    by_first_term: HashMap<String, Vec<(Vec<String>, usize, usize)>>,
    terms: HashSet<String>,
}

/// The index token standing for group `index`. Words never contain `_` (it separates
/// words), so a group token cannot collide with a word.
pub fn group_token(index: usize) -> String {
    format!("_{index}")
}

impl SynonymTable {
    pub fn new(groups: &[SynonymGroup]) -> Self {
        let mut table = SynonymTable::default();
        for group in groups {
            let mut phrases: Vec<Vec<String>> = Vec::new();
            for phrase in &group.phrases {
                let terms: Vec<String> = words(phrase)
                    .iter()
                    .filter_map(term)
                    .map(|t| t.text)
                    .collect();
                if !terms.is_empty() && !phrases.contains(&terms) {
                    phrases.push(terms);
                }
            }
            if phrases.is_empty() {
                continue;
            }
            let index = table.groups.len();
            for (phrase_index, phrase) in phrases.iter().enumerate() {
                table.terms.extend(phrase.iter().cloned());
                table
                    .by_first_term
                    .entry(phrase[0].clone())
                    .or_default()
                    .push((phrase.clone(), index, phrase_index));
            }
            table.groups.push(AnalyzedGroup {
                name: group.phrases[0].clone(),
                phrases,
            });
        }
        for candidates in table.by_first_term.values_mut() {
            candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        table
    }

    /// Whether `term` appears in any synonym phrase.
    pub fn knows_term(&self, term: &str) -> bool {
        self.terms.contains(term)
    }

    pub fn group(&self, index: usize) -> Option<&AnalyzedGroup> {
        self.groups.get(index)
    }

    /// Turns analysed words into tokens: each longest synonym phrase becomes its group's
    /// token, every other word stays itself. With `inner_terms` (for passages), the plain
    /// terms of a multi-word phrase's words follow its group token.
    pub fn segment(&self, analyzed: &[Analyzed], inner_terms: bool) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(analyzed.len());
        let mut index = 0;
        while index < analyzed.len() {
            let rest = &analyzed[index..];
            let found = self
                .by_first_term
                .get(&rest[0].term.text)
                .and_then(|candidates| {
                    candidates.iter().find(|(phrase, _, _)| {
                        phrase.len() <= rest.len()
                            && phrase
                                .iter()
                                .zip(rest)
                                .all(|(want, word)| *want == word.term.text)
                    })
                });
            match found {
                Some((phrase, group, phrase_index)) => {
                    let span = &rest[..phrase.len()];
                    tokens.push(Token {
                        text: group_token(*group),
                        class: span
                            .iter()
                            .map(|w| w.term.class)
                            .max()
                            .unwrap_or(TermClass::Content),
                        label: span
                            .iter()
                            .map(|w| w.surface.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        synonym: Some((*group, *phrase_index)),
                        span: span[0].span.start..span[span.len() - 1].span.end,
                    });
                    if inner_terms && span.len() > 1 {
                        tokens.extend(span.iter().map(|word| Token {
                            text: word.term.text.clone(),
                            class: word.term.class,
                            label: word.surface.clone(),
                            synonym: None,
                            span: word.span.clone(),
                        }));
                    }
                    index += phrase.len();
                }
                None => {
                    let word = &rest[0];
                    tokens.push(Token {
                        text: word.term.text.clone(),
                        class: word.term.class,
                        label: word.surface.clone(),
                        synonym: None,
                        span: word.span.clone(),
                    });
                    index += 1;
                }
            }
        }
        tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis::analyzed_words;

    fn table() -> SynonymTable {
        SynonymTable::new(&[
            SynonymGroup {
                phrases: vec![
                    "miscarriage".into(),
                    "loss".into(),
                    "losing the baby".into(),
                ],
                line: 1,
            },
            SynonymGroup {
                phrases: vec!["bone loss".into(), "osteoporosis".into()],
                line: 2,
            },
        ])
    }

    fn texts(text: &str) -> Vec<String> {
        table()
            .segment(&analyzed_words(text), false)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn the_longest_phrase_wins_on_both_sides() {
        assert_eq!(
            texts("may increase the risk of bone loss"),
            ["increas", "risk", "_1"]
        );
        assert_eq!(texts("after my loss"), ["_0"]);
        assert_eq!(texts("scared of losing my baby"), ["scare", "_0"]);
        assert_eq!(texts("osteoporosis"), ["_1"]);
    }

    #[test]
    fn passages_keep_the_plain_terms_inside_phrases() {
        let tokens: Vec<String> = table()
            .segment(&analyzed_words("risk of bone loss"), true)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(tokens, ["risk", "_1", "bone", "loss"]);
        assert_eq!(table().group(0).unwrap().plain_term(), Some("miscarriag"));
        assert_eq!(table().group(1).unwrap().plain_term(), None);
    }

    #[test]
    fn tokens_keep_what_the_member_wrote() {
        let tokens = table().segment(&analyzed_words("Losing the Baby"), false);
        assert_eq!(tokens[0].label, "losing baby");
        assert_eq!(tokens[0].synonym, Some((0, 2)));
        assert_eq!(tokens[0].span, 0..15);
    }
}
