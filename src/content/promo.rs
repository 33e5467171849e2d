//! Spotting adverts in content.
//!
//! Members read Lantern's replies as vetted medical information, so a product pitch
//! quoted by the bot would be an advert dressed as advice. The seed article carried one
//! ("the Pregnancy Miracle System"); these rules catch that kind of text before it is
//! served. They are deliberately strict: a moderator can always reword a legitimate line.

use std::sync::OnceLock;

use crate::text::{WordPattern, words};

/// Sales wording. Each entry is a [`WordPattern`].
const SALES_PHRASES: &[&str] = &[
    "miracle*",
    "buy now",
    "buy it now",
    "buy here",
    "where to buy",
    "order now",
    "order yours",
    "shop now",
    "add to cart",
    "discount*",
    "coupon*",
    "promo code",
    "free trial",
    "limited time",
    "special offer",
    "money back",
    "click here",
    "at checkout",
    "order today",
    "buy today",
    "read more about it here",
    "affiliate*",
    "sponsored",
];

/// Words of a link (its host, path and query, split at every character that is not a
/// letter or digit) that make it a shop link rather than a reference. Whole words only:
/// "order" is in ".../bleeding-disorders" and "product" in ".../reproductive", which
/// are references.
const SHOP_LINK_WORDS: &[&str] = &[
    "shop",
    "shops",
    "shopping",
    "store",
    "stores",
    "buy",
    "cart",
    "checkout",
    "discount",
    "discounts",
    "affiliate",
    "aff",
    "ref",
    "amzn",
    "amazon",
    "ebay",
    "etsy",
    "clickbank",
    "dp",
];

/// Words that make a shop link only on a site that is not a public or charitable
/// reference: a medicines leaflet is at ".../emc/product/4829/pil", a charity's page is
/// "what-we-offer", an NHS page "how-to-deal-with-grief".
const SHOP_WORDS_OFF_REFERENCE_SITES: &[&str] = &[
    "product", "products", "order", "orders", "deal", "deals", "offer", "offers",
];

/// Endings of the hosts of public bodies, health services, charities and universities.
const REFERENCE_HOSTS: &[&str] = &[
    ".nhs.uk",
    ".nhs.scot",
    ".nhs.wales",
    ".gov.uk",
    ".gov",
    ".gov.au",
    ".govt.nz",
    ".gc.ca",
    ".org",
    ".org.uk",
    ".org.au",
    ".org.nz",
    ".edu",
    ".ac.uk",
    ".int",
];

/// Whether the link `lower` (lower-cased), on `host`, is a shop link: one of its words
/// is a [`SHOP_LINK_WORDS`] entry, or a [`SHOP_WORDS_OFF_REFERENCE_SITES`] one on a host
/// that is no reference site.
fn is_shop_link(lower: &str, host: &str) -> bool {
    let reference = REFERENCE_HOSTS
        .iter()
        .any(|ending| host.ends_with(ending) || host == &ending[1..]);
    lower.split(|c: char| !c.is_alphanumeric()).any(|word| {
        SHOP_LINK_WORDS.contains(&word)
            || (!reference && SHOP_WORDS_OFF_REFERENCE_SITES.contains(&word))
    })
}

fn sales_patterns() -> &'static [WordPattern] {
    static PATTERNS: OnceLock<Vec<WordPattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| parsed(SALES_PHRASES))
}

fn parsed(phrases: &[&str]) -> Vec<WordPattern> {
    phrases
        .iter()
        .map(|p| WordPattern::parse(p).expect("built-in phrases are valid patterns"))
        .collect()
}

/// The host of `token` (a whitespace-separated piece of a line, lower-cased) when it is
/// a link: a web address with or without its scheme ("https://…", "www.…",
/// "amzn.to/3xYz", "babyvitamins.com/store"). Without a scheme it needs a path or a
/// query, so that "nhs.uk" or "e.g." in a sentence is not taken for one; only a shop
/// link's words make it an advert.
fn link_host(lower: &str) -> Option<&str> {
    if lower.contains("http://") || lower.contains("https://") || lower.starts_with("www.") {
        let without_scheme = lower.split_once("://").map_or(lower, |(_, rest)| rest);
        let host = without_scheme.split(['/', '?', '#']).next().unwrap_or("");
        return Some(host.trim_end_matches('.'));
    }
    let (named, _path) = lower.split_once(['/', '?'])?;
    let labels: Vec<&str> = named.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    well_formed.then_some(named)
}

/// Whether `line` gives a discount code: "use code BABY10", "with the code: save20", a
/// code being letters and digits together ("Hospitals use code names", "code BLUE" for
/// an emergency, give none).
fn gives_a_code(line: &str) -> bool {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    tokens.windows(3).any(|three| {
        let code = three[2].trim_matches(|c: char| !c.is_alphanumeric());
        let is_code = (4..=16).contains(&code.chars().count())
            && code.chars().all(|c| c.is_ascii_alphanumeric())
            && code.chars().any(|c| c.is_ascii_digit())
            && code.chars().any(|c| c.is_ascii_alphabetic());
        let asks = matches!(
            three[0].to_lowercase().as_str(),
            "use" | "using" | "with" | "enter" | "the" | "promo" | "voucher" | "discount"
        ) && three[1].trim_end_matches(':').eq_ignore_ascii_case("code");
        asks && is_code
    })
}

