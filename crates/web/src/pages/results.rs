//! A review's results page (step 4): what the questionnaire says, for the people who run the
//! review, once it has closed. Every figure comes from `results::compute`, which has already
//! applied the anonymity rules; this page only lays them out, each chart with its table.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::results::{
    BreakdownOutcome, Cell, Comparison, Distribution, Report, Results,
};

use super::{Chrome, ok};
use crate::charts::{agreement_bars, percent_heatmap};
use crate::error::AppResult;
use crate::extractors::{ReviewRunner, SignedIn};
use crate::review_results::{Loaded, ShuffledComments, load};
use crate::state::AppState;

/// One factor or statement row: figures, or a hidden marker.
pub struct FigureRow {
    name: String,
    figures: Option<(String, String, usize, String)>,
}

/// A clinical and finance comparison row.
pub struct GapRow {
    title: String,
    clinical: String,
    finance: String,
    gap: String,
}

/// A breakdown table: groups down, factors across.
pub struct BreakdownTable {
    title: String,
    withheld: Option<String>,
    groups: Vec<(String, Vec<String>)>,
}

/// A choice (barrier or measure) row.
pub struct ChoiceRow {
    label: String,
    share: String,
    clinicians: String,
    finance: String,
}

/// Involvement for one scope.
pub struct InvolvementRow {
    label: String,
    levels: Vec<(String, String)>,
    rarely_or_never: String,
    reference: Vec<String>,
}

/// The figures, laid out for the page.
pub struct ReportView {
    responses: usize,
    min_group: usize,
    strongest: String,
    weakest: String,
    factors_chart: String,
    factors: Vec<FigureRow>,
    sides_chart: Option<String>,
    gaps: Vec<GapRow>,
    not_compared: Vec<String>,
    factor_titles: Vec<String>,
    breakdowns: Vec<BreakdownTable>,
    statements: Vec<(String, Vec<FigureRow>)>,
    involvement: Vec<InvolvementRow>,
    involvement_chart: Option<String>,
    involvement_source: String,
    choices: Vec<(&'static str, Vec<ChoiceRow>)>,
    rankings_source: String,
}

/// The results page.
#[derive(Template)]
#[template(path = "pages/results.html")]
pub struct ResultsPage<'a> {
    chrome: Chrome,
    org_id: i64,
    review_id: i64,
    review_title: String,
    not_yet: Option<i64>,
    too_few: Option<(usize, usize)>,
    report: Option<ReportView>,
    comments: Vec<ShuffledComments<'a>>,
}

fn distribution(d: &Distribution) -> String {
    let scores: Vec<String> = d
        .scores
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}: {n}", i + 1))
        .collect();
    format!("{}; don't know: {}", scores.join(", "), d.dont_know)
}

fn row(name: &str, cell: &Cell) -> FigureRow {
    FigureRow {
        name: name.to_owned(),
        figures: cell.figures().map(|f| {
            (
                format!("{:.2}", f.mean),
                format!("{:.1}%", f.share_agreeing),
                f.respondents,
                distribution(&f.distribution),
            )
        }),
    }
}

fn titles(report: &Report, keys: &[String]) -> String {
    let names: Vec<&str> = keys
        .iter()
        .filter_map(|k| report.factor(k).map(|f| f.title.as_str()))
        .collect();
    if names.is_empty() {
        "Not enough answers to say".to_owned()
    } else {
        names.join(", ")
    }
}

fn choice_rows(list: &[commonground_domain::results::ChoiceResult]) -> Vec<ChoiceRow> {
    let rank = |r: Option<u32>| r.map_or_else(|| "Not in their list".to_owned(), |r| r.to_string());
    list.iter()
        .map(|c| ChoiceRow {
            label: c.label.clone(),
            share: format!("{} ({:.1}%)", c.share.count, c.share.percent),
            clinicians: rank(c.rank_clinicians),
            finance: rank(c.rank_finance),
        })
        .collect()
}

fn view(report: &Report) -> ReportView {
    let shown: Vec<(String, f64)> = report
        .factors
        .iter()
        .filter_map(|f| f.overall.figures().map(|fig| (f.title.clone(), fig.mean)))
        .collect();
    let factors_chart = agreement_bars(
        &shown.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        &[("Everyone", shown.iter().map(|(_, m)| *m).collect())],
    );
    let (gaps, not_compared, sides_chart) = sides(report);
    let factor_titles: Vec<String> = report.factors.iter().map(|f| f.title.clone()).collect();
    ReportView {
        responses: report.responses,
        min_group: report.min_group,
        strongest: titles(report, &report.strongest),
        weakest: titles(report, &report.weakest),
        factors_chart,
        factors: report
            .factors
            .iter()
            .map(|f| row(&f.title, &f.overall))
            .collect(),
        sides_chart,
        gaps,
        not_compared,
        factor_titles,
        breakdowns: breakdown_tables(report),
        statements: report
            .factors
            .iter()
            .map(|f| {
                (
                    f.title.clone(),
                    f.statements
                        .iter()
                        .map(|s| row(&s.text, &s.figures))
                        .collect(),
                )
            })
            .collect(),
        involvement: involvement_rows(report),
        involvement_chart: involvement_heatmap(report),
        involvement_source: report.involvement_source.source.clone(),
        choices: vec![
            ("Barriers", choice_rows(&report.barriers)),
            ("Measures that would help", choice_rows(&report.measures)),
        ],
        rankings_source: report.rankings_source.clone(),
    }
}

