//! Every lifecycle rule at fixed instants; name matching and the token round trip as properties.

use super::*;
use crate::common::{AccountId, ChatStrategyId, InviteId, MockRandom, Patch, PatientId, UserId};
use crate::identity::model::Email;
use crate::invites::model::{ChatStage, InviteSummary, TOKEN_BYTES, TokenHash, normalize_name};
use crate::patients::model::{PatientStatus, ScreeningStatus};
use proptest::prelude::*;
use time::macros::{date, datetime};
use uuid::Uuid;

/// Issue time of every test invite.
const T0: Timestamp = datetime!(2026-03-01 09:00:00 UTC);

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

fn token(seed: u8) -> InviteToken {
    InviteToken::from_bytes([seed; TOKEN_BYTES])
}

fn draft() -> InviteDraft {
    InviteDraft {
        id: InviteId(Uuid::from_u128(1)),
        account_id: AccountId(Uuid::from_u128(2)),
        patient_id: PatientId(Uuid::from_u128(3)),
        provider_id: Some(UserId(Uuid::from_u128(4))),
        provider_name: Some("Dr Who".into()),
        chat_strategy_id: Some(ChatStrategyId(Uuid::from_u128(5))),
        chat_strategy_name: Some("Hereditary cancer".into()),
        custom_message: CustomMessage::parse("See you soon").unwrap(),
        created_by: UserId(Uuid::from_u128(6)),
    }
}

/// A pending invite issued at T0 for 14 days with token 1.
fn invite() -> Invite {
    Invite::issue(draft(), &token(1), ExpiryDays::DEFAULT, T0)
}

fn patient(dob: Option<time::Date>) -> Patient {
    Patient {
        id: PatientId(Uuid::from_u128(3)),
        account_id: AccountId(Uuid::from_u128(2)),
        first_name: "Zoë".into(),
        last_name: "van der Berg".into(),
        email: Email::parse("zoe@example.org").unwrap(),
        phone: None,
        date_of_birth: dob,
        external_id: None,
        clinician_id: None,
        status: PatientStatus::Pending,
        notes: None,
        created_at: T0,
        updated_at: T0,
        version: 1,
    }
}

fn claim(first: &str, last: &str, dob: time::Date) -> IdentityClaim {
    IdentityClaim {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: dob,
    }
}

#[test]
fn rule_1_and_2_issue_stores_the_hash_and_expires_after_the_days() {
    let i = invite();
    assert_eq!(i.state, InviteState::Pending);
    assert_eq!(i.token_hash, token(1).hash());
    assert_ne!(i.token_hash, token(2).hash());
    assert_eq!(i.token_gen, 1);
    assert_eq!(i.failed_attempts, 0);
    assert_eq!(i.expires_at, datetime!(2026-03-15 09:00:00 UTC));
    assert_eq!((i.created_at, i.updated_at, i.version), (T0, T0, 1));
    assert_eq!((i.accepted_at, i.revoked_at), (None, None));
    assert_eq!(i.provider_name.as_deref(), Some("Dr Who"));
    // Sub-second parts are dropped, like every stored time.
    let i = Invite::issue(
        draft(),
        &token(1),
        ExpiryDays::new(1).unwrap(),
        T0 + time::Duration::milliseconds(700),
    );
    assert_eq!(i.created_at, T0);
    assert_eq!(i.expires_at, T0 + days(1));
}

#[test]
fn rule_2_expiry_days_are_1_to_90_default_14() {
    assert_eq!(ExpiryDays::default().days(), 14);
    assert_eq!(ExpiryDays::new(1).unwrap().days(), 1);
    assert_eq!(ExpiryDays::new(90).unwrap().days(), 90);
    for bad in [0, -1, 91, 256, i64::MAX, i64::MIN] {
        assert_eq!(
            ExpiryDays::new(bad),
            Err(InviteRefusal::ExpiryOutOfRange),
            "{bad}"
        );
    }
}

#[test]
fn rule_3_expired_is_computed_from_the_expiry() {
    let i = invite();
    let end = i.expires_at;
    assert_eq!(i.status_at(T0), InviteStatus::Pending);
    assert_eq!(
        i.status_at(end - time::Duration::seconds(1)),
        InviteStatus::Pending
    );
    assert_eq!(i.status_at(end), InviteStatus::Expired);
    assert_eq!(i.status_at(end + days(300)), InviteStatus::Expired);
    // Only a pending invite expires.
    let used = i.accept(T0).unwrap();
    assert_eq!(used.status_at(end + days(1)), InviteStatus::Accepted);
    let revoked = i.revoke(T0).unwrap();
    assert_eq!(revoked.status_at(end + days(1)), InviteStatus::Revoked);
}

