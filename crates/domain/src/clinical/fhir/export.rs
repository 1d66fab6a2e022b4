//! `RiskProfile` (+ `Assessment`) → FHIR R4 `Bundle` (type `collection`).

use super::codes::*;
use super::ext::{obj, to_extensions};
use crate::clinical::assessment::Assessment;
use crate::clinical::profile::{Cancer, GeneticTest, Relation, Relative, RiskProfile, Sex};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Entry ids: the patient's id, then ids derived from it (its last four bytes xor the entry's
/// number), so the same profile always gives the same bundle.
struct Ids(Uuid);

impl Ids {
    fn nth(&self, k: u32) -> Uuid {
        let mut b = *self.0.as_bytes();
        let tail = u32::from_be_bytes([b[12], b[13], b[14], b[15]]) ^ k;
        b[12..16].copy_from_slice(&tail.to_be_bytes());
        Uuid::from_bytes(b)
    }
}

fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

fn reference(id: Uuid) -> Value {
    json!({"reference": urn(id)})
}

fn age(years: i32) -> Value {
    json!({"value": years, "unit": "a", "system": UCUM, "code": "a"})
}

fn coding(system: &str, code: &str, display: Option<&str>) -> Value {
    let mut c = json!({"system": system, "code": code});
    if let Some(d) = display {
        c["display"] = json!(d);
    }
    c
}

fn gender(sex: Option<Sex>) -> Option<&'static str> {
    sex.map(|s| match s {
        Sex::Female => "female",
        Sex::Male => "male",
    })
}

/// The object of `value`'s keys other than `skip`.
fn without(value: Value, skip: &[&str]) -> Map<String, Value> {
    match value {
        Value::Object(mut m) => {
            for k in skip {
                m.remove(*k);
            }
            m
        }
        _ => Map::new(),
    }
}

struct Writer {
    ids: Ids,
    next: u32,
    entries: Vec<Value>,
    patient: Uuid,
}

impl Writer {
    fn id(&mut self) -> Uuid {
        self.next += 1;
        self.ids.nth(self.next)
    }

    fn push(&mut self, id: Uuid, mut resource: Value) {
        resource["id"] = json!(id.to_string());
        self.entries
            .push(json!({"fullUrl": urn(id), "resource": resource}));
    }

    /// A cancer as `code` + `onsetAge` + the details extension.
    fn condition_parts(c: &Cancer) -> Map<String, Value> {
        let mut codings = vec![coding(GENASCOPE_SITE, c.cancer_type.as_str(), None)];
        if let Some((code, display)) = snomed(c.cancer_type) {
            codings.insert(0, coding(SNOMED, code, Some(display)));
        }
        let mut m = Map::new();
        let text = format!("{} cancer", c.cancer_type.as_str());
        m.insert(
            "code".into(),
            obj([("coding", Value::Array(codings)), ("text", json!(text))]),
        );
        if let Some(a) = c.age_at_diagnosis {
            m.insert("onsetAge".into(), age(a));
        }
        let details = without(
            serde_json::to_value(c).unwrap_or_default(),
            &["type", "age_at_diagnosis"],
        );
        let details = to_extensions(&details);
        if !details.is_empty() {
            m.insert(
                "extension".into(),
                Value::Array(vec![obj([
                    ("url", json!(EXT_CANCER)),
                    ("extension", Value::Array(details)),
                ])]),
            );
        }
        m
    }

