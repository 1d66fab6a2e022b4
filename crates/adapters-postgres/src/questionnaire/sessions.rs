//! `ChatSessionRepository` on `chat_sessions` and `chat_messages`. A session's answers, profile
//! and assessment are JSON text (PHI: never logged); writes are optimistic on `version`; a
//! completion stores the patient's assessment row in the same transaction (on PostgreSQL, the
//! same statement: `at_once`).

use super::at_once::AtOnce;
use super::batch::AnswerWrite;
use super::progress::{Progress, ProgressRow, VersionedUpdate, WholeRow};
use super::strategies::to_json;
use crate::audit::{AuditRow, write_entries};
use crate::clinical::{NewAssessmentRow, insert_assessment};
use crate::connection::writes_elsewhere;
use crate::convert::{from_ts, id, parse_id, ts};
use crate::schema::{accounts, chat_messages, chat_sessions, patients};
use crate::sql::{Corrupt, found};
use crate::{Backend, Database, DbConnection, MultiBackend};
use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use genascope_domain::audit::AuditEntry;
use genascope_domain::clinical::ports::AssessmentRecord;
use genascope_domain::common::{
    AccountId, ChatStrategyId, PatientId, RepoError, Timestamp, UserId,
};
use genascope_domain::invites::model::{ChatStage, ChatSummary};
use genascope_domain::patients::ports::ChatStages;
use genascope_domain::questionnaire::QuestionId;
use genascope_domain::questionnaire::sessions::model::{
    ChatContext, ChatMessage, ChatSession, JsonText, MessageRole, MessageType, SessionAssessment,
    SessionId, SessionStatus, SessionType,
};
use genascope_domain::questionnaire::sessions::ports::{
    ChatSessionRepository, Decide, NewSession, SessionFilter, SessionScope, SessionWrite, Stepped,
};
use std::collections::HashMap;
use time::PrimitiveDateTime;

/// Most patient ids bound in one `IN (...)` list.
const IDS_PER_QUERY: usize = 1000;

/// A session as stored: read, inserted, and written whole by an update.
#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = chat_sessions, treat_none_as_default_value = false, treat_none_as_null = true)]
struct SessionRow {
    id: String,
    ref_id: String,
    account_id: String,
    patient_id: Option<String>,
    created_by: String,
    strategy_id: Option<String>,
    strategy_name: Option<String>,
    session_type: String,
    status: String,
    chat_context: Option<String>,
    answers: String,
    extracted_data: String,
    current_question: Option<i32>,
    progress_percentage: i32,
    message_count: i32,
    initial_message: Option<String>,
    assessment_id: Option<String>,
    assessment: Option<String>,
    started_at: PrimitiveDateTime,
    last_activity: PrimitiveDateTime,
    completed_at: Option<PrimitiveDateTime>,
    ended_at: Option<PrimitiveDateTime>,
    end_reason: Option<String>,
    version: i32,
}

fn opt_uuid(s: Option<&str>, what: &'static str) -> Result<Option<uuid::Uuid>, Corrupt> {
    s.map(|s| parse_id(s, what)).transpose()
}

fn question(n: Option<i32>) -> Result<Option<QuestionId>, Corrupt> {
    n.map(|n| QuestionId::new(i64::from(n)).ok_or(Corrupt("question id")))
        .transpose()
}

fn json_value(s: &str, what: &'static str) -> Result<serde_json::Value, Corrupt> {
    serde_json::from_str(s).map_err(|_| Corrupt(what))
}

