//! Test support: checks a FHIR JSON document against the official R4 JSON schema vendored in
//! `crates/domain/tests/fixtures/fhir-r4/` (see its README for source, version and licence).
//!
//! Self-contained (serde_json, flate2, jsonschema only) so that the API tests can include this
//! file with `#[path]` too. No remote references: the schema refers only to itself.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Mutex, OnceLock};

static SCHEMA_GZ: &[u8] = include_bytes!("../../../tests/fixtures/fhir-r4/fhir.schema.json.gz");

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(SCHEMA_GZ)
            .read_to_string(&mut text)
            .expect("the vendored schema is gzip-compressed UTF-8");
        serde_json::from_str(&text).expect("the vendored schema is JSON")
    })
}

type Cache = Mutex<HashMap<String, &'static jsonschema::Validator>>;

/// The validator of one definition (`Bundle`, `Patient`...), built once per process.
fn validator(definition: &str) -> &'static jsonschema::Validator {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.entry(definition.to_owned()).or_insert_with(|| {
        let root = schema();
        let one = json!({
            "$schema": root["$schema"],
            "$ref": format!("#/definitions/{definition}"),
            "definitions": root["definitions"],
        });
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft6)
            .build(&one)
            .expect("the vendored schema compiles");
        Box::leak(Box::new(v))
    })
}

fn errors_of(definition: &str, doc: &Value, at: &str, out: &mut Vec<String>) {
    for e in validator(definition).iter_errors(doc) {
        out.push(format!("{at}{} ({definition}): {e}", e.instance_path()));
    }
}

/// What the R4 schema finds wrong with `resource` (empty: valid). A `Bundle`'s entries are
/// also checked one by one against their own resource type, which names the entry and
/// element where the bundle-level `oneOf` over all resource types would not.
pub fn violations(resource: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(kind) = resource["resourceType"].as_str() else {
        return vec!["no resourceType".to_owned()];
    };
    if schema()["definitions"].get(kind).is_none() {
        return vec![format!("{kind} is not an R4 resource type")];
    }
    errors_of(kind, resource, "", &mut out);
    if kind == "Bundle" {
        let entries = resource["entry"].as_array().map_or(&[][..], Vec::as_slice);
        for (i, e) in entries.iter().enumerate() {
            let r = &e["resource"];
            match r["resourceType"].as_str() {
                Some(k) if schema()["definitions"].get(k).is_some() => {
                    errors_of(k, r, &format!("/entry/{i}/resource"), &mut out);
                }
                _ => out.push(format!("/entry/{i}/resource: no R4 resourceType")),
            }
        }
    }
    out
}

/// Panics listing the violations when `resource` does not conform to the R4 schema.
pub fn assert_conforms(resource: &Value) {
    let v = violations(resource);
    assert!(
        v.is_empty(),
        "not valid FHIR R4 ({} problems):\n{}",
        v.len(),
        v.join("\n")
    );
}
