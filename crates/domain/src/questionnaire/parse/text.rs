//! Shared text handling: case, spacing, the "no" and "unknown" words, list splitting, words and
//! age tokens (api-contract.md §3.5.1 "Answer formats": strings case-insensitive and trimmed).

use crate::clinical::profile::MAX_AGE;

/// Lower case, trimmed, typographic quotes made plain, runs of whitespace made one space.
pub(crate) fn normalise(s: &str) -> String {
    let plain: String = s
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{2033}' => '"',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letters and digits only, lower case: the key under which codes, labels and synonyms are
/// compared (`"Hispanic (US-born)"`, `"hispanic_us_born"` and `"hispanic us born"` meet).
pub(crate) fn key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect()
}

/// "I don't know" in its usual forms (compared by [`key`]).
const UNKNOWN: &[&str] = &[
    "unknown",
    "unsure",
    "notsure",
    "dontknow",
    "donotknow",
    "idontknow",
    "idonotknow",
    "idk",
    "notknown",
    "skip",
    "dunno",
    "imnotsure",
];

/// Whether the answer means "unknown".
pub(crate) fn is_unknown(s: &str) -> bool {
    UNKNOWN.contains(&key(s).as_str())
}

/// "No" / "none" for a list question (compared by [`key`]).
const NONE: &[&str] = &[
    "no", "n", "none", "nobody", "noone", "nope", "false", "nothing",
];

/// Whether a list answer means "no / none".
pub(crate) fn is_none(s: &str) -> bool {
    NONE.contains(&key(s).as_str())
}

/// Splits a list answer into items on `,` `;` `&` `+`, line breaks and the word `and`; empty
/// items are dropped. A comma between two digits is a decimal comma and does not split.
pub(crate) fn split_items(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut pieces = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let decimal_comma = c == ','
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, ',' | ';' | '&' | '+' | '\n' | '\r') && !decimal_comma {
            pieces.push(String::new());
        } else if let Some(last) = pieces.last_mut() {
            last.push(c);
        }
    }
    let mut items = Vec::new();
    for piece in pieces {
        let mut current: Vec<&str> = Vec::new();
        for w in piece.split_whitespace() {
            if w.eq_ignore_ascii_case("and") {
                items.push(current.join(" "));
                current.clear();
            } else {
                current.push(w);
            }
        }
        items.push(current.join(" "));
    }
    items.retain(|i| !i.trim().is_empty());
    items
}

/// The words of an item: split on anything but letters, digits and `.`, lower case, with
/// surrounding dots dropped (`"Maternal-aunt (52)."` → `maternal`, `aunt`, `52`).
pub(crate) fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Words around an age or a list item that carry no meaning here ("at age 45", "diagnosed at
/// 52", "45 years old", "my mother").
pub(crate) const FILLERS: &[&str] = &[
    "my",
    "at",
    "age",
    "aged",
    "about",
    "around",
    "approximately",
    "approx",
    "diagnosed",
    "when",
    "was",
    "years",
    "year",
    "yrs",
    "yr",
    "y",
    "yo",
    "old",
    "i",
    "im",
    "m",
    "am",
    "in",
    "her",
    "his",
    "the",
    "of",
];

/// Whether `w` is a [`FILLERS`] word.
pub(crate) fn is_filler(w: &str) -> bool {
    FILLERS.contains(&w)
}

/// Reads a word that starts with a digit as an age in whole years 0..=120 (`45`, `45y`, `45yo`,
/// `45yrs`, `45years`). `None` when the word does not start with a digit (not an age at all);
/// `Some(Err(problem))` when it does but is not a valid age (`45.5`, `40s`, `130`).
pub(crate) fn age_word(w: &str) -> Option<Result<i32, String>> {
    if !w.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
    let (digits, suffix) = w.split_at(split);
    if !matches!(suffix, "" | "y" | "yo" | "yr" | "yrs" | "year" | "years") {
        return Some(Err(format!("\"{w}\" is not an age in whole years")));
    }
    Some(match digits.parse::<i32>() {
        Ok(n) if (0..=MAX_AGE).contains(&n) => Ok(n),
        _ => Err(format!("An age must be between 0 and {MAX_AGE}")),
    })
}

/// The one age among `words` (at most one; fillers are the caller's business). `Ok(None)` when
/// there is none.
pub(crate) fn one_age(words: &[String]) -> Result<Option<i32>, String> {
    let mut age = None;
    for w in words {
        if let Some(a) = age_word(w) {
            if age.is_some() {
                return Err("Give one age per item".to_owned());
            }
            age = Some(a?);
        }
    }
    Ok(age)
}

/// Quotes a piece of an answer for a message, cut to 40 characters.
pub(crate) fn quote(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    if cut.len() < s.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{cut}\"")
    }
}
