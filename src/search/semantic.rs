//! The meaning side of retrieval: sentence embeddings of every passage, its sentences and
//! its topic's title and `Also asked` phrases.
//!
//! Word matching fails when a member says what a passage means in other words ("my
//! placenta might not be getting enough blood"), and synonyms cannot list every way of
//! saying a thing. A sentence embedding places texts of similar meaning near each other,
//! whatever their words, so it finds those passages; it cannot tell an answer from a
//! near miss on its own, which is why [`super::fuse`] weighs it with the words.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use minilm::Encoder;

use super::vectors::{Vector, VectorCache, VectorLoad};
use crate::content::Library;

/// The model and the vectors it has made, shared by every reload of one process.
#[derive(Clone)]
pub struct Embedder {
    encoder: &'static Encoder,
    cache: Arc<VectorCache>,
}

impl Embedder {
    /// The shipped model, with vectors cached in memory and, when `data_dir` is given,
    /// on disk there.
    pub fn new(data_dir: Option<&Path>) -> Result<Embedder, ModelError> {
        let encoder = encoder()?;
        Ok(Embedder {
            encoder,
            cache: Arc::new(VectorCache::new(encoder, data_dir)),
        })
    }

    /// Questions' vectors, in order, sharing forward passes (the same bits as one at a
    /// time). Questions are never cached: they are members' words.
    pub fn embed_questions(&self, texts: &[&str]) -> Vec<Vector> {
        self.encoder.embed_batch(texts)
    }

    /// Begins one load of the content: the cache keeps what the loads it finishes asked
    /// for, so call [`VectorLoad::finish`] after the last content vector is made.
    pub fn begin_load(&self) -> VectorLoad<'_> {
        self.cache.begin_load()
    }

    /// Vectors of content texts (such as the safety examples), cached like passages.
    pub fn embed_content(&self, texts: &[&str]) -> Vec<Vector> {
        self.cache.embed_all(self.encoder, texts)
    }
}

/// The model shipped in `models/` and compiled into the binary, loaded once per process.
fn encoder() -> Result<&'static Encoder, ModelError> {
    static ENCODER: OnceLock<Result<Encoder, String>> = OnceLock::new();
    ENCODER
        .get_or_init(|| Encoder::embedded().map_err(|error| error.to_string()))
        .as_ref()
        .map_err(|message| ModelError(message.clone()))
}

/// The shipped model could not be loaded: a broken build, not a content problem.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the sentence model in models/ could not be loaded: {0}")]
pub struct ModelError(String);

/// Sentences of one passage that get a vector of their own. Moderators' paragraphs have
/// a handful; this only bounds the work a pathological one can cause.
const MAX_SENTENCE_VECTORS: usize = 16;

/// A passage (or one of its sentences) as it is embedded: after its topic's title.
///
/// Moderators write a paragraph under its heading, so the paragraph often leaves out
/// what the heading says ("It usually settles within two weeks", "Most women go on to
/// have a healthy baby"). Embedded alone, such a paragraph has lost its subject; with
/// the title in front it lands nearer the questions it answers: on new articles the
/// passage's cosine alone ranks the right passage first far more often, and fewer wrong
/// passages are quoted (README, "Passages read under their titles").
fn in_context(title: &str, text: &str) -> String {
    format!("{title}: {text}")
}

/// How close a question comes, in meaning, to one passage (cosines, -1..1).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Closeness {
    /// To the whole passage.
    pub passage: f32,
    /// To its closest sentence: a long passage may answer in one sentence.
    pub sentence: f32,
    /// To its topic's title or closest `Also asked` phrase, written in members' words.
    pub heading: f32,
}

/// Vectors of every passage, in the search index's passage order.
pub struct SemanticIndex {
    passages: Vec<Vector>,
    /// For each passage, the range of its sentences in `sentences`.
    sentence_ranges: Vec<std::ops::Range<usize>>,
    sentences: Vec<Vector>,
    /// For each passage, the range of its topic's headings in `headings`.
    heading_ranges: Vec<std::ops::Range<usize>>,
    headings: Vec<Vector>,
}

impl SemanticIndex {
    /// Embeds `library` (what `cache` does not already hold).
    pub fn build(library: &Library, embedder: &Embedder) -> SemanticIndex {
        let mut passage_texts = Vec::new();
        let mut sentence_texts = Vec::new();
        let mut sentence_ranges = Vec::new();
        let mut heading_texts = Vec::new();
        let mut heading_ranges = Vec::new();
        for topic in library.articles.iter().flat_map(|article| &article.topics) {
            let start = heading_texts.len();
            heading_texts.push(topic.title.as_str());
            heading_texts.extend(topic.also_asked.iter().map(String::as_str));
            let headings = start..heading_texts.len();
            for passage in &topic.passages {
                passage_texts.push(in_context(&topic.title, &passage.text));
                let start = sentence_texts.len();
                let spans: Vec<_> = crate::text::sentence_spans(&passage.text).collect();
                // A one-sentence passage is its own sentence: no second vector. A very long
                // one gets vectors for its first sentences only; its own vector stands
                // for the rest.
                if spans.len() > 1 {
                    sentence_texts.extend(
                        spans
                            .into_iter()
                            .take(MAX_SENTENCE_VECTORS)
                            .map(|span| in_context(&topic.title, &passage.text[span])),
                    );
                }
                sentence_ranges.push(start..sentence_texts.len());
                heading_ranges.push(headings.clone());
            }
        }
        let passage_texts: Vec<&str> = passage_texts.iter().map(String::as_str).collect();
        let sentence_texts: Vec<&str> = sentence_texts.iter().map(String::as_str).collect();
        // Three calls, not one split three ways: each result is exactly its size, with
        // no copy of every vector on the way (the peak memory of a large reload).
        let embed = |texts: &[&str]| embedder.cache.embed_all(embedder.encoder, texts);
        let vectors = embed(&passage_texts);
        let sentences = embed(&sentence_texts);
        let headings = embed(&heading_texts);
        SemanticIndex {
            passages: vectors,
            sentence_ranges,
            sentences,
            heading_ranges,
            headings,
        }
    }

    /// How close the question comes to each passage, in passage order: the best of its
    /// `meanings` (the whole question, then each of its sentences), so a question asked
    /// after a story is judged on the sentence that asks it as well as on the whole.
    pub fn closeness(&self, meanings: &[Vector]) -> Vec<Closeness> {
        let best = |vectors: &[Vector]| {
            vectors
                .iter()
                .flat_map(|vector| {
                    meanings
                        .iter()
                        .map(move |meaning| minilm::similarity(meaning, vector))
                })
                .fold(f32::NEG_INFINITY, f32::max)
        };
        // A topic's passages are neighbours and share its headings: compare those once
        // per topic, not once per passage.
        let mut topic_heading: Option<(std::ops::Range<usize>, f32)> = None;
        (0..self.passages.len())
            .map(|ordinal| {
                let passage = best(std::slice::from_ref(&self.passages[ordinal]));
                let sentences = &self.sentences[self.sentence_ranges[ordinal].clone()];
                let headings = &self.heading_ranges[ordinal];
                let heading = match &topic_heading {
                    Some((range, closeness)) if range == headings => *closeness,
                    _ => {
                        let closeness = best(&self.headings[headings.clone()]);
                        topic_heading = Some((headings.clone(), closeness));
                        closeness
                    }
                };
                Closeness {
                    passage,
                    sentence: if sentences.is_empty() {
                        passage
                    } else {
                        best(sentences).max(passage)
                    },
                    heading,
                }
            })
            .collect()
    }
}
