//! Gail model (BCRAT) parameter tables, one set per BCRA race model.
//!
//! Source of every number in this file: the NCI's R package BCRA 2.1 (cran/BCRA), files
//! `R/absolute.risk.R` (composite incidence λ1, competing mortality λ2, 1 − attributable risk)
//! and `R/relative.risk.R` (log relative risks β), as summarised in
//! `/work/shared/reference/clinical.md` §2.3. The numbers are NCI facts; the code is ours.
//! Rates are per woman-year, in the 14 five-year age groups 20–24, 25–29, …, 85–89.

/// Number of five-year age groups (20–24 … 85–89).
pub(crate) const AGE_GROUPS: usize = 14;

/// Parameters of one BCRA race model.
#[derive(Debug)]
pub(crate) struct RaceParams {
    /// Composite breast-cancer incidence λ1 by five-year age group.
    pub(crate) lambda1: [f64; AGE_GROUPS],
    /// Competing (non-breast-cancer) mortality λ2 by five-year age group.
    pub(crate) lambda2: [f64; AGE_GROUPS],
    /// 1 − attributable risk, for ages < 50 and ≥ 50.
    pub(crate) one_minus_ar: [f64; 2],
    /// log relative risks, in BCRA's order: NB, AM, AF, NR, (age ≥ 50)×NB, AF×NR.
    pub(crate) beta: [f64; 6],
}

// ---------------------------------------------------------------------------------------------
// β (R/relative.risk.R; clinical.md §2.3)
// ---------------------------------------------------------------------------------------------

/// White and "other" (race codes 1 and 4): Gail et al., JNCI 1989;81:1879.
const WHITE_BETA: [f64; 6] = [
    0.5292641686,
    0.0940103059,
    0.2186262218,
    0.9583027845,
    -0.2880424830,
    -0.1908113865,
];
/// African-American (code 2): CARE model, Gail et al., JNCI 2007;99:1782.
const BLACK_BETA: [f64; 6] = [
    0.1822121131,
    0.2672530336,
    0.0,
    0.4757242578,
    -0.1119411682,
    0.0,
];
/// Hispanic, US-born (code 3): SFBCS, Banegas et al., JNCI 2017;109.
const HISPANIC_US_BETA: [f64; 6] = [0.0970783641, 0.0, 0.2318368334, 0.166685441, 0.0, 0.0];
/// Hispanic, foreign-born (code 5): SFBCS, Banegas et al., JNCI 2017;109.
const HISPANIC_FOREIGN_BETA: [f64; 6] = [
    0.4798624017,
    0.2593922322,
    0.4669246218,
    0.9076679727,
    0.0,
    0.0,
];
/// Asian-American (codes 6–11): AABCS, Matsuno et al., JNCI 2011;103:951.
const ASIAN_BETA: [f64; 6] = [
    0.55263612260619,
    0.07499257592975,
    0.27638268294593,
    0.79185633720481,
    0.0,
    0.0,
];

// ---------------------------------------------------------------------------------------------
// 1 − AR (R/absolute.risk.R; clinical.md §2.3)
// ---------------------------------------------------------------------------------------------

const WHITE_1_AR: [f64; 2] = [0.5788413, 0.5788413];
const BLACK_1_AR: [f64; 2] = [0.72949880, 0.74397137];
const HISPANIC_US_1_AR: [f64; 2] = [0.749294788397, 0.778215491668];
const HISPANIC_FOREIGN_1_AR: [f64; 2] = [0.428864989813, 0.450352338746];
const ASIAN_1_AR: [f64; 2] = [0.47519806426735, 0.50316401683903];

// ---------------------------------------------------------------------------------------------
// λ1 composite incidence (R/absolute.risk.R)
// ---------------------------------------------------------------------------------------------

