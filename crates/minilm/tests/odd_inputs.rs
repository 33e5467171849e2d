//! Any text must embed without panicking, to a finite unit vector.

mod common;

fn check(text: &str) {
    let e = common::encoder().embed(text);
    assert!(
        e.iter().all(|v| v.is_finite()),
        "non-finite embedding for {:?}",
        text.get(..40)
    );
    let norm: f32 = e.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "norm {norm}");
}

#[test]
fn empty_and_blank() {
    for t in [
        "",
        " ",
        "\n\t\r",
        "\u{200b}\u{200b}",
        "\0\0\0",
        "\u{feff}",
        "\u{fffd}",
    ] {
        check(t);
    }
    // Text that normalises to nothing is the [CLS][SEP] embedding.
    let enc = common::encoder();
    assert_eq!(enc.embed("\u{200b}\0 \u{7}"), enc.embed(""));
}

#[test]
fn control_emoji_rtl_zero_width() {
    for t in [
        "\u{1}\u{2}\u{3}\u{1b}[0m\u{7f}\u{85}\u{9f}",
        "😀🤒💊👩‍⚕️👍🏽🇬🇧🥲🫠",
        "مرحبا بالعالم \u{202e}olleh\u{202c} שלום",
        "zero\u{200b}width\u{200c}non\u{200d}joiner\u{2060}\u{feff}",
        "\u{301}\u{301}\u{301}",
        "\u{e000}\u{10ffff}\u{f0000}",
        "[CLS][SEP][MASK][PAD][UNK][",
        "[",
        "中文测试：头痛怎么办？",
        &"a".repeat(5000),
        &"é".repeat(101),
    ] {
        check(t);
    }
}

#[test]
fn a_hundred_kilobytes() {
    let base = "Headache, fever & a cough — what now? 😷 ";
    let mut t = String::new();
    while t.len() < 100_000 {
        t.push_str(base);
    }
    check(&t);
    assert!(common::encoder().token_count(&t) > 254);
}

#[test]
fn every_ascii_and_latin1_char_alone_and_repeated() {
    for c in (0u32..0x3000).filter_map(char::from_u32).step_by(97) {
        check(&c.to_string());
    }
    check(
        &(0u32..0x3000)
            .filter_map(char::from_u32)
            .collect::<String>(),
    );
}
