//! What changed between two versions of the content folder, and how a reload ended.
//!
//! Plain data, compared from two [`Library`] values: the watcher and `/reload` in `live`
//! produce it, `render` words it for moderators, and neither needs the other to do so.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Library, Problem};

/// The outcome of a reload.
#[derive(Debug, Clone)]
pub enum ReloadEvent {
    /// The new content serves from now on.
    Reloaded(Changes),
    /// The content is invalid; the previous version keeps serving.
    Rejected(Vec<Problem>),
}

/// What a reload changed, for moderators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files the new content has that Lantern does not read (not a change: reported on
    /// every reload until they are moved or deleted).
    pub unread: Vec<std::path::PathBuf>,
    /// Those of `unread` that are new since the previous version: a file saved in the
    /// wrong place is news even when nothing else changed, so it is always reported.
    pub unread_added: Vec<std::path::PathBuf>,
    pub topics_added: Vec<String>,
    pub topics_removed: Vec<String>,
    pub topics_edited: Vec<String>,
    pub synonym_groups_added: usize,
    pub synonym_groups_removed: usize,
    /// Keys of `safety.md` whose text or patterns changed.
    pub safety_changed: Vec<&'static str>,
    /// The reload before this one was rejected: the content is valid again, which is
    /// news even when it is as it was before the rejected change.
    pub valid_again: bool,
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
            unread: new.unread.clone(),
            unread_added: new
                .unread
                .iter()
                .filter(|path| !old.unread.contains(path))
                .cloned()
                .collect(),
            ..Changes::default()
        };
        for topic in new.topics() {
            let title = &topic.topic.title;
            let key = super::title_key(title);
            match before.get(&key) {
                None => changes.topics_added.push(title.clone()),
                Some(version) if Some(version) != after.get(&key) => {
                    changes.topics_edited.push(title.clone())
                }
                Some(_) => {}
            }
        }
        for topic in old.topics() {
            if !after.contains_key(&super::title_key(&topic.topic.title)) {
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
        let checks: [(&'static str, bool); 11] = [
            ("disclaimer", a.disclaimer != b.disclaimer),
            ("doctor_advice", a.doctor_advice != b.doctor_advice),
            ("urgent_notice", a.urgent_notice != b.urgent_notice),
            ("crisis_notice", a.crisis_notice != b.crisis_notice),
            ("crisis_helplines", a.crisis_helplines != b.crisis_helplines),
            ("not_found", a.not_found != b.not_found),
            ("urgent_patterns", a.urgent_patterns != b.urgent_patterns),
            ("crisis_patterns", a.crisis_patterns != b.crisis_patterns),
            ("urgent_examples", a.urgent_examples != b.urgent_examples),
            ("crisis_examples", a.crisis_examples != b.crisis_examples),
            ("calm_examples", a.calm_examples != b.calm_examples),
        ];
        changes.safety_changed = checks
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(key, _)| *key)
            .collect();
        changes
    }

    pub fn is_empty(&self) -> bool {
        !self.valid_again
            && self.unread_added.is_empty()
            && self.topics_added.is_empty()
            && self.topics_removed.is_empty()
            && self.topics_edited.is_empty()
            && self.synonym_groups_added == 0
            && self.synonym_groups_removed == 0
            && self.safety_changed.is_empty()
    }
}

/// A topic's passages, other phrasings, and its article's title, source and review date
/// (members see those beside the passage): what a reload compares.
type TopicVersion<'a> = (Vec<&'a str>, &'a [String], &'a str, &'a str, NaiveDate);

/// Every topic of `library` by title, lowercased as `/topic` matches titles.
fn by_title(library: &Library) -> HashMap<String, TopicVersion<'_>> {
    library
        .topics()
        .map(|t| {
            let passages = t.topic.passages.iter().map(|p| p.text.as_str()).collect();
            let version = (
                passages,
                t.topic.also_asked.as_slice(),
                t.article.title.as_str(),
                t.article.source.as_str(),
                t.article.last_reviewed,
            );
            (super::title_key(&t.topic.title), version)
        })
        .collect()
}
