//! The anonymous questionnaire: personal links by email, answering once, tampered posts, and
//! storage that cannot be joined back to the people invited.

use std::fmt::Write;

use commonground_domain::instrument::default_instrument;
use commonground_domain::{OrganisationId, ReviewId, Role};
use commonground_store::Backend;

use crate::support::{TestApp, text_of};

pub struct Review {
    pub app: TestApp,
    pub lead: reqwest::Client,
    pub org: OrganisationId,
    pub id: ReviewId,
    pub path: String,
}

/// A review with `people` participants, questionnaire still in draft.
pub async fn review_with(people: usize) -> Review {
    review_on(TestApp::spawn().await, people).await
}

/// A review on `app` with `people` participants, questionnaire still in draft.
pub async fn review_on(app: TestApp, people: usize) -> Review {
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let lead = app.signed_in("lead@trust.nhs.uk").await;
    let reviews = format!("/organisations/{}/reviews", org.id);
    let created = app
        .submit(
            &lead,
            &format!("{reviews}/new"),
            &reviews,
            &[
                ("title", "Theatres"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
            ],
        )
        .await;
    let path = created.headers()["location"].to_str().unwrap().to_owned();
    let csv = (0..people).fold(
        String::from("name,email,profession group,role level\n"),
        |mut csv, i| {
            let profession = if i.is_multiple_of(3) {
                "Finance"
            } else {
                "Nursing"
            };
            let _ = writeln!(
                csv,
                "Person {i},person{i}@trust.nhs.uk,{profession},Middle manager or team leader"
            );
            csv
        },
    );
    let token = app.api_token("lead@trust.nhs.uk").await;
    let id = app.store.list_reviews(org.id).await.unwrap()[0].id;
    if people == 0 {
        return Review {
            app,
            lead,
            org: org.id,
            id,
            path,
        };
    }
    let imported = reqwest::Client::new()
        .post(app.url(&format!(
            "/api/v1/organisations/{}/reviews/{}/participants/import",
            org.id, id
        )))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    Review {
        app,
        lead,
        org: org.id,
        id,
        path,
    }
}

impl Review {
    pub async fn post(&self, action: &str) -> reqwest::Response {
        let page = format!("{}/questionnaire", self.path);
        let response = self
            .app
            .submit(&self.lead, &page, &format!("{page}/{action}"), &[])
            .await;
        self.app.run_jobs().await;
        response
    }

    /// The personal links emailed so far, as paths, ordered by recipient.
    pub async fn links(&self) -> Vec<String> {
        self.links_by_recipient()
            .await
            .into_iter()
            .map(|(_, link)| link)
            .collect()
    }

    /// (recipient, link path) for every questionnaire email, by recipient.
    pub async fn links_by_recipient(&self) -> Vec<(String, String)> {
        self.app.questionnaire_links(self.org).await
    }
}

/// A complete, valid set of answers for the default instrument.
pub fn answers(profession: &str, seed: usize) -> Vec<(String, String)> {
    let instrument = default_instrument();
    let mut fields = vec![
        ("profession".to_owned(), profession.to_owned()),
        ("role_level".to_owned(), "middle".to_owned()),
    ];
    for (i, (_, statement)) in instrument.statements().enumerate() {
        fields.push((
            format!("s-{}", statement.key),
            ((i + seed) % 5 + 1).to_string(),
        ));
    }
    for scope in &instrument.involvement.scopes {
        fields.push((format!("inv-{}", scope.key), "rarely".to_owned()));
    }
    fields.push(("barriers".into(), instrument.barriers[0].key.clone()));
    fields.push((
        format!("c-{}", instrument.prompts[0].key),
        format!("Joint budget meetings help ({seed})"),
    ));
    fields
}

pub async fn send(app: &TestApp, link: &str, fields: &[(String, String)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(link))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_link_answers_once_and_counts_show_but_scores_do_not() {
    let r = review_with(6).await;
    assert!(
        r.links().await.is_empty(),
        "nobody is emailed before it opens"
    );
    assert_eq!(r.post("open").await.status(), 303);
    let links = r.links().await;
    assert_eq!(links.len(), 6);
    let page = reqwest::get(r.app.url(&links[0])).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(text_of(&html).contains("How your anonymity is protected"));
    assert!(
        html.contains("value=\"nursing\" checked") || html.contains("value=\"finance\" checked"),
        "profile pre-filled"
    );

    // Missing answers: every one is named, and what was given is kept.
    let partial = vec![
        ("profession".to_owned(), "finance".to_owned()),
        ("s-purpose-1".to_owned(), "4".to_owned()),
    ];
    let response = send(&r.app, &links[0], &partial).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error:"));
    assert!(html.contains("href=\"#s-purpose-2\""));
    assert!(
        html.contains("name=\"s-purpose-1\" type=\"radio\" value=\"4\" checked"),
        "answers are kept"
    );
    assert_eq!(r.app.count("responses").await, 0);

    assert_eq!(
        send(&r.app, &links[0], &answers("finance", 1))
            .await
            .status(),
        200
    );
    let again = send(&r.app, &links[0], &answers("finance", 2)).await;
    assert_eq!(again.status(), 409);
    assert!(text_of(&again.text().await.unwrap()).contains("You have already answered"));
    assert_eq!(r.app.count("responses").await, 1);
    assert_eq!(r.app.count("comments").await, 1);

    // Ten submissions at once from one link store one answer.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (url, fields) = (r.app.url(&links[1]), answers("nursing", i));
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(r.app.count("responses").await, 2);

    let tab = text_of(
        &r.lead
            .get(r.app.url(&format!("{}/questionnaire", r.path)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(tab.contains("2 of 6 answered"), "{tab}");
    assert!(tab.contains("Still to answer") && tab.contains("person2@trust.nhs.uk"));
    assert!(
        !tab.contains("person0@trust.nhs.uk"),
        "who answered is not listed as waiting"
    );
    // While open there are no scores anywhere.
    let results = r
        .lead
        .get(r.app.url(&format!("{}/results", r.path)))
        .send()
        .await
        .unwrap();
    assert!(!text_of(&results.text().await.unwrap()).contains("Strongest"));
}

#[tokio::test]
async fn tampered_posts_and_unknown_links_store_nothing() {
    let r = review_with(3).await;
    r.post("open").await;
    let link = r.links().await.remove(0);
    let mut tampered = Vec::new();
    let mut unknown_statement = answers("nursing", 0);
    unknown_statement.push(("s-made-up".into(), "3".into()));
    tampered.push(unknown_statement);
    let mut out_of_range = answers("nursing", 0);
    out_of_range.retain(|(k, _)| k != "s-trust-1");
    out_of_range.push(("s-trust-1".into(), "9".into()));
    tampered.push(out_of_range);
    let mut extra = answers("nursing", 0);
    extra.push(("participant_id".into(), "1".into()));
    tampered.push(extra);
    let mut bad_profile = answers("nursing", 0);
    bad_profile[0].1 = "surgeon-general".into();
    tampered.push(bad_profile);
    let mut missing = answers("nursing", 0);
    missing.retain(|(k, _)| !k.starts_with("inv-"));
    tampered.push(missing);
    for fields in &tampered {
        let response = send(&r.app, &link, fields).await;
        assert_eq!(response.status(), 422);
        assert!(text_of(&response.text().await.unwrap()).contains("There is a problem"));
    }
    assert_eq!(r.app.count("responses").await, 0);
    let unknown = send(&r.app, "/q/not-a-real-link", &answers("nursing", 0)).await;
    assert_eq!(unknown.status(), 410);
    let too_big = reqwest::Client::new()
        .post(r.app.url(&link))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("c-works-well={}", "x".repeat(100_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    assert_eq!(r.app.count("responses").await, 0);
}

#[tokio::test]
async fn closing_stops_answers_mixes_them_and_release_is_final() {
    let r = review_with(5).await;
    assert_eq!(r.post("close").await.status(), 422, "a draft cannot close");
    r.post("open").await;
    let links = r.links().await;
    for (i, link) in links.iter().take(4).enumerate() {
        assert_eq!(
            send(&r.app, link, &answers("nursing", i)).await.status(),
            200
        );
    }
    let before = ids(&r.app).await;
    assert_eq!(r.post("close").await.status(), 303);
    let after = ids(&r.app).await;
    assert_eq!(after.len(), 4);
    assert!(
        before.iter().all(|id| !after.contains(id)),
        "every answer has a new key after mixing"
    );
    let late = send(&r.app, &links[4], &answers("nursing", 9)).await;
    assert_eq!(late.status(), 409);
    assert!(text_of(&late.text().await.unwrap()).contains("closed"));
    assert_eq!(r.app.count("responses").await, 4);

    // Reopen, then close and release: after release it can never reopen.
    assert_eq!(r.post("open").await.status(), 303);
    assert_eq!(r.post("close").await.status(), 303);
    assert_eq!(r.post("release").await.status(), 303);
    let refused = r.post("open").await;
    assert_eq!(refused.status(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("cannot reopen"));
    assert_eq!(
        r.app
            .store
            .get_review(r.org, r.id)
            .await
            .unwrap()
            .unwrap()
            .questionnaire
            .as_str(),
        "released"
    );
}

async fn ids(app: &TestApp) -> Vec<String> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("SELECT id FROM responses")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

#[tokio::test]
async fn nothing_in_the_answer_tables_joins_back_to_the_people_invited() {
    use sqlx::{Connection, Row};
    let r = review_with(5).await;
    r.post("open").await;
    for (i, link) in r.links().await.iter().enumerate() {
        send(&r.app, link, &answers("nursing", i)).await;
    }
    r.post("close").await;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&r.app.database_url)
        .await
        .unwrap();
    // The columns are exactly these: no participant, link, token or time of day.
    let columns: Vec<String> = match r.app.store.backend() {
        Backend::Sqlite => sqlx::query("SELECT name FROM pragma_table_info('responses') ORDER BY cid").fetch_all(&mut conn).await.unwrap().iter().map(|row| row.get(0)).collect(),
        Backend::Postgres => sqlx::query("SELECT column_name::TEXT FROM information_schema.columns WHERE table_name = 'responses' ORDER BY ordinal_position").fetch_all(&mut conn).await.unwrap().iter().map(|row| row.get(0)).collect(),
    };
    assert_eq!(
        columns,
        [
            "id",
            "review_id",
            "submitted_on",
            "profession",
            "division",
            "role_level",
            "answers",
            "involvement",
            "barriers",
            "measures"
        ]
    );
    let dates: Vec<String> = sqlx::query("SELECT submitted_on FROM responses")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(dates.iter().all(|d| d.len() == 10), "date only: {dates:?}");
    match r.app.store.backend() {
        Backend::Sqlite => {
            // No hidden row id that would record the order answers arrived.
            for table in ["responses", "comments"] {
                let sql = format!("SELECT rowid FROM {table}");
                assert!(
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .fetch_all(&mut conn)
                        .await
                        .is_err(),
                    "{table} has a rowid"
                );
            }
        }
        Backend::Postgres => {
            // Every answer, comment and participant of the review was last written by one
            // transaction, so xmin cannot pair an answer with the person who gave it.
            let row = sqlx::query(
                "SELECT (SELECT COUNT(DISTINCT xmin::TEXT) FROM responses), \
                 (SELECT COUNT(DISTINCT xmin::TEXT) FROM comments), \
                 (SELECT COUNT(DISTINCT xmin::TEXT) FROM participants), \
                 (SELECT COUNT(*) FROM responses r JOIN participants p ON p.xmin::TEXT = r.xmin::TEXT)",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            assert_eq!(
                (
                    row.get::<i64, _>(0),
                    row.get::<i64, _>(1),
                    row.get::<i64, _>(2)
                ),
                (1, 1, 1)
            );
            assert_eq!(
                row.get::<i64, _>(3),
                25,
                "all 5 answers share xmin with all 5 participants alike"
            );
        }
    }
}

#[tokio::test]
async fn the_questionnaire_through_the_api() {
    use serde_json::{Value, json};
    let r = review_with(4).await;
    let token = r.app.api_token("lead@trust.nhs.uk").await;
    let base = format!("/api/v1/organisations/{}/reviews/{}", r.org, r.id);
    let post = |path: String| {
        let (url, token) = (r.app.url(&path), token.clone());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(post(format!("{base}/questionnaire/close")).await.0, 409);
    let (status, opened) = post(format!("{base}/questionnaire/open")).await;
    assert_eq!(
        (status, opened["state"].as_str(), opened["emailed"].as_u64()),
        (200, Some("open"), Some(4))
    );
    assert_eq!(
        post(format!("{base}/questionnaire/open")).await.0,
        409,
        "the invitations are on their way"
    );
    r.app.run_jobs().await;
    assert_eq!(
        post(format!("{base}/questionnaire/open")).await.0,
        409,
        "everyone already has a link"
    );

    let link = r.links().await.remove(0);
    let secret = link.trim_start_matches("/q/").to_owned();
    let questionnaire: Value = reqwest::get(r.app.url(&format!("/api/v1/questionnaires/{secret}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(questionnaire["state"], "open");
    let statements: Vec<String> = questionnaire["instrument"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["key"].as_str().unwrap().to_owned())
        })
        .collect();
    let mut answers = serde_json::Map::new();
    for key in &statements {
        answers.insert(key.clone(), json!("4"));
    }
    let body = json!({
        "profession": "finance", "role_level": "middle", "answers": answers,
        "involvement": { "organisation": "never", "services": "rarely", "team": "sometimes" },
        "comments": { "works-well": "Shared dashboards" }
    });
    let send = |body: Value| {
        let url = r
            .app
            .url(&format!("/api/v1/questionnaires/{secret}/responses"));
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let mut incomplete = body.clone();
    incomplete["answers"]
        .as_object_mut()
        .unwrap()
        .remove(&statements[0]);
    assert_eq!(send(incomplete).await, 422);
    assert_eq!(send(body.clone()).await, 201);
    assert_eq!(send(body.clone()).await, 409);
    let unknown = reqwest::Client::new()
        .post(r.app.url("/api/v1/questionnaires/nope/responses"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let rates: Value = reqwest::Client::new()
        .get(r.app.url(&format!("{base}/response-rates")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (rates["invited"].as_u64(), rates["answered"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(post(format!("{base}/questionnaire/close")).await.0, 200);
    let other_link = r.links().await.remove(1);
    let other = other_link.trim_start_matches("/q/");
    let late = reqwest::Client::new()
        .post(
            r.app
                .url(&format!("/api/v1/questionnaires/{other}/responses")),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    assert_eq!(post(format!("{base}/questionnaire/release")).await.0, 200);
    assert_eq!(
        post(format!("{base}/questionnaire/open")).await.0,
        409,
        "released never reopens"
    );
    assert_eq!(r.app.count("responses").await, 1);
}

#[tokio::test]
async fn a_link_only_accepts_its_own_reviews_questions() {
    use commonground_domain::participants::{NewParticipant, ProfessionGroup, RoleLevel};
    use commonground_domain::review::{FocusArea, ReviewScope, ReviewTitle};
    use commonground_domain::{EmailAddress, PersonName};
    use commonground_store::reviews::{ChampionChoice, ReviewFields};

    // Review A uses the default questionnaire; review B an adapted copy with one more statement.
    let a = review_with(3).await;
    a.post("open").await;
    let link_a = a.links().await.remove(0);
    let mut adapted = default_instrument();
    adapted.factors[0]
        .statements
        .push(commonground_domain::instrument::Statement {
            key: "purpose-extra".into(),
            text: "We agree priorities for the year together".into(),
        });
    adapted.version = 2;
    let store = &a.app.store;
    let version = store
        .create_instrument_version(a.org, &adapted.id, 2, &adapted.title, &adapted.to_toml())
        .await
        .unwrap();
    let (title, scope) = (
        ReviewTitle::parse("Other review").unwrap(),
        ReviewScope::parse("Elsewhere").unwrap(),
    );
    let fields = ReviewFields {
        title: &title,
        scope: &scope,
        focus_areas: &[FocusArea::Workforce],
        clinical_champion: ChampionChoice::Nobody,
        finance_champion: ChampionChoice::Nobody,
    };
    let lead = store.list_members(a.org).await.unwrap()[0].user.id;
    let b = store
        .create_review(a.org, &fields, version, lead)
        .await
        .unwrap();
    let person = NewParticipant {
        name: PersonName::parse("Bea").unwrap(),
        email: EmailAddress::parse("bea@trust.nhs.uk").unwrap(),
        profession: ProfessionGroup::Finance,
        division: None,
        role_level: RoleLevel::Middle,
    };
    store.add_participants(a.org, b, &[person]).await.unwrap();
    store.open_questionnaire(a.org, b, None).await.unwrap();
    a.app.run_jobs().await;
    let link_b = a
        .links_by_recipient()
        .await
        .into_iter()
        .find(|(to, _)| to == "bea@trust.nhs.uk")
        .expect("Bea is emailed her link")
        .1;

    // Answers for B (with the extra statement) through A's link, and A's answers through B's.
    let mut for_b = answers("finance", 1);
    for_b.push(("s-purpose-extra".into(), "4".into()));
    let wrong = send(&a.app, &link_a, &for_b).await;
    assert_eq!(wrong.status(), 422);
    assert!(text_of(&wrong.text().await.unwrap()).contains("does not ask"));
    let missing = send(&a.app, &link_b, &answers("finance", 1)).await;
    assert_eq!(missing.status(), 422);
    assert!(
        text_of(&missing.text().await.unwrap())
            .contains("We agree priorities for the year together")
    );
    assert_eq!(a.app.count("responses").await, 0);
    assert_eq!(
        send(&a.app, &link_b, &for_b).await.status(),
        200,
        "B's own questions are accepted"
    );
}

#[tokio::test]
async fn an_open_link_takes_answers_from_anyone_until_it_stops() {
    let r = review_with(3).await;
    r.post("open").await;
    let link = make_open_link(&r).await;
    let page = reqwest::get(r.app.url(&link)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(text_of(&page.text().await.unwrap()).contains("This is an open link"));
    assert_eq!(
        send(&r.app, &link, &answers("finance", 1)).await.status(),
        200
    );
    assert_eq!(
        send(&r.app, &link, &answers("nursing", 2)).await.status(),
        200
    );
    assert_eq!(r.app.count("responses").await, 2);
    let invitees = r.app.store.list_participants(r.org, r.id).await.unwrap();
    assert!(
        invitees.iter().all(|p| !p.responded),
        "an open link marks nobody as answered"
    );
    let tab = text_of(
        &r.lead
            .get(r.app.url(&format!("{}/questionnaire", r.path)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        tab.contains("2 answers came through the open link"),
        "{tab}"
    );
    assert!(!tab.contains(&link), "the link is shown only once");

    // A new link replaces the old one; stopping it ends both.
    let second = make_open_link(&r).await;
    assert_eq!(
        send(&r.app, &link, &answers("finance", 3)).await.status(),
        410
    );
    let tab = format!("{}/questionnaire", r.path);
    r.app
        .submit(&r.lead, &tab, &format!("{tab}/open-link/remove"), &[])
        .await;
    assert_eq!(
        send(&r.app, &second, &answers("finance", 3)).await.status(),
        410
    );
    let third = make_open_link(&r).await;
    r.post("close").await;
    let late = send(&r.app, &third, &answers("finance", 3)).await;
    assert_eq!(late.status(), 409);
    assert_eq!(r.app.count("responses").await, 2);
}

/// Makes a new open link from the questionnaire tab and reads it off the page.
async fn make_open_link(r: &Review) -> String {
    let page = format!("{}/questionnaire", r.path);
    let html = r
        .app
        .submit(&r.lead, &page, &format!("{page}/open-link"), &[])
        .await
        .text()
        .await
        .unwrap();
    let start = html.find("/q/open/").expect("the new open link is shown");
    html[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect()
}

#[tokio::test]
async fn answers_arriving_together_are_stored_together_and_each_link_still_answers_once() {
    use commonground_domain::questionnaire::parse_submission;
    use commonground_store::questionnaire::Submitted;

    let r = review_with(40).await;
    assert_eq!(r.post("open").await.status(), 303);
    let instrument = default_instrument();
    // Every link twice and five unknown links, all at once: the writer stores them in groups,
    // so a link may meet itself inside one group.
    let mut tokens: Vec<String> = r
        .links()
        .await
        .iter()
        .map(|link| link.trim_start_matches("/q/").to_owned())
        .collect();
    tokens.extend(tokens.clone());
    tokens.extend((0..5).map(|i| format!("not-a-link-{i}")));
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            let store = r.app.store.clone();
            let submission = parse_submission(&instrument, &[], &answers("finance", i)).unwrap();
            tokio::spawn(async move { store.submit_response(&token, submission).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let count = |wanted: Submitted| outcomes.iter().filter(|o| **o == wanted).count();
    assert_eq!(count(Submitted::Stored), 40, "{outcomes:?}");
    assert_eq!(count(Submitted::AlreadyAnswered), 40);
    assert_eq!(count(Submitted::UnknownLink), 5);
    assert_eq!(r.app.count("responses").await, 40);
    assert_eq!(r.app.count("comments").await, 40);
    assert_eq!(r.app.count("participants WHERE responded = 1").await, 40);
    assert_eq!(
        r.app.store.response_count(r.org, r.id).await.unwrap(),
        40,
        "the review's count of answers, kept by the groups that stored them"
    );
}

#[tokio::test]
async fn the_questionnaire_offers_the_organisations_divisions_by_name() {
    use commonground_domain::organisation::DivisionName;

    let r = review_with(2).await;
    // Commas and quotes in names must survive the page's one-query read of the divisions.
    for name in ["Women's, children's & sexual health", "Surgery", "Medicine"] {
        r.app
            .store
            .create_division(r.org, &DivisionName::parse(name).unwrap())
            .await
            .unwrap();
    }
    assert_eq!(r.post("open").await.status(), 303);
    let links = r.links().await;
    let html = reqwest::get(r.app.url(&links[0]))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = |name: &str| {
        html.find(&format!("value=\"{name}\""))
            .unwrap_or_else(|| panic!("{name} is offered"))
    };
    assert!(at("Medicine") < at("Surgery"));
    let womens = html
        .find("sexual health\"")
        .expect("the third division is offered");
    assert!(at("Surgery") < womens);

    let mut fields = answers("finance", 1);
    fields.push((
        "division".into(),
        "Women's, children's & sexual health".into(),
    ));
    assert_eq!(send(&r.app, &links[0], &fields).await.status(), 200);
    let mut fields = answers("finance", 2);
    fields.push(("division".into(), "Cardiology".into()));
    assert_eq!(send(&r.app, &links[1], &fields).await.status(), 422);
    assert_eq!(r.app.count("responses").await, 1);
}

#[tokio::test]
async fn the_questionnaire_and_its_assets_are_gzipped_but_signed_in_pages_are_not() {
    let r = review_with(1).await;
    assert_eq!(r.post("open").await.status(), 303);
    let link = r.links().await.remove(0);
    let client = reqwest::Client::new();
    let gzipped = |response: &reqwest::Response| {
        response
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip")
    };
    let plain = client.get(r.app.url(&link)).send().await.unwrap();
    assert!(!gzipped(&plain), "only for clients that ask");
    let html = plain.text().await.unwrap();

    // A first visit: the page and every asset it links, as a phone's browser fetches them.
    let page = client
        .get(r.app.url(&link))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(gzipped(&page));
    let mut bytes = page.bytes().await.unwrap().len();
    assert!(bytes < html.len() / 4, "{bytes} of {}", html.len());
    let assets: Vec<&str> = html
        .split("\"/static/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert!(assets.len() >= 2, "the styles and the script: {assets:?}");
    for asset in assets {
        let response = client
            .get(r.app.url(&format!("/static/{asset}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert!(gzipped(&response), "{asset}");
        let body = response.bytes().await.unwrap();
        assert_eq!(&body[..2], &[0x1f, 0x8b], "{asset} is gzip");
        bytes += body.len();
    }
    assert!(bytes < 50_000, "a first visit takes {bytes} bytes");

    // Pages with a form key beside what a visitor typed are never compressed (BREACH).
    let signed_in = r
        .lead
        .get(r.app.url(&format!("{}/questionnaire", r.path)))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    assert!(!gzipped(&signed_in));
}

#[tokio::test]
async fn a_questionnaire_with_nobody_to_ask_does_not_open() {
    let r = review_with(0).await;
    let response = r.post("open").await;
    assert_eq!(response.status(), 422);
    assert!(
        text_of(&response.text().await.unwrap())
            .contains("Add participants before opening the questionnaire")
    );
    assert_eq!(r.app.count("jobs").await, 0);
    assert_eq!(
        r.app
            .count("reviews WHERE questionnaire_state = 'draft'")
            .await,
        1
    );
}

/// Runs `sql` on `conn`, inside whatever transaction it has begun.
async fn hold(conn: &mut sqlx::AnyConnection, sql: String) {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await
        .unwrap();
}

/// On PostgreSQL, answers being stored and a close must not interleave: an answer stored after
/// the mix would keep the transaction id it shares with the participant it marked. SQLite's
/// single writer cannot interleave them, so there the test has nothing to hold apart.
#[tokio::test]
async fn closing_waits_for_answers_being_stored_and_later_answers_find_it_closed() {
    use sqlx::Connection;
    let r = review_with(3).await;
    if !r.app.database_url.starts_with("postgres") {
        return;
    }
    r.post("open").await;
    let links = r.links().await;
    let lock = |kind: &str| format!("SELECT pg_advisory_xact_lock{kind}(7262, {})::TEXT", r.id.0);

    // A group of answers still being stored holds the review's shared lock: closing waits.
    let mut storing = r.app.connection().await;
    let mut tx = storing.begin().await.unwrap();
    hold(&mut tx, lock("_shared")).await;
    let store = r.app.store.clone();
    let (org, id) = (r.org, r.id);
    let closing = tokio::spawn(async move { store.close_questionnaire(org, id).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!closing.is_finished(), "the close waits for the group");
    tx.commit().await.unwrap();
    closing.await.unwrap().unwrap();

    // A close in progress holds it exclusively: an answer waits, then finds it closed.
    assert_eq!(r.post("open").await.status(), 303);
    let mut closer = r.app.connection().await;
    let mut tx = closer.begin().await.unwrap();
    hold(&mut tx, lock("")).await;
    hold(
        &mut tx,
        format!(
            "UPDATE reviews SET questionnaire_state = 'closed' WHERE id = {}",
            r.id.0
        ),
    )
    .await;
    let url = r.app.url(&links[0]);
    let fields = answers("nursing", 1);
    let answering =
        tokio::spawn(async move { reqwest::Client::new().post(url).form(&fields).send().await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!answering.is_finished(), "the answer waits for the close");
    tx.commit().await.unwrap();
    assert_eq!(answering.await.unwrap().unwrap().status(), 409);
    assert_eq!(r.app.count("responses").await, 0);
}
