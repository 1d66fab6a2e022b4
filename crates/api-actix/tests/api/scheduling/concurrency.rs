use super::MONDAY;
use crate::helpers::TestApp;
use serde_json::json;

/// 100 bookings of one slot at once, each for a different patient, at the running server:
/// exactly one succeeds and 99 are 409 (the database serialises them; issue #9).
pub async fn a_hundred_concurrent_bookings_of_one_slot(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    let rows: Vec<_> = (0..100)
        .map(|i| json!({"first_name": "Race", "last_name": format!("Runner{i}"), "email": format!("race{i}@alpha.test")}))
        .collect();
    let r = app
        .post(
            "/api/patients/bulk",
            Some(&a.admin),
            &json!({"patients": rows}),
        )
        .await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    let list = app.get("/api/patients/?limit=1000", Some(&a.admin)).await;
    let patients: Vec<String> = list
        .array()
        .iter()
        .filter(|p| {
            p["last_name"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Runner")
        })
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(patients.len(), 100);
    let started = std::time::Instant::now();
    let attempts = patients.iter().map(|pid| {
        let body = json!({"clinician_id": a.clinician_id, "patient_id": pid, "date": MONDAY, "time": "09:00"});
        let token = a.clinician.clone();
        async move { app.post("/api/book_appointment", Some(&token), &body).await.status }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let elapsed = started.elapsed();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let conflict = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((ok, conflict), (1, 99), "{statuses:?}");
    eprintln!("100 concurrent bookings of one slot: {elapsed:?}");
    let day = app
        .get(
            &format!(
                "/api/availability?clinician_id={}&date={MONDAY}",
                a.clinician_id
            ),
            Some(&a.admin),
        )
        .await;
    assert_eq!(day.expect(200)["time_slots"][0]["available"], false);
    let org = app
        .get("/api/organization/appointments", Some(&a.admin))
        .await;
    assert_eq!(org.expect(200)["total"], 1);
}
