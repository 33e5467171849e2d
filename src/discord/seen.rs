//! Remembering which interactions and messages were already handled.
//!
//! After a reconnect Discord may deliver an event again. A member must never get two
//! answers to one question, so a repeated interaction or message id is ignored.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::expiring::Expiring;

/// How long a member's message or interaction id is remembered against a second
/// delivery: Discord's interaction lifetime, past which a replay could not be answered
/// anyway, and far longer than a resumed connection replays. The id leads to the
/// member's message, so it is not kept a moment longer.
pub const REPLAY_MEMORY: Duration = Duration::from_secs(15 * 60);

/// Members' messages and interactions handled in the last [`REPLAY_MEMORY`].
pub struct Recent {
    ids: Expiring<()>,
}

impl Recent {
    /// With a sweeper on the current Tokio runtime, so ids go on time.
    pub fn start() -> Recent {
        Recent {
            ids: Expiring::start(REPLAY_MEMORY),
        }
    }

    /// True the first time `id` is offered within [`REPLAY_MEMORY`].
    pub fn first_time(&self, id: u64) -> bool {
        self.ids.try_insert_at(id, (), Instant::now()).is_ok()
    }
}

/// How many recent ids are remembered: far more than can arrive between a drop and its resume.
const CAPACITY: usize = 10_000;

/// Recently handled ids (snowflakes are unique across interactions and messages).
#[derive(Default)]
pub struct Seen {
    ids: Mutex<(HashSet<u64>, VecDeque<u64>)>,
}

impl Seen {
    /// True the first time `id` is offered, false ever after (within the capacity).
    pub fn first_time(&self, id: u64) -> bool {
        let mut guard = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *guard;
        if !set.insert(id) {
            return false;
        }
        order.push_back(id);
        if order.len() > CAPACITY
            && let Some(oldest) = order.pop_front()
        {
            set.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_members_message_is_new_only_once_within_the_replay_memory() {
        let recent = Recent::start();
        assert!(recent.first_time(7));
        assert!(!recent.first_time(7));
        assert!(recent.first_time(8));
    }

    #[test]
    fn an_id_is_new_only_once() {
        let seen = Seen::default();
        assert!(seen.first_time(7));
        assert!(!seen.first_time(7));
        assert!(seen.first_time(8));
    }

    #[test]
    fn the_oldest_ids_are_forgotten_beyond_capacity() {
        let seen = Seen::default();
        for id in 0..=CAPACITY as u64 {
            assert!(seen.first_time(id));
        }
        assert!(seen.first_time(0), "the oldest id was dropped");
        assert!(!seen.first_time(CAPACITY as u64));
    }
}