impl SessionRow {
    fn into_domain(self) -> Result<ChatSession, Corrupt> {
        let assessment = match (self.assessment_id.as_deref(), self.assessment.as_deref()) {
            (Some(aid), Some(body)) => Some(SessionAssessment {
                id: parse_id(aid, "assessment id")?,
                body: json_value(body, "session assessment")?,
            }),
            (None, None) => None,
            _ => return Err(Corrupt("session assessment")),
        };
        let chat_context = self
            .chat_context
            .as_deref()
            .map(|c| {
                ChatContext::new(json_value(c, "chat context")?)
                    .map_err(|_| Corrupt("chat context"))
            })
            .transpose()?
            .flatten();
        Ok(ChatSession {
            id: SessionId::parse(&self.id).ok_or(Corrupt("session id"))?,
            ref_id: parse_id(&self.ref_id, "session ref id")?,
            account_id: AccountId(parse_id(&self.account_id, "account id")?),
            patient_id: opt_uuid(self.patient_id.as_deref(), "patient id")?.map(PatientId),
            created_by: UserId(parse_id(&self.created_by, "creator id")?),
            strategy_id: opt_uuid(self.strategy_id.as_deref(), "strategy id")?.map(ChatStrategyId),
            strategy_name: self.strategy_name,
            session_type: SessionType::parse(&self.session_type).ok_or(Corrupt("session type"))?,
            status: SessionStatus::parse(&self.status).ok_or(Corrupt("session status"))?,
            chat_context,
            answers: serde_json::from_str(&self.answers).map_err(|_| Corrupt("session answers"))?,
            extracted_data: JsonText::parse(&self.extracted_data)
                .map_err(|_| Corrupt("extracted data"))?,
            current_question: question(self.current_question)?,
            progress_percentage: u8::try_from(self.progress_percentage)
                .map_err(|_| Corrupt("progress"))?,
            message_count: u32::try_from(self.message_count)
                .map_err(|_| Corrupt("message count"))?,
            initial_message: self.initial_message,
            assessment,
            started_at: from_ts(self.started_at),
            last_activity: from_ts(self.last_activity),
            completed_at: self.completed_at.map(from_ts),
            ended_at: self.ended_at.map(from_ts),
            end_reason: self.end_reason,
            version: self.version,
        })
    }
}

impl TryFrom<&ChatSession> for SessionRow {
    type Error = RepoError;

    fn try_from(s: &ChatSession) -> Result<Self, RepoError> {
        Ok(Self {
            id: s.id.as_str().to_owned(),
            ref_id: id(s.ref_id),
            account_id: id(s.account_id.0),
            patient_id: s.patient_id.map(|p| id(p.0)),
            created_by: id(s.created_by.0),
            strategy_id: s.strategy_id.map(|x| id(x.0)),
            strategy_name: s.strategy_name.clone(),
            session_type: s.session_type.as_str().to_owned(),
            status: s.status.as_str().to_owned(),
            chat_context: s
                .chat_context
                .as_ref()
                .map(|c| to_json(c.as_map()))
                .transpose()?,
            answers: to_json(&s.answers)?,
            extracted_data: s.extracted_data.as_str().to_owned(),
            current_question: s.current_question.map(|q| i32::from(q.get())),
            progress_percentage: i32::from(s.progress_percentage),
            message_count: i32::try_from(s.message_count).unwrap_or(i32::MAX),
            initial_message: s.initial_message.clone(),
            assessment_id: s.assessment.as_ref().map(|a| id(a.id)),
            assessment: s
                .assessment
                .as_ref()
                .map(|a| to_json(&a.body))
                .transpose()?,
            started_at: ts(s.started_at),
            last_activity: ts(s.last_activity),
            completed_at: s.completed_at.map(ts),
            ended_at: s.ended_at.map(ts),
            end_reason: s.end_reason.clone(),
            version: s.version,
        })
    }
}

/// A message as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = chat_messages, treat_none_as_default_value = false)]
struct MessageRow {
    id: String,
    session_id: String,
    seq: i32,
    role: String,
    message_type: String,
    content: String,
    question_id: Option<i32>,
    extracted_entities: Option<String>,
    metadata: Option<String>,
    created_at: PrimitiveDateTime,
}

