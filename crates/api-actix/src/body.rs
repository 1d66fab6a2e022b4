//! Lenient request parsing (contract §1.2): JSON whatever the Content-Type, unknown fields
//! ignored, numbers as numbers or numeric strings, booleans as booleans or `true/false/1/0`,
//! `""` meaning absent (create) or clear (update), trimmed strings. Every failure names its field.
//!
//! Readers collect field errors as paths (`["email"]`); [`check`] locates them (`body`, `query`)
//! and turns them into a 422. The routes then convert what was read into the domain's typed
//! commands with the domain's value constructors, collecting every failure at once.

use crate::error::{ApiError, Place};
use genascope_domain::common::{Entity, FieldError, Patch};
use serde_json::{Map, Value};

/// A parsed JSON object body.
#[derive(Debug, Default)]
pub struct Body(pub Map<String, Value>);

impl Body {
    /// Parse bytes as a JSON object. Undecodable JSON: 422 `loc ["body"]`, type `json_invalid`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(Self(m)),
            Ok(_) => {
                Err(ApiError::Invalid(vec![Place::Body.whole(
                    "the body must be a JSON object",
                    "type_error.dict",
                )]))
            }
            Err(_) => Err(ApiError::Invalid(vec![
                Place::Body.whole("the body is not valid JSON", "json_invalid"),
            ])),
        }
    }

    /// The first present key of `keys` (aliases).
    fn get(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().find_map(|k| self.0.get(*k))
    }

    /// A string field for a create: absent, null or blank is None. Numbers are stringified.
    pub fn string(&self, errors: &mut Vec<FieldError>, keys: &[&str]) -> Option<String> {
        match self.get(keys)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                errors.push(FieldError::new(
                    keys[0],
                    "must be a string",
                    "type_error.str",
                ));
                None
            }
        }
    }

    /// An integer field: a JSON number or a numeric string (trimmed); absent, null or blank is
    /// None; a fraction or anything else is a failure of the field (contract §1.2).
    pub fn integer(&self, errors: &mut Vec<FieldError>, keys: &[&str]) -> Option<i64> {
        let parsed = match self.get(keys)? {
            Value::Null => return None,
            Value::String(s) if s.trim().is_empty() => return None,
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            errors.push(FieldError::new(
                keys[0],
                "value is not a valid integer",
                "type_error.integer",
            ));
        }
        parsed
    }

    /// A secret (password, token) exactly as sent: not trimmed; absent, null, blank or not a
    /// string is None.
    #[must_use]
    pub fn secret(&self, key: &str) -> Option<String> {
        match self.0.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }

    /// Several required secrets at once: every missing one is listed in a single 422.
    pub fn required_secrets<const N: usize>(
        &self,
        keys: [&str; N],
    ) -> Result<[String; N], ApiError> {
        let values = keys.map(|k| self.secret(k));
        let missing = keys
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| FieldError::missing(k))
            .collect();
        check(Place::Body, missing)?;
        Ok(values.map(Option::unwrap_or_default))
    }

    /// A string field for an update.
    pub fn patch_string(&self, errors: &mut Vec<FieldError>, keys: &[&str]) -> Patch<String> {
        match self.get(keys) {
            None => Patch::Keep,
            Some(Value::Null) => Patch::Clear,
            Some(Value::String(s)) if s.trim().is_empty() => Patch::Clear,
            Some(Value::String(s)) => Patch::Set(s.trim().to_owned()),
            Some(Value::Number(n)) => Patch::Set(n.to_string()),
            Some(_) => {
                errors.push(FieldError::new(
                    keys[0],
                    "must be a string",
                    "type_error.str",
                ));
                Patch::Keep
            }
        }
    }

    /// A boolean (also "true"/"false"/"1"/"0", any case).
    pub fn boolean(&self, errors: &mut Vec<FieldError>, key: &str) -> Option<bool> {
        let v = self.get(&[key])?;
        let parsed = match v {
            Value::Null => return None,
            Value::String(s) if s.trim().is_empty() => return None,
            v => lenient_bool(v),
        };
        if parsed.is_none() {
            errors.push(FieldError::new(
                key,
                "value could not be parsed to a boolean",
                "type_error.bool",
            ));
        }
        parsed
    }

    /// A boolean for an update.
    pub fn patch_boolean(&self, errors: &mut Vec<FieldError>, key: &str) -> Patch<bool> {
        match self.get(&[key]) {
            None => Patch::Keep,
            Some(Value::Null) => Patch::Clear,
            Some(v) => match lenient_bool(v) {
                Some(b) => Patch::Set(b),
                None => {
                    errors.push(FieldError::new(
                        key,
                        "value could not be parsed to a boolean",
                        "type_error.bool",
                    ));
                    Patch::Keep
                }
            },
        }
    }

    /// A uuid-typed reference for a create: a malformed one is reported as not found by the
    /// caller (`what`), since ids that don't parse can't exist.
    pub fn id<T>(
        &self,
        errors: &mut Vec<FieldError>,
        key: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError>
    where
        T: Copy,
    {
        match self.string(errors, &[key]) {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| not_found_for(key)),
        }
    }

    /// A uuid reference for an update.
    pub fn patch_id<T>(
        &self,
        errors: &mut Vec<FieldError>,
        key: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Patch<T>, ApiError> {
        Ok(match self.patch_string(errors, &[key]) {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(s) => Patch::Set(parse(&s).ok_or_else(|| not_found_for(key))?),
        })
    }

    /// A list of objects under `key`.
    pub fn objects(&self, key: &str) -> Option<Vec<Body>> {
        match self.get(&[key])? {
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Object(m) => Body(m.clone()),
                        _ => Body::default(),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// An id from a path, query or form field: one that does not parse cannot exist, so it is the
/// same 404 as an unknown id (contract §1.3), naming `what`.
pub fn id_or_404<T>(raw: &str, parse: fn(&str) -> Option<T>, what: Entity) -> Result<T, ApiError> {
    parse(raw).ok_or_else(|| ApiError::not_found(what))
}

/// A reference whose "not found" belongs to the use case (at its turn among the use case's
/// checks): one that does not parse names the nil id, which no record has.
#[must_use]
pub fn id_or_nil<T: From<uuid::Uuid>>(raw: &str, parse: fn(&str) -> Option<T>) -> T {
    parse(raw).unwrap_or_else(|| T::from(uuid::Uuid::nil()))
}

fn not_found_for(key: &str) -> ApiError {
    ApiError::not_found(match key {
        "account_id" => Entity::Account,
        "clinician_id" => Entity::Clinician,
        "patient_id" => Entity::Patient,
        _ => Entity::Record,
    })
}

/// `raw` as one of an enumeration's values (`parse` knows their names), else `msg` at `field`.
pub fn choice<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    msg: &str,
) -> Option<T> {
    let value = parse(raw);
    if value.is_none() {
        errors.push(FieldError::new(field, msg, "type_error.enum"));
    }
    value
}

/// A required field of an update (it cannot be cleared): absent keeps it (`None`), cleared is
/// `missing`, a value is converted by `parse` (which collects its failures).
pub fn required_patch<S, T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    patch: Patch<S>,
    parse: impl FnOnce(&mut Vec<FieldError>, S) -> Option<T>,
) -> Option<T> {
    match patch {
        Patch::Keep => None,
        Patch::Clear => {
            errors.push(FieldError::missing(field));
            None
        }
        Patch::Set(v) => parse(errors, v),
    }
}

/// An optional field of an update: kept, cleared, or set to the value `parse` converts (a
/// failure is collected and keeps the field).
pub fn optional_patch<S, T>(
    errors: &mut Vec<FieldError>,
    patch: Patch<S>,
    parse: impl FnOnce(&mut Vec<FieldError>, S) -> Option<T>,
) -> Patch<T> {
    match patch {
        Patch::Keep => Patch::Keep,
        Patch::Clear => Patch::Clear,
        Patch::Set(v) => parse(errors, v).map_or(Patch::Keep, Patch::Set),
    }
}

/// `true/false/1/0` (any case) or a JSON boolean or 0/1.
#[must_use]
pub fn lenient_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Query-string access with the contract's rules: unknown parameters ignored, empty = absent.
#[derive(Debug, Default)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parse a raw query string.
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        Self(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// A non-empty, trimmed value of the first present alias.
    #[must_use]
    pub fn get(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.0
                .iter()
                .find(|(qk, _)| qk == k)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// A free-text search term (the first present alias), at most 200 characters, without
    /// control, zero-width or bidi characters (a NUL cannot even reach PostgreSQL): else a 422
    /// naming the parameter.
    pub fn search(&self, errors: &mut Vec<FieldError>, keys: &[&str]) -> Option<String> {
        let value = self.get(keys)?;
        let name = keys
            .iter()
            .find(|k| self.0.iter().any(|(qk, _)| qk == *k))
            .copied()
            .unwrap_or("search");
        if value.chars().count() > 200 {
            errors.push(FieldError::new(
                name,
                "must be at most 200 characters",
                "value_error.any_str.max_length",
            ));
            return None;
        }
        if value
            .chars()
            .any(|c| genascope_domain::common::validate::forbidden_char(c, false))
        {
            errors.push(FieldError::new(
                name,
                "must not contain control, zero-width or text-direction characters",
                "value_error.characters",
            ));
            return None;
        }
        Some(value)
    }

    /// An integer in `min..=max`, defaulting to `default`; out of range is 422, not clamped.
    pub fn int(
        &self,
        errors: &mut Vec<FieldError>,
        keys: &[&str],
        min: u32,
        max: u32,
        default: u32,
    ) -> u32 {
        match self.get(keys) {
            None => default,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(
                        keys[0],
                        format!("must be an integer between {min} and {max}"),
                        "value_error.number.range",
                    ));
                    default
                }
            },
        }
    }

    /// A boolean filter.
    pub fn boolean(&self, errors: &mut Vec<FieldError>, key: &str) -> Option<bool> {
        let v = self.get(&[key])?;
        let b = lenient_bool(&Value::String(v));
        if b.is_none() {
            errors.push(FieldError::new(
                key,
                "value could not be parsed to a boolean",
                "type_error.bool",
            ));
        }
        b
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Turn collected field errors (paths) into a 422 located at `place`, or pass.
pub fn check(place: Place, errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(place, errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_rules() {
        let q = Query::parse("_cb=123&search=Jane%20Doe&clinician_id=&limit=5&x+y=a+b");
        assert_eq!(q.get(&["search"]).as_deref(), Some("Jane Doe"));
        assert_eq!(q.get(&["clinician_id"]), None);
        assert_eq!(q.get(&["x y"]).as_deref(), Some("a b"));
        let mut errs = Vec::new();
        assert_eq!(q.int(&mut errs, &["limit"], 1, 100, 100), 5);
        assert_eq!(
            Query::parse("limit=0").int(&mut errs, &["limit"], 1, 100, 100),
            100
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(
            Query::parse("a=%zz%4").get(&["a"]).as_deref(),
            Some("%zz%4")
        );
    }

    #[test]
    fn body_rules() {
        let b = Body::parse(br#"{"a":" x ","b":"","c":null,"d":30,"e":"TRUE","f":"no"}"#).unwrap();
        let mut errs = Vec::new();
        assert_eq!(b.string(&mut errs, &["a"]).as_deref(), Some("x"));
        assert_eq!(b.string(&mut errs, &["b"]), None);
        assert_eq!(b.patch_string(&mut errs, &["b"]), Patch::Clear);
        assert_eq!(b.patch_string(&mut errs, &["c"]), Patch::Clear);
        assert_eq!(b.patch_string(&mut errs, &["zz"]), Patch::Keep);
        assert_eq!(b.string(&mut errs, &["d"]).as_deref(), Some("30"));
        assert_eq!(b.boolean(&mut errs, "e"), Some(true));
        assert!(errs.is_empty());
        assert_eq!(b.boolean(&mut errs, "f"), None);
        assert_eq!(errs.len(), 1);
        let n = Body::parse(
            br#"{"a":30,"b":" 30 ","c":"","d":1.5,"e":"3.0","f":"abc","g":true,"h":null}"#,
        )
        .unwrap();
        let mut errs = Vec::new();
        assert_eq!(n.integer(&mut errs, &["a"]), Some(30));
        assert_eq!(n.integer(&mut errs, &["b"]), Some(30));
        assert_eq!(n.integer(&mut errs, &["c"]), None);
        assert_eq!(n.integer(&mut errs, &["h"]), None);
        assert_eq!(n.integer(&mut errs, &["zz"]), None);
        assert!(errs.is_empty());
        for key in ["d", "e", "f", "g"] {
            assert_eq!(n.integer(&mut errs, &[key]), None, "{key}");
        }
        assert_eq!(errs.len(), 4);
        assert!(Body::parse(b"{nope").is_err());
        assert!(Body::parse(b"[1]").is_err());
        assert!(Body::parse(b"").unwrap().0.is_empty());
    }
}
