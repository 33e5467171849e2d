//! A per-member pause between questions, so one person (or a script using their
//! account) cannot flood the bot, while everyone else is unaffected.
//!
//! `/about` and the README promise that an asker's id is kept only for the cooldown, so
//! ids live in an [`Expiring`] store: forgotten the moment the cooldown ends, on the
//! next question or by its sweeper when nobody asks.

use std::time::{Duration, Instant};

use super::expiring::Expiring;

/// Remembers when each member last asked, for the cooldown and no longer. Only ids and
/// instants are kept, never what was asked.
pub struct Cooldowns {
    period: Duration,
    last_asked: Expiring<()>,
}

impl Cooldowns {
    /// Cooldowns that forget an asker on their next access after the cooldown; see
    /// [`Cooldowns::start`] for forgetting on time when nobody asks.
    pub fn new(period: Duration) -> Self {
        Cooldowns {
            period,
            last_asked: Expiring::new(period),
        }
    }

    /// Cooldowns with a sweeper task on the current Tokio runtime that forgets each asker
    /// when their cooldown ends, even if no one asks again. The task ends soon after the
    /// cooldowns are dropped.
    pub fn start(period: Duration) -> Self {
        Cooldowns {
            period,
            last_asked: Expiring::start(period),
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
        self.last_asked
            .try_insert_at(user, (), now)
            .map_err(|asked| {
                self.period
                    .saturating_sub(now.saturating_duration_since(asked))
            })
    }
}

#[cfg(test)]
impl Cooldowns {
    /// Whether `user` is remembered, without forgetting anyone on the way.
    fn remembers(&self, user: u64) -> bool {
        self.last_asked.holds(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asker_is_forgotten_when_their_cooldown_ends() {
        let cooldowns = Cooldowns::new(Duration::from_secs(5));
        let start = Instant::now();
        assert!(cooldowns.try_ask_at(1, start).is_ok());
        assert!(cooldowns.remembers(1));
        assert!(
            cooldowns
                .try_ask_at(2, start + Duration::from_secs(5))
                .is_ok()
        );
        assert!(!cooldowns.remembers(1), "kept after the cooldown ended");
        assert!(cooldowns.remembers(2));
    }

    /// Nobody asks again, and the id still goes: the sweeper forgets it on time.
    #[tokio::test]
    async fn the_sweeper_forgets_an_asker_without_another_question() {
        let period = Duration::from_millis(200);
        let cooldowns = Cooldowns::start(period);
        let asked = Instant::now();
        assert!(cooldowns.try_ask(7).is_ok());
        assert!(cooldowns.try_ask(7).is_err(), "held within the cooldown");
        // Poll rather than sleep a fixed time and hope.
        while cooldowns.remembers(7) {
            assert!(
                asked.elapsed() < Duration::from_secs(5),
                "still remembered {:?} after a {period:?} cooldown",
                asked.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            asked.elapsed() >= period,
            "forgotten before the cooldown ended"
        );
        assert!(cooldowns.try_ask(7).is_ok());
    }

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
        assert!(!cooldowns.remembers(1), "nothing kept when off");
    }
}