#[test]
fn status_filters_take_the_contract_aliases() {
    for (raw, want) in [
        ("pending", InviteStatus::Pending),
        (" Accepted ", InviteStatus::Accepted),
        ("completed", InviteStatus::Accepted),
        ("EXPIRED", InviteStatus::Expired),
        ("revoked", InviteStatus::Revoked),
        ("cancelled", InviteStatus::Revoked),
        ("canceled", InviteStatus::Revoked),
    ] {
        assert_eq!(InviteStatus::parse_filter(raw), Some(want), "{raw}");
    }
    for bad in ["", "open", "used", "pending,accepted"] {
        assert_eq!(InviteStatus::parse_filter(bad), None, "{bad}");
    }
    for s in InviteStatus::ALL {
        assert_eq!(InviteStatus::parse_filter(s.as_str()), Some(s));
    }
    for s in [
        InviteState::Pending,
        InviteState::Accepted,
        InviteState::Revoked,
    ] {
        assert_eq!(InviteState::parse(s.as_str()), Some(s));
    }
    assert_eq!(InviteState::parse("expired"), None, "never stored");
}

#[test]
fn rule_4_accept_only_pending_unexpired_unlocked_and_only_once() {
    let i = invite();
    let at = T0 + days(1);
    let used = i.accept(at).unwrap();
    assert_eq!(used.state, InviteState::Accepted);
    assert_eq!(used.accepted_at, Some(at));
    assert_eq!((used.updated_at, used.version), (at, 2));
    assert_eq!(used.token_hash, i.token_hash);
    // Single use.
    assert_eq!(used.accept(at), Err(InviteRefusal::AlreadyUsed));
    assert_eq!(used.check_usable(at), Err(InviteRefusal::AlreadyUsed));
    // Expired, revoked, locked.
    assert_eq!(i.accept(i.expires_at), Err(InviteRefusal::Expired));
    let revoked = i.revoke(at).unwrap();
    assert_eq!(revoked.accept(at), Err(InviteRefusal::AlreadyRevoked));
    let mut locked = i.clone();
    locked.failed_attempts = MAX_FAILED_ATTEMPTS;
    assert_eq!(locked.accept(at), Err(InviteRefusal::Locked));
    // An expired locked invite reports the expiry first.
    assert_eq!(
        locked.check_usable(i.expires_at),
        Err(InviteRefusal::Expired)
    );
}

#[test]
fn rule_5_a_new_invite_supersedes_open_ones_only() {
    let now = T0 + days(2);
    let open = invite();
    let revoked = open.supersede(now).unwrap();
    assert_eq!(revoked.state, InviteState::Revoked);
    assert_eq!(revoked.revoked_at, Some(now));
    assert_eq!(revoked.version, 2);
    // An expired (stored pending) invite is superseded too: at most one stored pending per
    // patient.
    assert!(open.supersede(open.expires_at + days(1)).is_some());
    // Used or revoked ones are history.
    assert_eq!(open.accept(now).unwrap().supersede(now), None);
    assert_eq!(revoked.supersede(now), None);
}

