//! The `lantern` command line, driven as a process the way a newcomer or a moderator
//! uses it.

mod common;

use std::fs;

use common::{Lantern, article_path, bundled_content, bundled_safety, content_copy, edit};

fn content_arg() -> String {
    bundled_content().display().to_string()
}

#[test]
fn ask_prints_a_verbatim_passage_with_disclaimer_and_doctor_advice() {
    let run = Lantern::new().run(&["ask", "--content", &content_arg(), "How does heparin help?"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let article = fs::read_to_string(article_path(&bundled_content())).unwrap();
    let quoted: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .collect();
    assert!(
        quoted
            .iter()
            .any(|l| l.contains("Heparin injections thin the blood")),
        "not the passage on how heparin helps:\n{}",
        run.stdout
    );
    for line in quoted {
        assert!(
            article.contains(line),
            "not verbatim from the article: {line}"
        );
    }
    let safety = bundled_safety();
    assert!(run.stdout.contains(&safety.disclaimer));
    assert!(run.stdout.contains(&safety.doctor_advice));
    assert!(run.stdout.contains("Source: "));
}

#[test]
fn ask_json_has_exactly_the_documented_shape() {
    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "is heparin a blood thinner?",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    let object = lines[0].as_object().unwrap();
    let keys = [
        "answered",
        "urgent",
        "topic",
        "passage",
        "score",
        "suggestions",
        "reply",
    ];
    assert_eq!(object.len(), keys.len(), "{object:?}");
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            run.stdout
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no key {k}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys out of the documented order: {}",
        run.stdout
    );
    assert_eq!(object["answered"], true);
    assert_eq!(object["urgent"], false);
    assert!(object["topic"].is_string());
    let passage = object["passage"].as_str().unwrap();
    assert!(passage.contains("antiphospholipid syndrome"), "{passage}");
    assert!((0.0..=1.0).contains(&object["score"].as_f64().unwrap()));
    assert!(
        object["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.is_string())
    );
    let reply = object["reply"].as_str().unwrap();
    assert!(passage.lines().all(|line| reply.contains(line)));
}

#[test]
fn ask_json_without_a_question_answers_each_stdin_line_in_order() {
    let input = "is heparin a blood thinner\nhow do I make pancakes\n\nsigns of a miscarriage\n";
    let run = Lantern::new().run_with_stdin(
        &["ask", "--json", "--content", &content_arg()],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines = run.json_lines();
    assert_eq!(
        lines.len(),
        4,
        "one object per input line, blank lines included"
    );
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[1]["answered"], false);
    assert_eq!(lines[2]["answered"], false);
    assert!(
        lines[2]["reply"]
            .as_str()
            .unwrap()
            .contains("Please type a question")
    );
    assert_eq!(lines[3]["topic"], "Signs of a miscarriage");
}

#[test]
fn off_topic_questions_get_an_honest_i_do_not_know() {
    let safety = bundled_safety();
    for question in [
        "how do I make pancakes",
        "heparin for my dog",
        "where can I buy the Pregnancy Miracle book",
    ] {
        let run = Lantern::new().run(&["ask", "--json", "--content", &content_arg(), question]);
        let answer = &run.json_lines()[0];
        assert_eq!(answer["answered"], false, "{question}: {answer}");
        assert_eq!(answer["passage"], serde_json::Value::Null);
        let reply = answer["reply"].as_str().unwrap();
        assert!(reply.starts_with(&safety.not_found), "{reply}");
        assert!(reply.contains(&safety.doctor_advice));
        assert!(!reply.to_lowercase().contains("miracle"));
    }
    let pancakes = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "how do I make pancakes",
    ]);
    assert_eq!(
        pancakes.json_lines()[0]["suggestions"],
        serde_json::json!([]),
        "unrelated topics are never offered"
    );
    let dog = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "heparin for my dog",
    ]);
    let suggestions = dog.json_lines()[0]["suggestions"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!suggestions.is_empty() && suggestions.len() <= 3);
    assert!(
        suggestions
            .iter()
            .all(|s| s.as_str().unwrap().to_lowercase().contains("heparin")),
        "{suggestions:?}"
    );
}

#[test]
fn emergencies_and_crises_put_their_notice_first() {
    let safety = bundled_safety();
    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "I'm bleeding a lot and the pain is unbearable",
    ]);
    let answer = &run.json_lines()[0];
    assert_eq!(answer["urgent"], true);
    let reply = answer["reply"].as_str().unwrap();
    assert!(reply.starts_with(&safety.urgent_notice), "{reply}");
    let passage = answer["passage"]
        .as_str()
        .expect("the fitting passage still follows");
    assert!(
        reply.find(&safety.urgent_notice).unwrap()
            < reply.find(passage.lines().next().unwrap()).unwrap()
    );

    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "I don't want to live anymore",
    ]);
    let answer = &run.json_lines()[0];
    assert_eq!(answer["urgent"], true);
    let reply = answer["reply"].as_str().unwrap();
    assert!(reply.starts_with(&safety.crisis_notice), "{reply}");
    for helpline in &safety.crisis_helplines {
        assert!(reply.contains(helpline.as_str()));
    }

    let calm = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content_arg(),
        "does aspirin help prevent miscarriage",
    ]);
    assert_eq!(calm.json_lines()[0]["urgent"], false);
}

/// Wanting to be with the baby who died is a warning sign bereavement services name. On
/// a due date it reads like grief, and a calm line about remembering once silenced it;
/// said of a baby in the neonatal unit, or of ashes scattered, it is not a crisis.
#[test]
fn a_bereaved_parent_wanting_to_join_the_baby_gets_the_crisis_notice() {
    crisis_notice_for_each_and_none_for(
        &[
            "its his due date today. i miss him so much i just want to be with him",
            "i just want to be with my angel now",
            "its her birthday and i want to join her in heaven",
        ],
        &[
            "it would have been her first birthday today, we let off balloons",
            "she's still in NICU, i got discharged today and i just want to be with her",
            "maternity leave ends next month, i just want to be with my baby",
            "we walked into the sea at sunset to scatter his ashes",
            "the daily clexane injections are such a burden",
        ],
    );
}

/// Wishing not to wake, and asking what dose would kill, are warning signs that
/// suicide-prevention services list; neither had a pattern, and the meaning net missed
/// them. Waking late, a double dose taken by accident and a parent's fear for a sleeping
/// baby are not.
#[test]
fn asking_what_dose_would_kill_or_wishing_not_to_wake_gets_the_crisis_notice() {
    crisis_notice_for_each_and_none_for(
        &[
            "what dose of my tablets would be enough to not wake up",
            "whats a fatal dose of warfarin asking for me",
            "is a double dose of my sleeping tablets enough to not wake up",
        ],
        &[
            "I never wake up before 9, can I do my clexane later in the morning?",
            "what happens if I accidentally take a double dose of clexane",
            "I'm terrified my baby will sleep and never wake, we lost her big sister to SIDS",
        ],
    );
}

/// Passive wishes to be dead ("what's the point of living", thinking about not waking
/// up) are among the thoughts suicide-prevention screening asks about first; they sat
/// just under the meaning net's threshold and no pattern had their words. Asking what the
/// point of a medicine or a scan is stays calm.
#[test]
fn a_passive_wish_not_to_go_on_gets_the_crisis_notice() {
    crisis_notice_for_each_and_none_for(
        &[
            "what is the point of living after so many losses",
            "sometimes i think about not waking up",
            "honestly whats the point anymore",
            "how many of my pens would it take to not wake up",
        ],
        &[
            "whats the point of taking aspirin if it doesnt work",
            "what is the point of the 12 week scan",
        ],
    );
}

/// Thanks and greetings ask nothing: searched as questions they were told "I couldn't
/// find that" and to see a doctor. A thank-you gets a welcome, a greeting an example of
/// what to ask; a greeting with a question in it is a question.
#[test]
fn thanks_and_greetings_get_a_courteous_reply() {
    let safety = bundled_safety();
    let thanks = ask_json("Thank you Lantern, that was really helpful xx");
    let reply = thanks["reply"].as_str().unwrap();
    assert!(reply.starts_with("You're welcome."), "{reply}");
    assert!(!reply.contains(&safety.doctor_advice), "{reply}");
    assert_eq!(thanks["answered"], false);
    let hello = ask_json("hello");
    assert!(
        hello["reply"]
            .as_str()
            .unwrap()
            .contains("why would I need heparin?"),
        "{hello}"
    );
    let asked = ask_json("hi, why would I need heparin");
    assert_eq!(asked["answered"], true, "{asked}");
}

/// Beneath the crisis notice no passage is quoted: one picked from a member's words (the
/// grief passage urging them to think positive was quoted beneath "i want to die"), or
/// one answering a question about the means. Nor is "I couldn't find that" said; the
/// closest topics are named, the one a question asks about among them.
#[test]
fn nothing_but_the_notice_goes_beneath_a_crisis_told() {
    let safety = bundled_safety();
    for message in [
        "i dont want to be here anymore",
        "sometimes i think about not waking up",
        "is it wrong that i want to die after my miscarriage?",
        "how many heparin injections would it take to not wake up",
    ] {
        let answer = ask_json(message);
        let reply = answer["reply"].as_str().unwrap();
        assert!(reply.starts_with(&safety.crisis_notice), "{reply}");
        assert_eq!(answer["answered"], false, "{reply}");
        assert!(!reply.contains(&safety.not_found), "{reply}");
        assert!(!reply.contains("\n> "), "no passage is quoted: {reply}");
        assert!(reply.contains(&safety.doctor_advice), "{reply}");
    }
    let asked = ask_json("i want to die. why would I need heparin?");
    let reply = asked["reply"].as_str().unwrap();
    assert!(reply.starts_with(&safety.crisis_notice), "{reply}");
    assert!(
        reply.contains("**Heparin, an injectable blood thinner**"),
        "the topic asked about is named: {reply}"
    );
}

