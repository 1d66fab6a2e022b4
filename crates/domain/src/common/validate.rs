//! Field validators that collect every failure of a request into one list (a 422 names every bad
//! field at once, not just the first).

use super::FieldError;

/// A trimmed text field of at most `max` characters; blank means absent, which is an error when
/// `required`.
pub fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
    required: bool,
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
}
