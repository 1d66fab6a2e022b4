//! Lab DTOs (contract §3.8): `LabOrder`, the results body, a test of the catalogue.

use crate::routes::dto::ts;
use genascope_domain::common::Text;
use genascope_domain::labs::model::{LabOrderView, ShippingAddress, TestInfo};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A shipping address.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressDto {
    line1: String,
    line2: Option<String>,
    city: String,
    state: String,
    zip_code: String,
}

impl From<&ShippingAddress> for AddressDto {
    fn from(a: &ShippingAddress) -> Self {
        Self {
            line1: a.line1.to_string(),
            line2: a.line2.as_ref().map(ToString::to_string),
            city: a.city.to_string(),
            state: a.state.to_string(),
            zip_code: a.zip_code.clone(),
        }
    }
}

/// `LabOrder`: `id` = `order_id`, `clinician_id` = `provider_id`, `ordered_at` = `created_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabOrderDto {
    order_id: String,
    id: String,
    patient_id: String,
    patient_name: String,
    test_type: &'static str,
    provider_id: String,
    clinician_id: String,
    clinician_name: String,
    status: &'static str,
    shipping_address: AddressDto,
    notes: Option<String>,
    lab_reference: Option<String>,
    reason: Option<String>,
    result_status: Option<&'static str>,
    created_at: String,
    ordered_at: String,
    updated_at: String,
    completed_at: Option<String>,
    reviewed_at: Option<String>,
}

impl From<&LabOrderView> for LabOrderDto {
    fn from(v: &LabOrderView) -> Self {
        let o = &v.order;
        Self {
            order_id: o.id.to_string(),
            id: o.id.to_string(),
            patient_id: o.patient_id.to_string(),
            patient_name: v.patient_name.clone(),
            test_type: o.test_type.as_str(),
            provider_id: o.provider_id.to_string(),
            clinician_id: o.provider_id.to_string(),
            clinician_name: v.clinician_name.clone(),
            status: o.status.as_str(),
            shipping_address: AddressDto::from(&o.shipping_address),
            notes: o.notes.as_ref().map(ToString::to_string),
            lab_reference: o.lab_reference.as_ref().map(Text::to_string),
            reason: o.reason.as_ref().map(ToString::to_string),
            result_status: o.result.as_ref().map(|r| r.status.as_str()),
            created_at: ts(o.created_at),
            ordered_at: ts(o.created_at),
            updated_at: ts(o.updated_at),
            completed_at: o.completed_at.map(ts),
            reviewed_at: o.review.map(|r| ts(r.at)),
        }
    }
}

/// The results body of `GET`/`POST /api/labs/results/{order_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabResultsDto {
    order_id: String,
    status: &'static str,
    test_type: &'static str,
    patient_id: String,
    /// Null until results exist; then analyte keys to interpretations, plus `report_url`.
    #[schema(value_type = Option<Object>)]
    results: Option<Map<String, Value>>,
    result_status: Option<&'static str>,
    reported_at: Option<String>,
    performed_at: Option<String>,
    notes: Option<String>,
    reviewed_at: Option<String>,
    reviewed_by: Option<String>,
}

impl From<&LabOrderView> for LabResultsDto {
    fn from(v: &LabOrderView) -> Self {
        let o = &v.order;
        let r = o.result.as_ref();
        let results = r.map(|r| {
            let mut m: Map<String, Value> = r
                .results
                .iter()
                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                .collect();
            let report = r
                .report_file_id
                .map(|f| format!("/api/files/{}/download", f.hyphenated()))
                .or_else(|| r.report_url.as_ref().map(|u| u.as_str().to_owned()));
            if let Some(url) = report {
                m.insert("report_url".into(), Value::String(url));
            }
            m
        });
        Self {
            order_id: o.id.to_string(),
            status: o.status.as_str(),
            test_type: o.test_type.as_str(),
            patient_id: o.patient_id.to_string(),
            results,
            result_status: r.map(|r| r.status.as_str()),
            reported_at: r.map(|r| ts(r.reported_at)),
            performed_at: r.and_then(|r| r.performed_at).map(ts),
            notes: r.and_then(|r| r.notes.as_ref()).map(ToString::to_string),
            reviewed_at: o.review.map(|x| ts(x.at)),
            reviewed_by: o.review.map(|x| x.by.to_string()),
        }
    }
}

/// One test of `GET /api/labs/available_tests`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabTestDto {
    test_id: &'static str,
    name: &'static str,
    description: &'static str,
    turnaround_time_hours: u32,
}

impl From<TestInfo> for LabTestDto {
    fn from(t: TestInfo) -> Self {
        Self {
            test_id: t.test.as_str(),
            name: t.name,
            description: t.description,
            turnaround_time_hours: t.turnaround_time_hours,
        }
    }
}
