//! Users and clinicians.

use super::*;

fn user_filter(q: &Query, errors: &mut Vec<FieldError>) -> Result<UserFilter, ApiError> {
    let mut roles = Vec::new();
    for r in q
        .get(&["role"])
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        match Role::parse(r) {
            Some(role) => roles.push(role),
            None => errors.push(FieldError::new(
                "role",
                format!("unknown role {r:?}"),
                "type_error.enum",
            )),
        }
    }
    // An id that cannot exist matches nothing.
    let account_id = q
        .get(&["account_id"])
        .map(|s| AccountId::parse(&s).unwrap_or(AccountId(uuid::Uuid::nil())));
    Ok(UserFilter {
        account_id,
        roles,
        search: q.search(errors, &["search"]),
        is_active: q.boolean(errors, "is_active"),
    })
}

/// List users of the caller's account (super_admin: any, `account_id` filter).
#[utoipa::path(get, path = "/api/users", tag = "users", responses((status = 200, body = [UserDto]), (status = 403)))]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Allowed<act::UserList>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let filter = user_filter(&q, &mut errors)?;
    check(Place::Query, errors)?;
    let users = state
        .identity
        .list_users(auth.principal(), filter, page, false)
        .await?;
    Ok(HttpResponse::Ok().json(users.iter().map(UserDto::from).collect::<Vec<_>>()))
}

/// Active clinicians, physicians and admins of the account.
#[utoipa::path(get, path = "/api/clinicians", tag = "users", responses((status = 200, body = [UserDto]), (status = 403)))]
pub async fn list_clinicians(
    state: web::Data<AppState>,
    auth: Allowed<act::ClinicianList>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = Query::parse(req.query_string());
    let mut errors = Vec::new();
    let page = page_a(&q, &mut errors);
    let mut filter = user_filter(&q, &mut errors)?;
    filter.roles.clear();
    check(Place::Query, errors)?;
    let users = state
        .identity
        .list_users(auth.principal(), filter, page, true)
        .await?;
    Ok(HttpResponse::Ok().json(users.iter().map(UserDto::from).collect::<Vec<_>>()))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", responses((status = 200, body = UserDto), (status = 404)))]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Allowed<act::UserRead>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let user = state
        .identity
        .get_user(
            auth.principal(),
            id_or_404(&id, UserId::parse, Entity::User)?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(&user)))
}

/// `role` as a role, else a collected failure.
fn role(errors: &mut Vec<FieldError>, raw: &str) -> Option<Role> {
    choice(errors, "role", raw, Role::parse, "unknown role")
}

/// The body of a user creation as a command: every bad field listed at once.
pub fn create_user_command(body: &Body) -> ApiResult<CreateUser> {
    let mut errors = Vec::new();
    let email = body.string(&mut errors, &["email"]);
    let name = body.string(&mut errors, &["name"]);
    let first_name = body.string(&mut errors, &["first_name"]);
    let last_name = body.string(&mut errors, &["last_name"]);
    let role_raw = body.string(&mut errors, &["role"]);
    let account_id = body.id(&mut errors, "account_id", AccountId::parse)?;
    let is_active = body.boolean(&mut errors, "is_active");
    let phone = body.string(&mut errors, &["phone"]);
    let clinician_id = body.id(&mut errors, "clinician_id", UserId::parse)?;
    check(Place::Body, errors)?;
    let mut errors = Vec::new();
    let email = email_field(&mut errors, "email", email.as_deref());
    let name = PersonName::field(
        &mut errors,
        name.as_deref(),
        first_name.as_deref(),
        last_name.as_deref(),
    );
    let role = match role_raw {
        None => {
            errors.push(FieldError::missing("role"));
            None
        }
        Some(r) => role(&mut errors, &r),
    };
    let password = body.secret("password").and_then(|pw| {
        NewPassword::check(
            &mut errors,
            ("password", "confirm_password"),
            &pw,
            body.secret("confirm_password").as_deref(),
            email.as_ref(),
        )
    });
    let phone = validate::phone(&mut errors, "phone", phone.as_deref());
    match (email, name, role) {
        (Some(email), Some(name), Some(role)) if errors.is_empty() => Ok(CreateUser {
            email,
            name,
            role,
            password,
            account_id,
            is_active: is_active.unwrap_or(true),
            phone,
            clinician_id,
        }),
        _ => Err(ApiError::invalid(Place::Body, errors)),
    }
}

