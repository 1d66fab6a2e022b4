//! Accounts, users, roles and the value objects that cannot be built invalid.

use crate::common::{AccountId, ClinicZone, FieldError, PatientId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role (contract §2.1). Canonical lowercase on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Platform operator; no account; global scope.
    SuperAdmin,
    /// Clinic administrator.
    Admin,
    /// Care provider.
    Clinician,
    /// Same rights as clinician everywhere.
    Physician,
    /// Laboratory staff.
    LabTech,
    /// A patient's own login (or a simplified-access token).
    Patient,
    /// Member without clinical rights.
    User,
}

impl Role {
    /// Every role, for table-driven tests and listings.
    pub const ALL: [Role; 7] = [
        Role::SuperAdmin,
        Role::Admin,
        Role::Clinician,
        Role::Physician,
        Role::LabTech,
        Role::Patient,
        Role::User,
    ];

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super_admin",
            Role::Admin => "admin",
            Role::Clinician => "clinician",
            Role::Physician => "physician",
            Role::LabTech => "lab_tech",
            Role::Patient => "patient",
            Role::User => "user",
        }
    }

    /// Parse case-insensitively (contract §1.2: enums are case-insensitive on input).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    /// Admin, clinician or physician.
    #[must_use]
    pub const fn is_care_team(self) -> bool {
        matches!(self, Role::Admin | Role::Clinician | Role::Physician)
    }

    /// Clinician or physician: may be named as a patient's clinician.
    #[must_use]
    pub const fn is_provider(self) -> bool {
        matches!(self, Role::Clinician | Role::Physician)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trimmed, lower-cased, syntactically valid email of at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validate and normalise. The error names nothing but the rule; callers attach the field.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("value is not a valid email address");
        }
        if s.len() > 254 {
            return Err("email must be at most 254 characters");
        }
        let (local, domain) = s
            .split_once('@')
            .ok_or("value is not a valid email address")?;
        let valid_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let valid_domain = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if valid_local && valid_domain {
            Ok(Self(s))
        } else {
            Err("value is not a valid email address")
        }
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wrap a value already stored normalised (from the database).
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A required email field, normalised; failures are collected (blank is `missing`).
pub fn email_field(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>) -> Option<Email> {
    let raw: crate::common::Text<{ usize::MAX }> =
        crate::common::validate::text(errors, field, v, true)?;
    Email::parse(raw.as_str())
        .map_err(|msg| errors.push(FieldError::new(field, msg, "value_error.email")))
        .ok()
}

/// Check a new password against the policy (contract §1.6): 8..128 characters, not only
/// whitespace, not equal to the email.
pub fn check_password_policy(
    field: &str,
    password: &str,
    email: Option<&Email>,
) -> Result<(), FieldError> {
    let n = password.chars().count();
    let kind = "value_error.password";
    if n < 8 {
        return Err(FieldError::new(
            field,
            "password must be at least 8 characters",
            kind,
        ));
    }
    if n > 128 {
        return Err(FieldError::new(
            field,
            "password must be at most 128 characters",
            kind,
        ));
    }
    if password.trim().is_empty() {
        return Err(FieldError::new(
            field,
            "password must not be only whitespace",
            kind,
        ));
    }
    if email.is_some_and(|e| password.trim().eq_ignore_ascii_case(e.as_str())) {
        return Err(FieldError::new(
            field,
            "password must not be the email address",
            kind,
        ));
    }
    Ok(())
}

/// A plaintext password that satisfied the policy. Its `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Wrap without checking (login attempts compare whatever was typed).
    #[must_use]
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// The secret.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A new password that satisfied the policy ([`check_password_policy`]) and its confirmation.
/// Its `Debug` never prints it.
#[derive(Clone)]
pub struct NewPassword(Password);

impl NewPassword {
    /// Check `password` (at `field`) against the policy and `confirm` (at `confirm_field`, if
    /// given) against it; every failure is collected.
    pub fn check(
        errors: &mut Vec<FieldError>,
        (field, confirm_field): (&str, &str),
        password: &str,
        confirm: Option<&str>,
        email: Option<&Email>,
    ) -> Option<Self> {
        let before = errors.len();
        if let Err(e) = check_password_policy(field, password, email) {
            errors.push(e);
        }
        if confirm.is_some_and(|c| c != password) {
            errors.push(FieldError::new(
                confirm_field,
                "passwords do not match",
                "value_error.password_mismatch",
            ));
        }
        (errors.len() == before).then(|| Self(Password::new(password.to_owned())))
    }

