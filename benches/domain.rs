//! Matcher throughput: answers per second over the whole answer space (issue: foundation).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher::{self, OutcomeJson, space};

fn bench(c: &mut Criterion) {
    let Ok(content) = Content::embedded() else {
        panic!("bundled content must load");
    };
    let all: Vec<_> = space::iter(&content.questionnaire).step_by(37).collect();
    let mut g = c.benchmark_group("matcher");
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function("match_answers (space sample)", |b| {
        b.iter(|| {
            for a in &all {
                black_box(matcher::match_answers(&content, black_box(a)));
            }
        })
    });
    g.bench_function("match + JSON line (space sample)", |b| {
        b.iter(|| {
            for a in &all {
                let o = matcher::match_answers(&content, a);
                black_box(serde_json::to_string(&OutcomeJson::new(&content, &o, Lang::Ja)).ok());
            }
        })
    });
    g.finish();
    c.bench_function("content load (embedded, validated)", |b| {
        b.iter(|| black_box(Content::embedded().is_ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