/// Asks each message through the command line: every one of `crisis` must open with the
/// crisis notice, and none of `calm` may get any notice.
fn crisis_notice_for_each_and_none_for(crisis: &[&str], calm: &[&str]) {
    let safety = bundled_safety();
    for message in crisis {
        let answer = ask_json(message);
        assert_eq!(answer["urgent"], true, "{message}");
        let reply = answer["reply"].as_str().unwrap();
        assert!(reply.starts_with(&safety.crisis_notice), "{reply}");
    }
    for message in calm {
        assert_eq!(ask_json(message)["urgent"], false, "{message}");
    }
}

#[test]
fn topics_lists_every_heading_of_the_articles() {
    let run = Lantern::new().run(&["topics", "--content", &content_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let article = fs::read_to_string(article_path(&bundled_content())).unwrap();
    let headings: Vec<&str> = article
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .collect();
    let listed: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(listed, headings);
    assert!(
        !listed.iter().any(|t| t.contains("Teenagers")),
        "the misleading source heading is not a topic"
    );
}

#[test]
fn the_content_folder_comes_from_the_environment_or_the_flag() {
    let copy = content_copy();
    let article = article_path(copy.path());
    let text = fs::read_to_string(&article)
        .unwrap()
        .replace("## Coping with grief", "## Coping with loss and grief");
    fs::write(&article, text).unwrap();
    let lantern = Lantern::new().env("LANTERN_CONTENT_DIR", &copy.path().display().to_string());
    assert!(
        lantern
            .run(&["topics"])
            .stdout
            .contains("Coping with loss and grief")
    );
    let flag_wins = lantern.run(&["topics", "--content", &content_arg()]);
    assert!(!flag_wins.stdout.contains("Coping with loss and grief"));
}

#[test]
fn check_accepts_the_bundled_content() {
    let run = Lantern::new().run(&["check", "--content", &content_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("is valid") && run.stdout.contains(" 0 warning(s)"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// One way to break the content, and what `lantern check` must say about it.
struct Breakage {
    name: &'static str,
    /// Changes a fresh copy of the content.
    apply: fn(&std::path::Path),
    /// The file (relative to the content folder) and line the error must name.
    location: &'static str,
    /// Words the message must contain.
    message: &'static str,
}

/// `text` of the content's safety.md written `times` times over.
fn repeat_in_safety(content: &std::path::Path, text: &str, times: usize) {
    edit(
        &content.join("safety.md"),
        text,
        &vec![text; times].join(" "),
    );
}

const BREAKAGES: &[Breakage] = &[
    Breakage {
        name: "front matter never closed",
        apply: |c| {
            edit(
                &article_path(c),
                "next_review: 2027-05-24\n---\n",
                "next_review: 2027-05-24\n",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:1:",
        message: "never closed before the heading on line 8: add a line `---` after line 6",
    },
    Breakage {
        name: "date not in YYYY-MM-DD",
        apply: |c| {
            edit(
                &article_path(c),
                "last_reviewed: 2026-11-24",
                "last_reviewed: 24/11/2026",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:4:",
        message: "YYYY-MM-DD",
    },
    Breakage {
        // chrono reads a signed, six-digit year; a year later it has no date, which once
        // made `check` panic.
        name: "date with a year of more than four digits",
        apply: |c| {
            edit(
                &article_path(c),
                "last_reviewed: 2026-11-24\n",
                "last_reviewed: +262142-12-31\n",
            );
            edit(&article_path(c), "next_review: 2027-05-24\n", "");
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:4:",
        message: "YYYY-MM-DD",
    },
    Breakage {
        name: "topic with no passage",
        apply: |c| {
            edit(
                &article_path(c),
                "## How heparin helps\n",
                "## An empty topic\n\n## How heparin helps\n",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:21:",
        message: "has no passage",
    },
    Breakage {
        name: "duplicate topic titles across articles",
        apply: |c| {
            fs::write(
                c.join("articles/second.md"),
                "---\ntitle: Second\nsource: Test\nlast_reviewed: 2026-11-01\n---\n\n## Signs of a miscarriage\n\nAnother text.\n",
            )
            .unwrap()
        },
        location: "articles/second.md:7:",
        message: "already exists",
    },
    Breakage {
        name: "an introduction titled like an existing topic",
        apply: |c| {
            fs::write(
                c.join("articles").join("zz-grief.md"),
                "---\ntitle: Coping with grief\nsource: Test\nlast_reviewed: 2026-11-01\n---\n\nAn introduction.\n\n## Finding support\n\nA passage.\n",
            )
            .unwrap()
        },
        location: "articles/zz-grief.md:7:",
        message: "before the first heading, takes its title from the file's `# ` line",
    },
    Breakage {
        name: "empty file",
        apply: |c| fs::write(c.join("articles/empty.md"), "  \n\n").unwrap(),
        location: "articles/empty.md:",
        message: "the file is empty",
    },
    Breakage {
        name: "file that is not UTF-8",
        apply: |c| {
            let mut bytes =
                b"---\ntitle: Latin-1\nsource: S\nlast_reviewed: 2026-11-01\n---\n## Caf".to_vec();
            bytes.extend([0xE9, b'\n', b'x', b'\n']);
            fs::write(c.join("articles/latin1.md"), bytes).unwrap()
        },
        location: "articles/latin1.md:6:",
        message: "not UTF-8",
    },
    Breakage {
        name: "unknown safety key",
        apply: |c| {
            edit(
                &c.join("safety.md"),
                "## doctor_advice",
                "## doctors_advice",
            )
        },
        location: "safety.md:",
        message: "unknown safety key `doctors_advice`",
    },
    Breakage {
        name: "advert with a miracle product",
        apply: |c| {
            edit(
                &article_path(c),
                "how to grieve a pregnancy loss\n",
                "how to grieve a pregnancy loss\n\nThe Pregnancy Miracle System worked for 80% of my patients.\n",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:73:",
        message: "promotional material",
    },
    Breakage {
        name: "shop link",
        apply: |c| {
            edit(
                &article_path(c),
                "Heparin is an injectable",
                "Order at https://example.com/shop/heparin. Heparin is an injectable",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:12:",
        message: "a shop link",
    },
    Breakage {
        name: "`Also asked` below a passage",
        apply: |c| {
            edit(
                &article_path(c),
                "linked to recurrent pregnancy loss.\n",
                "linked to recurrent pregnancy loss.\n\nAlso asked: a late phrase\n",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:14:",
        message: "directly under the topic heading (line 9)",
    },
    Breakage {
        name: "`Also asked` phrase of common words only",
        apply: |c| {
            edit(
                &article_path(c),
                "Also asked: what is heparin used for;",
                "Also asked: what is it;",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:10:",
        message: "made only of common words",
    },
    Breakage {
        name: "buy now",
        apply: |c| {
            edit(
                &c.join("safety.md"),
                "It is not medical advice",
                "Buy now! It is not medical advice",
            )
        },
        location: "safety.md:",
        message: "promotional material",
    },
    Breakage {
        name: "malformed synonym line",
        apply: |c| {
            edit(
                &c.join("synonyms.txt"),
                "aspirin = baby aspirin",
                "aspirin baby aspirin",
            )
        },
        location: "synonyms.txt:",
        message: "expected `article word = what members say",
    },
    Breakage {
        name: "notices too long to leave room for a passage",
        apply: |c| repeat_in_safety(c, "Do not wait for an answer here.", 20),
        location: "safety.md:21:",
        message: "with a passage they must fit",
    },
    Breakage {
        name: "disclaimer and doctor advice too long for /about",
        apply: |c| repeat_in_safety(c, "It is not medical advice", 22),
        location: "safety.md:9:",
        message: "close every reply and /about",
    },
    Breakage {
        name: "not_found too long to name the closest topics under it",
        apply: |c| repeat_in_safety(c, "I couldn't find that in our articles.", 30),
        location: "safety.md:32:",
        message: "not_found is",
    },
    Breakage {
        name: "a safety pattern of common words only",
        apply: |c| edit(&c.join("safety.md"), "- suicid*\n", "- suicid*\n- my\n"),
        location: "safety.md:380",
        message: "made only of common words",
    },
    Breakage {
        name: "a star standing apart from its word in a safety pattern",
        apply: |c| edit(&c.join("safety.md"), "- suicid*\n", "- suicid *\n"),
        location: "safety.md:379",
        message: "`*` has no letter or digit",
    },
    Breakage {
        name: "alternatives written in one safety pattern",
        apply: |c| {
            edit(
                &c.join("safety.md"),
                "- suicid*\n",
                "- suicid*\n- (seizure|fitting)\n",
            )
        },
        location: "safety.md:380",
        message: "reads as a choice or a group",
    },
    Breakage {
        name: "a passage with no words",
        apply: |c| {
            edit(
                &article_path(c),
                "linked to recurrent pregnancy loss.\n",
                "linked to recurrent pregnancy loss.\n\n...\n",
            )
        },
        location: "articles/lupus-anticoagulant-and-miscarriage.md:14:",
        message: "has no words",
    },
    Breakage {
        name: "synonyms separated by a slash",
        apply: |c| {
            edit(
                &c.join("synonyms.txt"),
                "aspirin = baby aspirin",
                "aspirin = baby aspirin / low dose aspirin",
            )
        },
        location: "synonyms.txt:",
        message: "not `;`, `/` or `|`",
    },
    Breakage {
        name: "safety file missing",
        apply: |c| fs::remove_file(c.join("safety.md")).unwrap(),
        location: "safety.md:",
        message: "the file is missing",
    },
];

#[test]
fn check_names_file_and_line_for_each_kind_of_broken_content() {
    for breakage in BREAKAGES {
        let copy = content_copy();
        (breakage.apply)(copy.path());
        let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
        assert_eq!(
            run.code,
            Some(1),
            "{}: check must fail\n{}",
            breakage.name,
            run.stderr
        );
        let location = copy.path().join(breakage.location).display().to_string();
        let line = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&location))
            .unwrap_or_else(|| {
                panic!("{}: no error at {location}:\n{}", breakage.name, run.stderr)
            });
        assert!(line.contains(breakage.message), "{}: {line}", breakage.name);
        assert!(run.stderr.contains("is not valid"), "{}", run.stderr);
    }
}

/// Every problem comes at once: safety texts too long are reported with the article's
/// errors, not after they are fixed.
#[test]
fn check_reports_safety_text_sizes_with_every_other_problem() {
    let copy = content_copy();
    repeat_in_safety(copy.path(), "It is not medical advice", 22);
    repeat_in_safety(copy.path(), "I couldn't find that in our articles.", 30);
    edit(
        &article_path(copy.path()),
        "\n## ",
        "\n## \n\nStray.\n\n## ",
    );
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for words in [
        "close every reply and /about",
        "not_found is",
        "this heading has no title",
    ] {
        assert!(run.stderr.contains(words), "{words}\n{}", run.stderr);
    }
}

/// An acronym an article writes in capitals ("SIDS", indexed whole) is found when a
/// member types it in lower case, though its stem ("sid") is no word of the articles.
#[test]
fn an_acronym_typed_in_lower_case_finds_the_article_that_capitalises_it() {
    let copy = content_copy();
    fs::write(
        copy.path().join("articles").join("safe-sleep.md"),
        "---\ntitle: Safe sleep\nsource: A health visitor\nlast_reviewed: 2026-11-01\n---\n\n\
         ## Sudden infant death\n\nSIDS is the sudden, unexplained death of a baby who seemed well, \
         most often in the first six months. Placing a baby on their back to sleep lowers the risk.\n\n\
         ## Room temperature\n\nA room of 16 to 20 degrees suits a sleeping baby.\n",
    )
    .unwrap();
    let content = copy.path().display().to_string();
    for question in ["what is SIDS", "what is sids"] {
        let run = Lantern::new().run(&["ask", "--json", "--content", &content, question]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let answer = &run.json_lines()[0];
        assert_eq!(
            answer["topic"], "Sudden infant death",
            "{question}: {answer}"
        );
    }
}

/// An `Also asked:` line wrapped onto a second line: the second half would be quoted as
/// the topic's passage, so check names it with its line and the fix.
#[test]
fn check_names_an_also_asked_line_wrapped_into_a_passage() {
    let copy = content_copy();
    let article = copy.path().join("articles").join("iron.md");
    fs::write(
        &article,
        "---\ntitle: Iron in pregnancy\nsource: A midwife\nlast_reviewed: 2026-11-01\n---\n\
         ## Iron tablets in pregnancy\n\
         Also asked: do I need iron tablets; what are the side effects of iron tablets\n\
         how much iron should I take when pregnant\n\n\
         Iron tablets can cause constipation and dark stools.\n",
    )
    .unwrap();
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "a warning, not an error: {}", run.stderr);
    let at = format!("{}:8: warning:", article.display());
    assert!(run.stderr.contains(&at), "{at}\n{}", run.stderr);
    assert!(run.stderr.contains("after a semicolon"), "{}", run.stderr);
}

/// An `Also asked` label spelt another way, and a passage still to be written, would
/// each be quoted to members as an answer: check names both at their lines.
#[test]
fn check_names_a_misspelt_also_asked_label_and_a_placeholder_passage() {
    let copy = content_copy();
    let article = copy.path().join("articles").join("iron.md");
    fs::write(
        &article,
        "---\ntitle: Iron in pregnancy\nsource: A midwife\nlast_reviewed: 2026-11-01\n---\n\n\
         ## Iron tablets in pregnancy\n\
         Also ask: how much iron should I take; do I need iron tablets\n\n\
         Most women need iron tablets only when a blood test shows low iron.\n\n\
         ## Iron-rich food\n\
         Also asked: what food has iron in it\n\n\
         TODO\n",
    )
    .unwrap();
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "warnings, not errors: {}", run.stderr);
    for (line, said) in [(8, "spelt another way"), (15, "still to be written")] {
        let at = format!("{}:{line}: warning:", article.display());
        let warning = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&at))
            .unwrap_or_else(|| panic!("no warning at {at}\n{}", run.stderr));
        assert!(warning.contains(said), "{warning}");
    }

    // A slash between words in a safety pattern may have been meant as "or".
    edit(
        &copy.path().join("safety.md"),
        "- suicid*\n",
        "- suicid*\n- drenched/soaked ... sheets\n",
    );
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "a warning, not an error: {}", run.stderr);
    assert!(
        run.stderr.contains("matches its words in a row"),
        "{}",
        run.stderr
    );
}

/// Headings pasted from a word processor as bold lines are read as text, so the topic
/// swallows them: check names each with the fix.
#[test]
fn check_names_bold_lines_used_as_headings() {
    let copy = content_copy();
    let article = copy.path().join("articles").join("iron.md");
    fs::write(
        &article,
        "---\ntitle: Iron in pregnancy\nsource: A midwife\nlast_reviewed: 2026-11-01\n---\n\n\
         ## Iron in pregnancy\n\nIron carries oxygen in the blood.\n\n\
         **Iron tablets**\nMost women need them only when a blood test shows low iron.\n\n\
         **Signs of low iron**\nTiredness, breathlessness and pale skin.\n",
    )
    .unwrap();
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "a warning, not an error: {}", run.stderr);
    for (line, title) in [(11, "Iron tablets"), (14, "Signs of low iron")] {
        let at = format!("{}:{line}: warning:", article.display());
        assert!(run.stderr.contains(&at), "{at}\n{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("`## {title}`")),
            "{}",
            run.stderr
        );
    }
}

/// A slip in a synonym group's first phrase (the articles' own word) turns the group off
/// silently, since members' words are read as that phrase: check names it and the word
/// meant.
#[test]
fn check_names_a_misspelt_article_word_in_synonyms() {
    let copy = content_copy();
    let synonyms = copy.path().join("synonyms.txt");
    let text = fs::read_to_string(&synonyms).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("heparin ="))
        .expect("the bundled heparin group")
        + 1;
    // Another ending of a word the articles use is that word: "taper" beside "tapering"
    // (and "paper"), "wean" beside "weaning" (and "mean").
    fs::write(
        copy.path().join("articles").join("scans.md"),
        "---\ntitle: Stopping\nsource: A pharmacist\nlast_reviewed: 2026-11-01\n---\n\n\
         ## Stopping heparin\n\nTapering the dose, or weaning off, is written on paper: ask what the plan will mean.\n",
    )
    .unwrap();
    fs::write(
        &synonyms,
        format!(
            "{}\ntaper = step down slowly\nwean = come off gradually\n",
            text.replacen("heparin =", "heparn =", 1)
        ),
    )
    .unwrap();
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "a warning, not an error: {}", run.stderr);
    let at = format!("{}:{line}: warning:", synonyms.display());
    assert!(run.stderr.contains(&at), "{at}\n{}", run.stderr);
    assert!(
        run.stderr.contains("Did you mean \"heparin\"?"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("is in no article").count(),
        1,
        "{}",
        run.stderr
    );
}

/// A safety section emptied weakens the notices as much as one taken out: both are named.
#[test]
fn check_warns_about_emptied_safety_sections() {
    let copy = content_copy();
    let safety = copy.path().join("safety.md");
    let text = fs::read_to_string(&safety).unwrap();
    let emptied: Vec<&str> = text
        .lines()
        .scan("", |section, line| {
            if let Some(key) = line.strip_prefix("## ") {
                *section = key;
            }
            let inside = matches!(*section, "crisis_examples" | "crisis_helplines");
            Some((inside && line.starts_with("- "), line))
        })
        .filter(|(dropped, _)| !dropped)
        .map(|(_, line)| line)
        .collect();
    fs::write(&safety, emptied.join("\n")).unwrap();
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for (key, words) in [
        (
            "crisis_helplines",
            "is empty: members in crisis see no local helpline",
        ),
        ("crisis_examples", "lists no examples"),
    ] {
        let line = emptied
            .iter()
            .position(|l| *l == format!("## {key}"))
            .unwrap()
            + 1;
        let at = format!("{}:{line}: warning:", safety.display());
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(&at) && l.contains(words)),
            "{at} {words}\n{}",
            run.stderr
        );
    }
}

#[test]
fn check_warns_about_overdue_reviews_without_failing() {
    let copy = content_copy();
    edit(
        &article_path(copy.path()),
        "next_review: 2027-05-24",
        "next_review: 2020-01-01",
    );
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: review is due since 2020-01-01"),
        "{}",
        run.stderr
    );
}

/// A review date mistyped into the future would show under every answer as when the
/// article was checked, and keep it from coming due.
#[test]
fn check_warns_about_review_dates_that_cannot_be_right() {
    let copy = content_copy();
    edit(
        &article_path(copy.path()),
        "last_reviewed: 2026-11-24",
        "last_reviewed: 2062-11-24",
    );
    let run = Lantern::new().run(&["check", "--content", &copy.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for words in [
        "last_reviewed 2062-11-24 is in the future",
        "next_review 2027-05-24 is before last_reviewed 2062-11-24",
    ] {
        assert!(run.stderr.contains(words), "{words}\n{}", run.stderr);
    }
}

/// A passage too long for one answer is named with its line: members would read only
/// its start, and its last sentence may be the one that matters.
#[test]
fn check_warns_about_a_passage_too_long_to_quote_whole() {
    let long = "Iron tablets help when your iron is low and your midwife suggests them. "
        .repeat(30)
        + "Never take them within two hours of your heparin dose.";
    let content = content_with_article(
        "iron.md",
        "Iron",
        &format!("## Iron tablets\nAlso asked: should I take iron\n\n{long}\n\nA short passage.\n"),
    );
    let run = Lantern::new().run(&["check", "--content", &content.path().display().to_string()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let at = format!(
        "{}:10: warning:",
        content.path().join("articles/iron.md").display()
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("members see only its start"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].starts_with(&at), "{}", run.stderr);
}

#[test]
fn asking_with_broken_content_fails_with_the_errors_not_a_guess() {
    let copy = content_copy();
    edit(
        &article_path(copy.path()),
        "last_reviewed: 2026-11-24",
        "last_reviewed: 24/11/2026",
    );
    let run = Lantern::new().run(&[
        "ask",
        "--content",
        &copy.path().display().to_string(),
        "heparin",
    ]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("is not a date"), "{}", run.stderr);
}

/// Articles often carry front matter keys of their own; one such key must not keep the
/// folder from loading, and a misspelt key is still pointed out.
#[test]
fn an_unknown_front_matter_key_is_a_warning_and_the_article_still_answers() {
    let copy = content_copy();
    edit(
        &article_path(copy.path()),
        "reviewed_by:",
        "author: A moderator\nreviewer:",
    );
    let content = copy.path().display().to_string();
    let check = Lantern::new().run(&["check", "--content", &content]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    for key in ["author", "reviewer"] {
        assert!(
            check.stderr.contains(&format!(
                "warning: front matter key `{key}` is not one Lantern reads"
            )),
            "{}",
            check.stderr
        );
    }
    let run = Lantern::new().run(&["ask", "--json", "--content", &content, "what is heparin?"]);
    assert_eq!(run.json_lines()[0]["answered"], true, "{}", run.stdout);
}

#[test]
fn bad_questions_get_clear_messages_and_nonzero_exits() {
    let lantern = Lantern::new();
    for empty in ["", "   \t ", "?!"] {
        let run = lantern.run(&["ask", "--content", &content_arg(), empty]);
        assert_eq!(run.code, Some(2), "{empty:?}");
        assert!(
            run.stderr.contains("the question is empty"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    let huge = "x".repeat(100_000);
    let run = lantern.run(&["ask", "--content", &content_arg(), &huge]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("100000 characters long"),
        "{}",
        run.stderr
    );

    assert!(
        run.stdout.is_empty(),
        "nothing urgent in it: {}",
        run.stdout
    );
    // Too long to answer is not too long to read for an emergency: the notice shows, as
    // the bot shows it.
    let story = format!(
        "{} I want to kill myself.",
        "We got home from the hospital on Tuesday and nobody has called. ".repeat(20)
    );
    let run = lantern.run(&["ask", "--content", &content_arg(), &story]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("characters long"), "{}", run.stderr);
    assert!(
        run.stdout.contains("988"),
        "the crisis notice: {}",
        run.stdout
    );
    let run = lantern.run(&["ask", "--json", "--content", &content_arg(), &story]);
    assert_eq!(run.code, Some(2));
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("one JSON line");
    assert!(line["reply"].as_str().unwrap().contains("988"), "{line}");

    let run = lantern.run(&["ask", "--content", &content_arg()]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("give a question"));
}

#[test]
fn invalid_utf8_on_stdin_is_reported_and_the_other_lines_still_answered() {
    let run = Lantern::new().run_with_stdin(
        &["ask", "--json", "--content", &content_arg()],
        b"heparin side effects\n\xff\xfe bleeding\nsigns of a miscarriage\n",
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("stdin line 2 is not valid UTF-8"),
        "{}",
        run.stderr
    );
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[2]["answered"], true);
}

#[test]
fn a_huge_question_in_batch_mode_is_refused_politely_in_place() {
    let input = format!("{}\nheparin\n", "a".repeat(100_000));
    let run = Lantern::new().run_with_stdin(
        &["ask", "--json", "--content", &content_arg()],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0));
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["reply"].as_str().unwrap().contains("too long"));
    assert_eq!(lines[1]["answered"], true);
}

#[test]
fn missing_or_empty_content_folders_are_clear_errors() {
    let lantern = Lantern::new();
    let missing = lantern.workdir().join("no-such-folder");
    let run = lantern.run(&[
        "ask",
        "--content",
        &missing.display().to_string(),
        "heparin",
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("the content folder does not exist"),
        "{}",
        run.stderr
    );

    let empty = tempfile::tempdir().unwrap();
    let run = lantern.run(&["check", "--content", &empty.path().display().to_string()]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("cannot read the articles folder"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("safety.md"), "{}", run.stderr);
}

#[test]
fn run_without_a_token_says_how_to_set_one() {
    let run = Lantern::new().run(&["run", "--content", &content_arg()]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("DISCORD_TOKEN is not set"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(".env"));

    let secret = "not a token but secret-ish";
    let run = Lantern::new().env("DISCORD_TOKEN", secret).run(&["run"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("DISCORD_TOKEN is malformed"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("secret-ish"),
        "the token is never echoed"
    );
}

#[test]
fn malformed_settings_stop_the_bot_with_the_key_named() {
    let token = "MTAxMjM0NTY3ODkw.GhIjKl.abcdefghijklmnopqrstuvwxyz_-0123";
    for (key, value) in [
        ("LANTERN_GUILD_ID", "my server"),
        ("LANTERN_MOD_ROLE_ID", "-5"),
        ("LANTERN_EPHEMERAL_DEFAULT", "sometimes"),
        ("LANTERN_SHARDS", "3-1/8"),
        ("DISCORD_API_URL", "discord.com"),
        ("DISCORD_API_URL", "http://example.com"),
    ] {
        let run = Lantern::new()
            .env("DISCORD_TOKEN", token)
            .env(key, value)
            .run(&["run", "--content", &content_arg()]);
        assert_eq!(run.code, Some(2), "{key}: {}", run.stderr);
        assert!(
            run.stderr
                .starts_with(&format!("error: {key} is malformed")),
            "{key}: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "one clear line: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(token));
    }
}

#[test]
fn a_malformed_env_file_is_named_without_echoing_its_values() {
    let lantern = Lantern::new();
    fs::write(
        lantern.workdir().join(".env"),
        "LANTERN_CONTENT_DIR=content\nDISCORD_TOKEN='unterminated-secret-value\n",
    )
    .unwrap();
    let run = lantern.run(&["topics"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains(".env"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("unterminated-secret-value"),
        "{}",
        run.stderr
    );

    // A value with spaces: the line and its key are named, the value is not.
    fs::write(
        lantern.workdir().join(".env"),
        "# settings\nLANTERN_CONTENT_DIR=content\nDISCORD_TOKEN=secret with spaces\n",
    )
    .unwrap();
    let run = lantern.run(&["topics"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("line 3 (`DISCORD_TOKEN`) is malformed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("secret with"), "{}", run.stderr);

    // A token pasted as a line's key: the line is named, the key is not.
    fs::write(
        lantern.workdir().join(".env"),
        "LANTERN_CONTENT_DIR=content\nBot MTAxMjM0NTY3ODkw.GhIjKl.abcdefghijklmnopqrstuvwxyz0123=1\n",
    )
    .unwrap();
    let run = lantern.run(&["topics"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("line 2 is malformed"), "{}", run.stderr);
    assert!(!run.stderr.contains("MTAx"), "{}", run.stderr);

    // A value added below the template's empty line would be silently ignored.
    fs::write(
        lantern.workdir().join(".env"),
        "LANTERN_CONTENT_DIR=content\nLANTERN_MIN_CONFIDENCE=\nLANTERN_MIN_CONFIDENCE=0.95\n",
    )
    .unwrap();
    let run = lantern.run(&["topics"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("LANTERN_MIN_CONFIDENCE is set twice, first empty"),
        "{}",
        run.stderr
    );

    // A misspelt key is named with the one meant; it does not stop anything.
    fs::write(
        lantern.workdir().join(".env"),
        format!(
            "LANTERN_CONTENT_DIR={}\nLANTERN_COOLDOWN=10\n",
            content_arg()
        ),
    )
    .unwrap();
    let run = lantern.run(&["topics"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean LANTERN_COOLDOWN_SECONDS"),
        "{}",
        run.stderr
    );
}

/// Only the working directory's `.env` is read, as README says: one in a folder above
/// is neither used nor a reason to fail.
#[test]
fn a_env_file_in_a_folder_above_is_not_read() {
    let lantern = Lantern::new();
    let below = lantern.workdir().join("below");
    fs::create_dir(&below).unwrap();
    fs::write(lantern.workdir().join(".env"), "NOT VALID AT ALL\n").unwrap();
    let run = lantern
        .command()
        .current_dir(&below)
        .args(["topics", "--content", &content_arg()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
}

#[test]
fn explain_shows_how_a_question_was_read() {
    assert_explained(
        "heprin for sticky blood",
        &[
            "spelling: heprin -> heparin",
            "synonym:  \"sticky blood\" read as \"antiphospholipid syndrome\"",
            "confidence",
        ],
    );
    assert_explained(
        "My OB mentioned heparin. What is thrombophilia?",
        &["asks:     what something is", "meaning: passage"],
    );
    // Which safety line put up a notice, so a moderator can find and fix a needless one;
    // a line that did not count (after "no") is not named.
    assert_explained(
        "no fever but I feel dizzy",
        &[
            "Safety pattern matched: `dizzy` (urgent)",
            "Closest safety example",
        ],
    );
    let calm = Lantern::new().run(&[
        "ask",
        "--explain",
        "--content",
        &content_arg(),
        "no fever but I feel dizzy",
    ]);
    assert!(
        calm.stdout
            .contains("Safety pattern not counted: `fever*` (after a negation)"),
        "{}",
        calm.stdout
    );
    assert!(!calm.stdout.contains("matched: `fever"), "{}", calm.stdout);

    let answer = ask_json_explained("heparin for my dog");
    let explain = &answer["explain"];
    let dog = explain["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "dog")
        .unwrap();
    assert_eq!(dog["passages"], 0, "an unknown word is shown as such");
    let candidates = explain["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty() && candidates.len() <= 100);
    for key in [
        "lexical",
        "bm25_share",
        "shape",
        "passage",
        "sentence",
        "heading",
    ] {
        assert!(
            candidates[0]["evidence"][key].is_number(),
            "no {key} evidence"
        );
    }
    assert!(explain["threshold"].as_f64().unwrap() > 0.0);
    assert!((0.0..=1.0).contains(&explain["confidence"].as_f64().unwrap()));
}

/// Runs `lantern ask --explain` and checks that the explanation shows each of `shown`.
fn assert_explained(question: &str, shown: &[&str]) {
    let run = Lantern::new().run(&["ask", "--explain", "--content", &content_arg(), question]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for text in shown {
        assert!(run.stdout.contains(text), "{text} not in:\n{}", run.stdout);
    }
}

#[test]
fn chat_answers_each_line_until_quit() {
    let run = Lantern::new().run_with_stdin(
        &["chat", "--content", &content_arg()],
        b"is heparin a blood thinner\n\nhow do I make pancakes\n:quit\nnever read\n",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Heparin is an injectable blood thinner")
    );
    assert!(
        run.stdout.contains("[no answer · confidence"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("you> ").count(), 4, "{}", run.stdout);
}

/// Padding cannot push an emergency past what the safety gate reads: the gate reads the
/// question without its leading space, as the length check does.
#[test]
fn an_emergency_after_much_padding_still_gets_the_notice() {
    let padded = format!(
        "{}I am bleeding heavily and soaking a pad an hour",
        " ".repeat(20_001)
    );
    let answer = ask_json(&padded);
    assert_eq!(answer["urgent"], true, "{answer}");
}

/// Space before a question changes nothing: the words the notice answers ("fainted")
/// count as weak in retrieval wherever the question starts, so the explanation and the
/// score are those of the question without it.
#[test]
fn space_before_a_question_changes_nothing() {
    let fainted = "I fainted in the shower this morning. Should I stop my heparin?";
    let plain = ask_json_explained(fainted);
    assert!(
        plain["explain"]["concepts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|concept| concept["weak"] == true),
        "{plain}"
    );
    // The explanation quotes the question's sentences: from the same text as the search.
    let story = "My OB wants me on shots. How would a blood thinner stop a miscarriage?";
    for question in [fainted, story] {
        let plain = ask_json_explained(question);
        for padding in ["   ", "\n\n  \t", &" ".repeat(40)] {
            assert_eq!(ask_json_explained(&format!("{padding}{question}")), plain);
        }
    }
}

/// The urgent notice's own yardstick for heavy bleeding, a pad soaked in an hour, told as
/// members tell it: by how often the pad is changed. Neither net caught the first before
/// these pattern lines; each line must be what catches its message.
#[test]
fn heavy_bleeding_told_by_how_often_pads_are_changed_gets_the_notice() {
    for (told, line) in [
        (
            "been changing my pad every hour since lunch and theres lumps the size of plums",
            "chang* ... pad* ... every hour",
        ),
        (
            "changing my pad every half an hour now",
            "chang* ... pad* ... every half",
        ),
    ] {
        let answer = ask_json(told);
        assert_eq!(answer["urgent"], true, "{told}: {answer}");
        assert_explained(
            told,
            &[&format!("Safety pattern matched: `{line}` (urgent)")],
        );
    }
}

/// A sign told as long over or only imagined gets no urgent notice; the same sign brought
/// back to the present does.
#[test]
fn a_sign_long_over_or_imagined_is_not_an_emergency_but_one_now_is() {
    for (question, urgent) in [
        (
            "I fainted once as a teenager at the dentist, does that matter for my injections?",
            false,
        ),
        (
            "if I ever start bleeding heavily, what counts as heavy?",
            false,
        ),
        ("I fainted as a teenager and again this morning", true),
        // A sign told now beside a past one, in another clause of the same sentence.
        (
            "I'm bleeding heavily, I had a miscarriage two years ago",
            true,
        ),
        ("had a clot years ago, my calf is swollen and hot", true),
        ("Diagnosed with APS in 2018, severe chest pain", true),
        // Told of someone else, in the words of a general question: still happening now.
        (
            "partner has symptoms of pre-eclampsia, severe headache and blurred vision",
            true,
        ),
        (
            "I had a clot in my leg two years ago and now my calf is swollen and hot",
            true,
        ),
    ] {
        let answer = ask_json(question);
        assert_eq!(answer["urgent"], urgent, "{question}: {answer}");
    }
}

/// A sign asked about in general, or told as settled or as an anniversary, gets no
/// urgent notice; the same words told of now, or of someone who has the sign, do.
#[test]
fn a_sign_asked_about_or_settled_is_not_an_emergency_but_one_told_now_is() {
    for (question, urgent) in [
        (
            "What counts as heavy bleeding, so I know when to go in? I'm having the tablets next week.",
            false,
        ),
        ("How do I know what counts as reduced movements?", false),
        (
            "Back in March I collapsed from blood loss during my miscarriage. Will it happen again next time?",
            false,
        ),
        (
            "My friend had a miscarriage last week. The bleeding has settled. What can I send her?",
            false,
        ),
        (
            "What counts as heavy bleeding? I'm soaking a pad every half hour",
            true,
        ),
        ("what is this pain in my chest", true),
        ("partner has signs of heavy bleeding", true),
        ("my wife fainted, she says she's fine", true),
        ("back in A&E, bleeding heavily", true),
    ] {
        let answer = ask_json(question);
        assert_eq!(answer["urgent"], urgent, "{question}: {answer}");
    }
}

/// A new mother who hears voices, talks to people who are not there or believes she is
/// being poisoned needs care now (postpartum psychosis); asking what it is does not.
#[test]
fn a_new_mother_out_of_touch_with_what_is_real_gets_the_urgent_notice() {
    let safety = bundled_safety();
    for (question, urgent) in [
        (
            "three days after the birth my partner keeps hearing voices and has not slept",
            true,
        ),
        (
            "since the birth my wife is talking to people who are not there",
            true,
        ),
        (
            "she thinks the midwives are trying to poison her, the baby is five days old",
            true,
        ),
        ("what is postpartum psychosis and how common is it", false),
    ] {
        let answer = ask_json(question);
        let reply = answer["reply"].as_str().unwrap();
        assert_eq!(
            reply.contains(&safety.urgent_notice),
            urgent,
            "{question}: {reply}"
        );
    }
}

#[test]
fn a_warning_sign_of_suicide_needs_its_whole_phrase_not_its_everyday_words() {
    for (question, urgent) in [
        (
            "my husband won't be around for my injection tomorrow",
            false,
        ),
        (
            "do I have to hang around at the hospital after the scan",
            false,
        ),
        (
            "I won't be around much longer, thank you all for everything",
            true,
        ),
        ("I have been giving away my things this week", true),
    ] {
        let answer = ask_json(question);
        assert_eq!(answer["urgent"], urgent, "{question}: {answer}");
    }
}

/// A set may name each emergency's kind; `lantern eval` then checks the notice is that
/// kind's: helplines alone do not tell someone bleeding heavily to get care.
#[test]
fn eval_counts_an_emergency_given_another_kinds_notice() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("kinds.jsonl");
    fs::write(
        &set,
        "{\"q\": \"I don't want to live anymore\", \"urgent\": true, \"kind\": \"bleeding\"}\n\
         {\"q\": \"I'm bleeding a lot and the pain is unbearable\", \"urgent\": true, \"kind\": \"bleeding\"}\n\
         {\"q\": \"I don't want to live anymore\", \"urgent\": true, \"kind\": \"crisis\"}\n\
         {\"q\": \"I don't want to live anymore\", \"urgent\": true}\n",
    )
    .unwrap();
    let set = set.display().to_string();
    let run = Lantern::new().run(&["eval", "--json", &set, "--content", &content_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["urgent_flagged"], 4, "{report}");
    assert_eq!(report["kind_named"], 3, "{report}");
    assert_eq!(report["right_notice"], 2, "{report}");
    let misses = report["misses"].as_array().unwrap();
    assert_eq!(misses.len(), 1, "{report}");
    assert_eq!(misses[0]["line"], 1);
    assert_eq!(misses[0]["kind"], "wrong_notice");

    let text = Lantern::new().run(&["eval", &set, "--content", &content_arg()]);
    assert!(
        text.stdout.contains("notice of kind    2/3"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("line 1: notice of another kind"),
        "{}",
        text.stdout
    );
}

/// Asks through `lantern ask --json` and returns the answer object.
fn ask_json(question: &str) -> serde_json::Value {
    ask_json_in(&content_arg(), question)
}

/// Asks through `lantern ask --json --explain` against the bundled content.
fn ask_json_explained(question: &str) -> serde_json::Value {
    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--explain",
        "--content",
        &content_arg(),
        question,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json_lines().remove(0)
}

/// Asks through `lantern ask --json` against the content folder `content`.
fn ask_json_in(content: &str, question: &str) -> serde_json::Value {
    let run = Lantern::new().run(&["ask", "--json", "--content", content, question]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json_lines().remove(0)
}

/// A copy of the bundled content with one more article, `articles/{file}`, titled
/// `title`, whose topics (`## ` headings and their passages) are `topics`.
fn content_with_article(file: &str, title: &str, topics: &str) -> tempfile::TempDir {
    let content = content_copy();
    fs::write(
        content.path().join("articles").join(file),
        format!(
            "---\ntitle: {title}\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n{topics}"
        ),
    )
    .unwrap();
    content
}

/// Asks each question and checks that the passage quoted contains the expected text.
fn assert_answers(cases: &[(&str, &str)]) {
    for (question, expected) in cases {
        let answer = ask_json(question);
        assert_eq!(answer["answered"], true, "{question}: {answer}");
        let passage = answer["passage"].as_str().unwrap();
        assert!(passage.contains(expected), "{question}: got {passage}");
    }
}

/// Moderators write Markdown as they always have: a `# ` title line, an introduction
/// before the first topic, `### ` sub-headings. One such file must not keep the whole
/// folder from loading; each part becomes a topic members can be answered from.
#[test]
fn title_lines_introductions_and_sub_headings_are_read_as_topics() {
    let copy = content_with_article(
        "iron.md",
        "Iron in pregnancy",
        "# Iron when you are expecting\n\n\
         Iron helps the blood carry oxygen to you and to the baby, so pregnancy needs more of it.\n\n\
         ## Iron and your diet\n\n\
         ### Foods rich in iron\n\n\
         Red meat, lentils, beans and dark green vegetables such as spinach are rich in iron.\n\n\
         ### Drinks that block iron\n\n\
         Tea and coffee with a meal make it harder for the body to absorb the iron in it.\n\n\
         ```\n\
         # not a heading: code is quoted as it is\n\
         ```\n\n\
         Iron tablets\n\
         ------------\n\n\
         If a blood test shows low iron, a midwife may suggest iron tablets taken with orange juice.\n",
    );
    let content = copy.path().display().to_string();
    let check = Lantern::new().run(&["check", "--content", &content]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);

    let topics = Lantern::new().run(&["topics", "--content", &content]);
    let listed: Vec<&str> = topics.stdout.lines().collect();
    // The introduction takes the `# ` line's title; a sub-heading keeps its parent's
    // subject, and the parent, with nothing of its own, is not a topic; an underlined
    // line is a heading.
    for topic in [
        "Iron when you are expecting",
        "Iron and your diet: Foods rich in iron",
        "Iron and your diet: Drinks that block iron",
        "Iron tablets",
    ] {
        assert!(listed.contains(&topic), "{topic} missing from {listed:?}");
    }
    let bundled = Lantern::new().run(&["topics", "--content", &content_arg()]);
    assert_eq!(
        listed.len(),
        bundled.stdout.lines().count() + 4,
        "the bundled topics and these four: {listed:?}"
    );

    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--content",
        &content,
        "which foods are rich in iron?",
    ]);
    let answer = &run.json_lines()[0];
    assert_eq!(
        answer["topic"], "Iron and your diet: Foods rich in iron",
        "{answer}"
    );
    assert!(
        answer["passage"]
            .as_str()
            .unwrap()
            .starts_with("Red meat, lentils")
    );
}

/// "What is lupus" holds one meaningful word, which one passage names in a list of
/// causes: words alone quoted that list with high confidence. A question asking only
/// what one thing is is answered by a passage that defines it (also under another name
/// it gives: "often shortened to PUL") or is about it by its title; else Lantern declines
/// and names the topic that mentions it.
#[test]
fn asking_what_a_thing_is_needs_a_passage_that_explains_it() {
    let lupus = ask_json("what is lupus");
    assert_eq!(lupus["answered"], false, "{lupus}");
    assert_eq!(lupus["suggestions"][0], "Causes of miscarriage", "{lupus}");
    let explained = Lantern::new().run(&[
        "ask",
        "--explain",
        "--content",
        &content_arg(),
        "what is lupus",
    ]);
    assert!(
        explained
            .stdout
            .contains("Declined: the question asks what one thing is"),
        "--explain says why: {}",
        explained.stdout
    );
    let heparin = ask_json("what is heparin");
    assert_eq!(heparin["topic"], "Heparin, an injectable blood thinner");
    // Which ones, what for, and something at hand are not asking what a thing is.
    for (question, topic) in [
        ("what are the tests", "Seeing a doctor"),
        ("what is the ultrasound for", "Seeing a doctor"),
        ("whats this pain", "Signs of a miscarriage"),
    ] {
        assert_eq!(ask_json(question)["topic"], topic, "{question}");
    }
    // A pasted link is not part of what is asked (its words sank the match to 0.32).
    let linked = ask_json("what is heparin https://example.com/heparin-info");
    assert_eq!(
        linked["topic"], "Heparin, an injectable blood thinner",
        "{linked}"
    );

    let copy = content_with_article(
        "early-scans.md",
        "Early scans",
        "## Pregnancy of unknown location\n\n\
         A pregnancy of unknown location, often shortened to PUL, means a positive test but no \
         pregnancy visible on a scan yet.\n",
    );
    let pul = ask_json_in(&copy.path().display().to_string(), "pul meaning");
    assert_eq!(pul["topic"], "Pregnancy of unknown location", "{pul}");
}

/// A moderator's paragraph often leaves out what its heading says. Its meaning must
/// still be read under the heading: the question about bleeding comes closest to the
/// paragraph under the bleeding heading, although that paragraph never says "bleeding".
#[test]
fn a_paragraph_is_read_under_its_heading() {
    let copy = content_with_article(
        "how-long-things-last.md",
        "How long things last",
        "## How long does bleeding last after a miscarriage?\n\n\
         Usually one to two weeks. It gets lighter day by day.\n\n\
         ## How long does morning sickness last?\n\n\
         Usually until about 14 weeks. It gets easier day by day.\n",
    );
    let run = Lantern::new().run(&[
        "ask",
        "--json",
        "--explain",
        "--content",
        &copy.path().display().to_string(),
        "how many days will I keep bleeding after losing the baby",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let explain = &run.json_lines()[0]["explain"];
    let closest = explain["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| {
            let meaning = |c: &serde_json::Value| c["evidence"]["passage"].as_f64().unwrap();
            meaning(a).total_cmp(&meaning(b))
        })
        .unwrap();
    assert_eq!(
        closest["topic"], "How long does bleeding last after a miscarriage?",
        "{explain}"
    );
}

/// When Lantern declines, the topic closest in meaning comes first among the closest
/// topics, even when the member's words are not the article's ("intimate" for "sex"):
/// one click from it in Discord. A question about nothing in the articles names none.
#[test]
fn a_declined_question_names_the_topic_nearest_in_meaning_first() {
    let copy = content_with_article(
        "life-after-a-loss.md",
        "Life after a loss",
        "## Sex after a miscarriage\n\n\
         Most clinics suggest waiting until the bleeding has stopped before having sex, to \
         lower the chance of infection. Some couples want closeness soon, others need \
         longer, and both are normal.\n\n\
         ## Going back to work\n\n\
         Many people return to work within one or two weeks, though some need more time. \
         A fit note from your doctor can cover the time you need.\n",
    );
    let content = copy.path().display().to_string();
    let ask = |question: &str| ask_json_in(&content, question);
    let declined = ask("can we be intimate yet after the miscarriage");
    assert_eq!(declined["answered"], false, "{declined}");
    assert_eq!(
        declined["suggestions"][0], "Sex after a miscarriage",
        "{declined}"
    );
    assert!(
        declined["reply"]
            .as_str()
            .unwrap()
            .contains("Closest topics: **Sex after a miscarriage**"),
        "{declined}"
    );
    let unrelated = ask("what's a good recipe for banana bread");
    assert_eq!(unrelated["answered"], false, "{unrelated}");
    assert_eq!(
        unrelated["suggestions"],
        serde_json::json!([]),
        "{unrelated}"
    );
}

#[test]
fn misspellings_members_make_are_understood() {
    assert_answers(&[
        ("heprin", "Heparin"),
        (
            "what causes misscarriage",
            "experts have identified several known causes",
        ),
        (
            "can antiphospholipd syndrome cause miscarriage",
            "antiphospholipid syndrome",
        ),
        (
            "pregnancy simptoms stopped suddenly",
            "sudden stop of pregnancy symptoms",
        ),
    ]);
}

#[test]
fn lay_words_and_acronyms_reach_the_articles_words() {
    assert_answers(&[
        ("is a blood thinner safe in pregnancy", "not without risk"),
        (
            "am I losing the baby? what are the signs",
            "well-known miscarriage signs",
        ),
        (
            "how common is pregnancy loss",
            "10% to 20% of all confirmed pregnancies",
        ),
        ("why do I need shots", "injectable blood thinner"),
    ]);
}

#[test]
fn words_the_articles_never_use_count_against_an_answer() {
    assert_refuses(&[
        "heparin for my dog",
        "weather forecast for the weekend",
        "sourdough starter recipe",
        "IVF costs",
    ]);
}

/// Letters in disguise mean to the sentence model what they mean to the word side: a
/// question typed in full-width letters, or with Cyrillic look-alikes, is answered as
/// the plain one (the model read them as nothing and refused).
#[test]
fn disguised_letters_are_read_alike_by_meaning_too() {
    let plain = ask_json_explained("what is heparin");
    for disguised in [
        "what is ＨＥＰＡＲＩＮ",
        "what \u{456}s h\u{435}p\u{430}r\u{456}n",
    ] {
        let answer = ask_json_explained(disguised);
        assert_eq!(answer["topic"], plain["topic"], "{disguised}: {answer}");
        assert_eq!(answer["score"], plain["score"], "{disguised}: {answer}");
        assert_eq!(
            answer["explain"]["safety"], plain["explain"]["safety"],
            "{disguised}"
        );
    }
}

/// A question in capitals is the same question: its short words were read as acronyms,
/// never stemmed, and "BABY" became a word the articles never use.
#[test]
fn a_question_in_capitals_is_the_same_question() {
    let quiet = ask_json("is heparin safe for my baby");
    let shouted = ask_json("IS HEPARIN SAFE FOR MY BABY");
    assert_eq!(shouted["topic"], quiet["topic"], "{shouted}");
    assert_eq!(shouted["score"], quiet["score"], "{shouted}");
}

/// Thoughts of suicide told in the seventh line of a calm post get the crisis notice: only
/// the first six sentences were compared with the examples, and the whole post's meaning
/// was diluted by the rest.
#[test]
fn a_crisis_told_late_in_a_long_post_gets_the_notice() {
    let post = "had my scan last week\nthe nurse was kind\nwe talked about my diet\n\
                i asked about vitamins\nthe coffee was cold\nit rained all day\n\
                i have been thinking it would be easier to just not wake up tomorrow";
    let answer = ask_json(post);
    assert_eq!(answer["urgent"], true, "{answer}");
}

/// A post of more sentences than the safety net reads one by one is read whole all the
/// same: the last sentences, joined with their neighbours, still count.
#[test]
fn an_emergency_at_the_end_of_a_post_of_many_sentences_gets_the_notice() {
    let post = format!("{}i cant stop the bleeding", "Today was hard. ".repeat(60));
    let answer = ask_json(&post);
    assert_eq!(answer["urgent"], true, "{answer}");
}

/// The words that name the answer's kind are weak, not dropped: they may be the subject.
#[test]
fn the_words_naming_the_answers_kind_still_count_a_little() {
    let answer = ask_json_explained("what type of miscarriage is most common");
    let concepts = answer["explain"]["concepts"].as_array().unwrap();
    assert!(
        concepts
            .iter()
            .any(|c| c["label"] == "miscarriage" && c["weak"] == true),
        "{answer}"
    );
}

/// A message of conversation and numbers alone names nothing a passage could answer,
/// though every passage with one of its words covers all of it: it was answered at 0.9.
/// The words a safety notice answers still name a subject.
#[test]
fn a_message_that_names_no_subject_is_not_answered() {
    assert_refuses(&["know", "is this normal?", "I know", "normal?", "8 weeks"]);
    let emergency = ask_json("I'm bleeding a lot and the pain is unbearable");
    assert_eq!(emergency["urgent"], true, "{emergency}");
    assert_eq!(emergency["answered"], true, "{emergency}");
}

/// Asks each question and checks that Lantern says it does not know.
fn assert_refuses(questions: &[&str]) {
    for question in questions {
        let answer = ask_json(question);
        assert_eq!(answer["answered"], false, "{question}: {answer}");
    }
}

#[test]
fn the_form_of_a_question_picks_the_passage_that_answers_it() {
    assert_answers(&[
        // "What is X" is answered by the sentence that defines X, not by any mention.
        (
            "thrombophilia, what does that mean",
            "the blood has an increased tendency to clot",
        ),
        (
            "what type of drug is heparin",
            "Heparin is an injectable blood thinner",
        ),
        // "When" by the sentence that says when.
        (
            "at what week do most miscarriages happen",
            "within the first 8 weeks",
        ),
        // "How does X cause Y" by the sentence that says how.
        (
            "how can clots cause a miscarriage",
            "tiny clots get stuck in the developing placenta",
        ),
    ]);
}

#[test]
fn a_story_before_the_question_does_not_drown_it_but_unknown_words_still_count() {
    assert_answers(&[(
        "We have been trying for two years. My OB mentioned heparin and aspirin at my last visit. \
         Is heparin a blood thinner?",
        "injectable blood thinner",
    )]);
    assert_refuses(&[
        "I'm on heparin. Can I fly?",
        "My dog has a blood clot. Can heparin help?",
        "I had a miscarriage last year. How much does IVF cost?",
    ]);
}

#[test]
fn also_asked_lines_let_moderators_add_members_phrasings() {
    let content = content_copy();
    let dir = content.path().display().to_string();
    let ask = |question: &str| ask_json_in(&dir, question);
    let question = "is there a subreddit for partners";
    assert_eq!(ask(question)["answered"], false);

    edit(
        &article_path(content.path()),
        "how to grieve a pregnancy loss\n",
        "how to grieve a pregnancy loss; a subreddit for partners\n",
    );
    let answer = ask(question);
    assert_eq!(answer["answered"], true, "{answer}");
    assert_eq!(answer["topic"], "Coping with grief");
    let reply = answer["reply"].as_str().unwrap();
    assert!(
        !reply.contains("subreddit"),
        "phrasings are searched, never quoted: {reply}"
    );
}

/// Two topics that answer a question equally well: Lantern says so and offers both,
/// rather than picking one at random or claiming it knows nothing.
#[test]
fn two_topics_too_close_to_call_are_both_offered() {
    let content = content_with_article(
        "hamsters.md",
        "Small pets",
        "## Small pet care, part one\n\n\
         Hamster teeth grow all the time, so a hamster needs wooden chew toys to keep its teeth short.\n\n\
         ## Small pet care, part two\n\n\
         Hamster teeth grow all the time, so a hamster needs wooden chew toys to keep its teeth short.\n",
    );
    let answer = ask_json_in(
        &content.path().display().to_string(),
        "why does my hamster need wooden chew toys for its teeth?",
    );
    assert_eq!(answer["answered"], false, "{answer}");
    let reply = answer["reply"].as_str().unwrap();
    assert!(reply.contains("fits two of our topics"), "{reply}");
    for title in ["Small pet care, part one", "Small pet care, part two"] {
        assert!(reply.contains(title), "{title} not offered: {reply}");
    }
}

/// A new article whose topics have no `Also asked:` lines is named by `lantern check`
/// once, with how many topics lack them and the fix; the bundled article has them all.
#[test]
fn check_asks_for_also_asked_lines_on_a_new_article() {
    let content = content_with_article(
        "new-article.md",
        "Scans",
        "## Resting after a scan\n\nA passage.\n\n## Eating before a scan\nAlso asked: can I eat before my scan\n\nAnother passage.\n\n## Driving after a scan\n\nA third passage.\n",
    );
    let dir = content.path().display().to_string();
    let run = Lantern::new().run(&["check", "--content", &dir]);
    assert_eq!(run.code, Some(0), "a warning, not an error: {}", run.stderr);
    assert_eq!(
        run.stderr.matches("`Also asked:`").count(),
        1,
        "one warning per article: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("new-article.md:7:")
            && run
                .stderr
                .contains("2 of 3 topics have no `Also asked:` line")
            && run.stderr.contains("Resting after a scan"),
        "{}",
        run.stderr
    );

    let bundled = Lantern::new().run(&["check", "--content", &content_arg()]);
    assert!(!bundled.stderr.contains("Also asked"), "{}", bundled.stderr);
}

/// Moderators group articles by subject in subfolders and some editors save `.markdown`:
/// both are read, so an article is never missing for where or how it was saved. Other
/// files there are named as ignored.
#[test]
fn articles_in_subfolders_or_saved_as_markdown_are_read() {
    let content = content_copy();
    let articles = content.path().join("articles");
    fs::create_dir_all(articles.join("iron")).unwrap();
    let article = |title: &str, topic: &str, passage: &str| {
        format!(
            "---\ntitle: {title}\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n## {topic}\n\n{passage}\n"
        )
    };
    fs::write(
        articles.join("iron").join("foods.md"),
        article(
            "Iron and food",
            "Foods rich in iron",
            "Red meat, lentils, beans and dark green vegetables such as spinach are rich in iron.",
        ),
    )
    .unwrap();
    fs::write(
        articles.join("iodine.markdown"),
        article(
            "Iodine",
            "Why iodine matters in pregnancy",
            "Iodine helps the baby's brain and nervous system develop, so pregnancy needs more of it.",
        ),
    )
    .unwrap();
    fs::write(articles.join("iron").join("notes.txt"), "to do\n").unwrap();
    fs::write(
        articles.join("_template.md"),
        article("Template", "Topic title", "A passage."),
    )
    .unwrap();
    for unpublished in ["drafts", "_old", ".git"] {
        fs::create_dir_all(articles.join(unpublished)).unwrap();
        fs::write(
            articles.join(unpublished).join("zinc.md"),
            article("Zinc", "Zinc in pregnancy", "Zinc helps the baby grow."),
        )
        .unwrap();
    }
    let dir = content.path().display().to_string();

    let check = Lantern::new().run(&["check", "--content", &dir]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(check.stdout.contains("3 article(s)"), "{}", check.stdout);
    assert!(
        check.stderr.contains("notes.txt: warning: ignored"),
        "{}",
        check.stderr
    );
    for drafts in ["drafts", "_old", "_template.md"] {
        assert!(
            check
                .stderr
                .contains(&format!("{drafts}: warning: not published")),
            "{}",
            check.stderr
        );
    }
    for (question, topic) in [
        ("which foods are rich in iron?", "Foods rich in iron"),
        (
            "why does iodine matter in pregnancy?",
            "Why iodine matters in pregnancy",
        ),
    ] {
        let run = Lantern::new().run(&["ask", "--json", "--content", &dir, question]);
        assert_eq!(run.json_lines()[0]["topic"], topic, "{}", run.stdout);
    }
    let explained = Lantern::new().run(&[
        "ask",
        "--json",
        "--explain",
        "--content",
        &dir,
        "which foods are rich in iron?",
    ]);
    let best = &explained.json_lines()[0]["explain"]["candidates"][0];
    assert_eq!(
        best["file"], "iron/foods.md",
        "the subfolder tells files apart: {best}"
    );
}

/// An article saved beside `articles/` instead of in it, or any other stray file, is named
/// by `lantern check` with the fix, so it is never silently missing for members.
#[test]
fn check_names_files_it_does_not_read() {
    let content = content_copy();
    fs::write(
        content.path().join("new-article.md"),
        "## A topic\n\nA passage.\n",
    )
    .unwrap();
    fs::write(content.path().join("notes.txt"), "moderator notes\n").unwrap();
    fs::write(content.path().join("Synonyms.TXT"), "heparin = jab\n").unwrap();
    let dir = content.path().display().to_string();
    let run = Lantern::new().run(&["check", "--content", &dir]);
    assert_eq!(
        run.code,
        Some(0),
        "warnings do not fail the check: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("new-article.md")
            && run.stderr.contains("articles must be in articles/"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("notes.txt") && run.stderr.contains("not read"),
        "{}",
        run.stderr
    );
    // A known file's name in the wrong case is told to be renamed, not moved.
    assert!(
        run.stderr.lines().any(|line| line.contains("Synonyms.TXT")
            && line.contains("the name must be exactly `synonyms.txt`")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("README.md"),
        "the guide is expected: {}",
        run.stderr
    );

    // The synonyms saved by an editor that added its own extension: rename, not move.
    fs::rename(
        content.path().join("synonyms.txt"),
        content.path().join("synonyms.txt.txt"),
    )
    .unwrap();
    let run = Lantern::new().run(&["check", "--content", &dir]);
    assert!(
        run.stderr
            .lines()
            .any(|line| line.contains("synonyms.txt.txt")
                && line.contains("the name must be exactly `synonyms.txt`")),
        "{}",
        run.stderr
    );
}

/// `RUST_LOG=` left empty, as `.env.example` has it, keeps the default logging: a warning
/// still shows, where an empty filter would silence everything, panics included.
#[test]
fn an_empty_rust_log_keeps_the_warnings() {
    let not_a_folder = tempfile::NamedTempFile::new().unwrap();
    let run = Lantern::new()
        .env("RUST_LOG", "")
        .env(
            "LANTERN_DATA_DIR",
            &not_a_folder.path().display().to_string(),
        )
        .run(&[
            "ask",
            "--content",
            &content_arg(),
            "why would I need heparin?",
        ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("vector cache"), "{}", run.stderr);
}

/// A reader that stops early (`lantern topics | head -1`, `lantern stats | head -3`) is
/// no error: nothing on stderr, exit 0.
#[test]
fn output_cut_short_by_its_reader_is_not_an_error() {
    let data = tempfile::tempdir().unwrap();
    let content = content_arg();
    let lantern = Lantern::new().env("LANTERN_DATA_DIR", &data.path().display().to_string());
    for args in [vec!["topics", "--content", &content], vec!["stats"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = lantern
            .command()
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// `lantern chat` with input it cannot read at all (a folder) stops with the error
/// instead of repeating it forever.
#[test]
fn chat_stops_on_input_it_cannot_read() {
    let folder = tempfile::tempdir().unwrap();
    let errors = tempfile::NamedTempFile::new().unwrap();
    let mut chat = Lantern::new()
        .command()
        .args(["chat", "--content", &content_arg()])
        .stdin(fs::File::open(folder.path()).unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(errors.reopen().unwrap())
        .spawn()
        .unwrap();
    // Polled, so a chat that never stops fails the test instead of hanging it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = chat.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            chat.kill().unwrap();
            panic!("chat kept running on input it cannot read");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stderr = fs::read_to_string(errors.path()).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot read the input"), "{stderr}");
}

/// A set with no questions would pass CI while measuring nothing; a set saved with a
/// byte-order mark is read; every line that is not a case is named at once.
#[test]
fn eval_refuses_an_empty_set_and_names_every_bad_line() {
    let lantern = Lantern::new();
    let set = lantern.workdir().join("set.jsonl");
    let eval = |text: &str| {
        fs::write(&set, text).unwrap();
        lantern.run(&[
            "eval",
            &set.display().to_string(),
            "--content",
            &content_arg(),
        ])
    };
    let empty = eval("\n  \n");
    assert_eq!(empty.code, Some(2), "{}", empty.stderr);
    assert!(
        empty.stderr.contains("holds no questions"),
        "{}",
        empty.stderr
    );

    let marked = eval("\u{feff}{\"q\": \"how does heparin help\", \"expect\": []}\n");
    assert_eq!(marked.code, Some(0), "{}", marked.stderr);

    let broken = eval("{\"q\": \"a\"}\n{\"q\": 1}\nnot json\n");
    assert_eq!(broken.code, Some(2), "{}", broken.stderr);
    for line in ["line 2:", "line 3:"] {
        assert!(broken.stderr.contains(line), "{line}: {}", broken.stderr);
    }
}

/// A set's mistakes that would make its figures wrong without a word are named: a key
/// Lantern does not read (a misspelt `expect`), expected phrases in no passage, and an
/// empty phrase, which every passage contains.
#[test]
fn eval_warns_about_lines_whose_figures_would_mislead() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("slips.jsonl");
    fs::write(
        &set,
        "{\"q\": \"why would I need heparin?\", \"expected\": [\"injectable\"]}\n\
         {\"q\": \"why would I need heparin?\", \"expect\": [\"a phrase no article has\"]}\n\
         {\"q\": \"why would I need heparin?\", \"expect\": [\"\"]}\n",
    )
    .unwrap();
    let set = set.display().to_string();
    let run = Lantern::new().run(&["eval", &set, "--content", &content_arg()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`expected` (on 1 line(s), the first line 1) is not read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("no passage of the content contains the expected phrases of line(s) 2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("line(s) 3 expect an empty phrase"),
        "{}",
        run.stderr
    );
}

/// Lantern writes its caches in the data folder; inside the content folder, each write
/// would look like a moderator's edit to the bot's watcher. Said at start, with the fix,
/// whether the content folder comes from `--content` or the environment.
#[test]
fn a_data_folder_inside_the_content_folder_is_refused_with_the_fix() {
    let content = common::content_copy();
    let inside = content.path().join("data").display().to_string();
    let folder = content.path().display().to_string();
    let from_flag =
        Lantern::new()
            .env("LANTERN_DATA_DIR", &inside)
            .run(&["check", "--content", &folder]);
    let from_env = Lantern::new()
        .env("LANTERN_DATA_DIR", &inside)
        .env("LANTERN_CONTENT_DIR", &folder)
        .run(&["ask", "why would I need heparin?"]);
    for run in [from_flag, from_env] {
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(
            run.stderr.contains("LANTERN_DATA_DIR")
                && run.stderr.contains("outside the content folder"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert!(
        !content.path().join("data").exists(),
        "nothing was written inside the content folder"
    );
}
