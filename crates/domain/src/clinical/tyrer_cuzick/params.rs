//! Parameter tables of the Tyrer-Cuzick (IBIS v8-style) model, each with its source.
//!
//! Confidence tags follow `clinical.md`: **[V]** checked in the cited source, **[R]** secondary
//! source, **[R]** recalled from the cited publication or reconstructed from domain knowledge,
//! not re-read while writing this module: verify against the paper before clinical sign-off.
//! The IBIS v8 tables themselves are **not public** (`clinical.md` §1.2), so every table below
//! is a published approximation chosen by us, not the IBIS table.

/// Oldest age (inclusive) covered by the annual tables; hazards are flat beyond it.
pub(crate) const MAX_AGE: usize = 110;

/// Number of single-year ages in the annual tables (0..=MAX_AGE).
pub(crate) const N_AGES: usize = MAX_AGE + 1;

// ---------------------------------------------------------------------------------------------
// Genotype priors (heterozygote carrier frequencies)
// ---------------------------------------------------------------------------------------------

/// BRCA1 carrier frequency, non-Ashkenazi. Source: `clinical.md` §1.2, inferred from real IBIS
/// v8.0b population-reference outputs (0.119904 % ≈ 0.12 %) [V arithmetic]; compare BOADICEA's
/// UK allele frequency 0.0006394 (carrier ≈ 0.128 %).
pub(crate) const BRCA1_CARRIER_GENERAL: f64 = 0.0012;
/// BRCA2 carrier frequency, non-Ashkenazi. Source: `clinical.md` §1.2 (IBIS reference 0.19984 %).
pub(crate) const BRCA2_CARRIER_GENERAL: f64 = 0.0020;
/// BRCA1 carrier frequency, Ashkenazi Jewish. Source: `clinical.md` §1.2 (IBIS reference 1.49033 %).
pub(crate) const BRCA1_CARRIER_ASHKENAZI: f64 = 0.0149;
/// BRCA2 carrier frequency, Ashkenazi Jewish. Source: `clinical.md` §1.2 (IBIS reference 1.07303 %).
pub(crate) const BRCA2_CARRIER_ASHKENAZI: f64 = 0.0107;

/// Carrier frequency of the hypothetical dominant low-penetrance gene "T" (Tyrer, Duffy & Cuzick,
/// Stat Med 2004;23:1111). **Not public in IBIS** (`clinical.md` §1.2): our choice, calibrated
/// (together with [`T_GENE_RR`]) so that the model reproduces the published familial relative
/// risks — about 1.8 for one affected first-degree relative and about 2.9 for two (Collaborative
/// Group on Hormonal Factors in Breast Cancer, Lancet 2001;358:1389), used in place of the
/// Anderson 2000 Swedish register tables IBIS was fitted to, which we could not read [R].
/// T is an independent locus: its hazard ratio multiplies the BRCA one (see `engine.rs`).
pub(crate) const T_GENE_CARRIER: f64 = 0.10;
/// Breast-cancer hazard ratio of T-gene carriers versus non-carriers by decade (0-9, …, 100+),
/// non-increasing so that familial risk is higher for relatives diagnosed young, as in the
/// register data (Anderson 2000; Collaborative Group 2001). Not public in IBIS; calibrated as
/// described at [`T_GENE_CARRIER`] [R].
pub(crate) const T_GENE_RR: [f64; 11] =
    [12.0, 12.0, 12.0, 12.0, 10.0, 8.0, 7.0, 6.0, 6.0, 6.0, 6.0];
/// Male breast-cancer hazard ratio of T-gene carriers: no published basis, so no effect is
/// assumed (the T gene acts on female breast cancer only) [R].
pub(crate) const T_GENE_MALE_RR: f64 = 1.0;

// ---------------------------------------------------------------------------------------------
// Population incidence and mortality (per 5-year band; index = age / 5, last band open)
// ---------------------------------------------------------------------------------------------