    /// The password.
    #[must_use]
    pub fn password(&self) -> &Password {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Account lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Users and patients may log in.
    Active,
    /// Nobody of the account may log in or use tokens.
    Inactive,
}

impl AccountStatus {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    /// Parse case-insensitively.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// A clinic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// 1..255 characters.
    pub name: String,
    /// Lowercase host name, unique among live accounts.
    pub domain: Option<String>,
    /// Lifecycle.
    pub status: AccountStatus,
    /// The clinic's IANA time zone (`UTC` until set): where its wall clock becomes instants.
    pub time_zone: ClinicZone,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// An account's domain: a lowercase host name with at least two labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostName(String);

impl HostName {
    /// Normalise and check; blank is `Ok(None)`. The error names nothing but the rule.
    pub fn parse(raw: &str) -> Result<Option<Self>, &'static str> {
        parse_domain(raw).map(|d| d.map(Self))
    }

    /// Check `raw` (at `field`); failures are collected.
    pub fn field(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<Self> {
        Self::parse(raw)
            .map_err(|m| errors.push(FieldError::new(field, m, "value_error.domain")))
            .ok()
            .flatten()
    }
}

crate::common::string_value!([] HostName, "host name");

/// Validate an account domain: a lowercase host name.
fn parse_domain(raw: &str) -> Result<Option<String>, &'static str> {
    let d = raw.trim().trim_end_matches('.').to_lowercase();
    if d.is_empty() {
        return Ok(None);
    }
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(Some(d))
    } else {
        Err("domain must be a host name such as clinic.example.org")
    }
}

/// A user (staff, `user`, or a patient's login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id (for patient logins: the patient's id).
    pub id: UserId,
    /// None only for super_admins.
    pub account_id: Option<AccountId>,
    /// Unique across live users.
    pub email: Email,
    /// Full name, never empty.
    pub name: String,
    /// Given name(s).
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Role.
    pub role: Role,
    /// Inactive users cannot log in.
    pub is_active: bool,
    /// For patient-role users: their clinician.
    pub clinician_id: Option<UserId>,
    /// Phone.
    pub phone: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

impl User {
    /// For patient-role users, the patient record id (same as the user id).
    #[must_use]
    pub fn patient_id(&self) -> Option<PatientId> {
        (self.role == Role::Patient).then_some(PatientId(self.id.0))
    }

    /// Whether this user may be named as the clinician of a patient of `account`: an active
    /// clinician or physician of that account.
    pub fn clinician_of(&self, account: AccountId) -> Result<(), NotClinician> {
        if self.account_id != Some(account) {
            return Err(NotClinician::Elsewhere);
        }
        if !self.role.is_provider() || !self.is_active {
            return Err(NotClinician::Ineligible(FieldError::new(
                "clinician_id",
                "must be an active clinician or physician",
                "value_error.role",
            )));
        }
        Ok(())
    }
}

/// Why a user may not be named as a patient's clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotClinician {
    /// The user is of another account: for this one it does not exist.
    Elsewhere,
    /// The user is no active clinician or physician (the error of the `clinician_id` field).
    Ineligible(FieldError),
}

/// The stored credential of a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// PHC string of the argon2id hash; None until the user sets a password.
    pub password_hash: Option<String>,
    /// Tokens issued before this instant are invalid.
    pub password_changed_at: Option<Timestamp>,
}

/// A person's full, given and family names, resolved from what was sent (see [`resolve_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Full name, never empty.
    pub full: String,
    /// Given name(s) (empty for a one-word name).
    pub first: String,
    /// Family name.
    pub last: String,
}

impl PersonName {
    /// Resolve `name`, `first`, `last` (blank = absent); failures are collected.
    pub fn field(
        errors: &mut Vec<FieldError>,
        name: Option<&str>,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Option<Self> {
        resolve_names(name, first, last)
            .map(|(full, first, last)| Self { full, first, last })
            .map_err(|e| errors.push(e))
            .ok()
    }
}

/// New name parts for an existing user: each sent part is checked; how they combine with the
/// user's current names is [`NameChange::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameChange {
    name: Option<String>,
    first: Option<String>,
    last: Option<String>,
}