/// SEER White 1983–87 (used for codes 1 and 4).
const WHITE_LAMBDA1: [f64; AGE_GROUPS] = [
    0.00001000, 0.00007600, 0.00026600, 0.00066100, 0.00126500, 0.00186600, 0.00221100, 0.00272100,
    0.00334800, 0.00392300, 0.00417800, 0.00443900, 0.00442100, 0.00410900,
];
/// SEER White 1992–96: the "average" White / other woman (average-risk comparator, codes 1 and 4).
const WHITE_AVG_LAMBDA1: [f64; AGE_GROUPS] = [
    0.00001220, 0.00007410, 0.00022970, 0.00056490, 0.00116450, 0.00195250, 0.00261540, 0.00302790,
    0.00367570, 0.00420290, 0.00473080, 0.00494250, 0.00479760, 0.00401060,
];
/// SEER Black 1994–98.
const BLACK_LAMBDA1: [f64; AGE_GROUPS] = [
    0.00002696, 0.00011295, 0.00031094, 0.00067639, 0.00119444, 0.00187394, 0.00241504, 0.00291112,
    0.00310127, 0.00366560, 0.00393132, 0.00408951, 0.00396793, 0.00363712,
];
/// California Hispanic (US-born model) 1995–2004.
const HISPANIC_US_LAMBDA1: [f64; AGE_GROUPS] = [
    0.0000166, 0.0000741, 0.0002740, 0.0006099, 0.0012225, 0.0019027, 0.0023142, 0.0028357,
    0.0031144, 0.0030794, 0.0033344, 0.0035082, 0.0025308, 0.0020414,
];
/// California Hispanic (foreign-born model) 1995–2004.
const HISPANIC_FOREIGN_LAMBDA1: [f64; AGE_GROUPS] = [
    0.0000102, 0.0000531, 0.0001578, 0.0003602, 0.0007617, 0.0011599, 0.0014111, 0.0017245,
    0.0020619, 0.0023603, 0.0025575, 0.0028227, 0.0028295, 0.0025868,
];
/// SEER18 Chinese 1998–2002.
const CHINESE_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000004059636,
    0.000045944465,
    0.000188279352,
    0.000492930493,
    0.000913603501,
    0.001471537353,
    0.001421275482,
    0.001970946494,
    0.001674745804,
    0.001821581075,
    0.001834477198,
    0.001919911972,
    0.002233371071,
    0.002247315779,
];
/// SEER18 Japanese 1998–2002 (the 20–24 entry is BCRA's 1e-12 placeholder).
const JAPANESE_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000000000001,
    0.000099483924,
    0.000287041681,
    0.000545285759,
    0.001152211095,
    0.001859245108,
    0.002606291272,
    0.003221751682,
    0.004006961859,
    0.003521715275,
    0.003593038294,
    0.003589303081,
    0.003538507159,
    0.002051572909,
];
/// SEER18 Filipino 1998–2002.
const FILIPINO_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000007500161,
    0.000081073945,
    0.000227492565,
    0.000549786433,
    0.001129400541,
    0.001813873795,
    0.002223665639,
    0.002680309266,
    0.002891219230,
    0.002534421279,
    0.002457159409,
    0.002286616920,
    0.001814802825,
    0.001750879130,
];
/// SEER18 Hawaiian 1998–2002.
const HAWAIIAN_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000045080582,
    0.000098570724,
    0.000339970860,
    0.000852591429,
    0.001668562761,
    0.002552703284,
    0.003321774046,
    0.005373001776,
    0.005237808549,
    0.005581732512,
    0.005677419355,
    0.006513409962,
    0.003889457523,
    0.002949061662,
];
/// SEER18 other Pacific Islander 1998–2002 (the 20–24 entry is BCRA's 1e-12 placeholder).
const OTHER_PACIFIC_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000000000001,
    0.000071525212,
    0.000288799028,
    0.000602250698,
    0.000755579402,
    0.000766406354,
    0.001893124938,
    0.002365580107,
    0.002843933070,
    0.002920921732,
    0.002330395655,
    0.002036291235,
    0.001482683983,
    0.001012248203,
];
/// SEER18 other Asian 1998–2002.
const OTHER_ASIAN_LAMBDA1: [f64; AGE_GROUPS] = [
    0.000012355409,
    0.000059526456,
    0.000184320831,
    0.000454677273,
    0.000791265338,
    0.001048462801,
    0.001372467817,
    0.001495473711,
    0.001646746198,
    0.001478363563,
    0.001216010125,
    0.001067663700,
    0.001376104012,
    0.000661576644,
];

// ---------------------------------------------------------------------------------------------
// λ2 competing mortality (R/absolute.risk.R)
// ---------------------------------------------------------------------------------------------

