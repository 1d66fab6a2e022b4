//! A lab order as stored, and back.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::lab_orders;
use crate::sql::Corrupt;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, LabOrderId, PatientId, RepoError, Text, UserId};
use genascope_domain::labs::model::{
    AddressInput, LabOrder, LabResult, LabStatus, ReportUrl, ResultMap, ResultStatus, Review,
    ShippingAddress, TestType,
};
use time::PrimitiveDateTime;

/// A row of `lab_orders`: read, inserted, and (but for the id, account, patient, provider, test
/// and creation) updated.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = lab_orders, treat_none_as_default_value = false)]
pub(super) struct OrderRow {
    pub(super) id: String,
    account_id: String,
    patient_id: String,
    pub(super) provider_id: String,
    test_type: String,
    status: String,
    shipping_address: String,
    notes: Option<String>,
    lab_reference: Option<String>,
    reason: Option<String>,
    results: Option<String>,
    result_status: Option<String>,
    report_url: Option<String>,
    report_file_id: Option<String>,
    performed_at: Option<PrimitiveDateTime>,
    result_notes: Option<String>,
    reported_at: Option<PrimitiveDateTime>,
    reviewed_at: Option<PrimitiveDateTime>,
    reviewed_by: Option<String>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    completed_at: Option<PrimitiveDateTime>,
    pub(super) version: i32,
}

/// What a save writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = lab_orders, treat_none_as_null = true)]
pub(super) struct OrderChanges {
    status: String,
    lab_reference: Option<String>,
    reason: Option<String>,
    results: Option<String>,
    result_status: Option<String>,
    report_url: Option<String>,
    report_file_id: Option<String>,
    performed_at: Option<PrimitiveDateTime>,
    result_notes: Option<String>,
    reported_at: Option<PrimitiveDateTime>,
    reviewed_at: Option<PrimitiveDateTime>,
    reviewed_by: Option<String>,
    updated_at: PrimitiveDateTime,
    completed_at: Option<PrimitiveDateTime>,
    version: i32,
}

impl OrderRow {
    pub(super) fn changes(&self) -> OrderChanges {
        OrderChanges {
            status: self.status.clone(),
            lab_reference: self.lab_reference.clone(),
            reason: self.reason.clone(),
            results: self.results.clone(),
            result_status: self.result_status.clone(),
            report_url: self.report_url.clone(),
            report_file_id: self.report_file_id.clone(),
            performed_at: self.performed_at,
            result_notes: self.result_notes.clone(),
            reported_at: self.reported_at,
            reviewed_at: self.reviewed_at,
            reviewed_by: self.reviewed_by.clone(),
            updated_at: self.updated_at,
            completed_at: self.completed_at,
            version: self.version,
        }
    }

