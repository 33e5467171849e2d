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
    "order",
    "orders",
    "products",
    "deal",
    "deals",
    "offer",
    "offers",
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

/// Whether `link` is a shop link: one of its words is a [`SHOP_LINK_WORDS`] entry.
fn is_shop_link(link: &str) -> bool {
    link.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| SHOP_LINK_WORDS.contains(&word))
}

fn sales_patterns() -> &'static [WordPattern] {
    static PATTERNS: OnceLock<Vec<WordPattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        SALES_PHRASES
            .iter()
            .map(|p| WordPattern::parse(p).expect("built-in sales phrases are valid patterns"))
            .collect()
    })
}

/// Whether `token` (a whitespace-separated piece of a line) is a link: a web address
/// with or without its scheme ("https://…", "www.…", "amzn.to/3xYz",
/// "babyvitamins.com/store"). Without a scheme it needs a path, so that "nhs.uk" or
/// "e.g." in a sentence is not taken for one; only a shop link's words make it an advert.
fn is_link(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.starts_with("www.") {
        return true;
    }
    let Some((host, _path)) = lower.split_once('/') else {
        return false;
    };
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Whether `line` gives a discount code: "use code BABY10", "with the code SAVE20", a
/// code being a word of capitals and digits ("Hospitals use code names" gives none).
fn gives_a_code(line: &str) -> bool {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    tokens.windows(3).any(|three| {
        let code = three[2].trim_matches(|c: char| !c.is_alphanumeric());
        let is_code = code.chars().count() >= 4
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && code.chars().any(|c| c.is_ascii_uppercase());
        let asks = matches!(
            three[0].to_lowercase().as_str(),
            "use" | "using" | "with" | "enter" | "the"
        ) && three[1].eq_ignore_ascii_case("code");
        asks && is_code
    })
}

/// Why `line` looks promotional, if it does.
pub fn promotional_reason(line: &str) -> Option<String> {
    let line_words = words(line);
    if let Some(pattern) = sales_patterns().iter().find(|p| p.matches(&line_words)) {
        return Some(format!("sales wording (`{pattern}`)"));
    }
    if gives_a_code(line) {
        return Some("a discount code".to_string());
    }
    line.split_whitespace()
        .filter(|token| is_link(token))
        .find(|link| is_shop_link(link))
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
            "Add them to your basket and pay at checkout.",
            "Available at most pharmacies, order today!",
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
            "Clexane patient leaflet, medicines.org.uk/emc/product/4829/pil",
            "https://www.medicines.org.uk/emc/product/4829/smpc",
        ] {
            assert_eq!(promotional_reason(plain), None, "{plain}");
        }
    }
}
