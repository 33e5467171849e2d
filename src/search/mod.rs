//! Finding the passage that answers a question, and knowing when none does.
//!
//! Two kinds of evidence, fused by [`fuse`]. Words: tantivy holds an in-memory BM25
//! index of every passage (its topic title included, since titles are written in
//! members' words), and each candidate gets a lexical share in 0..1: how much of the
//! question's meaning the passage's words cover, each concept weighted by its rarity.
//! Words the content has never seen ("sourdough", "Tokyo") weigh more than the rarest
//! word it has (as a word in no passage), so a question about something else cannot
//! borrow evidence from one shared word. Meaning: [`semantic`] compares the question's
//! sentence embedding with every passage, its sentences and its topic's headings, which
//! finds passages that say the same thing in other words.

pub mod analysis;
mod form;
pub mod fuse;
mod query;
pub mod semantic;
mod synonyms;
mod typo;
mod vectors;
mod wordlists;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{DocAddress, Index, ReloadPolicy, Searcher, TantivyDocument, Term};

pub use analysis::{TermClass, reading};
pub use form::QuestionForm;
pub use fuse::Evidence;
pub use query::{Concept, Correction, QueryPlan, SynonymUse};
pub use semantic::{Embedder, ModelError};
pub use typo::allowed_edits;
pub use vectors::{Vector, VectorLoad};

use crate::content::Library;
use crate::text::words;
use query::KnownTerms;
use semantic::SemanticIndex;
use synonyms::SynonymTable;
use typo::Vocabulary;

/// How much an unmatched conversational word ("know", "worried", a number) counts
/// against confidence, relative to a content word of the same rarity.
pub const WEAK_WEIGHT: f32 = 0.1;

/// The fast field holding each document's position in [`SearchIndex::passages`].
const PASSAGE_FIELD: &str = "passage";

/// Tantivy's smallest per-thread indexing budget; the bundled content needs a fraction of it.
const WRITER_MEMORY_BUDGET: usize = 15_000_000;

/// How much more a match in the topic title counts than one in the passage. Titles are
/// written for members, in their words, so a title match is the better evidence.
const TITLE_BOOST: f32 = 1.5;

/// BM25's term-frequency saturation, as tantivy uses it; the best score a concept can
/// reach is its idf times `1 + K1`.
const BM25_K1: f32 = 1.2;

/// Where a passage sits in the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PassageId {
    pub article: usize,
    pub topic: usize,
    pub passage: usize,
}

/// Building the index failed; with valid content this means a bug or no memory.
#[derive(Debug, thiserror::Error)]
#[error("building the search index failed: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

/// The most passages a thing may be named in and still count as named in passing, for a
/// question asking what it is: a thing the articles name more often is one they are
/// about, and its passages say what it is in their own way.
const NAMED_IN_PASSING_PASSAGES: usize = 2;

/// The searchable form of a [`Library`].
pub struct SearchIndex {
    searcher: Searcher,
    title_field: Field,
    body_field: Field,
    passages: Vec<PassageId>,
    /// Each segment's column mapping documents to their position in `passages`, opened
    /// once: opening it per match dominated search time on large content.
    ordinals: Vec<Column<u64>>,
    /// For each passage, its title and each of its sentences, as ids from `term_ids`.
    units: Vec<Vec<Unit>>,
    /// For each passage, the ids of what it defines (see [`form`]).
    defines: Vec<Vec<u32>>,
    term_ids: HashMap<String, u32>,
    vocabulary: Vocabulary,
    synonyms: Arc<SynonymTable>,
    semantic: SemanticIndex,
}

/// How one concept of the question weighs, for confidence and explanations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedConcept {
    pub concept: Concept,
    /// How many passages express it.
    pub passages: usize,
    /// Its share-of-meaning weight: rarity, reduced for weak words.
    pub weight: f32,
}

/// A passage that matched some of the question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub passage: PassageId,
    /// Tantivy's BM25 score.
    pub bm25: f32,
    /// Weighted share of the question's concepts this passage expresses.
    pub coverage: f32,
    /// The byte range of the question sentence that gave the confidence, when it was
    /// one sentence rather than the whole question.
    pub sentence: Option<Range<usize>>,
    /// Whether it expresses at least one content concept (not only weak words).
    pub related: bool,
    /// Everything known for this passage, words and meaning: the lexical share is the
    /// coverage of the whole question, or of one of its sentences if that is higher and
    /// the others only set the scene (see [`question_sentences`]); the answer shape is
    /// computed for passages nearly tied on words only.
    pub evidence: Evidence,
    /// The passage's position in the index.
    #[serde(skip)]
    ordinal: usize,
}

