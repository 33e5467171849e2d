//! Live content: the knowledge serving right now, swapped whole on reload, and the
//! watcher that reloads it when moderators edit the content folder.
//!
//! The bot and `lantern chat` both reload through [`KnowledgeStore::reload`], so what a
//! moderator tries on the command line goes through the same checks as the bot.

mod poll;
mod store;
pub mod watch;

pub use store::KnowledgeStore;

/// Runs `work` on tokio's blocking threads: reading the folder (a reload, a snapshot, a
/// watch set up over the whole tree) on a slow share must not hold up the async workers,
/// and with them the bot.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)
}
