//! The `invite.ics` attachment of appointment emails, as the outbox delivered it: one stable
//! `UID`, a `SEQUENCE` that grows with the move, `METHOD:CANCEL` on the cancellation.

use super::MONDAY;
use crate::helpers::TestApp;
use serde_json::{Value, json};

/// The one attachment of `mail`: its content type and text.
fn invite(mail: &Value) -> (String, String) {
    let list = mail["attachments"].as_array().expect("attachments");
    assert_eq!(list.len(), 1, "{mail}");
    assert_eq!(list[0]["filename"], "invite.ics");
    (
        list[0]["content_type"].as_str().unwrap().to_owned(),
        list[0]["content"].as_str().unwrap().to_owned(),
    )
}

pub async fn appointment_emails_carry_the_invite(app: &TestApp) {
    let t = app.tenancy().await;
    let a = &t.a;
    app.open_day(a, MONDAY).await;
    let id = app.book(&a.clinician, a, MONDAY, "09:00").await.str("id");
    let uid = format!("UID:{id}@genascope");
    let booked = app.emails_to("pat@alpha.test").await;
    let (ct, ics) = invite(&booked[0]);
    assert_eq!(ct, "text/calendar; method=REQUEST; charset=UTF-8");
    assert!(ics.contains("METHOD:REQUEST\r\n"), "{ics}");
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:0\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTART;TZID=UTC:20300107T090000"), "{ics}");
    let (_, to_clinician) = invite(&app.emails_to("clin@alpha.test").await[0]);
    assert!(to_clinician.contains(&uid), "{to_clinician}");

    let mv = json!({"appointment_id": id, "new_date": MONDAY, "new_time": "10:00"});
    app.post("/api/appointments/reschedule", Some(&a.admin), &mv)
        .await
        .expect(200);
    let (ct, ics) = invite(app.emails_to("pat@alpha.test").await.last().unwrap());
    assert_eq!(ct, "text/calendar; method=REQUEST; charset=UTF-8");
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:1\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTART;TZID=UTC:20300107T100000"), "{ics}");

    let cancel = json!({"appointment_id": id});
    app.post("/api/appointments/cancel", Some(&a.admin), &cancel)
        .await
        .expect(200);
    let mails = app.emails_to("pat@alpha.test").await;
    assert_eq!(mails.len(), 3);
    let (ct, ics) = invite(mails.last().unwrap());
    assert_eq!(ct, "text/calendar; method=CANCEL; charset=UTF-8");
    assert!(
        ics.contains("METHOD:CANCEL\r\n") && ics.contains("STATUS:CANCELLED"),
        "{ics}"
    );
    assert!(
        ics.contains(&uid) && ics.contains("SEQUENCE:2\r\n"),
        "{ics}"
    );
}
