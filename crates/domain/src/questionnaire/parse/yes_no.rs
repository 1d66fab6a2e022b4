//! `yes_no` (api-contract.md §3.5.1): `yes/y/true`, `no/n/false`, or
//! `unknown/unsure/not sure/don't know/skip` (unknown: takes the "no" branch, fills `null`).

use super::text::{is_unknown, key};
use crate::questionnaire::model::YesNo;

const YES: &[&str] = &["yes", "y", "true", "1", "yeah", "yep", "yup"];
const NO: &[&str] = &["no", "n", "false", "0", "nope", "nah", "none", "never"];

/// Reads a yes/no/unknown answer.
pub(crate) fn parse(s: &str) -> Result<YesNo, String> {
    let k = key(s);
    if YES.contains(&k.as_str()) {
        Ok(YesNo::Yes)
    } else if NO.contains(&k.as_str()) {
        Ok(YesNo::No)
    } else if is_unknown(s) {
        Ok(YesNo::Unknown)
    } else {
        Err("This is a yes-or-no question".to_owned())
    }
}
