//! Text values that cannot be built invalid: bounded, trimmed, free of characters that hide or
//! reorder text; and phone numbers.

use super::FieldError;

/// `as_str`, `into_string` and `Display` of a checked string value (a newtype over `String`).
macro_rules! string_value {
    ([$($generics:tt)*] $value:ty, $what:literal) => {
        impl<$($generics)*> $value {
            #[doc = concat!("The ", $what, ".")]
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            #[doc = concat!("The ", $what, ", owned.")]
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl<$($generics)*> std::fmt::Display for $value {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use string_value;

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

/// The failure of a text with forbidden characters, at `field`.
pub(crate) fn characters_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "must not contain control, zero-width or text-direction characters",
        "value_error.characters",
    )
}

/// Trimmed, non-blank text of at most `MAX` characters without [`forbidden_char`]s; line breaks
/// and tabs only when `MULTILINE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text<const MAX: usize, const MULTILINE: bool = false>(String);

/// Multi-line text (notes).
pub type Note<const MAX: usize> = Text<MAX, true>;

impl<const MAX: usize, const MULTILINE: bool> Text<MAX, MULTILINE> {
    /// Trim and check `raw`; blank is `Ok(None)`. The error names `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.chars().count() > MAX {
            return Err(FieldError::new(
                field,
                format!("must be at most {MAX} characters"),
                "value_error.any_str.max_length",
            ));
        }
        if s.chars().any(|c| forbidden_char(c, MULTILINE)) {
            return Err(characters_error(field));
        }
        Ok(Some(Self(s.to_owned())))
    }
}

string_value!([const MAX: usize, const MULTILINE: bool] Text<MAX, MULTILINE>, "text");

/// 7..20 characters of digits, spaces and `+-()`, at least one of them a digit (contract §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Whether `s` is a phone number.
    #[must_use]
    pub fn is_valid(s: &str) -> bool {
        let n = s.chars().count();
        (7..=20).contains(&n)
            && s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
            && s.chars().any(|c| c.is_ascii_digit())
    }

    /// Trim and check `raw`; blank is `Ok(None)`. The error names `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if Self::is_valid(s) {
            Ok(Some(Self(s.to_owned())))
        } else {
            Err(FieldError::new(
                field,
                "phone must be 7 to 20 digits, spaces or +-()",
                "value_error.phone",
            ))
        }
    }
}

string_value!([] Phone, "number as given (trimmed)");
