//! The one mapping from errors to HTTP (contract §1.4). Every capability's error (identity,
//! patients, eligibility) and the edge's own refusals become an [`ApiError`] here, which knows its
//! status, headers and body. The domain names outcomes (`Denied`, `NotFound`, `Invalid`, …) and
//! field paths; where a field sat in the request (`body`, `query`, `path`, `header`) is added
//! here, `body` for the fields of domain commands. Bodies never carry internal causes; a 500 is
//! logged with its cause and the request id.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use genascope_domain::clinical::service::EligibilityError;
use genascope_domain::common::{BoxError, Entity, FieldError, Loc, RepoError, joined};
use genascope_domain::files::error::FileError;
use genascope_domain::identity::error::{AccessError, Denial, IdentityError};
use genascope_domain::invites::error::InviteError;
use genascope_domain::labs::error::LabError;
use genascope_domain::patients::error::PatientError;
use genascope_domain::questionnaire::knowledge::error::KnowledgeError;
use genascope_domain::questionnaire::sessions::error::ChatError;
use genascope_domain::questionnaire::strategies::error::StrategyError;
use genascope_domain::scheduling::error::SchedulingError;
use serde_json::json;
use std::fmt;

/// Where a request's input sat: the head of a 422 item's `loc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The JSON (or form) body.
    Body,
    /// The query string.
    Query,
    /// A path segment.
    Path,
    /// A header.
    Header,
}

impl Place {
    const fn name(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::Query => "query",
            Self::Path => "path",
            Self::Header => "header",
        }
    }

    /// `error` (a field path) located here.
    #[must_use]
    pub fn locate(self, error: FieldError) -> FieldError {
        error.under(&[Loc::from(self.name())])
    }

    /// A failure of the field `field` here.
    #[must_use]
    pub fn field(self, field: &str, msg: impl Into<String>, kind: &str) -> FieldError {
        self.locate(FieldError::new(field, msg, kind))
    }

    /// A failure of the input here as a whole (`loc` = `[place]`).
    #[must_use]
    pub fn whole(self, msg: impl Into<String>, kind: &str) -> FieldError {
        self.locate(FieldError {
            loc: Vec::new(),
            msg: msg.into(),
            kind: kind.to_owned(),
        })
    }
}

