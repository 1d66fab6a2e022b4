//! Every row of the pedigree: the proband, the skeleton people the relations imply (parents,
//! grandparents, great-grandparents, placeholder parents), then the relatives, with their ids.

use std::collections::{HashMap, HashSet};

use super::fill::{Person, fill, fill_relative};
use super::row::Row;
use crate::clinical::export::{ExportError, Notes, Who, resolved_sex};
use crate::clinical::profile::{Proband, Relation, RiskProfile, Sex};

/// Builds every row: the proband, the skeleton people the relations need, then the relatives.
pub(super) fn build_rows(
    profile: &RiskProfile,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<Vec<Row>, ExportError> {
    let p = &profile.proband;
    let psex = p.sex.ok_or_else(|| {
        ExportError::unsupported("proband.sex", "CanRisk needs the target's sex (M or F)")
    })?;
    if p.age.is_none() {
        return Err(ExportError::unsupported(
            "proband.age",
            "CanRisk needs the target's age",
        ));
    }
    let sexes = relative_sexes(profile)?;
    let needs = Needs::of(profile)?;
    let mut skeleton = vec![proband_row(p, psex, needs.parents, reference_year, notes)?];
    skeleton.extend(needs.placeholders(psex));
    let numbered = place_relatives(profile, sexes, &mut skeleton, psex, reference_year, notes)?;
    skeleton.extend(numbered);
    Ok(skeleton)
}

/// Each relative's sex, resolved first (CanRisk has no unknown sex).
fn relative_sexes(profile: &RiskProfile) -> Result<Vec<Sex>, ExportError> {
    let mut sexes = Vec::with_capacity(profile.relatives.len());
    for (i, r) in profile.relatives.iter().enumerate() {
        let path = format!("relatives[{i}]");
        let sex = resolved_sex(&path, r.relation, r.sex)?.ok_or_else(|| {
            ExportError::unsupported(
                format!("{path}.sex"),
                "CanRisk needs every person's sex; give the cousin's sex",
            )
        })?;
        sexes.push(sex);
    }
    Ok(sexes)
}

/// The skeleton people the listed relations need.
struct Needs {
    /// The proband's parents, `FA` and `MO`.
    parents: bool,
    /// The maternal grandparents, `MGF` and `MGM`.
    maternal_gp: bool,
    /// The paternal grandparents, `PGF` and `PGM`.
    paternal_gp: bool,
    /// The maternal grandmother's parents, `MGGF1` and `MGGM1`.
    m_gg1: bool,
    /// The paternal grandmother's parents, `PGGF1` and `PGGM1`.
    p_gg1: bool,
    /// Maternal great-grandmothers listed (the second is the grandfather's mother, `MGGM2`).
    m_ggm: usize,
    /// Paternal great-grandmothers listed (the second is the grandfather's mother, `PGGM2`).
    p_ggm: usize,
    /// The proband's partner `PBP`, the other parent of the children.
    children: bool,
    /// A placeholder child `CHX` (and partner), parent of the grandchildren.
    grandchildren: bool,
    /// A placeholder sibling `SIBX` (and partner), parent of the nieces and nephews.
    nieces: bool,
    /// A placeholder maternal aunt `MAUX` (and partner), parent of the maternal cousins.
    m_cousins: bool,
    /// A placeholder paternal aunt `PAUX` (and partner), parent of the paternal cousins.
    p_cousins: bool,
    /// The other parent `MOP` of maternal half-siblings.
    m_half: bool,
    /// The other parent `FAP` of paternal half-siblings.
    p_half: bool,
}

impl Needs {
    /// What `profile`'s relations need; more than two great-grandmothers on one side is an error.
    fn of(profile: &RiskProfile) -> Result<Self, ExportError> {
        use Relation as R;
        let has =
            |pred: &dyn Fn(Relation) -> bool| profile.relatives.iter().any(|r| pred(r.relation));
        let maternal_gp = has(&|r| {
            matches!(
                r,
                R::MaternalGrandmother
                    | R::MaternalGrandfather
                    | R::MaternalAunt
                    | R::MaternalUncle
                    | R::MaternalCousin
                    | R::MaternalGreatGrandmother
                    | R::MaternalGreatAunt
            )
        });
        let paternal_gp = has(&|r| {
            matches!(
                r,
                R::PaternalGrandmother
                    | R::PaternalGrandfather
                    | R::PaternalAunt
                    | R::PaternalUncle
                    | R::PaternalCousin
                    | R::PaternalGreatGrandmother
                    | R::PaternalGreatAunt
            )
        });
        // A lone proband gets placeholder parents: CanRisk's editor cannot root a tree of one.
        let parents = profile.relatives.is_empty()
            || maternal_gp
            || paternal_gp
            || has(&|r| !matches!(r, R::Daughter | R::Son | R::Granddaughter | R::Grandson));
        let children = has(&|r| matches!(r, R::Daughter | R::Son | R::Granddaughter | R::Grandson));
        let grandchildren = has(&|r| matches!(r, R::Granddaughter | R::Grandson));
        let nieces = has(&|r| matches!(r, R::Niece | R::Nephew));
        let m_cousins = has(&|r| r == R::MaternalCousin);
        let p_cousins = has(&|r| r == R::PaternalCousin);
        let m_half = has(&|r| matches!(r, R::MaternalHalfSister | R::MaternalHalfBrother));
        let p_half = has(&|r| matches!(r, R::PaternalHalfSister | R::PaternalHalfBrother));
        let count = |rel: Relation| {
            profile
                .relatives
                .iter()
                .filter(|r| r.relation == rel)
                .count()
        };
        let m_ggm = count(R::MaternalGreatGrandmother);
        let p_ggm = count(R::PaternalGreatGrandmother);
        for (rel, n) in [
            (R::MaternalGreatGrandmother, m_ggm),
            (R::PaternalGreatGrandmother, p_ggm),
        ] {
            if n > 2 {
                return Err(ExportError::invalid(
                    "relatives",
                    format!("{n} relatives with relation {rel}; a person has at most two"),
                ));
            }
        }
        let m_gg1 = m_ggm >= 1 || has(&|r| r == R::MaternalGreatAunt);
        let p_gg1 = p_ggm >= 1 || has(&|r| r == R::PaternalGreatAunt);
        Ok(Self {
            parents,
            maternal_gp,
            paternal_gp,
            m_gg1,
            p_gg1,
            m_ggm,
            p_ggm,
            children,
            grandchildren,
            nieces,
            m_cousins,
            p_cousins,
            m_half,
            p_half,
        })
    }

    /// The placeholder rows that follow the proband's, in writing order.
    fn placeholders(&self, psex: Sex) -> Vec<Row> {
        let mut skeleton: Vec<Row> = Vec::new();
        if self.parents {
            let (mf, mm) = if self.maternal_gp {
                ("MGF", "MGM")
            } else {
                ("0", "0")
            };
            let (pf, pm) = if self.paternal_gp {
                ("PGF", "PGM")
            } else {
                ("0", "0")
            };
            skeleton.push(Row::placeholder("FA", Sex::Male).with_parents(pf, pm));
            skeleton.push(Row::placeholder("MO", Sex::Female).with_parents(mf, mm));
        }
        if self.maternal_gp {
            skeleton.extend(grandparents("M", self.m_gg1, self.m_ggm));
        }
        if self.paternal_gp {
            skeleton.extend(grandparents("P", self.p_gg1, self.p_ggm));
        }
        // The proband's partner (parent of the proband's children).
        let (child_f, child_m) = children_parents(psex);
        if self.children {
            let partner_sex = match psex {
                Sex::Female => Sex::Male,
                Sex::Male => Sex::Female,
            };
            skeleton.push(Row::placeholder("PBP", partner_sex));
        }
        if self.grandchildren {
            skeleton.push(Row::placeholder("CHX", Sex::Female).with_parents(child_f, child_m));
            skeleton.push(Row::placeholder("CHXP", Sex::Male));
        }
        if self.nieces {
            skeleton.push(Row::placeholder("SIBX", Sex::Female).with_parents("FA", "MO"));
            skeleton.push(Row::placeholder("SIBXP", Sex::Male));
        }
        if self.m_cousins {
            skeleton.push(Row::placeholder("MAUX", Sex::Female).with_parents("MGF", "MGM"));
            skeleton.push(Row::placeholder("MAUXP", Sex::Male));
        }
        if self.p_cousins {
            skeleton.push(Row::placeholder("PAUX", Sex::Female).with_parents("PGF", "PGM"));
            skeleton.push(Row::placeholder("PAUXP", Sex::Male));
        }
        if self.m_half {
            skeleton.push(Row::placeholder("MOP", Sex::Male));
        }
        if self.p_half {
            skeleton.push(Row::placeholder("FAP", Sex::Female));
        }
        skeleton
    }
}

/// The grandparents on one side (`side`: `M` or `P`) and the great-grandparents above them: the
/// grandmother's parents (`xGGF1`, `xGGM1`) when `gg1`, the grandfather's (`xGGF2`, `xGGM2`) for a
/// second great-grandmother.
fn grandparents(side: &str, gg1: bool, ggm: usize) -> Vec<Row> {
    let couple = |n: u8, present: bool| {
        if present {
            (format!("{side}GGF{n}"), format!("{side}GGM{n}"))
        } else {
            ("0".to_owned(), "0".to_owned())
        }
    };
    let gp1 = couple(1, gg1);
    let gp2 = couple(2, ggm >= 2);
    let mut rows = vec![
        Row::placeholder(&format!("{side}GF"), Sex::Male).with_parents(&gp2.0, &gp2.1),
        Row::placeholder(&format!("{side}GM"), Sex::Female).with_parents(&gp1.0, &gp1.1),
    ];
    for (present, (father, mother)) in [(gg1, gp1), (ggm >= 2, gp2)] {
        if present {
            rows.push(Row::placeholder(&father, Sex::Male));
            rows.push(Row::placeholder(&mother, Sex::Female));
        }
    }
    rows
}

/// The target row `PB`, with the parents `FA` and `MO` when the skeleton has them.
fn proband_row(
    p: &Proband,
    psex: Sex,
    parents: bool,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<Row, ExportError> {
    let mut pb = Row::placeholder("PB", psex);
    pb.target = true;
    pb.ashkn = p.ashkenazi_jewish == Some(true);
    if parents {
        pb = pb.with_parents("FA", "MO");
    }
    fill(
        &mut pb,
        Who::proband(Some("PB")),
        &Person {
            alive: Some(true),
            age: p.age,
            cancers: &p.cancers,
            tests: &p.genetic_tests,
        },
        reference_year,
        notes,
    )?;
    if pb.age == 0 {
        return Err(ExportError::unsupported(
            "proband.age",
            "CanRisk needs the target's age (0 means unknown)",
        ));
    }
    Ok(pb)
}

/// The parents of the proband's children (father, mother): the proband and the partner `PBP`.
fn children_parents(psex: Sex) -> (&'static str, &'static str) {
    match psex {
        Sex::Female => ("PBP", "PB"),
        Sex::Male => ("PB", "PBP"),
    }
}

/// Relatives: fills the anchors (`MO`, `MGM`, `MGGM1`...) in `skeleton`, and returns the
/// numbered people (`SIS1`, `MAU2`...) in the profile's order.
fn place_relatives(
    profile: &RiskProfile,
    sexes: Vec<Sex>,
    skeleton: &mut [Row],
    psex: Sex,
    reference_year: i32,
    notes: &mut Notes,
) -> Result<Vec<Row>, ExportError> {
    use Relation as R;
    let (child_f, child_m) = children_parents(psex);
    let mut filled: HashSet<&'static str> = HashSet::new();
    let mut numbered: Vec<Row> = Vec::new();
    let mut counters: HashMap<&'static str, usize> = HashMap::new();
    let mut ggm_seen = [0usize; 2];
    for (i, (r, sex)) in profile.relatives.iter().zip(sexes).enumerate() {
        let path = format!("relatives[{i}]");
        let anchor = match r.relation {
            R::MaternalGreatGrandmother => {
                ggm_seen[0] += 1;
                Some(if ggm_seen[0] == 1 { "MGGM1" } else { "MGGM2" })
            }
            R::PaternalGreatGrandmother => {
                ggm_seen[1] += 1;
                Some(if ggm_seen[1] == 1 { "PGGM1" } else { "PGGM2" })
            }
            other => anchor_of(other),
        };
        if let Some(id) = anchor {
            if !filled.insert(id) {
                return Err(ExportError::invalid(
                    format!("{path}.relation"),
                    format!("more than one {}", r.relation),
                ));
            }
            let row = skeleton
                .iter_mut()
                .find(|row| row.id == id)
                .ok_or_else(|| ExportError::invalid(&path, "internal: skeleton row missing"))?;
            fill_relative(row, i, r, reference_year, notes)?;
            continue;
        }
        let prefix = prefix_of(r.relation);
        let n = counters.entry(prefix).or_insert(0);
        *n += 1;
        let id = format!("{prefix}{n}");
        let (f, m) = numbered_parents(r.relation, child_f, child_m);
        let mut row = Row::placeholder(&id, sex).with_parents(f, m);
        fill_relative(&mut row, i, r, reference_year, notes)?;
        numbered.push(row);
    }
    Ok(numbered)
}

/// The parents (father, mother) of a numbered relative.
fn numbered_parents(
    rel: Relation,
    child_f: &'static str,
    child_m: &'static str,
) -> (&'static str, &'static str) {
    use Relation as R;
    match rel {
        R::Sister | R::Brother => ("FA", "MO"),
        R::Daughter | R::Son => (child_f, child_m),
        R::MaternalHalfSister | R::MaternalHalfBrother => ("MOP", "MO"),
        R::PaternalHalfSister | R::PaternalHalfBrother => ("FA", "FAP"),
        R::MaternalAunt | R::MaternalUncle => ("MGF", "MGM"),
        R::PaternalAunt | R::PaternalUncle => ("PGF", "PGM"),
        R::Niece | R::Nephew => ("SIBXP", "SIBX"),
        R::Granddaughter | R::Grandson => ("CHXP", "CHX"),
        R::MaternalCousin => ("MAUXP", "MAUX"),
        R::PaternalCousin => ("PAUXP", "PAUX"),
        R::MaternalGreatAunt => ("MGGF1", "MGGM1"),
        R::PaternalGreatAunt => ("PGGF1", "PGGM1"),
        // Anchored relations (MO, MGM, MGGM1...) fill a skeleton row instead.
        _ => ("0", "0"),
    }
}

/// Which single-valued anchor a relation fills, if any.
fn anchor_of(rel: Relation) -> Option<&'static str> {
    match rel {
        Relation::Mother => Some("MO"),
        Relation::Father => Some("FA"),
        Relation::MaternalGrandmother => Some("MGM"),
        Relation::MaternalGrandfather => Some("MGF"),
        Relation::PaternalGrandmother => Some("PGM"),
        Relation::PaternalGrandfather => Some("PGF"),
        _ => None,
    }
}

/// Id prefix of numbered relatives.
fn prefix_of(rel: Relation) -> &'static str {
    use Relation as R;
    match rel {
        R::Sister => "SIS",
        R::Brother => "BRO",
        R::Daughter => "DAU",
        R::Son => "SON",
        R::MaternalHalfSister => "MHS",
        R::MaternalHalfBrother => "MHB",
        R::PaternalHalfSister => "PHS",
        R::PaternalHalfBrother => "PHB",
        R::MaternalAunt => "MAU",
        R::MaternalUncle => "MUN",
        R::PaternalAunt => "PAU",
        R::PaternalUncle => "PUN",
        R::Niece => "NIE",
        R::Nephew => "NEP",
        R::Granddaughter => "GDA",
        R::Grandson => "GSO",
        R::MaternalCousin => "MCO",
        R::PaternalCousin => "PCO",
        R::MaternalGreatGrandmother => "MGGM",
        R::PaternalGreatGrandmother => "PGGM",
        R::MaternalGreatAunt => "MGA",
        R::PaternalGreatAunt => "PGA",
        R::Mother => "MO",
        R::Father => "FA",
        R::MaternalGrandmother => "MGM",
        R::MaternalGrandfather => "MGF",
        R::PaternalGrandmother => "PGM",
        R::PaternalGrandfather => "PGF",
    }
}