/// General-population female breast-cancer incidence (first primary, invasive), per 100,000
/// women-years, by 5-year age band starting at 0, 5, …, 100.
///
/// IBIS v7/v8 use Thames Cancer Registry 2005–2009 rates (`clinical.md` §1.1 item 3), which are
/// not published in a table we could read. Three sources, by age:
/// - **30–59: IBIS v8.0b's own population curve.** The population-reference outputs of the ten
///   published IBIS v8.0b cases (GitHub `Xiaoxue-Zheng/bcra`, commit `9488490f…`,
///   `tc_test_files/test_cases/tyrercuzickoutputs/TST_{1..10}.txt`; reference women aged 30–39)
///   give the annual risk at every single age 30–58 as `(C_t − C_{t−1}) / (100 − C_{t−1})`
///   from the printed cumulative percentages; the reference women of different ages agree to
///   0.1 per 100,000, so it depends on age only. Each band is the mean of its single-year values
///   (55–59: the mean of 55–58, the last age the outputs reach): 30.8, 69.6, 130.0, 199.7, 259.7,
///   282.8. (Before, these bands came from UK registry rates; 50–59 was ≈ 20 % above IBIS.)
/// - **60–84: shape** of UK registry rates (Cancer Research UK / ONS age-specific incidence,
///   2005–2009 era) [R], **level** set by one factor (×1.054 on the former values) so that the
///   reference woman's lifetime risk to 85 is IBIS's 13.1976 % at 35 (same outputs); the
///   reference lifetimes at 30–39 then agree with IBIS within 0.1 point (`ibis_cases.rs`).
/// - **Below 30 and from 85**: UK registry rates as before [R]; not determined by the outputs.
pub(crate) const POP_BREAST_PER_100K: [f64; 21] = [
    0.0, 0.0, 0.0, 0.2, // 0-19
    2.0, 9.0, 30.8, 69.6, // 20-39
    130.0, 199.7, 259.7, 282.8, // 40-59
    427.0, 474.0, 453.0, 458.0, // 60-79
    474.0, 455.0, 455.0, 455.0, 455.0, // 80-100+
];

/// General-population ovarian-cancer incidence (incl. fallopian tube / primary peritoneal), per
/// 100,000 women-years, 5-year bands from 0. Source: UK registry rates (Cancer Research UK
/// ovarian cancer incidence by age, ≈2010s; lifetime risk ≈ 1.5–2 %) [R]. IBIS's ovarian table
/// is not public (`clinical.md` §1.2).
pub(crate) const POP_OVARIAN_PER_100K: [f64; 21] = [
    0.3, 0.3, 0.8, 1.5, // 0-19
    2.0, 3.0, 4.0, 6.0, // 20-39
    10.0, 17.0, 25.0, 32.0, // 40-59
    40.0, 48.0, 55.0, 60.0, // 60-79
    62.0, 60.0, 55.0, 55.0, 55.0, // 80-100+
];

/// General-population male breast-cancer incidence per 100,000 men-years, 5-year bands from 0.
/// Source: UK male breast cancer is ≈ 1 % of female cases (Cancer Research UK; Fentiman et al.,
/// Lancet 2006;367:595), rising steeply with age [R].
pub(crate) const POP_MALE_BREAST_PER_100K: [f64; 21] = [
    0.0, 0.0, 0.0, 0.0, // 0-19
    0.02, 0.05, 0.1, 0.2, // 20-39
    0.4, 0.6, 1.2, 1.8, // 40-59
    3.0, 4.0, 5.5, 6.5, // 60-79
    8.0, 8.0, 8.0, 8.0, 8.0, // 80-100+
];

/// All-cause female mortality, annual probability of death q(x), 5-year bands from 0, used as the
/// competing risk. Source: ONS National Life Tables, United Kingdom, females 2017–2019 (values
/// rounded at band midpoints) [R]. IBIS's competing-mortality table is not public
/// (`clinical.md` §1.2).
pub(crate) const FEMALE_MORTALITY_QX: [f64; 21] = [
    0.0002, 0.0001, 0.0001, 0.0002, // 0-19
    0.0003, 0.0003, 0.0005, 0.0007, // 20-39
    0.0010, 0.0015, 0.0022, 0.0033, // 40-59
    0.0050, 0.0078, 0.0125, 0.0210, // 60-79
    0.0370, 0.0660, 0.1150, 0.1900, 0.3000, // 80-100+
];

// ---------------------------------------------------------------------------------------------
// Genotype-specific penetrance, as hazard ratios versus the non-carrier baseline
// (per 10-year band: index = age / 10, last band open)
// ---------------------------------------------------------------------------------------------

