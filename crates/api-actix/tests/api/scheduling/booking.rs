use super::{MONDAY, TUESDAY, slots, statuses};
use crate::helpers::{PW, TestApp};
use serde_json::json;

const TAKEN: &str = "This time slot is already booked";
const BUSY: &str = "The patient already has an appointment at this time";
const CLOSED: &str = "The clinician is not available at this time";

pub async fn booking_rules_in_the_contracts_order(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    let r = app.book(&a.clinician, a, MONDAY, "09:00").await;
    let b = r.expect(200).clone();
    assert_eq!(b["status"], "scheduled");
    assert_eq!(b["appointment_type"], "in-person");
    assert_eq!(b["id"], b["appointment_id"]);
    assert_eq!(b["date_time"], "2030-01-07T09:00:00Z");
    assert_eq!(
        (b["date"].as_str(), b["time"].as_str()),
        (Some(MONDAY), Some("09:00"))
    );
    assert_eq!(b["clinician_name"], "Clin alpha");
    assert_eq!(b["patient_name"], "Pat Ofalpha");
    assert_eq!(b["duration_minutes"], 30);
    let code = b["confirmation_code"].as_str().unwrap();
    assert!(
        code.len() == 6
            && code
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{code}"
    );
    // The slot now shows as taken.
    let day = app
        .get(
            &format!(
                "/api/availability?clinician_id={}&date={MONDAY}",
                a.clinician_id
            ),
            Some(&a.admin),
        )
        .await;
    assert_eq!(slots(day.expect(200))[0], ("09:00".into(), false));
    // Another patient at the same time with the same clinician: the clinician's conflict.
    let other = app
        .patient(&a.clinician, "Other", "Person", "other@alpha.test")
        .await;
    let other_id = other["id"].as_str().unwrap();
    let book_other = |time: &str, clinician: &str| {
        let body = json!({"clinician_id": clinician, "patient_id": other_id, "date": MONDAY, "time": time});
        async move {
            app.post("/api/book_appointment", Some(&a.admin), &body)
                .await
        }
    };
    book_other("09:00", &a.clinician_id)
        .await
        .expect_detail(409, TAKEN);
    // Not a bookable time: 409 availability.
    book_other("11:00", &a.clinician_id)
        .await
        .expect_detail(409, CLOSED);
    // The same patient with another clinician at an overlapping time: the patient's conflict.
    let c2 = app
        .user(&a.admin, "clin2@alpha.test", "Clin Two", "physician")
        .await;
    let c2_token = app.token("clin2@alpha.test", PW).await;
    let set = app
        .post(
            "/api/availability/set",
            Some(&c2_token),
            &json!({"date": MONDAY, "time_slots": ["09:00", "09:30"]}),
        )
        .await;
    set.expect(200);
    let r = app
        .post(
            "/api/book_appointment",
            Some(&a.admin),
            &json!({"clinician_id": c2, "patient_id": a.patient_id, "date": MONDAY, "time": "09:00"}),
        )
        .await;
    r.expect_detail(409, BUSY);
    // Adjacent is fine.
    book_other("09:30", &a.clinician_id).await.expect(200);
    // Order: scope (404) before validation (422) before past (422) before availability (409).
    let r = app
        .post(
            "/api/book_appointment",
            Some(&a.admin),
            &json!({"clinician_id": t.b.clinician_id, "patient_id": a.patient_id, "date": MONDAY, "time": "25:00"}),
        )
        .await;
    r.expect_detail(404, "Clinician not found");
    let r = app
        .post(
            "/api/book_appointment",
            Some(&a.admin),
            &json!({"clinician_id": a.clinician_id, "patient_id": t.b.patient_id, "date": "2020-01-01", "time": "x"}),
        )
        .await;
    r.expect_detail(404, "Patient not found");
    let past = json!({"clinician_id": a.clinician_id, "patient_id": other_id, "date": "2020-01-06", "time": "11:00"});
    app.post("/api/book_appointment", Some(&a.admin), &past)
        .await
        .expect_422_at(&["body", "date"]);
    let bad = json!({"clinician_id": a.clinician_id, "patient_id": other_id, "date": "2020-01-06", "time": "25:00"});
    app.post("/api/book_appointment", Some(&a.admin), &bad)
        .await
        .expect_422_at(&["body", "time"]);
}

