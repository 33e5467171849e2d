//! Telling moderators what content reloads did: always in the log, and in the
//! moderators' channel when `LANTERN_MOD_LOG_CHANNEL_ID` is set.
//!
//! Every report, the watcher's and `/reload`'s, goes through one queue and is posted by
//! one task, in the order the reloads happened: posted side by side, a "fixed" report
//! could land before the rejection it fixed (one waiting out a rate limit), leaving the
//! channel's last word wrong, and the check for a repeated rejection would race.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

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
    queue: mpsc::UnboundedSender<Queued>,
    in_flight: Arc<InFlight>,
}

/// One report waiting its turn, counted in flight from when it was queued, so a signal
/// waits for it.
struct Queued {
    event: ReloadEvent,
    trigger: Trigger,
    _handling: OwnedHandling,
    /// Told once the report has been posted (or given up), for `/reload` to wait on.
    posted: Option<oneshot::Sender<()>>,
}

/// What the posting task keeps.
struct Poster {
    rest: DiscordRest,
    channel_id: Option<u64>,
    /// The last rejection posted, so a moderator fixing a file over several saves is
    /// told once, not on every save that still fails the same way.
    last_rejection: Option<Vec<Problem>>,
    posts: u64,
    started: u64,
}

impl ModLog {
    /// Starts the task that posts reports; it ends when the `ModLog` is dropped. Must be
    /// called inside a tokio runtime.
    pub fn start(rest: DiscordRest, channel_id: Option<u64>, in_flight: Arc<InFlight>) -> ModLog {
        let (queue, mut queued) = mpsc::unbounded_channel::<Queued>();
        let mut poster = Poster {
            rest,
            channel_id,
            last_rejection: None,
            posts: 0,
            started: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        tokio::spawn(async move {
            while let Some(report) = queued.recv().await {
                poster.post(&report.event, report.trigger).await;
                if let Some(posted) = report.posted {
                    let _ = posted.send(());
                }
            }
        });
        ModLog { queue, in_flight }
    }

    /// Queues `event`'s report without waiting for it (the watcher's way).
    pub fn tell(&self, event: ReloadEvent, trigger: Trigger) {
        self.enqueue(event, trigger, None);
    }

    /// Queues `event`'s report and waits until it has been posted, or given up (the
    /// moderator who ran `/reload` hears back after the channel has).
    pub async fn report(&self, event: ReloadEvent, trigger: Trigger) {
        let (posted, waiting) = oneshot::channel();
        self.enqueue(event, trigger, Some(posted));
        let _ = waiting.await;
    }

    fn enqueue(&self, event: ReloadEvent, trigger: Trigger, posted: Option<oneshot::Sender<()>>) {
        let queued = Queued {
            event,
            trigger,
            _handling: self.in_flight.enter_owned(),
            posted,
        };
        if self.queue.send(queued).is_err() {
            tracing::error!("the moderators' log has stopped; a reload went unreported");
        }
    }
}

impl Poster {
    /// Posts `event` to the moderators' channel, if one is set, unless it repeats the
    /// rejection posted last.
    async fn post(&mut self, event: &ReloadEvent, trigger: Trigger) {
        let repeated = match event {
            ReloadEvent::Rejected(problems) => self.last_rejection.as_ref() == Some(problems),
            ReloadEvent::Reloaded(_) => {
                self.last_rejection = None;
                false
            }
        };
        let Some(channel_id) = self.channel_id.filter(|_| !repeated) else {
            return;
        };
        let text = render::render_reload_event(event, trigger == Trigger::Watcher);
        let nonce = Nonce::ModLog {
            started: self.started,
            post: self.posts,
        };
        self.posts += 1;
        let posted = self.rest.post(channel_id, &text, &nonce).await;
        // A rejection counts as told only once the channel has it: after a failed post,
        // the next save of the same broken file tries again.
        if let ReloadEvent::Rejected(problems) = event {
            self.last_rejection = posted.is_ok().then(|| problems.clone());
        }
        if let Err(error) = posted {
            tracing::error!(%error, "could not post to the moderators' log channel");
        }
    }
}
