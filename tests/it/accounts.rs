//! Signing in and out, the rate limit, password reset, the account page and API tokens.

use crate::support::app::PASSWORD;
use crate::support::{TestApp, csrf_token, text_of};

#[tokio::test]
async fn sign_in_then_out() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let client = app.client();
    assert_eq!(app.status_of(&client, "/account").await, 401);

    let response = app.sign_in(&client, "JO@trust.nhs.uk ", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let account = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), 200);
    assert!(text_of(&account.text().await.unwrap()).contains("jo@trust.nhs.uk"));

    // Signing in again replaces the session rather than adding one, under a new id: a
    // session id someone planted or saw before sign-in is worthless after it.
    let again = app.sign_in(&client, "jo@trust.nhs.uk", PASSWORD).await;
    let renewed = again.headers()["set-cookie"].to_str().unwrap().to_owned();
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(&cookie), value(&renewed));
    let old = reqwest::Client::new()
        .get(app.url("/account"))
        .header("cookie", value(&cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "the session id from before is dead");
    let user = app
        .store
        .find_user_by_email(&commonground_domain::EmailAddress::parse("jo@trust.nhs.uk").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.store.count_sessions(&user).await.unwrap(), 1);

    let response = app.submit(&client, "/account", "/sign-out", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.status_of(&client, "/account").await, 401);
    assert_eq!(app.store.count_sessions(&user).await.unwrap(), 0);
}