/// NCHS White 1985–87 (used for codes 1 and 4).
const WHITE_LAMBDA2: [f64; AGE_GROUPS] = [
    0.00049300, 0.00053100, 0.00062500, 0.00082500, 0.00130700, 0.00218100, 0.00365500, 0.00585200,
    0.00943900, 0.01502800, 0.02383900, 0.03883200, 0.06682800, 0.14490800,
];
/// NCHS White 1992–96: the "average" White / other woman (average-risk comparator, codes 1, 4).
const WHITE_AVG_LAMBDA2: [f64; AGE_GROUPS] = [
    0.00044120, 0.00052540, 0.00067460, 0.00090920, 0.00125340, 0.00195700, 0.00329840, 0.00546220,
    0.00910350, 0.01418540, 0.02259350, 0.03611460, 0.06136260, 0.14206630,
];
/// NCHS Black 1996–2000.
const BLACK_LAMBDA2: [f64; AGE_GROUPS] = [
    0.00074354, 0.00101698, 0.00145937, 0.00215933, 0.00315077, 0.00448779, 0.00632281, 0.00963037,
    0.01471818, 0.02116304, 0.03266035, 0.04564087, 0.06835185, 0.13271262,
];
/// California Hispanic (US-born model) 1995–2004.
const HISPANIC_US_LAMBDA2: [f64; AGE_GROUPS] = [
    0.0003561, 0.0004038, 0.0005281, 0.0008875, 0.0013987, 0.0020769, 0.0030912, 0.0046960,
    0.0076050, 0.0120555, 0.0193805, 0.0288386, 0.0429634, 0.0740349,
];
/// California Hispanic (foreign-born model) 1995–2004.
const HISPANIC_FOREIGN_LAMBDA2: [f64; AGE_GROUPS] = [
    0.0003129, 0.0002908, 0.0003515, 0.0004943, 0.0007807, 0.0012840, 0.0020325, 0.0034533,
    0.0058674, 0.0096888, 0.0154429, 0.0254675, 0.0448037, 0.1125678,
];
/// NCHS Chinese 1998–2002.
const CHINESE_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000210649076,
    0.000192644865,
    0.000244435215,
    0.000317895949,
    0.000473261994,
    0.000800271380,
    0.001217480226,
    0.002099836508,
    0.003436889186,
    0.006097405623,
    0.010664526765,
    0.020148678452,
    0.037990796590,
    0.098333900733,
];
/// NCHS Japanese 1998–2002.
const JAPANESE_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000173593803,
    0.000295805882,
    0.000228322534,
    0.000363242389,
    0.000590633044,
    0.001086079485,
    0.001859999966,
    0.003216600974,
    0.004719402141,
    0.008535331402,
    0.012433511681,
    0.020230197885,
    0.037725498348,
    0.106149118663,
];
/// NCHS Filipino 1998–2002.
const FILIPINO_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000229120979,
    0.000262988494,
    0.000314844090,
    0.000394471908,
    0.000647622610,
    0.001170202327,
    0.001809380379,
    0.002614170568,
    0.004483330681,
    0.007393665092,
    0.012233059675,
    0.021127058106,
    0.037936954809,
    0.085138518334,
];
/// NCHS Hawaiian 1998–2002.
const HAWAIIAN_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000563507269,
    0.000369640217,
    0.001019912579,
    0.001234013911,
    0.002098344078,
    0.002982934175,
    0.005402445702,
    0.009591474245,
    0.016315472607,
    0.020152229069,
    0.027354838710,
    0.050446998723,
    0.072262026612,
    0.145844504021,
];
/// NCHS other Pacific Islander 1998–2002.
const OTHER_PACIFIC_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000465500812,
    0.000600466920,
    0.000851057138,
    0.001478265376,
    0.001931486788,
    0.003866623959,
    0.004924932309,
    0.008177071806,
    0.008638202890,
    0.018974658371,
    0.029257567105,
    0.038408980974,
    0.052869579345,
    0.074745721133,
];
/// NCHS other Asian 1998–2002.
const OTHER_ASIAN_LAMBDA2: [f64; AGE_GROUPS] = [
    0.000212632332,
    0.000242170741,
    0.000301552711,
    0.000369053354,
    0.000543002943,
    0.000893862331,
    0.001515172239,
    0.002574669551,
    0.004324370426,
    0.007419621918,
    0.013251765130,
    0.022291427490,
    0.041746550635,
    0.087485802065,
];

