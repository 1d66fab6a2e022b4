//! The questionnaire over HTTP: chat configuration (strategies, knowledge sources; contract §3.6) and chat
//! sessions (§3.5.3 documented routes, §3.5.4 `/ai-chat` family).

pub mod dto;
pub mod knowledge;
pub mod sessions;
pub mod strategies;

use genascope_domain::common::FieldError;

/// `raw` as a value of a closed vocabulary (`parse`), else a 422 at `field` listing the
/// `permitted` values.
pub(crate) fn one_of<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    permitted: &str,
) -> Option<T> {
    crate::body::choice(
        errors,
        field,
        raw,
        parse,
        &format!("value is not a valid enumeration member; permitted: {permitted}"),
    )
}