#[test]
fn rule_6_resend_renews_pending_and_expired_invites() {
    let i = invite();
    let mut tried = i.record_failed_check(T0).unwrap();
    tried = tried.record_failed_check(T0).unwrap();
    let later = i.expires_at + days(3);
    assert_eq!(tried.status_at(later), InviteStatus::Expired);
    let again = tried
        .resend(&token(2), ExpiryDays::new(7).unwrap(), Patch::Keep, later)
        .unwrap();
    assert_eq!(again.id, i.id, "same invite");
    assert_eq!(again.state, InviteState::Pending);
    assert_eq!(again.status_at(later), InviteStatus::Pending);
    assert_eq!(again.token_hash, token(2).hash(), "the old link dies");
    assert_ne!(again.token_hash, i.token_hash);
    assert_eq!(again.token_gen, 2);
    assert_eq!(again.failed_attempts, 0);
    assert_eq!(again.expires_at, later + days(7));
    assert_eq!(again.custom_message, i.custom_message);
    assert_eq!(
        (again.updated_at, again.version),
        (later, tried.version + 1)
    );
    assert_eq!(again.created_at, T0);
    // The message: replaced or cleared.
    let msg = CustomMessage::parse("New note").unwrap().unwrap();
    let set = i
        .resend(&token(3), ExpiryDays::DEFAULT, Patch::Set(msg.clone()), T0)
        .unwrap();
    assert_eq!(set.custom_message, Some(msg));
    let cleared = set
        .resend(&token(4), ExpiryDays::DEFAULT, Patch::Clear, T0)
        .unwrap();
    assert_eq!(cleared.custom_message, None);
    assert_eq!(cleared.token_gen, 3);
    // A resend unlocks.
    let mut locked = i.clone();
    locked.failed_attempts = MAX_FAILED_ATTEMPTS;
    let unlocked = locked
        .resend(&token(5), ExpiryDays::DEFAULT, Patch::Keep, T0)
        .unwrap();
    assert!(!unlocked.is_locked());
    assert_eq!(
        unlocked.accept(T0).map(|a| a.state),
        Ok(InviteState::Accepted)
    );
    // Revoked and accepted invites are not resent.
    let r = i.revoke(T0).unwrap();
    assert_eq!(
        r.resend(&token(6), ExpiryDays::DEFAULT, Patch::Keep, T0),
        Err(InviteRefusal::AlreadyRevoked)
    );
    let a = i.accept(T0).unwrap();
    assert_eq!(
        a.resend(&token(6), ExpiryDays::DEFAULT, Patch::Keep, T0),
        Err(InviteRefusal::AlreadyUsed)
    );
}

#[test]
fn rule_7_revoke_from_pending_expired_or_accepted_once() {
    let i = invite();
    let now = T0 + days(1);
    for from in [
        i.clone(),
        // expired
        Invite {
            expires_at: T0,
            ..i.clone()
        },
        i.accept(T0).unwrap(),
    ] {
        let r = from.revoke(now).unwrap();
        assert_eq!(r.state, InviteState::Revoked);
        assert_eq!(r.revoked_at, Some(now));
        assert_eq!(r.accepted_at, from.accepted_at, "the use stays on record");
        assert_eq!(r.version, from.version + 1);
        assert_eq!(r.revoke(now), Err(InviteRefusal::AlreadyRevoked), "twice");
    }
}

#[test]
fn rule_8_five_failures_lock_until_resent() {
    let mut i = invite();
    for n in 1..=MAX_FAILED_ATTEMPTS {
        assert!(!i.is_locked());
        i = i.record_failed_check(T0).unwrap();
        assert_eq!(i.failed_attempts, n);
        assert_eq!(i.version, 1 + n);
    }
    assert!(i.is_locked());
    assert_eq!(i.check_usable(T0), Err(InviteRefusal::Locked));
    assert_eq!(i.record_failed_check(T0), Err(InviteRefusal::Locked));
    assert_eq!(i.accept(T0), Err(InviteRefusal::Locked));
    // Failures are only counted on a usable invite.
    assert_eq!(
        invite().revoke(T0).unwrap().record_failed_check(T0),
        Err(InviteRefusal::AlreadyRevoked)
    );
    assert_eq!(
        invite().record_failed_check(invite().expires_at),
        Err(InviteRefusal::Expired)
    );
}

#[test]
fn identity_check_compares_names_and_records_a_missing_birth_date() {
    let dob = date!(1980 - 02 - 29);
    let on_record = patient(Some(dob));
    assert_eq!(
        check_identity(&on_record, &claim("  ZOË ", "Van  Der\tBerg", dob)),
        Ok(None)
    );
    // NFD input (o + combining diaeresis) matches the NFC record.
    assert_eq!(
        check_identity(&on_record, &claim("Zoe\u{308}", "van der berg", dob)),
        Ok(None)
    );
    for wrong in [
        claim("Zoe", "van der Berg", dob),
        claim("Zoë", "vanderBerg", dob),
        claim("Zoë", "van der Berg", date!(1980 - 03 - 01)),
        claim("", "van der Berg", dob),
    ] {
        assert_eq!(
            check_identity(&on_record, &wrong),
            Err(InviteRefusal::IdentityMismatch),
            "{wrong:?}"
        );
    }
    // No date of birth on record: the given one is to be recorded, if the names match.
    let no_dob = patient(None);
    assert_eq!(
        check_identity(&no_dob, &claim("zoë", "VAN DER BERG", dob)),
        Ok(Some(dob))
    );
    assert_eq!(
        check_identity(&no_dob, &claim("Zoey", "van der Berg", dob)),
        Err(InviteRefusal::IdentityMismatch)
    );
}

