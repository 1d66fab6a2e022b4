//! The repository test suite, written once and run against both backends: every test below
//! exists as `pg::<module>::<test>` (a fresh PostgreSQL database copied from the migrated
//! template) and `sqlite::<module>::<test>` (a fresh SQLite file). Tests run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod assessments;
mod audit;
mod connect;
mod invites;
mod labs;
mod outbox;
mod patients;
mod patients_volume;
mod principal_cache;
mod questionnaire;
mod questionnaire_steps;
mod scheduling;
mod schema;
mod support;
mod throttle;
mod tokens;
mod users;

/// Instantiate every `module: [test, ...]` for both backends.
macro_rules! on_both_backends {
    ($($module:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        mod pg {
            $(mod $module {
                $(#[tokio::test]
                async fn $test() {
                    let t = genascope_adapters_postgres::testing::pg_test_db();
                    crate::$module::$test(&t).await;
                })*
            })*
        }
        mod sqlite {
            $(mod $module {
                $(#[tokio::test]
                async fn $test() {
                    let t = genascope_adapters_postgres::testing::sqlite_test_db();
                    crate::$module::$test(&t).await;
                })*
            })*
        }
    };
}

on_both_backends! {
    labs: [orders_saves_events_and_reports],
    questionnaire: [
        strategies_unique_names_versions_and_soft_delete,
        sessions_create_answer_and_read,
        session_lists_scopes_and_stages,
        concurrent_session_writes_do_not_lose_updates,
    ],
    questionnaire_steps: [
        a_step_reads_decides_and_writes_once,
        a_step_on_an_outdated_copy_writes_nothing,
        an_answer_writes_its_row_and_audit_entry_together,
        answers_to_many_sessions_at_once,
    ],
    accounts: [
        create_with_admin_and_get,
        duplicate_admin_email_leaves_no_account,
        domain_is_unique_among_live_accounts,
        list_filters_pages_and_orders,
        update_and_soft_delete,
    ],
    users: [
        crud,
        email_is_unique_case_insensitively_and_reusable_after_delete,
        credentials,
        principal,
        set_password_revokes_refresh_tokens,
        list_filters_pages_and_orders,
        count_active_admins,
        insert_with_patient_is_one_transaction,
        concurrent_edits_of_different_fields_both_stand,
        the_last_active_admin_is_kept_atomically,
        users_of_a_deleted_account_are_hidden,
    ],
    tokens: [
        refresh_rotation_and_reuse_detection,
        refresh_invalid_expired_and_revoked,
        reset_token_is_single_use_and_expires,
        concurrent_presentations_rotate_once,
        password_changes_and_revocations_spend_reset_links,
    ],
    patients: [
        insert_and_get_view,
        duplicates_are_per_account,
        list_filters_scope_and_paging,
        update,
        concurrent_field_edits_are_not_lost,
        soft_delete_hides_and_disables_login,
        find_by_email,
        patients_of_a_deleted_account_are_hidden,
    ],
    patients_volume: [every_page_of_thousands_is_right],
    invites: [
        create_and_read_back,
        create_revokes_the_patients_other_open_invites_atomically,
        create_with_a_new_pending_patient,
        create_resolves_the_strategy_in_its_transaction,
        create_for_a_missing_foreign_or_deleted_patient_is_not_found,
        list_filters_sorts_pages_and_computes_expired,
        paging_through_hundreds_is_stable,
        other_accounts_invites_are_invisible,
        pending_by_provider_and_invites_of_a_patient,
        updates_are_optimistic,
        accept_activates_the_patient_in_one_transaction,
        one_open_invite_per_patient_under_concurrent_creates,
        summaries_for_a_page_of_patients,
        deleting_a_patient_revokes_its_invites,
        grants_for_simplified_tokens,
        changes_by_hand_evict_the_cached_grant,
    ],
    audit: [
        entries_are_appended,
        a_list_of_thousands_is_one_row,
        imports_are_atomic_with_their_audit,
        group_commit_keeps_every_entry,
        group_commit_reports_failures,
        entries_written_together_keep_every_column,
        group_commit_fails_only_the_bad_request,
        a_patient_login_is_audited_with_its_new_record,
    ],
    assessments: [
        latest_is_by_assessed_at,
        same_second_ties_go_to_the_later_stored,
        concurrent_inserts_for_one_patient_all_succeed,
        assessments_stored_before_the_seq_migration_stay_older,
    ],
    outbox: [
        a_reset_link_and_its_email_commit_or_roll_back_together,
        a_new_user_and_its_set_password_email_are_one_transaction,
        an_email_change_notice_is_part_of_the_update,
        claim_lease_backoff_dead_retry_and_sent,
        an_expired_lease_makes_a_message_due_again,
        concurrent_claimers_never_get_the_same_message,
    ],
    throttle: [
        limits_hold_across_replicas,
        concurrent_guesses_never_pass_the_free_count,
        attempts_in_flight_expire,
        forgive_clears_the_key,
        old_rows_are_pruned,
        keys_with_any_bytes_are_stored,
    ],
    scheduling: [a_clinicians_day_in_one_call],
    principal_cache: [
        every_column_a_principal_reads_evicts_it,
        repository_changes_evict_only_what_they_name,
    ],
    schema: [
        ping,
        migrations_revert_and_reapply_to_the_same_schema,
        every_foreign_key_has_an_index,
    ],
}

/// PostgreSQL only: the listener's session killed and re-established.
#[tokio::test]
async fn pg_principal_listener_comes_back() {
    let t = genascope_adapters_postgres::testing::pg_test_db();
    principal_cache::the_listener_comes_back_and_the_cache_is_bypassed_meanwhile(&t).await;
}

/// PostgreSQL only: dropping the cache stops and joins its listener thread, whether the thread
/// is listening or waiting to reconnect.
#[tokio::test]
async fn pg_principal_listener_thread_is_joined_on_drop() {
    let t = genascope_adapters_postgres::testing::pg_test_db();
    principal_cache::dropping_the_cache_joins_the_listener_thread(&t).await;
}

/// PostgreSQL only: the listener over TLS as the URL's sslmode says.
#[tokio::test]
async fn pg_principal_listener_follows_sslmode() {
    let t = genascope_adapters_postgres::testing::pg_test_db();
    principal_cache::the_listener_follows_the_urls_sslmode(&t).await;
}

/// PostgreSQL only: verify-ca / verify-full against sslrootcert.
#[tokio::test]
async fn pg_principal_listener_verifies_the_server() {
    let t = genascope_adapters_postgres::testing::pg_test_db();
    principal_cache::the_listener_verifies_the_server_against_sslrootcert(&t).await;
}

/// PostgreSQL only: a server the listener cannot verify leaves the cache bypassed.
#[tokio::test]
async fn pg_principal_listener_stays_off_when_unverified() {
    let t = genascope_adapters_postgres::testing::pg_test_db();
    principal_cache::the_listener_stays_off_when_the_server_cannot_be_verified(&t).await;
}

/// One test over both backends at once.
#[tokio::test]
async fn postgres_and_sqlite_schemas_match() {
    schema::postgres_and_sqlite_schemas_match().await;
}
