//! Things about members kept in memory for a fixed time and not a moment longer: an
//! asker's id for the cooldown, a question while its asker decides whether to send it
//! to the moderators.
//!
//! `/about` and the README promise both are forgotten when their time is up, so expired
//! entries are dropped on every access, and [`Expiring::start`]'s sweeper drops them on
//! time when nobody asks. A TTL cache crate would evict lazily, on access or capacity,
//! which is exactly the promise this must not break.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// Values by id, each forgotten `ttl` after it was put in.
pub struct Expiring<V> {
    inner: Arc<Inner<V>>,
}

struct Inner<V> {
    ttl: Duration,
    state: Mutex<State<V>>,
}

struct State<V> {
    entries: HashMap<u64, (Instant, V)>,
    /// The same entries, oldest first, so expired ones are found without a scan.
    by_time: BTreeSet<(Instant, u64)>,
}

impl<V: Clone + Send + 'static> Expiring<V> {
    /// Entries forgotten on the next access after their time; see [`Expiring::start`]
    /// for forgetting on time when nobody accesses.
    pub fn new(ttl: Duration) -> Self {
        Expiring {
            inner: Arc::new(Inner {
                ttl,
                state: Mutex::new(State {
                    entries: HashMap::new(),
                    by_time: BTreeSet::new(),
                }),
            }),
        }
    }

    /// Entries with a sweeper task on the current Tokio runtime that forgets each when
    /// its time is up. The task ends soon after this is dropped.
    pub fn start(ttl: Duration) -> Self {
        let expiring = Expiring::new(ttl);
        if !ttl.is_zero() {
            tokio::spawn(sweep(Arc::downgrade(&expiring.inner)));
        }
        expiring
    }

    /// Puts `value` in for `id` at `now` unless `id` is still held; then returns when
    /// the held one was put in. Checked and put under one lock.
    pub fn try_insert_at(&self, id: u64, value: V, now: Instant) -> Result<(), Instant> {
        let mut state = self.inner.lock();
        self.inner.forget_expired(&mut state, now);
        if let Some(&(since, _)) = state.entries.get(&id) {
            return Err(since);
        }
        state.entries.insert(id, (now, value));
        state.by_time.insert((now, id));
        Ok(())
    }

    /// Puts `value` in for `id` from `now`, replacing what was held.
    pub fn insert_at(&self, id: u64, value: V, now: Instant) {
        let mut state = self.inner.lock();
        self.inner.forget_expired(&mut state, now);
        if let Some((since, _)) = state.entries.insert(id, (now, value)) {
            state.by_time.remove(&(since, id));
        }
        state.by_time.insert((now, id));
    }

    /// What is held for `id` at `now`.
    pub fn get_at(&self, id: u64, now: Instant) -> Option<V> {
        let mut state = self.inner.lock();
        self.inner.forget_expired(&mut state, now);
        state.entries.get(&id).map(|(_, value)| value.clone())
    }

    /// Takes out what is held for `id` at `now`.
    pub fn remove_at(&self, id: u64, now: Instant) -> Option<V> {
        let mut state = self.inner.lock();
        self.inner.forget_expired(&mut state, now);
        let (since, value) = state.entries.remove(&id)?;
        state.by_time.remove(&(since, id));
        Some(value)
    }

    /// Whether anything is held for `id`, expired or not (for tests of forgetting).
    #[cfg(test)]
    pub fn holds(&self, id: u64) -> bool {
        let state = self.inner.lock();
        state.entries.contains_key(&id) || state.by_time.iter().any(|&(_, held)| held == id)
    }

    /// How many entries are held, expired or not (for tests of forgetting).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<V> Inner<V> {
    fn lock(&self) -> MutexGuard<'_, State<V>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops every entry whose time is up by `now`; returns when the next one's is.
    fn forget_expired(&self, state: &mut State<V>, now: Instant) -> Option<Instant> {
        while let Some(&(since, id)) = state.by_time.first() {
            let ends = since + self.ttl;
            if ends > now {
                return Some(ends);
            }
            state.by_time.pop_first();
            state.entries.remove(&id);
        }
        None
    }
}

/// Forgets each entry when its time is up. It sleeps until the next end, or for one
/// `ttl` when nothing is held: anything put in meanwhile ends after that wake-up, so no
/// entry outstays its time by more than the timer's slack.
async fn sweep<V>(inner: Weak<Inner<V>>) {
    loop {
        let wake = {
            let Some(inner) = inner.upgrade() else {
                return;
            };
            let now = Instant::now();
            let next = inner.forget_expired(&mut inner.lock(), now);
            next.unwrap_or(now + inner.ttl)
        };
        tokio::time::sleep_until(wake.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_dropped_by_time_on_access() {
        let held = Expiring::new(Duration::from_secs(60));
        let start = Instant::now();
        held.insert_at(1, "a", start);
        held.insert_at(2, "b", start + Duration::from_secs(30));
        assert_eq!(held.get_at(1, start + Duration::from_secs(59)), Some("a"));
        assert_eq!(held.get_at(1, start + Duration::from_secs(60)), None);
        assert!(!held.holds(1), "forgotten, not only hidden");
        assert!(held.holds(2));
        assert_eq!(
            held.remove_at(2, start + Duration::from_secs(31)),
            Some("b")
        );
        assert!(held.is_empty());
    }

    #[test]
    fn a_held_id_is_not_replaced_by_try_insert() {
        let held = Expiring::new(Duration::from_secs(5));
        let start = Instant::now();
        assert!(held.try_insert_at(7, (), start).is_ok());
        let later = start + Duration::from_secs(2);
        assert_eq!(held.try_insert_at(7, (), later), Err(start));
        assert!(
            held.try_insert_at(7, (), start + Duration::from_secs(5))
                .is_ok()
        );
    }

    /// Nobody accesses it, and the entry still goes: the sweeper forgets it on time.
    #[tokio::test]
    async fn the_sweeper_forgets_without_another_access() {
        let ttl = Duration::from_millis(200);
        let held = Expiring::start(ttl);
        let put = Instant::now();
        held.insert_at(7, "question", put);
        // Poll rather than sleep a fixed time and hope.
        while held.holds(7) {
            assert!(
                put.elapsed() < Duration::from_secs(5),
                "still held {:?} after {ttl:?}",
                put.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(put.elapsed() >= ttl, "forgotten too early");
    }
}