impl Candidate {
    /// The ranking score fused from its evidence.
    pub fn score(&self) -> f32 {
        self.evidence.score()
    }
}

/// The outcome of a search: how the question was read and the candidates, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// The estimated chance (0..1) that the best candidate answers the question.
    pub confidence: f32,
    /// How far the best candidate's score leads the best candidate of another topic.
    pub lead: f32,
    /// The position in `candidates` of the best candidate of another topic.
    pub runner_up: Option<usize>,
    pub plan: QueryPlan,
    /// What the question's form asks for.
    pub form: QuestionForm,
    pub concepts: Vec<WeightedConcept>,
    pub candidates: Vec<Candidate>,
    /// For each concept, which passages (by ordinal) express it.
    #[serde(skip)]
    expressed: Vec<Vec<bool>>,
    /// The question asks only what one thing is, and the best passage neither defines
    /// it nor is about it: it names it in passing.
    pub definition_unmet: bool,
}

impl SearchResult {
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first()
    }

    /// Whether the question names anything beyond conversation and numbers (and the
    /// words the safety notice answers, which the caller knows). A question of those
    /// alone ("is this normal?", "8 weeks") says nothing a passage could answer, yet
    /// every passage with one of its words covers all of its meaning.
    pub fn names_a_subject(&self) -> bool {
        self.concepts
            .iter()
            .any(|weighted| weighted.concept.class == TermClass::Content)
    }

    /// Labels of the question's concepts that `candidate` expresses.
    pub fn matched(&self, candidate: &Candidate) -> Vec<&str> {
        self.concepts
            .iter()
            .zip(&self.expressed)
            .filter(|(_, expressed)| expressed.get(candidate.ordinal).copied().unwrap_or(false))
            .map(|(weighted, _)| weighted.concept.label.as_str())
            .collect()
    }
}

impl SearchIndex {
    /// Indexes every passage of `library`.
    pub fn build(library: &Library, embedder: &Embedder) -> Result<SearchIndex, IndexError> {
        let mut schema = Schema::builder();
        // Synonym phrases are single tokens, so no query needs positions.
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analysis::TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs);
        let options = TextOptions::default().set_indexing_options(indexing);
        let title_field = schema.add_text_field("title", options.clone());
        let body_field = schema.add_text_field("body", options);
        let passage_field = schema.add_u64_field(PASSAGE_FIELD, FAST);
        let index = Index::create_in_ram(schema.build());
        let synonyms = Arc::new(SynonymTable::new(&library.synonyms));
        index.tokenizers().register(
            analysis::TOKENIZER_NAME,
            analysis::LanternTokenizer::new(synonyms.clone()),
        );

