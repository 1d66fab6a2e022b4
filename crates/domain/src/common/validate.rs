//! Field validators that collect every failure of a request into one list (a 422 names every bad
//! field at once, not just the first).

use super::FieldError;

/// Characters no text field may hold: C0 and C1 control characters (NUL, which PostgreSQL cannot
/// store; ESC, which starts ANSI terminal sequences; …) except line breaks and tabs where
/// `multiline`; bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, which can
/// make a name read differently from what it is); zero-width characters (U+200B–U+200D, U+2060,
/// U+FEFF) and the other Unicode format characters of that block (U+2061–U+2064, U+206A–U+206F).
#[must_use]
pub fn forbidden_char(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\r' | '\t' => !multiline,
        c if c.is_control() => true,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' => true,
        '\u{FEFF}' => true,
        _ => false,
    }
}

/// Whether `s` is free of [`forbidden_char`]s; if not, a 422 item naming `field` is pushed.
pub fn clean_chars(errors: &mut Vec<FieldError>, field: &str, s: &str, multiline: bool) -> bool {
    if s.chars().any(|c| forbidden_char(c, multiline)) {
        errors.push(FieldError::body(
            field,
            "must not contain control, zero-width or text-direction characters",
            "value_error.characters",
        ));
        return false;
    }
    true
}

/// A trimmed single-line text field of at most `max` characters; blank means absent, which is an
/// error when `required`. Control, zero-width and bidi characters are refused.
pub fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
    required: bool,
) -> Option<String> {
    checked_text(errors, field, v, max, required, false)
}

/// As [`text`], but line breaks and tabs are allowed (notes).
pub fn multiline_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
    required: bool,
) -> Option<String> {
    checked_text(errors, field, v, max, required, true)
}

fn checked_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
    required: bool,
    multiline: bool,
) -> Option<String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                errors.push(FieldError::missing(field));
            }
            None
        }
        Some(s) if s.chars().count() > max => {
            errors.push(FieldError::body(
                field,
                format!("must be at most {max} characters"),
                "value_error.any_str.max_length",
            ));
            None
        }
        Some(s) if !clean_chars(errors, field, s, multiline) => None,
        Some(s) => Some(s.to_owned()),
    }
}

/// 7..20 characters of digits, spaces and `+-()`, at least one of them a digit (contract §3.3).
#[must_use]
pub fn valid_phone(s: &str) -> bool {
    let n = s.chars().count();
    (7..=20).contains(&n)
        && s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && s.chars().any(|c| c.is_ascii_digit())
}

/// An optional phone number (blank = absent).
pub fn phone(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>) -> Option<String> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    if valid_phone(s) {
        Some(s.to_owned())
    } else {
        errors.push(FieldError::body(
            field,
            "phone must be 7 to 20 digits, spaces or +-()",
            "value_error.phone",
        ));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_phone() {
        let mut e = Vec::new();
        assert_eq!(
            text(&mut e, "a", Some("  x "), 3, true).as_deref(),
            Some("x")
        );
        assert_eq!(text(&mut e, "b", Some("   "), 3, false), None);
        assert!(e.is_empty());
        assert_eq!(text(&mut e, "c", None, 3, true), None);
        assert_eq!(text(&mut e, "d", Some("abcd"), 3, true), None);
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
                text(&mut e, "first_name", Some(bad), 100, true),
                None,
                "{bad:?}"
            );
            assert_eq!(e.len(), 1, "{bad:?}");
            assert_eq!(
                e[0].to_string(),
                "body.first_name: must not contain control, zero-width or text-direction characters"
            );
        }
        let mut e = Vec::new();
        // Line breaks and tabs are fine in notes; NUL and ESC are not.
        assert!(multiline_text(&mut e, "notes", Some("line 1\r\n\tline 2"), 100, false).is_some());
        assert!(multiline_text(&mut e, "notes", Some("a\u{0}b"), 100, false).is_none());
        assert!(multiline_text(&mut e, "notes", Some("a\u{1b}[2Jb"), 100, false).is_none());
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
                text(&mut e, "first_name", Some(good), 100, true).is_some(),
                "{good}"
            );
        }
    }
}
