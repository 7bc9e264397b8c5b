//! Subject index: match cost with 1, 1 000 and 100 000 subscriptions (literal and wildcard),
//! cached and uncached, and insert/remove churn.
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rnats_subject::SubjectIndex;

/// `n` subscriptions: mostly literal `dc.<d>.node.<i>.events`, with one in ten a wildcard.
fn populated(n: usize) -> SubjectIndex<u32> {
    let mut index = SubjectIndex::default();
    for i in 0..n {
        let subject = match i % 10 {
            0 => format!("dc.{}.node.*.events", i % 50),
            1 => format!("dc.{}.>", i % 50),
            _ => format!("dc.{}.node.{}.events", i % 50, i),
        };
        index.insert(subject.as_bytes(), None, i as u32).unwrap();
    }
    index
}

fn bench_match(c: &mut Criterion) {
    let mut group = c.benchmark_group("match");
    for n in [1usize, 1_000, 100_000] {
        let index = populated(n);
        let subject = b"dc.0.node.20.events";
        group.bench_with_input(BenchmarkId::new("cached", n), &index, |b, index| {
            b.iter(|| black_box(index.matches(black_box(subject))))
        });
        group.bench_with_input(BenchmarkId::new("uncached", n), &index, |b, index| {
            b.iter(|| black_box(index.matches_uncached(black_box(subject))))
        });
        let subjects: Vec<String> = (0..4096).map(|i| format!("dc.{}.node.{}.events", i % 50, i)).collect();
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("distinct_subjects", n), &index, |b, index| {
            b.iter(|| {
                i = (i + 1) % subjects.len();
                black_box(index.matches(subjects[i].as_bytes()))
            })
        });
    }
    group.finish();
}

fn bench_churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("churn");
    for n in [1_000usize, 100_000] {
        let mut index = populated(n);
        let mut i = 0u32;
        group.bench_function(BenchmarkId::new("insert_remove", n), |b| {
            b.iter(|| {
                i = i.wrapping_add(1);
                let subject = format!("_INBOX.{}.x", i % 1024);
                index.insert(subject.as_bytes(), None, u32::MAX - i).unwrap();
                index.remove(subject.as_bytes(), None, &(u32::MAX - i));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_match, bench_churn);
criterion_main!(benches);
