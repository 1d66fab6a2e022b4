//! Typed UUID identifiers. A path id that does not parse is "not found" (contract §1.3), so parsing
//! returns `Option` and callers treat `None` as a record that does not exist.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Parse a lowercase or uppercase hyphenated UUID; anything else is `None`.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::try_parse(s.trim()).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

uuid_id!(
    /// A clinic (tenant).
    AccountId
);
uuid_id!(
    /// A staff member, a `user`, or a patient's login (which shares its patient's id).
    UserId
);
uuid_id!(
    /// A patient record.
    PatientId
);
uuid_id!(
    /// An invitation of a patient to the screening questionnaire.
    InviteId
);
uuid_id!(
    /// A chat (questionnaire) strategy of an account.
    ChatStrategyId
);
uuid_id!(
    /// A knowledge source of an account's chat configuration (a document or a link).
    KnowledgeSourceId
);
uuid_id!(
    /// A lab order of a patient.
    LabOrderId
);
uuid_id!(
    /// An external lab's integration (its webhook identity and secret).
    LabIntegrationId
);
uuid_id!(
    /// An appointment (scheduling).
    AppointmentId
);
uuid_id!(
    /// A clinician's recurring availability pattern (scheduling).
    PatternId
);

impl From<PatientId> for UserId {
    fn from(p: PatientId) -> Self {
        Self(p.0)
    }
}

impl From<UserId> for PatientId {
    fn from(u: UserId) -> Self {
        Self(u.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_junk_and_accepts_uuids() {
        assert!(AccountId::parse("null").is_none());
        assert!(AccountId::parse("undefined").is_none());
        assert!(AccountId::parse("").is_none());
        let id = AccountId::parse("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        assert_eq!(id.to_string(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
    }
}
