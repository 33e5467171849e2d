//! Time to embed a short and a longer text: fastest, median and 99th percentile over 200
//! runs each (the machine may be shared, so compare medians of back-to-back runs).
//!
//!     CARGO_TARGET_DIR=/tmp/target-minilm cargo run --release --example speed

use std::time::{Duration, Instant};

fn timings(enc: &minilm::Encoder, text: &str, runs: usize) -> [Duration; 3] {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(enc.embed(std::hint::black_box(text)));
            t.elapsed()
        })
        .collect();
    times.sort();
    [times[0], times[runs / 2], times[runs * 99 / 100]]
}

fn main() {
    let t = Instant::now();
    let enc = minilm::Encoder::embedded().expect("the shipped model loads");
    println!("load: {:?} (model {})", t.elapsed(), enc.model_id());

    let short =
        "How much paracetamol can I safely take in a day if I also drink alcohol sometimes?";
    let long = "Diabetes is a condition that causes a person's blood sugar level to become too high. \
        There are two main types: type 1, an autoimmune condition in which the immune system attacks \
        the cells that produce insulin, and type 2, in which the body does not produce enough insulin \
        or the cells do not react to it. Type 2 is far more common. Symptoms include feeling very \
        thirsty, peeing more than usual, feeling tired, losing weight without trying, itching around \
        the genitals, cuts that heal slowly and blurred vision. See a GP if you have any of these.";
    for text in [short, long] {
        enc.embed(text); // warm up
        let n = enc.token_count(text) + 2;
        let [min, median, p99] = timings(&enc, text, 200);
        println!(
            "{n:>4} tokens: median {median:.2?}, fastest {min:.2?}, p99 {p99:.2?} over 200 runs"
        );
    }
}
