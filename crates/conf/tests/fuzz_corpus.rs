//! Replays the `parse_conf` fuzz corpus on stable Rust, without the fuzzer: every seed file,
//! then deterministic mutations of them, through the very checks the fuzz target runs
//! (`fuzz/src/parse_conf.rs`, included here by path).

#[path = "../../../fuzz/src/parse_conf.rs"]
mod checks;

use std::path::PathBuf;

/// Mutated inputs to try on top of the seed files.
const MUTATIONS: usize = 20_000;

/// Pieces mutations splice in: the characters and words the lexer treats specially.
const PIECES: [&[u8]; 32] = [
    b"{",
    b"}",
    b"[",
    b"]",
    b"(\n",
    b"\n)\n",
    b"\"",
    b"'",
    b"\\",
    b"\\x4",
    b"=",
    b":",
    b",",
    b";",
    b"\n",
    b"\r\n",
    b" ",
    b"#",
    b"//",
    b"/",
    b"$",
    b"$FOO",
    b"$MAP",
    b"$SELF",
    b"$x",
    b"include inc.conf\n",
    b"include ",
    b"1k",
    b"-1.5",
    b"2016-05-04T",
    b"127.0.0.1",
    b"\0",
];

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_conf");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fuzz corpus directory").map(|e| e.expect("corpus entry").path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("corpus file")).collect();
    assert!(seeds.len() >= 10, "expected the seed corpus in {}", dir.display());
    seeds
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }
}

/// One mutation of `input`: flip, insert, delete, duplicate, splice a piece or cross with
/// another seed, a few times over.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
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
                let start = at.min(end);
                data.drain(start..end);
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(16)).min(data.len());
                let chunk = data[start..end].to_vec();
                data.splice(at..at, chunk);
            }
            4 | 5 => {
                let piece = PIECES[rng.below(PIECES.len())];
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

#[test]
fn seeds_pass_the_checks() {
    for seed in corpus() {
        checks::check(&seed);
    }
}

#[test]
fn seeds_parse_as_expected() {
    // The first seed is a plain valid config; some seeds are broken on purpose.
    let seeds = corpus();
    let ok = seeds.iter().filter(|s| checks::parse(&String::from_utf8_lossy(s)).is_ok()).count();
    assert!(ok >= 4 && ok < seeds.len(), "{ok} of {} seeds parse", seeds.len());
}

#[test]
fn mutations_pass_the_checks() {
    let seeds = corpus();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..MUTATIONS {
        let base = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, base, &seeds);
        checks::check(&input);
    }
}

#[test]
fn deep_and_long_inputs_pass_the_checks() {
    for piece in ["[", "{a:", "{", "a { b [", "(", "\"", "$x ", "include inc.conf\n", "x: [$MAP, $MAP]\n"] {
        checks::check(piece.repeat(50_000).as_bytes());
    }
    let mut doubling = String::from("a0: [1, 2, 3, 4 ]\n");
    for i in 1..40 {
        doubling.push_str(&format!("a{i}: [$a{}, $a{}]\n", i - 1, i - 1));
    }
    checks::check(doubling.as_bytes());
}
