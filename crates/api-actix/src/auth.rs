//! The bearer-token extractor: every authenticated handler takes `Auth`, which reloads the
//! principal from storage (contract §1.6) — from the principal cache, which the database's
//! triggers evict on every replica when anything in it changes (docs/architecture.md).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use genascope_domain::identity::error::{IdentityError, Unauthenticated};
use genascope_domain::identity::service::Authenticated;
use std::future::Future;
use std::pin::Pin;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth(pub Authenticated);

impl Auth {
    /// The role check of `domain::identity::policy` for `action`, before anything of the request
    /// is read (contract §2.2 rule 6: a role that may never use a route gets 403 whatever its ids
    /// or body). The services check again, with the record in hand, for tenancy.
    pub fn may(
        &self,
        action: genascope_domain::identity::policy::Action,
    ) -> Result<(), crate::error::ApiError> {
        genascope_domain::identity::policy::require(self.principal(), action)?;
        Ok(())
    }

    /// The policy principal.
    #[must_use]
    pub fn principal(&self) -> &genascope_domain::identity::policy::Principal {
        &self.0.principal
    }
}

/// The bearer token of the `Authorization` header, if any.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let has_header = req.headers().contains_key(header::AUTHORIZATION);
        Box::pin(async move {
            let Some(state) = state else {
                return Err(ApiError::Internal("application state missing".into()));
            };
            let refused = |why| Err(IdentityError::Unauthenticated(why).into());
            match token {
                Some(t) if !t.is_empty() => Ok(Auth(state.identity.authenticate(&t).await?)),
                _ if has_header => refused(Unauthenticated::InvalidToken),
                _ => refused(Unauthenticated::NoCredentials),
            }
        })
    }
}

/// An action of `domain::identity::policy` as a type, for [`Allowed`].
pub trait Act {
    /// The action.
    const ACTION: genascope_domain::identity::policy::Action;
}

macro_rules! acts {
    ($($name:ident),* $(,)?) => {
        /// One type per policy action, so that a route declares its action once, in its
        /// signature: `auth: Allowed<act::PatientRead>`.
        pub mod act {
            $(
                #[doc = concat!("`Action::", stringify!($name), "`.")]
                #[derive(Debug)]
                pub struct $name;
                impl super::Act for $name {
                    const ACTION: genascope_domain::identity::policy::Action =
                        genascope_domain::identity::policy::Action::$name;
                }
            )*
        }
    };
}

acts!(
    Logout,
    ChangePassword,
    AccountCreate,
    AccountDelete,
    AccountList,
    AccountRead,
    AccountUpdate,
    UserList,
    UserRead,
    UserManage,
    UserUpdateSelf,
    ClinicianList,
    PatientManage,
    PatientRead,
    PatientDelete,
    AssessProfile,
    ExportPedigree,
    InviteManage,
    InviteRead,
    ChatUse,
    ChatAssessmentRead,
    StrategyManage,
    SessionAnalyze,
    LabOrderManage,
    LabResultRead,
    LabWork,
    LabIngest,
    LabCatalog,
    AvailabilityRead,
    AvailabilitySet,
    AppointmentUse,
    AppointmentList,
);

/// An authenticated caller whose role may perform `A` at all: the domain policy's role check
/// (contract §2.2 rule 6), run by the extractor, before the handler reads any id or body. The
/// services check again, with the record in hand, for tenancy.
#[derive(Debug)]
pub struct Allowed<A: Act>(pub Auth, std::marker::PhantomData<A>);

impl<A: Act> std::ops::Deref for Allowed<A> {
    type Target = Auth;

    fn deref(&self) -> &Auth {
        &self.0
    }
}

impl<A: Act + 'static> FromRequest for Allowed<A> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = Auth::from_request(req, payload);
        Box::pin(async move {
            let auth = auth.await?;
            auth.may(A::ACTION)?;
            Ok(Allowed(auth, std::marker::PhantomData))
        })
    }
}