impl MessageRow {
    fn into_domain(self) -> Result<ChatMessage, Corrupt> {
        Ok(ChatMessage {
            id: parse_id(&self.id, "message id")?,
            session_id: SessionId::parse(&self.session_id).ok_or(Corrupt("session id"))?,
            seq: u32::try_from(self.seq).map_err(|_| Corrupt("message seq"))?,
            role: MessageRole::parse(&self.role).ok_or(Corrupt("message role"))?,
            message_type: MessageType::parse(&self.message_type).ok_or(Corrupt("message type"))?,
            content: self.content,
            question_id: question(self.question_id)?,
            extracted_entities: self
                .extracted_entities
                .as_deref()
                .map(|e| json_value(e, "extracted entities"))
                .transpose()?,
            metadata: match self.metadata.as_deref().map(|m| json_value(m, "metadata")) {
                None => None,
                Some(Ok(serde_json::Value::Object(m))) => Some(m),
                Some(_) => return Err(Corrupt("metadata")),
            },
            created_at: from_ts(self.created_at),
        })
    }
}

impl TryFrom<&ChatMessage> for MessageRow {
    type Error = RepoError;

    fn try_from(m: &ChatMessage) -> Result<Self, RepoError> {
        Ok(Self {
            id: id(m.id),
            session_id: m.session_id.as_str().to_owned(),
            seq: i32::try_from(m.seq).unwrap_or(i32::MAX),
            role: m.role.as_str().to_owned(),
            message_type: m.message_type.as_str().to_owned(),
            content: m.content.clone(),
            question_id: m.question_id.map(|q| i32::from(q.get())),
            extracted_entities: m.extracted_entities.as_ref().map(to_json).transpose()?,
            metadata: m.metadata.as_ref().map(to_json).transpose()?,
            created_at: ts(m.created_at),
        })
    }
}

type Boxed<'a> = chat_sessions::BoxedQuery<'a, MultiBackend>;

/// Sessions of live accounts whose patient (if any) is live.
fn visible<'a>() -> Boxed<'a> {
    chat_sessions::table
        .into_boxed()
        .filter(account_live())
        .filter(patient_live())
}

/// The session's account is not deleted.
#[diesel::dsl::auto_type]
pub(super) fn account_live() -> _ {
    exists(
        accounts::table
            .filter(accounts::id.eq(chat_sessions::account_id))
            .filter(accounts::deleted_at.is_null()),
    )
}

/// The session has no patient, or a patient not deleted.
#[diesel::dsl::auto_type]
pub(super) fn patient_live() -> _ {
    chat_sessions::patient_id.is_null().or(exists(
        patients::table
            .filter(patients::id.nullable().eq(chat_sessions::patient_id))
            .filter(patients::deleted_at.is_null()),
    ))
}

fn load(conn: &mut DbConnection, q: Boxed<'_>) -> QueryResult<Vec<ChatSession>> {
    let rows: Vec<SessionRow> = q.select(SessionRow::as_select()).load(conn)?;
    Ok(rows
        .into_iter()
        .map(SessionRow::into_domain)
        .collect::<Result<_, _>>()?)
}

/// A session's step as decided on its stored state: the rows to write.
struct Planned {
    row: SessionRow,
    version: i32,
    messages: Vec<MessageRow>,
    assessment: Option<AssessmentRecord>,
    audit: Vec<AuditEntry>,
}

impl Planned {
    fn write(&self, conn: &mut DbConnection) -> QueryResult<Written> {
        write_session(
            conn,
            &self.row,
            self.version,
            &self.messages,
            self.assessment.as_ref(),
            &self.audit,
        )
    }

