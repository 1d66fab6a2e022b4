//! `age`, `age?` and `count` (api-contract.md §3.5.1): an age is an integer 0..=120 (`45`,
//! `"45"`, `"45 years"`, `"age 45"`); where the table marks it `?`, `unknown` gives `null` (and so
//! does an empty answer: those questions are not `required`). A count is an integer 0..=30
//! (`"none"` and `"no"` are 0; the words zero to twelve are read).

use super::text::{age_word, is_filler, is_unknown, key, quote, words};

/// Largest count (contract: `count` is 0..30).
pub const MAX_COUNT: i32 = 30;

/// Reads an age; `optional` accepts unknown (and an empty answer) as `None`.
pub(crate) fn age(s: &str, optional: bool) -> Result<Option<i32>, String> {
    if optional && (s.trim().is_empty() || is_unknown(s)) {
        return Ok(None);
    }
    if s.trim().is_empty() {
        return Err("An answer is required".to_owned());
    }
    if negative(s) {
        return Err("An age cannot be negative".to_owned());
    }
    let ws: Vec<String> = words(s).into_iter().filter(|w| !is_filler(w)).collect();
    match ws.as_slice() {
        [w] => match age_word(w) {
            Some(a) => a.map(Some),
            None => Err(not_read(s)),
        },
        _ => Err(not_read(s)),
    }
}

const NUMBER_WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

/// Words after a count that say what is counted ("2 children", "one biopsy").
const COUNTED: &[&str] = &[
    "child", "children", "kid", "kids", "baby", "babies", "birth", "births", "biopsy", "biopsies",
    "time", "times",
];

/// Reads a count 0..=30.
pub(crate) fn count(s: &str) -> Result<i32, String> {
    if matches!(key(s).as_str(), "no" | "none" | "never") {
        return Ok(0);
    }
    if negative(s) {
        return Err("The number cannot be negative".to_owned());
    }
    let ws: Vec<String> = words(s)
        .into_iter()
        .filter(|w| !COUNTED.contains(&w.as_str()))
        .collect();
    let [w] = ws.as_slice() else {
        return Err(not_read(s));
    };
    let n = match NUMBER_WORDS.iter().position(|n| n == w) {
        Some(i) => i32::try_from(i).unwrap_or(i32::MAX),
        None if w.chars().all(|c| c.is_ascii_digit()) => w.parse::<i32>().unwrap_or(i32::MAX),
        None => return Err(not_read(s)),
    };
    if n > MAX_COUNT {
        return Err(format!("The number must be between 0 and {MAX_COUNT}"));
    }
    Ok(n)
}

fn not_read(s: &str) -> String {
    format!("{} is not a whole number", quote(s.trim()))
}

/// A minus sign before a digit (`-5`, `- 5`): [`words`] would drop it.
pub(crate) fn negative(s: &str) -> bool {
    let t: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.windows(2).any(|w| w[0] == '-' && w[1].is_ascii_digit())
}
