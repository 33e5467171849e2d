//! A per-member pause between questions, so one person (or a script using their
//! account) cannot flood the bot, while everyone else is unaffected.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Remembers when each member last asked. Only ids and instants are kept, never what
/// was asked, and entries older than the cooldown are dropped as they expire.
pub struct Cooldowns {
    period: Duration,
    last_asked: Mutex<HashMap<u64, Instant>>,
}

impl Cooldowns {
    pub fn new(period: Duration) -> Self {
        Cooldowns {
            period,
            last_asked: Mutex::new(HashMap::new()),
        }
    }

    /// Records a question from `user` now, or says how long they must still wait.
    pub fn try_ask(&self, user: u64) -> Result<(), Duration> {
        self.try_ask_at(user, Instant::now())
    }

    fn try_ask_at(&self, user: u64, now: Instant) -> Result<(), Duration> {
        if self.period.is_zero() {
            return Ok(());
        }
        let mut last_asked = self.last_asked.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&at) = last_asked.get(&user) {
            let elapsed = now.saturating_duration_since(at);
            if elapsed < self.period {
                return Err(self.period - elapsed);
            }
        }
        if last_asked.len() > 10_000 {
            let period = self.period;
            last_asked.retain(|_, at| now.saturating_duration_since(*at) < period);
        }
        last_asked.insert(user, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_per_member_not_globally() {
        let cooldowns = Cooldowns::new(Duration::from_secs(5));
        let start = Instant::now();
        assert!(cooldowns.try_ask_at(1, start).is_ok());
        assert!(
            cooldowns.try_ask_at(2, start).is_ok(),
            "another member is not held back"
        );
        let wait = cooldowns
            .try_ask_at(1, start + Duration::from_secs(2))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(3));
        assert!(
            cooldowns
                .try_ask_at(1, start + Duration::from_secs(5))
                .is_ok()
        );
    }

    #[test]
    fn zero_turns_it_off() {
        let cooldowns = Cooldowns::new(Duration::ZERO);
        assert!(cooldowns.try_ask(1).is_ok());
        assert!(cooldowns.try_ask(1).is_ok());
    }
}
