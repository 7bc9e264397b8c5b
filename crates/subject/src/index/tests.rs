use super::*;
use crate::subject_matches;

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v
}

#[test]
fn literal_and_wildcards() {
    let mut index = SubjectIndex::default();
    index.insert(b"foo.bar", None, 1).unwrap();
    index.insert(b"foo.*", None, 2).unwrap();
    index.insert(b"foo.>", None, 3).unwrap();
    index.insert(b">", None, 4).unwrap();
    index.insert(b"*.bar", None, 5).unwrap();
    index.insert(b"foo.bar.baz", None, 6).unwrap();
    assert_eq!(sorted(index.matches(b"foo.bar").plain.clone()), vec![1, 2, 3, 4, 5]);
    assert_eq!(sorted(index.matches(b"foo.bar.baz").plain.clone()), vec![3, 4, 6]);
    assert_eq!(sorted(index.matches(b"foo").plain.clone()), vec![4]);
    assert!(index.matches(b"foo..bar").is_empty());
    assert_eq!(index.len(), 6);
}

#[test]
fn queue_groups_merge_by_name() {
    let mut index = SubjectIndex::default();
    index.insert(b"foo.bar", Some(b"q"), 1).unwrap();
    index.insert(b"foo.*", Some(b"q"), 2).unwrap();
    index.insert(b"foo.*", Some(b"r"), 3).unwrap();
    index.insert(b"foo.bar", None, 4).unwrap();
    let result = index.matches(b"foo.bar");
    assert_eq!(result.plain, vec![4]);
    assert_eq!(result.queues.len(), 2);
    let q = result.queues.iter().find(|g| &*g.name == b"q").unwrap();
    assert_eq!(sorted(q.members.clone()), vec![1, 2]);
}

#[test]
fn remove_prunes_and_invalidates_cache() {
    let mut index = SubjectIndex::default();
    index.insert(b"a.b.c", None, 1).unwrap();
    index.insert(b"a.*.c", Some(b"q"), 2).unwrap();
    assert_eq!(index.matches(b"a.b.c").plain, vec![1]);
    assert_eq!(index.cache_len(), 1);
    let generation = index.generation();
    assert!(index.remove(b"a.b.c", None, &1));
    assert_ne!(index.generation(), generation);
    assert_eq!(index.cache_len(), 0);
    assert!(index.matches(b"a.b.c").plain.is_empty());
    assert!(!index.remove(b"a.b.c", None, &1));
    assert!(!index.remove(b"a.*.c", Some(b"x"), &2));
    assert!(index.remove(b"a.*.c", Some(b"q"), &2));
    assert!(index.is_empty());
    assert!(index.root.is_empty(), "empty levels are pruned");
}

#[test]
fn invalid_subjects_are_refused() {
    let mut index = SubjectIndex::default();
    for bad in [&b""[..], b"a..b", b">.a", b"a b"] {
        assert_eq!(index.insert(bad, None, 1), Err(InvalidSubject));
    }
}

#[test]
fn cache_is_bounded() {
    let mut index = SubjectIndex::with_cache_limit(16);
    index.insert(b">", None, 1).unwrap();
    for i in 0..1000 {
        index.matches(format!("inbox.{i}").as_bytes());
        assert!(index.cache_len() <= 16);
    }
}

/// Found by the `subject_index_ops` fuzz target: eviction kept the one entry of a one-entry
/// cache, so a cache limited to 1 held 2 subjects.
#[test]
fn small_cache_limits_hold() {
    for limit in 1..5 {
        let index: SubjectIndex<u32> = SubjectIndex::with_cache_limit(limit);
        for i in 0..20 {
            index.matches(format!("s.{i}").as_bytes());
            assert!(index.cache_len() <= limit, "limit {limit}: {} cached", index.cache_len());
        }
    }
}

/// The index agrees with a plain linear scan over random subscriptions and subjects.
#[test]
fn agrees_with_linear_model() {
    let tokens = ["a", "b", "c", "*", ">"];
    let mut rng = 7u64;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut index = SubjectIndex::default();
    let mut model: Vec<(String, u32)> = Vec::new();
    for id in 0..400u32 {
        let depth = 1 + next(3);
        let mut parts: Vec<&str> = (0..depth).map(|_| tokens[next(tokens.len())]).collect();
        if let Some(pos) = parts.iter().position(|t| *t == ">") {
            parts.truncate(pos + 1);
        }
        let subject = parts.join(".");
        index.insert(subject.as_bytes(), None, id).unwrap();
        model.push((subject, id));
        if next(4) == 0 {
            let (s, v) = model.swap_remove(next(model.len()));
            assert!(index.remove(s.as_bytes(), None, &v));
        }
        let literal: Vec<&str> = (0..1 + next(3)).map(|_| tokens[next(3)]).collect();
        let literal = literal.join(".");
        let expected: Vec<u32> =
            model.iter().filter(|(s, _)| subject_matches(s.as_bytes(), literal.as_bytes())).map(|(_, v)| *v).collect();
        assert_eq!(sorted(index.matches(literal.as_bytes()).plain.clone()), sorted(expected), "{literal}");
    }
}

#[test]
fn for_each_visits_every_value_with_its_subject() {
    let mut index: SubjectIndex<u32> = SubjectIndex::default();
    let entries: [(&str, Option<&str>, u32); 6] = [
        ("a", None, 1),
        ("a.b", None, 2),
        ("a.*", None, 3),
        ("a.>", Some("q"), 4),
        (">", None, 5),
        ("a.b", Some("q"), 6),
    ];
    for (subject, queue, value) in entries {
        index.insert(subject.as_bytes(), queue.map(str::as_bytes), value).expect("valid");
    }
    let mut seen = Vec::new();
    index.for_each(|subject, queue, value| {
        seen.push((
            String::from_utf8_lossy(subject).into_owned(),
            queue.map(|q| String::from_utf8_lossy(q).into_owned()),
            *value,
        ));
    });
    seen.sort_by_key(|e| e.2);
    let expected: Vec<_> = entries.iter().map(|(s, q, v)| (s.to_string(), q.map(str::to_string), *v)).collect();
    assert_eq!(seen, expected);
}
