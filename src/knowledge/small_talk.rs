//! Messages that ask nothing: thanks and greetings.
//!
//! Members thank Lantern and say hello to it. Searched as questions, "thank you lantern"
//! was told "I couldn't find that in our articles" and to see a doctor. A message made
//! only of such words gets a short courteous reply instead (see `render`); anything
//! more, a single word of a question or a story, is a question as before.

use crate::text::words;

/// What a message that asks nothing says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallTalk {
    Thanks,
    Greeting,
}

/// Words of thanks. A message holding one of these, and otherwise only
/// [`COURTESY_WORDS`] and [`GREETINGS`], is thanks.
const THANKS: &[&str] = &[
    "thanks", "thank", "thankyou", "thx", "ty", "tysm", "cheers", "ta",
];

/// Words of greeting.
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "heya",
    "howdy",
    "morning",
    "evening",
    "afternoon",
];

/// What thanks may be for, and nothing else may hold: "hi, help" is a call for it.
const THANKED_FOR: &[&str] = &["help", "helping"];

/// Words that go with thanks or a greeting and ask nothing.
const COURTESY_WORDS: &[&str] = &[
    "you",
    "so",
    "much",
    "very",
    "lots",
    "a",
    "lot",
    "again",
    "for",
    "that",
    "this",
    "the",
    "answer",
    "info",
    "information",
    "lantern",
    "bot",
    "good",
    "there",
    "all",
    "everyone",
    "guys",
    "oh",
    "ok",
    "okay",
    "great",
    "lovely",
    "really",
    "helpful",
    "thats",
    "it",
    "was",
    "xx",
    "x",
    "xxx",
    "and",
    "many",
];

/// What `message` says when it asks nothing, or `None` when it may ask something. Only
/// words and plain punctuation: an emoji or emoticon ("hi 🆘", "thanks 💔", "hi :(") may
/// be the whole of what a member in distress manages to say.
pub fn small_talk(message: &str) -> Option<SmallTalk> {
    let plain = message.chars().all(|c| {
        c.is_alphanumeric() || c.is_whitespace() || matches!(c, '.' | ',' | '!' | '\'' | '\u{2019}')
    });
    let words = words(message);
    if !plain || words.is_empty() {
        return None;
    }
    let is = |list: &[&str], word: &str| list.contains(&word);
    let thanks = words.iter().any(|w| is(THANKS, &w.text));
    let courteous = words.iter().all(|w| {
        is(THANKS, &w.text)
            || is(GREETINGS, &w.text)
            || is(COURTESY_WORDS, &w.text)
            || (thanks && is(THANKED_FOR, &w.text))
    });
    if !courteous {
        None
    } else if thanks {
        Some(SmallTalk::Thanks)
    } else if words.iter().any(|w| is(GREETINGS, &w.text)) {
        Some(SmallTalk::Greeting)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thanks_and_greetings_are_told_from_questions() {
        for thanks in [
            "thank you lantern",
            "Thanks so much, that was really helpful xx",
            "ty",
            "cheers for the info!",
            "thanks for the help",
        ] {
            assert_eq!(small_talk(thanks), Some(SmallTalk::Thanks), "{thanks}");
        }
        for greeting in ["hi", "Hello Lantern", "good morning everyone"] {
            assert_eq!(
                small_talk(greeting),
                Some(SmallTalk::Greeting),
                "{greeting}"
            );
        }
        for question in [
            "thanks, but what about aspirin",
            "hi, is heparin safe",
            "hello?",
            "thank you. i miss her so much",
            "ok",
            "helpful",
            "hi \u{1f198}",
            "thanks \u{1f494}",
            "hi :(",
            "hi help",
        ] {
            assert_eq!(small_talk(question), None, "{question}");
        }
    }
}
