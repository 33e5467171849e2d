//! The knowledge the bot serves right now, replaced whole on reload.
//!
//! Readers take an `Arc` to the current version without locking, so a question being
//! answered during a reload finishes on the version it started with. A reload builds the
//! new version beside the old and swaps it in only when it is valid, so a broken edit
//! never takes the bot down: the previous content keeps serving.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::NaiveDate;

use crate::content::Library;
use crate::knowledge::{Knowledge, LoadError};

/// The current [`Knowledge`], swappable.
pub struct KnowledgeStore {
    dir: PathBuf,
    min_confidence: f32,
    current: ArcSwap<Knowledge>,
    /// One reload at a time, so two never race to swap in different versions.
    reloading: Mutex<()>,
}

impl KnowledgeStore {
    /// Loads `dir`; fails when the content is not valid, since there is nothing to serve.
    pub fn open(dir: &Path, min_confidence: f32) -> Result<KnowledgeStore, LoadError> {
        let knowledge = Knowledge::load(dir, min_confidence)?;
        Ok(KnowledgeStore {
            dir: dir.to_path_buf(),
            min_confidence,
            current: ArcSwap::from_pointee(knowledge),
            reloading: Mutex::new(()),
        })
    }

    /// The version to answer from.
    pub fn current(&self) -> Arc<Knowledge> {
        self.current.load_full()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Re-reads the content folder. On success the new version serves from now on and
    /// the changes are returned; on failure nothing changes and the problems are returned.
    /// Blocking: call it off the async runtime's worker threads.
    pub fn reload(&self) -> Result<Changes, LoadError> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = Knowledge::load(&self.dir, self.min_confidence)?;
        let changes = Changes::between(self.current().library(), fresh.library());
        self.current.store(Arc::new(fresh));
        Ok(changes)
    }
}

/// What a reload changed, for moderators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub topics_added: Vec<String>,
    pub topics_removed: Vec<String>,
    pub topics_edited: Vec<String>,
    pub synonym_groups_added: usize,
    pub synonym_groups_removed: usize,
    /// Keys of `safety.md` whose text or patterns changed.
    pub safety_changed: Vec<&'static str>,
    /// Totals after the reload.
    pub articles: usize,
    pub topics: usize,
    pub passages: usize,
}

impl Changes {
    pub fn between(old: &Library, new: &Library) -> Changes {
        // Maps, not a lookup per topic: content can hold thousands of topics.
        let (before, after) = (by_title(old), by_title(new));
        let mut changes = Changes {
            articles: new.articles.len(),
            topics: after.len(),
            passages: new.passage_count(),
            ..Changes::default()
        };
        for topic in new.topics() {
            let title = &topic.topic.title;
            let key = title.to_ascii_lowercase();
            match before.get(&key) {
                None => changes.topics_added.push(title.clone()),
                Some(version) if Some(version) != after.get(&key) => {
                    changes.topics_edited.push(title.clone())
                }
                Some(_) => {}
            }
        }
        for topic in old.topics() {
            if !after.contains_key(&topic.topic.title.to_ascii_lowercase()) {
                changes.topics_removed.push(topic.topic.title.clone());
            }
        }
        let groups = |library: &Library| -> Vec<Vec<String>> {
            library.synonyms.iter().map(|g| g.phrases.clone()).collect()
        };
        let (old_groups, new_groups) = (groups(old), groups(new));
        changes.synonym_groups_added = new_groups
            .iter()
            .filter(|g| !old_groups.contains(g))
            .count();
        changes.synonym_groups_removed = old_groups
            .iter()
            .filter(|g| !new_groups.contains(g))
            .count();

        let (a, b) = (&old.safety, &new.safety);
        let checks: [(&'static str, bool); 8] = [
            ("disclaimer", a.disclaimer != b.disclaimer),
            ("doctor_advice", a.doctor_advice != b.doctor_advice),
            ("urgent_notice", a.urgent_notice != b.urgent_notice),
            ("crisis_notice", a.crisis_notice != b.crisis_notice),
            ("crisis_helplines", a.crisis_helplines != b.crisis_helplines),
            ("not_found", a.not_found != b.not_found),
            ("urgent_patterns", a.urgent_patterns != b.urgent_patterns),
            ("crisis_patterns", a.crisis_patterns != b.crisis_patterns),
        ];
        changes.safety_changed = checks
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(key, _)| *key)
            .collect();
        changes
    }

    pub fn is_empty(&self) -> bool {
        self.topics_added.is_empty()
            && self.topics_removed.is_empty()
            && self.topics_edited.is_empty()
            && self.synonym_groups_added == 0
            && self.synonym_groups_removed == 0
            && self.safety_changed.is_empty()
    }
}

/// A topic's passages, other phrasings, source and review date: what a reload compares.
type TopicVersion<'a> = (Vec<&'a str>, &'a [String], &'a str, NaiveDate);

/// Every topic of `library` by title, lowercased as `/topic` matches titles.
fn by_title(library: &Library) -> HashMap<String, TopicVersion<'_>> {
    library
        .topics()
        .map(|t| {
            let passages = t.topic.passages.iter().map(|p| p.text.as_str()).collect();
            let version = (
                passages,
                t.topic.also_asked.as_slice(),
                t.article.source.as_str(),
                t.article.last_reviewed,
            );
            (t.topic.title.to_ascii_lowercase(), version)
        })
        .collect()
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Content reloaded: {} article(s), {} topics, {} passages.",
            self.articles, self.topics, self.passages
        )?;
        if self.is_empty() {
            return write!(f, "\nNothing changed.");
        }
        let list = |f: &mut fmt::Formatter<'_>, label: &str, titles: &[String]| {
            if titles.is_empty() {
                Ok(())
            } else {
                write!(f, "\n{label}: {}", titles.join(" · "))
            }
        };
        list(f, "Topics added", &self.topics_added)?;
        list(f, "Topics removed", &self.topics_removed)?;
        list(f, "Topics edited", &self.topics_edited)?;
        if self.synonym_groups_added + self.synonym_groups_removed > 0 {
            write!(
                f,
                "\nSynonyms: {} group(s) added or changed, {} removed or changed",
                self.synonym_groups_added, self.synonym_groups_removed
            )?;
        }
        if !self.safety_changed.is_empty() {
            write!(
                f,
                "\nSafety texts changed: {}",
                self.safety_changed.join(", ")
            )?;
        }
        Ok(())
    }
}