/// An error on its way out, in HTTP's terms.
#[derive(Debug)]
pub enum ApiError {
    /// 401 with `WWW-Authenticate: Bearer`.
    Unauthenticated(String),
    /// 400: refused with no field at fault.
    BadRequest(String),
    /// 403; some reasons carry an `X-Error-Code`.
    Forbidden {
        /// The sentence.
        detail: String,
        /// `X-Error-Code`, if the reason has one.
        code: Option<&'static str>,
    },
    /// 404.
    NotFound(String),
    /// 409.
    Conflict(String),
    /// 422: every item located (`loc[0]` is `body`, `query`, `path` or `header`).
    Invalid(Vec<FieldError>),
    /// 413.
    TooLarge,
    /// 413 with a sentence of its own (an upload over the size limit).
    TooLargeFile(String),
    /// 415: an upload type not allowed.
    Unsupported(String),
    /// 500 `"Upload failed"` (a storage failure while writing): the cause is logged.
    UploadFailed(BoxError),
    /// 429 with `Retry-After`.
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 429 with `Retry-After` and a sentence of its own (a locked invite: only the clinic can
    /// unlock it).
    TooManyAttempts {
        /// The sentence.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 503 with `Retry-After`: the cause is logged.
    Unavailable(BoxError),
    /// 500: the cause is logged.
    Internal(BoxError),
}

impl ApiError {
    /// 422 with `errors` (field paths) located at `place`.
    #[must_use]
    pub fn invalid(place: Place, errors: Vec<FieldError>) -> Self {
        Self::Invalid(errors.into_iter().map(|e| place.locate(e)).collect())
    }

    /// 404 "`what` not found".
    #[must_use]
    pub fn not_found(what: Entity) -> Self {
        Self::NotFound(format!("{what} not found"))
    }
}

impl From<Denial> for ApiError {
    fn from(d: Denial) -> Self {
        let code = match d {
            Denial::SimplifiedAccess => Some("SIMPLIFIED_ACCESS_RESTRICTED"),
            Denial::NotPermitted | Denial::OwnField(_) | Denial::DeleteSelf => None,
        };
        Self::Forbidden {
            detail: d.to_string(),
            code,
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        IdentityError::from(e).into()
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Unauthenticated(why) => Self::Unauthenticated(why.to_string()),
            IdentityError::Denied(d) => d.into(),
            IdentityError::NotFound(what) => Self::not_found(what),
            IdentityError::Refused(why) => Self::BadRequest(why.to_string()),
            IdentityError::Conflict(c) => Self::Conflict(c.to_string()),
            IdentityError::Invalid(errors) => Self::invalid(Place::Body, errors),
            IdentityError::RateLimited { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            IdentityError::Unavailable(cause) => Self::Unavailable(cause),
            IdentityError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<PatientError> for ApiError {
    fn from(e: PatientError) -> Self {
        match e {
            PatientError::Denied(d) => d.into(),
            PatientError::NotFound(what) => Self::not_found(what),
            PatientError::Conflict(c) => Self::Conflict(c.to_string()),
            PatientError::Invalid(errors) => Self::invalid(Place::Body, errors),
            PatientError::Identity(e) => e.into(),
            PatientError::Unavailable(cause) => Self::Unavailable(cause),
            PatientError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<InviteError> for ApiError {
    fn from(e: InviteError) -> Self {
        match e {
            InviteError::Denied(d) => d.into(),
            InviteError::NotFound(what) => Self::not_found(what),
            InviteError::Conflict(c) => Self::Conflict(c.to_string()),
            e @ (InviteError::InvalidInvite(_) | InviteError::IdentityMismatch) => {
                Self::BadRequest(e.to_string())
            }
            e @ InviteError::TooManyAttempts { retry_after_secs } => Self::TooManyAttempts {
                detail: e.to_string(),
                retry_after_secs,
            },
            InviteError::Invalid(errors) => Self::invalid(Place::Body, errors),
            InviteError::Unavailable(cause) => Self::Unavailable(cause),
            InviteError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<SchedulingError> for ApiError {
    fn from(e: SchedulingError) -> Self {
        match e {
            SchedulingError::Denied(d) => d.into(),
            SchedulingError::NotFound(what) => Self::not_found(what),
            SchedulingError::Conflict(c) => Self::Conflict(c.to_string()),
            SchedulingError::Invalid(errors) => Self::invalid(Place::Body, errors),
            SchedulingError::Unavailable(cause) => Self::Unavailable(cause),
            SchedulingError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<EligibilityError> for ApiError {
    fn from(e: EligibilityError) -> Self {
        match e {
            EligibilityError::Denied(d) => d.into(),
            EligibilityError::NotFound(what) => Self::not_found(what),
            EligibilityError::Missing(absent) => Self::NotFound(absent.to_string()),
            EligibilityError::Patients(e) => e.into(),
            EligibilityError::Unavailable(cause) => Self::Unavailable(cause),
            EligibilityError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<StrategyError> for ApiError {
    fn from(e: StrategyError) -> Self {
        match e {
            StrategyError::Denied(d) => d.into(),
            StrategyError::NotFound(what) => Self::not_found(what),
            StrategyError::Conflict(c) => Self::Conflict(c.to_string()),
            StrategyError::Invalid(errors) => Self::invalid(Place::Body, errors),
            StrategyError::Unavailable(cause) => Self::Unavailable(cause),
            StrategyError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

/// A chat session's refusals. An answer that does not fit is a 422 at `["body", "answer"]`
/// whose message (which may quote the answer) goes back to its writer and nowhere else.
impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::Denied(d) => d.into(),
            ChatError::NotFound(what) => Self::not_found(what),
            e @ (ChatError::NotActive | ChatError::NotCurrent { .. } | ChatError::NotComplete) => {
                Self::Conflict(e.to_string())
            }
            ChatError::InvalidAnswer { message } => Self::Invalid(vec![Place::Body.field(
                "answer",
                message,
                "value_error.answer",
            )]),
            ChatError::Invalid(errors) => Self::invalid(Place::Body, errors),
            ChatError::Conflict(c) => Self::Conflict(c.to_string()),
            ChatError::Unavailable(cause) => Self::Unavailable(cause),
            ChatError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

/// Labs' refusals; a webhook call whose signature does not hold is a 401 `"Invalid signature"`
/// whatever the reason (logged).
impl From<LabError> for ApiError {
    fn from(e: LabError) -> Self {
        match e {
            LabError::Denied(d) => d.into(),
            LabError::NotFound(what) => Self::not_found(what),
            LabError::Conflict(c) => Self::Conflict(c.to_string()),
            LabError::Invalid(errors) => Self::invalid(Place::Body, errors),
            e @ LabError::BadSignature(_) => Self::Unauthenticated(e.to_string()),
            LabError::Unavailable(cause) => Self::Unavailable(cause),
            LabError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<KnowledgeError> for ApiError {
    fn from(e: KnowledgeError) -> Self {
        match e {
            KnowledgeError::Denied(d) => d.into(),
            KnowledgeError::NotFound(what) => Self::not_found(what),
            KnowledgeError::Invalid(errors) => Self::invalid(Place::Body, errors),
            KnowledgeError::File(e) => e.into(),
            KnowledgeError::Unavailable(cause) => Self::Unavailable(cause),
            KnowledgeError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Denied(d) => d.into(),
            FileError::NotFound(what) => Self::not_found(what),
            e @ FileError::TooLarge { .. } => Self::TooLargeFile(e.to_string()),
            FileError::Unsupported(_) => Self::Unsupported(
                "File type not allowed, or the content does not match the extension".into(),
            ),
            FileError::Invalid(errors) => Self::invalid(Place::Body, errors),
            e @ FileError::Attached => Self::Conflict(e.to_string()),
            FileError::Unavailable(cause) => Self::Unavailable(cause),
            FileError::StoreFailed(cause) => Self::UploadFailed(cause),
            FileError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

/// Storage the edge meets itself (the shared per-address limits): an outage is a 503, anything
/// else a 500.
impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Unavailable(cause) => Self::Unavailable(cause),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthenticated(m)
            | Self::BadRequest(m)
            | Self::Forbidden { detail: m, .. }
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::TooLargeFile(m)
            | Self::Unsupported(m) => f.write_str(m),
            Self::UploadFailed(_) => f.write_str("upload failed"),
            Self::Invalid(errors) => f.write_str(&joined(errors)),
            Self::TooLarge => f.write_str("payload too large"),
            Self::TooManyRequests { .. } => f.write_str("too many requests"),
            Self::TooManyAttempts { detail, .. } => f.write_str(detail),
            Self::Unavailable(_) => f.write_str("service unavailable"),
            Self::Internal(_) => f.write_str("internal error"),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge | Self::TooLargeFile(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } | Self::TooManyAttempts { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) | Self::UploadFailed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        let body = match self {
            Self::Unauthenticated(m) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                json!({ "detail": m })
            }
            Self::BadRequest(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::TooLargeFile(m)
            | Self::Unsupported(m) => json!({ "detail": m }),
            Self::UploadFailed(cause) => {
                tracing::error!(error = %cause, "upload failed");
                json!({ "detail": "Upload failed" })
            }
            Self::Forbidden { detail, code } => {
                if let Some(code) = code {
                    res.insert_header(("X-Error-Code", *code));
                }
                json!({ "detail": detail })
            }
            Self::Invalid(errors) => json!({ "detail": errors }),
            Self::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
                json!({ "detail": "Too many requests; try again later" })
            }
            Self::TooManyAttempts {
                detail,
                retry_after_secs,
            } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
                json!({ "detail": detail })
            }
            Self::TooLarge => json!({ "detail": "Payload too large" }),
            Self::Unavailable(cause) => {
                tracing::error!(error = %cause, "dependency unavailable");
                // Every 503 is temporary: the database is back, or the load is gone, soon.
                res.insert_header((header::RETRY_AFTER, "1"));
                json!({ "detail": "Service unavailable" })
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                json!({ "detail": "Internal server error" })
            }
        };
        res.json(body)
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;
    use genascope_domain::common::StoreConflict;
    use genascope_domain::identity::error::{IdentityConflict, Refusal, Unauthenticated};
    use genascope_domain::patients::error::PatientConflict;

    fn reply(e: impl Into<ApiError>) -> (u16, serde_json::Value, Vec<(String, String)>) {
        let res = e.into().error_response();
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let bytes = res.into_body().try_into_bytes().unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or_default(),
            headers,
        )
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn simplified_access_is_the_only_403_with_an_error_code() {
        let (status, body, headers) = reply(AccessError::Denied(Denial::SimplifiedAccess));
        assert_eq!(status, 403);
        assert_eq!(
            body,
            json!({"detail": "This endpoint is not accessible with simplified access"})
        );
        assert_eq!(
            header(&headers, "x-error-code"),
            Some("SIMPLIFIED_ACCESS_RESTRICTED")
        );
        for d in [
            Denial::NotPermitted,
            Denial::OwnField("role"),
            Denial::DeleteSelf,
        ] {
            let (status, _, headers) = reply(d);
            assert_eq!(status, 403);
            assert_eq!(header(&headers, "x-error-code"), None, "{d:?}");
        }
    }

    #[test]
    fn each_outcome_has_its_status_and_sentence() {
        let cases: Vec<(ApiError, u16, serde_json::Value)> = vec![
            (
                IdentityError::Unauthenticated(Unauthenticated::BadCredentials).into(),
                401,
                json!({"detail": "Incorrect username or password"}),
            ),
            (
                IdentityError::Refused(Refusal::InactiveUser).into(),
                400,
                json!({"detail": "Inactive user"}),
            ),
            (
                IdentityError::NotFound(Entity::User).into(),
                404,
                json!({"detail": "User not found"}),
            ),
            (
                IdentityError::Conflict(IdentityConflict::LastAdmin).into(),
                409,
                json!({"detail": "Cannot remove the last active admin of the account"}),
            ),
            (
                PatientError::Conflict(PatientConflict::Store(StoreConflict::Stale)).into(),
                409,
                json!({"detail": "The record was changed by someone else since it was read; reload it and try again"}),
            ),
            (
                PatientError::Invalid(vec![FieldError::missing("email")]).into(),
                422,
                json!({"detail": [{"loc": ["body", "email"], "msg": "field required", "type": "missing"}]}),
            ),
            (
                AccessError::AccountRequired.into(),
                422,
                json!({"detail": [{"loc": ["body", "account_id"], "msg": "field required", "type": "missing"}]}),
            ),
        ];
        for (e, status, body) in cases {
            let (s, b, _) = reply(e);
            assert_eq!((s, &b), (status, &body));
        }
    }

    /// An outage is a 503 whichever capability met it: never a 400 or a 404.
    #[test]
    fn an_outage_is_503_everywhere() {
        let outage = || RepoError::Unavailable("pool timed out".into());
        for e in [
            ApiError::from(IdentityError::from(outage())),
            ApiError::from(PatientError::from(outage())),
            ApiError::from(EligibilityError::from(outage())),
            ApiError::from(PatientError::Identity(IdentityError::from(outage()))),
        ] {
            let (status, body, headers) = reply(e);
            assert_eq!(status, 503);
            assert_eq!(body, json!({"detail": "Service unavailable"}));
            assert_eq!(header(&headers, "retry-after"), Some("1"));
        }
    }
}
