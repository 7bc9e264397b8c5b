//! Client-protocol parsing: a read buffer of PUBs (16 B and 1 KiB payloads), HPUBs and a mixed
//! script, parsed op by op as a connection does.
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rnats_proto::{parse_client_op, Limits};

fn frames(frame: &[u8], count: usize) -> Vec<u8> {
    frame.repeat(count)
}

fn parse_all(buf: &[u8], limits: &Limits) -> usize {
    let mut used = 0;
    let mut ops = 0;
    while let Ok(Some((op, len))) = parse_client_op(&buf[used..], limits) {
        black_box(op);
        used += len;
        ops += 1;
    }
    ops
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("parse");
    let small = [&b"PUB orders.eu.new 16\r\n"[..], &[b'x'; 16], b"\r\n"].concat();
    let large = [&b"PUB orders.eu.new 1024\r\n"[..], &[b'x'; 1024], b"\r\n"].concat();
    let headers = b"HPUB orders.eu.new reply.1 23 27\r\nNATS/1.0\r\nA: bcdefg\r\n\r\nbody\r\n".to_vec();
    let mixed = b"SUB a.* 1\r\nPUB a.b 2\r\nhi\r\nPING\r\nUNSUB 1\r\nsub b q 2\r\n".to_vec();
    for (name, frame) in [("pub_16", small), ("pub_1k", large), ("hpub", headers), ("mixed", mixed)] {
        let buf = frames(&frame, 1000);
        let ops = parse_all(&buf, &limits) as u64;
        group.throughput(Throughput::Elements(ops));
        group.bench_function(name, |b| b.iter(|| parse_all(black_box(&buf), &limits)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
