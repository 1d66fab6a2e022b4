//! `gene_list` and `relative_gene_list` (api-contract.md §3.5.1): `no`/`none` (`[]`), `unknown`
//! (`null`), or items `<GENE> <result>` (`relative_gene_list`: `<relation> <GENE> <result>`)
//! separated by `,` `;` or ` and `.
//!
//! A gene is a symbol of 2 to 10 letters and digits that contains a digit (`BRCA1`, `PALB2`,
//! `TP53`, `CHEK2`), or one of the cancer genes whose symbol has none (`ATM`, `APC`, `PTEN`...);
//! it is stored upper case. Bare `BRCA` is refused with a request to say which. Results are those
//! of risk-profile.md with `_`, `-` or spaces between words: `positive` (and `mutation`,
//! `carrier`) = pathogenic, `variant of uncertain significance` (or `uncertain`) = vus, `normal`
//! and `no mutation` = negative, `unknown` / `pending` = result unknown (`null`).

use super::text::{is_filler, key, quote, words};
use crate::clinical::profile::{GeneticResult, GeneticTest};
use crate::questionnaire::model::RelativeGeneTest;

/// Cancer-predisposition genes whose HGNC symbol has no digit (the others are recognised by
/// their shape).
const GENES_WITHOUT_DIGIT: &[&str] = &[
    "ATM", "APC", "EPCAM", "MUTYH", "NBN", "PTEN", "POLE", "RET", "VHL", "FH", "FLCN", "MITF",
    "RECQL",
];

/// Whether `w` (any case) reads as a gene symbol.
fn is_gene(w: &str) -> bool {
    let up = w.to_ascii_uppercase();
    let shaped = (2..=10).contains(&up.len())
        && up.starts_with(|c: char| c.is_ascii_alphabetic())
        && up.chars().all(|c| c.is_ascii_alphanumeric())
        && up.chars().any(|c| c.is_ascii_digit());
    shaped || GENES_WITHOUT_DIGIT.contains(&up.as_str())
}

/// Reads a result phrase; `Ok(None)` = unknown.
fn result(ws: &[String]) -> Result<Option<GeneticResult>, String> {
    use GeneticResult as R;
    let phrase: Vec<&str> = ws
        .iter()
        .map(String::as_str)
        .filter(|w| !matches!(*w, "result" | "test" | "tested" | "was" | "is" | "a"))
        .collect();
    Ok(Some(match key(&phrase.join(" ")).as_str() {
        "pathogenic" | "positive" | "mutation" | "carrier" | "pathogenicvariant"
        | "pathogenicmutation" | "plp" => R::Pathogenic,
        "likelypathogenic" => R::LikelyPathogenic,
        "vus"
        | "variantofuncertainsignificance"
        | "variantofunknownsignificance"
        | "uncertainsignificance"
        | "uncertain" => R::Vus,
        "likelybenign" => R::LikelyBenign,
        "benign" => R::Benign,
        "negative" | "normal" | "nomutation" | "novariant" | "nomutationfound" => R::Negative,
        "unknown" | "notknown" | "pending" | "dontknow" => return Ok(None),
        "" => return Err("Give the result after the gene (for example BRCA1 negative)".to_owned()),
        _ => {
            return Err(format!(
                "{} is not a result we know (pathogenic, likely pathogenic, vus, likely benign, \
                 benign, negative)",
                quote(&phrase.join(" "))
            ));
        }
    }))
}

/// Splits an item's words at the gene: (words before, gene, words after).
fn at_gene(ws: &[String]) -> Result<(&[String], String, &[String]), String> {
    if let Some(w) = ws.iter().find(|w| w.as_str() == "brca") {
        return Err(format!("{}: say which gene, BRCA1 or BRCA2", quote(w)));
    }
    let Some(i) = ws.iter().position(|w| is_gene(w)) else {
        return Err("Name the gene (for example BRCA1)".to_owned());
    };
    Ok((&ws[..i], ws[i].to_ascii_uppercase(), &ws[i + 1..]))
}

/// Reads one `<GENE> <result>` item.
fn test(item: &str) -> Result<GeneticTest, String> {
    let ws = words(item);
    let (before, gene, after) = at_gene(&ws)?;
    if before.iter().any(|w| !is_filler(w)) {
        return Err(format!(
            "{}: start with the gene (for example BRCA1 negative)",
            quote(item.trim())
        ));
    }
    Ok(GeneticTest {
        gene,
        result: result(after)?,
    })
}

/// Reads one `<relation> <GENE> <result>` item.
fn relative_test(item: &str) -> Result<RelativeGeneTest, String> {
    let ws = words(item);
    let (before, gene, after) = at_gene(&ws)?;
    let names: Vec<String> = before.iter().filter(|w| !is_filler(w)).cloned().collect();
    Ok(RelativeGeneTest {
        relation: super::relation::from_words(&names)?,
        gene,
        result: result(after)?,
    })
}

/// Reads a `gene_list` answer; `None` = unknown. A gene named twice is refused (two results
/// for one test).
pub(crate) fn list(s: &str) -> Result<Option<Vec<GeneticTest>>, String> {
    let tests = super::list(s, test)?;
    if let Some(t) = &tests
        && let Some((_, dup)) = t
            .iter()
            .enumerate()
            .find(|(i, a)| t[..*i].iter().any(|b| b.gene == a.gene))
    {
        return Err(format!("{} is listed twice", dup.gene));
    }
    Ok(tests)
}

/// Reads a `relative_gene_list` answer; `None` = unknown.
pub(crate) fn relative_list(s: &str) -> Result<Option<Vec<RelativeGeneTest>>, String> {
    super::list(s, relative_test)
}
