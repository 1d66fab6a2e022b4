//! Field errors, and a path-tracking serde `Deserializer` over a `serde_json::Value`.
//!
//! serde_json's own errors give a line and column only; the API must answer 422 with the path of
//! the offending field (risk-profile.md, api-contract.md §1.4). This deserializer walks the value
//! itself, so whichever node fails, the error carries its path. It also applies the API's input
//! leniency (api-contract.md §1.2): enum strings are trimmed and case-insensitive, numbers may be
//! numeric strings (integers reject fractions), booleans may be `"true"/"false"/"1"/"0"`, and `""`
//! in an optional field means absent. Unknown object keys are ignored (§1.2).

use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSeg {
    /// Array index.
    Index(usize),
    /// Object key.
    Key(String),
}

impl From<&str> for PathSeg {
    fn from(s: &str) -> Self {
        Self::Key(s.to_owned())
    }
}

impl From<usize> for PathSeg {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

/// What went wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorKind {
    /// The text is not JSON at all (path is the root).
    InvalidJson,
    /// Wrong JSON type (a string where a number is expected, a fraction for an integer...).
    InvalidType,
    /// A string outside the field's vocabulary.
    UnknownValue,
    /// A required field is absent or null.
    Missing,
    /// A value outside its possible range (negative age, grade 4...).
    OutOfRange,
    /// Values that contradict each other (diagnosis after death, first birth before menarche...).
    Inconsistent,
}

impl FieldErrorKind {
    /// A stable machine-readable code, suitable for the API's `type` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "json_invalid",
            Self::InvalidType => "invalid_type",
            Self::UnknownValue => "unknown_value",
            Self::Missing => "missing",
            Self::OutOfRange => "out_of_range",
            Self::Inconsistent => "inconsistent",
        }
    }
}

/// A problem with one field of a `RiskProfile`, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}: {msg}", self.path_string())]
pub struct FieldError {
    /// JSON path, e.g. `["relatives", 2, "cancers", 0, "age_at_diagnosis"]`; empty = the root.
    pub path: Vec<PathSeg>,
    /// One plain sentence for the user.
    pub msg: String,
    /// Category.
    pub kind: FieldErrorKind,
}

impl FieldError {
    /// Builds an error.
    pub fn new(path: Vec<PathSeg>, kind: FieldErrorKind, msg: impl Into<String>) -> Self {
        Self {
            path,
            msg: msg.into(),
            kind,
        }
    }

    /// The path in dotted form: `proband.age`, `relatives[2].cancers[0].age_at_diagnosis`;
    /// `(root)` for the empty path.
    pub fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                PathSeg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                PathSeg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            out.push_str("(root)");
        }
        out
    }
}

/// Deserializes any `T` from a JSON value with path tracking and API leniency.
pub(crate) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, FieldError> {
    T::deserialize(ValueDe {
        value,
        path: Vec::new(),
    })
    .map_err(DeError::into_field_error)
}

/// The deserializer's internal error: a field error whose path is filled in by the innermost
/// node that sees it.
#[derive(Debug)]
pub(crate) struct DeError {
    path: Option<Vec<PathSeg>>,
    kind: FieldErrorKind,
    msg: String,
    /// For `missing_field`: the absent key, appended to the struct's path.
    missing: Option<&'static str>,
}

impl DeError {
    fn new(kind: FieldErrorKind, msg: String) -> Self {
        Self {
            path: None,
            kind,
            msg,
            missing: None,
        }
    }

    fn at(mut self, path: &[PathSeg]) -> Self {
        if self.path.is_none() {
            let mut p = path.to_vec();
            if let Some(field) = self.missing {
                p.push(PathSeg::Key(field.to_owned()));
            }
            self.path = Some(p);
        }
        self
    }

    fn into_field_error(self) -> FieldError {
        let mut path = self.path.unwrap_or_default();
        if let (true, Some(field)) = (path.is_empty(), self.missing) {
            path.push(PathSeg::Key(field.to_owned()));
        }
        FieldError {
            path,
            msg: self.msg,
            kind: self.kind,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(FieldErrorKind::InvalidType, msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(
            FieldErrorKind::InvalidType,
            format!("invalid type: {unexp}, expected {exp}"),
        )
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(
            FieldErrorKind::InvalidType,
            format!("invalid value: {unexp}, expected {exp}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            FieldErrorKind::UnknownValue,
            format!(
                "unknown value `{variant}`, expected one of: {}",
                expected.join(", ")
            ),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        let mut e = Self::new(
            FieldErrorKind::Missing,
            format!("field `{field}` is required"),
        );
        e.missing = Some(field);
        e
    }
}

fn child(path: &[PathSeg], seg: PathSeg) -> Vec<PathSeg> {
    let mut p = Vec::with_capacity(path.len() + 1);
    p.extend_from_slice(path);
    p.push(seg);
    p
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Unexpected::Unsigned(u)
            } else if let Some(i) = n.as_i64() {
                Unexpected::Signed(i)
            } else {
                Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// A deserializer for one node of a JSON value, knowing its path.
struct ValueDe<'de> {
    value: &'de Value,
    path: Vec<PathSeg>,
}

impl<'de> ValueDe<'de> {
    fn fail<T>(&self, exp: &str) -> Result<T, DeError> {
        Err(DeError::new(
            FieldErrorKind::InvalidType,
            format!("invalid type: {}, expected {exp}", unexpected(self.value)),
        )
        .at(&self.path))
    }

    /// An integer from a number (integral) or a numeric string; fractions are rejected.
    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match self.value {
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    return self.fail("an integer");
                }
            }
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(i) => visitor.visit_i64(i),
                Err(_) => return self.fail("an integer"),
            },
            _ => return self.fail("an integer"),
        };
        r.map_err(|e: DeError| e.at(&self.path))
    }

