//! The SVG text of a placed family: symbols, lines, labels and the legend. Every piece of text
//! from the profile goes through [`escape`].

use super::layout::{Layout, Node, SPACING, Who};
use crate::clinical::profile::{
    CancerType, GeneticResult, GeneticTest, Proband, Relative, RiskProfile, Sex,
};
use std::fmt::Write;

/// Symbol size (square side, circle diameter).
const SIZE: f64 = 36.0;
const HALF: f64 = SIZE / 2.0;
const LINE: f64 = 12.0;
const MARGIN: f64 = 60.0;
const TOP: f64 = 70.0;
/// Space between the bottom of a row's labels and the next row's symbols (sibship lines).
const GAP: f64 = 34.0;
/// At most this many genetic test lines under a symbol.
const MAX_TEST_LINES: usize = 4;
/// Longest text run written for one value (gene symbols are free text).
const MAX_CHARS: usize = 28;

/// Fill colours by cancer site (colour-blind-safe Okabe-Ito first, then Tol's muted set).
fn colour(t: CancerType) -> &'static str {
    use CancerType as C;
    match t {
        C::Breast => "#D55E00",
        C::Ovarian => "#0072B2",
        C::Pancreatic => "#009E73",
        C::Prostate => "#E69F00",
        C::Colorectal => "#56B4E9",
        C::Endometrial => "#CC79A7",
        C::Gastric => "#F0E442",
        C::Melanoma => "#332288",
        C::Sarcoma => "#882255",
        C::Brain => "#117733",
        C::Adrenocortical => "#999933",
        C::Thyroid => "#44AA99",
        C::Kidney => "#AA4499",
        C::Leukemia => "#661100",
        C::Other => "#888888",
    }
}

/// `&`, `<`, `>`, `"` and `'` as entities; characters XML 1.0 cannot carry (controls other
/// than tab and newline, U+FFFE, U+FFFF) dropped; at most [`MAX_CHARS`] characters kept.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    for c in text.chars() {
        if (c < ' ' && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}' {
            continue;
        }
        if kept == MAX_CHARS {
            out.push('…');
            break;
        }
        kept += 1;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The facts one symbol shows.
struct Facts<'a> {
    label: String,
    alive: Option<bool>,
    age: Option<i32>,
    cancers: &'a [crate::clinical::profile::Cancer],
    tests: &'a [GeneticTest],
}

fn facts<'a>(profile: &'a RiskProfile, who: Who) -> Option<Facts<'a>> {
    match who {
        Who::Implied => None,
        Who::Proband => {
            let p: &Proband = &profile.proband;
            Some(Facts {
                label: "Proband".to_owned(),
                alive: Some(true),
                age: p.age,
                cancers: &p.cancers,
                tests: &p.genetic_tests,
            })
        }
        Who::Relative(i) => {
            let r: &Relative = profile.relatives.get(i)?;
            Some(Facts {
                label: capitalised(&r.relation.label()),
                alive: r.alive,
                age: r.age,
                cancers: &r.cancers,
                tests: &r.genetic_tests,
            })
        }
    }
}

fn result_mark(r: Option<GeneticResult>) -> &'static str {
    match r {
        Some(GeneticResult::Pathogenic) => "+ (P)",
        Some(GeneticResult::LikelyPathogenic) => "+ (LP)",
        Some(GeneticResult::Vus) => "VUS",
        Some(GeneticResult::LikelyBenign) => "− (LB)",
        Some(GeneticResult::Benign) => "− (B)",
        Some(GeneticResult::Negative) => "−",
        None => "result ?",
    }
}

/// The text lines under a symbol (already escaped).
fn lines(f: &Facts<'_>) -> Vec<String> {
    let mut out = vec![escape(&f.label)];
    match (f.alive, f.age) {
        (Some(false), Some(a)) => out.push(format!("d. {a} y")),
        (Some(false), None) => out.push("d.".to_owned()),
        (_, Some(a)) => out.push(format!("{a} y")),
        (_, None) => {}
    }
    for c in f.cancers {
        let age = c.age_at_diagnosis.map_or("?".to_owned(), |a| a.to_string());
        let bilateral = if c.bilateral == Some(true) {
            ", bilat."
        } else {
            ""
        };
        out.push(format!(
            "{} dx {age}{bilateral}",
            capitalised(c.cancer_type.as_str())
        ));
    }
    for (k, t) in f.tests.iter().enumerate() {
        if k == MAX_TEST_LINES {
            out.push(format!("+{} more tests", f.tests.len() - k));
            break;
        }
        out.push(format!(
            "{} {}",
            escape(t.gene.trim()),
            result_mark(t.result)
        ));
    }
    out
}

