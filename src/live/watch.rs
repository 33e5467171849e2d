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
//! switches to polling by itself whenever file events cannot follow the folder: a change
//! a moderator saved must never silently wait for a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::task::AbortOnDropHandle;

use super::KnowledgeStore;
use super::poll::{self, Poller};
use crate::content::ReloadEvent;

/// How long the folder must be quiet before a reload.
pub const SETTLE: Duration = Duration::from_millis(200);

/// The longest a stream of changes may postpone a reload.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// How often the folder is looked at when file events are not used. Polled changes
/// arrive this far apart, so polling settles for this much longer than [`SETTLE`].
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How the folder is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The system's file events (inotify, FSEvents, ...), falling back to polling when
    /// they are unavailable.
    Events,
    /// Looking at every file's length and modification time every [`POLL_INTERVAL`]:
    /// for folders whose changes raise no file events.
    Poll,
}

/// What a file event says about the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Something inside it changed.
    Inside,
    /// The folder itself appeared, disappeared or moved, or events were lost: the watch
    /// must be set up again.
    Folder,
    /// File events cannot follow part of the folder (a subfolder beyond the system's
    /// limit on watches): only polling can.
    OutOfWatches,
}

/// Watches the content folder until dropped.
pub struct ContentWatcher {
    _task: AbortOnDropHandle<()>,
}

/// Starts watching `store`'s folder; `on_reload` hears about every reload it makes.
/// Must be called inside a tokio runtime.
pub fn watch(
    store: Arc<KnowledgeStore>,
    mode: WatchMode,
    on_reload: impl Fn(ReloadEvent) + Send + 'static,
) -> std::io::Result<ContentWatcher> {
    let dir = std::path::absolute(store.dir())?;
    let (changes, mut received) = mpsc::unbounded_channel();
    let mut follower = Follower::start(dir, mode, changes);
    let mut watching = follower.follow_folder();

    let task = tokio::spawn(async move {
        while let Some(first) = received.recv().await {
            let mut seen = vec![first];
            let started = Instant::now();
            loop {
                let left = MAX_DELAY.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match tokio::time::timeout(follower.settle().min(left), received.recv()).await {
                    Ok(Some(change)) => seen.push(change),
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }

            if seen.contains(&Change::OutOfWatches) {
                follower.switch_to_polling(
                    "file events cannot follow a new subfolder of the content folder",
                );
            }
            if seen.contains(&Change::Folder) || !watching {
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
    Ok(ContentWatcher {
        _task: AbortOnDropHandle::new(task),
    })
}

/// How the folder is being followed right now.
enum Following {
    /// The system's file events, watching the folder's parent (which tells when the
    /// folder itself comes and goes) and, while it exists, the folder.
    Events(Box<dyn Watcher + Send>),
    /// Looking at the folder; the poller stops when dropped.
    Polling { _poller: Poller },
}

impl Following {
    /// Polls `dir`, telling each change found to `changes`.
    fn polling(dir: &Path, changes: &mpsc::UnboundedSender<Change>) -> Following {
        let changes = changes.clone();
        let poller = poll::start(dir.to_path_buf(), POLL_INTERVAL, move || {
            let _ = changes.send(Change::Inside);
        });
        Following::Polling { _poller: poller }
    }
}

/// What follows the folder, and what it needs to set itself up again.
struct Follower {
    dir: PathBuf,
    changes: mpsc::UnboundedSender<Change>,
    following: Following,
}

impl Follower {
    /// Never fails: when file events are unavailable, the folder is polled.
    fn start(dir: PathBuf, mode: WatchMode, changes: mpsc::UnboundedSender<Change>) -> Follower {
        let events = match mode {
            WatchMode::Events => events_watcher(&dir, &changes)
                .inspect_err(|error| {
                    tracing::warn!(%error, "file events are unavailable; polling the content folder instead");
                })
                .ok(),
            WatchMode::Poll => None,
        };
        let following = match events {
            Some(watcher) => Following::Events(watcher),
            None => Following::polling(&dir, &changes),
        };
        Follower {
            dir,
            changes,
            following,
        }
    }

    /// Follows everything inside the folder; false while there is no folder to follow.
    fn follow_folder(&mut self) -> bool {
        let Following::Events(watcher) = &mut self.following else {
            return true;
        };
        if !self.dir.is_dir() {
            return false;
        }
        match watcher.watch(&self.dir, RecursiveMode::Recursive) {
            Ok(()) => true,
            Err(error) => {
                self.switch_to_polling(&format!(
                    "file events cannot follow the content folder ({error})"
                ));
                true
            }
        }
    }

    fn unfollow_folder(&mut self) {
        if let Following::Events(watcher) = &mut self.following {
            let _ = watcher.unwatch(&self.dir);
        }
    }

    /// Polls from now on, rather than leave edits unseen. File events come back only with
    /// a restart, once their cause is fixed.
    fn switch_to_polling(&mut self, why: &str) {
        if matches!(self.following, Following::Polling { .. }) {
            return;
        }
        tracing::warn!(
            "{why}; polling it instead until the next start (on Linux the usual cause is the \
             limit fs.inotify.max_user_watches)"
        );
        self.following = Following::polling(&self.dir, &self.changes);
    }

    /// How long changes must stop before a reload.
    fn settle(&self) -> Duration {
        match self.following {
            Following::Events(_) => SETTLE,
            Following::Polling { .. } => POLL_INTERVAL + SETTLE,
        }
    }
}

/// A watcher of the system's file events on the folder's parent, which tells when the
/// folder itself comes and goes.
fn events_watcher(
    dir: &Path,
    changes: &mpsc::UnboundedSender<Change>,
) -> Result<Box<dyn Watcher + Send>, notify::Error> {
    let parent = dir.parent().unwrap_or(dir);
    let handler = event_handler(dir.to_path_buf(), changes.clone());
    let mut watcher = notify::recommended_watcher(handler)?;
    watcher.watch(parent, RecursiveMode::NonRecursive)?;
    Ok(Box::new(watcher))
}

/// Turns file events into [`Change`]s for the folder `dir`, ignoring reads and
/// everything outside it.
fn event_handler(
    dir: PathBuf,
    changes: mpsc::UnboundedSender<Change>,
) -> impl notify::EventHandler {
    move |event: notify::Result<Event>| {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                if matches!(error.kind, notify::ErrorKind::MaxFilesWatch) {
                    let _ = changes.send(Change::OutOfWatches);
                }
                return;
            }
        };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        // The system dropped events (its queue overflowed): look at everything again.
        let change = if event.need_rescan() || event.paths.iter().any(|p| p == &dir) {
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
