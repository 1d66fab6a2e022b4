// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Text,
        name -> Text,
        domain -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        account_id -> Text,
        patient_id -> Text,
        created_by -> Nullable<Text>,
        assessed_at -> Timestamp,
        body -> Text,
        profile -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        record_type -> Text,
        record_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        record_count -> Nullable<Int4>,
        record_ids -> Nullable<Bytea>,
        query -> Nullable<Text>,
    }
}

diesel::table! {
    denied_jtis (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (id) {
        id -> Text,
        key_digest -> Text,
        failed -> Bool,
        at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Int4,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_reset_tokens (token_digest) {
        token_digest -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    patients (id) {
        id -> Text,
        account_id -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        external_id -> Nullable<Text>,
        clinician_id -> Nullable<Text>,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        version -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_digest -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        account_id -> Nullable<Text>,
        email -> Text,
        name -> Text,
        first_name -> Text,
        last_name -> Text,
        role -> Text,
        is_active -> Bool,
        clinician_id -> Nullable<Text>,
        phone -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        password_changed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(assessments -> accounts (account_id));
diesel::joinable!(assessments -> patients (patient_id));
diesel::joinable!(assessments -> users (created_by));
diesel::joinable!(password_reset_tokens -> users (user_id));
diesel::joinable!(patients -> accounts (account_id));
diesel::joinable!(patients -> users (clinician_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    assessments,
    audit_log,
    denied_jtis,
    login_throttle,
    outbox,
    password_reset_tokens,
    patients,
    refresh_tokens,
    users,
);
