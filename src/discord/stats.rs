//! What Lantern counts: how many questions had each outcome. Counts only, in memory,
//! never what was asked or by whom.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::knowledge::{Answer, Outcome};

#[derive(Default)]
pub struct Stats {
    answered: AtomicU64,
    not_found: AtomicU64,
    refused: AtomicU64,
    urgent: AtomicU64,
    held_by_cooldown: AtomicU64,
}

impl Stats {
    pub fn record(&self, answer: &Answer) {
        let counter = match answer.outcome {
            Outcome::Answered(_) => &self.answered,
            Outcome::NotFound | Outcome::TooClose => &self.not_found,
            Outcome::Refused(_) | Outcome::Withheld | Outcome::SmallTalk(_) => &self.refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if answer.urgency.is_urgent() {
            self.urgent.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn record_cooldown(&self) {
        self.held_by_cooldown.fetch_add(1, Ordering::Relaxed);
    }

    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }

    pub fn not_found(&self) -> u64 {
        self.not_found.load(Ordering::Relaxed)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered, {} not found in the articles, {} refused (empty or too long), {} with an urgent or crisis notice, {} asked to wait",
            self.answered.load(Ordering::Relaxed),
            self.not_found.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.urgent.load(Ordering::Relaxed),
            self.held_by_cooldown.load(Ordering::Relaxed),
        )
    }
}
