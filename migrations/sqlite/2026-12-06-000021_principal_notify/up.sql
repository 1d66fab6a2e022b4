-- The principal cache's eviction (issue #11, docs/architecture.md "The principal cache"): the
-- SQLite twin of the PostgreSQL triggers. Every change to a row that authenticating a request
-- reads calls genascope_principal_changed('<kind>:<id>'), an application-defined function that
-- genascope registers on each of its connections (adapters-postgres `connection.rs`): it
-- records the key, and the process evicts it once the statement's transaction has committed
-- (`Database::run`). Updates that change none of the columns read do not call it. A connection
-- without the function (the sqlite3 shell) cannot write these tables while the triggers exist:
-- stop genascope and use `genascope` commands, or see docs/operations.md.

CREATE TRIGGER users_principal_notify AFTER UPDATE ON users FOR EACH ROW
  WHEN OLD.id IS NOT NEW.id
       OR OLD.account_id IS NOT NEW.account_id
       OR OLD.email IS NOT NEW.email
       OR OLD.name IS NOT NEW.name
       OR OLD.first_name IS NOT NEW.first_name
       OR OLD.last_name IS NOT NEW.last_name
       OR OLD.role IS NOT NEW.role
       OR OLD.is_active IS NOT NEW.is_active
       OR OLD.clinician_id IS NOT NEW.clinician_id
       OR OLD.phone IS NOT NEW.phone
       OR OLD.password_hash IS NOT NEW.password_hash
       OR OLD.password_changed_at IS NOT NEW.password_changed_at
       OR OLD.created_at IS NOT NEW.created_at
       OR OLD.updated_at IS NOT NEW.updated_at
       OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
  SELECT genascope_principal_changed('user:' || OLD.id);
  SELECT genascope_principal_changed('user:' || NEW.id) WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER users_principal_notify_delete AFTER DELETE ON users FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('user:' || OLD.id);
END;

CREATE TRIGGER accounts_principal_notify AFTER UPDATE ON accounts FOR EACH ROW
  WHEN OLD.id IS NOT NEW.id
       OR OLD.name IS NOT NEW.name
       OR OLD.status IS NOT NEW.status
       OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
  SELECT genascope_principal_changed('account:' || OLD.id);
  SELECT genascope_principal_changed('account:' || NEW.id) WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER accounts_principal_notify_delete AFTER DELETE ON accounts FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('account:' || OLD.id);
END;

CREATE TRIGGER refresh_tokens_principal_notify AFTER UPDATE ON refresh_tokens FOR EACH ROW
  WHEN OLD.user_id IS NOT NEW.user_id
       OR OLD.family_id IS NOT NEW.family_id
       OR OLD.revoked_at IS NOT NEW.revoked_at
BEGIN
  SELECT genascope_principal_changed('user:' || OLD.user_id);
  SELECT genascope_principal_changed('user:' || NEW.user_id) WHERE NEW.user_id IS NOT OLD.user_id;
END;
CREATE TRIGGER refresh_tokens_principal_notify_delete AFTER DELETE ON refresh_tokens FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('user:' || OLD.user_id);
END;

CREATE TRIGGER invites_principal_notify AFTER UPDATE ON invites FOR EACH ROW
  WHEN OLD.id IS NOT NEW.id
       OR OLD.account_id IS NOT NEW.account_id
       OR OLD.patient_id IS NOT NEW.patient_id
       OR OLD.chat_strategy_id IS NOT NEW.chat_strategy_id
       OR OLD.status IS NOT NEW.status
       OR OLD.token_gen IS NOT NEW.token_gen
       OR OLD.expires_at IS NOT NEW.expires_at
       OR OLD.accepted_at IS NOT NEW.accepted_at
       OR OLD.revoked_at IS NOT NEW.revoked_at
BEGIN
  SELECT genascope_principal_changed('invite:' || OLD.id);
  SELECT genascope_principal_changed('invite:' || NEW.id) WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER invites_principal_notify_delete AFTER DELETE ON invites FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('invite:' || OLD.id);
END;

CREATE TRIGGER patients_principal_notify AFTER UPDATE ON patients FOR EACH ROW
  WHEN OLD.id IS NOT NEW.id
       OR OLD.account_id IS NOT NEW.account_id
       OR OLD.first_name IS NOT NEW.first_name
       OR OLD.last_name IS NOT NEW.last_name
       OR OLD.email IS NOT NEW.email
       OR OLD.phone IS NOT NEW.phone
       OR OLD.clinician_id IS NOT NEW.clinician_id
       OR OLD.status IS NOT NEW.status
       OR OLD.created_at IS NOT NEW.created_at
       OR OLD.updated_at IS NOT NEW.updated_at
       OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
  SELECT genascope_principal_changed('patient:' || OLD.id);
  SELECT genascope_principal_changed('patient:' || NEW.id) WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER patients_principal_notify_delete AFTER DELETE ON patients FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('patient:' || OLD.id);
END;

-- A logout denies the access token's id. (Purging expired denials cannot revive a token.)
CREATE TRIGGER denied_jtis_principal_notify AFTER INSERT ON denied_jtis FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('jti:' || NEW.jti);
END;
CREATE TRIGGER denied_jtis_principal_notify_update AFTER UPDATE ON denied_jtis FOR EACH ROW
BEGIN
  SELECT genascope_principal_changed('jti:' || OLD.jti);
  SELECT genascope_principal_changed('jti:' || NEW.jti) WHERE NEW.jti IS NOT OLD.jti;
END;
