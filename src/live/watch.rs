//! Following the content folder while the bot runs.
//!
//! Moderators save files (or pull a repository) and members should see the change within
//! a second, with no restart. Editors save in several steps (write a temporary file,
//! rename it over the old one, touch metadata), and a `git pull` touches many files, so
//! changes are gathered until the folder has been quiet for [`SETTLE`], then the whole
//! folder is reloaded once. A steady stream of changes cannot postpone the reload beyond
//! [`MAX_DELAY`].
//!
//! Besides the folder itself, its parent is watched: that is the only way to see the
//! folder being deleted, renamed or restored, after which the watch is set up again.
//!
//! The system's file events do not arrive from every filesystem (a network share, some
//! container volumes), and a folder with many subfolders can exceed the system's limit on
//! watches. So the folder can be polled instead ([`WatchMode::Poll`]), and the watcher
//! switches to polling by itself when file events cannot follow the folder: a change a
//! moderator saved must never silently wait for a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::KnowledgeStore;
use crate::content::ReloadEvent;

/// How long the folder must be quiet before a reload.
pub const SETTLE: Duration = Duration::from_millis(200);

/// The longest a stream of changes may postpone a reload.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// How often the folder is polled when file events are not used.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How the folder is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The system's file events (inotify, FSEvents, ...), falling back to polling when
    /// they are unavailable.
    Events,
    /// Looking at every file every [`POLL_INTERVAL`]: for folders whose changes raise no
    /// file events.
    Poll,
}

/// What a file event says about the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Something inside it changed.
    Inside,
    /// The folder itself appeared, disappeared or moved: the watch must be set up again.
    Folder,
}

/// Watches the content folder until dropped.
pub struct ContentWatcher {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ContentWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching `store`'s folder; `on_reload` hears about every reload it makes.
/// Must be called inside a tokio runtime.
pub fn watch(
    store: Arc<KnowledgeStore>,
    mode: WatchMode,
    on_reload: impl Fn(ReloadEvent) + Send + 'static,
) -> Result<ContentWatcher, notify::Error> {
    let dir = std::path::absolute(store.dir())?;
    let (changes, mut received) = mpsc::unbounded_channel();
    let mut follower = Follower::start(dir.clone(), mode, event_handler(dir, changes))?;
    let mut watching = follower.follow_folder();

    let task = tokio::spawn(async move {
        while let Some(first) = received.recv().await {
            let mut folder_changed = first == Change::Folder;
            let started = Instant::now();
            loop {
                let left = MAX_DELAY.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match tokio::time::timeout(SETTLE.min(left), received.recv()).await {
                    Ok(Some(change)) => folder_changed |= change == Change::Folder,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }

            if folder_changed || !watching {
                // The old watch followed a folder that is gone; follow the one there now.
                follower.unfollow_folder();
                watching = follower.follow_folder();
            }
            let reloading = store.clone();
            let event = match tokio::task::spawn_blocking(move || reloading.reload()).await {
                Ok(Ok(changes)) => {
                    tracing::info!(%changes, "content changed on disk and was reloaded");
                    ReloadEvent::Reloaded(changes)
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "content changed on disk but is invalid; the previous content keeps serving");
                    ReloadEvent::Rejected(error.problems())
                }
                Err(error) => {
                    tracing::error!(%error, "the reload task failed; the previous content keeps serving");
                    continue;
                }
            };
            on_reload(event);
        }
    });
    Ok(ContentWatcher { task })
}

/// The notify watcher and what it needs to be set up again, by events or by polling.
struct Follower<H> {
    dir: PathBuf,
    parent: PathBuf,
    handler: H,
    watcher: Box<dyn Watcher + Send>,
    polling: bool,
}

impl<H: notify::EventHandler + Clone> Follower<H> {
    /// Watches the folder's parent, which tells when the folder itself comes and goes.
    fn start(dir: PathBuf, mode: WatchMode, handler: H) -> Result<Self, notify::Error> {
        let parent = dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.clone());
        let (watcher, polling) = match mode {
            WatchMode::Poll => (poll_watcher(handler.clone())?, true),
            WatchMode::Events => match notify::recommended_watcher(handler.clone()) {
                Ok(watcher) => (Box::new(watcher) as Box<dyn Watcher + Send>, false),
                Err(error) => {
                    tracing::warn!(%error, "file events are unavailable; polling the content folder instead");
                    (poll_watcher(handler.clone())?, true)
                }
            },
        };
        let mut follower = Follower {
            dir,
            parent,
            handler,
            watcher,
            polling,
        };
        follower
            .watcher
            .watch(&follower.parent, RecursiveMode::NonRecursive)?;
        Ok(follower)
    }

    /// Follows everything inside the folder; false while there is no folder to follow.
    /// When file events cannot follow it (the system's limit on watches, say), switches
    /// to polling rather than leave edits unseen.
    fn follow_folder(&mut self) -> bool {
        if !self.dir.is_dir() {
            return false;
        }
        let error = match self.watcher.watch(&self.dir, RecursiveMode::Recursive) {
            Ok(()) => return true,
            Err(error) => error,
        };
        if self.polling {
            tracing::warn!(%error, "cannot poll the content folder: edits take effect on /reload only");
            return false;
        }
        tracing::warn!(%error, "file events cannot follow the content folder; polling it instead (raising fs.inotify.max_user_watches restores events)");
        match self.switch_to_polling() {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "cannot poll the content folder either: edits take effect on /reload only");
                false
            }
        }
    }

    fn unfollow_folder(&mut self) {
        let _ = self.watcher.unwatch(&self.dir);
    }

    fn switch_to_polling(&mut self) -> Result<(), notify::Error> {
        let mut watcher = poll_watcher(self.handler.clone())?;
        watcher.watch(&self.parent, RecursiveMode::NonRecursive)?;
        watcher.watch(&self.dir, RecursiveMode::Recursive)?;
        self.watcher = watcher;
        self.polling = true;
        Ok(())
    }
}

fn poll_watcher(
    handler: impl notify::EventHandler,
) -> Result<Box<dyn Watcher + Send>, notify::Error> {
    // Modification times are compared in whole seconds, so an edit saved within the
    // second the folder was last looked at would go unseen; file contents are compared too.
    let config = notify::Config::default()
        .with_poll_interval(POLL_INTERVAL)
        .with_compare_contents(true);
    Ok(Box::new(notify::PollWatcher::new(handler, config)?))
}

/// Turns file events into [`Change`]s for the folder `dir`, ignoring reads and
/// everything outside it.
fn event_handler(
    dir: PathBuf,
    changes: mpsc::UnboundedSender<Change>,
) -> impl notify::EventHandler + Clone {
    move |event: notify::Result<Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let change = if event.paths.iter().any(|p| p == &dir) {
            Change::Folder
        } else if event.paths.iter().any(|p| p.starts_with(&dir)) {
            Change::Inside
        } else {
            return;
        };
        let _ = changes.send(change);
    }
}

/// The folder a store watches, made absolute; for messages.
pub fn watched_folder(store: &KnowledgeStore) -> PathBuf {
    std::path::absolute(store.dir()).unwrap_or_else(|_| store.dir().to_path_buf())
}
