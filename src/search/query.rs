//! From a member's words to the concepts Lantern looks for.
//!
//! A question is never handed to tantivy's query grammar ("what's APS?" would be a
//! syntax error, and `+`, `"` or `:` would change the meaning). Instead every word goes
//! through the same analysis as the index, misspellings are corrected against the
//! content's vocabulary, and lay phrases are read through their synonym group, exactly
//! as passages were. Each resulting [`Concept`] counts once.

use std::ops::Range;

use serde::Serialize;

use super::analysis::{Analyzed, TermClass, is_function_word, term};
use super::synonyms::SynonymTable;
use super::typo::Vocabulary;
use crate::text::words;

/// Something the question asks about: one word, or a synonym group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concept {
    /// The words as the member wrote them (after spelling correction).
    pub label: String,
    /// The index token that stands for it.
    pub token: String,
    /// Index tokens any of which expresses it: the token, and for a synonym group the
    /// plain term of its one-word article wording.
    pub alternatives: Vec<String>,
    pub class: TermClass,
    /// Where the question says it, as byte ranges (more than one if said twice).
    #[serde(skip)]
    pub spans: Vec<Range<usize>>,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
    /// Reads `question`. Words overlapping the byte ranges in `explained` count as weak: the
    /// safety notice already speaks to them. Words at `set_aside` count as weak: they
    /// say what kind of answer is wanted, not what it is about.
    pub fn understand(
        question: &str,
        known: &impl KnownTerms,
        vocabulary: &Vocabulary,
        synonyms: &SynonymTable,
        explained: &[Range<usize>],
        set_aside: &[Range<usize>],
    ) -> Self {
        let mut plan = QueryPlan::default();

        // Analyse, correcting words the content has never seen.
        let mut analyzed = Vec::new();
        for word in words(question) {
            let Some(mut analysed) = term(&word) else {
                continue;
            };
            // A short word in capitals is read as an acronym and not stemmed ("APS");
            // shouted ("MY BABY"), it is the word the articles use.
            if word.acronym
                && !known.indexed(&analysed.text)
                && !synonyms.knows_term(&analysed.text)
                && let Some(as_word) = term(&crate::text::Word {
                    acronym: false,
                    ..word.clone()
                })
                && (known.indexed(&as_word.text) || synonyms.knows_term(&as_word.text))
            {
                analysed = as_word;
            }
            // The other way round: an acronym the articles write in capitals ("SIDS", kept
            // whole there) typed in lower case, whose stem ("sid") they never use.
            if !word.acronym
                && !known.indexed(&analysed.text)
                && !synonyms.knows_term(&analysed.text)
                && let Some(as_acronym) = term(&crate::text::Word {
                    acronym: true,
                    ..word.clone()
                })
                && known.indexed(&as_acronym.text)
            {
                analysed = as_acronym;
            }
            // Weak, not dropped: in "what type of miscarriage is most common" the words
            // that name the answer's kind are also its subject.
            if set_aside.contains(&word.span) {
                analysed.class = TermClass::Weak;
            }
            // Overlap, not equality: a pattern read in the undisguised question ("c l o t
            // s", "blee-ding") spans several of the words seen here.
            let overlaps =
                |span: &Range<usize>| span.start < word.span.end && word.span.start < span.end;
            if explained.iter().any(overlaps) {
                analysed.class = TermClass::Weak;
            }
            let is_known = analysed.class == TermClass::Weak
                || is_function_word(&word.text)
                || known.indexed(&analysed.text)
                || synonyms.knows_term(&analysed.text);
            if !is_known
                && let Some(fixed) = vocabulary.correct(&word.text)
                && let Some(fixed_term) = words(fixed).first().and_then(term)
            {
                plan.corrections.push(Correction {
                    from: word.text.clone(),
                    to: fixed.to_string(),
                });
                analyzed.push(Analyzed {
                    term: fixed_term,
                    surface: fixed.to_string(),
                    span: word.span,
                });
                continue;
            }
            analyzed.push(Analyzed {
                term: analysed,
                surface: word.text,
                span: word.span,
            });
        }

        for token in synonyms.segment(&analyzed, false) {
            let mut alternatives = vec![token.text.clone()];
            if let Some((group, phrase)) = token.synonym
                && let Some(group) = synonyms.group(group)
            {
                if phrase != 0 {
                    plan.synonyms.push(SynonymUse {
                        phrase: token.label.clone(),
                        group: group.name.clone(),
                    });
                }
                alternatives.extend(group.plain_term().map(str::to_string));
            }
            let concept = Concept {
                label: token.label,
                token: token.text,
                alternatives,
                class: token.class,
                spans: vec![token.span],
            };
            // Asking about the same thing twice ("heparin, the blood thinner") counts once.
            match plan.concepts.iter_mut().find(|c| c.token == concept.token) {
                Some(existing) => {
                    existing.class = existing.class.max(concept.class);
                    existing.spans.extend(concept.spans);
                }
                None => plan.concepts.push(concept),
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SynonymGroup;

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
            &[],
            &[],
        );
        assert_eq!(plan.concepts.len(), 1, "{plan:?}");
        assert_eq!(
            plan.synonyms,
            [SynonymUse {
                phrase: "blood thinner".into(),
                group: "heparin".into()
            }]
        );
        let plan = QueryPlan::understand(
            "scared of losing my baby",
            &indexed,
            &vocabulary,
            &synonyms,
            &[],
            &[],
        );
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
            &[],
            &[],
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
            &[],
            &[],
        );
        let labels: Vec<_> = plan.concepts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["aps", "heparin", "blood"]);
    }
}
