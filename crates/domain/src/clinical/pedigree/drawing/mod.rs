//! The pedigree drawing: a [`RiskProfile`] as an SVG document in the standard pedigree
//! nomenclature (Bennett et al., "Standardized human pedigree nomenclature: update and
//! assessment of the recommendations of the NSGC", J Genet Couns 2008;17:424-433, and the 2022
//! update, Bennett et al., J Genet Couns 2022;31:1238-1248; clinical.md §5).
//!
//! - squares (male), circles (female), diamonds (sex not recorded);
//! - affected: the symbol filled with the cancer site's colour, split into equal sectors when a
//!   person had cancers of several sites; a legend names each colour;
//! - ages (`62 y`, `d. 80 y`) and ages at diagnosis (`Breast dx 45`) under the symbol;
//! - deceased: a diagonal slash; the proband: an arrow with "P" at the lower left;
//! - generations in rows numbered with Roman numerals; the paternal side left, the maternal right;
//! - the proband's Ashkenazi Jewish ancestry in the heading; genetic test results under the
//!   symbol (`BRCA1 + (P)`, `BRCA2 −`, `PALB2 VUS`).
//!
//! Pure: no I/O, no browser; every text taken from the profile is escaped ([`escape`]). Where the
//! relation codes leave a parent open, see [`layout`] for the reading drawn.

mod layout;
mod svg;

pub use layout::{Layout, Node, SPACING, Union, Who, layout};
pub use svg::escape;

use crate::clinical::profile::RiskProfile;

/// The pedigree of `profile` as a standalone SVG document (UTF-8 text).
#[must_use]
pub fn render_svg(profile: &RiskProfile) -> String {
    svg::write(profile, &layout(profile))
}

#[cfg(test)]
mod tests;