impl NameChange {
    /// The parts sent (None = not sent); at least one. The first part too long or with
    /// forbidden characters is the error.
    pub fn parse(
        name: Option<&str>,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Result<Option<Self>, FieldError> {
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (name, first, last) = (clean(name), clean(first), clean(last));
        if name.is_none() && first.is_none() && last.is_none() {
            return Ok(None);
        }
        check_name_parts([
            ("name", name.as_deref()),
            ("first_name", first.as_deref()),
            ("last_name", last.as_deref()),
        ])?;
        Ok(Some(Self { name, first, last }))
    }

    /// The names after the change: a new full name alone is split again; new first/last alone
    /// rebuild the full name with the current other part (which a one-word name lacks: then
    /// that part is missing).
    pub fn apply(&self, current_first: &str, current_last: &str) -> Result<PersonName, FieldError> {
        let (full, first, last) = match (&self.name, &self.first, &self.last) {
            (Some(n), None, None) => resolve_names(Some(n), None, None),
            (n, f, l) => resolve_names(
                n.as_deref(),
                Some(f.as_deref().unwrap_or(current_first)),
                Some(l.as_deref().unwrap_or(current_last)),
            ),
        }?;
        Ok(PersonName { full, first, last })
    }
}

/// The first of `parts` (field, trimmed value) longer than 255 characters or holding forbidden
/// characters.
fn check_name_parts(parts: [(&str, Option<&str>); 3]) -> Result<(), FieldError> {
    for (field, v) in parts {
        if v.is_some_and(|s| s.chars().count() > 255) {
            return Err(FieldError::new(
                field,
                "must be at most 255 characters",
                "value_error.any_str.max_length",
            ));
        }
        let mut errors = Vec::new();
        if let Some(s) = v
            && !crate::common::validate::clean_chars(&mut errors, field, s, false)
        {
            return Err(errors.remove(0));
        }
    }
    Ok(())
}

/// Split or join names (contract §3.2): given only `name`, `last_name` is its last word and
/// `first_name` the rest; given only first/last, `name` is `"{first} {last}"`.
pub fn resolve_names(
    name: Option<&str>,
    first: Option<&str>,
    last: Option<&str>,
) -> Result<(String, String, String), FieldError> {
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (name, first, last) = (clean(name), clean(first), clean(last));
    check_name_parts([
        ("name", name.as_deref()),
        ("first_name", first.as_deref()),
        ("last_name", last.as_deref()),
    ])?;
    match (name, first, last) {
        (Some(n), Some(f), Some(l)) => Ok((n, f, l)),
        (None, Some(f), Some(l)) => Ok((format!("{f} {l}"), f, l)),
        (Some(n), f, l) => {
            let mut words: Vec<&str> = n.split_whitespace().collect();
            let derived_last = words.pop().unwrap_or_default().to_owned();
            let derived_first = words.join(" ");
            Ok((
                n.clone(),
                f.unwrap_or(derived_first),
                l.unwrap_or(derived_last),
            ))
        }
        (None, Some(_), None) => Err(FieldError::missing("last_name")),
        (None, None, Some(_)) => Err(FieldError::missing("first_name")),
        (None, None, None) => Err(FieldError::missing("name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_validated() {
        assert_eq!(
            Email::parse("  Jane.Doe@Clinic.ORG ").unwrap().as_str(),
            "jane.doe@clinic.org"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.org",
            "a@.org",
            "a b@c.org",
            "a@b..org",
            "a@-b.org",
            "a@b.o",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn password_policy() {
        let e = Email::parse("x@example.org").unwrap();
        assert!(check_password_policy("password", "short", None).is_err());
        assert!(check_password_policy("password", "        ", None).is_err());
        assert!(check_password_policy("password", &"x".repeat(129), None).is_err());
        assert!(check_password_policy("password", "X@example.org", Some(&e)).is_err());
        assert!(check_password_policy("password", "correct horse", Some(&e)).is_ok());
    }

    #[test]
    fn names_are_split_and_joined() {
        assert_eq!(
            resolve_names(Some("Mary Ann Smith"), None, None).unwrap(),
            ("Mary Ann Smith".into(), "Mary Ann".into(), "Smith".into())
        );
        assert_eq!(
            resolve_names(None, Some("Ada"), Some("Lovelace"))
                .unwrap()
                .0,
            "Ada Lovelace"
        );
        assert_eq!(
            resolve_names(Some("Cher"), None, None).unwrap(),
            ("Cher".into(), String::new(), "Cher".into())
        );
        assert!(resolve_names(None, Some("Ada"), None).is_err());
        assert!(resolve_names(Some("  "), None, None).is_err());
    }

    #[test]
    fn roles_parse_case_insensitively() {
        assert_eq!(Role::parse("Lab_Tech"), Some(Role::LabTech));
        assert_eq!(Role::parse("root"), None);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn domains() {
        assert_eq!(
            parse_domain("Clinic.Example.org").unwrap().as_deref(),
            Some("clinic.example.org")
        );
        assert_eq!(parse_domain("").unwrap(), None);
        assert!(parse_domain("not a host").is_err());
        assert!(parse_domain("localhost").is_err());
    }
}