pub async fn transitions_and_moves(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    app.open_day(a, TUESDAY).await;
    let booked = app.book(&a.clinician, a, MONDAY, "09:00").await;
    let (id, code) = (booked.str("id"), booked.str("confirmation_code"));
    let path = format!("/api/appointments/{id}");
    let put = |body: serde_json::Value| {
        let path = path.clone();
        async move { app.put(&path, Some(&a.clinician), &body).await }
    };
    assert_eq!(
        put(json!({"status": "confirmed"})).await.expect(200)["status"],
        "confirmed"
    );
    // The same status is no change.
    let same = put(json!({"status": "CONFIRMED"})).await;
    assert_eq!(same.expect(200)["status"], "confirmed");
    // The status from the query (documented), and an illegal one.
    let q = app
        .put(
            &format!("{path}?status=scheduled"),
            Some(&a.clinician),
            &json!({}),
        )
        .await;
    assert_eq!(q.status, 409, "{}", q.text);
    // A move through the detail form: the frontend sends all five fields, time as HH:mm:ss.
    let moved = put(
        json!({"date": TUESDAY, "time": "10:00:00", "appointment_type": "virtual",
        "notes": "bring results", "status": "confirmed"}),
    )
    .await;
    let b = moved.expect(200);
    assert_eq!(b["status"], "rescheduled");
    assert_eq!(
        (b["id"].as_str(), b["confirmation_code"].as_str()),
        (Some(id.as_str()), Some(code.as_str()))
    );
    assert_eq!(b["date_time"], "2030-01-08T10:00:00Z");
    assert_eq!(b["notes"], "bring results");
    // The old slot is free again; the new one is taken.
    let day = |d: &str| {
        let path = format!("/api/availability?clinician_id={}&date={d}", a.clinician_id);
        async move { app.get(&path, Some(&a.admin)).await }
    };
    assert!(slots(day(MONDAY).await.expect(200)).iter().all(|s| s.1));
    assert!(!slots(day(TUESDAY).await.expect(200))[2].1);
    // Reschedule onto a time that is not bookable, then back to a free one.
    let body = json!({"appointment_id": id, "new_date": MONDAY, "new_time": "12:00"});
    app.post("/api/appointments/reschedule", Some(&a.admin), &body)
        .await
        .expect_detail(409, CLOSED);
    let body = json!({"appointment_id": id, "new_date": MONDAY, "new_time": "09:30"});
    let r = app
        .post("/api/appointments/reschedule", Some(&a.admin), &body)
        .await;
    assert_eq!(r.expect(200)["time"], "09:30");
    // Cancel, with reason; again is 409; and nothing leaves a terminal status.
    let body = json!({"appointment_id": id, "reason": "patient is ill", "notify_patient": false});
    let c = app
        .post("/api/appointments/cancel", Some(&a.admin), &body)
        .await;
    let b = c.expect(200);
    assert_eq!(
        (b["message"].as_str(), b["status"].as_str()),
        (Some("Appointment canceled"), Some("canceled"))
    );
    assert_eq!(b["reason"], "patient is ill");
    app.post("/api/appointments/cancel", Some(&a.admin), &body)
        .await
        .expect(409);
    put(json!({"status": "confirmed"})).await.expect(409);
    let g = app.get(&path, Some(&a.admin)).await;
    assert_eq!(g.expect(200)["cancel_reason"], "patient is ill");
    // Completed and no-show are terminal too; `cancelled` and `no_show` are accepted spellings.
    let second = app.book(&a.clinician, a, MONDAY, "10:00").await.str("id");
    let p2 = format!("/api/appointments/{second}");
    let r = app
        .put(&p2, Some(&a.admin), &json!({"status": "no_show"}))
        .await;
    assert_eq!(r.expect(200)["status"], "no-show");
    app.put(&p2, Some(&a.admin), &json!({"status": "cancelled"}))
        .await
        .expect(409);
}

