//! `SchedulingRepository::day`: what `GET /api/availability` reads, in one call (issue #11).
//! The rest of scheduling's storage is exercised over HTTP (`api-actix` tests, both backends).

use genascope_adapters_postgres::testing::TestDb;
use genascope_domain::common::{AccountId, PatternId};
use genascope_domain::scheduling::model::{ClinicZone, RecurringPattern, SlotSet, Weekdays};
use genascope_domain::scheduling::ports::SchedulingRepository;
use time::macros::date;
use uuid::Uuid;

/// The day's zone, its explicit set (patterns unread then), else the patterns that touch it;
/// a clinician without an account reads UTC; nothing booked reads empty.
pub async fn a_clinicians_day_in_one_call(t: &TestDb) {
    let repo: &dyn SchedulingRepository = t.db();
    let (a, doc) = crate::support::clinic(t, "Days").await;
    let paris = ClinicZone::named("Europe/Paris").unwrap();
    repo.set_zone(a, &paris).await.unwrap();
    let monday = date!(2026 - 03 - 02);
    let tuesday = date!(2026 - 03 - 03);
    let pattern = RecurringPattern {
        id: PatternId(Uuid::new_v4()),
        account_id: a,
        clinician_id: doc.id,
        start: monday,
        until: date!(2026 - 03 - 31),
        days: Weekdays::new(vec![0, 1]).unwrap(),
        slots: SlotSet::parse(&["10:00"]).unwrap(),
    };
    repo.add_pattern(&pattern).await.unwrap();
    let open = SlotSet::parse(&["09:00", "09:30"]).unwrap();
    repo.set_explicit_slots(a, doc.id, monday, &open)
        .await
        .unwrap();

    let day = repo.day(doc.id, Some(a), monday).await.unwrap();
    assert_eq!(day.zone, paris);
    assert_eq!(day.explicit, Some(open));
    assert!(
        day.patterns.is_empty(),
        "an explicit set overrides patterns"
    );
    assert!(day.booked.is_empty());

    let day = repo.day(doc.id, Some(a), tuesday).await.unwrap();
    assert_eq!(day.explicit, None);
    assert_eq!(day.patterns, [pattern]);
    assert_eq!(
        day,
        genascope_domain::scheduling::ports::ClinicDay {
            zone: repo.zone(a).await.unwrap(),
            explicit: repo.explicit_slots(doc.id, tuesday).await.unwrap(),
            patterns: repo
                .patterns(doc.id, Some((tuesday, tuesday)))
                .await
                .unwrap(),
            booked: repo
                .active_around(doc.id, None, tuesday, tuesday)
                .await
                .unwrap(),
        },
        "the same as the four reads it replaces"
    );
    let nowhere = repo
        .day(doc.id, None::<AccountId>, date!(2026 - 04 - 06))
        .await
        .unwrap();
    assert_eq!(nowhere.zone, ClinicZone::default());
    assert!(nowhere.patterns.is_empty() && nowhere.explicit.is_none());
}
