//! Live content: the knowledge serving right now, swapped whole on reload, and the
//! watcher that reloads it when moderators edit the content folder.
//!
//! The bot and `lantern chat` both reload through [`KnowledgeStore::reload`], so what a
//! moderator tries on the command line goes through the same checks as the bot.

mod poll;
mod store;
pub mod watch;

pub use store::KnowledgeStore;
