//! Reviews and their participants through the pages: starting a review, champions, the
//! readiness checklist, adding people by form and by CSV, and who may see what.

use commonground_domain::Role;
use commonground_store::outbox::OutboxScope;

use crate::support::{TestApp, csrf_token, text_of};

struct Setup {
    app: TestApp,
    org: i64,
    lead: reqwest::Client,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    app.member(org.id, "clinical.lead@trust.nhs.uk", &[Role::Champion])
        .await;
    app.member(org.id, "fbp@trust.nhs.uk", &[Role::Champion])
        .await;
    let lead = app.signed_in("clinical.lead@trust.nhs.uk").await;
    Setup {
        app,
        org: org.id.0,
        lead,
    }
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let email = commonground_domain::EmailAddress::parse(email).unwrap();
    app.store
        .find_user_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// Starts a review with both champions and returns its path.
async fn start_review(s: &Setup, title: &str) -> String {
    let fbp = user_id(&s.app, "fbp@trust.nhs.uk").await;
    let clinical = user_id(&s.app, "clinical.lead@trust.nhs.uk").await;
    let new = format!("/organisations/{}/reviews/new", s.org);
    let response = s
        .app
        .submit(
            &s.lead,
            &new,
            &format!("/organisations/{}/reviews", s.org),
            &[
                ("title", title),
                ("scope", "Theatres: surgeons, anaesthetists, theatre nurses and the finance business partner"),
                ("focus_areas", "business_cases"),
                ("focus_areas", "workforce"),
                ("clinical_champion", &clinical),
                ("finance_champion", &fbp),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn upload(s: &Setup, review: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let page = s
        .lead
        .get(s.app.url(&format!("{review}/participants")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_token(&page))
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("text/csv")
                .unwrap(),
        );
    s.lead
        .post(s.app.url(&format!("{review}/participants/import")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_champion_starts_a_review_and_it_asks_for_what_is_missing() {
    let s = setup().await;
    let new = format!("/organisations/{}/reviews/new", s.org);
    let create = format!("/organisations/{}/reviews", s.org);
    let empty = s.app.submit(&s.lead, &new, &create, &[]).await;
    assert_eq!(empty.status(), 422);
    let text = text_of(&empty.text().await.unwrap());
    for message in [
        "Enter a title for the review",
        "Enter who and what the review covers",
        "Select at least one focus area",
    ] {
        assert!(text.contains(message), "{message}");
    }
    let too_many = s
        .app
        .submit(
            &s.lead,
            &new,
            &create,
            &[
                ("title", "T"),
                ("scope", "S"),
                ("focus_areas", "workforce"),
                ("focus_areas", "other"),
                ("focus_areas", "business_cases"),
                ("focus_areas", "transformation"),
            ],
        )
        .await;
    assert!(text_of(&too_many.text().await.unwrap()).contains("Select up to 3 focus areas"));
    assert_eq!(s.app.count("reviews").await, 0);

    // Only the clinical champion named: the review exists but says it is incomplete.
    let clinical = user_id(&s.app, "clinical.lead@trust.nhs.uk").await;
    let response = s
        .app
        .submit(
            &s.lead,
            &new,
            &create,
            &[
                ("title", "Theatres"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
                ("clinical_champion", &clinical),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let path = response.headers()["location"].to_str().unwrap().to_owned();
    let overview = text_of(
        &s.lead
            .get(s.app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(overview.contains("This review is not complete"));
    assert!(overview.contains("Name a clinical and a finance champion"));
    assert!(
        overview.contains("Team questionnaire") || overview.contains("version 1"),
        "{overview}"
    );

    // Naming the finance champion by email invites them; accepting links them to the review.
    let edit = format!("{path}/edit");
    let saved = s
        .app
        .submit(
            &s.lead,
            &edit,
            &edit,
            &[
                ("title", "Theatres"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
                ("clinical_champion", &clinical),
                ("finance_champion_email", "New.FBP@trust.nhs.uk"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let overview = text_of(
        &s.lead
            .get(s.app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(overview.contains("new.fbp@trust.nhs.uk (invited"));
    let message = s
        .app
        .store
        .list_outbox(OutboxScope::Everything, 1, 0)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(message.to, "new.fbp@trust.nhs.uk");
    let start = message.text.find("/invitations/").unwrap();
    let link = message.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let fbp = s.app.client();
    let accepted = s
        .app
        .submit(
            &fbp,
            &link,
            &link,
            &[
                ("name", "Femi Banjo"),
                ("password", "a long enough passphrase"),
                ("confirm_password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(
        s.app.status_of(&fbp, &path).await,
        200,
        "the new finance champion runs the review"
    );
    let overview = text_of(
        &s.lead
            .get(s.app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(!overview.contains("This review is not complete"));
    assert!(overview.contains("Femi Banjo"));
}

#[tokio::test]
async fn champions_must_be_two_different_people() {
    let s = setup().await;
    let clinical = user_id(&s.app, "clinical.lead@trust.nhs.uk").await;
    let response = s
        .app
        .submit(
            &s.lead,
            &format!("/organisations/{}/reviews/new", s.org),
            &format!("/organisations/{}/reviews", s.org),
            &[
                ("title", "T"),
                ("scope", "S"),
                ("focus_areas", "workforce"),
                ("clinical_champion", &clinical),
                ("finance_champion", &clinical),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        text_of(&response.text().await.unwrap())
            .contains("someone other than the clinical champion")
    );
    let forged = s
        .app
        .submit(
            &s.lead,
            &format!("/organisations/{}/reviews/new", s.org),
            &format!("/organisations/{}/reviews", s.org),
            &[
                ("title", "T"),
                ("scope", "S"),
                ("focus_areas", "workforce"),
                ("clinical_champion", "999999"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 422);
    assert_eq!(s.app.count("reviews").await, 0);
}

#[tokio::test]
async fn the_readiness_checklist_moves_the_tracker_on() {
    let s = setup().await;
    let review = start_review(&s, "Theatres").await;
    let readiness = format!("{review}/readiness");
    let long = "x".repeat(301);
    let bad = s
        .app
        .submit(
            &s.lead,
            &readiness,
            &readiness,
            &[("items", "facilitator"), ("note-facilitator", &long)],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let forged = s
        .app
        .submit(&s.lead, &readiness, &readiness, &[("items", "free_lunch")])
        .await;
    assert_eq!(forged.status(), 422);
    let fields = [
        ("items", "senior_commitment"),
        ("note-senior_commitment", "Medical and finance directors"),
        ("items", "board_backing"),
        ("items", "peer_reviewers"),
        ("items", "facilitator"),
        ("items", "support_person"),
        ("note-support_person", "Our OD lead"),
    ];
    assert_eq!(
        s.app
            .submit(&s.lead, &readiness, &readiness, &fields)
            .await
            .status(),
        303
    );
    let overview = text_of(
        &s.lead
            .get(s.app.url(&review))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(overview.contains("5 of 5 in place"));
    assert!(overview.contains("Invite a balanced group"));
    let page = s
        .lead
        .get(s.app.url(&readiness))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Our OD lead"));
}

#[tokio::test]
async fn participants_by_form_with_balance_warnings() {
    let s = setup().await;
    let review = start_review(&s, "Theatres").await;
    let page = format!("{review}/participants");
    let bad = s
        .app
        .submit(
            &s.lead,
            &page,
            &page,
            &[("name", "Jo"), ("email", "jo@"), ("role_level", "middle")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let text = text_of(&bad.text().await.unwrap());
    assert!(text.contains("Enter an email address in the correct format"));
    assert!(text.contains("Profession group must be one of"), "{text}");
    assert_eq!(s.app.count("participants").await, 0);
    for (name, email, profession) in [
        ("Ann Surgeon", "ann@trust.nhs.uk", "medical"),
        ("Bo Nurse", "bo@trust.nhs.uk", "nursing"),
        ("Cy Nurse", "cy@trust.nhs.uk", "nursing"),
        ("Di Surgeon", "di@trust.nhs.uk", "medical"),
    ] {
        let added = s
            .app
            .submit(
                &s.lead,
                &page,
                &page,
                &[
                    ("name", name),
                    ("email", email),
                    ("profession", profession),
                    ("role_level", "senior"),
                ],
            )
            .await;
        assert_eq!(added.status(), 200);
    }
    let again = s
        .app
        .submit(
            &s.lead,
            &page,
            &page,
            &[
                ("name", "Ann Again"),
                ("email", "ANN@trust.nhs.uk"),
                ("profession", "medical"),
                ("role_level", "senior"),
            ],
        )
        .await;
    assert!(text_of(&again.text().await.unwrap()).contains("Already invited"));
    let html = text_of(
        &s.lead
            .get(s.app.url(&page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(html.contains("4 people invited"));
    assert!(
        html.contains("Check the balance"),
        "no finance staff and everyone senior: {html}"
    );
    assert_eq!(s.app.count("participants").await, 4);
}

#[tokio::test]
async fn participants_from_a_csv_file_all_or_nothing() {
    let s = setup().await;
    let review = start_review(&s, "Theatres").await;
    // A BOM, semicolons, mixed-case headers and a repeated email.
    let good = "\u{feff}Name;EMAIL;Profession group;Division;Role level\r\nAnn Surgeon;ann@trust.nhs.uk;Medical;;Senior manager or consultant\r\nFemi Banjo;femi@trust.nhs.uk;Finance;;Middle manager or team leader\r\nAnn Surgeon;ANN@trust.nhs.uk;Medical;;Senior manager or consultant\r\n";
    let response = upload(&s, &review, "people.csv", good.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 200);
    let text = text_of(&response.text().await.unwrap());
    assert!(text.contains("2 people added"), "{text}");
    assert!(text.contains("repeats ann@trust.nhs.uk"), "{text}");
    assert_eq!(s.app.count("participants").await, 2);

    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("wrong header", b"name,mail,profession group,role level\nJo,jo@trust.nhs.uk,Nursing,Senior manager or consultant\n".to_vec(), "has a heading that is not recognised"),
        ("bad email", b"name,email,profession group,role level\nJo,jo@,Nursing,Senior manager or consultant\nKim,kim@trust.nhs.uk,Nursing,Senior manager or consultant\n".to_vec(), "Row 2"),
        ("unknown profession", b"name,email,profession group,role level\nJo,jo@trust.nhs.uk,Astronaut,Senior manager or consultant\n".to_vec(), "Profession group must be one of"),
        ("empty file", Vec::new(), "Select a CSV file"),
        ("binary file", vec![0, 159, 146, 150, 0, 1, 2], "not a CSV file"),
        ("ten megabytes", vec![b'a'; 10 * 1024 * 1024], "2 MB or smaller"),
    ];
    for (what, bytes, expected) in cases {
        let response = upload(&s, &review, "people.csv", bytes).await;
        assert_eq!(response.status(), 422, "{what}");
        let text = text_of(&response.text().await.unwrap());
        assert!(text.contains("There is a problem"), "{what}");
        let expected = expected.replace("Row 2", "2 email");
        assert!(
            text.contains(&expected) || text.contains(expected.as_str()),
            "{what}: expected {expected:?} in {text}"
        );
    }
    assert_eq!(
        s.app.count("participants").await,
        2,
        "nothing from a bad file was imported"
    );

    let template = s
        .lead
        .get(s.app.url(&format!("{review}/participants/template.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        template.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = template.bytes().await.unwrap().to_vec();
    let response = upload(&s, &review, "template.csv", bytes).await;
    assert_eq!(response.status(), 200, "the template itself imports");
}

#[tokio::test]
async fn only_the_people_running_a_review_see_it() {
    let s = setup().await;
    let review = start_review(&s, "Theatres").await;
    let org = commonground_domain::OrganisationId(s.org);
    s.app
        .member(org, "other.champion@trust.nhs.uk", &[Role::Champion])
        .await;
    s.app
        .member(org, "director@trust.nhs.uk", &[Role::BoardViewer])
        .await;
    let other = s.app.signed_in("other.champion@trust.nhs.uk").await;
    let director = s.app.signed_in("director@trust.nhs.uk").await;
    let admin = s.app.signed_in("admin@trust.nhs.uk").await;
    for path in [
        review.clone(),
        format!("{review}/participants"),
        format!("{review}/readiness"),
        format!("{review}/edit"),
    ] {
        assert_eq!(s.app.status_of(&other, &path).await, 403, "{path}");
        assert_eq!(s.app.status_of(&director, &path).await, 403, "{path}");
        assert_eq!(s.app.status_of(&admin, &path).await, 200, "{path}");
    }
    let list = format!("/organisations/{}/reviews", s.org);
    let other_list = text_of(
        &other
            .get(s.app.url(&list))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        !other_list.contains("Theatres"),
        "another champion's reviews are not listed"
    );
    assert_eq!(s.app.status_of(&director, &list).await, 403);
    // A network admin who is not a member runs no review.
    s.app.network_admin("network@nhs.net").await;
    let network = s.app.signed_in("network@nhs.net").await;
    assert_eq!(s.app.status_of(&network, &review).await, 403);
}

#[tokio::test]
async fn an_admin_adapts_the_questionnaire_into_a_new_version() {
    let s = setup().await;
    let admin = s.app.signed_in("admin@trust.nhs.uk").await;
    let list = format!("/organisations/{}/questionnaires", s.org);
    assert_eq!(
        s.app.status_of(&s.lead, &list).await,
        403,
        "champions do not adapt questionnaires"
    );
    let page = admin
        .get(s.app.url(&list))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("/questionnaires/").unwrap() + "/questionnaires/".len();
    let version_id: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let adapt = format!("{list}/{version_id}/adapt");
    let original = commonground_domain::instrument::default_instrument().to_toml();

    let broken = s
        .app
        .submit(
            &admin,
            &adapt,
            &adapt,
            &[("definition", "title = \"Oops\"\nversion = \n")],
        )
        .await;
    assert_eq!(broken.status(), 422);
    assert!(
        text_of(&broken.text().await.unwrap()).contains("line 2"),
        "TOML errors say where"
    );
    let duplicate = original.replacen("key = \"purpose-2\"", "key = \"purpose-1\"", 1);
    let refused = s
        .app
        .submit(&admin, &adapt, &adapt, &[("definition", &duplicate)])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        text_of(&refused.text().await.unwrap()).contains("purpose-1"),
        "the repeated key is named"
    );

    let reworded = original.replacen(
        "Clinical and finance colleagues",
        "Our clinicians and our finance team",
        1,
    );
    assert_ne!(
        reworded, original,
        "the default wording was found to reword"
    );
    let saved = s
        .app
        .submit(&admin, &adapt, &adapt, &[("definition", &reworded)])
        .await;
    assert_eq!(saved.status(), 200);
    assert!(text_of(&saved.text().await.unwrap()).contains("Saved as version 2"));

    // A champion starts a review with version 2; its questionnaire shows the new wording.
    let versions = s
        .app
        .store
        .instrument_versions(commonground_domain::OrganisationId(s.org))
        .await
        .unwrap();
    let v2 = versions
        .iter()
        .find(|v| v.version == 2)
        .unwrap()
        .id
        .to_string();
    let reviews = format!("/organisations/{}/reviews", s.org);
    let created = s
        .app
        .submit(
            &s.lead,
            &format!("{reviews}/new"),
            &reviews,
            &[
                ("title", "Adapted"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
                ("instrument_version", &v2),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let path = created.headers()["location"].to_str().unwrap().to_owned();
    let overview = text_of(
        &s.lead
            .get(s.app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(overview.contains("(version 2)"), "{overview}");
    let forged = s
        .app
        .submit(
            &s.lead,
            &format!("{reviews}/new"),
            &reviews,
            &[
                ("title", "Forged"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
                ("instrument_version", "999"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 422);
    assert!(
        text_of(&forged.text().await.unwrap()).contains("Choose a questionnaire from the list")
    );
}