/// The cancer sites of one person, first occurrence first.
fn sites(f: &Facts<'_>) -> Vec<CancerType> {
    let mut out = Vec::new();
    for c in f.cancers {
        if !out.contains(&c.cancer_type) {
            out.push(c.cancer_type);
        }
    }
    out
}

/// The symbol outline as an SVG shape element (no fill / stroke attributes).
fn shape(sex: Option<Sex>, x: f64, y: f64) -> String {
    match sex {
        Some(Sex::Male) => format!(
            r#"<rect x="{}" y="{}" width="{SIZE}" height="{SIZE}""#,
            P(x - HALF),
            P(y - HALF)
        ),
        Some(Sex::Female) => format!(r#"<circle cx="{}" cy="{}" r="{HALF}""#, P(x), P(y)),
        None => format!(
            r#"<polygon points="{},{} {},{} {},{} {},{}""#,
            P(x),
            P(y - HALF - 3.0),
            P(x + HALF + 3.0),
            P(y),
            P(x),
            P(y + HALF + 3.0),
            P(x - HALF - 3.0),
            P(y)
        ),
    }
}

/// A wedge from the centre covering `[a0, a1)` of the full turn (0 = top, clockwise), large
/// enough to cover the symbol; the symbol's clip path trims it.
fn wedge(x: f64, y: f64, a0: f64, a1: f64) -> String {
    let r = SIZE;
    let pt = |a: f64| {
        let t = a * std::f64::consts::TAU;
        (x + r * t.sin(), y - r * t.cos())
    };
    let mut d = format!("M{},{}", P(x), P(y));
    // Straight segments every eighth of a turn keep it a polygon (no arc flags to get wrong).
    let steps = ((a1 - a0) * 8.0).ceil().max(1.0) as usize;
    for k in 0..=steps {
        let (px, py) = pt(a0 + (a1 - a0) * k as f64 / steps as f64);
        let _ = write!(d, " L{},{}", P(px), P(py));
    }
    d.push_str(" Z");
    d
}

/// A coordinate written with one decimal by integer arithmetic: float formatting with a
/// precision was most of the renderer's time.
#[derive(Debug, Clone, Copy)]
struct P(f64);

impl std::fmt::Display for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
}

struct Canvas {
    out: String,
    /// Centre y of each row that has symbols.
    row_y: [f64; 6],
}