    fn test(&mut self, t: &GeneticTest, focus: Option<Uuid>) -> Uuid {
        let id = self.id();
        let mut obs = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", None)]}],
            "code": {"coding": [coding(LOINC, LOINC_VARIANT, Some("Genetic variant assessment"))]},
            "subject": reference(self.patient),
            "component": [{
                "code": {"coding": [coding(LOINC, LOINC_GENE, Some("Gene studied [ID]"))]},
                "valueCodeableConcept": {"text": t.gene}
            }]
        });
        if let Some(f) = focus {
            obs["focus"] = json!([reference(f)]);
        }
        match t.result {
            None => {
                obs["dataAbsentReason"] = json!({"coding": [coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", None)]});
            }
            Some(r) => {
                let (answer, display) = match significance(r) {
                    Some(_) => (LA_PRESENT, "Present"),
                    None => (LA_ABSENT, "Absent"),
                };
                obs["valueCodeableConcept"] =
                    json!({"coding": [coding(LOINC, answer, Some(display))]});
                if let (Some((code, display)), Some(list)) =
                    (significance(r), obs["component"].as_array_mut())
                {
                    list.push(json!({
                        "code": {"coding": [coding(LOINC, LOINC_SIGNIFICANCE, Some("Genetic variation clinical significance [Imp]"))]},
                        "valueCodeableConcept": {"coding": [coding(LOINC, code, Some(display))]}
                    }));
                }
            }
        }
        self.push(id, obs);
        id
    }
}

/// The bundle of `profile` for `patient`, with a `RiskAssessment` per model result of
/// `assessment` when given. Pure and deterministic.
#[must_use]
pub fn to_bundle(profile: &RiskProfile, assessment: Option<&Assessment>, patient: Uuid) -> Value {
    let mut w = Writer {
        ids: Ids(patient),
        next: 0,
        entries: Vec::new(),
        patient,
    };
    proband(&mut w, profile);
    let fmh: Vec<Uuid> = profile.relatives.iter().map(|_| w.id()).collect();
    for (i, r) in profile.relatives.iter().enumerate() {
        relative(&mut w, profile, r, &fmh, i);
    }
    if let Some(a) = assessment {
        super::risk::risk_assessments(a, profile, patient, &fmh)
            .into_iter()
            .for_each(|ra| {
                let id = w.id();
                w.push(id, ra);
            });
    }
    obj([
        ("resourceType", json!("Bundle")),
        ("type", json!("collection")),
        ("entry", Value::Array(w.entries)),
    ])
}

fn proband(w: &mut Writer, profile: &RiskProfile) {
    let p = &profile.proband;
    let mut patient = json!({"resourceType": "Patient"});
    if let Some(g) = gender(p.sex) {
        patient["gender"] = json!(g);
    }
    let extras = without(
        serde_json::to_value(p).unwrap_or_default(),
        &["sex", "age", "cancers", "genetic_tests"],
    );
    let extras = to_extensions(&extras);
    if !extras.is_empty() {
        patient["extension"] = Value::Array(vec![obj([
            ("url", json!(EXT_PROBAND)),
            ("extension", Value::Array(extras)),
        ])]);
    }
    let id = w.patient;
    w.push(id, patient);
    if let Some(a) = p.age {
        let id = w.id();
        w.push(
            id,
            json!({
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [coding(LOINC, LOINC_AGE, Some("Age"))]},
                "subject": reference(w.patient),
                "valueQuantity": age(a),
            }),
        );
    }
    for c in &p.cancers {
        let id = w.id();
        let mut cond = Writer::condition_parts(c);
        cond.insert("resourceType".into(), json!("Condition"));
        cond.insert("subject".into(), reference(w.patient));
        w.push(id, Value::Object(cond));
    }
    for t in &p.genetic_tests {
        w.test(t, None);
    }
}

/// The full siblings of relative `i` that the profile reports (for the genetics-sibling
/// extension): sisters and brothers among themselves; a parent with the aunts and uncles of
/// its side, and those among themselves. Type: `NSIS` / `NBRO` (natural sister / brother).
fn reported_siblings(profile: &RiskProfile, i: usize, fmh: &[Uuid]) -> Vec<(&'static str, Uuid)> {
    use Relation as R;
    let group = |r: Relation| match r {
        R::Sister | R::Brother => Some(0),
        R::Mother | R::MaternalAunt | R::MaternalUncle => Some(1),
        R::Father | R::PaternalAunt | R::PaternalUncle => Some(2),
        _ => None,
    };
    let Some(mine) = group(profile.relatives[i].relation) else {
        return Vec::new();
    };
    profile
        .relatives
        .iter()
        .enumerate()
        .filter(|(j, r)| *j != i && group(r.relation) == Some(mine))
        .map(|(j, r)| {
            let male = matches!(
                r.relation.sex(r.sex),
                Some(crate::clinical::profile::Sex::Male)
            );
            (if male { "NBRO" } else { "NSIS" }, fmh[j])
        })
        .collect()
}

