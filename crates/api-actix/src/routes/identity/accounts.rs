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
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let req = CreateAccount {
        name: body.string(&mut errors, &["name"]),
        domain: body.string(&mut errors, &["domain"]),
        admin_email: body.string(&mut errors, &["admin_email"]),
        admin_name: body.string(&mut errors, &["admin_name"]),
        admin_password: body.secret("admin_password"),
        admin_confirm_password: body.secret("admin_confirm_password"),
    };
    check(errors)?;
    let (account, admin) = state.identity.create_account(auth.principal(), req).await?;
    let mut dto = AccountDto::from(&account);
    dto.admin_user_id = Some(admin.to_string());
    Ok(HttpResponse::Created().json(dto))
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
    let status = q.get(&["status"]).and_then(|s| {
        AccountStatus::parse(&s).or_else(|| {
            errors.push(FieldError::query(
                "status",
                "status must be active or inactive",
                "type_error.enum",
            ));
            None
        })
    });
    check(errors)?;
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
            id_or_404(&id, AccountId::parse, "Account")?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// Update name, domain or status.
#[utoipa::path(put, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = AccountDto), (status = 403), (status = 404), (status = 409)))]
pub async fn update_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountUpdate>,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, AccountId::parse, "Account")?;
    let body = Body::parse(&bytes)?;
    let mut errors = Vec::new();
    let patch = AccountPatch {
        name: body.patch_string(&mut errors, &["name"]),
        domain: body.patch_string(&mut errors, &["domain"]),
        status: body.patch_string(&mut errors, &["status"]),
    };
    check(errors)?;
    let account = state
        .identity
        .update_account(auth.principal(), id, patch)
        .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(&account)))
}

/// Soft-delete an account.
#[utoipa::path(delete, path = "/api/accounts/{id}", tag = "accounts", responses((status = 200, body = MessageDto), (status = 403), (status = 404)))]
pub async fn delete_account(
    state: web::Data<AppState>,
    auth: Allowed<act::AccountDelete>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_or_404(&id, AccountId::parse, "Account")?;
    state.identity.delete_account(auth.principal(), id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::ok(
        "Account successfully deleted",
        Some(json!({"account_id": id.to_string()})),
    )))
}

// ----- users -----
