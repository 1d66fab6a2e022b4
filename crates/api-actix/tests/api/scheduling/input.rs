use super::MONDAY;
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// The issue's list of bad input: each answers 422 naming its field, never a 500.
pub async fn bad_input_is_422_naming_the_field(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let set = |body: Value| async move {
        app.post("/api/availability/set", Some(&a.clinician), &body)
            .await
    };
    let at = |loc: &[&str], r: crate::helpers::Resp| r.expect_422_at(loc);
    at(
        &["body", "time_slots", "0"],
        set(json!({"date": MONDAY, "time_slots": ["25:00"]})).await,
    );
    at(
        &["body", "time_slots"],
        set(json!({"date": MONDAY, "time_slots": ["09:00", "09:20"]})).await,
    );
    // 49 distinct times (every 29 minutes): too many, whatever their gaps.
    let many: Vec<String> = (0..49)
        .map(|i| format!("{:02}:{:02}", i * 29 / 60, i * 29 % 60))
        .collect();
    let r = set(json!({"date": MONDAY, "time_slots": many})).await;
    assert!(r.text.contains("at most 48"), "{}", r.text);
    at(&["body", "time_slots"], r);
    at(&["body", "time_slots"], set(json!({"date": MONDAY})).await);
    at(
        &["body", "time_slots"],
        set(json!({"date": MONDAY, "time_slots": "09:00"})).await,
    );
    at(
        &["body", "date"],
        set(json!({"date": "2030-02-30", "time_slots": []})).await,
    );
    at(&["body", "date"], set(json!({"time_slots": []})).await);
    let recurring = |extra: Value| {
        let mut body = json!({"date": MONDAY, "time_slots": ["09:00"], "recurring": true,
            "recurring_days": [0], "recurring_until": "2030-02-01"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    at(
        &["body", "recurring_days"],
        set(recurring(json!({"recurring_days": []}))).await,
    );
    at(
        &["body", "recurring_days"],
        set(recurring(json!({"recurring_days": null}))).await,
    );
    at(
        &["body", "recurring_days"],
        set(recurring(json!({"recurring_days": [7]}))).await,
    );
    at(
        &["body", "recurring_until"],
        set(recurring(json!({"recurring_until": "2031-01-08"}))).await,
    );
    at(
        &["body", "recurring_until"],
        set(recurring(json!({"recurring_until": "2030-01-06"}))).await,
    );
    at(
        &["body", "recurring_until"],
        set(recurring(json!({"recurring_until": null}))).await,
    );
    // 365 days is the longest pattern.
    set(recurring(json!({"recurring_until": "2031-01-07"})))
        .await
        .expect(200);
    // Booking and moving.
    app.open_day(a, MONDAY).await;
    let book = |body: Value| async move {
        app.post("/api/book_appointment", Some(&a.admin), &body)
            .await
    };
    let base = json!({"clinician_id": a.clinician_id, "patient_id": a.patient_id, "date": MONDAY, "time": "09:00"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    at(&["body", "time"], book(with("time", json!("25:00"))).await);
    at(
        &["body", "time"],
        book(with("time", json!("09:00:30"))).await,
    );
    at(
        &["body", "date"],
        book(with("date", json!("07/01/2030"))).await,
    );
    at(
        &["body", "date"],
        book(with("date", json!("2020-01-06"))).await,
    );
    at(
        &["body", "appointment_type"],
        book(with("appointment_type", json!("zoom"))).await,
    );
    at(
        &["body", "notes"],
        book(with("notes", json!("x".repeat(2001)))).await,
    );
    at(
        &["body", "clinician_id"],
        book(with("clinician_id", Value::Null)).await,
    );
    at(
        &["body", "patient_id"],
        book(with("patient_id", Value::Null)).await,
    );
    let id = book(base.clone()).await.str("id");
    let path = format!("/api/appointments/{id}");
    at(
        &["body", "status"],
        app.put(&path, Some(&a.admin), &json!({"status": "done"}))
            .await,
    );
    at(
        &["body", "time"],
        app.put(&path, Some(&a.admin), &json!({"time": "9h"})).await,
    );
    let mv = |body: Value| async move {
        app.post("/api/appointments/reschedule", Some(&a.admin), &body)
            .await
    };
    at(
        &["body", "new_time"],
        mv(json!({"appointment_id": id, "new_date": MONDAY})).await,
    );
    at(
        &["body", "new_date"],
        mv(json!({"appointment_id": id, "new_date": "2020-01-06", "new_time": "09:00"})).await,
    );
    at(
        &["body", "appointment_id"],
        mv(json!({"new_date": MONDAY, "new_time": "09:00"})).await,
    );
    let long = json!({"appointment_id": id, "reason": "r".repeat(501)});
    at(
        &["body", "reason"],
        app.post("/api/appointments/cancel", Some(&a.admin), &long)
            .await,
    );
    // Ids that cannot exist are 404, never 422 or 500.
    app.get("/api/appointments/not-a-uuid", Some(&a.admin))
        .await
        .expect(404);
    app.delete("/api/availability/recurring/xyz", Some(&a.admin))
        .await
        .expect(404);
    let unknown = json!({"appointment_id": "nope", "new_date": MONDAY, "new_time": "09:00"});
    mv(unknown).await.expect(404);
}
