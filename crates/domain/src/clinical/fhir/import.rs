//! FHIR R4 `Bundle` → `RiskProfile`. What cannot be mapped is a field error whose `loc` names
//! the entry and the element (`["entry", 3, "resource", "relationship"]`); the profile built is
//! then validated like any other, its errors placed on the entry they came from.

use super::codes::*;
use super::ext::{find, from_extensions};
use crate::clinical::profile::{FieldError as ProfileError, PathSeg, Relation, RiskProfile};
use crate::common::{FieldError, Loc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Where a part of the profile came from: the entry index.
#[derive(Default)]
pub(super) struct Origins {
    patient: usize,
    proband_cancers: Vec<usize>,
    proband_tests: Vec<usize>,
    relatives: Vec<usize>,
}

struct Reader<'a> {
    entries: &'a [Value],
    by_url: HashMap<&'a str, usize>,
    errors: Vec<FieldError>,
}

fn loc(entry: usize, path: &[&str]) -> Vec<Loc> {
    let mut l = vec![
        Loc::Key("entry".into()),
        Loc::Index(entry),
        Loc::Key("resource".into()),
    ];
    l.extend(path.iter().map(|p| Loc::Key((*p).to_owned())));
    l
}

fn codes<'a>(cc: &'a Value, system: &str) -> impl Iterator<Item = &'a str> {
    let system = system.to_owned();
    cc.get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |c| c.get("system").and_then(Value::as_str) == Some(system.as_str()))
        .filter_map(|c| c.get("code").and_then(Value::as_str))
}

fn first_code<'a>(cc: &'a Value, system: &str) -> Option<&'a str> {
    codes(cc, system).next()
}

fn resource_type(e: &Value) -> &str {
    e.pointer("/resource/resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl<'a> Reader<'a> {
    fn fail(&mut self, entry: usize, path: &[&str], msg: impl Into<String>) {
        self.errors.push(FieldError {
            loc: loc(entry, path),
            msg: msg.into(),
            kind: "value_error.fhir".to_owned(),
        });
    }

    /// The entry a reference (`urn:uuid:…` or `Type/id`) points at.
    fn target(&self, reference: &Value) -> Option<usize> {
        let r = reference.get("reference")?.as_str()?;
        self.by_url.get(r).copied()
    }

    /// An Age in years (UCUM `a`), as whole years.
    fn years(&mut self, entry: usize, path: &[&str], v: &Value) -> Option<i32> {
        let code = v.get("code").and_then(Value::as_str).unwrap_or("a");
        let n = v.get("value").and_then(Value::as_f64);
        match n {
            Some(n) if code == "a" && n.fract() == 0.0 && (0.0..=200.0).contains(&n) => {
                Some(n as i32)
            }
            _ => {
                self.fail(
                    entry,
                    path,
                    "an age in whole years is expected (value, UCUM code \"a\")",
                );
                None
            }
        }
    }

    /// A cancer from a `code` + `onsetAge` + details extension (Condition or FMH condition).
    fn cancer(&mut self, entry: usize, path: &[&str], c: &Value) -> Option<Value> {
        let code = c.get("code").unwrap_or(&Value::Null);
        let site = first_code(code, GENASCOPE_SITE)
            .and_then(site_of_code)
            .or_else(|| codes(code, SNOMED).find_map(site_of_snomed));
        let Some(site) = site else {
            let mut p = path.to_vec();
            p.push("code");
            self.fail(entry, &p, "not a cancer site genascope knows: code it with a SNOMED CT cancer concept of docs/clinical-models.md, or remove it");
            return None;
        };
        let mut m = Map::new();
        if let Some(ext) = find(c, EXT_CANCER)
            .and_then(|e| e.get("extension"))
            .and_then(Value::as_array)
        {
            match from_extensions(ext) {
                Ok(details) => m = details,
                Err(url) => self.fail(
                    entry,
                    path,
                    format!("cancer-detail extension {url:?} has no value"),
                ),
            }
        }
        m.insert("type".into(), json!(site.as_str()));
        let age = match c.get("onsetAge") {
            Some(a) => {
                let mut p = path.to_vec();
                p.push("onsetAge");
                self.years(entry, &p, a)
            }
            None => {
                if let Some(k) = ["onsetRange", "onsetString", "onsetPeriod"]
                    .into_iter()
                    .find(|k| c.get(*k).is_some())
                {
                    let mut p = path.to_vec();
                    p.push(k);
                    self.fail(
                        entry,
                        &p,
                        "only onsetAge (years) can be read as the age at diagnosis",
                    );
                }
                None
            }
        };
        m.insert("age_at_diagnosis".into(), json!(age));
        Some(Value::Object(m))
    }

    fn test(&mut self, entry: usize, obs: &Value) -> Option<Value> {
        let components = obs
            .get("component")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let of = |code: &str| {
            components
                .iter()
                .find(|c| {
                    c.get("code")
                        .is_some_and(|cc| codes(cc, LOINC).any(|x| x == code))
                })
                .and_then(|c| c.get("valueCodeableConcept"))
        };
        let gene = of(LOINC_GENE).and_then(|v| {
            v.get("text")
                .and_then(Value::as_str)
                .or_else(|| v.pointer("/coding/0/display").and_then(Value::as_str))
                .or_else(|| v.pointer("/coding/0/code").and_then(Value::as_str))
        });
        let Some(gene) = gene else {
            self.fail(
                entry,
                &["component"],
                "a genetic test needs the gene studied (LOINC 48018-6 component)",
            );
            return None;
        };
        let result = of(LOINC_SIGNIFICANCE)
            .and_then(|v| first_code(v, LOINC))
            .and_then(result_of_significance)
            .map(|r| json!(r))
            .or_else(|| {
                let v = obs.get("valueCodeableConcept")?;
                (first_code(v, LOINC) == Some(LA_ABSENT)).then(|| json!("negative"))
            });
        Some(json!({"gene": gene, "result": result}))
    }
}

/// The `RiskProfile` a bundle describes, validated; every problem found, each naming its entry.
pub fn from_bundle(bundle: &Value) -> Result<RiskProfile, Vec<FieldError>> {
    let (value, origins) = profile_value(bundle)?;
    RiskProfile::parse_and_validate(&value)
        .map_err(|errs| errs.iter().map(|e| place(e, &origins)).collect())
}

/// The `RiskProfile` JSON a bundle describes, before parsing and validation, and where each
/// part came from.
pub(super) fn profile_value(bundle: &Value) -> Result<(Value, Origins), Vec<FieldError>> {
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(vec![FieldError::new(
            "resourceType",
            "a FHIR Bundle is expected (resourceType \"Bundle\")",
            "value_error.fhir",
        )]);
    }
    let Some(entries) = bundle.get("entry").and_then(Value::as_array) else {
        return Err(vec![FieldError::missing("entry")]);
    };
    let mut r = Reader {
        entries,
        by_url: HashMap::new(),
        errors: Vec::new(),
    };
    for (k, e) in entries.iter().enumerate() {
        if let Some(u) = e.get("fullUrl").and_then(Value::as_str) {
            r.by_url.insert(u, k);
        }
    }
    let (value, origins) = build(&mut r);
    if r.errors.is_empty() {
        Ok((value, origins))
    } else {
        Err(r.errors)
    }
}

