use super::{MONDAY, TUESDAY, slots};
use crate::helpers::TestApp;
use genascope_domain::common::AccountId;
use genascope_domain::scheduling::model::ClinicZone;
use genascope_domain::scheduling::ports::SchedulingRepository;
use serde_json::json;

pub async fn explicit_recurring_and_closed_dates(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, cid) = (&t.a, t.a.clinician_id.as_str());
    let set = |body: serde_json::Value| async move {
        app.post(
            &format!("/api/availability/set?clinician_id={cid}"),
            Some(&a.clinician),
            &body,
        )
        .await
    };
    // Recurring Monday and Wednesday (0 and 2), the frontend's spelling.
    let r = set(
        json!({"clinician_id": cid, "date": MONDAY, "time_slots": ["10:00", "09:00"],
        "is_recurring": true, "recurring_days": [0, "2"], "recurring_until": "2030-01-20"}),
    )
    .await;
    let b = r.expect(200);
    assert_eq!(b["message"], "Availability set successfully");
    assert_eq!(b["recurring"], true);
    assert_eq!(b["time_slots"], json!(["09:00", "10:00"]));
    assert_eq!(
        b["dates_affected"],
        json!(["2030-01-07", "2030-01-09", "2030-01-14", "2030-01-16"])
    );
    let pattern = b["pattern_id"].as_str().unwrap().to_owned();
    let day = |d: &str| {
        let path = format!("/api/availability?clinician_id={cid}&date={d}");
        async move { app.get(&path, Some(&a.admin)).await }
    };
    let r = day(MONDAY).await;
    let b = r.expect(200);
    assert_eq!(b["clinician_id"], cid);
    assert_eq!(b["clinician_name"], "Clin alpha");
    assert_eq!(slots(b), [("09:00".into(), true), ("10:00".into(), true)]);
    assert!(slots(day(TUESDAY).await.expect(200)).is_empty());
    // An explicit set wins on its date; an explicit empty list closes a date.
    let single = set(json!({"date": "2030-01-09", "time_slots": ["14:00"]})).await;
    let b = single.expect(200);
    assert_eq!(
        (b["recurring"].clone(), b["pattern_id"].clone()),
        (json!(false), json!(null))
    );
    assert_eq!(b["dates_affected"], json!(["2030-01-09"]));
    assert_eq!(
        slots(day("2030-01-09").await.expect(200)),
        [("14:00".into(), true)]
    );
    set(json!({"date": "2030-01-14", "time_slots": []}))
        .await
        .expect(200);
    assert!(slots(day("2030-01-14").await.expect(200)).is_empty());
    // A clinician reads its own availability without naming itself; a patient of the account reads it.
    let own = app
        .get(
            &format!("/api/availability?date={MONDAY}"),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(slots(own.expect(200)).len(), 2);
    // The pattern list, and deleting it (appointments are never canceled by it).
    let booked = app.book(&a.clinician, a, MONDAY, "09:00").await;
    let appointment = booked.str("id");
    let list = app
        .get(
            &format!("/api/availability/recurring?clinician_id={cid}"),
            Some(&a.admin),
        )
        .await;
    let items = list.array();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["days"], json!([0, 2]));
    assert_eq!(items[0]["start_date"], MONDAY);
    assert_eq!(items[0]["end_date"], "2030-01-20");
    let gone = app
        .delete(
            &format!("/api/availability/recurring/{pattern}"),
            Some(&a.clinician),
        )
        .await;
    gone.expect(200);
    assert!(slots(day(MONDAY).await.expect(200)).is_empty());
    let still = app
        .get(&format!("/api/appointments/{appointment}"), Some(&a.admin))
        .await;
    assert_eq!(still.expect(200)["status"], "scheduled");
    app.delete(
        &format!("/api/availability/recurring/{pattern}"),
        Some(&a.clinician),
    )
    .await
    .expect(404);
}