/// BRCA1 female breast-cancer hazard ratio versus non-carriers by decade (0-9, …, 100+).
/// Chosen so that the absolute incidence follows Kuchenbaecker et al., JAMA 2017;317:2402
/// (prospective cohort; incidence ≈ 24–28 per 1000 person-years from age 31 to 50, ≈ 20–24
/// afterwards; cumulative risk to age 80 of 72 %, 95 % CI 65–79 %) [R: values recalled from the
/// published incidence curves]. The ratio is non-increasing with age so that a younger affected relative is never
/// weaker evidence for the gene. IBIS's own penetrance curves are not public (`clinical.md` §1.2).
pub(crate) const BRCA1_BREAST_RR: [f64; 11] = [
    135.0, 135.0, 135.0, 69.0, 26.0, 11.0, 7.7, 6.9, 6.9, 6.9, 6.9,
];

/// BRCA2 female breast-cancer hazard ratio versus non-carriers by decade. Kuchenbaecker et al.,
/// JAMA 2017 (incidence rising to ≈ 28 per 1000 person-years at 41–60; cumulative risk to 80 of
/// 69 %, 95 % CI 61–77 %) [R]; non-increasing for the same reason as BRCA1.
pub(crate) const BRCA2_BREAST_RR: [f64; 11] =
    [54.0, 54.0, 54.0, 29.0, 20.0, 12.9, 9.1, 9.0, 9.0, 9.0, 9.0];

/// BRCA1 ovarian-cancer hazard ratio versus non-carriers by decade (0-9, …, 100+). Chosen so
/// that incidence is low before 40, peaks at 41–60 and gives a cumulative ovarian risk to age 80
/// of 44 % (95 % CI 36–53 %), Kuchenbaecker et al., JAMA 2017;317:2402 [R: values recalled
/// from the published incidence curves]. Not monotone below 40, following the data.
pub(crate) const BRCA1_OVARIAN_RR: [f64; 11] = [
    10.0, 10.0, 10.0, 25.0, 70.0, 60.0, 40.0, 28.0, 22.0, 22.0, 22.0,
];
/// BRCA2 ovarian-cancer hazard ratio versus non-carriers by decade. Incidence mostly after 50;
/// cumulative risk to 80 of 17 % (95 % CI 11–25 %), Kuchenbaecker et al., JAMA 2017 [R].
pub(crate) const BRCA2_OVARIAN_RR: [f64; 11] =
    [5.0, 5.0, 5.0, 5.0, 10.0, 20.0, 18.0, 14.0, 12.0, 12.0, 12.0];

/// BRCA1 male breast-cancer hazard ratio (constant). Cumulative risk to 70 ≈ 1.2 %, Tai et al.,
/// JNCI 2007;99:1811 [R].
pub(crate) const BRCA1_MALE_BREAST_RR: f64 = 28.0;
/// BRCA2 male breast-cancer hazard ratio (constant). Cumulative risk to 70 ≈ 6.8 %, Tai et al.,
/// JNCI 2007;99:1811 [R].
pub(crate) const BRCA2_MALE_BREAST_RR: f64 = 150.0;

// ---------------------------------------------------------------------------------------------
// Personal (non-genetic) relative risks. IBIS's exact RR functions are not public
// (`clinical.md` §1.1 item 2 lists the inputs; the forms below are published approximations).
// All are centred on a population-typical woman so that "average" factors give RR 1.
// ---------------------------------------------------------------------------------------------

/// RR per year *earlier* menarche, centred at 13. Collaborative Group on Hormonal Factors in
/// Breast Cancer, Lancet Oncol 2012;13:1141 (RR 1.050 per year younger at menarche) [R].
pub(crate) const MENARCHE_RR_PER_YEAR: f64 = 1.05;
pub(crate) const MENARCHE_REF_AGE: f64 = 13.0;

/// RR per year *later* menopause, centred at 50 (applies once postmenopausal). Collaborative
/// Group, Lancet Oncol 2012;13:1141 (RR 1.029 per year older at menopause) [R].
pub(crate) const MENOPAUSE_RR_PER_YEAR: f64 = 1.029;
pub(crate) const MENOPAUSE_REF_AGE: f64 = 50.0;

/// RR per year of age at first birth, centred at 25, and per birth, centred at 2 births.
/// Collaborative Group, Lancet 2002;360:187 (RR reduced by 7.0 % per birth) and the
/// age-at-first-birth gradient of ≈ 3 % per year reported in the same pooled data [R].
pub(crate) const FIRST_BIRTH_RR_PER_YEAR: f64 = 1.03;
pub(crate) const FIRST_BIRTH_REF_AGE: f64 = 25.0;
pub(crate) const PER_BIRTH_RR: f64 = 0.93;
pub(crate) const REF_BIRTHS: f64 = 2.0;
/// RR of a nulliparous woman versus the reference (2 births, first at 25): ≈ 1/0.93² × 1.08
/// (nulliparity ≈ first birth after 30 in the same data) [R].
pub(crate) const NULLIPAROUS_RR: f64 = 1.25;