    fn float<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match self.value {
            Value::Number(n) => match n.as_f64() {
                Some(f) => visitor.visit_f64(f),
                None => return self.fail("a number"),
            },
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => visitor.visit_f64(f),
                _ => return self.fail("a number"),
            },
            _ => return self.fail("a number"),
        };
        r.map_err(|e: DeError| e.at(&self.path))
    }
}

impl<'de> de::Deserializer<'de> for ValueDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s.as_str()),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                iter: items.iter().enumerate(),
                path: &self.path,
            }),
            Value::Object(map) => visitor.visit_map(MapDe {
                iter: map.iter(),
                pending: None,
                path: &self.path,
            }),
        };
        r.map_err(|e: DeError| e.at(&self.path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let absent = match self.value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if absent {
            visitor.visit_none().map_err(|e: DeError| e.at(&self.path))
        } else {
            let path = self.path.clone();
            visitor.visit_some(self).map_err(|e: DeError| e.at(&path))
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let b = match self.value {
            Value::Bool(b) => *b,
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return self.fail("a boolean"),
            },
            _ => return self.fail("a boolean"),
        };
        visitor.visit_bool(b).map_err(|e: DeError| e.at(&self.path))
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.integer(v)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.float(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.float(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::String(s) => visitor
                .visit_borrowed_str(s.trim())
                .map_err(|e: DeError| e.at(&self.path)),
            _ => self.fail("a string"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value {
            Value::String(s) => visitor
                .visit_enum(UnitVariant(s.trim().to_ascii_lowercase()))
                .map_err(|e: DeError| e.at(&self.path)),
            _ => self.fail("a string"),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let path = self.path.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e: DeError| e.at(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Array(_) => self.deserialize_any(visitor),
            _ => self.fail("a list"),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Object(_) => self.deserialize_any(visitor),
            _ => self.fail("an object"),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

struct SeqDe<'de, 'p> {
    iter: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    path: &'p [PathSeg],
}

impl<'de> SeqAccess<'de> for SeqDe<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.iter.next() {
            Some((i, value)) => seed
                .deserialize(ValueDe {
                    value,
                    path: child(self.path, PathSeg::Index(i)),
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapDe<'de, 'p> {
    iter: serde_json::map::Iter<'de>,
    pending: Option<(&'de str, &'de Value)>,
    path: &'p [PathSeg],
}

impl<'de> MapAccess<'de> for MapDe<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.pending = Some((k.as_str(), v));
                seed.deserialize(BorrowedStrDeserializer::<DeError>::new(k.as_str()))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.pending.take() {
            Some((k, value)) => seed.deserialize(ValueDe {
                value,
                path: child(self.path, PathSeg::Key(k.to_owned())),
            }),
            None => Err(DeError::new(
                FieldErrorKind::InvalidType,
                "value requested before key".to_owned(),
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A unit enum variant given as a (normalised) string.
struct UnitVariant(String);

impl<'de> EnumAccess<'de> for UnitVariant {
    type Error = DeError;
    type Variant = UnitOnly;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, UnitOnly), DeError> {
        let d: StringDeserializer<DeError> = self.0.into_deserializer();
        seed.deserialize(d).map(|v| (v, UnitOnly))
    }
}

struct UnitOnly;

impl<'de> VariantAccess<'de> for UnitOnly {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a struct variant",
        ))
    }
}

/// `DensityValue` accepts a BI-RADS letter (any case) or a percentage (number or numeric string).
impl<'de> Deserialize<'de> for super::DensityValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = super::DensityValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a BI-RADS category (a, b, c, d) or a percentage")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(super::DensityValue::Percent(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(super::DensityValue::Percent(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(super::DensityValue::Percent(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                use super::BiradsDensity as B;
                let t = v.trim();
                match t.to_ascii_lowercase().as_str() {
                    "a" => Ok(super::DensityValue::Birads(B::A)),
                    "b" => Ok(super::DensityValue::Birads(B::B)),
                    "c" => Ok(super::DensityValue::Birads(B::C)),
                    "d" => Ok(super::DensityValue::Birads(B::D)),
                    _ => match t.parse::<f64>() {
                        Ok(f) if f.is_finite() => Ok(super::DensityValue::Percent(f)),
                        _ => Err(E::unknown_variant(t, &["a", "b", "c", "d", "<percent>"])),
                    },
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}
