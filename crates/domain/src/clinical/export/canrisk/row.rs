//! One pedigree row and how it is written (28 tab-separated columns).

use super::HOXB13;
use crate::clinical::export::{DxAge, GeneStatus, Who};
use crate::clinical::profile::Sex;

/// One pedigree row.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) father: String,
    pub(super) mother: String,
    pub(super) sex: Sex,
    pub(super) target: bool,
    pub(super) dead: bool,
    /// 0 = unknown.
    pub(super) age: u8,
    /// 0 = unknown.
    pub(super) yob: i32,
    pub(super) bc1: Option<DxAge>,
    pub(super) bc2: Option<DxAge>,
    pub(super) oc: Option<DxAge>,
    pub(super) pro: Option<DxAge>,
    pub(super) pan: Option<DxAge>,
    pub(super) ashkn: bool,
    pub(super) genes: [GeneStatus; 10],
    /// ER, PR, HER2, CK14, CK56 as `P`/`N`/`0`.
    pub(super) pathology: [char; 5],
    /// The person of the profile this row writes (None: a placeholder).
    pub(super) who: Option<Who>,
    /// Generations above the proband (parents 1, children -1).
    pub(super) generation: i32,
    /// `alive` was not given (written as alive).
    pub(super) vital_unknown: bool,
    /// The latest known diagnosis age.
    pub(super) latest_dx: Option<u8>,
}

impl Row {
    pub(super) fn placeholder(id: &str, sex: Sex) -> Self {
        Self {
            id: id.to_owned(),
            father: "0".to_owned(),
            mother: "0".to_owned(),
            sex,
            target: false,
            dead: false,
            age: 0,
            yob: 0,
            bc1: None,
            bc2: None,
            oc: None,
            pro: None,
            pan: None,
            ashkn: false,
            genes: [GeneStatus::Untested; 10],
            pathology: ['0'; 5],
            who: None,
            generation: 0,
            vital_unknown: false,
            latest_dx: None,
        }
    }

    pub(super) fn with_parents(mut self, father: &str, mother: &str) -> Self {
        self.father = father.to_owned();
        self.mother = mother.to_owned();
        self
    }

    pub(super) fn affected(&self) -> bool {
        [self.bc1, self.bc2, self.oc, self.pro, self.pan]
            .iter()
            .any(Option::is_some)
    }

    pub(super) fn to_line(&self, fam: &str) -> String {
        let dx = |d: Option<DxAge>| match d {
            None => "0".to_owned(),
            Some(DxAge::Unknown) => "AU".to_owned(),
            Some(DxAge::Known(a)) => a.to_string(),
        };
        let mut cols: Vec<String> = vec![
            fam.to_owned(),
            self.id.clone(), // Name: the relationship code, never a personal name
            if self.target { "1" } else { "0" }.to_owned(),
            self.id.clone(),
            self.father.clone(),
            self.mother.clone(),
            match self.sex {
                Sex::Female => "F",
                Sex::Male => "M",
            }
            .to_owned(),
            "0".to_owned(),
            if self.dead { "1" } else { "0" }.to_owned(),
            self.age.to_string(),
            self.yob.to_string(),
            dx(self.bc1),
            dx(self.bc2),
            dx(self.oc),
            dx(self.pro),
            dx(self.pan),
            if self.ashkn { "1" } else { "0" }.to_owned(),
        ];
        cols.extend(self.genes.iter().enumerate().map(|(i, g)| {
            match (i == HOXB13, g) {
                (_, GeneStatus::Untested) => "0:0",
                (_, GeneStatus::Negative) => "S:N",
                (false, GeneStatus::Positive) => "S:P",
                // bws reads HOXB13 results as N / HET / HOM (a `P` reaches the model as a
                // BRCA-style code); zygosity is not in the profile: heterozygous, noted.
                (true, GeneStatus::Positive) => "T:HET",
            }
            .to_owned()
        }));
        cols.push(
            self.pathology
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join(":"),
        );
        cols.join("\t")
    }
}
