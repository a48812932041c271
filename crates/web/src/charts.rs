//! Charts as SVG, drawn on the server with charts-rs. Every chart on a page sits in a
//! `<figure>` beside a table of the same figures, which is what screen readers read; the SVG
//! itself is hidden from them and scales to the width of the page.

use charts_rs::{HeatmapChart, HorizontalBarChart, Series};

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

/// A heatmap of percentages: one row per `rows` label, one column per `columns` label, darker
/// blue for a larger share.
#[must_use]
pub fn percent_heatmap(rows: &[String], columns: &[String], percents: &[Vec<f64>]) -> String {
    // The chart draws its first row at the bottom: reverse so the page's order reads down.
    let rows: Vec<String> = rows.iter().rev().cloned().collect();
    let mut cells = Vec::new();
    for (row, values) in percents.iter().rev().enumerate() {
        for (column, value) in values.iter().enumerate() {
            cells.push((row * columns.len() + column, *value as f32));
        }
    }
    let rows_count = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    let mut chart = HeatmapChart::new(cells, columns.to_vec(), rows);
    chart.base.width = 640.0;
    chart.base.height = 70.0 + 60.0 * f32::from(rows_count);
    "Arial".clone_into(&mut chart.base.font_family);
    chart.heatmap_series.min = 0.0;
    chart.heatmap_series.max = 100.0;
    chart.heatmap_series.min_color = "#e8f1f9".into();
    chart.heatmap_series.max_color = "#003087".into();
    chart.heatmap_series.min_font_color = "#212b32".into();
    chart.heatmap_series.max_font_color = "#ffffff".into();
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
        let heat = percent_heatmap(
            &["Whole organisation".to_owned()],
            &["Fully".to_owned(), "Never".to_owned()],
            &[vec![10.0, 90.0]],
        );
        assert!(heat.starts_with("<svg viewBox=") && heat.contains("Never"));
    }
}