        let mut writer = index.writer_with_num_threads(1, WRITER_MEMORY_BUDGET)?;
        let mut passages = Vec::new();
        let mut units = Vec::new();
        let mut defines = Vec::new();
        let mut term_ids = HashMap::new();
        let mut vocabulary = Vocabulary::default();
        for (article_index, article) in library.articles.iter().enumerate() {
            for (topic_index, topic) in article.topics.iter().enumerate() {
                // The title and each way members also ask it: searched alike, and each
                // its own unit for focus.
                let headings: Vec<&str> = std::iter::once(topic.title.as_str())
                    .chain(topic.also_asked.iter().map(String::as_str))
                    .collect();
                let heading_units: Vec<Unit> = headings
                    .iter()
                    .map(|heading| Unit {
                        heading: true,
                        ..Unit::new(
                            heading,
                            &form::sentence_shape(heading),
                            &synonyms,
                            &mut term_ids,
                        )
                    })
                    .collect();
                for (passage_index, passage) in topic.passages.iter().enumerate() {
                    let mut document = TantivyDocument::new();
                    for heading in &headings {
                        // Counted once per passage, as the index holds the title in each.
                        add_to_vocabulary(&mut vocabulary, heading);
                        document.add_text(title_field, heading);
                    }
                    add_to_vocabulary(&mut vocabulary, &passage.text);
                    document.add_text(body_field, &passage.text);
                    document.add_u64(passage_field, passages.len() as u64);
                    writer.add_document(document)?;
                    let (passage_units, passage_defines) =
                        passage_units(&heading_units, &passage.text, &synonyms, &mut term_ids);
                    units.push(passage_units);
                    defines.push(passage_defines);
                    passages.push(PassageId {
                        article: article_index,
                        topic: topic_index,
                        passage: passage_index,
                    });
                }
            }
        }
        for group in &library.synonyms {
            for phrase in &group.phrases {
                add_to_vocabulary(&mut vocabulary, phrase);
            }
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let ordinals = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64(PASSAGE_FIELD))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchIndex {
            searcher,
            title_field,
            body_field,
            passages,
            ordinals,
            units,
            defines,
            term_ids,
            vocabulary,
            synonyms,
            semantic: SemanticIndex::build(library, embedder),
        })
    }

    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    /// Reads `question` (whose sentence vectors are `meanings`: the whole question, then
    /// each sentence when it has several) and ranks every passage.
    /// Words at the byte ranges in `explained` (those the safety gate already answered)
    /// count as weak.
    pub fn search(
        &self,
        question: &str,
        meanings: &[Vector],
        explained: &[Range<usize>],
    ) -> Result<SearchResult, IndexError> {
        let form = form::read_question(question);
        let plan = QueryPlan::understand(
            question,
            self,
            &self.vocabulary,
            &self.synonyms,
            explained,
            &form.answer_kind,
        );
        let (weighed, clauses) = self.weigh_concepts(&plan)?;
        let sentences = question_sentences(question, &weighed.concepts, &weighed.unknown());
        let mut candidates = self.lexical_candidates(&weighed, clauses, &sentences)?;
        let Weighed {
            concepts,
            expressed,
            ..
        } = weighed;
        self.weigh_answer_shape(&mut candidates, &form, &concepts, &sentences);
        self.add_unmatched(&mut candidates);
        self.add_meaning(&mut candidates, meanings);
        let (runner_up, lead) = rank(&mut candidates);
        let definition_unmet = candidates
            .first()
            .is_some_and(|best| self.leaves_definition_unmet(best, &form, &concepts, &expressed));
        Ok(SearchResult {
            confidence: candidates
                .first()
                .map_or(0.0, |best| fuse::confidence(&best.evidence, lead)),
            lead,
            runner_up,
            plan,
            form,
            concepts,
            candidates,
            expressed,
            definition_unmet,
        })
    }

    /// Whether `best` leaves a question asking only what one thing is ("what is lupus")
    /// unanswered: it neither defines that thing nor is about it by its title or `Also
    /// asked` phrases, only names it in passing ("causes include ... lupus"). Words alone
    /// rank such a passage high, since it holds the question's one meaningful word.
    /// Only for a thing the articles name rarely (in at most
    /// [`NAMED_IN_PASSING_PASSAGES`] passages): one named throughout ("treatment",
    /// "antiphospholipid syndrome") is what they are about. The form decides what counts
    /// as asking what a named thing is ([`QuestionForm::asks_what_a_named_thing_is`]).
    fn leaves_definition_unmet(
        &self,
        best: &Candidate,
        form: &QuestionForm,
        concepts: &[WeightedConcept],
        expressed: &[Vec<bool>],
    ) -> bool {
        if !form.asks_what_a_named_thing_is {
            return false;
        }
        let content: Vec<usize> = concepts
            .iter()
            .enumerate()
            .filter(|(_, weighted)| weighted.concept.class == TermClass::Content)
            .map(|(index, _)| index)
            .collect();
        let [subject] = content[..] else {
            return false;
        };
        let named_in = expressed[subject].iter().filter(|&&holds| holds).count();
        if named_in > NAMED_IN_PASSING_PASSAGES {
            return false;
        }
        let tokens = self.token_ids(&concepts[subject..=subject]);
        let ids = &tokens[0].0;
        let explains = |held: &[u32]| held.iter().any(|id| ids.contains(id));
        let by_heading = self.units[best.ordinal]
            .iter()
            .any(|unit| unit.heading && explains(&unit.ids));
        !(explains(&self.defines[best.ordinal]) || by_heading)
    }

    /// Step 1: which passages express each of the question's concepts, how much each
    /// concept weighs (rarer is heavier, weak words light), and the BM25 query clauses of
    /// the concepts some passage expresses.
    fn weigh_concepts(&self, plan: &QueryPlan) -> Result<(Weighed, Clauses), IndexError> {
        let total_docs = self.passages.len() as u64;
        let unknown_weight = idf(0, total_docs);
        let mut weighed = Weighed {
            concepts: Vec::with_capacity(plan.concepts.len()),
            expressed: Vec::with_capacity(plan.concepts.len()),
            best_possible: 0.0,
        };
        let mut clauses = Vec::new();
        for concept in &plan.concepts {
            let query = self.concept_query(concept);
            let docs = self.searcher.search(query.as_ref(), &DocSetCollector)?;
            let rarity = if docs.is_empty() {
                unknown_weight
            } else {
                idf(docs.len() as u64, total_docs)
            };
            let class_factor = match concept.class {
                TermClass::Content => 1.0,
                TermClass::Weak => WEAK_WEIGHT,
            };
            let mut by_ordinal = vec![false; self.passages.len()];
            for address in &docs {
                if let Some(ordinal) = self.ordinal(*address) {
                    by_ordinal[ordinal] = true;
                }
            }
            if !docs.is_empty() {
                weighed.best_possible += self.best_bm25(concept, total_docs);
                clauses.push((Occur::Should, query));
            }
            weighed.concepts.push(WeightedConcept {
                concept: concept.clone(),
                passages: docs.len(),
                weight: rarity * class_factor,
            });
            weighed.expressed.push(by_ordinal);
        }
        Ok((weighed, clauses))
    }

    /// Step 2: every passage any concept matched, with its BM25 score and the share of
    /// the question (or of its best-covered sentence) it expresses.
    fn lexical_candidates(
        &self,
        weighed: &Weighed,
        clauses: Clauses,
        sentences: &[QuestionSentence],
    ) -> Result<Vec<Candidate>, IndexError> {
        let Weighed {
            concepts,
            expressed,
            best_possible,
        } = weighed;
        let total_weight: f32 = concepts.iter().map(|c| c.weight).sum();
        if clauses.is_empty() || total_weight <= 0.0 {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(clauses);
        let limit = self.passages.len().max(1);
        let hits = self
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut candidates = Vec::with_capacity(hits.len());
        for (bm25, address) in hits {
            let Some(ordinal) = self.ordinal(address) else {
                continue;
            };
            let mut covered = 0.0;
            let mut related = false;
            for (weighted, expressed) in concepts.iter().zip(expressed) {
                if expressed[ordinal] {
                    covered += weighted.weight;
                    related |= weighted.concept.class == TermClass::Content;
                }
            }
            let coverage = covered / total_weight;
            let (lexical, sentence) = sentences
                .iter()
                .filter_map(|sentence| {
                    sentence
                        .coverage(concepts, expressed, ordinal)
                        .map(|share| (share, Some(sentence.span.clone())))
                })
                .fold(
                    (coverage, None),
                    |best, next| {
                        if next.0 > best.0 { next } else { best }
                    },
                );
            candidates.push(Candidate {
                passage: self.passages[ordinal],
                bm25,
                coverage,
                sentence,
                related,
                evidence: Evidence {
                    lexical,
                    bm25_share: if *best_possible > 0.0 {
                        (bm25 / best_possible).min(1.0)
                    } else {
                        0.0
                    },
                    ..Evidence::default()
                },
                ordinal,
            });
        }
        Ok(candidates)
    }

    /// Step 3: how well each near tie on words has the shape of answer the question's
    /// form asks for. Only near ties pay for it: it decides between them, nothing else.
    fn weigh_answer_shape(
        &self,
        candidates: &mut [Candidate],
        form: &form::QuestionForm,
        concepts: &[WeightedConcept],
        sentences: &[QuestionSentence],
    ) {
        let best_lexical = candidates
            .iter()
            .map(|c| c.evidence.lexical)
            .fold(0.0, f32::max);
        let tied = |c: &Candidate| c.evidence.lexical >= best_lexical - FOCUS_TIE;
        let tokens = self.token_ids(concepts);
        // A passage judged on one sentence of the question is focused when it answers
        // that sentence in one place; the story around it does not count.
        let scope = |candidate: &Candidate| -> Vec<usize> {
            candidate
                .sentence
                .as_ref()
                .and_then(|span| sentences.iter().find(|s| &s.span == span))
                .map_or_else(|| (0..tokens.len()).collect(), |s| s.concepts.clone())
        };
        for candidate in candidates.iter_mut().filter(|c| tied(c)) {
            let scope = scope(candidate);
            // "What is thrombophilia?": of the passages that mention it, the one
            // defining it. Only a question about one thing has one subject, and only the
            // sentence asking what it is.
            let asks_definition = match &candidate.sentence {
                Some(span) => form.definition_cues.iter().any(|cue| span.contains(cue)),
                None => form.asks_definition,
            };
            let subject = match scope
                .iter()
                .filter(|&&index| concepts[index].concept.class == TermClass::Content)
                .collect::<Vec<_>>()[..]
            {
                [&only] if asks_definition => Some(&tokens[only].0),
                _ => None,
            };
            if let Some(ids) = subject
                && self.defines[candidate.ordinal]
                    .iter()
                    .any(|id| ids.contains(id))
            {
                candidate.evidence.shape = 1.0;
            } else if form.asks_when || form.asks_how_caused {
                candidate.evidence.shape = self.focus(candidate.ordinal, &tokens, &scope, |u| {
                    (form.asks_when && u.mentions_time)
                        || (form.asks_how_caused && u.mentions_cause)
                });
            }
        }
    }

    /// Step 4: how close in meaning the question comes to each candidate.
    fn add_meaning(&self, candidates: &mut [Candidate], meanings: &[Vector]) {
        let closeness = self.semantic.closeness(meanings);
        for candidate in candidates {
            let close = closeness[candidate.ordinal];
            candidate.evidence.passage = close.passage;
            candidate.evidence.sentence = close.sentence;
            candidate.evidence.heading = close.heading;
        }
    }

    /// Adds every passage no word of the question matched: meaning alone may find it.
    fn add_unmatched(&self, candidates: &mut Vec<Candidate>) {
        let mut matched = vec![false; self.passages.len()];
        for candidate in candidates.iter() {
            matched[candidate.ordinal] = true;
        }
        for (ordinal, _) in matched.iter().enumerate().filter(|(_, m)| !**m) {
            candidates.push(Candidate {
                passage: self.passages[ordinal],
                bm25: 0.0,
                coverage: 0.0,
                sentence: None,
                related: false,
                evidence: Evidence::default(),
                ordinal,
            });
        }
    }

    /// A tantivy query for `concept` in the body or the (boosted) title.
    fn concept_query(&self, concept: &Concept) -> Box<dyn Query> {
        // A passage with both the group token and the plain term counts once: the best
        // of the alternatives, not their sum.
        let in_field = |field: Field| -> Box<dyn Query> {
            let mut alternatives: Vec<Box<dyn Query>> = concept
                .alternatives
                .iter()
                .map(|token| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, token),
                        IndexRecordOption::WithFreqs,
                    ))
                })
                .collect();
            match alternatives.len() {
                1 => alternatives.remove(0),
                _ => Box::new(DisjunctionMaxQuery::new(alternatives)),
            }
        };
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, in_field(self.body_field)),
            (
                Occur::Should,
                Box::new(BoostQuery::new(in_field(self.title_field), TITLE_BOOST)),
            ),
        ]))
    }

    /// The highest BM25 score `concept` could contribute: at saturated term frequency,
    /// in the body and the boosted title.
    fn best_bm25(&self, concept: &Concept, total_docs: u64) -> f32 {
        let best_in = |field: Field| {
            concept
                .alternatives
                .iter()
                .map(|token| {
                    let df = self
                        .searcher
                        .doc_freq(&Term::from_field_text(field, token))
                        .unwrap_or(0);
                    if df == 0 {
                        0.0
                    } else {
                        idf(df, total_docs) * (1.0 + BM25_K1)
                    }
                })
                .fold(0.0, f32::max)
        };
        best_in(self.body_field) + TITLE_BOOST * best_in(self.title_field)
    }

    /// Each concept's alternatives as token ids (those some passage has), with its weight.
    fn token_ids(&self, concepts: &[WeightedConcept]) -> Vec<(Vec<u32>, f32)> {
        concepts
            .iter()
            .map(|weighted| {
                let ids = weighted
                    .concept
                    .alternatives
                    .iter()
                    .filter_map(|token| self.term_ids.get(token).copied())
                    .collect();
                (ids, weighted.weight)
            })
            .collect()
    }

    /// The largest share of the question that one unit of passage `ordinal` (a sentence,
    /// the title or an `Also asked` phrase) covers on its own; only units that `counts`
    /// accepts are considered.
    /// `scope` picks the concepts (indexes into `tokens`) that count.
    fn focus(
        &self,
        ordinal: usize,
        tokens: &[(Vec<u32>, f32)],
        scope: &[usize],
        counts: impl Fn(&Unit) -> bool,
    ) -> f32 {
        let total: f32 = scope.iter().map(|&index| tokens[index].1).sum();
        if total <= 0.0 {
            return 0.0;
        }
        self.units[ordinal]
            .iter()
            .filter(|unit| counts(unit))
            .map(|unit| {
                scope
                    .iter()
                    .map(|&index| &tokens[index])
                    .filter(|(ids, _)| ids.iter().any(|id| unit.ids.contains(id)))
                    .map(|(_, weight)| weight)
                    .sum::<f32>()
                    / total
            })
            .fold(0.0, f32::max)
    }

    fn ordinal(&self, address: DocAddress) -> Option<usize> {
        let column = self.ordinals.get(address.segment_ord as usize)?;
        usize::try_from(column.first(address.doc_id)?).ok()
    }
}