/// RR per 10 cm of height, centred at 1.63 m. Green et al. (Million Women Study), Lancet Oncol
/// 2011;12:785 (RR 1.17 per 10 cm for breast cancer) [R]; UK mean adult female height ≈ 1.62–1.63 m.
pub(crate) const HEIGHT_RR_PER_10CM: f64 = 1.17;
pub(crate) const HEIGHT_REF_M: f64 = 1.63;

/// RR per 5 kg/m² of BMI above 25: postmenopausal 1.12, premenopausal 0.93. WCRF/AICR Continuous
/// Update Project, Diet, nutrition, physical activity and breast cancer, 2017 [R].
pub(crate) const BMI_RR_PER_5_POST: f64 = 1.12;
pub(crate) const BMI_RR_PER_5_PRE: f64 = 0.93;
pub(crate) const BMI_REF: f64 = 25.0;

/// Current HRT RR by duration of use (years: <1, 1–4, 5–9, ≥10), combined oestrogen-progestagen
/// and oestrogen-only. Million Women Study Collaborators, Lancet 2003;362:419, Table 3
/// (current users by duration) [R: figures quoted from memory of the table, rounded].
pub(crate) const HRT_COMBINED_RR: [f64; 4] = [1.45, 1.74, 2.17, 2.31];
pub(crate) const HRT_ESTROGEN_RR: [f64; 4] = [1.0, 1.25, 1.32, 1.37];
/// Fraction of the excess RR remaining in the first 5 years after stopping; after 5 years the
/// excess is taken as gone (Million Women Study 2003: past users RR ≈ 1.0; the Collaborative
/// Group, Lancet 2019;394:1159 found a smaller persisting excess, which we do not model) [R].
pub(crate) const HRT_FORMER_EXCESS_FRACTION: f64 = 0.5;

/// Benign breast disease RRs. Hartmann et al., NEJM 2005;353:229 (Mayo cohort): proliferative
/// disease without atypia 1.88, atypical hyperplasia 4.24 [R]; biopsy with unknown result: the
/// non-proliferative / all-biopsy figure 1.27 of the same paper [R]; LCIS 6.9 (Page et al.,
/// Hum Pathol 1991;22:1232) [R]. LCIS and atypia are not multiplied: the larger RR applies.
pub(crate) const RR_HYPERPLASIA: f64 = 1.88;
pub(crate) const RR_ATYPICAL: f64 = 4.24;
pub(crate) const RR_BIOPSY_UNKNOWN: f64 = 1.27;
pub(crate) const RR_LCIS: f64 = 6.9;

/// BI-RADS density RRs (a, b, c, d) normalised to the population mean. Relative to b:
/// a 0.6, c 1.5, d 2.0 (McCormack & dos Santos, Cancer Epidemiol Biomarkers Prev 2006;15:1159;
/// Kerlikowske et al., JNCI 2007) with the BCSC screening mix a 10 %, b 43 %, c 39 %, d 8 %,
/// mean 1.235 [R]. IBIS v8's density function (Brentnall et al., Breast Cancer Res 2015) also
/// adjusts for age and BMI; it is not public (`clinical.md` §1.2).
pub(crate) const BIRADS_RR: [f64; 4] = [0.49, 0.81, 1.21, 1.62];
/// Visual-analogue-scale percent density: RR per 10 percentage points, centred at 30 %
/// (odds ratio ≈ 1.5 per SD, SD ≈ 20 points; Brentnall et al., Breast Cancer Res 2015) [R].
pub(crate) const VAS_RR_PER_10: f64 = 1.22;
pub(crate) const VAS_REF: f64 = 30.0;
/// Volpara volumetric percent density: mapped to the Volpara density grades (thresholds 4.5 %,
/// 7.5 %, 15.5 %, Volpara documentation) and then to [`BIRADS_RR`] [R].
pub(crate) const VOLPARA_GRADE_THRESHOLDS: [f64; 3] = [4.5, 7.5, 15.5];

/// Index of the 5-year band for an age.
pub(crate) fn band5(age: usize) -> usize {
    (age / 5).min(20)
}

/// Index of the 10-year band for an age.
pub(crate) fn band10(age: usize) -> usize {
    (age / 10).min(10)
}
