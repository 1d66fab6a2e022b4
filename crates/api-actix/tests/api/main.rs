//! The HTTP integration suite: the real server (`Application::build`, port 0) over a fresh
//! database per test. Every test is written once and runs on both backends, as
//! `pg::<module>::<test>` (a PostgreSQL database copied from the migrated template) and
//! `sqlite::<module>::<test>` (an SQLite file). Tests run in parallel.
//!
//! A test marked `#[ignore = "BUG: ..."]` documents a contract violation of the product code;
//! run them with `--run-ignored all` (nextest) or `-- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod auth;
mod basics;
mod chat;
mod cli;
mod commands;
mod edges;
mod eligibility;
mod family;
// The FHIR R4 JSON schema check shared with the domain's tests (vendored schema).
#[path = "../../../domain/src/clinical/fhir/schema_check.rs"]
mod fhir_schema;
mod files;
mod hardening;
mod helpers;
mod import;
mod invites;
mod labs;
mod logs;
mod lynch;
mod matrix;
mod observability;
#[cfg(feature = "otel")]
mod otel;
mod outbox;
mod patients;
mod principal_cache;
mod scheduling;
mod tenancy;
mod users;

/// Instantiate every `module: [test, ...]` for both backends. A test may carry attributes
/// (e.g. `#[ignore = "BUG: ..."]`), applied to both instances.
macro_rules! on_both_backends {
    ($($module:ident: [$($(#[$attr:meta])* $test:ident),* $(,)?]),* $(,)?) => {
        mod pg {
            $(mod $module {
                $($(#[$attr])*
                #[tokio::test]
                async fn $test() {
                    let app = crate::helpers::spawn_app(
                        genascope_adapters_postgres::Backend::Postgres,
                    )
                    .await;
                    crate::$module::$test(&app).await;
                    app.shutdown().await;
                })*
            })*
        }
        mod sqlite {
            $(mod $module {
                $($(#[$attr])*
                #[tokio::test]
                async fn $test() {
                    let app = crate::helpers::spawn_app(
                        genascope_adapters_postgres::Backend::Sqlite,
                    )
                    .await;
                    crate::$module::$test(&app).await;
                    app.shutdown().await;
                })*
            })*
        }
    };
}

on_both_backends! {
    principal_cache: [
        changes_through_one_replica_take_effect_on_the_other_at_once,
        health_reports_the_principal_cache,
    ],
    observability: [
        requests_are_counted_by_route_template,
        traceparent_is_continued_or_started,
    ],
    files: [
        upload_list_download_delete_for_every_role,
        an_existing_key_is_never_overwritten,
        others_files_are_not_found,
        hostile_names_and_keys,
        types_and_empty_files,
        oversize_uploads_are_413,
        wrong_multipart_bodies,
    ],
    chat: [
        strategy_crud_versions_and_soft_delete,
        strategy_validation,
        strategy_names_are_unique_among_live_ones,
        strategy_roles_and_tenancy,
        knowledge_sources_lifecycle,
        knowledge_roles_and_tenancy,
        knowledge_bad_input,
        deleted_strategy_keeps_its_sessions_working,
        full_interview_through_submit_answer,
        an_interview_alternating_between_replicas,
        submit_answer_refusals_and_the_safe_retry,
        start_chat_ids_resume_and_replace,
        chat_roles_tenancy_and_visibility,
        full_interview_through_ai_chat_messages,
        clarifications_limits_and_ending,
        staff_preview_and_strategy_choice,
        reference_journey_mother_and_aunt_is_eligible,
        reference_journey_without_family_history_is_not_eligible,
        analyze_refusals,
        invited_patient_chats_with_the_invites_strategy,
        invited_patient_without_login_completes_the_interview,
    ],
    basics: [
        health_ready_live,
        openapi_and_docs,

        openapi_describes_every_route,
        docs_assets_are_served,

        docs_without_slash_is_not_a_redirect,
        unknown_path_is_json_404,
        register_route_does_not_exist,
        wrong_method_is_json_405,

        wrong_method_on_single_method_routes_is_405,

        wrong_method_has_allow_header,
        trailing_slash_is_never_a_redirect,
        cache_buster_query_is_ignored,
        request_id_and_cache_control_headers,
        invalid_json_is_422_json_invalid,
        json_parsed_whatever_the_content_type,
        lenient_booleans_and_numbers,
        body_over_one_mib_is_413_json,
    ],
    auth: [
        login_by_form_and_json,

        login_by_multipart,
        wrong_password_and_unknown_email_look_the_same,
        eleventh_failure_is_429,
        me_for_admin_and_super_admin,
        missing_or_bad_tokens_are_401,
        role_comes_from_the_database_not_the_claims,
        refresh_rotation_and_reuse_detection,
        reusing_the_first_token_kills_its_successor,
        logout_denies_the_access_token,
        change_password_invalidates_older_tokens,

        change_password_answers_expires_in_3600,
        change_password_revokes_older_refresh_tokens,
        password_reset_flow,
        deactivation_and_role_change_apply_at_once,

        password_reset_request_is_rate_limited,
        login_failures_are_limited_per_ip,
        per_ip_limit_counts_the_forwarded_client,
        parallel_guesses_cannot_outrun_the_limit,
        password_policy,
        refresh_fails_for_deactivated_user,
        concurrent_refresh_rotates_once,
    ],
    accounts: [
        create_on_both_routes,
        only_super_admin_creates_accounts,
        duplicate_admin_email_leaves_no_account,
        duplicate_domain_is_409,
        validation_lists_every_missing_field,
        admin_sees_only_its_own_account,
        null_and_undefined_account_ids_are_404,
        admin_updates_name_but_not_status,
        delete_account_hides_it_and_locks_its_users,
        deleted_accounts_free_their_domain,
        concurrent_creates_with_one_admin_email,
        time_zone_is_read_and_set,
    ],
    users: [
        create_and_name_rules,
        account_create_user_documented_fields,
        who_may_create_users,
        email_is_unique_case_insensitively,
        list_filters_and_order,
        self_update_rules,
        admin_manages_users,
        last_active_admin_is_protected,
        delete_rules,
        clinicians_list,
        patient_role_user_is_its_patient_record,
        lab_tech_reads_only_itself,
    ],
    patients: [
        create_shape_and_defaults,
        create_validation,
        duplicates_are_per_account,
        list_filters_order_and_paging,
        update_partial_and_clear,
        delete_rules,
        patient_invites_list,
        id_routes_accept_a_trailing_slash,
        inactive_clinician_cannot_be_assigned,
        deleting_a_patient_disables_its_login,
        long_values_are_422,
        concurrent_creates,
    ],
    import: [
        csv_import_rows_errors_and_reimport,
        csv_import_clinician_and_account,
        csv_import_file_errors,

        csv_row_numbers_count_blank_lines,
        bulk_create,
        csv_import_limits,
        csv_over_5_mib_is_413,
    ],
    edges: [
        an_attacker_cannot_lock_a_victim_out,
        parallel_correct_logins_are_never_refused,
        replicas_share_the_login_limits,
        junk_multipart_fields_are_bounded,
        reset_requests_answer_after_the_same_floor,
    ],
    matrix: [
        every_protected_route_requires_a_token,
        roles_get_their_column,
    ],
    eligibility: [
        assess_a_profile,
        invalid_profiles_name_the_field,
        who_may_assess_and_for_whom,
        assessments_are_stored_for_patients_and_read_back,
        export_writes_the_latest_stored_profile,
        export_errors_name_the_field,
        who_may_export,
    ],
    lynch: [
        assess_returns_the_lynch_block,
        stored_assessments_keep_the_lynch_block,
    ],
    family: [
        pedigree_for_the_care_team_and_the_patient,
        fhir_export_for_the_care_team_and_the_patient,
        a_fhir_bundle_is_assessed_like_its_profile,
        bad_fhir_bundles_are_422_naming_the_entry,
        exported_example_families_are_valid_fhir_r4,
    ],
    tenancy: [
        patients_of_another_account_are_404,
        patient_lists_stay_in_the_account,
        patient_writes_cannot_cross_accounts,
        users_of_another_account_are_404,
        user_lists_stay_in_the_account,
        user_writes_cannot_cross_accounts,
        accounts_of_another_account_are_404,
        role_check_comes_before_the_id,
        role_check_comes_before_ids_and_bodies,
        logout_cannot_revoke_another_users_refresh_token,
        search_wildcards_are_literal,
    ],
    scheduling: [
        explicit_recurring_and_closed_dates,
        who_may_set_and_read_availability,
        recurring_nine_stays_nine_across_daylight_saving,
        booking_rules_in_the_contracts_order,
        transitions_and_moves,
        tenancy_and_the_patients_own,
        lists_filters_and_paging,
        emails_and_the_calendar_feed,
        calendar_subscription_by_token,
        appointment_emails_carry_the_invite,
        bad_input_is_422_naming_the_field,
        a_hundred_concurrent_bookings_of_one_slot,
        seed_demo_has_availability_and_appointments,
    ],
    invites: [
        who_may_invite_and_where,
        identity_fields_and_providers,
        one_open_invite_per_patient_and_single_use,
        resend_kills_the_old_link_and_resets_the_lock,
        revoke_kills_live_simplified_tokens,
        expired_is_computed_on_read,
        verify_invite_answers_200_without_phi,
        simplified_access_token_claims_and_reach,
        five_failed_checks_lock_the_invite,
        parallel_guesses_cannot_outrun_the_lock,
        public_routes_are_limited_per_address,
        register_with_an_invite_token,
        register_with_a_simplified_token,
        list_paging_filters_aliases_and_sorts,
        pending_patient_invites_and_patient_fields,
        bulk_partial_failure_and_aliases,
        invite_email_is_queued_with_a_working_link,
        bad_input_is_4xx_naming_the_field,
        strategies_default_and_named,
        seed_demo_has_invites_in_every_status,
    ],
    labs: [
        who_may_order_and_read_where,
        who_sets_which_status,
        lists_and_filters,
        every_transition_over_http,
        results_review_and_patient_visibility,
        bad_input_is_4xx_naming_the_field,
        nothing_is_half_written,
        webhook_signatures,
        webhook_events_change_orders,
        parallel_deliveries_apply_once,
        lab_integration_command,
        lab_integration_list,
        report_files_attach_to_results,
        seed_demo_has_lab_orders_in_every_state,
    ],
    hardening: [
        list_reads_and_imports_are_one_audit_row_each,
        self_email_change_needs_password_and_ends_refresh_tokens,
        admin_email_change_notifies_and_ends_refresh_tokens,
        email_change_ends_other_access_tokens,
        per_ip_limit_ignores_spoofed_left_most_forwarded_entries,
        control_characters_are_422_naming_the_field,
        csv_row_with_control_characters_fails_alone,
        if_match_makes_patient_writes_conditional,
        concurrent_edits_of_different_fields_all_stand,
        concurrent_edits_are_never_lost_silently,
        reactivation_does_not_revive_old_tokens,
        logout_without_refresh_token_ends_the_session,
        presenting_a_logged_out_refresh_token_keeps_other_sessions,
        assess_json_errors_are_in_our_words,
        role_check_comes_before_malformed_ids,
        deleted_patient_login_can_be_recreated,
        concurrent_writes_never_500,
        outbox_files_are_owner_only,
        patients_do_not_see_staff_notes,
    ],
}

/// Tests that start their own app (other configuration), on both backends.
mod own_app {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn cors_pg() {
        crate::eligibility::cors_allows_only_configured_origins(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn cors_sqlite() {
        crate::eligibility::cors_allows_only_configured_origins(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn untrusted_forwarded_header_pg() {
        crate::auth::forwarded_header_from_an_untrusted_peer_is_ignored(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn untrusted_forwarded_header_sqlite() {
        crate::auth::forwarded_header_from_an_untrusted_peer_is_ignored(Backend::Sqlite).await;
    }

    /// Issue #6 tests that need their own configuration.
    mod hardening {
        use genascope_adapters_postgres::Backend;

        #[tokio::test]
        async fn read_rate_limit_pg() {
            crate::hardening::read_rate_limit(Backend::Postgres).await;
        }

        #[tokio::test]
        async fn read_rate_limit_sqlite() {
            crate::hardening::read_rate_limit(Backend::Sqlite).await;
        }

        #[tokio::test]
        async fn docs_can_be_switched_off_pg() {
            crate::hardening::docs_can_be_switched_off(Backend::Postgres).await;
        }

        #[tokio::test]
        async fn docs_can_be_switched_off_sqlite() {
            crate::hardening::docs_can_be_switched_off(Backend::Sqlite).await;
        }

        #[tokio::test]
        async fn production_defaults_pg() {
            crate::hardening::production_defaults(Backend::Postgres).await;
        }

        #[tokio::test]
        async fn production_defaults_sqlite() {
            crate::hardening::production_defaults(Backend::Sqlite).await;
        }
    }

    /// Invites with mail switched off.
    mod invites {
        use genascope_adapters_postgres::Backend;

        #[tokio::test]
        async fn mail_disabled_pg() {
            crate::invites::mail_disabled_means_email_sent_false(Backend::Postgres).await;
        }

        #[tokio::test]
        async fn mail_disabled_sqlite() {
            crate::invites::mail_disabled_means_email_sent_false(Backend::Sqlite).await;
        }
    }
}

/// `/metrics` behind `METRICS_TOKEN` / `METRICS_ALLOW_CIDRS` (apps of their own).
mod metrics_access {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn token_pg() {
        crate::observability::a_token_guards_the_scrape(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn token_sqlite() {
        crate::observability::a_token_guards_the_scrape(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn networks_pg() {
        crate::observability::networks_guard_the_scrape(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn networks_sqlite() {
        crate::observability::networks_guard_the_scrape(Backend::Sqlite).await;
    }
}

/// Request spans exported over OTLP/HTTP to a receiver in the test (one exporter and global
/// subscriber per process, shared by both). With the `otel` feature only.
#[cfg(feature = "otel")]
mod otel_export {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn observability_otel_export_pg() {
        crate::otel::request_span_is_exported_in_the_callers_trace(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn observability_otel_export_sqlite() {
        crate::otel::request_span_is_exported_in_the_callers_trace(Backend::Sqlite).await;
    }
}

/// Files and knowledge documents on `STORAGE_BACKEND=s3` against moto, on both backends.
mod s3_storage {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn files_and_knowledge_on_s3_pg() {
        crate::files::files_and_knowledge_sources_on_s3(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn files_and_knowledge_on_s3_sqlite() {
        crate::files::files_and_knowledge_sources_on_s3(Backend::Sqlite).await;
    }
}

/// Tests that start their own app with a short body-read timeout.
mod body_deadline {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn stalled_body_pg() {
        crate::edges::a_stalled_body_is_refused(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn stalled_body_sqlite() {
        crate::edges::a_stalled_body_is_refused(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn stalled_signed_in_body_pg() {
        crate::edges::a_stalled_json_body_of_a_signed_in_user_is_4xx(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn stalled_signed_in_body_sqlite() {
        crate::edges::a_stalled_json_body_of_a_signed_in_user_is_4xx(Backend::Sqlite).await;
    }
}

/// PostgreSQL-only tests (the database is taken away under the running app).
mod pg_only {
    #[tokio::test]
    async fn a_database_outage_fails_fast() {
        let app = crate::helpers::spawn_app(genascope_adapters_postgres::Backend::Postgres).await;
        crate::edges::a_database_outage_fails_fast(&app).await;
        app.shutdown().await;
    }

    #[tokio::test]
    async fn ready_is_503_without_database() {
        let app = crate::helpers::spawn_app(genascope_adapters_postgres::Backend::Postgres).await;
        crate::basics::ready_is_503_without_database(&app).await;
        app.shutdown().await;
    }

    /// Issue #6: a clinic of realistic size on PostgreSQL.
    mod hardening {
        #[tokio::test]
        async fn thousand_patients() {
            let app =
                crate::helpers::spawn_app(genascope_adapters_postgres::Backend::Postgres).await;
            crate::hardening::thousand_patients(&app).await;
            app.shutdown().await;
        }
    }
}

/// The durable outbox against a real SMTP server (aiosmtpd), on both backends: the real binary
/// killed with SIGKILL, and an SMTP outage under two replicas.
mod outbox_delivery {
    use genascope_adapters_postgres::Backend;

    #[tokio::test]
    async fn kill_9_then_restart_pg() {
        crate::outbox::a_message_queued_before_kill_9_is_delivered_after_restart(Backend::Postgres)
            .await;
    }

    #[tokio::test]
    async fn kill_9_then_restart_sqlite() {
        crate::outbox::a_message_queued_before_kill_9_is_delivered_after_restart(Backend::Sqlite)
            .await;
    }

    #[tokio::test]
    async fn smtp_outage_pg() {
        crate::outbox::an_smtp_outage_loses_nothing_and_sends_nothing_twice(Backend::Postgres)
            .await;
    }

    #[tokio::test]
    async fn smtp_outage_sqlite() {
        crate::outbox::an_smtp_outage_loses_nothing_and_sends_nothing_twice(Backend::Sqlite).await;
    }
}
