//! A JSON object of `RiskProfile` scalars as FHIR extensions and back: each non-null key becomes
//! a sub-extension `{"url": key, "value<Type>": ...}` (booleans, integers, decimals, codes),
//! nested objects nested extensions. Lossless for what the `RiskProfile` holds.

use serde_json::{Map, Value, json};

/// The sub-extensions of `map` (null values left out, empty objects too).
pub fn to_extensions(map: &Map<String, Value>) -> Vec<Value> {
    map.iter()
        .filter_map(|(k, v)| match v {
            Value::Null | Value::Array(_) => None,
            Value::Bool(b) => Some(json!({"url": k, "valueBoolean": b})),
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                Some(json!({"url": k, "valueInteger": n}))
            }
            Value::Number(n) => Some(json!({"url": k, "valueDecimal": n})),
            Value::String(s) => Some(json!({"url": k, "valueCode": s})),
            Value::Object(m) => {
                let inner = to_extensions(m);
                (!inner.is_empty())
                    .then(|| obj([("url", json!(k)), ("extension", Value::Array(inner))]))
            }
        })
        .collect()
}

/// Back: `url` → value; an extension that is neither a value nor nested is `Err(url)`.
pub fn from_extensions(list: &[Value]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for e in list {
        let url = e.get("url").and_then(Value::as_str).unwrap_or_default();
        let value = [
            "valueBoolean",
            "valueInteger",
            "valueDecimal",
            "valueCode",
            "valueString",
        ]
        .iter()
        .find_map(|k| e.get(*k).cloned());
        let value = match (value, e.get("extension").and_then(Value::as_array)) {
            (Some(v), _) => v,
            (None, Some(inner)) => Value::Object(from_extensions(inner)?),
            (None, None) => return Err(url.to_owned()),
        };
        out.insert(url.to_owned(), value);
    }
    Ok(out)
}

/// An object from its members, moved in (`json!` would copy each `Value` through serde).
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// The extension of `resource` with `url`, if any.
pub fn find<'a>(resource: &'a Value, url: &str) -> Option<&'a Value> {
    resource
        .get("extension")?
        .as_array()?
        .iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(url))
}
