//! Stopping on Ctrl-C or SIGTERM, whatever state the connection to Discord is in.
//!
//! Serenity's `shutdown_all` does nothing while no shard is running, so a bot started
//! while Discord was unreachable kept retrying after the signal and had to be killed. The
//! bot therefore stops on its own terms: it closes the shards (bounded in time), lets the
//! replies already being written finish (bounded in time), and returns, whether or not
//! serenity's connection loop has noticed. A second signal ends the process at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serenity::all::{Client, Context as SerenityContext, FullEvent, ShardManager};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long after the first signal the process may take to stop: replies in flight get
/// this long to finish (Discord's own window for an interaction is 3 s).
pub const GRACE: Duration = Duration::from_secs(5);

/// How long closing the shards may take: serenity waits up to 5 s for each shard, one
/// after another, and a shard that is reconnecting may never answer.
const CLOSE_SHARDS: Duration = Duration::from_secs(3);

/// Ctrl-C and SIGTERM, listened for from start-up on, so a signal during connecting is
/// caught too, and each can be received more than once.
pub struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Starts listening. A signal that cannot be listened for is logged and never fires.
    pub fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind: SignalKind, name: &str| match signal(kind) {
                Ok(signal) => Some(signal),
                Err(error) => {
                    tracing::error!(%error, "cannot listen for {name}");
                    None
                }
            };
            Signals {
                terminate: listen(SignalKind::terminate(), "SIGTERM"),
                interrupt: listen(SignalKind::interrupt(), "Ctrl-C"),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Resolves at the next Ctrl-C or SIGTERM.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = recv(&mut self.terminate) => {},
                () = recv(&mut self.interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}

/// Counts the events being handled (questions being answered, clicks, reloads) and the
/// reports still to post, so shutdown can wait for them.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// One event being handled; dropping it ends it, even if its task is cancelled.
pub struct Handling<'a>(&'a InFlight);

/// One piece of work handed to another task (a report waiting its turn), counted until
/// it is dropped there.
pub struct OwnedHandling(Arc<InFlight>);

impl InFlight {
    pub fn enter(&self) -> Handling<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        Handling(self)
    }

    pub fn enter_owned(self: &Arc<Self>) -> OwnedHandling {
        self.count.fetch_add(1, Ordering::SeqCst);
        OwnedHandling(self.clone())
    }

    fn leave(&self) {
        if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Resolves when no event is being handled.
    async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Handling<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

impl Drop for OwnedHandling {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// Poise's framework, with every event it handles counted in [`InFlight`].
pub struct Tracked<F> {
    pub framework: F,
    pub in_flight: Arc<InFlight>,
}

#[serenity::async_trait]
impl<F: serenity::framework::Framework> serenity::framework::Framework for Tracked<F> {
    async fn init(&mut self, client: &Client) {
        self.framework.init(client).await;
    }

    async fn dispatch(&self, ctx: SerenityContext, event: FullEvent) {
        let _handling = self.in_flight.enter();
        self.framework.dispatch(ctx, event).await;
    }
}

/// After the first signal: closes the shards and waits for the replies in flight, each
/// within its bound, or ends the process at once on a second signal.
pub async fn stop(shard_manager: Arc<ShardManager>, in_flight: &InFlight, signals: &mut Signals) {
    let deadline = Instant::now() + GRACE;
    let graceful = async {
        if tokio::time::timeout(CLOSE_SHARDS, shard_manager.shutdown_all())
            .await
            .is_err()
        {
            tracing::warn!("the connection to Discord did not close in time; leaving it");
        }
        if tokio::time::timeout_at(deadline, in_flight.idle())
            .await
            .is_err()
        {
            tracing::warn!(
                unfinished = in_flight.count(),
                "replies still being written when time ran out were abandoned"
            );
        }
    };
    tokio::select! {
        () = graceful => {},
        () = signals.next() => {
            tracing::warn!("a second signal: stopping at once, abandoning replies in flight");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_event_to_end() {
        let in_flight = Arc::new(InFlight::default());
        in_flight.idle().await;
        let handling = in_flight.enter();
        let waiter = {
            let in_flight = in_flight.clone();
            tokio::spawn(async move { in_flight.idle().await })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(handling);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("idle once the event ended")
            .unwrap();
        assert_eq!(in_flight.count(), 0);
    }
}