impl KnownTerms for SearchIndex {
    fn indexed(&self, term: &str) -> bool {
        [self.title_field, self.body_field]
            .into_iter()
            .any(|field| {
                self.searcher
                    .doc_freq(&Term::from_field_text(field, term))
                    .is_ok_and(|df| df > 0)
            })
    }
}

/// The BM25 query's clauses, one per concept some passage expresses.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// The question's concepts as [`SearchIndex::search`]'s first step leaves them.
struct Weighed {
    concepts: Vec<WeightedConcept>,
    /// For each concept, whether each passage (by ordinal) expresses it.
    expressed: Vec<Vec<bool>>,
    /// The BM25 score a passage expressing every concept would reach, about.
    best_possible: f32,
}

impl Weighed {
    /// For each concept, whether it is a content word no passage has.
    fn unknown(&self) -> Vec<bool> {
        self.concepts
            .iter()
            .map(|c| c.passages == 0 && c.concept.class == TermClass::Content)
            .collect()
    }
}

/// Step 5: sorts `candidates` best first; returns the index of the best passage of
/// another topic than the best one, and the best one's lead over it.
fn rank(candidates: &mut [Candidate]) -> (Option<usize>, f32) {
    candidates.sort_by(|a, b| {
        b.score()
            .total_cmp(&a.score())
            .then(b.bm25.total_cmp(&a.bm25))
            .then(a.ordinal.cmp(&b.ordinal))
    });
    let runner_up = candidates.first().and_then(|best| {
        let topic = (best.passage.article, best.passage.topic);
        candidates
            .iter()
            .position(|c| (c.passage.article, c.passage.topic) != topic)
    });
    let best_score = candidates.first().map_or(0.0, Candidate::score);
    let lead = runner_up.map_or(best_score, |i| best_score - candidates[i].score());
    (runner_up, lead)
}