pub async fn who_may_set_and_read_availability(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    let body = json!({"date": MONDAY, "time_slots": ["09:00"]});
    let set = |token: &str, cid: &str| {
        let token = token.to_owned();
        let path = format!("/api/availability/set?clinician_id={cid}");
        let body = body.clone();
        async move { app.post(&path, Some(&token), &body).await }
    };
    // The admin of the account sets for its clinician; the super admin for any.
    set(&a.admin, &a.clinician_id).await.expect(200);
    set(&t.sa, &a.clinician_id).await.expect(200);
    // Another account's clinician is not found; another clinician is not found either.
    set(&b.admin, &a.clinician_id).await.expect(404);
    let other = app
        .user(&a.admin, "clin2@alpha.test", "Clin Two", "physician")
        .await;
    set(&a.clinician, &other).await.expect(404);
    // An admin is not a clinician: nothing to set.
    set(&a.admin, &a.admin_id).await.expect(404);
    // Query and body naming different clinicians: 422 on clinician_id.
    let r = app
        .post(
            &format!("/api/availability/set?clinician_id={}", a.clinician_id),
            Some(&a.admin),
            &json!({"clinician_id": other, "date": MONDAY, "time_slots": []}),
        )
        .await;
    r.expect_422_at(&["body", "clinician_id"]);
    // Reading: another account's clinician is 404; the admin without clinician_id is 422.
    let cross = format!(
        "/api/availability?clinician_id={}&date={MONDAY}",
        a.clinician_id
    );
    app.get(&cross, Some(&b.clinician)).await.expect(404);
    app.get(&format!("/api/availability?date={MONDAY}"), Some(&a.admin))
        .await
        .expect_422_at(&["query", "clinician_id"]);
    app.get(
        &format!("/api/availability?clinician_id={}", a.clinician_id),
        Some(&a.admin),
    )
    .await
    .expect_422_at(&["query", "date"]);
}

pub async fn recurring_nine_stays_nine_across_daylight_saving(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    let account = AccountId::parse(&a.account_id).unwrap();
    let paris = ClinicZone::named("Europe/Paris").unwrap();
    app.database.set_zone(account, &paris).await.unwrap();
    // Summer time starts on 2030-03-31 and ends on 2030-10-27: every day around both.
    for (start, until) in [("2030-03-29", "2030-04-02"), ("2030-10-25", "2030-10-29")] {
        let r = app
            .post(
                "/api/availability/set",
                Some(&a.clinician),
                &json!({"date": start, "time_slots": ["09:00"], "recurring": true,
                        "recurring_days": [0, 1, 2, 3, 4, 5, 6], "recurring_until": until}),
            )
            .await;
        assert_eq!(r.expect(200)["dates_affected"].as_array().unwrap().len(), 5);
    }
    for date in ["2030-03-30", "2030-04-01", "2030-10-26", "2030-10-28"] {
        let r = app
            .get(
                &format!("/api/availability?date={date}"),
                Some(&a.clinician),
            )
            .await;
        assert_eq!(slots(r.expect(200)), [("09:00".into(), true)], "{date}");
        app.book(&a.clinician, a, date, "09:00").await.expect(200);
    }
    // The feed names the zone and keeps 09:00 wall clock on both sides of each change.
    let feed = app
        .get(
            &format!(
                "/api/appointments/clinician/{}/calendar.ics",
                a.clinician_id
            ),
            Some(&a.admin),
        )
        .await;
    assert_eq!(feed.status, 200);
    for stamp in [
        "20300330T090000",
        "20300401T090000",
        "20301026T090000",
        "20301028T090000",
    ] {
        assert!(
            feed.text
                .contains(&format!("DTSTART;TZID=Europe/Paris:{stamp}")),
            "{stamp}: {}",
            feed.text
        );
    }
    assert_eq!(
        app.database.zone(account).await.unwrap().name(),
        "Europe/Paris"
    );
}

/// `seed-demo` adds recurring and explicit availability and appointments in several statuses.
pub async fn seed_demo_has_availability_and_appointments(app: &TestApp) {
    let data_dir = std::env::temp_dir().join(format!("genascope-seed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genascope"))
        .arg("seed-demo")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("DATA_DIR", &data_dir)
        .env("RUST_LOG", "warn")
        .env("GENASCOPE_DEMO_PASSWORD", "demo-password-2026")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let admin = app
        .token("admin@demo.genascope.test", "demo-password-2026")
        .await;
    let org = app
        .get("/api/organization/appointments?page_size=100", Some(&admin))
        .await;
    let items = org.expect(200)["appointments"].as_array().unwrap().clone();
    let mut statuses: Vec<String> = super::statuses(&items);
    statuses.sort();
    statuses.dedup();
    assert_eq!(
        statuses,
        [
            "canceled",
            "completed",
            "confirmed",
            "no-show",
            "rescheduled",
            "scheduled"
        ]
    );
    let clinician = items[0]["clinician_id"].as_str().unwrap().to_owned();
    let patterns = app
        .get(
            &format!("/api/availability/recurring?clinician_id={clinician}"),
            Some(&admin),
        )
        .await;
    assert_eq!(patterns.array().len(), 1);
    assert_eq!(patterns.array()[0]["days"], json!([0, 1, 2, 3, 4]));
    std::fs::remove_dir_all(&data_dir).ok();
}
