//! The signed-in person's own account: name, password and personal API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::{ApiTokenId, PersonName, text};

use super::password_reset::check_new_password;
use super::{Chrome, invalid, ok, see_other};
use crate::dates::long_date;
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, SignedIn};
use crate::forms::FormErrors;
use crate::passwords;
use crate::sign_in::{TOO_MANY_TOKENS, may_make_token};
use crate::state::AppState;

/// A token row on the account page.
pub struct TokenRow {
    id: ApiTokenId,
    name: String,
    created: String,
    last_used: String,
}

/// The account page.
#[derive(Template)]
#[template(path = "pages/account.html")]
pub struct AccountPage {
    chrome: Chrome,
    errors: FormErrors,
    notice: Option<String>,
    email: String,
    name: String,
    is_network_admin: bool,
    tokens: Vec<TokenRow>,
    token_name: String,
}

/// Shown once, right after a token is made.
#[derive(Template)]
#[template(path = "pages/api_token_created.html")]
pub struct ApiTokenCreatedPage {
    chrome: Chrome,
    name: String,
    token: String,
}

async fn account_page(
    state: &AppState,
    me: &SignedIn,
    errors: FormErrors,
    notice: Option<String>,
    name: Option<&str>,
    token_name: &str,
) -> AppResult<AccountPage> {
    let tokens = state
        .store
        .list_api_tokens(me.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: long_date(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "Never".to_owned(), long_date),
        })
        .collect();
    Ok(AccountPage {
        chrome: Chrome::with_errors(&me.session, "Your account", &errors),
        errors,
        notice,
        email: me.user.email.clone(),
        name: name.unwrap_or(&me.user.name).to_owned(),
        is_network_admin: me.user.is_network_admin,
        tokens,
        token_name: token_name.to_owned(),
    })
}

/// `GET /account`
pub async fn show_account(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    Ok(ok(account_page(
        &state,
        &me,
        FormErrors::new(),
        None,
        None,
        "",
    )
    .await?))
}

/// `POST /account/name`
pub async fn update_account_name(
    State(state): State<AppState>,
    me: SignedIn,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let Some(name) = errors.check("name", PersonName::parse(form.get("name"))) else {
        let page = account_page(&state, &me, errors, None, Some(form.get("name")), "").await?;
        return Ok(invalid(page));
    };
    state.store.set_user_name(me.user.id, &name).await?;
    Ok(see_other("/account"))
}

/// `POST /account/password`
pub async fn update_account_password(
    State(state): State<AppState>,
    me: SignedIn,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let email = commonground_domain::EmailAddress::parse(&me.user.email)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let stored = state
        .store
        .find_credentials(&email)
        .await?
        .and_then(|c| c.password_hash);
    if !passwords::verify(form.get("current_password").to_owned(), stored).await {
        errors.add("current_password", "Enter your current password correctly");
    }
    let password = check_new_password(&form, &mut errors);
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Ok(invalid(
            account_page(&state, &me, errors, None, None, "").await?,
        ));
    };
    let hash = passwords::hash(password.expose().to_owned()).await?;
    let keep = me
        .session
        .token
        .as_deref()
        .map(commonground_store::hash_secret);
    state
        .store
        .set_password(me.user.id, &hash, keep.as_deref())
        .await?;
    let notice = Some(
        "Your password has been changed. You have been signed out on your other devices."
            .to_owned(),
    );
    Ok(ok(account_page(
        &state,
        &me,
        FormErrors::new(),
        notice,
        None,
        "",
    )
    .await?))
}

/// Checks a token name (pages and API share the rule).
pub fn parse_token_name(input: &str) -> Result<String, commonground_domain::Invalid> {
    text::required_line(input, "a name for the token", 100)
}

/// `POST /account/tokens`
pub async fn create_account_token(
    State(state): State<AppState>,
    me: SignedIn,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let Some(name) = errors.check("token_name", parse_token_name(form.get("token_name"))) else {
        let page = account_page(&state, &me, errors, None, None, form.get("token_name")).await?;
        return Ok(invalid(page));
    };
    if !may_make_token(&state, me.user.id).await? {
        errors.add("token_name", TOO_MANY_TOKENS);
        let page = account_page(&state, &me, errors, None, None, form.get("token_name")).await?;
        return Ok(invalid(page));
    }
    let (token, secret) = state.store.create_api_token(me.user.id, &name).await?;
    tracing::info!(user_id = %me.user.id, token_id = %token.id, "API token created");
    Ok(ok(ApiTokenCreatedPage {
        chrome: Chrome::new(&me.session, "Token created"),
        name: token.name,
        token: secret,
    }))
}

/// `POST /account/tokens/{token_id}/revoke`
pub async fn delete_account_token(
    State(state): State<AppState>,
    me: SignedIn,
    Path(token_id): Path<i64>,
    _form: Form,
) -> AppResult<Response> {
    if !state
        .store
        .revoke_api_token(me.user.id, ApiTokenId(token_id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/account"))
}