/// One sentence of a question and the concepts said in it.
struct QuestionSentence {
    span: Range<usize>,
    concepts: Vec<usize>,
}

impl QuestionSentence {
    /// The weighted share of this sentence's concepts that passage `ordinal` expresses,
    /// or `None` when it expresses none of its content concepts.
    fn coverage(
        &self,
        concepts: &[WeightedConcept],
        expressed: &[Vec<bool>],
        ordinal: usize,
    ) -> Option<f32> {
        let mut total = 0.0;
        let mut covered = 0.0;
        let mut related = false;
        for &index in &self.concepts {
            let weighted = &concepts[index];
            total += weighted.weight;
            if expressed[index][ordinal] {
                covered += weighted.weight;
                related |= weighted.concept.class == TermClass::Content;
            }
        }
        (related && total > 0.0).then(|| covered / total)
    }
}

/// The sentences of `question` that may stand for all of it.
///
/// Members often tell their story before they ask ("This is my fourth pregnancy. My OB
/// wants to start shots. How would a blood thinner stop a miscarriage?"), and the story's
/// words would otherwise dilute the confidence of the passage that answers the question.
/// So a passage may be judged on one sentence alone, but only when the other sentences
/// hold nothing the content has never heard of: "I'm on heparin. Can I fly?" must not be
/// answered from its first sentence. Concepts are those of `concepts`; `unknown` marks
/// content words no passage has.
fn question_sentences(
    question: &str,
    concepts: &[WeightedConcept],
    unknown: &[bool],
) -> Vec<QuestionSentence> {
    let sentences: Vec<QuestionSentence> = crate::text::sentence_spans(question)
        .map(|span| QuestionSentence {
            concepts: concepts
                .iter()
                .enumerate()
                .filter(|(_, weighted)| {
                    weighted
                        .concept
                        .spans
                        .iter()
                        .any(|said| span.contains(&said.start))
                })
                .map(|(index, _)| index)
                .collect(),
            span,
        })
        .filter(|sentence| !sentence.concepts.is_empty())
        .collect();
    if sentences.len() < 2 {
        return Vec::new();
    }
    let with_unknown: Vec<usize> = sentences
        .iter()
        .enumerate()
        .filter(|(_, sentence)| sentence.concepts.iter().any(|&index| unknown[index]))
        .map(|(position, _)| position)
        .collect();
    match with_unknown[..] {
        [] => sentences,
        [only] => sentences.into_iter().skip(only).take(1).collect(),
        _ => Vec::new(),
    }
}

