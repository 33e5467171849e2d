//! Telling moderators what content reloads did: always in the log, and in the
//! moderators' channel when `LANTERN_MOD_LOG_CHANNEL_ID` is set.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::rest::{DiscordRest, Nonce};
use super::shutdown::{InFlight, OwnedHandling};
use crate::content::{Problem, ReloadEvent};
use crate::render;

/// What started a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Files changed on disk.
    Watcher,
    /// A moderator ran /reload.
    Command,
}

/// Reports reloads to the moderators' channel.
pub struct ModLog {
    rest: DiscordRest,
    channel_id: Option<u64>,
    /// The last rejection posted, so a moderator fixing a file over several saves is
    /// told once, not on every save that still fails the same way.
    last_rejection: Mutex<Option<Vec<Problem>>>,
    posts: AtomicU64,
    started: u64,
}

impl ModLog {
    pub fn new(rest: DiscordRest, channel_id: Option<u64>) -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        ModLog {
            rest,
            channel_id,
            last_rejection: Mutex::new(None),
            posts: AtomicU64::new(0),
            started,
        }
    }

    /// Logs `event` and posts it to the moderators' channel, if one is set.
    pub async fn report(&self, event: &ReloadEvent, trigger: Trigger) {
        let repeated = {
            let mut last = self
                .last_rejection
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match event {
                ReloadEvent::Rejected(problems) => {
                    let repeated = last.as_ref() == Some(problems);
                    *last = Some(problems.clone());
                    repeated
                }
                ReloadEvent::Reloaded(_) => {
                    *last = None;
                    false
                }
            }
        };
        // The watcher reports only reloads that changed something; `/reload` always answers.
        if repeated {
            return;
        }
        let Some(channel_id) = self.channel_id else {
            return;
        };
        let text = render::render_reload_event(event, trigger == Trigger::Watcher);
        let nonce = Nonce::ModLog {
            started: self.started,
            post: self.posts.fetch_add(1, Ordering::Relaxed),
        };
        if let Err(error) = self.rest.post(channel_id, &text, &nonce).await {
            tracing::error!(%error, "could not post to the moderators' log channel");
        }
    }
}

/// The watcher's reports, posted by one task in the order the reloads happened (a task per
/// report could post "reloaded" before the rejection it fixed, and made the repeat check
/// race), each counted in flight from the reload on, so a signal waits for the last post.
pub fn in_order(
    modlog: Arc<ModLog>,
    in_flight: Arc<InFlight>,
) -> impl Fn(ReloadEvent) + Send + 'static {
    let (queue, mut queued) =
        tokio::sync::mpsc::unbounded_channel::<(ReloadEvent, OwnedHandling)>();
    tokio::spawn(async move {
        while let Some((event, _handling)) = queued.recv().await {
            modlog.report(&event, Trigger::Watcher).await;
        }
    });
    move |event| {
        if queue.send((event, in_flight.enter_owned())).is_err() {
            tracing::error!("the moderators' log reporter has stopped; a reload went unreported");
        }
    }
}