/// Whether `line` offers a share off a price: "save 20% off", "10% off your order". A
/// share told as a result ("40% off treatment") offers nothing.
fn offers_money_off(line: &str) -> bool {
    let lower = line.to_lowercase();
    let tokens: Vec<&str> = lower
        .split_whitespace()
        .map(|token| token.trim_matches(|c: char| matches!(c, ',' | '.' | '!' | '(' | ')')))
        .collect();
    tokens.windows(2).enumerate().any(|(at, pair)| {
        let share = pair[0]
            .strip_suffix('%')
            .is_some_and(|n| n.parse::<f32>().is_ok());
        let before = at.checked_sub(1).map(|i| tokens[i]);
        let after = tokens.get(at + 2).copied();
        share
            && pair[1] == "off"
            && (matches!(before, Some("save" | "get" | "enjoy" | "take" | "extra"))
                || matches!(
                    after,
                    Some(
                        "your" | "our" | "all" | "everything" | "orders" | "today" | "now" | "this"
                    )
                ))
    })
}

/// Community words that contain sales wording but sell nothing: a pregnancy-loss
/// community calls a baby born after losses a "miracle baby". A sales phrase found only
/// inside one of these is no advert.
const NOT_SALES_PHRASES: &[&str] = &[
    "miracle baby",
    "miracle babies",
    "miracle child",
    "miracle children",
];

fn not_sales_patterns() -> &'static [WordPattern] {
    static PATTERNS: OnceLock<Vec<WordPattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| parsed(NOT_SALES_PHRASES))
}

/// Whether `pattern` occurs in `line_words` outside every [`NOT_SALES_PHRASES`] phrase.
fn sells(pattern: &WordPattern, line_words: &[crate::text::Word]) -> bool {
    let community: Vec<usize> = not_sales_patterns()
        .iter()
        .flat_map(|phrase| phrase.occurrences(line_words))
        .flatten()
        .collect();
    pattern
        .occurrences(line_words)
        .iter()
        .any(|occurrence| occurrence.iter().any(|at| !community.contains(at)))
}

/// Why `line` looks promotional, if it does.
pub fn promotional_reason(line: &str) -> Option<String> {
    let line_words = words(line);
    if let Some(pattern) = sales_patterns().iter().find(|p| sells(p, &line_words)) {
        return Some(format!("sales wording (`{pattern}`)"));
    }
    if gives_a_code(line) {
        return Some("a discount code".to_string());
    }
    if offers_money_off(line) {
        return Some("money off (`% off`)".to_string());
    }
    line.split_whitespace()
        .find(|token| {
            let lower = token.to_lowercase();
            link_host(&lower).is_some_and(|host| is_shop_link(&lower, host))
        })
        .map(|link| {
            format!(
                "a shop link ({})",
                link.trim_matches(|c: char| "()[]<>.,".contains(c))
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_the_seed_advert() {
        let advert =
            "The first resort I always give to my patients is the Pregnancy Miracle System.";
        assert!(promotional_reason(advert).unwrap().contains("miracle"));
        assert!(promotional_reason("Read more about it here.").is_some());
        assert!(promotional_reason("Get it at https://example.com/shop/item").is_some());
        assert!(promotional_reason("Order now and save!").is_some());
    }

    #[test]
    fn leaves_medical_text_and_reference_links_alone() {
        assert_eq!(
            promotional_reason("Heparin is an injectable blood thinner."),
            None
        );
        assert_eq!(
            promotional_reason("See https://www.nhs.uk/conditions/miscarriage/"),
            None
        );
        assert_eq!(promotional_reason("Doctors order a blood test."), None);
        for reference in [
            "See https://www.hematology.org/education/patients/bleeding-disorders",
            "https://www.nichd.nih.gov/health/topics/reproductive",
            "https://www.nhs.uk/conditions/restore-cartilage-ideal/",
        ] {
            assert_eq!(promotional_reason(reference), None, "{reference}");
        }
        for shop in [
            "https://www.amazon.co.uk/dp/B0000",
            "https://example.com/products/heparin-pen?ref=lantern",
            "https://shop.example.com/item",
            "Get yours at amzn.to/3xYz",
            "or visit babyvitamins.com/store today",
        ] {
            assert!(promotional_reason(shop).is_some(), "{shop}");
        }
        for pitch in [
            "Use code BABY10 for money off our iron gummies.",
            "Pay less with the code SAVE20.",
            "Use code: baby10 at the till.",
            "Add them to your basket and pay at checkout.",
            "Available at most pharmacies, order today!",
            "Save 20% off this week on iron gummies.",
            "Get 10% off your first order.",
            "Find them at babyvitamins.com/product/iron-gummies",
            "babyvitamins.com?ref=lantern",
            "The Pregnancy Miracle System worked for my patients.",
        ] {
            assert!(promotional_reason(pitch).is_some(), "{pitch}");
        }
        // Not links, or links to references.
        for plain in [
            "Take it with food, e.g. at breakfast.",
            "See nhs.uk/conditions/miscarriage for more.",
            "A dose of 0.5/1 mg, about 80% of people respond",
            "The test is 99% accurate and the charge is £9.90.",
            "About 70% had a live birth on heparin, compared with 40% off treatment.",
            "Around 30% offered a second scan chose to have one.",
            "Hospitals use code names for emergencies.",
            "Hospitals use code BLUE when someone collapses.",
            "We call her our rainbow baby, or our miracle baby.",
            "https://www.sands.org.uk/support/what-we-offer",
            "https://www.nhs.uk/mental-health/how-to-deal-with-grief/",
            "Clexane patient leaflet, medicines.org.uk/emc/product/4829/pil",
            "https://www.medicines.org.uk/emc/product/4829/smpc",
        ] {
            assert_eq!(promotional_reason(plain), None, "{plain}");
        }
    }
}