    /// PostgreSQL, a write without messages: [`Self::write`] as one statement (`at_once`),
    /// outside any transaction.
    fn write_at_once(&self, conn: &mut DbConnection) -> QueryResult<Written> {
        let assessment = self.assessment.as_ref().map(NewAssessmentRow::from);
        let audit: Vec<AuditRow> = self.audit.iter().map(AuditRow::from).collect();
        let (row, sid) = (&self.row, self.row.id.as_str());
        let wrote = if row.status == SessionStatus::Active.as_str() {
            let progress = ProgressRow::from(row);
            let update =
                VersionedUpdate::<_, Progress>::new(progress.as_changeset(), sid, self.version);
            AtOnce::new(update, sid, assessment.as_ref(), &audit).wrote(conn)?
        } else {
            let update = VersionedUpdate::<_, WholeRow>::new(row.as_changeset(), sid, self.version);
            AtOnce::new(update, sid, assessment.as_ref(), &audit).wrote(conn)?
        };
        if wrote {
            return Ok(Written::Done);
        }
        still_there(conn, sid)?;
        Ok(Written::Stale)
    }
}

impl Planned {
    /// PostgreSQL's answer writer's share of this write ([`AnswerBatcher`]): a write that keeps
    /// the session active with nothing but its one audit entry (an answer). `None` for anything
    /// else, which [`Self::write`] writes in a transaction.
    fn answer(&self) -> Option<AnswerWrite> {
        let [entry] = self.audit.as_slice() else {
            return None;
        };
        if self.row.status != SessionStatus::Active.as_str()
            || !self.messages.is_empty()
            || self.assessment.is_some()
        {
            return None;
        }
        let progress = ProgressRow::from(&self.row);
        Some(AnswerWrite::new(
            &self.row.id,
            self.version,
            &progress,
            entry,
        ))
    }

    /// The rows of `write`, and the session as it will be once written.
    fn of(write: SessionWrite) -> Result<(Self, ChatSession), RepoError> {
        let planned = Self {
            row: SessionRow::try_from(&write.after)?,
            version: write.version,
            messages: message_rows(&write.messages)?,
            assessment: write.assessment,
            audit: write.audit,
        };
        Ok((planned, write.after))
    }
}

/// Read the visible session `sid` and run `decide` on it: its write, `None` when it decided to
/// write nothing.
fn decided(
    conn: &mut DbConnection,
    sid: &str,
    decide: Decide,
) -> QueryResult<Option<SessionWrite>> {
    let current = load_one(conn, sid)?.ok_or(diesel::result::Error::NotFound)?;
    Ok(decide(&current))
}

/// The visible session `sid`, by a statement of fixed shape (kept prepared; `visible()` is
/// boxed, so its SQL is rebuilt for every call).
fn load_one(conn: &mut DbConnection, sid: &str) -> QueryResult<Option<ChatSession>> {
    let query = visible_rows()
        .filter(chat_sessions::id.eq(sid))
        .select(chat_sessions::all_columns);
    as_domain(crate::sql::first(conn, query)?)
}

/// `chat_sessions` as `visible()` filters it, unboxed (a statement of fixed shape).
#[diesel::dsl::auto_type]
fn visible_rows() -> _ {
    chat_sessions::table
        .filter(account_live())
        .filter(patient_live())
}

/// A row read with `chat_sessions::all_columns` (the table's columns, in the order of
/// [`SessionRow`]'s fields: a repository test reads every field back) on the backend's own
/// connection (`sql::first`), as the domain's session.
fn as_domain(row: Option<SessionRow>) -> QueryResult<Option<ChatSession>> {
    Ok(row.map(SessionRow::into_domain).transpose()?)
}

impl<'a> From<&'a SessionRow> for ProgressRow<'a> {
    fn from(r: &'a SessionRow) -> Self {
        Self {
            answers: &r.answers,
            extracted_data: &r.extracted_data,
            current_question: r.current_question,
            progress_percentage: r.progress_percentage,
            message_count: r.message_count,
            last_activity: r.last_activity,
            version: r.version,
        }
    }
}

