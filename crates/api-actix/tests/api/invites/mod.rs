//! Invites (contract §3.4) over HTTP: who may do what where, the lifecycle rules, the patient's
//! public routes (verify, simplified access, registration), the lock, lists, bulk, the
//! invitation email and bad input. One module folder; every test runs on both backends.

mod access;
mod bulk;
mod input;
mod lifecycle;
mod listing;
mod mail;
mod register;
mod roles;

pub use access::*;
pub use bulk::*;
pub use input::*;
pub use lifecycle::*;
pub use listing::*;
pub use mail::*;
pub use register::*;
pub use roles::*;

use crate::helpers::{Resp, TestApp};
use serde_json::{Value, json};

/// The date of birth the fixtures' patients give.
pub const DOB: &str = "1980-02-29";

/// `POST /api/generate_invite` for a patient, expecting 200; the invite.
pub async fn invite(app: &TestApp, token: &str, patient_id: &str) -> Value {
    let r = app
        .post(
            "/api/generate_invite",
            Some(token),
            &json!({"patient_id": patient_id}),
        )
        .await;
    r.expect(200).clone()
}

/// The token of an invite URL (its last path segment).
pub fn token_of(invite: &Value) -> String {
    let url = invite["invite_url"].as_str().expect("an invite_url");
    url.rsplit('/').next().unwrap().to_owned()
}

/// `POST /api/simplified_access` with the terms agreed.
pub async fn access(app: &TestApp, token: &str, first: &str, last: &str, dob: &str) -> Resp {
    app.post(
        "/api/simplified_access",
        None,
        &json!({"invite_token": token, "first_name": first, "last_name": last,
                "date_of_birth": dob, "agree_to_terms": true, "agree_to_privacy": true}),
    )
    .await
}

/// The same, from the client address `ip` (the test app trusts the loopback proxy).
pub async fn access_from(
    app: &TestApp,
    ip: &str,
    token: &str,
    first: &str,
    last: &str,
    dob: &str,
) -> Resp {
    app.send(
        app.client
            .post(app.url("/api/simplified_access"))
            .header("X-Forwarded-For", ip)
            .json(
                &json!({"invite_token": token, "first_name": first, "last_name": last,
                    "date_of_birth": dob, "agree_to_terms": true, "agree_to_privacy": true}),
            ),
    )
    .await
}

/// `POST /api/verify_invite`.
pub async fn verify(app: &TestApp, token: &str) -> Resp {
    app.post("/api/verify_invite", None, &json!({"token": token}))
        .await
}

/// The invite token of the latest email to `to` (from its link).
pub async fn mailed_token(app: &TestApp, to: &str) -> String {
    let mails = app.emails_to(to).await;
    let mail = mails.last().unwrap_or_else(|| panic!("no email to {to}"));
    let text = mail["text"].as_str().unwrap_or_default();
    let start = text.find("/invite/").expect("an invite link in the email") + "/invite/".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[derive(diesel::QueryableByName)]
struct Changed {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Run a write on the app's database (`RETURNING 1 AS n`); the rows it touched.
pub async fn sql(app: &TestApp, statement: &str) -> i64 {
    app.query::<Changed>(&format!("{statement} RETURNING CAST(1 AS BIGINT) AS n"))
        .await
        .iter()
        .map(|c| c.n)
        .sum()
}

/// An invite's stored failed identity checks.
pub async fn failed_attempts(app: &TestApp, invite_id: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        failed_attempts: i32,
    }
    let rows = app
        .query::<Row>(&format!(
            "SELECT failed_attempts FROM invites WHERE id = '{invite_id}'"
        ))
        .await;
    i64::from(rows[0].failed_attempts)
}

/// Push an invite's expiry into the past (as if days went by).
pub async fn expire(app: &TestApp, invite_id: &str) {
    let n = sql(
        app,
        &format!("UPDATE invites SET expires_at = '2001-01-01 00:00:00' WHERE id = '{invite_id}'"),
    )
    .await;
    assert_eq!(n, 1);
}

/// A chat strategy of `account` (the chat capability's table), created `minute` minutes into
/// 2026; its id.
pub async fn strategy(
    app: &TestApp,
    account: &str,
    name: &str,
    active: bool,
    minute: u8,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let stamp = format!("2026-01-01 00:{minute:02}:00");
    let n = sql(
        app,
        &format!(
            "INSERT INTO chat_strategies (id, account_id, name, name_key, is_active, created_at, updated_at) \
             VALUES ('{id}', '{account}', '{name}', '{}', {}, '{stamp}', '{stamp}')",
            name.to_lowercase(),
            if active { "TRUE" } else { "FALSE" }
        ),
    )
    .await;
    assert_eq!(n, 1);
    id
}

/// The claims of a JWT, unverified (as the frontend reads them).
pub fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("a three-part JWT");
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in part.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url"),
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).unwrap());
        }
    }
    serde_json::from_slice(&out).expect("JSON claims")
}
