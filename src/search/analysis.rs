//! How text becomes index terms, for passages and questions alike.
//!
//! Both sides go through [`term`]: if the index and the query analysed text differently,
//! a word could never match. Three choices matter for members' questions:
//!
//! - Question and chat words ("what", "how", "my", "please") are dropped, so "what's
//!   APS?" and "APS" ask the same thing. Negations are kept, folded to `not`.
//! - Conversational words that carry little meaning on their own ("know", "normal",
//!   "worried") are kept but marked [`TermClass::Weak`]: they still help rank passages,
//!   but an unmatched one barely lowers confidence.
//! - Acronyms, short words and numbers are not stemmed: the English stemmer turns
//!   "APS" into "ap" and would make it collide with unrelated words.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use std::ops::Range;
use std::sync::Arc;

use tantivy::tokenizer::{TokenStream, Tokenizer};

use super::synonyms::SynonymTable;
use super::wordlists::{NEGATIONS, STOP_WORDS, WEAK_WORDS};
use crate::text::{Word, words};

/// How much a term says about what a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermClass {
    /// Conversation, feelings, negation, numbers: ranks, but barely decides.
    Weak,
    /// Everything else.
    Content,
}

/// One analysed word.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    pub text: String,
    pub class: TermClass,
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether `word` (already lowercased and folded) is dropped from analysis.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Whether `word` never needs a spelling correction: it is dropped, a negation, or a
/// known conversational word.
pub fn is_function_word(word: &str) -> bool {
    is_stop_word(word) || NEGATIONS.contains(&word) || is_weak(word, &stem(word))
}

fn is_weak(word: &str, stemmed: &str) -> bool {
    static WEAK_STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    WEAK_WORDS.binary_search(&word).is_ok()
        || WEAK_STEMS
            .get_or_init(|| WEAK_WORDS.iter().map(|w| stem(w)).collect())
            .contains(stemmed)
}

fn stem(word: &str) -> String {
    frostem::Stemmer::new(frostem::Algorithm::English)
        .stem(word)
        .into_owned()
}

/// The index term for `word`, or `None` when the word is dropped.
pub fn term(word: &Word) -> Option<Term> {
    let text = word.text.as_str();
    if NEGATIONS.contains(&text) {
        return Some(Term {
            text: "not".to_string(),
            class: TermClass::Weak,
        });
    }
    if is_stop_word(text) {
        return None;
    }
    let is_number = text.chars().any(|c| c.is_ascii_digit());
    let keep_as_is = word.acronym || is_number || text.chars().count() <= 3;
    let stemmed = if keep_as_is {
        text.to_string()
    } else {
        stem(text)
    };
    let class = if is_number || is_weak(text, &stemmed) {
        TermClass::Weak
    } else {
        TermClass::Content
    };
    Some(Term {
        text: stemmed,
        class,
    })
}

/// The terms of `text`, in order.
pub fn analyze(text: &str) -> Vec<Term> {
    words(text).iter().filter_map(term).collect()
}

/// The terms `phrase` becomes, as search reads a moderator's synonym, `Also asked`
/// phrasing or pattern: none when it could never match. Content validation receives
/// this as its [`crate::content::Reading`]: it cannot import search, which sits above it.
pub fn reading(phrase: &str) -> Vec<String> {
    analyze(phrase).into_iter().map(|term| term.text).collect()
}

/// A kept word: its term, and what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    pub term: Term,
    /// The word as written (lowercased and folded).
    pub surface: String,
    /// Byte range in the original text.
    pub span: Range<usize>,
}

/// The kept words of `text`, in order.
pub fn analyzed_words(text: &str) -> Vec<Analyzed> {
    words(text)
        .into_iter()
        .filter_map(|word| {
            term(&word).map(|term| Analyzed {
                term,
                surface: word.text,
                span: word.span,
            })
        })
        .collect()
}

/// A unit of meaning in the index and in questions: a word's term, or a synonym group
/// standing for every phrase of the group (see [`super::synonyms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub class: TermClass,
    /// The words as written.
    pub label: String,
    /// For a synonym group: the group and which of its phrases was written.
    pub synonym: Option<(usize, usize)>,
    pub span: Range<usize>,
}

/// [`analyzed_words`] and synonym segmentation as a tantivy tokenizer, so the index
/// holds exactly the tokens questions are read into.
#[derive(Clone)]
pub struct LanternTokenizer {
    synonyms: Arc<SynonymTable>,
}

impl LanternTokenizer {
    pub fn new(synonyms: Arc<SynonymTable>) -> Self {
        LanternTokenizer { synonyms }
    }
}

/// Name under which [`LanternTokenizer`] is registered with the index.
pub const TOKENIZER_NAME: &str = "lantern";

impl Tokenizer for LanternTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = self
            .synonyms
            .segment(&analyzed_words(text), true)
            .into_iter()
            .enumerate()
            .map(|(position, token)| tantivy::tokenizer::Token {
                offset_from: token.span.start,
                offset_to: token.span.end,
                position,
                text: token.text,
                position_length: 1,
            })
            .collect();
        VecTokenStream {
            tokens,
            index: None,
        }
    }
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: Vec<tantivy::tokenizer::Token>,
    index: Option<usize>,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        let next = self.index.map_or(0, |i| i + 1);
        self.index = Some(next);
        next < self.tokens.len()
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.index.unwrap_or(0)]
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.index.unwrap_or(0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn question_words_go_negations_stay() {
        assert_eq!(texts("What's APS?"), ["aps"]);
        assert_eq!(texts("why don't I have symptoms"), ["not", "symptom"]);
    }

    #[test]
    fn acronyms_and_short_words_are_not_stemmed() {
        assert_eq!(texts("APS aps HCG"), ["aps", "aps", "hcg"]);
        assert_eq!(texts("Miscarriages bleeding"), ["miscarriag", "bleed"]);
        assert_eq!(texts("over 35"), ["35"]);
    }

    #[test]
    fn weak_words_are_marked() {
        let terms = analyze("worried about heparin at 7 weeks");
        let classes: Vec<_> = terms.iter().map(|t| t.class).collect();
        assert_eq!(
            classes,
            [
                TermClass::Weak,
                TermClass::Content,
                TermClass::Weak,
                TermClass::Weak
            ]
        );
        let mentioned = analyze("mentioned");
        assert_eq!(
            mentioned[0].class,
            TermClass::Weak,
            "weak words match by stem"
        );
    }

    #[test]
    fn the_tokenizer_emits_synonym_groups_as_one_token() {
        let synonyms = SynonymTable::new(&[crate::content::SynonymGroup {
            phrases: vec!["miscarriage".into(), "losing the baby".into()],
            line: 1,
        }]);
        let mut tokenizer = LanternTokenizer::new(Arc::new(synonyms));
        let mut stream = tokenizer.token_stream("scared of losing the baby");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().text.clone(), stream.token().position));
        }
        assert_eq!(
            seen,
            [
                ("scare".to_string(), 0),
                ("_0".to_string(), 1),
                ("lose".to_string(), 2),
                ("babi".to_string(), 3)
            ]
        );
    }
}
