//! Replays the `subject_index_ops` fuzz corpus on stable Rust, without the fuzzer: every seed
//! file, then deterministic mutations and random scripts, through the very checks the fuzz
//! target runs (`fuzz/src/subject_index_ops.rs`, included here by path).

#[path = "../../../fuzz/src/subject_index_ops.rs"]
mod checks;

use std::path::PathBuf;

/// Mutated or random scripts to try on top of the seed files.
const MUTATIONS: usize = 20_000;

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/subject_index_ops");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fuzz corpus directory").map(|e| e.expect("corpus entry").path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("corpus file")).collect();
    assert!(!seeds.is_empty(), "expected the seed corpus in {}", dir.display());
    seeds
}

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four edits of a seed (byte changes, inserts, deletes, splices), or, one time in
/// eight, a random script of up to 200 bytes.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(8) == 0 {
        return (0..rng.below(200)).map(|_| rng.next() as u8).collect();
    }
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if at < out.len() => out[at] = out[at].wrapping_add(1 + rng.below(3) as u8),
            1 if at < out.len() => out[at] = rng.next() as u8,
            2 => out.insert(at, rng.next() as u8),
            3 => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at.min(end)..end);
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(32)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
        }
    }
    out
}

#[test]
fn seed_corpus_passes_the_fuzz_checks() {
    for seed in corpus() {
        checks::check(&seed);
    }
}

#[test]
fn mutated_corpus_passes_the_fuzz_checks() {
    let seeds = corpus();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..MUTATIONS {
        let base = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, base, &seeds);
        checks::check(&input);
    }
}
