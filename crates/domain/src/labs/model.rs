//! Lab orders and their results (contract §3.8): the vocabularies, the values that cannot be built
//! invalid, and the records.

use crate::common::{
    AccountId, FieldError, LabIntegrationId, LabOrderId, Note, PatientId, Text, Timestamp, UserId,
    validate,
};
use std::collections::BTreeMap;

/// Declare a closed vocabulary: wire names (lowercase on output, case-insensitive on input).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }

            /// A wire name, trimmed and case-insensitive.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }

            /// The permitted names, for a 422 message.
            #[must_use]
            pub fn permitted() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What is ordered.
    TestType {
        /// BRCA1/BRCA2 sequencing.
        Brca = "brca",
        /// A multi-gene hereditary cancer panel.
        GeneticPanel = "genetic_panel",
        /// Mammogram.
        Mammogram = "mammogram",
        /// Breast ultrasound.
        Ultrasound = "ultrasound",
        /// Breast MRI.
        Mri = "mri",
        /// Biopsy.
        Biopsy = "biopsy",
        /// Blood panel.
        BloodPanel = "blood_panel",
    }
);

/// One entry of `GET /api/labs/available_tests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestInfo {
    /// The test type.
    pub test: TestType,
    /// Display name.
    pub name: &'static str,
    /// One sentence.
    pub description: &'static str,
    /// Usual time from specimen to result.
    pub turnaround_time_hours: u32,
}

impl TestType {
    /// The catalogue entry of this test.
    #[must_use]
    pub const fn info(self) -> TestInfo {
        let (name, description, turnaround_time_hours) = match self {
            Self::Brca => (
                "BRCA1/BRCA2 genetic test",
                "Sequencing and deletion/duplication analysis of BRCA1 and BRCA2.",
                336,
            ),
            Self::GeneticPanel => (
                "Hereditary cancer gene panel",
                "Multi-gene panel for hereditary breast, ovarian and related cancers.",
                504,
            ),
            Self::Mammogram => ("Mammogram", "Screening or diagnostic breast X-ray.", 72),
            Self::Ultrasound => ("Breast ultrasound", "Ultrasound imaging of the breast.", 72),
            Self::Mri => ("Breast MRI", "Contrast-enhanced MRI of the breast.", 120),
            Self::Biopsy => ("Biopsy", "Histopathology of a tissue sample.", 168),
            Self::BloodPanel => ("Blood panel", "Routine blood chemistry and counts.", 48),
        };
        TestInfo {
            test: self,
            name,
            description,
            turnaround_time_hours,
        }
    }
}

vocabulary!(
    /// Where an order is in its life (the table of contract §3.8 is [`super::rules`]).
    LabStatus {
        /// Ordered, waiting for a specimen.
        Ordered = "ordered",
        /// The specimen was collected.
        SpecimenCollected = "specimen_collected",
        /// The lab is working on it.
        InProcess = "in_process",
        /// A final result arrived.
        Completed = "completed",
        /// Cancelled by the care team.
        Cancelled = "cancelled",
        /// Refused by the lab.
        Rejected = "rejected",
    }
);

vocabulary!(
    /// How far a result is.
    ResultStatus {
        /// Partial; the order stays in process.
        Preliminary = "preliminary",
        /// Complete; completes the order.
        Final = "final",
        /// A correction after completion.
        Amended = "amended",
    }
);

/// A shipping address (contract §3.8 `shipping_address`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingAddress {
    /// 1..200.
    pub line1: Text<200>,
    /// ≤ 200.
    pub line2: Option<Text<200>>,
    /// 1..100.
    pub city: Text<100>,
    /// 1..50.
    pub state: Text<50>,
    /// 3..10 letters, digits, spaces, hyphens.
    pub zip_code: String,
}

/// The raw fields of a shipping address, as read at the edge.
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    /// `line1`.
    pub line1: Option<String>,
    /// `line2`.
    pub line2: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `zip_code`.
    pub zip_code: Option<String>,
}