#[test]
fn custom_messages_are_plain_text_up_to_1000_characters() {
    assert_eq!(CustomMessage::parse("  "), Ok(None));
    let m = CustomMessage::parse(" Hello,\r\n\tsee you ")
        .unwrap()
        .unwrap();
    assert_eq!(m.as_str(), "Hello,\r\n\tsee you");
    assert!(CustomMessage::parse(&"é".repeat(1000)).unwrap().is_some());
    assert_eq!(
        CustomMessage::parse(&"é".repeat(1001)),
        Err(InviteRefusal::MessageTooLong)
    );
    for bad in ["a\u{0}b", "a\u{1b}[2Jb", "a\u{202E}b", "a\u{200B}b"] {
        assert_eq!(
            CustomMessage::parse(bad),
            Err(InviteRefusal::MessageCharacters),
            "{bad:?}"
        );
    }
}

#[test]
fn tokens_come_from_the_random_port_and_never_print() {
    let mut random = MockRandom::new();
    random
        .expect_bytes()
        .withf(|n| *n == TOKEN_BYTES)
        .returning(|n| vec![0xfb; n]);
    let t = InviteToken::generate(&random);
    assert_eq!(t.expose().len(), 43);
    assert!(
        t.expose()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "base64url without padding: {}",
        t.expose()
    );
    assert_eq!(t, InviteToken::from_bytes([0xfb; TOKEN_BYTES]));
    assert_eq!(format!("{t:?}"), "InviteToken(<redacted>)");
    assert_eq!(format!("{:?}", t.hash()), "TokenHash(<redacted>)");
    // SHA-256 of 32 zero bytes.
    assert_eq!(
        InviteToken::from_bytes([0; TOKEN_BYTES]).hash().as_bytes()[..4],
        [0x66, 0x68, 0x7a, 0xad]
    );
    assert!(t.hash().matches(&t));
    assert!(!t.hash().matches(&token(1)));
    assert_eq!(TokenHash::from_slice(t.hash().as_bytes()), Some(t.hash()));
    assert_eq!(TokenHash::from_slice(&[0; 31]), None);
}

#[test]
fn malformed_tokens_are_refused_without_a_lookup() {
    let good = token(7);
    assert_eq!(
        InviteToken::parse(&format!(" {} ", good.expose())),
        Ok(good.clone())
    );
    let mut padded = good.expose().to_owned();
    padded.push('=');
    let mut standard = good.expose().replace('-', "+").replace('_', "/");
    standard.replace_range(0..1, "+");
    for bad in [
        String::new(),
        "x".repeat(43),
        good.expose()[..42].to_owned(),
        padded,
        standard,
        "!".repeat(43),
    ] {
        assert_eq!(
            InviteToken::parse(&bad),
            Err(InviteRefusal::TokenInvalid),
            "{bad}"
        );
    }
    // Non-canonical trailing bits: the last character carries 4 bits of data and 2 that must be
    // zero; another spelling of the same bytes is refused.
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = good.expose().chars().last().unwrap();
    let index = ALPHABET.find(last).unwrap();
    assert_eq!(index & 0b11, 0);
    let mut twin = good.expose()[..42].to_owned();
    twin.push(ALPHABET.as_bytes()[index | 1] as char);
    assert_eq!(InviteToken::parse(&twin), Err(InviteRefusal::TokenInvalid));
}

