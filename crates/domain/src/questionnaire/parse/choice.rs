//! `choice` (api-contract.md §3.5.1): one listed option, by code or label (compared on letters
//! and digits only, so `hispanic_us_born`, `Hispanic (US-born)` and `hispanic us born` are one),
//! or one of the option's synonyms. Where the question offers `unknown`, the unknown words
//! (unsure, don't know, skip...) choose it.

use super::text::{is_unknown, key};
use crate::questionnaire::model::ChoiceOption;

/// Reads a choice; returns the option's code.
pub(crate) fn parse(options: &[ChoiceOption], s: &str) -> Result<&'static str, String> {
    let k = key(s);
    if k.is_empty() {
        return Err("An answer is required".to_owned());
    }
    let hit = options.iter().find(|o| {
        key(o.code) == k || key(o.label) == k || o.synonyms.iter().any(|syn| key(syn) == k)
    });
    if let Some(o) = hit {
        return Ok(o.code);
    }
    if is_unknown(s)
        && let Some(o) = options.iter().find(|o| o.code == "unknown")
    {
        return Ok(o.code);
    }
    Err(format!(
        "{} is not one of the options",
        super::text::quote(s.trim())
    ))
}
