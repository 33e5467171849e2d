//! From a member's words to the concepts Lantern looks for.
//!
//! A question is never handed to tantivy's query grammar ("what's APS?" would be a
//! syntax error, and `+`, `"` or `:` would change the meaning). Instead every word goes
//! through the same analysis as the index, misspellings are corrected against the
//! content's vocabulary, and lay phrases are replaced by their synonym group. Each
//! resulting [`Concept`] counts once, however many of its synonyms a passage contains,
//! so "heparin, the blood thinner" does not score heparin twice.

use std::collections::HashMap;

use serde::Serialize;

use super::analysis::{Term, TermClass, is_function_word, term};
use super::typo::Vocabulary;
use crate::content::SynonymGroup;
use crate::text::words;

/// A synonym group with every phrase analysed into index terms.
#[derive(Debug, Clone)]
pub struct AnalyzedGroup {
    /// The article's wording, for explanations.
    pub name: String,
    /// Each phrase as a sequence of index terms.
    pub phrases: Vec<Vec<String>>,
}

/// The synonym groups, indexed by the first term of each phrase.
#[derive(Debug, Clone, Default)]
pub struct SynonymTable {
    groups: Vec<AnalyzedGroup>,
    /// First term → (phrase terms, group index), longest phrases first.
    by_first_term: HashMap<String, Vec<(Vec<String>, usize)>>,
}

impl SynonymTable {
    pub fn new(groups: &[SynonymGroup]) -> Self {
        let mut table = SynonymTable::default();
        for group in groups {
            let phrases: Vec<Vec<String>> = group
                .phrases
                .iter()
                .map(|phrase| {
                    words(phrase)
                        .iter()
                        .filter_map(term)
                        .map(|t| t.text)
                        .collect::<Vec<_>>()
                })
                .filter(|terms: &Vec<String>| !terms.is_empty())
                .collect();
            if phrases.is_empty() {
                continue;
            }
            let index = table.groups.len();
            for phrase in &phrases {
                table
                    .by_first_term
                    .entry(phrase[0].clone())
                    .or_default()
                    .push((phrase.clone(), index));
            }
            let mut unique = phrases;
            unique.sort();
            unique.dedup();
            table.groups.push(AnalyzedGroup {
                name: group.phrases[0].clone(),
                phrases: unique,
            });
        }
        for candidates in table.by_first_term.values_mut() {
            candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        table
    }

    /// Whether `term` appears in any synonym phrase.
    pub fn knows_term(&self, term: &str) -> bool {
        self.groups
            .iter()
            .any(|g| g.phrases.iter().any(|p| p.iter().any(|t| t == term)))
    }

    pub fn groups(&self) -> &[AnalyzedGroup] {
        &self.groups
    }

    /// The longest phrase starting at `terms[0]`, as (length, group index).
    fn longest_match(&self, terms: &[&str]) -> Option<(usize, usize)> {
        let candidates = self.by_first_term.get(terms.first()?.to_owned())?;
        candidates
            .iter()
            .find(|(phrase, _)| {
                phrase.len() <= terms.len() && phrase.iter().zip(terms).all(|(a, b)| a == b)
            })
            .map(|(phrase, group)| (phrase.len(), *group))
    }
}

/// Something the question asks about: one word, or a synonym group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concept {
    /// The words as the member wrote them (after spelling correction).
    pub label: String,
    /// Term sequences that express the concept; a passage needs only one of them.
    pub alternatives: Vec<Vec<String>>,
    pub class: TermClass,
}

/// A misspelt word and what it was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

/// A lay phrase that was read through a synonym group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynonymUse {
    pub phrase: String,
    pub group: String,
}

/// How a question was understood.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueryPlan {
    pub concepts: Vec<Concept>,
    pub corrections: Vec<Correction>,
    pub synonyms: Vec<SynonymUse>,
}

/// What the query side needs to know about the index.
pub trait KnownTerms {
    /// Whether any passage contains `term`.
    fn indexed(&self, term: &str) -> bool;
}