/// A profile error placed on the entry it came from (`loc` = entry + the profile path left).
fn place(e: &ProfileError, o: &Origins) -> FieldError {
    let keys: Vec<String> = e
        .path
        .iter()
        .map(|s| match s {
            PathSeg::Key(k) => k.clone(),
            PathSeg::Index(i) => i.to_string(),
        })
        .collect();
    let idx = |s: Option<&PathSeg>| match s {
        Some(PathSeg::Index(i)) => Some(*i),
        _ => None,
    };
    let (entry, skip) = match keys.first().map(String::as_str) {
        Some("relatives") => (
            idx(e.path.get(1)).and_then(|i| o.relatives.get(i).copied()),
            2,
        ),
        Some("proband") if keys.get(1).map(String::as_str) == Some("cancers") => (
            idx(e.path.get(2)).and_then(|i| o.proband_cancers.get(i).copied()),
            3,
        ),
        Some("proband") if keys.get(1).map(String::as_str) == Some("genetic_tests") => (
            idx(e.path.get(2)).and_then(|i| o.proband_tests.get(i).copied()),
            3,
        ),
        _ => (Some(o.patient), 1),
    };
    let rest: Vec<&str> = keys.iter().skip(skip).map(String::as_str).collect();
    FieldError {
        loc: loc(entry.unwrap_or(o.patient), &[]),
        msg: format!(
            "{} (profile field {}): {}",
            rest.join("."),
            keys.join("."),
            e.msg
        ),
        kind: e.kind.as_str().to_owned(),
    }
}

fn build(r: &mut Reader<'_>) -> (Value, Origins) {
    let mut o = Origins::default();
    let patient = r.entries.iter().position(|e| resource_type(e) == "Patient");
    let Some(pk) = patient else {
        r.errors.push(FieldError::new(
            "entry",
            "the bundle has no Patient resource (the proband)",
            "value_error.fhir",
        ));
        return (Value::Null, o);
    };
    o.patient = pk;
    let mut proband = patient_fields(r, pk);
    let mut cancers = Vec::new();
    let mut tests = Vec::new();
    let mut relatives = Vec::new();
    for (k, e) in r.entries.iter().enumerate() {
        let res = &e["resource"];
        match resource_type(e) {
            "Observation" => {
                let code = res.get("code").unwrap_or(&Value::Null);
                if codes(code, LOINC).any(|c| c == LOINC_AGE) {
                    if let Some(q) = res.get("valueQuantity") {
                        let age = r.years(k, &["valueQuantity"], q);
                        proband.insert("age".into(), json!(age));
                    }
                } else if codes(code, LOINC).any(|c| c == LOINC_VARIANT)
                    && res.get("focus").is_none()
                    && let Some(t) = r.test(k, res)
                {
                    tests.push(t);
                    o.proband_tests.push(k);
                }
            }
            "Condition" => {
                if let Some(c) = r.cancer(k, &[], res) {
                    cancers.push(c);
                    o.proband_cancers.push(k);
                }
            }
            "FamilyMemberHistory" => {
                if let Some(rel) = relative(r, k, res) {
                    relatives.push(rel);
                    o.relatives.push(k);
                }
            }
            _ => {}
        }
    }
    proband.insert("cancers".into(), Value::Array(cancers));
    proband.insert("genetic_tests".into(), Value::Array(tests));
    (
        super::ext::obj([
            ("proband", Value::Object(proband)),
            ("relatives", Value::Array(relatives)),
        ]),
        o,
    )
}

