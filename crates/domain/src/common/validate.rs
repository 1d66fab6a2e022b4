//! Field validators that collect every failure of a command into one list (every bad field is
//! named at once, not just the first) and build the checked values of `text`.

use super::FieldError;

pub use super::text::forbidden_char;
use super::text::{Phone, Text, characters_error};

/// Whether `s` is free of [`forbidden_char`]s; if not, an error naming `field` is pushed.
pub fn clean_chars(errors: &mut Vec<FieldError>, field: &str, s: &str, multiline: bool) -> bool {
    if s.chars().any(|c| forbidden_char(c, multiline)) {
        errors.push(characters_error(field));
        return false;
    }
    true
}

/// A text field (see [`Text`]): blank means absent, which is an error when `required`.
pub fn text<const MAX: usize, const MULTILINE: bool>(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    required: bool,
) -> Option<Text<MAX, MULTILINE>> {
    match Text::parse(field, v.unwrap_or_default()) {
        Ok(None) => {
            if required {
                errors.push(FieldError::missing(field));
            }
            None
        }
        Ok(Some(t)) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// 7..20 characters of digits, spaces and `+-()`, at least one of them a digit (contract §3.3).
#[must_use]
pub fn valid_phone(s: &str) -> bool {
    Phone::is_valid(s)
}

/// An optional phone number (blank = absent).
pub fn phone(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>) -> Option<Phone> {
    Phone::parse(field, v.unwrap_or_default())
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_phone() {
        let mut e = Vec::new();
        let t: Option<Text<3>> = text(&mut e, "a", Some("  x "), true);
        assert_eq!(t.as_ref().map(Text::as_str), Some("x"));
        assert_eq!(text::<3, false>(&mut e, "b", Some("   "), false), None);
        assert!(e.is_empty());
        assert_eq!(text::<3, false>(&mut e, "c", None, true), None);
        assert_eq!(text::<3, false>(&mut e, "d", Some("abcd"), true), None);
        assert_eq!(e.len(), 2);
        assert!(valid_phone("+1 (555) 010-2000"));
        for bad in [
            "123456",
            "phone-number",
            "1234567890123456789012",
            "+-() +-()",
        ] {
            assert!(!valid_phone(bad), "{bad}");
        }
        assert_eq!(phone(&mut e, "phone", Some("")), None);
        assert_eq!(e.len(), 2);
        assert_eq!(phone(&mut e, "phone", Some("12")), None);
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn control_zero_width_and_bidi_characters_are_refused() {
        for bad in [
            "Ann\u{0}e",
            "Ann\u{1b}[31me",
            "Ann\u{7f}",
            "Ann\u{85}e",
            "Ann\u{202E}e",
            "Ann\u{2066}e",
            "Ann\u{200B}e",
            "Ann\u{FEFF}e",
            "Ann\u{2060}e",
            "Ann\ne",
            "Ann\te",
        ] {
            let mut e = Vec::new();
            assert_eq!(
                text::<100, false>(&mut e, "first_name", Some(bad), true),
                None,
                "{bad:?}"
            );
            assert_eq!(e.len(), 1, "{bad:?}");
            assert_eq!(
                e[0].to_string(),
                "first_name: must not contain control, zero-width or text-direction characters"
            );
        }
        let mut e = Vec::new();
        // Line breaks and tabs are fine in notes; NUL and ESC are not.
        assert!(text::<100, true>(&mut e, "notes", Some("line 1\r\n\tline 2"), false).is_some());
        assert!(text::<100, true>(&mut e, "notes", Some("a\u{0}b"), false).is_none());
        assert!(text::<100, true>(&mut e, "notes", Some("a\u{1b}[2Jb"), false).is_none());
        assert_eq!(e.len(), 2);
        // Letters of every script, combining marks and emoji stay allowed.
        for good in [
            "Zoë",
            "José María",
            "Nguyễn",
            "محمد",
            "李小龍",
            "O'Brien-Smith",
            "🙂",
        ] {
            let mut e = Vec::new();
            assert!(
                text::<100, false>(&mut e, "first_name", Some(good), true).is_some(),
                "{good}"
            );
        }
    }
}
