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
    account_settings (account_id) {
        account_id -> Text,
        time_zone -> Text,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        account_id -> Text,
        clinician_id -> Text,
        patient_id -> Text,
        appointment_date -> Date,
        start_time -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        duration_minutes -> Int4,
        appointment_type -> Text,
        status -> Text,
        notes -> Nullable<Text>,
        confirmation_code -> Text,
        cancel_reason -> Nullable<Text>,
        ics_sequence -> Int4,
        created_at -> Timestamp,
        updated_at -> Timestamp,
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
        seq -> Int8,
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
    availability_dates (clinician_id, slot_date) {
        clinician_id -> Text,
        slot_date -> Date,
        account_id -> Text,
        time_slots -> Text,
    }
}

diesel::table! {
    availability_patterns (id) {
        id -> Text,
        account_id -> Text,
        clinician_id -> Text,
        start_date -> Date,
        end_date -> Date,
        days -> Text,
        time_slots -> Text,
    }
}

diesel::table! {
    calendar_feed_tokens (user_id) {
        user_id -> Text,
        token_hash -> Bytea,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Text,
        session_id -> Text,
        seq -> Int4,
        role -> Text,
        message_type -> Text,
        content -> Text,
        question_id -> Nullable<Int4>,
        extracted_entities -> Nullable<Text>,
        metadata -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_sessions (id) {
        id -> Text,
        ref_id -> Text,
        account_id -> Text,
        patient_id -> Nullable<Text>,
        created_by -> Text,
        strategy_id -> Nullable<Text>,
        strategy_name -> Nullable<Text>,
        session_type -> Text,
        status -> Text,
        chat_context -> Nullable<Text>,
        answers -> Text,
        extracted_data -> Text,
        current_question -> Nullable<Int4>,
        progress_percentage -> Int4,
        message_count -> Int4,
        initial_message -> Nullable<Text>,
        assessment_id -> Nullable<Text>,
        assessment -> Nullable<Text>,
        started_at -> Timestamp,
        last_activity -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        version -> Int4,
    }
}

diesel::table! {
    chat_strategies (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        goal -> Nullable<Text>,
        patient_introduction -> Nullable<Text>,
        specialty -> Nullable<Text>,
        is_active -> Bool,
        targeting_rules -> Text,
        outcome_actions -> Text,
        version -> Int4,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    chat_strategy_knowledge_sources (strategy_id, source_id) {
        strategy_id -> Text,
        source_id -> Text,
    }
}

diesel::table! {
    denied_jtis (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    files (id) {
        id -> Text,
        owner_id -> Text,
        account_id -> Nullable<Text>,
        file_key -> Text,
        filename -> Text,
        size -> Int8,
        content_type -> Text,
        uploaded_at -> Timestamp,
        attached_kind -> Nullable<Text>,
        attached_id -> Nullable<Text>,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        account_id -> Text,
        patient_id -> Text,
        provider_id -> Nullable<Text>,
        provider_name -> Nullable<Text>,
        chat_strategy_id -> Nullable<Text>,
        chat_strategy_name -> Nullable<Text>,
        custom_message -> Nullable<Text>,
        status -> Text,
        token_hash -> Bytea,
        token_gen -> Int4,
        failed_attempts -> Int4,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    knowledge_sources (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        source_type -> Text,
        url -> Nullable<Text>,
        file_key -> Nullable<Text>,
        filename -> Nullable<Text>,
        content_type -> Nullable<Text>,
        file_size -> Nullable<Int8>,
        processing_status -> Text,
        access_level -> Text,
        is_active -> Bool,
        uploaded_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lab_events (integration_id, event_id) {
        integration_id -> Text,
        event_id -> Text,
        order_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    lab_integration_accounts (integration_id, account_id) {
        integration_id -> Text,
        account_id -> Text,
    }
}

diesel::table! {
    lab_integrations (id) {
        id -> Text,
        name -> Text,
        sealed_secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lab_orders (id) {
        id -> Text,
        account_id -> Text,
        patient_id -> Text,
        provider_id -> Text,
        test_type -> Text,
        status -> Text,
        shipping_address -> Text,
        notes -> Nullable<Text>,
        lab_reference -> Nullable<Text>,
        reason -> Nullable<Text>,
        results -> Nullable<Text>,
        result_status -> Nullable<Text>,
        report_url -> Nullable<Text>,
        report_file_id -> Nullable<Text>,
        performed_at -> Nullable<Timestamp>,
        result_notes -> Nullable<Text>,
        reported_at -> Nullable<Timestamp>,
        reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        version -> Int4,
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

diesel::joinable!(account_settings -> accounts (account_id));
diesel::joinable!(appointments -> accounts (account_id));
diesel::joinable!(appointments -> patients (patient_id));
diesel::joinable!(appointments -> users (clinician_id));
diesel::joinable!(assessments -> accounts (account_id));
diesel::joinable!(assessments -> patients (patient_id));
diesel::joinable!(assessments -> users (created_by));
diesel::joinable!(availability_dates -> accounts (account_id));
diesel::joinable!(availability_dates -> users (clinician_id));
diesel::joinable!(availability_patterns -> accounts (account_id));
diesel::joinable!(availability_patterns -> users (clinician_id));
diesel::joinable!(chat_messages -> chat_sessions (session_id));
diesel::joinable!(chat_sessions -> accounts (account_id));
diesel::joinable!(chat_sessions -> chat_strategies (strategy_id));
diesel::joinable!(chat_sessions -> patients (patient_id));
diesel::joinable!(chat_strategies -> accounts (account_id));
diesel::joinable!(chat_strategy_knowledge_sources -> chat_strategies (strategy_id));
diesel::joinable!(chat_strategy_knowledge_sources -> knowledge_sources (source_id));
diesel::joinable!(files -> accounts (account_id));
diesel::joinable!(files -> users (owner_id));
diesel::joinable!(invites -> accounts (account_id));
diesel::joinable!(invites -> patients (patient_id));
diesel::joinable!(knowledge_sources -> accounts (account_id));
diesel::joinable!(knowledge_sources -> users (uploaded_by));
diesel::joinable!(lab_events -> lab_integrations (integration_id));
diesel::joinable!(lab_events -> lab_orders (order_id));
diesel::joinable!(lab_integration_accounts -> accounts (account_id));
diesel::joinable!(lab_integration_accounts -> lab_integrations (integration_id));
diesel::joinable!(lab_orders -> accounts (account_id));
diesel::joinable!(lab_orders -> patients (patient_id));
diesel::joinable!(password_reset_tokens -> users (user_id));
diesel::joinable!(patients -> accounts (account_id));
diesel::joinable!(patients -> users (clinician_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    account_settings,
    accounts,
    appointments,
    assessments,
    audit_log,
    availability_dates,
    availability_patterns,
    calendar_feed_tokens,
    chat_messages,
    chat_sessions,
    chat_strategies,
    chat_strategy_knowledge_sources,
    denied_jtis,
    files,
    invites,
    knowledge_sources,
    lab_events,
    lab_integration_accounts,
    lab_integrations,
    lab_orders,
    login_throttle,
    outbox,
    password_reset_tokens,
    patients,
    refresh_tokens,
    users,
);
