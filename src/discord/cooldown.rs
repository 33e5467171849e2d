//! A per-member pause between questions, so one person (or a script using their
//! account) cannot flood the bot, while everyone else is unaffected.
//!
//! `/about` and the README promise that an asker's id is kept only for the cooldown, so
//! an id is forgotten the moment its cooldown ends: expired ids are dropped on every
//! question, and [`Cooldowns::start`]'s sweeper drops them on time when nobody asks.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// Remembers when each member last asked, for the cooldown and no longer. Only ids and
/// instants are kept, never what was asked.
pub struct Cooldowns {
    inner: Arc<Inner>,
}

struct Inner {
    period: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    last_asked: HashMap<u64, Instant>,
    /// The same entries, oldest first, so expired ones are found without a scan.
    by_time: BTreeSet<(Instant, u64)>,
}

impl Cooldowns {
    /// Cooldowns that forget an asker on their next access after the cooldown; see
    /// [`Cooldowns::start`] for forgetting on time when nobody asks.
    pub fn new(period: Duration) -> Self {
        Cooldowns {
            inner: Arc::new(Inner {
                period,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Cooldowns with a sweeper task on the current Tokio runtime that forgets each asker
    /// when their cooldown ends, even if no one asks again. The task ends soon after the
    /// cooldowns are dropped.
    pub fn start(period: Duration) -> Self {
        let cooldowns = Cooldowns::new(period);
        if !period.is_zero() {
            tokio::spawn(sweep(Arc::downgrade(&cooldowns.inner)));
        }
        cooldowns
    }

    /// Records a question from `user` now, or says how long they must still wait.
    pub fn try_ask(&self, user: u64) -> Result<(), Duration> {
        if self.inner.period.is_zero() {
            return Ok(());
        }
        // The time is read under the lock, so entries go in in time order.
        let mut state = self.inner.lock();
        self.inner.ask(&mut state, user, Instant::now())
    }

    #[cfg(test)]
    fn try_ask_at(&self, user: u64, now: Instant) -> Result<(), Duration> {
        if self.inner.period.is_zero() {
            return Ok(());
        }
        let mut state = self.inner.lock();
        self.inner.ask(&mut state, user, now)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn ask(&self, state: &mut State, user: u64, now: Instant) -> Result<(), Duration> {
        self.forget_expired(state, now);
        if let Some(&at) = state.last_asked.get(&user) {
            return Err(self
                .period
                .saturating_sub(now.saturating_duration_since(at)));
        }
        state.last_asked.insert(user, now);
        state.by_time.insert((now, user));
        Ok(())
    }

    /// Drops every asker whose cooldown has ended by `now`; returns when the next one ends.
    fn forget_expired(&self, state: &mut State, now: Instant) -> Option<Instant> {
        while let Some(&(at, user)) = state.by_time.first() {
            let ends = at + self.period;
            if ends > now {
                return Some(ends);
            }
            state.by_time.pop_first();
            state.last_asked.remove(&user);
        }
        None
    }
}

/// Forgets each asker when their cooldown ends. It sleeps until the next end, or for one
/// period when nobody is remembered: anyone who asks meanwhile ends their cooldown after
/// that wake-up, so no id outstays its cooldown by more than the timer's slack.
async fn sweep(inner: Weak<Inner>) {
    loop {
        let wake = {
            let Some(inner) = inner.upgrade() else {
                return;
            };
            let now = Instant::now();
            let next = inner.forget_expired(&mut inner.lock(), now);
            next.unwrap_or(now + inner.period)
        };
        tokio::time::sleep_until(wake.into()).await;
    }
}

#[cfg(test)]
impl Cooldowns {
    /// Whether `user` is remembered, without forgetting anyone on the way.
    fn remembers(&self, user: u64) -> bool {
        let state = self.inner.lock();
        state.last_asked.contains_key(&user) || state.by_time.iter().any(|&(_, id)| id == user)
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
