//! Results through the page and the API, with the anonymity rules under attack.

use commonground_domain::Role;
use commonground_domain::instrument::default_instrument;
use serde_json::Value;

use crate::questionnaire::{Review, review_with, send};
use crate::support::text_of;

/// Answers with every statement rated `value`, for someone in `profession`.
fn uniform(profession: &str, value: u8, comment: &str) -> Vec<(String, String)> {
    let instrument = default_instrument();
    let mut fields = vec![
        ("profession".to_owned(), profession.to_owned()),
        ("role_level".to_owned(), "middle".to_owned()),
    ];
    for (_, statement) in instrument.statements() {
        fields.push((format!("s-{}", statement.key), value.to_string()));
    }
    for scope in &instrument.involvement.scopes {
        fields.push((format!("inv-{}", scope.key), "never".to_owned()));
    }
    fields.push((
        format!("c-{}", instrument.prompts[0].key),
        comment.to_owned(),
    ));
    fields
}

/// Everyone answers: nursing staff rate `clinical`, finance staff rate `finance`.
async fn everyone_answers(r: &Review, clinical: u8, finance: u8) {
    these_answer(r, clinical, finance, |_| true).await;
}

/// The people whose number passes `who` answer: every third is in finance.
async fn these_answer(r: &Review, clinical: u8, finance: u8, who: impl Fn(usize) -> bool) {
    for (email, link) in r.links_by_recipient().await {
        let index: usize = email
            .trim_start_matches("person")
            .split('@')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if !who(index) {
            continue;
        }
        let (profession, value) = if index.is_multiple_of(3) {
            ("finance", finance)
        } else {
            ("nursing", clinical)
        };
        let response = send(
            &r.app,
            &link,
            &uniform(profession, value, &format!("Comment from {email}")),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
}

/// The results page's HTML, as the review's lead sees it.
async fn results_html(r: &Review) -> String {
    r.lead
        .get(r.app.url(&format!("{}/results", r.path)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn api_results(r: &Review) -> (u16, Value) {
    let token = r.app.api_token("lead@trust.nhs.uk").await;
    let response = reqwest::Client::new()
        .get(r.app.url(&format!(
            "/api/v1/organisations/{}/reviews/{}/results",
            r.org, r.id
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn results_show_the_gap_only_after_close() {
    // 15 people: 10 nursing, 5 finance (the minimum reporting group is 5).
    let r = review_with(15).await;
    r.post("open").await;
    everyone_answers(&r, 4, 2).await;
    let page = text_of(&results_html(&r).await);
    assert!(
        page.contains("Results appear here when the questionnaire closes")
            && !page.contains("Strongest")
    );
    assert_eq!(api_results(&r).await.0, 409);

    r.post("close").await;
    let html = results_html(&r).await;
    let page = text_of(&html);
    assert!(page.contains("15 people answered"));
    assert!(page.contains("+2.00"), "clinical 4 against finance 2");
    assert!(
        html.contains("<svg viewBox"),
        "charts are drawn on the server"
    );
    assert!(page.contains("Comment from person0@trust.nhs.uk"));
    let (status, body) = api_results(&r).await;
    assert_eq!(status, 200);
    assert_eq!(body["results"]["status"], "shown");
    let sides = body["results"]["sides"].as_array().unwrap();
    assert_eq!(sides.len(), 7);
    for side in sides {
        assert_eq!(side["outcome"]["gap"].as_f64(), Some(2.0), "{side}");
    }
    assert_eq!(
        body["comments"][0]["comments"].as_array().unwrap().len(),
        15
    );
}

/// Whether every factor compares clinical and finance answers, and how many answered.
async fn compared_and_answered(r: &Review) -> (bool, u64) {
    let (status, body) = api_results(r).await;
    assert_eq!(status, 200, "{body}");
    let compared = body["results"]["sides"]
        .as_array()
        .unwrap()
        .iter()
        .all(|side| side["outcome"]["gap"].as_f64() == Some(2.0));
    (compared, body["results"]["responses"].as_u64().unwrap())
}

#[tokio::test]
async fn results_are_worked_out_again_when_answers_or_the_minimum_group_change() {
    // Results are kept between requests; nothing kept may outlive the answers or the setting
    // it was worked out from. 15 people, every third in finance, minimum group 5.
    let r = review_with(15).await;
    r.post("open").await;
    // 12 answer first: only 4 of them in finance, too few to compare.
    these_answer(&r, 4, 2, |index| index < 12).await;
    r.post("close").await;
    assert_eq!(compared_and_answered(&r).await, (false, 12));
    assert_eq!(compared_and_answered(&r).await, (false, 12), "kept");

    // Reopened, the last three answer, one of them the fifth in finance.
    r.post("open").await;
    these_answer(&r, 4, 2, |index| index >= 12).await;
    r.post("close").await;
    assert_eq!(compared_and_answered(&r).await, (true, 15));
    let page = results_html(&r).await;
    assert!(text_of(&page).contains("15 people answered"));

    // A minimum group of 6 leaves finance's 5 too few again.
    r.app
        .member(r.org, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin = r.app.signed_in("admin@trust.nhs.uk").await;
    let settings = format!("/organisations/{}/settings", r.org);
    let fields = [
        ("name", "Northshire Hospitals"),
        ("ods_code", "RX1"),
        ("org_type", "trust"),
        ("region", ""),
        ("min_reporting_group", "6"),
    ];
    let saved = r.app.submit(&admin, &settings, &settings, &fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(compared_and_answered(&r).await, (false, 15));
}

#[tokio::test]
async fn a_small_finance_group_leaves_no_trace() {
    // 12 people: 8 nursing, 4 finance; minimum 5. Finance is too small, so the clinical
    // figures must not be shown either: everyone minus clinical would be finance.
    let r = review_with(12).await;
    r.post("open").await;
    everyone_answers(&r, 5, 1).await;
    r.post("close").await;
    let (status, body) = api_results(&r).await;
    assert_eq!(status, 200);
    let results = &body["results"];
    for side in results["sides"].as_array().unwrap() {
        assert!(
            side["outcome"].get("gap").is_none(),
            "no comparison: {side}"
        );
    }
    for breakdown in results["breakdowns"].as_array().unwrap() {
        for group in breakdown["outcome"]["groups"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for cell in group["factors"].as_array().unwrap() {
                // Only a group that is everyone (all answered "Not given" for division, say)
                // may show figures: anything smaller would single out one side.
                let people = cell["figures"]["respondents"].as_u64();
                assert!(
                    people.is_none() || people == Some(12),
                    "a group figure was shown: {group}"
                );
            }
        }
    }
    // The overall average mixes both (8 x 5 + 4 x 1) / 12 = 3.67; a 5.00 or 1.00 anywhere
    // would be one side's figure.
    let text = body.to_string();
    assert!(text.contains("3.67"), "overall mean shown");
    assert!(
        !text.contains("\"mean\":5.0") && !text.contains("\"mean\":1.0"),
        "{text}"
    );
    let page = text_of(&results_html(&r).await);
    assert!(
        !page.contains("5.00") && !page.contains("1.00"),
        "no side's figure on the page"
    );
    assert!(page.contains("Not enough clinical or finance staff answered"));
}

#[tokio::test]
async fn too_few_answers_show_no_scores_and_no_comments() {
    let r = review_with(6).await;
    r.post("open").await;
    for (_, link) in r.links_by_recipient().await.into_iter().take(4) {
        send(
            &r.app,
            &link,
            &uniform("nursing", 3, "A very identifying remark"),
        )
        .await;
    }
    r.post("close").await;
    let (status, body) = api_results(&r).await;
    assert_eq!(status, 200);
    assert_eq!(body["results"]["status"], "too_few");
    assert_eq!(body["comments"].as_array().unwrap().len(), 0);
    let page = text_of(&results_html(&r).await);
    assert!(page.contains("Not enough answers to show results"));
    assert!(!page.contains("A very identifying remark"));
}