// ---------------------------------------------------------------------------------------------
// Per-race parameter sets, indexed by BCRA race code − 1 (1..=11).
// ---------------------------------------------------------------------------------------------

const fn race(
    lambda1: [f64; AGE_GROUPS],
    lambda2: [f64; AGE_GROUPS],
    one_minus_ar: [f64; 2],
    beta: [f64; 6],
) -> RaceParams {
    RaceParams {
        lambda1,
        lambda2,
        one_minus_ar,
        beta,
    }
}

/// The 11 BCRA race models, in race-code order 1..=11 (R's `Wrk_*_all` row order).
pub(crate) static RACES: [RaceParams; 11] = [
    race(WHITE_LAMBDA1, WHITE_LAMBDA2, WHITE_1_AR, WHITE_BETA),
    race(BLACK_LAMBDA1, BLACK_LAMBDA2, BLACK_1_AR, BLACK_BETA),
    race(
        HISPANIC_US_LAMBDA1,
        HISPANIC_US_LAMBDA2,
        HISPANIC_US_1_AR,
        HISPANIC_US_BETA,
    ),
    // Code 4 ("other", incl. American Indian / unknown) uses the White tables (BCRA `Other_*`).
    race(WHITE_LAMBDA1, WHITE_LAMBDA2, WHITE_1_AR, WHITE_BETA),
    race(
        HISPANIC_FOREIGN_LAMBDA1,
        HISPANIC_FOREIGN_LAMBDA2,
        HISPANIC_FOREIGN_1_AR,
        HISPANIC_FOREIGN_BETA,
    ),
    race(CHINESE_LAMBDA1, CHINESE_LAMBDA2, ASIAN_1_AR, ASIAN_BETA),
    race(JAPANESE_LAMBDA1, JAPANESE_LAMBDA2, ASIAN_1_AR, ASIAN_BETA),
    race(FILIPINO_LAMBDA1, FILIPINO_LAMBDA2, ASIAN_1_AR, ASIAN_BETA),
    race(HAWAIIAN_LAMBDA1, HAWAIIAN_LAMBDA2, ASIAN_1_AR, ASIAN_BETA),
    race(
        OTHER_PACIFIC_LAMBDA1,
        OTHER_PACIFIC_LAMBDA2,
        ASIAN_1_AR,
        ASIAN_BETA,
    ),
    race(
        OTHER_ASIAN_LAMBDA1,
        OTHER_ASIAN_LAMBDA2,
        ASIAN_1_AR,
        ASIAN_BETA,
    ),
];

/// "Average woman" rates for the comparator, in race-code order: BCRA's `absolute.risk(...,
/// Avg_White = 1)` swaps in the SEER/NCHS White 1992–96 tables for codes 1 and 4 only and keeps
/// each other race's own tables.
pub(crate) static AVERAGE_RATES: [(&[f64; AGE_GROUPS], &[f64; AGE_GROUPS]); 11] = [
    (&WHITE_AVG_LAMBDA1, &WHITE_AVG_LAMBDA2),
    (&BLACK_LAMBDA1, &BLACK_LAMBDA2),
    (&HISPANIC_US_LAMBDA1, &HISPANIC_US_LAMBDA2),
    (&WHITE_AVG_LAMBDA1, &WHITE_AVG_LAMBDA2),
    (&HISPANIC_FOREIGN_LAMBDA1, &HISPANIC_FOREIGN_LAMBDA2),
    (&CHINESE_LAMBDA1, &CHINESE_LAMBDA2),
    (&JAPANESE_LAMBDA1, &JAPANESE_LAMBDA2),
    (&FILIPINO_LAMBDA1, &FILIPINO_LAMBDA2),
    (&HAWAIIAN_LAMBDA1, &HAWAIIAN_LAMBDA2),
    (&OTHER_PACIFIC_LAMBDA1, &OTHER_PACIFIC_LAMBDA2),
    (&OTHER_ASIAN_LAMBDA1, &OTHER_ASIAN_LAMBDA2),
];
