//! Authentication (contract §1.6, §3.1).
//!
//! By topic: [`login`], [`tokens`] (access and refresh tokens, sessions), [`passwords`] (change,
//! reset, policy), [`throttle`] (failed-login and reset-request limits). The tests are
//! re-exported here, so `main.rs` names them `auth::<test>`. Here: the assertions they share.

use crate::helpers::{JWT_SECRET, PW, SA_EMAIL, TestApp, b64url, spawn_app_with};

use serde_json::{Value, json};

mod login;
mod passwords;
mod throttle;
mod tokens;

pub use login::*;
pub use passwords::*;
pub use throttle::*;
pub use tokens::*;

const BAD_CREDENTIALS: &str = "Incorrect username or password";

const INVALID: &str = "Could not validate credentials";

#[track_caller]
fn assert_token_body(b: &Value) {
    assert_token_body_any_expiry(b);
    assert_eq!(b["expires_in"], 3600);
}

/// The token body, `expires_in` aside (see `change_password_answers_expires_in_3600`).
#[track_caller]
fn assert_token_body_any_expiry(b: &Value) {
    let access = b["access_token"].as_str().expect("access_token");
    assert_eq!(access.split('.').count(), 3, "a three-part JWT");
    assert_eq!(b["token_type"], "bearer");
    assert!(b["expires_in"].is_i64());
    assert!(b["refresh_token"].as_str().is_some_and(|t| t.len() >= 32));
    assert!(b["user_id"].is_string() && b["role"].is_string());
    assert!(b.get("account_id").is_some());
}

/// The JWT payload, decoded without verification (as the frontend does).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let mut bits = Vec::new();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut acc, mut n) = (0u32, 0);
    for c in payload.chars() {
        acc = (acc << 6) | alphabet.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            bits.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
    }
    serde_json::from_slice(&bits).unwrap()
}
