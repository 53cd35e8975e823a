//! A glacier area time series as an SVG chart: one line per glacier, a dot per year, error
//! bars of ± the buffer-method uncertainty. SVG because it needs no font files to write (the
//! viewer draws the text), scales for print, and opens in any browser.

use std::fmt::Write;

/// One glacier's areas over the years.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's words: its name, else its id.
    pub label: String,
    /// Its years, in order.
    pub points: Vec<Point>,
}

/// One year of one glacier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The year.
    pub year: i32,
    /// Glacier area, km².
    pub km2: f64,
    /// Its uncertainty (one side of the error bar), km².
    pub uncertainty_km2: f64,
}

/// Okabe–Ito colours, told apart by people with colour-vision deficiencies; repeated past 8.
const COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];
const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 480.0;
/// The plot area inside the margins: left, top, right, bottom.
const PLOT: [f64; 4] = [72.0, 48.0, 640.0, 428.0];

/// The chart of `series` under `title`, as an SVG document.
pub fn svg(title: &str, series: &[Series]) -> String {
    let points = || series.iter().flat_map(|s| &s.points);
    let (first, last) = points().fold((i32::MAX, i32::MIN), |(a, b), p| {
        (a.min(p.year), b.max(p.year))
    });
    let (first, last) = if first > last {
        (2000, 2001)
    } else {
        (first, last)
    };
    let top = points()
        .map(|p| p.km2 + p.uncertainty_km2)
        .fold(0.0, f64::max);
    let (step, top) = ticks(top);
    let [left, upper, right, lower] = PLOT;
    let span = f64::from(last - first).max(1.0);
    let x = |year: i32| left + (f64::from(year - first) + 0.5) / (span + 1.0) * (right - left);
    let y = |km2: f64| lower - km2 / top * (lower - upper);

    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">"#
    );
    let _ = write!(
        out,
        "\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"28\" font-size=\"16\">{}</text>",
        escape(title)
    );
    // Horizontal grid lines and the area axis.
    let mut value = 0.0;
    while value <= top + step * 1e-9 {
        let v = y(value);
        let _ = write!(
            out,
            "\n<line x1=\"{left}\" x2=\"{right}\" y1=\"{v:.1}\" y2=\"{v:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            v + 4.0,
            number(value, step)
        );
        value += step;
    }
    let _ = write!(
        out,
        "\n<text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">glacier area (km²)</text>",
        (upper + lower) / 2.0
    );
    // Years along the bottom (every year up to 15, else every few).
    let every = ((last - first) / 14 + 1).max(1);
    for year in (first..=last).step_by(every as usize) {
        let _ = write!(
            out,
            "\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
            x(year),
            lower + 18.0
        );
    }
    let _ = write!(
        out,
        "\n<line x1=\"{left}\" x2=\"{right}\" y1=\"{lower}\" y2=\"{lower}\" stroke=\"#444\"/>\
         <line x1=\"{left}\" x2=\"{left}\" y1=\"{upper}\" y2=\"{lower}\" stroke=\"#444\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">year</text>",
        (left + right) / 2.0,
        lower + 40.0
    );
    // Each glacier: error bars, the line, the dots, a legend entry.
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = write!(out, "\n<g stroke=\"{colour}\" fill=\"{colour}\">");
        for p in &s.points {
            let (px, lo, hi) = (
                x(p.year),
                y(p.km2 - p.uncertainty_km2),
                y(p.km2 + p.uncertainty_km2),
            );
            let _ = write!(
                out,
                "<path d=\"M{px:.1} {lo:.1}V{hi:.1}M{:.1} {lo:.1}h8M{:.1} {hi:.1}h8\" fill=\"none\"/>",
                px - 4.0,
                px - 4.0
            );
        }
        let line: Vec<String> = s
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.year), y(p.km2)))
            .collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke-width=\"2\"/>",
            line.join(" ")
        );
        for p in &s.points {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"/>",
                x(p.year),
                y(p.km2)
            );
        }
        let ly = upper + 8.0 + 20.0 * i as f64;
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{ly:.1}\" y2=\"{ly:.1}\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" stroke=\"none\" fill=\"#222\">{}</text></g>",
            right + 16.0,
            right + 40.0,
            right + 46.0,
            ly + 4.0,
            escape(&s.label)
        );
    }
    out.push_str("\n</svg>\n");
    out
}

/// A tick step of 1, 2 or 5 × 10ⁿ giving about five ticks up to `max`, and the axis top (a
/// whole number of steps at or above `max`).
pub fn ticks(max: f64) -> (f64, f64) {
    if max.is_nan() || max <= 0.0 || max.is_infinite() {
        return (1.0, 1.0);
    }
    let rough = max / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    (step, (max / step).ceil() * step)
}

/// `value` with as many decimals as `step` needs.
fn number(value: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{value:.decimals$}")
}

/// `text` safe inside SVG text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(ticks(16.2), (5.0, 20.0));
        assert_eq!(ticks(0.037), (0.01, 0.04));
        assert_eq!(ticks(254.5), (100.0, 300.0));
        assert_eq!(ticks(0.0), (1.0, 1.0));
        assert_eq!(number(0.04, 0.01), "0.04");
        assert_eq!(number(300.0, 100.0), "300");
    }

    #[test]
    fn one_line_per_glacier_with_its_error_bars_and_legend() {
        let series = vec![
            Series {
                label: "Khumbu <RGI60-15.03733>".into(),
                points: vec![
                    Point {
                        year: 2013,
                        km2: 16.0,
                        uncertainty_km2: 1.2,
                    },
                    Point {
                        year: 2019,
                        km2: 15.1,
                        uncertainty_km2: 1.1,
                    },
                ],
            },
            Series {
                label: "Lhotse & Nuptse".into(),
                points: vec![Point {
                    year: 2016,
                    km2: 8.5,
                    uncertainty_km2: 0.9,
                }],
            },
        ];
        let svg = svg("Khumbu region", &series);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("Khumbu &lt;RGI60-15.03733&gt;"));
        assert!(svg.contains("Lhotse &amp; Nuptse"));
        // Years 2013 to 2019 each labelled; the area axis to 20 km² in steps of 5.
        assert!((2013..=2019).all(|y| svg.contains(&format!(">{y}</text>"))));
        assert!(svg.contains(">20</text>") && !svg.contains(">25</text>"));
        assert!(svg.ends_with("</svg>\n"));
    }
}