#[test]
fn screening_status_and_last_activity_from_invite_summaries() {
    let p = PatientId(Uuid::from_u128(3));
    let now = T0 + days(1);
    let summary = |pending: Option<Timestamp>, accepted: bool| InviteSummary {
        patient_id: p,
        pending_expires_at: pending,
        accepted,
        last_event_at: T0 + days(1),
    };
    let status = |s: Option<&InviteSummary>, chat| InviteSummary::screening_status(s, chat, now);
    let sent = summary(Some(now + days(1)), false);
    let expired = summary(Some(now), false);
    let used = summary(None, true);
    let revoked = summary(None, false);
    assert_eq!(
        status(None, ChatStage::NotStarted),
        ScreeningStatus::NotInvited
    );
    assert_eq!(
        status(Some(&sent), ChatStage::NotStarted),
        ScreeningStatus::InviteSent
    );
    assert_eq!(
        status(Some(&expired), ChatStage::NotStarted),
        ScreeningStatus::InviteExpired
    );
    assert_eq!(
        status(Some(&used), ChatStage::NotStarted),
        ScreeningStatus::ChatInProgress
    );
    assert_eq!(
        status(Some(&revoked), ChatStage::NotStarted),
        ScreeningStatus::NotInvited
    );
    // The questionnaire, when known, decides.
    assert_eq!(
        status(Some(&sent), ChatStage::Completed),
        ScreeningStatus::ChatCompleted
    );
    assert_eq!(
        status(None, ChatStage::InProgress),
        ScreeningStatus::ChatInProgress
    );
    assert!(sent.has_pending_invite(now));
    assert!(!expired.has_pending_invite(now));
    assert!(!used.has_pending_invite(now));
    // lastActivity: the later of the record's update and the latest invite event.
    assert_eq!(InviteSummary::last_activity(T0, None), T0.date());
    assert_eq!(
        InviteSummary::last_activity(T0, Some(&sent)),
        date!(2026 - 03 - 02)
    );
    assert_eq!(
        InviteSummary::last_activity(T0 + days(5), Some(&sent)),
        date!(2026 - 03 - 06)
    );
}

fn name_strategy() -> impl Strategy<Value = String> {
    // Letters of several scripts, combining marks, spaces, tabs and case variants.
    proptest::collection::vec(
        proptest::sample::select(vec![
            "a", "Z", "é", "e\u{301}", "Ö", "ß", "Ł", "ñ", "李", "'", "-", " ", "\t", "  ", "Я",
            "ı",
        ]),
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn respace(s: &str, sep: &str) -> String {
    format!(
        "{sep}{}{sep}",
        s.split_whitespace().collect::<Vec<_>>().join(sep)
    )
}

proptest! {
    #[test]
    fn token_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
        let t = InviteToken::from_bytes(bytes);
        let parsed = InviteToken::parse(t.expose()).unwrap();
        prop_assert_eq!(parsed.hash(), t.hash());
        prop_assert_eq!(parsed, t.clone());
        prop_assert_eq!(t.expose().len(), 43);
        prop_assert!(t.hash().matches(&t));
    }

    #[test]
    fn distinct_tokens_have_distinct_hashes(
        a in proptest::array::uniform32(any::<u8>()),
        b in proptest::array::uniform32(any::<u8>()),
    ) {
        prop_assume!(a != b);
        prop_assert_ne!(InviteToken::from_bytes(a).hash(), InviteToken::from_bytes(b).hash());
    }

    #[test]
    fn name_normalisation_is_idempotent(s in name_strategy()) {
        let once = normalize_name(&s);
        prop_assert_eq!(normalize_name(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn names_match_themselves_in_any_case_spacing_and_form(s in name_strategy()) {
        prop_assume!(!s.trim().is_empty());
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = s.nfd().collect();
        prop_assert!(names_match(&s, &s));
        prop_assert!(names_match(&nfd, &s));
        prop_assert!(names_match(&s.to_uppercase(), &s.to_lowercase())
            || s.chars().any(|c| c == 'ß' || c == 'ı'), "case: {s:?}");
        prop_assert!(names_match(&respace(&s, " \t "), &s));
    }

    #[test]
    fn matching_is_symmetric(a in name_strategy(), b in name_strategy()) {
        prop_assert_eq!(names_match(&a, &b), names_match(&b, &a));
    }
}

#[test]
fn a_correct_answer_after_the_fifth_reservation_still_accepts() {
    let mut i = invite();
    for _ in 1..MAX_FAILED_ATTEMPTS {
        i = i.record_failed_check(T0).unwrap();
    }
    // The fifth guess reserves (and would lock) ...
    let reserved = i.record_failed_check(T0).unwrap();
    assert!(reserved.is_locked());
    // ... but it was right: the reservation is taken back and the invite used.
    let accepted = reserved.accept_reserved(T0).unwrap();
    assert_eq!(accepted.state, InviteState::Accepted);
    assert_eq!(accepted.failed_attempts, MAX_FAILED_ATTEMPTS - 1);
    assert_eq!(accepted.version, reserved.version + 1);
    // A sixth guess never gets that far.
    assert_eq!(reserved.record_failed_check(T0), Err(InviteRefusal::Locked));
}