/// The parents of a relative that the profile reports (for the genetics-parent extension).
fn reported_parents(profile: &RiskProfile, r: Relation, fmh: &[Uuid]) -> Vec<(&'static str, Uuid)> {
    use Relation as R;
    let parents: &[(Relation, &str)] = match r {
        R::Mother | R::MaternalAunt | R::MaternalUncle => &[
            (R::MaternalGrandmother, "NMTH"),
            (R::MaternalGrandfather, "NFTH"),
        ],
        R::Father | R::PaternalAunt | R::PaternalUncle => &[
            (R::PaternalGrandmother, "NMTH"),
            (R::PaternalGrandfather, "NFTH"),
        ],
        R::Sister | R::Brother => &[(R::Mother, "NMTH"), (R::Father, "NFTH")],
        R::MaternalHalfSister | R::MaternalHalfBrother => &[(R::Mother, "NMTH")],
        R::PaternalHalfSister | R::PaternalHalfBrother => &[(R::Father, "NFTH")],
        _ => &[],
    };
    parents
        .iter()
        .filter_map(|(rel, code)| {
            let i = profile.relatives.iter().position(|x| x.relation == *rel)?;
            Some((*code, fmh[i]))
        })
        .collect()
}

fn relative(w: &mut Writer, profile: &RiskProfile, r: &Relative, fmh: &[Uuid], i: usize) {
    let mut codings = vec![coding(GENASCOPE_RELATION, r.relation.as_str(), None)];
    if let Some(code) = role_code(r.relation) {
        codings.insert(0, coding(ROLE_CODE, code, None));
    }
    let mut res = json!({
        "resourceType": "FamilyMemberHistory",
        "status": "completed",
        "patient": reference(w.patient),
    });
    res["relationship"] = obj([
        ("coding", Value::Array(codings)),
        ("text", json!(r.relation.label())),
    ]);
    if let Some(g) = gender(r.sex) {
        res["sex"] = json!({"coding": [coding(GENDER, g, None)]});
    }
    match (r.alive, r.age) {
        (Some(false), Some(a)) => res["deceasedAge"] = age(a),
        (Some(false), None) => res["deceasedBoolean"] = json!(true),
        (alive, a) => {
            if let Some(a) = a {
                res["ageAge"] = age(a);
            }
            if alive == Some(true) {
                res["deceasedBoolean"] = json!(false);
            }
        }
    }
    if !r.cancers.is_empty() {
        let conds: Vec<Value> = r
            .cancers
            .iter()
            .map(|c| Value::Object(Writer::condition_parts(c)))
            .collect();
        res["condition"] = Value::Array(conds);
    }
    let link = |url: &str, (code, to): (&str, Uuid)| {
        json!({"url": url, "extension": [
            {"url": "type", "valueCodeableConcept": {"coding": [coding(ROLE_CODE, code, None)]}},
            {"url": "reference", "valueReference": reference(to)}
        ]})
    };
    let mut ext: Vec<Value> = reported_parents(profile, r.relation, fmh)
        .into_iter()
        .map(|p| link(EXT_PARENT, p))
        .collect();
    ext.extend(
        reported_siblings(profile, i, fmh)
            .into_iter()
            .map(|s| link(EXT_SIBLING, s)),
    );
    let tests: Vec<Uuid> = r
        .genetic_tests
        .iter()
        .map(|t| w.test(t, Some(fmh[i])))
        .collect();
    ext.extend(
        tests
            .into_iter()
            .map(|t| json!({"url": EXT_OBSERVATION, "valueReference": reference(t)})),
    );
    if !ext.is_empty() {
        res["extension"] = Value::Array(ext);
    }
    w.push(fmh[i], res);
}
