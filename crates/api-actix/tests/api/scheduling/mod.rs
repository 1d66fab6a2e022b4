//! Scheduling (contract §3.9): availability, booking rules and their order, transitions and
//! moves, tenancy, lists, bad input, time zones, emails and the feed, and concurrent bookings.
//! Dates are in 2030 (the future) unless a test wants the past.

mod availability;
mod booking;
mod concurrency;
mod feed;
mod input;
mod invite;

pub use availability::*;
pub use booking::*;
pub use concurrency::*;
pub use feed::*;
pub use input::*;
pub use invite::*;

use crate::helpers::{Resp, Side, TestApp};
use serde_json::{Value, json};

/// A Monday.
pub const MONDAY: &str = "2030-01-07";
/// The Tuesday after.
pub const TUESDAY: &str = "2030-01-08";

impl TestApp {
    /// Give `side`'s clinician 09:00, 09:30, 10:00 on `date` (explicit).
    pub async fn open_day(&self, side: &Side, date: &str) {
        let r = self
            .post(
                &format!("/api/availability/set?clinician_id={}", side.clinician_id),
                Some(&side.clinician),
                &json!({"clinician_id": side.clinician_id, "date": date,
                        "time_slots": ["09:00", "09:30", "10:00"]}),
            )
            .await;
        r.expect(200);
    }

    /// Book for `side`'s patient with its clinician.
    pub async fn book(&self, token: &str, side: &Side, date: &str, time: &str) -> Resp {
        self.post(
            "/api/book_appointment",
            Some(token),
            &json!({"clinician_id": side.clinician_id, "patient_id": side.patient_id,
                    "date": date, "time": time, "appointment_type": "in_person"}),
        )
        .await
    }
}

/// The `time` values of an availability answer, with their `available` flags.
pub fn slots(body: &Value) -> Vec<(String, bool)> {
    body["time_slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["time"].as_str().unwrap().to_owned(),
                s["available"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The statuses of an appointments array.
pub fn statuses(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["status"].as_str().unwrap().to_owned())
        .collect()
}