/// The clinical and finance comparison: rows, factors not compared, and the chart.
fn sides(report: &Report) -> (Vec<GapRow>, Vec<String>, Option<String>) {
    let mut gaps = Vec::new();
    let mut not_compared = Vec::new();
    let (mut gap_titles, mut clinical_means, mut finance_means) =
        (Vec::new(), Vec::new(), Vec::new());
    for side in &report.sides {
        match &side.outcome {
            Comparison::Compared {
                clinical_mean,
                finance_mean,
                gap,
            } => {
                gap_titles.push(side.title.clone());
                clinical_means.push(*clinical_mean);
                finance_means.push(*finance_mean);
                gaps.push(GapRow {
                    title: side.title.clone(),
                    clinical: format!("{clinical_mean:.2}"),
                    finance: format!("{finance_mean:.2}"),
                    gap: format!("{gap:+.2}"),
                });
            }
            Comparison::NotCompared { .. } => not_compared.push(side.title.clone()),
        }
    }
    let chart = (!gap_titles.is_empty()).then(|| {
        agreement_bars(
            &gap_titles,
            &[("Clinical", clinical_means), ("Finance", finance_means)],
        )
    });
    (gaps, not_compared, chart)
}

/// Each breakdown as a table, or the reason it is withheld.
fn breakdown_tables(report: &Report) -> Vec<BreakdownTable> {
    report
        .breakdowns
        .iter()
        .map(|b| match &b.outcome {
            BreakdownOutcome::Withheld { reason } => BreakdownTable {
                title: b.title.clone(),
                withheld: Some(reason.clone()),
                groups: Vec::new(),
            },
            BreakdownOutcome::Shown { groups } => BreakdownTable {
                title: b.title.clone(),
                withheld: None,
                groups: groups
                    .iter()
                    .map(|g| {
                        let cells = g
                            .factors
                            .iter()
                            .map(|c| {
                                c.figures.figures().map_or_else(
                                    || "Not shown".to_owned(),
                                    |f| format!("{:.2}", f.mean),
                                )
                            })
                            .collect();
                        (g.label.clone(), cells)
                    })
                    .collect(),
            },
        })
        .collect()
}

/// Scopes down, levels across, for the scopes with figures shown.
fn involvement_heatmap(report: &Report) -> Option<String> {
    let shown: Vec<_> = report
        .involvement
        .iter()
        .filter_map(|i| i.counts.as_ref().map(|c| (i.label.clone(), c)))
        .collect();
    let first = shown.first()?;
    let levels: Vec<String> = first.1.levels.iter().map(|l| l.label.clone()).collect();
    let rows: Vec<String> = shown.iter().map(|(label, _)| label.clone()).collect();
    let percents: Vec<Vec<f64>> = shown
        .iter()
        .map(|(_, c)| c.levels.iter().map(|l| l.share.percent).collect())
        .collect();
    Some(percent_heatmap(&rows, &levels, &percents))
}

fn involvement_rows(report: &Report) -> Vec<InvolvementRow> {
    report
        .involvement
        .iter()
        .map(|i| InvolvementRow {
            label: i.label.clone(),
            levels: i.counts.as_ref().map_or_else(Vec::new, |c| {
                c.levels
                    .iter()
                    .map(|l| (l.label.clone(), format!("{:.1}%", l.share.percent)))
                    .collect()
            }),
            rarely_or_never: i.counts.as_ref().map_or_else(
                || "Not shown".to_owned(),
                |c| format!("{:.1}%", c.rarely_or_never.percent),
            ),
            reference: i.reference.iter().map(|r| r.summary.clone()).collect(),
        })
        .collect()
}

/// `GET /organisations/{org_id}/reviews/{review_id}/results`
pub async fn show_results(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let loaded = load(&state, &runner.member.org, &runner.review).await?;
    let (mut not_yet, mut too_few, mut report, mut comments) = (None, None, None, Vec::new());
    match &loaded {
        Loaded::NotYet { answered } => not_yet = Some(*answered),
        Loaded::Ready(ready) => match ready.results() {
            Results::TooFew {
                responses,
                min_group,
            } => too_few = Some((*responses, *min_group)),
            Results::Shown(r) => {
                report = Some(view(r));
                comments = ready.comments();
            }
        },
    }
    Ok(ok(ResultsPage {
        chrome: Chrome::new(&runner.member.caller.session, "Results"),
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        not_yet,
        too_few,
        report,
        comments,
    }))
}
