//! `FileRepository` on `files`: the metadata of stored objects. A delete is refused while the
//! file is attached to another capability's record, in the same conditional statement.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::files;
use crate::sql::{Corrupt, found};
use crate::{Database, DbConnection};
use async_trait::async_trait;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, RepoError, UserId};
use genascope_domain::files::model::{Attachment, AttachmentKind, FileId, StoredFile};
use genascope_domain::files::names::{FileKey, SafeName};
use genascope_domain::files::ports::FileRepository;
use genascope_domain::identity::ports::Page;
use time::PrimitiveDateTime;

/// A file as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = files, treat_none_as_default_value = false)]
struct FileRow {
    id: String,
    owner_id: String,
    account_id: Option<String>,
    file_key: String,
    filename: String,
    size: i64,
    content_type: String,
    uploaded_at: PrimitiveDateTime,
    attached_kind: Option<String>,
    attached_id: Option<String>,
}

impl FileRow {
    fn into_domain(self) -> Result<StoredFile, Corrupt> {
        let attached_to = match (self.attached_kind, self.attached_id) {
            (Some(k), Some(i)) => Some(Attachment {
                kind: AttachmentKind::parse(&k).ok_or(Corrupt("attachment kind"))?,
                id: parse_id(&i, "attachment id")?,
            }),
            _ => None,
        };
        Ok(StoredFile {
            id: FileId(parse_id(&self.id, "file id")?),
            owner: UserId(parse_id(&self.owner_id, "user id")?),
            account_id: self
                .account_id
                .map(|a| parse_id(&a, "account id").map(AccountId))
                .transpose()?,
            key: FileKey::from_trusted(self.file_key),
            filename: SafeName::from_trusted(self.filename),
            size: u64::try_from(self.size).map_err(|_| Corrupt("file size"))?,
            content_type: self.content_type,
            uploaded_at: from_ts(self.uploaded_at),
            attached_to,
        })
    }
}

impl TryFrom<&StoredFile> for FileRow {
    type Error = RepoError;

    fn try_from(f: &StoredFile) -> Result<Self, RepoError> {
        Ok(Self {
            id: id(f.id.0),
            owner_id: id(f.owner.0),
            account_id: f.account_id.map(|a| id(a.0)),
            file_key: f.key.as_str().to_owned(),
            filename: f.filename.as_str().to_owned(),
            size: i64::try_from(f.size).map_err(|e| RepoError::Unexpected(Box::new(e)))?,
            content_type: f.content_type.clone(),
            uploaded_at: ts(f.uploaded_at),
            attached_kind: f.attached_to.map(|a| a.kind.as_str().to_owned()),
            attached_id: f.attached_to.map(|a| id(a.id)),
        })
    }
}

fn load(
    conn: &mut DbConnection,
    q: files::BoxedQuery<'_, crate::MultiBackend>,
) -> QueryResult<StoredFile> {
    let row: FileRow = q.select(FileRow::as_select()).first(conn)?;
    Ok(row.into_domain()?)
}

/// Set a file's attachment inside a transaction of another capability's adapter (labs attach a
/// report in the transaction that stores the results): `NotFound` when the file is absent,
/// `Ok(false)` when it is attached to another record.
pub fn attach_in(conn: &mut DbConnection, file: FileId, to: Attachment) -> QueryResult<bool> {
    let (fid, kind, aid) = (id(file.0), to.kind.as_str(), id(to.id));
    let free = files::attached_id.is_null().or(files::attached_kind
        .eq(kind)
        .and(files::attached_id.eq(&aid)));
    let n = diesel::update(files::table.filter(files::id.eq(&fid)).filter(free))
        .set((files::attached_kind.eq(kind), files::attached_id.eq(&aid)))
        .execute(conn)?;
    if n == 0 {
        let exists: i64 = files::table
            .filter(files::id.eq(&fid))
            .count()
            .get_result(conn)?;
        found(usize::try_from(exists).unwrap_or(0))?;
        return Ok(false);
    }
    Ok(true)
}

#[async_trait]
impl FileRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, file: &StoredFile) -> Result<(), RepoError> {
        let row = FileRow::try_from(file)?;
        self.transaction(move |conn| {
            diesel::insert_into(files::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(file_id = %fid))]
    async fn get(&self, fid: FileId) -> Result<StoredFile, RepoError> {
        let fid = id(fid.0);
        self.run(move |conn| load(conn, files::table.into_boxed().filter(files::id.eq(fid))))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn by_key(&self, key: &FileKey) -> Result<StoredFile, RepoError> {
        let key = key.as_str().to_owned();
        self.run(move |conn| {
            load(
                conn,
                files::table.into_boxed().filter(files::file_key.eq(key)),
            )
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_owned(&self, owner: UserId, page: Page) -> Result<Vec<StoredFile>, RepoError> {
        let owner = id(owner.0);
        self.run(move |conn| {
            let rows: Vec<FileRow> = files::table
                .filter(files::owner_id.eq(owner))
                .order((files::uploaded_at.desc(), files::id.asc()))
                .offset(i64::from(page.offset))
                .limit(i64::from(page.limit))
                .select(FileRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(FileRow::into_domain)
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(file_id = %fid))]
    async fn delete(&self, fid: FileId) -> Result<StoredFile, RepoError> {
        let fid = id(fid.0);
        let outcome = self
            .transaction(move |conn| {
                let file = load(conn, files::table.into_boxed().filter(files::id.eq(&fid)))?;
                let n = diesel::delete(
                    files::table
                        .filter(files::id.eq(&fid))
                        .filter(files::attached_id.is_null()),
                )
                .execute(conn)?;
                Ok((n > 0).then_some(file))
            })
            .await?;
        outcome.ok_or(RepoError::Conflict("file_attached"))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(file_id = %fid))]
    async fn attach(&self, fid: FileId, to: Attachment) -> Result<(), RepoError> {
        let attached = self
            .transaction(move |conn| attach_in(conn, fid, to))
            .await?;
        if attached {
            Ok(())
        } else {
            Err(RepoError::Conflict("file_attached"))
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(file_id = %fid))]
    async fn detach(&self, fid: FileId, from: Attachment) -> Result<(), RepoError> {
        let (fid, kind, aid) = (id(fid.0), from.kind.as_str(), id(from.id));
        self.transaction(move |conn| {
            diesel::update(
                files::table
                    .filter(files::id.eq(fid))
                    .filter(files::attached_kind.eq(kind))
                    .filter(files::attached_id.eq(aid)),
            )
            .set((
                files::attached_kind.eq(None::<String>),
                files::attached_id.eq(None::<String>),
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
    }
}
