//! The conversion of identity request bodies into commands: every bad field at once, located in
//! the body, before any use case runs.

use super::accounts::account_patch;
use super::users::user_patch;
use super::*;
use actix_web::ResponseError;
use actix_web::body::MessageBody;

fn body(v: serde_json::Value) -> Body {
    match v {
        serde_json::Value::Object(m) => Body(m),
        _ => Body::default(),
    }
}

/// The `loc`s of a 422, as dotted strings.
fn locs(e: &ApiError) -> Vec<String> {
    assert_eq!(e.status_code().as_u16(), 422, "{e:?}");
    let bytes = e
        .error_response()
        .into_body()
        .try_into_bytes()
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    v["detail"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    i["loc"]
                        .as_array()
                        .map(|l| {
                            l.iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_account_creation_names_every_missing_field_at_once() {
    let e = create_account_command(&body(json!({}))).expect_err("empty");
    assert_eq!(
        locs(&e),
        vec![
            "body.name",
            "body.admin_email",
            "body.admin_name",
            "body.admin_password"
        ]
    );
}

#[test]
fn an_account_creation_checks_domain_email_policy_and_confirmation_together() {
    let e = create_account_command(&body(json!({
        "name": "North Clinic",
        "domain": "not a host",
        "admin_email": "boss@north",
        "admin_name": "Mary Ann Smith",
        "admin_password": "short",
        "admin_confirm_password": "shorter",
    })))
    .expect_err("four bad fields");
    assert_eq!(
        locs(&e),
        vec![
            "body.domain",
            "body.admin_email",
            "body.admin_password",
            "body.admin_confirm_password"
        ]
    );
    // A password equal to the admin's email breaks the policy too.
    let e = create_account_command(&body(json!({
        "name": "North", "admin_email": "boss@north.org", "admin_name": "B",
        "admin_password": "Boss@North.org",
    })))
    .expect_err("the email as password");
    assert_eq!(locs(&e), vec!["body.admin_password"]);
}

#[test]
fn an_account_creation_reads_into_typed_values() {
    let req = create_account_command(&body(json!({
        "name": "  North Clinic ",
        "domain": "North.Clinic.ORG",
        "admin_email": "Boss@North.org",
        "admin_name": "Mary Ann Smith",
        "admin_password": "a good password",
        "admin_confirm_password": "a good password",
    })))
    .expect("valid");
    assert_eq!(req.name.as_str(), "North Clinic");
    assert_eq!(
        req.domain.as_ref().map(HostName::as_str),
        Some("north.clinic.org")
    );
    assert_eq!(req.admin_email.as_str(), "boss@north.org");
    assert_eq!(
        (req.admin_name.first.as_str(), req.admin_name.last.as_str()),
        ("Mary Ann", "Smith")
    );
}

#[test]
fn an_account_update_cannot_clear_name_or_status() {
    let e = account_patch(&body(
        json!({"name": "", "domain": "bad host", "status": null}),
    ))
    .expect_err("three bad fields");
    assert_eq!(locs(&e), vec!["body.name", "body.domain", "body.status"]);
    let e = account_patch(&body(json!({"status": "closed"}))).expect_err("unknown status");
    assert_eq!(locs(&e), vec!["body.status"]);
    let p = account_patch(&body(json!({"status": "INACTIVE", "domain": ""}))).expect("valid");
    assert_eq!(p.status, Some(AccountStatus::Inactive));
    assert_eq!(p.domain, Patch::Clear);
    assert!(p.name.is_none());
}

#[test]
fn a_user_creation_names_every_field_at_once() {
    let e = create_user_command(&body(json!({"phone": "abc", "password": "short"})))
        .expect_err("five bad fields");
    assert_eq!(
        locs(&e),
        vec![
            "body.email",
            "body.name",
            "body.role",
            "body.password",
            "body.phone"
        ]
    );
    let e = create_user_command(&body(json!({
        "email": "x@users.test", "name": "X Y", "role": "wizard", "password": "a good password",
        "confirm_password": "another one",
    })))
    .expect_err("unknown role, mismatch");
    assert_eq!(locs(&e), vec!["body.role", "body.confirm_password"]);
}

#[test]
fn a_user_creation_reads_into_typed_values() {
    let req = create_user_command(&body(json!({
        "email": "New.Person@Clinic.org", "first_name": "New", "last_name": "Person",
        "role": "Lab_Tech", "is_active": "false", "phone": "+1 555 0100",
    })))
    .expect("valid");
    assert_eq!(req.email.as_str(), "new.person@clinic.org");
    assert_eq!(req.name.full, "New Person");
    assert_eq!(req.role, Role::LabTech);
    assert!(!req.is_active);
    assert!(req.password.is_none(), "no password: a set-password link");
    assert_eq!(req.phone.as_ref().map(|p| p.as_str()), Some("+1 555 0100"));
    // A malformed id cannot exist: 404, before anything else is read.
    let e = create_user_command(&body(json!({"account_id": "nope", "email": "bad"})))
        .expect_err("no such account");
    assert_eq!(e.status_code().as_u16(), 404);
}

#[test]
fn a_user_update_cannot_clear_required_fields() {
    let e = user_patch(&body(json!({
        "first_name": "", "email": null, "phone": "12", "role": "", "is_active": null,
    })))
    .expect_err("five bad fields");
    assert_eq!(
        locs(&e),
        vec![
            "body.name",
            "body.email",
            "body.phone",
            "body.role",
            "body.is_active"
        ]
    );
    let e = user_patch(&body(json!({"last_name": "x".repeat(256), "role": "root"})))
        .expect_err("too long, unknown role");
    assert_eq!(locs(&e), vec!["body.last_name", "body.role"]);
    let p = user_patch(&body(json!({
        "name": "Janet Q Public", "phone": "", "role": "ADMIN", "is_active": "1",
        "clinician_id": null, "current_password": "secret pw",
    })))
    .expect("valid");
    assert!(p.names.is_some());
    assert_eq!(p.phone, Patch::Clear);
    assert_eq!(p.role, Some(Role::Admin));
    assert_eq!(p.is_active, Some(true));
    assert_eq!(p.clinician_id, Patch::Clear);
    assert!(p.email.is_none());
    assert!(p.current_password.is_some());
}

#[test]
fn the_console_names_bad_super_admin_fields_without_a_location() {
    let errors = super_admin_command("nope", " ", "short").expect_err("three bad fields");
    assert_eq!(
        genascope_domain::common::joined(&errors),
        "email: value is not a valid email address; name: field required; password: password must be at least 8 characters"
    );
    assert!(super_admin_command("root@platform.test", "Root Operator", "a good password").is_ok());
}
