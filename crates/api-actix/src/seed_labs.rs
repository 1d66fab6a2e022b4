//! `genascope seed-demo`, labs: orders in every state, results of each kind, a reviewed result
//! with its report file (a small PDF uploaded by the lab tech).

use super::operator;
use genascope_api::startup::Services;
use genascope_domain::common::{AccountId, UserId};
use genascope_domain::files::service::Upload;
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::Principal;
use genascope_domain::labs::model::{
    AddressInput, LabStatus, NewLabOrder, ResultIngest, ResultMap, ResultStatus, ShippingAddress,
    StatusChange, TestType,
};
use genascope_domain::patients::model::Patient;

/// A one-page PDF: the demo report.
const REPORT: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn staff(account: AccountId, user: UserId, role: Role) -> Principal {
    Principal {
        user_id: user,
        role,
        account_id: Some(account),
        ..operator()
    }
}

fn results(
    entries: &[(&str, &str)],
    status: ResultStatus,
    report: Option<uuid::Uuid>,
) -> anyhow::Result<ResultIngest> {
    let entries: Vec<(String, Option<String>)> = entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
        .collect();
    let results = ResultMap::parse(&mut Vec::new(), &entries)
        .ok_or_else(|| anyhow::anyhow!("demo results are invalid"))?;
    Ok(ResultIngest {
        results,
        status,
        report_url: None,
        report_file_id: report,
        performed_at: None,
        notes: None,
    })
}

/// Seven orders of the first patients: ordered, specimen collected, in process (preliminary),
/// completed and reviewed (with its report file), completed awaiting review, cancelled, rejected.
pub(crate) async fn seed_labs(
    services: &Services,
    account: AccountId,
    clinician: UserId,
    lab_tech: UserId,
    patients: &[Patient],
) -> anyhow::Result<usize> {
    let labs = &services.state.labs;
    let doctor = staff(account, clinician, Role::Clinician);
    let tech = staff(account, lab_tech, Role::LabTech);
    let address = ShippingAddress::parse(
        &mut Vec::new(),
        &AddressInput {
            line1: Some("12 Harbor Road".into()),
            line2: None,
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            zip_code: Some("62701".into()),
        },
    )
    .ok_or_else(|| anyhow::anyhow!("the demo address is invalid"))?;
    let plan = [
        (TestType::Brca, "ordered"),
        (TestType::GeneticPanel, "collected"),
        (TestType::Brca, "preliminary"),
        (TestType::Brca, "reviewed"),
        (TestType::Mammogram, "final"),
        (TestType::Mri, "cancelled"),
        (TestType::BloodPanel, "rejected"),
    ];
    let status = |s| StatusChange {
        status: s,
        reason: None,
    };
    let err = |e: genascope_domain::labs::error::LabError| anyhow::anyhow!("demo lab order: {e}");
    for (i, (test, state)) in plan.iter().enumerate() {
        let patient = &patients[i % patients.len().max(1)];
        let order = labs
            .order(
                &doctor,
                NewLabOrder {
                    patient_id: patient.id,
                    test_type: *test,
                    provider_id: Some(clinician),
                    shipping_address: address.clone(),
                    notes: None,
                },
            )
            .await
            .map_err(err)?;
        let id = order.order.id;
        if *state == "ordered" {
            continue;
        }
        if *state == "cancelled" {
            labs.set_status(&doctor, id, status(LabStatus::Cancelled))
                .await
                .map_err(err)?;
            continue;
        }
        labs.set_status(&tech, id, status(LabStatus::SpecimenCollected))
            .await
            .map_err(err)?;
        match *state {
            "rejected" => {
                labs.set_status(&tech, id, status(LabStatus::Rejected))
                    .await
                    .map_err(err)?;
            }
            "preliminary" => {
                let r = results(&[("brca1", "negative")], ResultStatus::Preliminary, None)?;
                labs.ingest(&tech, id, r).await.map_err(err)?;
            }
            "final" => {
                let r = results(
                    &[("birads", "2 - benign finding")],
                    ResultStatus::Final,
                    None,
                )?;
                labs.ingest(&tech, id, r).await.map_err(err)?;
            }
            "reviewed" => {
                let file = upload_report(services, &tech).await?;
                let r = results(
                    &[
                        ("brca1", "negative"),
                        ("brca2", "variant of uncertain significance"),
                    ],
                    ResultStatus::Final,
                    Some(file),
                )?;
                labs.ingest(&tech, id, r).await.map_err(err)?;
                labs.review(&doctor, id).await.map_err(err)?;
            }
            _ => {}
        }
    }
    Ok(plan.len())
}

async fn upload_report(services: &Services, tech: &Principal) -> anyhow::Result<uuid::Uuid> {
    let body = futures_util::stream::once(async { Ok(bytes::Bytes::from_static(REPORT)) });
    let file = services
        .state
        .files
        .upload(
            tech,
            Upload {
                filename: "brca-report.pdf".into(),
                declared_len: Some(REPORT.len() as u64),
                body: Box::pin(body),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo lab report: {e}"))?;
    Ok(file.id.0)
}