impl QueryPlan {
    pub fn understand(
        question: &str,
        known: &impl KnownTerms,
        vocabulary: &Vocabulary,
        synonyms: &SynonymTable,
    ) -> Self {
        let mut plan = QueryPlan::default();

        // Analyse, correcting words the content has never seen.
        let mut terms: Vec<(Term, String)> = Vec::new();
        for word in words(question) {
            let Some(analysed) = term(&word) else {
                continue;
            };
            let is_known = analysed.class == TermClass::Weak
                || is_function_word(&word.text)
                || known.indexed(&analysed.text)
                || synonyms.knows_term(&analysed.text);
            if !is_known && let Some(fixed) = vocabulary.correct(&word.text) {
                let fixed_word = words(fixed).into_iter().next();
                if let Some(fixed_term) = fixed_word.as_ref().and_then(term) {
                    plan.corrections.push(Correction {
                        from: word.text.clone(),
                        to: fixed.to_string(),
                    });
                    terms.push((fixed_term, fixed.to_string()));
                    continue;
                }
            }
            terms.push((analysed, word.text));
        }

        // Read lay phrases through their synonym groups, longest phrase first.
        let term_texts: Vec<&str> = terms.iter().map(|(t, _)| t.text.as_str()).collect();
        let mut index = 0;
        while index < terms.len() {
            if let Some((length, group_index)) = synonyms.longest_match(&term_texts[index..]) {
                let group = &synonyms.groups()[group_index];
                let span = &terms[index..index + length];
                let label = span
                    .iter()
                    .map(|(_, w)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let class = span
                    .iter()
                    .map(|(t, _)| t.class)
                    .max()
                    .unwrap_or(TermClass::Content);
                if group.phrases.len() > 1 {
                    plan.synonyms.push(SynonymUse {
                        phrase: label.clone(),
                        group: group.name.clone(),
                    });
                }
                plan.push(Concept {
                    label,
                    alternatives: group.phrases.clone(),
                    class,
                });
                index += length;
            } else {
                let (analysed, surface) = &terms[index];
                plan.push(Concept {
                    label: surface.clone(),
                    alternatives: vec![vec![analysed.text.clone()]],
                    class: analysed.class,
                });
                index += 1;
            }
        }
        plan
    }

    /// Adds `concept` unless the question already names it.
    fn push(&mut self, concept: Concept) {
        if let Some(existing) = self
            .concepts
            .iter_mut()
            .find(|c| c.alternatives == concept.alternatives)
        {
            existing.class = existing.class.max(concept.class);
        } else {
            self.concepts.push(concept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Indexed(&'static [&'static str]);

    impl KnownTerms for Indexed {
        fn indexed(&self, term: &str) -> bool {
            self.0.contains(&term)
        }
    }

    fn setup() -> (Indexed, Vocabulary, SynonymTable) {
        let indexed = Indexed(&[
            "heparin",
            "injectabl",
            "blood",
            "thinner",
            "miscarriag",
            "symptom",
        ]);
        let mut vocabulary = Vocabulary::default();
        for word in [
            "heparin",
            "injectable",
            "blood",
            "thinner",
            "miscarriage",
            "symptoms",
        ] {
            vocabulary.add(word);
        }
        let synonyms = SynonymTable::new(&[
            SynonymGroup {
                phrases: vec!["heparin".into(), "blood thinner".into(), "Lovenox".into()],
                line: 1,
            },
            SynonymGroup {
                phrases: vec!["miscarriage".into(), "losing the baby".into()],
                line: 2,
            },
        ]);
        (indexed, vocabulary, synonyms)
    }

    #[test]
    fn lay_phrases_become_one_concept() {
        let (indexed, vocabulary, synonyms) = setup();
        let plan = QueryPlan::understand(
            "Is heparin a blood thinner?",
            &indexed,
            &vocabulary,
            &synonyms,
        );
        assert_eq!(plan.concepts.len(), 1, "{plan:?}");
        assert_eq!(plan.concepts[0].alternatives.len(), 3);
        let plan =
            QueryPlan::understand("scared of losing my baby", &indexed, &vocabulary, &synonyms);
        let labels: Vec<_> = plan.concepts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["scared", "losing baby"]);
        assert_eq!(plan.synonyms[0].group, "miscarriage");
    }

    #[test]
    fn misspellings_are_corrected_unknown_words_kept() {
        let (indexed, vocabulary, synonyms) = setup();
        let plan = QueryPlan::understand(
            "heprin simptoms for my dog",
            &indexed,
            &vocabulary,
            &synonyms,
        );
        assert_eq!(
            plan.corrections,
            [
                Correction {
                    from: "heprin".into(),
                    to: "heparin".into()
                },
                Correction {
                    from: "simptoms".into(),
                    to: "symptoms".into()
                },
            ]
        );
        assert_eq!(plan.concepts.last().unwrap().label, "dog");
    }

    #[test]
    fn question_grammar_is_never_interpreted() {
        let (indexed, vocabulary, synonyms) = setup();
        let plan = QueryPlan::understand(
            "what's \"APS\" +heparin -OR: (blood)*",
            &indexed,
            &vocabulary,
            &synonyms,
        );
        let labels: Vec<_> = plan.concepts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["aps", "heparin", "blood"]);
    }
}