pub async fn tenancy_and_the_patients_own(app: &TestApp) {
    let t = app.tenancy().await;
    let (a, b) = (&t.a, &t.b);
    app.open_day(a, MONDAY).await;
    let id = app.book(&a.clinician, a, MONDAY, "09:00").await.str("id");
    let path = format!("/api/appointments/{id}");
    // Another account: not found, whatever the route.
    app.get(&path, Some(&b.clinician)).await.expect(404);
    app.put(&path, Some(&b.admin), &json!({"status": "confirmed"}))
        .await
        .expect(404);
    let cancel = json!({"appointment_id": id});
    app.post("/api/appointments/cancel", Some(&b.clinician), &cancel)
        .await
        .expect(404);
    app.book(&b.clinician, a, MONDAY, "09:30").await.expect(404);
    let a_list = format!("/api/appointments/clinician/{}", a.clinician_id);
    app.get(&a_list, Some(&b.admin)).await.expect(404);
    let org = app
        .get("/api/organization/appointments", Some(&b.admin))
        .await;
    assert_eq!(org.expect(200)["total"], 0);
    // The dashboard asks for the admin's own list: 200, empty.
    let own = app
        .get(
            &format!("/api/appointments/clinician/{}", a.admin_id),
            Some(&a.admin),
        )
        .await;
    assert_eq!(own.expect(200)["appointments"], json!([]));
    // A patient login: its own appointments only; it may cancel or move them, nothing else.
    let r = app
        .post(
            "/api/users",
            Some(&a.admin),
            &json!({"email": "pat@alpha.test", "name": "Pat Ofalpha",
            "role": "patient", "password": PW}),
        )
        .await;
    r.expect(201);
    let pt = app.token("pat@alpha.test", PW).await;
    assert_eq!(
        app.get(&path, Some(&pt)).await.expect(200)["id"],
        id.as_str()
    );
    let mine = app
        .get(
            &format!("/api/appointments/patient/{}", a.patient_id),
            Some(&pt),
        )
        .await;
    assert_eq!(
        mine.expect(200)["appointments"].as_array().unwrap().len(),
        1
    );
    let other = app
        .patient(&a.clinician, "Other", "Person", "other@alpha.test")
        .await;
    let other_id = other["id"].as_str().unwrap();
    app.get(&format!("/api/appointments/patient/{other_id}"), Some(&pt))
        .await
        .expect(404);
    app.get(&a_list, Some(&pt)).await.expect(403);
    app.get("/api/organization/appointments", Some(&pt))
        .await
        .expect(403);
    app.put(&path, Some(&pt), &json!({"status": "confirmed"}))
        .await
        .expect(403);
    // It books for itself (patient_id omitted), not for another patient.
    let own = json!({"clinician_id": a.clinician_id, "date": MONDAY, "time": "10:00"});
    assert_eq!(
        app.post("/api/book_appointment", Some(&pt), &own)
            .await
            .expect(200)["patient_id"],
        a.patient_id.as_str()
    );
    let theirs = json!({"clinician_id": a.clinician_id, "patient_id": other_id, "date": MONDAY, "time": "09:30"});
    app.post("/api/book_appointment", Some(&pt), &theirs)
        .await
        .expect(404);
    let mv = json!({"appointment_id": id, "new_date": MONDAY, "new_time": "09:30"});
    assert_eq!(
        app.post("/api/appointments/reschedule", Some(&pt), &mv)
            .await
            .expect(200)["status"],
        "rescheduled"
    );
    app.post("/api/appointments/cancel", Some(&pt), &cancel)
        .await
        .expect(200);
    // Lab techs and users have no scheduling at all.
    app.user(&a.admin, "lab@alpha.test", "Lab Tech", "lab_tech")
        .await;
    let lab = app.token("lab@alpha.test", PW).await;
    app.get(&path, Some(&lab)).await.expect(403);
    app.get(
        &format!(
            "/api/availability?clinician_id={}&date={MONDAY}",
            a.clinician_id
        ),
        Some(&lab),
    )
    .await
    .expect(403);
}

