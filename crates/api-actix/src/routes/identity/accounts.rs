//! Accounts.

use super::*;

/// Create an account and its first admin (super_admin).
#[utoipa::path(post, path = "/api/admin/create_account", tag = "accounts",
    request_body(content = Object, description = "name, domain?, admin_email, admin_name, admin_password, admin_confirm_password?"),
    responses((status = 201, body = AccountDto), (status = 403), (status = 409), (status = 422)))]
pub async fn create_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountCreate>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let req = create_account_command(&Body::parse(&bytes)?)?;
    let (account, admin) = state.identity.create_account(auth.principal(), req).await?;
    let mut dto = AccountDto::from(&account);
    dto.admin_user_id = Some(admin.to_string());
    Ok(HttpResponse::Created().json(dto))
}

/// The body of an account creation as a command: every bad field listed at once.
pub fn create_account_command(body: &Body) -> ApiResult<CreateAccount> {
    let mut errors = Vec::new();
    let name = body.string(&mut errors, &["name"]);
    let domain = body.string(&mut errors, &["domain"]);
    let admin_email = body.string(&mut errors, &["admin_email"]);
    let admin_name = body.string(&mut errors, &["admin_name"]);
    check(Place::Body, errors)?;
    let mut errors = Vec::new();
    let name = validate::text(&mut errors, "name", name.as_deref(), true);
    let domain = domain.and_then(|d| HostName::field(&mut errors, "domain", &d));
    let admin_email = email_field(&mut errors, "admin_email", admin_email.as_deref());
    let admin_name: Option<genascope_domain::common::Text<255>> =
        validate::text(&mut errors, "admin_name", admin_name.as_deref(), true);
    let admin_password = match body.secret("admin_password") {
        None => {
            errors.push(FieldError::missing("admin_password"));
            None
        }
        Some(pw) => NewPassword::check(
            &mut errors,
            ("admin_password", "admin_confirm_password"),
            &pw,
            body.secret("admin_confirm_password").as_deref(),
            admin_email.as_ref(),
        ),
    };
    let admin_name =
        admin_name.and_then(|n| PersonName::field(&mut errors, Some(n.as_str()), None, None));
    match (name, admin_email, admin_name, admin_password) {
        (Some(name), Some(admin_email), Some(admin_name), Some(admin_password))
            if errors.is_empty() =>
        {
            Ok(CreateAccount {
                name,
                domain,
                admin_email,
                admin_name,
                admin_password,
            })
        }
        _ => Err(ApiError::invalid(Place::Body, errors)),
    }
}

/// The console's `create-super-admin` input as a command; every bad field is named (as a field:
/// the console has no request to locate it in).
pub fn super_admin_command(
    email: &str,
    name: &str,
    password: &str,
) -> Result<CreateSuperAdmin, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = email_field(&mut errors, "email", Some(email));
    let name = PersonName::field(&mut errors, Some(name), None, None);
    let password = NewPassword::check(
        &mut errors,
        ("password", "confirm_password"),
        password,
        None,
        email.as_ref(),
    );
    match (email, name, password) {
        (Some(email), Some(name), Some(password)) if errors.is_empty() => Ok(CreateSuperAdmin {
            email,
            name,
            password,
        }),
        _ => Err(errors),
    }
}

/// List accounts (super_admin: all; admin: its own).
#[utoipa::path(get, path = "/api/accounts", tag = "accounts", responses((status = 200, body = [AccountDto]), (status = 403)))]
pub async fn list_accounts(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountList>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let status = q
        .get(&["status"])
        .and_then(|s| account_status(&mut errors, &s));
    check(Place::Query, errors)?;
    let accounts = state
        .identity
        .list_accounts(auth.principal(), q.get(&["name"]), status, page)
        .await?;
    Ok(HttpResponse::Ok().json(accounts.iter().map(AccountDto::from).collect::<Vec<_>>()))
}

/// One account.
#[utoipa::path(get, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = AccountDto), (status = 404)))]
pub async fn get_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let account = state
        .identity
        .get_account(
            auth.principal(),
            id_or_404(&id, AccountId::parse, Entity::Account)?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// Update name, domain, status or time zone.
#[utoipa::path(put, path = "/api/accounts/{id}", tag = "accounts",
    request_body(content = Object, description = "name?, domain?, status?, time_zone? (IANA name)"),
    responses((status = 200, body = AccountDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountUpdate>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, AccountId::parse, Entity::Account)?;
    let patch = account_patch(&Body::parse(&bytes)?)?;
    let account = state
        .identity
        .update_account(auth.principal(), id, patch)
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// `status` as an account status, else a collected failure.
fn account_status(errors: &mut Vec<FieldError>, raw: &str) -> Option<AccountStatus> {
    choice(
        errors,
        "status",
        raw,
        AccountStatus::parse,
        "status must be active or inactive",
    )
}

/// `time_zone` as an IANA time-zone name (`Europe/Paris`), else a collected failure.
fn time_zone_field(errors: &mut Vec<FieldError>, raw: &str) -> Option<ClinicZone> {
    let zone = ClinicZone::named(raw);
    if zone.is_none() {
        errors.push(FieldError::new(
            "time_zone",
            "time_zone must be an IANA time zone name such as Europe/Paris",
            "value_error.time_zone",
        ));
    }
    zone
}

/// The body of an account update as a patch: name and status cannot be cleared.
pub(super) fn account_patch(body: &Body) -> ApiResult<AccountPatch> {
    let mut errors = Vec::new();
    let name = body.patch_string(&mut errors, &["name"]);
    let domain = body.patch_string(&mut errors, &["domain"]);
    let status = body.patch_string(&mut errors, &["status"]);
    let time_zone = body.patch_string(&mut errors, &["time_zone"]);
    check(Place::Body, errors)?;
    let mut errors = Vec::new();
    let patch = AccountPatch {
        name: required_patch(&mut errors, "name", name, |e, v| {
            validate::text(e, "name", Some(&v), true)
        }),
        domain: match domain {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            // A value that normalises to nothing (".") clears the domain.
            Patch::Set(d) => match HostName::parse(&d) {
                Ok(Some(h)) => Patch::Set(h),
                Ok(None) => Patch::Clear,
                Err(m) => {
                    errors.push(FieldError::new("domain", m, "value_error.domain"));
                    Patch::Keep
                }
            },
        },
        status: required_patch(&mut errors, "status", status, |e, v| account_status(e, &v)),
        time_zone: required_patch(&mut errors, "time_zone", time_zone, |e, v| {
            time_zone_field(e, &v)
        }),
    };
    check(Place::Body, errors)?;
    Ok(patch)
}

/// Soft-delete an account.
#[utoipa::path(delete, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn delete_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountDelete>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, AccountId::parse, Entity::Account)?;
    state.identity.delete_account(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Account successfully deleted",
        Some(json!({"account_id": id.to_string()})),
    )))
}

// ----- users -----
