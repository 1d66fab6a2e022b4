//! Knowledge-source use cases (contract §3.6): list, get, create (JSON), upload, update,
//! delete. Callers: the care team in its own account and super_admin (creates name the
//! account); every other role is refused before anything is read. Who sees which source is
//! [`super::policy`].
//!
//! Nothing is half-written:
//! - An upload comes in two steps, because the form's other fields (`name`, `description`,
//!   `access_level`) may follow the file part: [`KnowledgeService::stage`] checks the type
//!   (the files capability's sanitisation, sniffing and size limit) and writes the object under
//!   a fresh source id; [`KnowledgeService::finish`] then writes the row, or removes the object
//!   again when the fields are bad or the row cannot be written. An edge that fails between
//!   the two calls hands the [`Staged`] upload to [`KnowledgeService::discard`].
//! - A delete removes the row and its strategy links first (one transaction), then the object.
//!   In that order a row never names a missing object; if the object's removal fails, it is
//!   left unreachable (no row names it, and a new source never reuses its key, which holds
//!   the source's id) and logged by key for the operator. The other order could leave a row
//!   (and strategy links) pointing at nothing when the row's removal fails.

use super::error::KnowledgeError;
use super::model::{
    DEFAULT_ACCESS, Document, KnowledgeSource, NewSource, ProcessingStatus, SourceName,
    SourcePatch, SourceQuery, SourceType, UploadFields,
};
use super::policy;
use super::ports::{KnowledgeSourceRepository, SourceFilter};
use crate::common::{
    AccountId, Clock, Entity, FieldError, KnowledgeSourceId, Patch, Random, RepoError, UserId,
    to_seconds,
};
use crate::files::error::FileError;
use crate::files::names::FileKey;
use crate::files::ports::FileStore;
use crate::files::service::{Upload, check_upload};
use crate::files::types::KNOWLEDGE_TYPES;
use crate::identity::policy::{Principal, target_account};
use std::sync::Arc;
use tracing::instrument;

/// A document written to the store whose source row is not written yet: hand it to
/// [`KnowledgeService::finish`] or [`KnowledgeService::discard`].
#[derive(Debug)]
#[must_use = "a staged document must be finished or discarded"]
pub struct Staged {
    id: KnowledgeSourceId,
    account_id: AccountId,
    uploaded_by: UserId,
    document: Document,
}

impl Staged {
    /// The object's key.
    #[must_use]
    pub fn key(&self) -> &FileKey {
        &self.document.key
    }
}

/// Knowledge-source use cases.
#[derive(Clone)]
pub struct KnowledgeService {
    sources: Arc<dyn KnowledgeSourceRepository>,
    store: Arc<dyn FileStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    limit: u64,
}

impl KnowledgeService {
    /// Wire the service; `limit` is the upload size limit in bytes (the files capability's).
    #[must_use]
    pub fn new(
        sources: Arc<dyn KnowledgeSourceRepository>,
        store: Arc<dyn FileStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        limit: u64,
    ) -> Self {
        Self {
            sources,
            store,
            clock,
            random,
            limit,
        }
    }

    /// The upload size limit in bytes.
    #[must_use]
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// `GET /knowledge-sources`: a page of the sources `p` sees, newest first.
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn list(
        &self,
        p: &Principal,
        q: SourceQuery,
    ) -> Result<Vec<KnowledgeSource>, KnowledgeError> {
        let scope = policy::list_scope(p, q.account_id)?;
        let filter = SourceFilter {
            scope,
            source_type: q.source_type,
            processing_status: q.processing_status,
            skip: q.skip,
            limit: q.limit,
        };
        Ok(self.sources.list(&filter).await?)
    }