pub async fn lists_filters_and_paging(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    app.open_day(a, TUESDAY).await;
    let mut ids = Vec::new();
    for (d, time) in [(TUESDAY, "09:00"), (MONDAY, "10:00"), (MONDAY, "09:00")] {
        ids.push(app.book(&a.clinician, a, d, time).await.str("id"));
    }
    app.put(
        &format!("/api/appointments/{}", ids[0]),
        Some(&a.admin),
        &json!({"status": "canceled"}),
    )
    .await
    .expect(200);
    let list = |q: &str| {
        let path = format!("/api/appointments/clinician/{}?{q}", a.clinician_id);
        async move { app.get(&path, Some(&a.admin)).await }
    };
    let all = list("").await;
    let items = all.expect(200)["appointments"].as_array().unwrap().clone();
    let times: Vec<String> = items
        .iter()
        .map(|i| i["date_time"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        times,
        [
            "2030-01-07T09:00:00Z",
            "2030-01-07T10:00:00Z",
            "2030-01-08T09:00:00Z"
        ]
    );
    let canceled = list("status=cancelled").await;
    assert_eq!(
        statuses(canceled.expect(200)["appointments"].as_array().unwrap()),
        ["canceled"]
    );
    let monday = list(&format!("start_date={MONDAY}&end_date={MONDAY}")).await;
    assert_eq!(
        monday.expect(200)["appointments"].as_array().unwrap().len(),
        2
    );
    list(&format!("start_date={TUESDAY}&end_date={MONDAY}"))
        .await
        .expect_422_at(&["query", "end_date"]);
    list("start_date=2030-01-01&end_date=2031-01-03")
        .await
        .expect_422_at(&["query", "end_date"]);
    list("status=soon")
        .await
        .expect_422_at(&["query", "status"]);
    // Style D, `limit` as the alias of `page_size`; filters by date and status.
    let org = |q: &str| {
        let path = format!("/api/organization/appointments?{q}");
        async move { app.get(&path, Some(&a.clinician)).await }
    };
    let p1 = org("limit=2&_cb=1").await;
    let b = p1.expect(200);
    assert_eq!(
        (
            b["total"].clone(),
            b["total_count"].clone(),
            b["page_size"].clone()
        ),
        (json!(3), json!(3), json!(2))
    );
    assert_eq!(
        (
            b["total_pages"].clone(),
            b["has_next"].clone(),
            b["has_previous"].clone()
        ),
        (json!(2), json!(true), json!(false))
    );
    let p2 = org("page=2&page_size=2").await;
    let b = p2.expect(200);
    assert_eq!(b["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(
        (b["has_next"].clone(), b["has_previous"].clone()),
        (json!(false), json!(true))
    );
    let filtered = org(&format!(
        "date_from={TUESDAY}&status=canceled&clinician_id={}",
        a.clinician_id
    ))
    .await;
    assert_eq!(filtered.expect(200)["total"], 1);
    org("page_size=101")
        .await
        .expect_422_at(&["query", "page_size"]);
    org("page=0").await.expect_422_at(&["query", "page"]);
    // A patient's list; the super admin's organization view spans accounts unless filtered.
    let p = app
        .get(
            &format!(
                "/api/appointments/patient/{}?status=scheduled",
                a.patient_id
            ),
            Some(&a.admin),
        )
        .await;
    assert_eq!(p.expect(200)["appointments"].as_array().unwrap().len(), 2);
    let sa = app
        .get(
            &format!(
                "/api/organization/appointments?account_id={}",
                t.b.account_id
            ),
            Some(&t.sa),
        )
        .await;
    assert_eq!(sa.expect(200)["total"], 0);
}

pub async fn emails_and_the_calendar_feed(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    let id = app.book(&a.clinician, a, MONDAY, "09:00").await.str("id");
    let to_patient = app.emails_to("pat@alpha.test").await;
    assert_eq!(to_patient.len(), 1);
    assert_eq!(to_patient[0]["subject"], "Your appointment is booked");
    assert!(
        to_patient[0]["text"]
            .as_str()
            .unwrap()
            .contains("2030-01-07 at 09:00")
    );
    assert_eq!(app.emails_to("clin@alpha.test").await.len(), 1);
    let mv = json!({"appointment_id": id, "new_date": MONDAY, "new_time": "10:00", "notify_clinician": false});
    app.post("/api/appointments/reschedule", Some(&a.admin), &mv)
        .await
        .expect(200);
    let to_patient = app.emails_to("pat@alpha.test").await;
    assert_eq!(
        to_patient.last().unwrap()["subject"],
        "Your appointment was moved"
    );
    assert_eq!(app.emails_to("clin@alpha.test").await.len(), 1);
    // The feed: upcoming active appointments, patient as first name and initial only.
    let feed = app
        .get(
            &format!(
                "/api/appointments/clinician/{}/calendar.ics",
                a.clinician_id
            ),
            Some(&a.clinician),
        )
        .await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = &feed.text;
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains(&format!("UID:{id}@genascope")));
    assert!(text.contains("SEQUENCE:1"), "one move: {text}");
    assert!(text.contains("DTSTART;TZID=UTC:20300107T100000"));
    assert!(text.contains("SUMMARY:Appointment: Pat O."));
    assert!(!text.contains("Ofalpha") && !text.contains("pat@alpha.test"));
    let cancel = json!({"appointment_id": id, "notify_patient": false});
    app.post("/api/appointments/cancel", Some(&a.admin), &cancel)
        .await
        .expect(200);
    assert_eq!(app.emails_to("pat@alpha.test").await.len(), 2);
    assert_eq!(
        app.emails_to("clin@alpha.test").await.last().unwrap()["subject"],
        "Your appointment was canceled"
    );
    let feed = app
        .get(
            &format!(
                "/api/appointments/clinician/{}/calendar.ics",
                a.clinician_id
            ),
            Some(&a.clinician),
        )
        .await;
    assert!(!feed.text.contains("BEGIN:VEVENT"));
    // Other accounts and patients do not get the feed.
    let path = format!(
        "/api/appointments/clinician/{}/calendar.ics",
        a.clinician_id
    );
    app.get(&path, Some(&t.b.admin)).await.expect(404);
}
