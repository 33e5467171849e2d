//! Remembering which interactions and messages were already handled.
//!
//! After a reconnect Discord may deliver an event again. A member must never get two
//! answers to one question, so a repeated interaction or message id is ignored.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

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