/// Write `row` over its session if the stored version is still `version` and the session is
/// visible: `Ok(false)` when it moved on (or its account or patient was deleted: the caller's
/// fresh read then finds it gone), `NotFound` when the session is gone. A row that stays active
/// sets only [`ProgressRow`]'s columns.
fn write_if_version(conn: &mut DbConnection, row: &SessionRow, version: i32) -> QueryResult<bool> {
    let n = if row.status == SessionStatus::Active.as_str() {
        let progress = ProgressRow::from(row);
        let update = VersionedUpdate::<_, Progress>::new(progress.as_changeset(), &row.id, version);
        crate::sql::execute(conn, update)?
    } else {
        let update = VersionedUpdate::<_, WholeRow>::new(row.as_changeset(), &row.id, version);
        crate::sql::execute(conn, update)?
    };
    if n == 0 {
        still_there(conn, &row.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// After a versioned write changed nothing: `Ok` if session `sid` still exists (it moved on),
/// `NotFound` if it is gone.
fn still_there(conn: &mut DbConnection, sid: &str) -> QueryResult<()> {
    let exists: i64 = chat_sessions::table
        .filter(chat_sessions::id.eq(sid))
        .count()
        .get_result(conn)?;
    found(usize::try_from(exists).unwrap_or(0))
}

fn insert_messages(conn: &mut DbConnection, rows: &[MessageRow]) -> QueryResult<()> {
    // Multi-row VALUES is not portable across the two backends; a write appends at most two.
    for row in rows {
        diesel::insert_into(chat_messages::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn message_rows(messages: &[ChatMessage]) -> Result<Vec<MessageRow>, RepoError> {
    messages.iter().map(MessageRow::try_from).collect()
}

/// A session's change, inside the caller's transaction: the row if its stored version is still
/// `version`, its new messages, the assessment at completion, the audit entries.
fn write_session(
    conn: &mut DbConnection,
    row: &SessionRow,
    version: i32,
    messages: &[MessageRow],
    assessment: Option<&AssessmentRecord>,
    audit: &[AuditEntry],
) -> QueryResult<Written> {
    // Sessions, messages, assessments and audit entries; `patients` only locked on PostgreSQL.
    writes_elsewhere(conn, |conn| {
        if !write_if_version(conn, row, version)? {
            return Ok(Written::Stale);
        }
        insert_messages(conn, messages)?;
        if let Some(a) = assessment {
            insert_assessment(conn, a)?;
        }
        write_entries(conn, audit)?;
        Ok(Written::Done)
    })
}

/// What a versioned write found.
enum Written {
    Done,
    Stale,
}

impl Written {
    fn result(self) -> Result<(), RepoError> {
        match self {
            Self::Done => Ok(()),
            Self::Stale => Err(RepoError::Stale),
        }
    }
}

impl Database {
    /// A session's creation as a transaction: `ended` (the patient's active session it
    /// supersedes, and the version it was read at) first, then the row, its messages and the
    /// audit entries.
    async fn create_in_transaction(
        &self,
        row: SessionRow,
        ended: Option<(SessionRow, i32)>,
        messages: Vec<MessageRow>,
        audit: Vec<AuditEntry>,
    ) -> Result<(), RepoError> {
        self.transaction(move |conn| {
            writes_elsewhere(conn, |conn| {
                if let Some((ended, version)) = &ended
                    && !write_if_version(conn, ended, *version)?
                {
                    return Ok(Written::Stale);
                }
                diesel::insert_into(chat_sessions::table)
                    .values(&row)
                    .execute(conn)?;
                insert_messages(conn, &messages)?;
                write_entries(conn, &audit)?;
                Ok(Written::Done)
            })
        })
        .await?
        .result()
    }

    /// Write `planned`: on PostgreSQL, without messages, as one statement; else in a
    /// transaction.
    async fn write_planned(&self, planned: Planned) -> Result<Written, RepoError> {
        if self.backend() == Backend::Postgres && planned.messages.is_empty() {
            self.run(move |conn| planned.write_at_once(conn)).await
        } else {
            self.transaction(move |conn| planned.write(conn)).await
        }
    }
}

#[async_trait]
impl ChatSessionRepository for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create(&self, new: &NewSession) -> Result<(), RepoError> {
        let row = SessionRow::try_from(&new.session)?;
        let ended = new
            .supersede
            .as_ref()
            .map(|s| SessionRow::try_from(s).map(|r| (r, s.version - 1)))
            .transpose()?;
        let messages = message_rows(&new.messages)?;
        if self.backend() == Backend::Postgres && ended.is_none() && messages.is_empty() {
            // One statement: the row and its audit entries (`at_once`).
            let audit: Vec<AuditRow> = new.audit.iter().map(AuditRow::from).collect();
            let written = self
                .run(move |conn| {
                    let insert = diesel::insert_into(chat_sessions::table).values(&row);
                    AtOnce::new(insert, &row.id, None, &audit).wrote(conn)
                })
                .await?;
            // An INSERT that returned no row would have failed: never `Stale`, in fact.
            if written {
                Written::Done
            } else {
                Written::Stale
            }
            .result()?;
        } else {
            self.create_in_transaction(row, ended, messages, new.audit.clone())
                .await?;
        }
        // The first answer decides on the session as created, without reading it back.
        let cache = self.session_cache();
        if let Some(ended) = &new.supersede {
            cache.forget(ended.id.as_str());
        }
        cache.put(new.session.clone());
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get(&self, sid: &SessionId) -> Result<ChatSession, RepoError> {
        let sid = sid.as_str().to_owned();
        self.run(move |conn| load_one(conn, &sid)?.ok_or(diesel::result::Error::NotFound))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(patient_id = %patient))]
    async fn active_for_patient(
        &self,
        patient: PatientId,
    ) -> Result<Option<ChatSession>, RepoError> {
        let patient = id(patient.0);
        self.run(move |conn| {
            // A statement of fixed shape (kept prepared), as `load_one`; at most one row (a
            // unique index).
            let query = visible_rows()
                .filter(chat_sessions::patient_id.eq(patient))
                .filter(chat_sessions::status.eq(SessionStatus::Active.as_str()))
                .select(chat_sessions::all_columns);
            as_domain(crate::sql::first(conn, query)?)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list(&self, filter: &SessionFilter) -> Result<Vec<ChatSession>, RepoError> {
        let f = *filter;
        self.run(move |conn| {
            let mut q = visible();
            q = match f.scope {
                SessionScope::Nothing => return Ok(Vec::new()),
                SessionScope::All => q,
                SessionScope::Account(a) => q.filter(chat_sessions::account_id.eq(id(a.0))),
                SessionScope::Patient(a, p) => q
                    .filter(chat_sessions::account_id.eq(id(a.0)))
                    .filter(chat_sessions::patient_id.eq(id(p.0))),
                SessionScope::Creator(a, u) => q
                    .filter(chat_sessions::account_id.eq(id(a.0)))
                    .filter(chat_sessions::created_by.eq(id(u.0))),
            };
            if let Some(p) = f.patient_id {
                q = q.filter(chat_sessions::patient_id.eq(id(p.0)));
            }
            if let Some(s) = f.status {
                q = q.filter(chat_sessions::status.eq(s.as_str()));
            }
            load(
                conn,
                q.order((chat_sessions::last_activity.desc(), chat_sessions::id.asc()))
                    .limit(i64::from(f.limit)),
            )
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save(&self, write: &SessionWrite) -> Result<(), RepoError> {
        let (planned, _) = Planned::of(write.clone())?;
        self.write_planned(planned).await?.result()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn step(&self, sid: &SessionId, decide: Decide) -> Result<Stepped, RepoError> {
        let sid = sid.as_str().to_owned();
        // The decision is made on the session as this process last wrote it, if kept (`cache`),
        // else on a read from a pooled connection; the write goes to SQLite's write lane
        // (`Database::write`) or, an answer on PostgreSQL, to the answer writer (`batch`).
        let cache = self.session_cache().clone();
        let write = match cache.get(&sid) {
            Some(cached) => match decide(&cached) {
                Some(write) => write,
                None => {
                    // Nothing to write (a retry, a refusal): decided again on the stored
                    // session, never answered from the cache.
                    cache.forget(&sid);
                    return Err(RepoError::Stale);
                }
            },
            None => match self.run(move |conn| decided(conn, &sid, decide)).await? {
                Some(write) => write,
                None => return Ok(Stepped::Unchanged),
            },
        };
        let (planned, after) = Planned::of(write)?;
        let written = match (self.answer_batcher(), planned.answer()) {
            (Some(batcher), Some(answer)) => match batcher.write(answer).await {
                Ok(true) => Ok(Written::Done),
                Ok(false) => {
                    let id = after.id.as_str().to_owned();
                    self.run(move |conn| still_there(conn, &id))
                        .await
                        .map(|()| Written::Stale)
                }
                Err(e) => Err(e),
            },
            _ => self.write_planned(planned).await,
        };
        match written {
            Ok(Written::Done) => {
                cache.put(after);
                Ok(Stepped::Written)
            }
            Ok(Written::Stale) => {
                cache.forget(after.id.as_str());
                Err(RepoError::Stale)
            }
            Err(e) => {
                cache.forget(after.id.as_str());
                Err(e)
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn messages(&self, sid: &SessionId, limit: u32) -> Result<Vec<ChatMessage>, RepoError> {
        let sid = sid.as_str().to_owned();
        self.run(move |conn| {
            let mut rows: Vec<MessageRow> = chat_messages::table
                .filter(chat_messages::session_id.eq(sid))
                .order(chat_messages::seq.desc())
                .limit(i64::from(limit))
                .select(MessageRow::as_select())
                .load(conn)?;
            rows.reverse();
            Ok(rows
                .into_iter()
                .map(MessageRow::into_domain)
                .collect::<Result<_, _>>()?)
        })
        .await
    }
}

/// The patient views' chat stages (`patients::ports::ChatStages`), from the same table.
#[async_trait]
impl ChatStages for Database {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn chat_summaries(&self, patients: &[PatientId]) -> Result<Vec<ChatSummary>, RepoError> {
        let order = patients.to_vec();
        self.run(move |conn| chat_summaries(conn, &order)).await
    }
}

/// The chat summary of each of `patients` that has sessions, in their order (one query per
/// [`IDS_PER_QUERY`] patients); the patient list reads it on the list's own connection.
pub(crate) fn chat_summaries(
    conn: &mut DbConnection,
    patients: &[PatientId],
) -> QueryResult<Vec<ChatSummary>> {
    let ids: Vec<String> = patients.iter().map(|p| id(p.0)).collect();
    let mut by_patient: HashMap<PatientId, ChatSummary> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(Option<String>, String, PrimitiveDateTime)> = chat_sessions::table
            .filter(chat_sessions::patient_id.eq_any(chunk))
            .select((
                chat_sessions::patient_id,
                chat_sessions::status,
                chat_sessions::last_activity,
            ))
            .load(conn)?;
        for (patient, status, last_activity) in rows {
            let Some(patient) = patient else { continue };
            let patient = PatientId(parse_id(&patient, "patient id")?);
            let status = SessionStatus::parse(&status).ok_or(Corrupt("session status"))?;
            let at: Timestamp = from_ts(last_activity);
            let s = by_patient.entry(patient).or_insert(ChatSummary {
                patient_id: patient,
                stage: ChatStage::NotStarted,
                last_activity: at,
            });
            s.last_activity = s.last_activity.max(at);
            s.stage = match (s.stage, status) {
                (_, SessionStatus::Completed) | (ChatStage::Completed, _) => ChatStage::Completed,
                (_, SessionStatus::Active) | (ChatStage::InProgress, _) => ChatStage::InProgress,
                (stage, SessionStatus::Cancelled) => stage,
            };
        }
    }
    Ok(patients
        .iter()
        .filter_map(|p| by_patient.remove(p))
        .collect())
}