#[tokio::test]
async fn sign_in_goes_back_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    for (next, expected) in [
        ("/account", "/account"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
    ] {
        let client = app.client();
        let page = client
            .get(app.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let response = client
            .post(app.url("/sign-in"))
            .form(&[
                ("csrf_token", csrf_token(&page).as_str()),
                ("email", "jo@trust.nhs.uk"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
}

#[tokio::test]
async fn wrong_password_gets_a_generic_message_and_is_rate_limited() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let client = app.client();
    let wrong = app
        .sign_in(&client, "jo@trust.nhs.uk", "not the password")
        .await;
    assert_eq!(wrong.status(), 401);
    let wrong_text = text_of(&wrong.text().await.unwrap());
    assert!(wrong_text.contains("There is a problem"));
    assert!(wrong_text.contains("Enter a correct email address and password"));
    // An unknown email gets exactly the same message: no way to find out who has an account.
    let unknown = app
        .sign_in(&client, "nobody@trust.nhs.uk", "not the password")
        .await;
    assert_eq!(unknown.status(), 401);
    assert!(
        text_of(&unknown.text().await.unwrap())
            .contains("Enter a correct email address and password")
    );
    assert_eq!(app.count("sign_in_failures").await, 2);

    for _ in 0..4 {
        app.sign_in(&client, "jo@trust.nhs.uk", "still wrong").await;
    }
    // Past the limit even the right password is refused, without being checked.
    let limited = app.sign_in(&client, "jo@trust.nhs.uk", PASSWORD).await;
    assert_eq!(limited.status(), 429);
    assert!(text_of(&limited.text().await.unwrap()).contains("too many attempts"));
    assert_eq!(app.status_of(&client, "/account").await, 401);
    // Another address is not affected.
    app.user("sam@trust.nhs.uk", "Sam").await;
    assert_eq!(
        app.sign_in(&app.client(), "sam@trust.nhs.uk", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn malformed_email_is_explained_and_not_counted() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = app.sign_in(&client, "jo.bloggs", "whatever it is").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error: Sign in"));
    assert!(
        text_of(&html)
            .contains("Enter an email address in the correct format, like name@example.nhs.uk")
    );
    assert!(
        html.contains("href=\"#email\""),
        "the summary links to the field"
    );
    assert!(
        html.contains("value=\"jo.bloggs\""),
        "what was typed is kept"
    );
    assert_eq!(app.count("sign_in_failures").await, 0);
}

fn link_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).expect("link in email");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn password_reset_by_email_link() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let client = app.client();
    let other_device = app.signed_in("jo@trust.nhs.uk").await;

    // An unknown address gets the same answer and no email.
    let response = app
        .submit(
            &client,
            "/password-reset",
            "/password-reset",
            &[("email", "nobody@trust.nhs.uk")],
        )
        .await;
    assert!(text_of(&response.text().await.unwrap()).contains("Check your email"));
    assert_eq!(app.count("outbox").await, 0);

    let response = app
        .submit(
            &client,
            "/password-reset",
            "/password-reset",
            &[("email", "jo@trust.nhs.uk")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let messages = app
        .store
        .list_outbox(commonground_store::outbox::OutboxScope::Everything, 10, 0)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, "jo@trust.nhs.uk");
    let link = link_in(&messages[0].text, &format!("{}/password-reset/", app.base));
    assert!(messages[0].html.contains(&link));
    let path = link.trim_start_matches(&app.base).to_owned();

    let mismatch = app
        .submit(
            &client,
            &path,
            &path,
            &[
                ("password", "a brand new passphrase"),
                ("confirm_password", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    assert!(text_of(&mismatch.text().await.unwrap()).contains("Passwords do not match"));

    let done = app
        .submit(
            &client,
            &path,
            &path,
            &[
                ("password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(done.status(), 200);
    assert!(text_of(&done.text().await.unwrap()).contains("Your password has been changed"));
    // Every session ended; the old password no longer works; the new one does.
    assert_eq!(app.status_of(&other_device, "/account").await, 401);
    assert_eq!(
        app.sign_in(&app.client(), "jo@trust.nhs.uk", PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in(&app.client(), "jo@trust.nhs.uk", "a brand new passphrase")
            .await
            .status(),
        303
    );
    // The link works once.
    assert_eq!(app.status_of(&client, &path).await, 410);
}

#[tokio::test]
async fn changing_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let laptop = app.signed_in("jo@trust.nhs.uk").await;
    let phone = app.signed_in("jo@trust.nhs.uk").await;
    let wrong = app
        .submit(
            &laptop,
            "/account",
            "/account/password",
            &[
                ("current_password", "nope"),
                ("password", "another long passphrase"),
                ("confirm_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let common = app
        .submit(
            &laptop,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "Liverpool2026!"),
                ("confirm_password", "Liverpool2026!"),
            ],
        )
        .await;
    assert_eq!(common.status(), 422);
    assert!(text_of(&common.text().await.unwrap()).contains("Password is too common"));
    let ok = app
        .submit(
            &laptop,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "another long passphrase"),
                ("confirm_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(app.status_of(&laptop, "/account").await, 200);
    assert_eq!(app.status_of(&phone, "/account").await, 401);
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let client = app.signed_in("jo@trust.nhs.uk").await;
    let empty = app
        .submit(
            &client,
            "/account",
            "/account/tokens",
            &[("token_name", " ")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let created = app
        .submit(
            &client,
            "/account",
            "/account/tokens",
            &[("token_name", "Finance dashboard")],
        )
        .await;
    let html = created.text().await.unwrap();
    let start = html.find("cg_").expect("token shown");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // The account page lists it by name, never the secret.
    let account = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("Finance dashboard") && !account.contains(&token));
    let id: i64 = {
        let marker = "/account/tokens/";
        let s = account.find(marker).unwrap() + marker.len();
        account[s..].split('/').next().unwrap().parse().unwrap()
    };
    let revoked = app
        .submit(
            &client,
            "/account",
            &format!("/account/tokens/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status(), 303);
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(me.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn making_api_tokens_is_rate_limited() {
    let app = TestApp::spawn().await;
    app.user("jo@trust.nhs.uk", "Jo Bloggs").await;
    let make = || {
        reqwest::Client::new()
            .post(app.url("/api/v1/tokens"))
            .json(&serde_json::json!({ "email": "jo@trust.nhs.uk", "password": PASSWORD }))
            .send()
    };
    for _ in 0..commonground_web::sign_in::MAX_TOKENS_PER_HOUR {
        assert_eq!(make().await.unwrap().status(), 201);
    }
    let refused = make().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    // The page refuses too, with the reason beside the field, and makes nothing.
    let client = app.signed_in("jo@trust.nhs.uk").await;
    let page = app
        .submit(
            &client,
            "/account",
            "/account/tokens",
            &[("token_name", "One more")],
        )
        .await;
    assert_eq!(page.status(), 422);
    assert!(text_of(&page.text().await.unwrap()).contains("10 API tokens in the last hour"));
    assert_eq!(app.count("api_tokens").await, 10);
}
