//! `measure` (api-contract.md §3.5.1): a number with an optional unit, converted and rounded to
//! 0.1. Height: cm (default), m, in, feet (`5'4"`, `5 ft 4 in`, `5 feet 4`); weight: kg
//! (default), lb. A decimal comma is read (`1,65 m`). The result must lie within the profile's
//! plausibility bounds (`HEIGHT_RANGE`, `WEIGHT_RANGE`), so that the profile validates.

use crate::clinical::profile::{HEIGHT_RANGE, WEIGHT_RANGE};
use crate::questionnaire::model::Measure;

/// Centimetres per inch.
const CM_PER_IN: f64 = 2.54;
/// Centimetres per foot.
const CM_PER_FT: f64 = 30.48;
/// Kilograms per pound (international avoirdupois pound).
const KG_PER_LB: f64 = 0.453_592_37;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Cm,
    M,
    In,
    Ft,
    Kg,
    Lb,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Num(f64),
    Unit(Unit),
}

const FILLERS: &[&str] = &[
    "about",
    "around",
    "approximately",
    "approx",
    "roughly",
    "and",
];

fn unit_word(w: &str) -> Option<Unit> {
    Some(match w {
        "cm" | "cms" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => Unit::Cm,
        "m" | "meter" | "meters" | "metre" | "metres" => Unit::M,
        "in" | "inch" | "inches" => Unit::In,
        "ft" | "foot" | "feet" => Unit::Ft,
        "kg" | "kgs" | "kilo" | "kilos" | "kilogram" | "kilograms" | "kilogramme"
        | "kilogrammes" => Unit::Kg,
        "lb" | "lbs" | "pound" | "pounds" => Unit::Lb,
        _ => return None,
    })
}

/// Splits `s` into numbers and units; `'` is feet and `"` inches.
fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.to_lowercase().chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while chars.get(i).is_some_and(|c| {
                c.is_ascii_digit()
                    || *c == '.'
                    || (*c == ',' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            }) {
                i += 1;
            }
            let text: String = chars[start..i]
                .iter()
                .map(|c| if *c == ',' { '.' } else { *c })
                .collect();
            match text.parse::<f64>() {
                Ok(n) if n.is_finite() => out.push(Tok::Num(n)),
                _ => return Err(format!("\"{text}\" is not a number")),
            }
        } else if c == '\'' || c == '\u{2019}' || c == '\u{2032}' {
            out.push(Tok::Unit(Unit::Ft));
            i += 1;
        } else if c == '"' || c == '\u{201d}' || c == '\u{2033}' {
            out.push(Tok::Unit(Unit::In));
            i += 1;
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_alphabetic()) {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            if FILLERS.contains(&w.as_str()) {
                continue;
            }
            match unit_word(&w) {
                Some(u) => out.push(Tok::Unit(u)),
                None => return Err(format!("\"{w}\" is not a unit we know")),
            }
        } else if c == '-' {
            return Err("A measurement cannot be negative".to_owned());
        } else {
            return Err(format!("\"{c}\" is not part of a measurement"));
        }
    }
    Ok(out)
}

/// Reads a height (cm) or weight (kg), rounded to 0.1.
pub(crate) fn parse(kind: Measure, s: &str) -> Result<f64, String> {
    let toks = tokens(s)?;
    let value = match kind {
        Measure::Height => height(&toks)?,
        Measure::Weight => weight(&toks)?,
    };
    let value = (value * 10.0).round() / 10.0;
    let ((lo, hi), what, unit) = match kind {
        Measure::Height => (HEIGHT_RANGE, "A height", "cm"),
        Measure::Weight => (WEIGHT_RANGE, "A weight", "kg"),
    };
    if !(lo..=hi).contains(&value) {
        return Err(format!(
            "{what} must be between {lo} and {hi} {unit} (this reads as {value} {unit})"
        ));
    }
    Ok(value)
}

fn height(toks: &[Tok]) -> Result<f64, String> {
    use Tok::{Num, Unit as U};
    match *toks {
        [Num(n)] | [Num(n), U(Unit::Cm)] => Ok(n),
        [Num(n), U(Unit::M)] => Ok(n * 100.0),
        [Num(n), U(Unit::In)] => Ok(n * CM_PER_IN),
        [Num(f), U(Unit::Ft)] => Ok(f * CM_PER_FT),
        [Num(f), U(Unit::Ft), Num(i)] | [Num(f), U(Unit::Ft), Num(i), U(Unit::In)] => {
            if i >= 12.0 {
                Err("Inches after feet must be fewer than 12".to_owned())
            } else {
                Ok(f * CM_PER_FT + i * CM_PER_IN)
            }
        }
        [] => Err("An answer is required".to_owned()),
        _ => Err("This is not a height we can read".to_owned()),
    }
}

fn weight(toks: &[Tok]) -> Result<f64, String> {
    use Tok::{Num, Unit as U};
    match *toks {
        [Num(n)] | [Num(n), U(Unit::Kg)] => Ok(n),
        [Num(n), U(Unit::Lb)] => Ok(n * KG_PER_LB),
        [] => Err("An answer is required".to_owned()),
        _ => Err("This is not a weight we can read".to_owned()),
    }
}