    /// `GET /knowledge-sources/{id}`.
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id, source_id = %id))]
    pub async fn get(
        &self,
        p: &Principal,
        id: KnowledgeSourceId,
    ) -> Result<KnowledgeSource, KnowledgeError> {
        policy::may_configure(p)?;
        let source = self.sources.get(id).await?;
        policy::authorize(p, &source.to_ref())?;
        Ok(source)
    }

    /// `POST /knowledge-sources`: a source without a document. `file` sources come only
    /// through the upload; `custom_link` needs its https `url`.
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn create(
        &self,
        p: &Principal,
        cmd: NewSource,
    ) -> Result<KnowledgeSource, KnowledgeError> {
        policy::may_configure(p)?;
        let account_id = target_account(p, cmd.account_id)?;
        let mut errors = Vec::new();
        if cmd.source_type == SourceType::File {
            errors.push(FieldError::new(
                "source_type",
                "a file source is created by uploading its document",
                "value_error.source_type",
            ));
        }
        if cmd.source_type == SourceType::CustomLink && cmd.url.is_none() {
            errors.push(FieldError::new(
                "url",
                "a custom_link needs an https url",
                "value_error.missing",
            ));
        }
        if !errors.is_empty() {
            return Err(KnowledgeError::Invalid(errors));
        }
        let now = to_seconds(self.clock.now());
        let source = KnowledgeSource {
            id: KnowledgeSourceId(self.random.uuid()),
            account_id,
            name: cmd.name,
            description: cmd.description,
            source_type: cmd.source_type,
            url: cmd.url,
            document: None,
            processing_status: ProcessingStatus::Completed,
            access_level: cmd.access_level.unwrap_or(DEFAULT_ACCESS),
            is_active: true,
            uploaded_by: p.user_id,
            created_at: now,
            updated_at: now,
        };
        self.sources
            .insert(&source)
            .await
            .map_err(account_not_found)?;
        Ok(source)
    }

    /// `POST /knowledge-sources/upload`, first step: check the document (type by extension
    /// among `.pdf .doc .docx .txt .md` and by content, size, not empty) and write it under
    /// `knowledge/{account_id}/{source_id}/{sanitised filename}`. `account` is the account a
    /// super_admin names (others: absent or their own).
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn stage(
        &self,
        p: &Principal,
        account: Option<AccountId>,
        upload: Upload,
    ) -> Result<Staged, KnowledgeError> {
        policy::may_configure(p)?;
        let account_id = target_account(p, account)?;
        let (name, ftype, body) = check_upload(upload, KNOWLEDGE_TYPES, self.limit).await?;
        let id = KnowledgeSourceId(self.random.uuid());
        let key = FileKey::knowledge(account_id.0, id.0, &name);
        let size = self
            .store
            .put(&key, ftype.content_type, body, self.limit)
            .await
            .map_err(|e| FileError::from_put(e, "file", self.limit))?;
        Ok(Staged {
            id,
            account_id,
            uploaded_by: p.user_id,
            document: Document {
                key,
                filename: name,
                content_type: ftype.content_type.to_owned(),
                size,
            },
        })
    }

    /// `POST /knowledge-sources/upload`, second step: write the source row for a staged
    /// document with the form's fields (`name` defaults to the sanitised filename). The object
    /// is removed again when the fields are bad or the row cannot be written.
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id))]
    pub async fn finish(
        &self,
        p: &Principal,
        staged: Staged,
        fields: Result<UploadFields, Vec<FieldError>>,
    ) -> Result<KnowledgeSource, KnowledgeError> {
        if staged.uploaded_by != p.user_id {
            self.discard(staged).await;
            return Err(KnowledgeError::Unexpected(
                "a staged upload finished by another principal".into(),
            ));
        }
        // The name defaults to the sanitised filename (≤ 120 bytes of `[A-Za-z0-9._-]`: always
        // a valid name).
        let checked = fields.and_then(|f| {
            let name = match f.name.clone() {
                Some(name) => Some(name),
                None => SourceName::parse("name", staged.document.filename.as_str())
                    .ok()
                    .flatten(),
            };
            name.map(|n| (f, n))
                .ok_or_else(|| vec![FieldError::missing("name")])
        });
        let (fields, name) = match checked {
            Ok(ok) => ok,
            Err(errors) => {
                self.discard(staged).await;
                return Err(KnowledgeError::Invalid(errors));
            }
        };
        let now = to_seconds(self.clock.now());
        let source = KnowledgeSource {
            id: staged.id,
            account_id: staged.account_id,
            name,
            description: fields.description,
            source_type: SourceType::File,
            url: None,
            document: Some(staged.document.clone()),
            processing_status: ProcessingStatus::Completed,
            access_level: fields.access_level.unwrap_or(DEFAULT_ACCESS),
            is_active: true,
            uploaded_by: p.user_id,
            created_at: now,
            updated_at: now,
        };
        if let Err(e) = self.sources.insert(&source).await {
            self.discard(staged).await;
            return Err(account_not_found(e));
        }
        Ok(source)
    }

    /// Remove a staged document whose row will not be written; a failure is logged with the
    /// key (ids and a sanitised name: no PHI).
    pub async fn discard(&self, staged: Staged) {
        self.remove_object(&staged.document.key).await;
    }

    async fn remove_object(&self, key: &FileKey) {
        if let Err(e) = self.store.delete(key).await {
            tracing::error!(error = %e, key = %key, "could not remove a knowledge document without its source");
        }
    }

    /// `PUT /knowledge-sources/{id}`: `name`, `description`, `access_level`, `is_active`.
    /// `updated_at` moves only when something changed.
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id, source_id = %id))]
    pub async fn update(
        &self,
        p: &Principal,
        id: KnowledgeSourceId,
        change: SourcePatch,
    ) -> Result<KnowledgeSource, KnowledgeError> {
        let before = self.get(p, id).await?;
        let mut after = before.clone();
        if let Some(name) = change.name {
            after.name = name;
        }
        match change.description {
            Patch::Keep => {}
            Patch::Clear => after.description = None,
            Patch::Set(d) => after.description = Some(d),
        }
        if let Some(level) = change.access_level {
            after.access_level = level;
        }
        if let Some(active) = change.is_active {
            after.is_active = active;
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = to_seconds(self.clock.now()).max(before.updated_at);
        self.sources.update(&after).await?;
        Ok(after)
    }

    /// `DELETE /knowledge-sources/{id}`: the row and its strategy links (one transaction),
    /// then the stored document (see the module's notes on the order).
    #[instrument(level = "debug", skip_all, fields(actor = %p.user_id, source_id = %id))]
    pub async fn delete(&self, p: &Principal, id: KnowledgeSourceId) -> Result<(), KnowledgeError> {
        self.get(p, id).await?;
        let removed = self.sources.delete(id).await?;
        if let Some(doc) = removed.document {
            self.remove_object(&doc.key).await;
        }
        Ok(())
    }
}

/// An insert's `NotFound` is the account's (a super_admin named one that does not exist).
fn account_not_found(e: RepoError) -> KnowledgeError {
    match e {
        RepoError::NotFound => KnowledgeError::NotFound(Entity::Account),
        other => other.into(),
    }
}
