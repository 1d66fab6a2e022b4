-- The principal cache's eviction (issue #11, docs/architecture.md "The principal cache").
-- Every change to a row that authenticating a request reads (UserRepository::principal,
-- GrantRepository::grant) notifies channel `genascope_principals` with '<kind>:<id>'; every
-- genascope process LISTENs on a dedicated connection and evicts what the key names. NOTIFY is
-- delivered only when the transaction commits, to every listening session, in commit order; a
-- change made by any code path (or by hand in psql) therefore evicts on every replica.
-- Updates that change none of the columns read (e.g. the no-op UPDATE that claims a row as a
-- lock) do not notify. Identical notifications of one transaction are delivered once.
CREATE FUNCTION genascope_principal_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    col text := TG_ARGV[1];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('genascope_principals', kind || ':' || coalesce(to_jsonb(OLD) ->> col, ''));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('genascope_principals', kind || ':' || coalesce(to_jsonb(NEW) ->> col, ''));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_principal_notify AFTER UPDATE ON users FOR EACH ROW
    WHEN ((OLD.id, OLD.account_id, OLD.email, OLD.name, OLD.first_name, OLD.last_name, OLD.role,
           OLD.is_active, OLD.clinician_id, OLD.phone, OLD.password_hash, OLD.password_changed_at,
           OLD.created_at, OLD.updated_at, OLD.deleted_at)
          IS DISTINCT FROM
          (NEW.id, NEW.account_id, NEW.email, NEW.name, NEW.first_name, NEW.last_name, NEW.role,
           NEW.is_active, NEW.clinician_id, NEW.phone, NEW.password_hash, NEW.password_changed_at,
           NEW.created_at, NEW.updated_at, NEW.deleted_at))
    EXECUTE FUNCTION genascope_principal_notify('user', 'id');
CREATE TRIGGER users_principal_notify_delete AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('user', 'id');

CREATE TRIGGER accounts_principal_notify AFTER UPDATE ON accounts FOR EACH ROW
    WHEN ((OLD.id, OLD.name, OLD.status, OLD.deleted_at)
          IS DISTINCT FROM (NEW.id, NEW.name, NEW.status, NEW.deleted_at))
    EXECUTE FUNCTION genascope_principal_notify('account', 'id');
CREATE TRIGGER accounts_principal_notify_delete AFTER DELETE ON accounts FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('account', 'id');

-- A session ends when its refresh tokens are revoked (or deleted). A new token cannot end one.
CREATE TRIGGER refresh_tokens_principal_notify AFTER UPDATE ON refresh_tokens FOR EACH ROW
    WHEN ((OLD.user_id, OLD.family_id, OLD.revoked_at)
          IS DISTINCT FROM (NEW.user_id, NEW.family_id, NEW.revoked_at))
    EXECUTE FUNCTION genascope_principal_notify('user', 'user_id');
CREATE TRIGGER refresh_tokens_principal_notify_delete AFTER DELETE ON refresh_tokens FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('user', 'user_id');

-- A logout denies the access token's id. (Purging expired denials cannot revive a token.)
CREATE TRIGGER denied_jtis_principal_notify AFTER INSERT OR UPDATE ON denied_jtis FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('jti', 'jti');

CREATE TRIGGER invites_principal_notify AFTER UPDATE ON invites FOR EACH ROW
    WHEN ((OLD.id, OLD.account_id, OLD.patient_id, OLD.chat_strategy_id, OLD.status,
           OLD.token_gen, OLD.expires_at, OLD.accepted_at, OLD.revoked_at)
          IS DISTINCT FROM
          (NEW.id, NEW.account_id, NEW.patient_id, NEW.chat_strategy_id, NEW.status,
           NEW.token_gen, NEW.expires_at, NEW.accepted_at, NEW.revoked_at))
    EXECUTE FUNCTION genascope_principal_notify('invite', 'id');
CREATE TRIGGER invites_principal_notify_delete AFTER DELETE ON invites FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('invite', 'id');

CREATE TRIGGER patients_principal_notify AFTER UPDATE ON patients FOR EACH ROW
    WHEN ((OLD.id, OLD.account_id, OLD.first_name, OLD.last_name, OLD.email, OLD.phone,
           OLD.clinician_id, OLD.status, OLD.created_at, OLD.updated_at, OLD.deleted_at)
          IS DISTINCT FROM
          (NEW.id, NEW.account_id, NEW.first_name, NEW.last_name, NEW.email, NEW.phone,
           NEW.clinician_id, NEW.status, NEW.created_at, NEW.updated_at, NEW.deleted_at))
    EXECUTE FUNCTION genascope_principal_notify('patient', 'id');
CREATE TRIGGER patients_principal_notify_delete AFTER DELETE ON patients FOR EACH ROW
    EXECUTE FUNCTION genascope_principal_notify('patient', 'id');