    pub(super) fn into_domain(self) -> Result<LabOrder, Corrupt> {
        let result = match (self.results, self.result_status, self.reported_at) {
            (Some(results), Some(status), Some(reported_at)) => Some(LabResult {
                results: results_from_json(&results)?,
                status: ResultStatus::parse(&status).ok_or(Corrupt("result status"))?,
                report_url: self
                    .report_url
                    .map(|u| ReportUrl::parse("report_url", &u).map_err(|_| Corrupt("report url")))
                    .transpose()?,
                report_file_id: self
                    .report_file_id
                    .map(|f| parse_id(&f, "report file id"))
                    .transpose()?,
                performed_at: self.performed_at.map(from_ts),
                notes: text(self.result_notes, "result notes")?,
                reported_at: from_ts(reported_at),
            }),
            _ => None,
        };
        let review = match (self.reviewed_at, self.reviewed_by) {
            (Some(at), Some(by)) => Some(Review {
                at: from_ts(at),
                by: UserId(parse_id(&by, "reviewer id")?),
            }),
            _ => None,
        };
        Ok(LabOrder {
            id: LabOrderId(parse_id(&self.id, "lab order id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            patient_id: PatientId(parse_id(&self.patient_id, "patient id")?),
            provider_id: UserId(parse_id(&self.provider_id, "provider id")?),
            test_type: TestType::parse(&self.test_type).ok_or(Corrupt("test type"))?,
            status: LabStatus::parse(&self.status).ok_or(Corrupt("lab status"))?,
            shipping_address: address_from_json(&self.shipping_address)?,
            notes: text(self.notes, "lab order notes")?,
            lab_reference: text(self.lab_reference, "lab reference")?,
            reason: text(self.reason, "lab order reason")?,
            result,
            review,
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
            completed_at: self.completed_at.map(from_ts),
            version: self.version,
        })
    }
}

/// A stored text, checked again on the way in.
fn text<const MAX: usize, const MULTILINE: bool>(
    s: Option<String>,
    what: &'static str,
) -> Result<Option<Text<MAX, MULTILINE>>, Corrupt> {
    s.map(|s| Text::parse(what, &s).ok().flatten().ok_or(Corrupt(what)))
        .transpose()
}

fn address_to_json(a: &ShippingAddress) -> String {
    serde_json::json!({
        "line1": a.line1.as_str(),
        "line2": a.line2.as_ref().map(Text::as_str),
        "city": a.city.as_str(),
        "state": a.state.as_str(),
        "zip_code": a.zip_code,
    })
    .to_string()
}

fn address_from_json(s: &str) -> Result<ShippingAddress, Corrupt> {
    let v: serde_json::Value = serde_json::from_str(s).map_err(|_| Corrupt("shipping address"))?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let input = AddressInput {
        line1: field("line1"),
        line2: field("line2"),
        city: field("city"),
        state: field("state"),
        zip_code: field("zip_code"),
    };
    ShippingAddress::parse(&mut Vec::new(), &input).ok_or(Corrupt("shipping address"))
}

fn results_to_json(r: &ResultMap) -> String {
    let map: serde_json::Map<String, serde_json::Value> = r
        .iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn results_from_json(s: &str) -> Result<ResultMap, Corrupt> {
    let v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(s).map_err(|_| Corrupt("lab results"))?;
    let entries = v
        .into_iter()
        .map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .collect::<Option<Vec<_>>>()
        .ok_or(Corrupt("lab results"))?;
    ResultMap::from_trusted(entries).ok_or(Corrupt("lab results"))
}

impl TryFrom<&LabOrder> for OrderRow {
    type Error = RepoError;

    fn try_from(o: &LabOrder) -> Result<Self, RepoError> {
        let r = o.result.as_ref();
        Ok(Self {
            id: id(o.id.0),
            account_id: id(o.account_id.0),
            patient_id: id(o.patient_id.0),
            provider_id: id(o.provider_id.0),
            test_type: o.test_type.as_str().to_owned(),
            status: o.status.as_str().to_owned(),
            shipping_address: address_to_json(&o.shipping_address),
            notes: o.notes.as_ref().map(ToString::to_string),
            lab_reference: o.lab_reference.as_ref().map(ToString::to_string),
            reason: o.reason.as_ref().map(ToString::to_string),
            results: r.map(|r| results_to_json(&r.results)),
            result_status: r.map(|r| r.status.as_str().to_owned()),
            report_url: r
                .and_then(|r| r.report_url.as_ref())
                .map(|u| u.as_str().to_owned()),
            report_file_id: r.and_then(|r| r.report_file_id).map(id),
            performed_at: r.and_then(|r| r.performed_at).map(ts),
            result_notes: r.and_then(|r| r.notes.as_ref()).map(ToString::to_string),
            reported_at: r.map(|r| ts(r.reported_at)),
            reviewed_at: o.review.map(|v| ts(v.at)),
            reviewed_by: o.review.map(|v| id(v.by.0)),
            created_at: ts(o.created_at),
            updated_at: ts(o.updated_at),
            completed_at: o.completed_at.map(ts),
            version: o.version,
        })
    }
}
