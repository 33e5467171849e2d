//! Discord's length limits, and the room Lantern's own texts leave within them.
//!
//! Here, at the bottom, because every layer needs them: content validation caps titles
//! and sources, knowledge refuses long questions, render fits replies, Discord pages
//! autocomplete choices. One table, so the layers cannot disagree about a limit.

/// Message `content`.
pub const MESSAGE_CONTENT: usize = 2000;
/// One embed's description.
pub const EMBED_DESCRIPTION: usize = 4096;
/// All embeds of one message together.
pub const EMBEDS_TOTAL: usize = 6000;
/// An autocomplete choice's name and value.
pub const CHOICE_NAME: usize = 100;
/// A message nonce, in characters (what makes a retried send post at most once).
pub const NONCE: usize = 25;
/// A button's label.
pub const BUTTON_LABEL: usize = 80;
/// Buttons in one row under a message.
pub const BUTTONS_PER_ROW: usize = 5;
/// A slash command's text option: the most a member can type into `/ask`.
pub const STRING_OPTION: usize = 6000;
/// Topics a reply names at most (as "Read" buttons in Discord) when it quotes nothing.
pub const TOPICS_NAMED: usize = 3;
/// Room for the line naming those topics under `not_found`: its label, then each title
/// in bold, with separators.
pub const NAMED_TOPICS_LINE: usize = 20 + TOPICS_NAMED * (CHOICE_NAME + 7);
/// Choices in one autocomplete response.
pub const CHOICES: usize = 25;
/// An article's title or source line, shown under every answer it gives.
pub const SOURCE: usize = 200;
/// The least room a quoted passage gets in an answer. Content validation caps topic
/// titles, sources and safety texts so that this much is always left.
pub const PASSAGE_MIN: usize = 300;
/// What the safety notices, helplines, disclaimer and doctor advice may use together:
/// the rest of a message after the passage, the topic heading and the source line.
pub const SAFETY_TEXTS: usize = MESSAGE_CONTENT - PASSAGE_MIN - (CHOICE_NAME + 8) - (SOURCE + 40);
/// What the disclaimer and doctor advice may use together: they close every reply, and
/// `/about`, whose own text takes most of a message.
pub const FOOTER: usize = 500;
/// The longest question Lantern reads. Longer ones are refused politely: a passage
/// answers one question, and the limit bounds the work one message can cause.
pub const QUESTION: usize = 1000;

/// Length as Discord counts it: in characters, not bytes.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to at most `max` characters, the last of them "…" when anything was cut.
/// The one way Lantern shortens text, so every cut counts characters as Discord does and
/// never splits one.
pub fn ellipsize(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            let kept: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{kept}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_counts_characters_and_never_splits_one() {
        assert_eq!(ellipsize("héparine", 8), "héparine");
        assert_eq!(ellipsize("héparine", 5), "hépa…");
        assert_eq!(char_len(&ellipsize(&"🩸".repeat(10), 4)), 4);
        assert_eq!(ellipsize("abc", 0), "");
    }
}