impl Canvas {
    fn symbol(&mut self, id: usize, n: &Node, y: f64, f: Option<&Facts<'_>>) {
        let x = n.x + MARGIN;
        let who = match n.who {
            Who::Proband => r#" data-proband="true""#.to_owned(),
            Who::Relative(i) => format!(r#" data-relative="{i}""#),
            Who::Implied => r#" data-implied="true""#.to_owned(),
        };
        let _ = write!(self.out, r#"<g class="person"{who}>"#);
        let outline = shape(n.sex, x, y);
        let Some(f) = f else {
            let _ = write!(
                self.out,
                r##"{outline} fill="#fff" stroke="#999" stroke-dasharray="4 3"/></g>"##
            );
            return;
        };
        let s = sites(f);
        match s.as_slice() {
            [] => {
                let _ = write!(self.out, r##"{outline} fill="#fff" stroke="none"/>"##);
            }
            [one] => {
                let _ = write!(
                    self.out,
                    r#"{outline} fill="{}" stroke="none"/>"#,
                    colour(*one)
                );
            }
            many => {
                let _ = write!(
                    self.out,
                    r#"<clipPath id="c{id}">{outline}/></clipPath><g clip-path="url(#c{id})">"#
                );
                let k = many.len() as f64;
                for (j, t) in many.iter().enumerate() {
                    let d = wedge(x, y, j as f64 / k, (j + 1) as f64 / k);
                    let _ = write!(self.out, r#"<path d="{d}" fill="{}"/>"#, colour(*t));
                }
                self.out.push_str("</g>");
            }
        }
        let _ = write!(
            self.out,
            r##"{outline} fill="none" stroke="#000" stroke-width="2"/>"##
        );
        if f.alive == Some(false) {
            let _ = write!(
                self.out,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-width="2"/>"##,
                P(x - HALF - 8.0),
                P(y + HALF + 8.0),
                P(x + HALF + 8.0),
                P(y - HALF - 8.0)
            );
        }
        if n.who == Who::Proband {
            self.arrow(x, y);
        }
        for (k, text) in lines(f).iter().enumerate() {
            let _ = write!(
                self.out,
                r#"<text x="{}" y="{}" text-anchor="middle">{text}</text>"#,
                P(x),
                P(y + HALF + 16.0 + k as f64 * LINE)
            );
        }
        self.out.push_str("</g>");
    }

    /// NSGC proband mark: an arrow at the lower left, with "P".
    fn arrow(&mut self, x: f64, y: f64) {
        let (tx, ty) = (x - HALF - 4.0, y + HALF - 4.0);
        let (x1, y1, x2, y2, x3, y3) = (
            P(tx - 22.0),
            P(ty + 22.0),
            P(tx - 10.0),
            P(ty + 2.0),
            P(tx - 2.0),
            P(ty + 10.0),
        );
        let (lx, ly) = (P(tx - 34.0), P(ty + 30.0));
        let (tx, ty) = (P(tx), P(ty));
        let _ = write!(
            self.out,
            r##"<line x1="{x1}" y1="{y1}" x2="{tx}" y2="{ty}" stroke="#000" stroke-width="2"/><polygon points="{tx},{ty} {x2},{y2} {x3},{y3}" fill="#000"/><text x="{lx}" y="{ly}" font-weight="bold">P</text>"##
        );
    }
}

/// Centre y of every row that has symbols, and the bottom of the last one.
fn rows_y(l: &Layout, heights: &[usize]) -> ([f64; 6], f64) {
    let mut y = TOP + HALF;
    let mut out = [0.0; 6];
    for (r, row) in l.rows.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        out[r] = y;
        let lines = row.iter().map(|&i| heights[i]).max().unwrap_or(0);
        y += SIZE + 16.0 + lines as f64 * LINE + GAP;
    }
    (out, y - GAP)
}

/// Writes the whole document.
pub(super) fn write(profile: &RiskProfile, l: &Layout) -> String {
    let facts: Vec<Option<Facts<'_>>> = l.nodes.iter().map(|n| facts(profile, n.who)).collect();
    let heights: Vec<usize> = facts
        .iter()
        .map(|f| f.as_ref().map_or(0, |f| lines(f).len()))
        .collect();
    let (row_y, bottom) = rows_y(l, &heights);
    let span = l.nodes.iter().map(|n| n.x).fold(0.0, f64::max);
    let legend = legend(profile);
    let width = (span + 2.0 * MARGIN + SPACING / 2.0).max(420.0);
    let height = bottom + 30.0 + legend.1;
    let mut c = Canvas {
        out: String::with_capacity(4096 + 1500 * l.nodes.len()),
        row_y,
    };
    let _ = write!(
        c.out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif" font-size="10" role="img" aria-label="Pedigree"><rect width="100%" height="100%" fill="#fff"/>"##
    );
    header(&mut c, profile, l);
    lines_between(&mut c, l);
    for (id, (n, f)) in l.nodes.iter().zip(&facts).enumerate() {
        c.symbol(id, n, c.row_y[n.row], f.as_ref());
    }
    let _ = write!(
        c.out,
        r#"<g class="legend" transform="translate({MARGIN},{})">{}</g>"#,
        P(bottom + 30.0),
        legend.0
    );
    c.out.push_str("</svg>");
    c.out
}

/// Title, ancestry, generation numerals, side labels.
fn header(c: &mut Canvas, profile: &RiskProfile, l: &Layout) {
    let ancestry = match profile.proband.ashkenazi_jewish {
        Some(true) => "Ashkenazi Jewish ancestry: yes",
        Some(false) => "Ashkenazi Jewish ancestry: no",
        None => "Ashkenazi Jewish ancestry: not reported",
    };
    let _ = write!(
        c.out,
        r#"<text x="{MARGIN}" y="22" font-size="14" font-weight="bold">Family pedigree</text><text x="{MARGIN}" y="40" class="ancestry">{ancestry}</text>"#
    );
    let numerals = ["I", "II", "III", "IV", "V", "VI"];
    let mut k = 0;
    for (r, row) in l.rows.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let _ = write!(
            c.out,
            r#"<text x="12" y="{}" font-size="12" font-weight="bold">{}</text>"#,
            P(c.row_y[r] + 4.0),
            numerals[k]
        );
        k += 1;
    }
    for (label, side) in [("Paternal side", 0), ("Maternal side", 1)] {
        // Over the middle of the side's reported relatives.
        let xs: Vec<f64> = l
            .nodes
            .iter()
            .filter(|n| matches!(n.who, Who::Relative(i) if side_of(profile, i) == Some(side)))
            .map(|n| n.x)
            .collect();
        if !xs.is_empty() {
            let x = xs.iter().sum::<f64>() / xs.len() as f64;
            let _ = write!(
                c.out,
                r##"<text x="{}" y="58" text-anchor="middle" fill="#555">{label}</text>"##,
                P(x + MARGIN)
            );
        }
    }
}

fn side_of(profile: &RiskProfile, i: usize) -> Option<u8> {
    use crate::clinical::pedigree::Side;
    match profile.relatives.get(i)?.relation.side() {
        Side::Paternal => Some(0),
        Side::Maternal => Some(1),
        Side::None => None,
    }
}

/// Couple lines, descent lines and sibship lines.
fn lines_between(c: &mut Canvas, l: &Layout) {
    for u in &l.unions {
        let (a, b) = (&l.nodes[u.left], &l.nodes[u.right]);
        let y = c.row_y[a.row];
        let (x0, x1) = (a.x.min(b.x) + MARGIN + HALF, a.x.max(b.x) + MARGIN - HALF);
        let mid = (a.x + b.x) / 2.0 + MARGIN;
        let Some(&first) = u.children.first() else {
            continue;
        };
        let child_y = c.row_y[l.nodes[first].row] - HALF - 4.0;
        let bar = child_y - 14.0;
        let xs = u.children.iter().map(|&i| l.nodes[i].x + MARGIN);
        let lo = xs.clone().fold(mid, f64::min);
        let hi = xs.fold(mid, f64::max);
        let (x0, x1, y, mid, lo, hi) = (P(x0), P(x1), P(y), P(mid), P(lo), P(hi));
        let (bar, child_y) = (P(bar), P(child_y));
        let _ = write!(
            c.out,
            r##"<path class="union" d="M{x0},{y} H{x1} M{mid},{y} V{bar} M{lo},{bar} H{hi}" fill="none" stroke="#000" stroke-width="1.5"/>"##
        );
        for &i in &u.children {
            let x = P(l.nodes[i].x + MARGIN);
            let _ = write!(
                c.out,
                r##"<path d="M{x},{bar} V{child_y}" stroke="#000" stroke-width="1.5"/>"##
            );
        }
    }
}

/// The legend's SVG (relative to its corner) and its height.
fn legend(profile: &RiskProfile) -> (String, f64) {
    let mut present: Vec<CancerType> = Vec::new();
    let all = std::iter::once(&profile.proband.cancers)
        .chain(profile.relatives.iter().map(|r| &r.cancers));
    for cancers in all {
        for c in cancers {
            if !present.contains(&c.cancer_type) {
                present.push(c.cancer_type);
            }
        }
    }
    let mut out = String::new();
    let mut y = 0.0;
    let row = |out: &mut String, y: &mut f64, swatch: String, text: &str| {
        let _ = write!(
            out,
            r#"{swatch}<text x="22" y="{}">{text}</text>"#,
            P(*y + 11.0)
        );
        *y += 16.0;
    };
    for t in &present {
        let sw = format!(
            r##"<rect x="0" y="{}" width="14" height="14" fill="{}" stroke="#000"/>"##,
            P(y),
            colour(*t)
        );
        let text = format!("{} cancer (dx = age at diagnosis)", capitalised(t.as_str()));
        row(&mut out, &mut y, sw, &text);
    }
    let notes = [
        "Square male, circle female, diamond sex not recorded; slash: deceased (d. = age at death)",
        "Arrow P: proband; dashed: not reported, drawn to connect relatives",
        "Gene + : pathogenic (P) / likely pathogenic (LP) variant; − : negative / benign; VUS",
    ];
    for n in notes {
        row(&mut out, &mut y, String::new(), n);
    }
    (out, y)
}