/// The body of a user update as a patch: names, email, role and the active flag cannot be
/// cleared.
pub(super) fn user_patch(body: &Body) -> ApiResult<UserPatch> {
    let mut errors = Vec::new();
    let name = body.patch_string(&mut errors, &["name"]);
    let first_name = body.patch_string(&mut errors, &["first_name"]);
    let last_name = body.patch_string(&mut errors, &["last_name"]);
    let email = body.patch_string(&mut errors, &["email"]);
    let phone = body.patch_string(&mut errors, &["phone"]);
    let role_raw = body.patch_string(&mut errors, &["role"]);
    let is_active = body.patch_boolean(&mut errors, "is_active");
    let clinician_id = body.patch_id(&mut errors, "clinician_id", UserId::parse)?;
    let account_id = body.patch_id(&mut errors, "account_id", AccountId::parse)?;
    check(Place::Body, errors)?;
    let mut errors = Vec::new();
    let patch = UserPatch {
        names: name_change(&mut errors, [name, first_name, last_name]),
        email: required_patch(&mut errors, "email", email, |e, v| {
            Email::parse(&v)
                .map_err(|m| e.push(FieldError::new("email", m, "value_error.email")))
                .ok()
        }),
        phone: optional_patch(&mut errors, phone, |e, v| {
            validate::phone(e, "phone", Some(&v))
        }),
        role: required_patch(&mut errors, "role", role_raw, |e, v| role(e, &v)),
        is_active: required_patch(&mut errors, "is_active", is_active, |_, b| Some(b)),
        clinician_id,
        account_id,
        current_password: body.secret("current_password").map(Password::new),
    };
    check(Place::Body, errors)?;
    Ok(patch)
}

/// The name parts of an update: none may be cleared; those sent are checked together.
fn name_change(errors: &mut Vec<FieldError>, parts: [Patch<String>; 3]) -> Option<NameChange> {
    if parts.iter().any(|p| matches!(p, Patch::Clear)) {
        errors.push(FieldError::new(
            "name",
            "names cannot be cleared",
            "missing",
        ));
        return None;
    }
    let [name, first, last] = parts.map(|p| match p {
        Patch::Set(v) => Some(v),
        Patch::Keep | Patch::Clear => None,
    });
    NameChange::parse(name.as_deref(), first.as_deref(), last.as_deref())
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
}

/// Create a user (admin: own account; super_admin).
#[utoipa::path(post, path = "/api/users", tag = "users", responses((status = 201, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Allowed<act::UserManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let req = create_user_command(&Body::parse(&bytes)?)?;
    // A patient's login comes with its patient record: that is the patients capability's.
    let user = if req.role == Role::Patient {
        state.patients.create_login(auth.principal(), req).await?
    } else {
        state.identity.create_user(auth.principal(), req).await?
    };
    Ok(HttpResponse::Created().json(UserDto::from(&user)))
}

/// Update a user: self (names, email, phone), admin, or super_admin.
#[utoipa::path(put, path = "/api/users/{id}", tag = "users", responses((status = 200, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, UserId::parse, Entity::User)?;
    let patch = user_patch(&Body::parse(&bytes)?)?;
    let user = state
        .identity
        .update_user(auth.principal(), id, patch)
        .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(&user)))
}

/// Soft-delete a user.
#[utoipa::path(delete, path = "/api/users/{id}", tag = "users", responses((status = 200, body = MessageDto), (status = 403), (status = 404), (status = 409)))]
pub async fn delete_user(
    state: web::Data<AppState>,
    auth: Allowed<act::UserManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, UserId::parse, Entity::User)?;
    state.identity.delete_user(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "User successfully deleted",
        Some(json!({"user_id": id.to_string()})),
    )))
}

/// Email a user a password-reset link.
#[utoipa::path(post, path = "/api/users/{id}/password-reset", tag = "users", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn send_user_reset(
    state: web::Data<AppState>,
    auth: Allowed<act::UserManage>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, UserId::parse, Entity::User)?;
    state
        .identity
        .send_password_reset(auth.principal(), id)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Password reset email sent",
        Some(json!({"user_id": id.to_string()})),
    )))
}

/// Create an account and its first admin (the frontend's spelling of `/api/admin/create_account`).
#[utoipa::path(post, path = "/api/accounts", tag = "accounts",
    request_body(content = Object, description = "name, domain?, admin_email, admin_name, admin_password, admin_confirm_password?"),
    responses((status = 201, body = AccountDto), (status = 403), (status = 409), (status = 422)))]
pub async fn create_account_fe(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountCreate>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    create_account(state, auth, bytes).await
}

/// Create a user (the documented spelling of `POST /api/users`).
#[utoipa::path(post, path = "/api/account/create_user", tag = "users",
    request_body(content = Object, description = "email, first_name, last_name, role, phone?, password?, name?, account_id?"),
    responses((status = 201, body = UserDto), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_user_doc(
    state: web::Data<AppState>,
    auth: Allowed<act::UserManage>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    create_user(state, auth, bytes).await
}