impl ShippingAddress {
    /// Check every field; failures are pushed under `shipping_address`.
    pub fn parse(errors: &mut Vec<FieldError>, input: &AddressInput) -> Option<Self> {
        let mut own = Vec::new();
        let line1 = validate::text(&mut own, "line1", input.line1.as_deref(), true);
        let line2 = validate::text(&mut own, "line2", input.line2.as_deref(), false);
        let city = validate::text(&mut own, "city", input.city.as_deref(), true);
        let state = validate::text(&mut own, "state", input.state.as_deref(), true);
        let zip = input.zip_code.as_deref().map(str::trim).unwrap_or_default();
        let zip_ok = (3..=10).contains(&zip.chars().count())
            && zip
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if zip.is_empty() {
            own.push(FieldError::missing("zip_code"));
        } else if !zip_ok {
            own.push(FieldError::new(
                "zip_code",
                "must be 3 to 10 letters, digits, spaces or hyphens",
                "value_error.zip_code",
            ));
        }
        let failed = !own.is_empty();
        errors.extend(
            own.into_iter()
                .map(|e| e.under(&["shipping_address".into()])),
        );
        if failed {
            return None;
        }
        Some(Self {
            line1: line1?,
            line2,
            city: city?,
            state: state?,
            zip_code: zip.to_owned(),
        })
    }
}

/// An analyte or gene key of a result map: `^[a-z0-9_]{1,50}$` (input lower-cased and trimmed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnalyteKey(String);

/// The reserved key of a result map that carries the report's address.
pub const REPORT_URL: &str = "report_url";

impl AnalyteKey {
    /// Check a key; `None` when it is not one.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let k = raw.trim().to_ascii_lowercase();
        let ok = (1..=50).contains(&k.len())
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && k != REPORT_URL;
        ok.then_some(Self(k))
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An interpretation of one analyte: ≤ 500 characters of one-line text.
pub type Interpretation = Text<500>;

/// A result map: 1..=200 entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultMap(BTreeMap<AnalyteKey, Interpretation>);

/// The most analytes one result carries.
pub const MAX_ANALYTES: usize = 200;

impl ResultMap {
    /// Check raw entries (key, value as given; `None` for a value that is no string). Failures
    /// are pushed under `results`.
    pub fn parse(
        errors: &mut Vec<FieldError>,
        entries: &[(String, Option<String>)],
    ) -> Option<Self> {
        let field = |k: &str| FieldError::new(k, "", "").under(&["results".into()]).loc;
        let before = errors.len();
        if entries.is_empty() {
            errors.push(FieldError::new(
                "results",
                "must have at least one entry",
                "value_error.list.min_items",
            ));
            return None;
        }
        if entries.len() > MAX_ANALYTES {
            errors.push(FieldError::new(
                "results",
                format!("must have at most {MAX_ANALYTES} entries"),
                "value_error.list.max_items",
            ));
            return None;
        }
        let mut map = BTreeMap::new();
        for (raw_key, value) in entries {
            let Some(key) = AnalyteKey::parse(raw_key) else {
                errors.push(FieldError {
                    loc: field(raw_key),
                    msg: "keys must be 1 to 50 lowercase letters, digits or underscores (report_url is reserved)".into(),
                    kind: "value_error.key".into(),
                });
                continue;
            };
            let mut own = Vec::new();
            let v = value
                .as_deref()
                .and_then(|v| validate::text::<500, false>(&mut own, key.as_str(), Some(v), true));
            if value.is_none() {
                own.push(FieldError::new(
                    key.as_str(),
                    "must be a string",
                    "type_error.str",
                ));
            }
            errors.extend(own.into_iter().map(|e| e.under(&["results".into()])));
            if let Some(v) = v {
                map.insert(key, v);
            }
        }
        (errors.len() == before).then_some(Self(map))
    }

    /// The entries, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Rebuild from storage (keys and values were checked when written).
    #[must_use]
    pub fn from_trusted(entries: Vec<(String, String)>) -> Option<Self> {
        let mut map = BTreeMap::new();
        for (k, v) in entries {
            let key = AnalyteKey::parse(&k)?;
            let value = Interpretation::parse("value", &v).ok().flatten()?;
            map.insert(key, value);
        }
        Some(Self(map))
    }
}

/// A report address from a lab: an `https://` URL of at most 2000 characters without spaces or
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUrl(String);

impl ReportUrl {
    /// Check `raw` (trimmed); the error names `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let host = s.strip_prefix("https://").unwrap_or_default();
        let ok = s.len() <= 2000
            && !host.is_empty()
            && !host.starts_with('/')
            && s.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "must be an https URL of at most 2000 characters",
                "value_error.url",
            ))
        }
    }

    /// The URL.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored file attached as a report (the files capability's id).
pub type FileRef = uuid::Uuid;

/// The current results of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabResult {
    /// Analytes and their interpretations.
    pub results: ResultMap,
    /// How far.
    pub status: ResultStatus,
    /// A lab's report address.
    pub report_url: Option<ReportUrl>,
    /// An attached report file.
    pub report_file_id: Option<FileRef>,
    /// When the specimen was analysed, as the lab says.
    pub performed_at: Option<Timestamp>,
    /// The lab's notes (≤ 2000).
    pub notes: Option<Note<2000>>,
    /// When the result arrived.
    pub reported_at: Timestamp,
}

