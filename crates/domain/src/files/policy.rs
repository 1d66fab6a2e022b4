//! Who may do what with files (contract §3.10). Uploading and listing one's own files: any
//! full-token principal (a simplified token: 403). Reading: the owner, or whoever the
//! capability a file is attached to admits. Deleting: the owner. Anyone else: "not found",
//! exactly as if the file did not exist (another account's files included).

use super::model::StoredFile;
use crate::common::Entity;
use crate::identity::error::{AccessError, Denial};
use crate::identity::policy::{AccessType, Principal};

/// Uploading, listing one's files: a full token.
pub fn may_use_files(p: &Principal) -> Result<(), AccessError> {
    match p.access {
        AccessType::Full => Ok(()),
        AccessType::Simplified => Err(AccessError::Denied(Denial::SimplifiedAccess)),
    }
}

/// Whether `p` reads `file` as its owner.
#[must_use]
pub fn is_owner(p: &Principal, file: &StoredFile) -> bool {
    p.access == AccessType::Full && file.owner == p.user_id
}

/// Reading a file: its owner; otherwise `attachment_grants` (what the attaching capability
/// said, `false` when the file is not attached) decides; else "not found".
pub fn may_read(
    p: &Principal,
    file: &StoredFile,
    attachment_grants: bool,
) -> Result<(), AccessError> {
    may_use_files(p)?;
    if is_owner(p, file) || (file.attached_to.is_some() && attachment_grants) {
        Ok(())
    } else {
        Err(AccessError::NotFound(Entity::File))
    }
}

/// Deleting a file: its owner only.
pub fn may_delete(p: &Principal, file: &StoredFile) -> Result<(), AccessError> {
    may_use_files(p)?;
    if is_owner(p, file) {
        Ok(())
    } else {
        Err(AccessError::NotFound(Entity::File))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::{AccountId, UserId};
    use crate::files::model::{Attachment, AttachmentKind, FileId};
    use crate::files::names::{FileKey, sanitize};
    use crate::identity::model::Role;
    use uuid::Uuid;

    fn principal(role: Role, user: UserId, access: AccessType) -> Principal {
        Principal {
            user_id: user,
            role,
            account_id: Some(AccountId(Uuid::new_v4())),
            access,
            jti: "j".into(),
            token_exp: 0,
            session: None,
            grant: None,
        }
    }

    fn file(owner: UserId, attached: bool) -> StoredFile {
        let name = sanitize("r.pdf");
        StoredFile {
            id: FileId(Uuid::new_v4()),
            owner,
            account_id: None,
            key: FileKey::upload(owner.0, &name),
            filename: name,
            size: 1,
            content_type: "application/pdf".into(),
            uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
            attached_to: attached.then_some(Attachment {
                kind: AttachmentKind::LabResult,
                id: Uuid::new_v4(),
            }),
        }
    }

    #[test]
    fn owners_read_and_delete_others_get_not_found_attachments_decide_reads() {
        let me = UserId(Uuid::new_v4());
        let other = UserId(Uuid::new_v4());
        // (owner of the file, attached, grant, role of the reader, expected read, expected delete)
        let table = [
            (me, false, false, Role::Patient, true, true),
            (me, true, false, Role::Clinician, true, true),
            (other, false, false, Role::SuperAdmin, false, false),
            (other, false, true, Role::Admin, false, false),
            (other, true, true, Role::Clinician, true, false),
            (other, true, false, Role::Clinician, false, false),
        ];
        for (owner, attached, grant, role, read, delete) in table {
            let p = principal(role, me, AccessType::Full);
            let f = file(owner, attached);
            assert_eq!(may_read(&p, &f, grant).is_ok(), read, "{role} read");
            assert_eq!(may_delete(&p, &f).is_ok(), delete, "{role} delete");
            if !read {
                assert!(matches!(
                    may_read(&p, &f, grant),
                    Err(AccessError::NotFound(Entity::File))
                ));
            }
        }
    }

    #[test]
    fn a_simplified_token_is_refused_before_any_record() {
        let me = UserId(Uuid::new_v4());
        let p = principal(Role::Patient, me, AccessType::Simplified);
        assert!(matches!(
            may_read(&p, &file(me, false), true),
            Err(AccessError::Denied(Denial::SimplifiedAccess))
        ));
        assert!(may_use_files(&p).is_err());
    }
}