/// Candidates this close to the best confidence count as tied, and focus decides.
const FOCUS_TIE: f32 = 0.05;

/// A sentence of a passage, or its title or one of the topic's other phrasings.
#[derive(Debug, Clone)]
struct Unit {
    /// Its tokens, as ids from `term_ids`.
    ids: Vec<u32>,
    /// Whether it says when (see [`form::SentenceShape`]).
    mentions_time: bool,
    /// Whether it says how one thing brings about another.
    mentions_cause: bool,
    /// Whether it is the topic's title or an `Also asked` phrase, not a sentence.
    heading: bool,
}

impl Unit {
    /// `text`, whose shape is `shape`, as a unit.
    fn new(
        text: &str,
        shape: &form::SentenceShape,
        synonyms: &SynonymTable,
        term_ids: &mut HashMap<String, u32>,
    ) -> Unit {
        Unit {
            ids: token_ids(text, synonyms, term_ids),
            mentions_time: shape.mentions_time,
            mentions_cause: shape.mentions_cause,
            heading: false,
        }
    }
}

/// The title (with the topic's other phrasings) and each sentence of a passage, as
/// units, and the ids of what the passage defines (token ids assigned in `term_ids`).
/// Each sentence's shape is read once, for both.
fn passage_units(
    heading_units: &[Unit],
    text: &str,
    synonyms: &SynonymTable,
    term_ids: &mut HashMap<String, u32>,
) -> (Vec<Unit>, Vec<u32>) {
    let mut units = heading_units.to_vec();
    let mut defines = Vec::new();
    for span in crate::text::sentence_spans(text) {
        let sentence = &text[span];
        let shape = form::sentence_shape(sentence);
        for subject in &shape.defines {
            defines.extend(token_ids(&sentence[subject.clone()], synonyms, term_ids));
        }
        units.push(Unit::new(sentence, &shape, synonyms, term_ids));
    }
    units.retain(|u| !u.ids.is_empty());
    (units, defines)
}

/// `text`'s tokens as ids, assigning new ids in `term_ids` as needed.
fn token_ids(text: &str, synonyms: &SynonymTable, term_ids: &mut HashMap<String, u32>) -> Vec<u32> {
    synonyms
        .segment(&analysis::analyzed_words(text), true)
        .into_iter()
        .map(|token| {
            let next = term_ids.len() as u32;
            *term_ids.entry(token.text).or_insert(next)
        })
        .collect()
}

/// Words of `text` that spelling correction may lead to: content words only, since
/// correcting towards "the" or "know" would never help.
fn add_to_vocabulary(vocabulary: &mut Vocabulary, text: &str) {
    for word in words(text) {
        if !analysis::is_function_word(&word.text) && !word.text.chars().any(|c| c.is_ascii_digit())
        {
            vocabulary.add(&word.text);
        }
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = ((doc_count as f32 - doc_freq as f32) + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}