fn patient_fields(r: &mut Reader<'_>, pk: usize) -> Map<String, Value> {
    let res = &r.entries[pk]["resource"];
    let mut m = Map::new();
    if let Some(ext) = find(res, EXT_PROBAND)
        .and_then(|e| e.get("extension"))
        .and_then(Value::as_array)
    {
        match from_extensions(ext) {
            Ok(fields) => m = fields,
            Err(url) => r.fail(
                pk,
                &["extension"],
                format!("proband-risk-factors extension {url:?} has no value"),
            ),
        }
    }
    let sex = match res.get("gender").and_then(Value::as_str) {
        Some(g @ ("female" | "male")) => json!(g),
        _ => Value::Null,
    };
    m.insert("sex".into(), sex);
    m
}

fn relation(r: &mut Reader<'_>, k: usize, res: &Value) -> Option<Relation> {
    let cc = res.get("relationship").unwrap_or(&Value::Null);
    if let Some(rel) = first_code(cc, GENASCOPE_RELATION).and_then(relation_of_code) {
        return Some(rel);
    }
    let role = first_code(cc, ROLE_CODE);
    if let Some(rel) = role.and_then(relation_of_role) {
        return Some(rel);
    }
    if let Some(half @ ("HSIS" | "HBRO")) = role {
        // The side from the genetics-parent extension: the shared parent's relationship.
        let parent = find(res, EXT_PARENT)
            .and_then(|p| {
                p.get("extension")?
                    .as_array()?
                    .iter()
                    .find(|x| x["url"] == "reference")
                    .cloned()
            })
            .and_then(|x| r.target(&x["valueReference"]))
            .and_then(|pk| {
                first_code(r.entries[pk].pointer("/resource/relationship")?, ROLE_CODE)
                    .and_then(relation_of_role)
            });
        use Relation as R;
        let rel = match (half, parent) {
            ("HSIS", Some(R::Mother)) => Some(R::MaternalHalfSister),
            ("HBRO", Some(R::Mother)) => Some(R::MaternalHalfBrother),
            ("HSIS", Some(R::Father)) => Some(R::PaternalHalfSister),
            ("HBRO", Some(R::Father)) => Some(R::PaternalHalfBrother),
            _ => None,
        };
        if rel.is_none() {
            r.fail(k, &["relationship"], "a half-sibling's side cannot be told: add the family-member-history-genetics-parent extension naming the shared parent's FamilyMemberHistory, or a genascope relation code");
        }
        return rel;
    }
    let what = role.map_or_else(
        || "no v3-RoleCode or genascope relation code".to_owned(),
        |c| format!("RoleCode {c} is not a blood relation genascope can place"),
    );
    r.fail(k, &["relationship"], what);
    None
}

fn relative(r: &mut Reader<'_>, k: usize, res: &Value) -> Option<Value> {
    let rel = relation(r, k, res)?;
    let mut m = Map::new();
    m.insert("relation".into(), json!(rel.as_str()));
    let sex = res
        .get("sex")
        .and_then(|s| first_code(s, GENDER))
        .filter(|g| matches!(*g, "female" | "male"));
    m.insert("sex".into(), json!(sex));
    let (alive, age) = match (
        res.get("deceasedAge"),
        res.get("deceasedBoolean").and_then(Value::as_bool),
        res.get("ageAge"),
    ) {
        (Some(a), _, _) => (Some(false), r.years(k, &["deceasedAge"], a)),
        (None, d, a) => (d.map(|d| !d), a.and_then(|a| r.years(k, &["ageAge"], a))),
    };
    m.insert("alive".into(), json!(alive));
    m.insert("age".into(), json!(age));
    let mut cancers = Vec::new();
    for (j, c) in res
        .get("condition")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let j = j.to_string();
        if let Some(c) = r.cancer(k, &["condition", &j], c) {
            cancers.push(c);
        }
    }
    m.insert("cancers".into(), Value::Array(cancers));
    let mut tests = Vec::new();
    let refs: Vec<Value> = res
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == EXT_OBSERVATION)
        .map(|e| e["valueReference"].clone())
        .collect();
    for rf in refs {
        match r.target(&rf) {
            Some(ok) if resource_type(&r.entries[ok]) == "Observation" => {
                let obs = &r.entries[ok]["resource"];
                if let Some(t) = r.test(ok, obs) {
                    tests.push(t);
                }
            }
            _ => r.fail(
                k,
                &["extension"],
                "a genetics-observation reference points at no Observation of the bundle",
            ),
        }
    }
    m.insert("genetic_tests".into(), Value::Array(tests));
    Some(Value::Object(m))
}
