//! The two reference journeys of issue #8 as answer paths (question id, answer as typed): the
//! demo data (`genascope seed-demo`), the documentation's walk-through and the tests all answer
//! with these, so they tell the same story.
//!
//! - [`MOTHER_AND_AUNT`]: a 35-year-old woman whose mother had breast cancer at 40 and whose
//!   maternal aunt had ovarian cancer. NCCN testing is indicated: O3 (the aunt's ovarian
//!   cancer), G6 (Tyrer-Cuzick carrier probability), G5 (the mother meets B1).
//! - [`NO_FAMILY_HISTORY`]: a 35-year-old woman with no family or personal history: not
//!   eligible.
//! - [`EVERY_QUESTION`]: every one of the 26 questions answered once (one 2 → 3 → 4 round,
//!   children, post-menopausal, a biopsy): the tests' full walk and the HTTP benchmark's interview.

/// Reference journey (a); question 10 is the age.
pub const MOTHER_AND_AUNT: [(u8, &str); 23] = [
    (1, "Yes"),
    (2, "40"),
    (3, "mom"),
    (4, "no"),
    (5, "maternal aunt"),
    (6, "no"),
    (7, "no"),
    (8, "no"),
    (9, "no"),
    (10, "35"),
    (11, "female"),
    (12, "no"),
    (13, "white"),
    (14, "no"),
    (15, "no"),
    (16, "12"),
    (17, "0"),
    (19, "pre"),
    (21, "165"),
    (22, "60"),
    (23, "0"),
    (25, "never"),
    (26, "b"),
];

/// Reference journey (b).
pub const NO_FAMILY_HISTORY: [(u8, &str); 20] = [
    (1, "no"),
    (5, "no"),
    (6, "no"),
    (7, "no"),
    (8, "no"),
    (9, "no"),
    (10, "35"),
    (11, "female"),
    (12, "no"),
    (13, "white"),
    (14, "no"),
    (15, "no"),
    (16, "12"),
    (17, "0"),
    (19, "pre"),
    (21, "165"),
    (22, "60"),
    (23, "0"),
    (25, "never"),
    (26, "b"),
];

/// Every question answered once, in order: one 2 → 3 → 4 round (the mother at 40), an ovarian
/// cancer in a maternal aunt at 55, a 52-year-old post-menopausal woman with children and one
/// biopsy.
pub const EVERY_QUESTION: [(u8, &str); 26] = [
    (1, "yes"),
    (2, "40"),
    (3, "mother"),
    (4, "no"),
    (5, "maternal aunt 55"),
    (6, "no"),
    (7, "no"),
    (8, "no"),
    (9, "no"),
    (10, "52"),
    (11, "female"),
    (12, "no"),
    (13, "white"),
    (14, "no"),
    (15, "no"),
    (16, "12"),
    (17, "2"),
    (18, "28"),
    (19, "post"),
    (20, "50"),
    (21, "165 cm"),
    (22, "60 kg"),
    (23, "1"),
    (24, "none"),
    (25, "never"),
    (26, "b"),
];
