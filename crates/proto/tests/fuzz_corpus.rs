//! Replays the `parse_client_ops` fuzz corpus on stable Rust, without the fuzzer: every seed
//! file, then deterministic mutations of them, through the very checks the fuzz target runs
//! (`fuzz/src/parse_client_ops.rs`, included here by path).

#[path = "../../../fuzz/src/parse_client_ops.rs"]
mod checks;

use std::path::PathBuf;

/// Mutated inputs to try on top of the seed files.
const MUTATIONS: usize = 20_000;

/// Pieces mutations splice in: verbs, separators and sizes.
const PIECES: [&[u8]; 14] = [
    b"PUB ",
    b"HPUB ",
    b"SUB ",
    b"UNSUB ",
    b"PING",
    b"PONG",
    b"CONNECT {}",
    b"+OK",
    b"-ERR ",
    b"\r\n",
    b"\n",
    b" 0\r\n\r\n",
    b"NATS/1.0\r\n\r\n",
    b" 999999999",
];

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_client_ops");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fuzz corpus directory").map(|e| e.expect("corpus entry").path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("corpus file")).collect();
    assert!(seeds.len() >= 10, "expected the seed corpus in {}", dir.display());
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

/// One to four edits of `input`: byte flips, inserts, deletes, repeats, splices.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = rng.next() as u8,
            2 => out.insert(at, rng.next() as u8),
            3 => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            4 => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let chunk = out[at.min(end)..end].to_vec();
                out.splice(at..at, chunk);
            }
            5 => {
                let piece = PIECES[rng.below(PIECES.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(64)).min(other.len());
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
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..MUTATIONS {
        let base = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, base, &seeds);
        checks::check(&input);
    }
}