/// Who reviewed a final result, and when: from then on the patient sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: UserId,
}

/// A lab order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabOrder {
    /// Id.
    pub id: LabOrderId,
    /// The patient's account.
    pub account_id: AccountId,
    /// The patient.
    pub patient_id: PatientId,
    /// The ordering clinician or physician.
    pub provider_id: UserId,
    /// What.
    pub test_type: TestType,
    /// Status.
    pub status: LabStatus,
    /// Where the kit goes.
    pub shipping_address: ShippingAddress,
    /// The orderer's notes (≤ 2000).
    pub notes: Option<Note<2000>>,
    /// The lab's own reference, once it sends one.
    pub lab_reference: Option<Text<100>>,
    /// Why it was cancelled or rejected (≤ 500).
    pub reason: Option<Text<500>>,
    /// The current result, if any.
    pub result: Option<LabResult>,
    /// The review of the current final result.
    pub review: Option<Review>,
    /// Created (= ordered).
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// When a final result completed it.
    pub completed_at: Option<Timestamp>,
    /// 1 when created, +1 on every change (optimistic concurrency).
    pub version: i32,
}

/// An order with the names a response shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabOrderView {
    /// The order.
    pub order: LabOrder,
    /// "First Last" of the patient.
    pub patient_name: String,
    /// The provider's name.
    pub clinician_name: String,
}

/// `POST /api/labs/order_test`.
#[derive(Debug, Clone)]
pub struct NewLabOrder {
    /// The patient (its account is the order's).
    pub patient_id: PatientId,
    /// What.
    pub test_type: TestType,
    /// The ordering clinician; default the caller when it is one.
    pub provider_id: Option<UserId>,
    /// Where.
    pub shipping_address: ShippingAddress,
    /// Notes.
    pub notes: Option<Note<2000>>,
}

/// `PUT /api/labs/orders/{id}/status`, or a lab's status event.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The target status.
    pub status: LabStatus,
    /// Why (≤ 500).
    pub reason: Option<Text<500>>,
}

/// `POST /api/labs/results/{id}`, or a lab's results event.
#[derive(Debug, Clone)]
pub struct ResultIngest {
    /// Analytes.
    pub results: ResultMap,
    /// Default `final`.
    pub status: ResultStatus,
    /// A lab's report address.
    pub report_url: Option<ReportUrl>,
    /// An uploaded report (the caller's own file of the order's account).
    pub report_file_id: Option<FileRef>,
    /// When performed.
    pub performed_at: Option<Timestamp>,
    /// Notes.
    pub notes: Option<Note<2000>>,
}

/// Filters and page of the order lists (style A, newest first, id as tie-breaker).
#[derive(Debug, Clone, Default)]
pub struct LabOrderQuery {
    /// Status filter.
    pub status: Option<LabStatus>,
    /// Patient filter.
    pub patient_id: Option<PatientId>,
    /// Provider filter.
    pub provider_id: Option<UserId>,
    /// Test type filter.
    pub test_type: Option<TestType>,
    /// Rows to skip.
    pub skip: u32,
    /// Rows (1..=100).
    pub limit: u32,
}

/// A lab integration: who may call the webhook, for which accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabIntegration {
    /// Id (the `X-Lab-Id` header).
    pub id: LabIntegrationId,
    /// Display name.
    pub name: String,
    /// The accounts whose orders it may update.
    pub accounts: Vec<AccountId>,
    /// Inactive integrations are refused.
    pub active: bool,
    /// The signing secret, sealed (never returned by any route).
    pub sealed_secret: String,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// What a lab's webhook event asks.
#[derive(Debug, Clone)]
pub enum EventChange {
    /// A status change.
    Status(StatusChange),
    /// Results.
    Results(ResultIngest),
}

/// Which order a webhook event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRef {
    /// Ours.
    Id(LabOrderId),
    /// The lab's.
    Reference(String),
}

/// A lab's webhook event, read from its body.
#[derive(Debug, Clone)]
pub struct LabEvent {
    /// Unique per lab: a repeat changes nothing.
    pub event_id: Text<200>,
    /// The order.
    pub order: OrderRef,
    /// The lab's reference to remember (from `lab_reference` when the order is named by id).
    pub lab_reference: Option<Text<100>>,
    /// What changes.
    pub change: EventChange,
}
