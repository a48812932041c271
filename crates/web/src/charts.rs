//! Charts as SVG, drawn on the server with charts-rs. Every chart on a page sits in a
//! `<figure>` beside a table of the same figures, which is what screen readers read; the SVG
//! itself is hidden from them and scales to the width of the page.

use charts_rs::{HorizontalBarChart, Series};

/// Colours from the NHS palette: blue for clinical or overall, dark grey for finance.
const COLOURS: [&str; 2] = ["#005eb8", "#425563"];

/// Horizontal bars on the 1 to 5 agreement scale: one row per label (first at the top), one
/// bar per series.
#[must_use]
pub fn agreement_bars(labels: &[String], series: &[(&str, Vec<f64>)]) -> String {
    // The chart draws its first category at the bottom: reverse so the page's order reads down.
    let list: Vec<Series> = series
        .iter()
        .map(|(name, values)| {
            Series::new(
                (*name).to_owned(),
                values.iter().rev().map(|v| *v as f32).collect(),
            )
        })
        .collect();
    let rows: Vec<String> = labels.iter().rev().cloned().collect();
    let mut chart = HorizontalBarChart::new(list, rows);
    chart.base.width = 640.0;
    // At most a few dozen bars: the count fits an f32 exactly.
    let bars = u16::try_from(labels.len() * series.len().max(1)).unwrap_or(u16::MAX);
    chart.base.height = 60.0 + 30.0 * f32::from(bars);
    "Arial".clone_into(&mut chart.base.font_family);
    chart.base.series.colors = COLOURS.iter().map(|c| (*c).into()).collect();
    chart.base.legend.show = Some(series.len() > 1);
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        axis.min = Some(0.0);
        axis.max = Some(5.0);
        axis.split_number = 5;
    }
    responsive(&chart.svg().unwrap_or_default())
}

/// Drops the fixed size from the root element, keeping the view box, so CSS can scale it.
fn responsive(svg: &str) -> String {
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let (root, rest) = svg.split_at(end);
    let root: String = root
        .split(' ')
        .filter(|attr| !attr.starts_with("width=") && !attr.starts_with("height="))
        .collect::<Vec<_>>()
        .join(" ");
    format!("{root} aria-hidden=\"true\" focusable=\"false\"{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_scalable_svg_hidden_from_screen_readers() {
        let svg = agreement_bars(
            &["Shared purpose".to_owned(), "Trust".to_owned()],
            &[("Clinical", vec![3.5, 4.1]), ("Finance", vec![2.9, 3.8])],
        );
        assert!(svg.starts_with("<svg viewBox="), "{}", &svg[..80]);
        assert!(svg.contains("aria-hidden=\"true\""));
        assert!(svg.contains("Shared purpose"));
        assert!(!svg.contains("<script"));
    }
}
