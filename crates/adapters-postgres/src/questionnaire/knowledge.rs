//! `KnowledgeSourceRepository` on `knowledge_sources`, and the strategies' links
//! (`chat_strategy_knowledge_sources`) as the strategy adapter reads and writes them. Sources of a
//! deleted account are invisible; a delete removes the source and its links in one transaction.

use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{accounts, chat_strategy_knowledge_sources as links, knowledge_sources};
use crate::sql::{Corrupt, found};
use crate::{Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use genascope_domain::common::{AccountId, KnowledgeSourceId, RepoError, Text, UserId};
use genascope_domain::files::names::{FileKey, SafeName};
use genascope_domain::identity::policy::ListScope;
use genascope_domain::questionnaire::knowledge::model::{
    AccessLevel, Document, KnowledgeSource, ProcessingStatus, SourceRef, SourceType, SourceUrl,
};
use genascope_domain::questionnaire::knowledge::ports::{KnowledgeSourceRepository, SourceFilter};
use std::collections::HashMap;
use time::PrimitiveDateTime;

/// A source as stored: read, and inserted.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = knowledge_sources, treat_none_as_default_value = false)]
struct SourceRow {
    id: String,
    account_id: String,
    name: String,
    description: Option<String>,
    source_type: String,
    url: Option<String>,
    file_key: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
    file_size: Option<i64>,
    processing_status: String,
    access_level: String,
    is_active: bool,
    uploaded_by: String,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

/// What an update writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = knowledge_sources, treat_none_as_null = true)]
struct SourceChanges {
    name: String,
    description: Option<String>,
    access_level: String,
    is_active: bool,
    updated_at: PrimitiveDateTime,
}

/// What a strategy shows of a linked source.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = knowledge_sources)]
struct RefRow {
    id: String,
    account_id: String,
    name: String,
    source_type: String,
    access_level: String,
    uploaded_by: String,
}

fn name(s: String) -> Result<Text<255>, Corrupt> {
    Text::parse("name", &s)
        .ok()
        .flatten()
        .ok_or(Corrupt("knowledge source name"))
}

fn vocab<T>(s: &str, parse: fn(&str) -> Option<T>, what: &'static str) -> Result<T, Corrupt> {
    parse(s).ok_or(Corrupt(what))
}

impl RefRow {
    fn into_domain(self) -> Result<SourceRef, Corrupt> {
        Ok(SourceRef {
            id: KnowledgeSourceId(parse_id(&self.id, "knowledge source id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            name: name(self.name)?,
            source_type: vocab(&self.source_type, SourceType::parse, "source type")?,
            access_level: vocab(&self.access_level, AccessLevel::parse, "access level")?,
            uploaded_by: UserId(parse_id(&self.uploaded_by, "user id")?),
        })
    }
}

impl SourceRow {
    fn into_domain(self) -> Result<KnowledgeSource, Corrupt> {
        let document = match (
            self.file_key,
            self.filename,
            self.content_type,
            self.file_size,
        ) {
            (Some(key), Some(filename), Some(content_type), Some(size)) => Some(Document {
                key: FileKey::from_trusted(key),
                filename: SafeName::from_trusted(filename),
                content_type,
                size: u64::try_from(size).map_err(|_| Corrupt("file size"))?,
            }),
            (None, None, None, None) => None,
            _ => return Err(Corrupt("knowledge document")),
        };
        Ok(KnowledgeSource {
            id: KnowledgeSourceId(parse_id(&self.id, "knowledge source id")?),
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            name: name(self.name)?,
            description: self
                .description
                .map(|d| {
                    Text::parse("description", &d)
                        .ok()
                        .flatten()
                        .ok_or(Corrupt("knowledge source description"))
                })
                .transpose()?,
            source_type: vocab(&self.source_type, SourceType::parse, "source type")?,
            url: self.url.map(SourceUrl::from_trusted),
            document,
            processing_status: vocab(
                &self.processing_status,
                ProcessingStatus::parse,
                "processing status",
            )?,
            access_level: vocab(&self.access_level, AccessLevel::parse, "access level")?,
            is_active: self.is_active,
            uploaded_by: UserId(parse_id(&self.uploaded_by, "user id")?),
            created_at: from_ts(self.created_at),
            updated_at: from_ts(self.updated_at),
        })
    }
}

impl TryFrom<&KnowledgeSource> for SourceRow {
    type Error = RepoError;

    fn try_from(s: &KnowledgeSource) -> Result<Self, RepoError> {
        let doc = s.document.as_ref();
        Ok(Self {
            id: id(s.id.0),
            account_id: id(s.account_id.0),
            name: s.name.to_string(),
            description: s.description.as_ref().map(ToString::to_string),
            source_type: s.source_type.as_str().to_owned(),
            url: s.url.as_ref().map(|u| u.as_str().to_owned()),
            file_key: doc.map(|d| d.key.as_str().to_owned()),
            filename: doc.map(|d| d.filename.as_str().to_owned()),
            content_type: doc.map(|d| d.content_type.clone()),
            file_size: doc
                .map(|d| i64::try_from(d.size))
                .transpose()
                .map_err(|e| RepoError::Unexpected(Box::new(e)))?,
            processing_status: s.processing_status.as_str().to_owned(),
            access_level: s.access_level.as_str().to_owned(),
            is_active: s.is_active,
            uploaded_by: id(s.uploaded_by.0),
            created_at: ts(s.created_at),
            updated_at: ts(s.updated_at),
        })
    }
}

type Boxed<'a> = knowledge_sources::BoxedQuery<'a, MultiBackend>;

/// Sources of live accounts.
fn visible<'a>() -> Boxed<'a> {
    knowledge_sources::table.into_boxed().filter(exists(
        accounts::table
            .filter(accounts::id.eq(knowledge_sources::account_id))
            .filter(accounts::deleted_at.is_null()),
    ))
}

fn load_one(conn: &mut DbConnection, sid: &str) -> QueryResult<KnowledgeSource> {
    let row: SourceRow = visible()
        .filter(knowledge_sources::id.eq(sid))
        .select(SourceRow::as_select())
        .first(conn)?;
    Ok(row.into_domain()?)
}

/// The linked sources of each of `strategies` (by strategy id; each list by source id).
pub(crate) fn links_of(
    conn: &mut DbConnection,
    strategies: &[String],
) -> QueryResult<HashMap<String, Vec<SourceRef>>> {
    let mut out: HashMap<String, Vec<SourceRef>> = HashMap::new();
    if strategies.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(String, RefRow)> = links::table
        .inner_join(knowledge_sources::table)
        .filter(links::strategy_id.eq_any(strategies))
        .order((links::strategy_id.asc(), links::source_id.asc()))
        .select((links::strategy_id, RefRow::as_select()))
        .load(conn)?;
    for (strategy, row) in rows {
        out.entry(strategy).or_default().push(row.into_domain()?);
    }
    Ok(out)
}

/// Replace strategy `strategy`'s links with `sources`. `Ok(false)` (nothing written) when one of
/// them no longer exists; call it before any other write of the transaction, or roll back.
pub(crate) fn replace_links(
    conn: &mut DbConnection,
    strategy: &str,
    sources: &[SourceRef],
) -> QueryResult<bool> {
    let ids: Vec<String> = sources.iter().map(|s| id(s.id.0)).collect();
    if !ids.is_empty() {
        let present: i64 = knowledge_sources::table
            .filter(knowledge_sources::id.eq_any(&ids))
            .count()
            .get_result(conn)?;
        if usize::try_from(present).unwrap_or(0) != ids.len() {
            return Ok(false);
        }
    }
    diesel::delete(links::table.filter(links::strategy_id.eq(strategy))).execute(conn)?;
    // One statement per link (at most 100): batch inserts are not portable across the two
    // backends of the MultiConnection.
    for source in &ids {
        diesel::insert_into(links::table)
            .values((links::strategy_id.eq(strategy), links::source_id.eq(source)))
            .execute(conn)?;
    }
    Ok(true)
}

#[async_trait]
impl KnowledgeSourceRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert(&self, source: &KnowledgeSource) -> Result<(), RepoError> {
        let row = SourceRow::try_from(source)?;
        self.transaction(move |conn| {
            diesel::insert_into(knowledge_sources::table)
                .values(&row)
                .execute(conn)?;
            // The account must be live (a deleted one keeps its rows, for nobody).
            let live: i64 = accounts::table
                .filter(accounts::id.eq(&row.account_id))
                .filter(accounts::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            found(usize::try_from(live).unwrap_or(0))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(source_id = %sid))]
    async fn get(&self, sid: KnowledgeSourceId) -> Result<KnowledgeSource, RepoError> {
        let sid = id(sid.0);
        self.run(move |conn| load_one(conn, &sid)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &SourceFilter) -> Result<Vec<KnowledgeSource>, RepoError> {
        let account = match filter.scope.accounts {
            ListScope::Nothing => return Ok(Vec::new()),
            ListScope::All => None,
            ListScope::Account(a) => Some(id(a.0)),
        };
        let private_of = filter.scope.private_of.map(|u| id(u.0));
        let f = *filter;
        self.run(move |conn| {
            let mut q = visible();
            if let Some(account) = account {
                q = q.filter(knowledge_sources::account_id.eq(account));
            }
            if let Some(me) = private_of {
                q = q.filter(
                    knowledge_sources::access_level
                        .eq(AccessLevel::Account.as_str())
                        .or(knowledge_sources::uploaded_by.eq(me)),
                );
            }
            if let Some(t) = f.source_type {
                q = q.filter(knowledge_sources::source_type.eq(t.as_str()));
            }
            if let Some(s) = f.processing_status {
                q = q.filter(knowledge_sources::processing_status.eq(s.as_str()));
            }
            let rows: Vec<SourceRow> = q
                .order((
                    knowledge_sources::created_at.desc(),
                    knowledge_sources::id.asc(),
                ))
                .offset(i64::from(f.skip))
                .limit(i64::from(f.limit))
                .select(SourceRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(SourceRow::into_domain)
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update(&self, after: &KnowledgeSource) -> Result<(), RepoError> {
        let row = SourceRow::try_from(after)?;
        let changes = SourceChanges {
            name: row.name,
            description: row.description,
            access_level: row.access_level,
            is_active: row.is_active,
            updated_at: row.updated_at,
        };
        let sid = row.id;
        self.transaction(move |conn| {
            let n = diesel::update(knowledge_sources::table.filter(knowledge_sources::id.eq(&sid)))
                .set(changes)
                .execute(conn)?;
            found(n)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(source_id = %sid))]
    async fn delete(&self, sid: KnowledgeSourceId) -> Result<KnowledgeSource, RepoError> {
        let sid = id(sid.0);
        self.transaction(move |conn| {
            // The links first (they reference the source), then the source: both or neither.
            diesel::delete(links::table.filter(links::source_id.eq(&sid))).execute(conn)?;
            let source = load_one(conn, &sid)?;
            let n = diesel::delete(knowledge_sources::table.filter(knowledge_sources::id.eq(&sid)))
                .execute(conn)?;
            found(n)?;
            Ok(source)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn refs(&self, ids: &[KnowledgeSourceId]) -> Result<Vec<SourceRef>, RepoError> {
        let ids: Vec<String> = ids.iter().map(|i| id(i.0)).collect();
        self.run(move |conn| {
            let rows: Vec<RefRow> = visible()
                .filter(knowledge_sources::id.eq_any(ids))
                .order(knowledge_sources::id.asc())
                .select(RefRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(RefRow::into_domain)
                .collect::<Result<_, _>>()?)
        })
        .await
    }
}
