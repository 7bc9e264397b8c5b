//! Replaying a fuzz corpus without the fuzzer (stable Rust, part of `cargo test`): the seed
//! files, then deterministic mutations of them. Each crate's `tests/fuzz_corpus.rs` includes
//! this file by path next to its target's checks.

use std::path::Path;

/// The seed files of one target, in name order.
pub fn corpus(dir: &Path, at_least: usize) -> Vec<Vec<u8>> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir).expect("fuzz corpus directory").map(|e| e.expect("corpus entry").path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("corpus file")).collect();
    assert!(seeds.len() >= at_least, "expected at least {at_least} seeds in {}", dir.display());
    seeds
}

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }
}

/// One to four edits of `input` (bit flips, inserts, deletes, repeats, a splice of one of the
/// target's `pieces` or of another seed), or, one time in sixteen, random bytes.
pub fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>], pieces: &[&[u8]]) -> Vec<u8> {
    if rng.below(16) == 0 {
        return (0..rng.below(200)).map(|_| rng.next() as u8).collect();
    }
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.next() as u8),
            2 if !data.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(16)).min(data.len());
                let chunk = data[start..end].to_vec();
                data.splice(at..at, chunk);
            }
            4 | 5 if !pieces.is_empty() => {
                let piece = pieces[rng.below(pieces.len())];
                data.splice(at..at, piece.iter().copied());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(64)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
        }
    }
    data
}

/// Runs `check` over every seed and then `mutations` mutated inputs.
pub fn run(dir: &Path, at_least: usize, pieces: &[&[u8]], mutations: usize, seed: u64, check: impl Fn(&[u8])) {
    let seeds = corpus(dir, at_least);
    for input in &seeds {
        check(input);
    }
    let mut rng = Rng(seed);
    for _ in 0..mutations {
        let base = &seeds[rng.below(seeds.len())];
        check(&mutate(&mut rng, base, &seeds, pieces));
    }
}
