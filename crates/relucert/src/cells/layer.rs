//! Whole-layer activation patterns of the first hidden layer, built from
//! the cells of one unit's arrangement.
//!
//! Owns: the first layer's patterns over a data set (every unit sees the
//! same arrangement, so the layer's patterns are the product of the unit's
//! cells, enumerated in lexicographic order by an odometer, and counted as
//! `cells^units`); the independent Zaslavsky/Whitney recount of the unit's
//! cells (a mismatch is an internal error, never a count); the sampled
//! search of deeper layers' patterns that accompanies it; and the local
//! arrangement at a point with each unit's cells (the local cells are the
//! product over units).
//!
//! Must not: claim a count that the enumeration and, where it runs, the
//! recount do not both give; present the sampled deeper patterns as
//! complete; or format output (that is the CLI).

use super::{
    first_layer_arrangement, local_first_layer, search_deep_patterns, Arrangement, Cell,
    FoundPattern, LocalUnit, Role,
};
use crate::network::{Architecture, Params, Problem};
use num_bigint::BigInt;
use relucert_core::Deadline;

/// Largest number of distinct hyperplanes for which the cells of a unit
/// are recounted by the Zaslavsky/Whitney formula (it takes 2^n ranks).
pub const ZASLAVSKY_MAX: usize = 12;

/// Parameter points sampled by the search of deeper layers' patterns.
pub const DEEP_SAMPLES: usize = 400;

/// Why the first layer's cells could not be given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerError {
    /// The network has no hidden layer with kinks: one activation pattern,
    /// no cells.
    NoKinks {
        /// The activation's name.
        activation: String,
        /// Number of hidden layers.
        hidden_layers: usize,
    },
    /// The cell enumeration (or the deeper search) failed.
    Cells(super::CellsError),
    /// The Zaslavsky/Whitney recount disagrees with the enumeration (a bug).
    ZaslavskyMismatch {
        /// Cells enumerated.
        enumerated: usize,
        /// The recount.
        zaslavsky: BigInt,
    },
    /// The characteristic polynomial's count disagrees with the enumeration
    /// or the Zaslavsky recount (a bug).
    CountMismatch {
        /// Cells enumerated (0 when the enumeration did not run).
        enumerated: usize,
        /// The count from the characteristic polynomial.
        charpoly: BigInt,
    },
}

impl std::fmt::Display for LayerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerError::NoKinks {
                activation,
                hidden_layers,
            } => write!(
                f,
                "network: the network has no hidden layer with kinks (activation \"{activation}\", {hidden_layers} hidden layers), so it has one activation pattern and no cells to enumerate"
            ),
            LayerError::Cells(e) => write!(f, "{e}"),
            LayerError::CountMismatch {
                enumerated,
                charpoly,
            } => write!(
                f,
                "internal error: the characteristic polynomial counts {charpoly} cells but the enumeration or the Zaslavsky recount disagrees ({enumerated} enumerated); please report this instance"
            ),
            LayerError::ZaslavskyMismatch {
                enumerated,
                zaslavsky,
            } => write!(
                f,
                "internal error: {enumerated} cells enumerated but the Zaslavsky count is {zaslavsky}; please report this instance"
            ),
        }
    }
}

impl std::error::Error for LayerError {}

/// `Ok` when the network has a hidden layer with kinks (so its first layer
/// has cells to enumerate).
pub fn require_kinks(arch: &Architecture) -> Result<(), LayerError> {
    if arch.hidden_layers() == 0 || !arch.activation.has_kink() {
        return Err(LayerError::NoKinks {
            activation: arch.activation.name().to_string(),
            hidden_layers: arch.hidden_layers(),
        });
    }
    Ok(())
}

/// The first hidden layer's patterns over the whole data set.
#[derive(Clone, Debug)]
pub struct FirstLayer {
    /// Units of the first hidden layer.
    pub units: usize,
    /// One unit's arrangement (the same for every unit).
    pub arrangement: Arrangement,
    /// All cells of that arrangement, each with an exact witness (complete).
    pub unit_cells: Vec<Cell>,
    /// Number of layer patterns: `unit_cells.len()^units`.
    pub layer_cells: BigInt,
    /// For networks with more than one hidden layer: the patterns of all
    /// hidden layers found at `DEEP_SAMPLES` sampled points (may be
    /// incomplete).
    pub deep: Option<Vec<FoundPattern>>,
}

/// Enumerate the first layer's cells (and, for deeper networks, search
/// the patterns of all hidden layers).
pub fn first_layer(problem: &Problem) -> Result<FirstLayer, LayerError> {
    first_layer_within(problem, &Deadline::never())
}

/// `first_layer`, whose enumeration stops at `deadline`
/// (`LayerError::Cells(CellsError::TimeLimit)`).
pub fn first_layer_within(
    problem: &Problem,
    deadline: &Deadline,
) -> Result<FirstLayer, LayerError> {
    let arch = &problem.arch;
    require_kinks(arch)?;
    let units = arch.widths[1];
    let arrangement = first_layer_arrangement(problem);
    let unit_cells = arrangement
        .cells_within(deadline)
        .map_err(LayerError::Cells)?;
    let layer_cells = layer_count(unit_cells.len(), units);
    let deep = if arch.hidden_layers() > 1 {
        Some(search_deep_patterns(problem, DEEP_SAMPLES).map_err(LayerError::Cells)?)
    } else {
        None
    };
    Ok(FirstLayer {
        units,
        arrangement,
        unit_cells,
        layer_cells,
        deep,
    })
}

/// Largest count for which `first_layer_count` also enumerates the cells
/// (streaming, none held) to cross-check the characteristic polynomial.
pub const ENUMERATION_CHECK_MAX: u64 = 20_000;

/// The first hidden layer's cell counts, without listing the cells.
#[derive(Clone, Debug)]
pub struct FirstLayerCount {
    /// Units of the first hidden layer.
    pub units: usize,
    /// One unit's arrangement (the same for every unit).
    pub arrangement: Arrangement,
    /// Its characteristic polynomial (deletion-restriction, no cell listed).
    pub charpoly: super::count::CharPoly,
    /// Number of cells of the unit's arrangement: `(-1)^dim chi(-1)`.
    pub unit_cells: BigInt,
    /// Number of layer patterns: `unit_cells^units`.
    pub layer_cells: BigInt,
    /// The enumeration's count when it ran (`unit_cells` at most
    /// `ENUMERATION_CHECK_MAX`, or a deeper network); equal to `unit_cells`
    /// (a mismatch is an error).
    pub enumerated: Option<usize>,
    /// For deeper networks, as in `FirstLayer::deep`.
    pub deep: Option<Vec<FoundPattern>>,
}

/// The first layer's counts from the characteristic polynomial, cross-checked
/// by the enumeration when the count is at most `ENUMERATION_CHECK_MAX` (or
/// the network is deeper: its pattern search needs the cells anyway).
pub fn first_layer_count_within(
    problem: &Problem,
    deadline: &Deadline,
) -> Result<FirstLayerCount, LayerError> {
    let arch = &problem.arch;
    require_kinks(arch)?;
    let units = arch.widths[1];
    let arrangement = first_layer_arrangement(problem);
    let charpoly = arrangement
        .charpoly_within(deadline)
        .map_err(LayerError::Cells)?;
    let unit_cells = charpoly.cells();
    let deeper = arch.hidden_layers() > 1;
    let enumerated = if deeper || unit_cells <= BigInt::from(ENUMERATION_CHECK_MAX) {
        let n = arrangement
            .cells_within(deadline)
            .map_err(LayerError::Cells)?
            .len();
        if BigInt::from(n) != unit_cells {
            return Err(LayerError::CountMismatch {
                enumerated: n,
                charpoly: unit_cells,
            });
        }
        Some(n)
    } else {
        None
    };
    let deep = if deeper {
        Some(search_deep_patterns(problem, DEEP_SAMPLES).map_err(LayerError::Cells)?)
    } else {
        None
    };
    let layer_cells = unit_cells.pow(u32::try_from(units).unwrap_or(u32::MAX));
    Ok(FirstLayerCount {
        units,
        arrangement,
        charpoly,
        unit_cells,
        layer_cells,
        enumerated,
        deep,
    })
}

impl FirstLayerCount {
    /// As `FirstLayer::always_zero_points`.
    pub fn always_zero_points(&self) -> Vec<usize> {
        zero_roles(&self.arrangement)
    }

    /// As `FirstLayer::zaslavsky_recount`, against the polynomial's count.
    pub fn zaslavsky_recount(&self) -> Result<Option<BigInt>, LayerError> {
        if self.arrangement.distinct.len() > ZASLAVSKY_MAX {
            return Ok(None);
        }
        let z = self.arrangement.zaslavsky_count();
        if z != self.unit_cells {
            return Err(LayerError::CountMismatch {
                enumerated: self.enumerated.unwrap_or(0),
                charpoly: self.unit_cells.clone(),
            });
        }
        Ok(Some(z))
    }
}

fn zero_roles(arr: &Arrangement) -> Vec<usize> {
    arr.roles
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == Role::Zero)
        .map(|(i, _)| i)
        .collect()
}

impl FirstLayer {
    /// Data points whose pre-activation is always 0 (the zero vector with
    /// no bias), in increasing order.
    pub fn always_zero_points(&self) -> Vec<usize> {
        zero_roles(&self.arrangement)
    }

    /// The independent recount of the unit's cells by the Zaslavsky/Whitney
    /// formula: `Ok(None)` when the arrangement has more than
    /// `ZASLAVSKY_MAX` distinct hyperplanes (not recounted), an error when
    /// the recount disagrees with the enumeration.
    pub fn zaslavsky_recount(&self) -> Result<Option<BigInt>, LayerError> {
        if self.arrangement.distinct.len() > ZASLAVSKY_MAX {
            return Ok(None);
        }
        let z = self.arrangement.zaslavsky_count();
        if z != BigInt::from(self.unit_cells.len()) {
            return Err(LayerError::ZaslavskyMismatch {
                enumerated: self.unit_cells.len(),
                zaslavsky: z,
            });
        }
        Ok(Some(z))
    }

    /// The layer's patterns, one unit cell per unit, in lexicographic order.
    pub fn patterns(&self) -> LayerPatterns<'_> {
        layer_patterns(&self.unit_cells, self.units)
    }
}

/// Number of patterns of a layer of `units` units whose every unit has
/// `unit_cells` cells: `unit_cells^units`.
pub fn layer_count(unit_cells: usize, units: usize) -> BigInt {
    BigInt::from(unit_cells).pow(u32::try_from(units).unwrap_or(u32::MAX))
}

/// The odometer over a layer's patterns: every choice of one cell per unit,
/// the last unit's cell varying fastest. Yields `cells.len()^units`
/// patterns (none when there are no cells, one empty pattern for no units).
#[derive(Clone, Debug)]
pub struct LayerPatterns<'a> {
    cells: &'a [Cell],
    idx: Vec<usize>,
    done: bool,
}

/// The patterns of a layer of `units` units, each taking one of `cells`.
pub fn layer_patterns(cells: &[Cell], units: usize) -> LayerPatterns<'_> {
    LayerPatterns {
        cells,
        idx: vec![0; units],
        done: cells.is_empty() && units > 0,
    }
}

impl<'a> Iterator for LayerPatterns<'a> {
    type Item = Vec<&'a Cell>;

    fn next(&mut self) -> Option<Vec<&'a Cell>> {
        if self.done {
            return None;
        }
        let pattern: Vec<&'a Cell> = self.idx.iter().map(|&k| &self.cells[k]).collect();
        // advance: the last position first, carrying into earlier ones
        self.done = true;
        for pos in (0..self.idx.len()).rev() {
            self.idx[pos] += 1;
            if self.idx[pos] < self.cells.len() {
                self.done = false;
                break;
            }
            self.idx[pos] = 0;
        }
        Some(pattern)
    }
}

/// One unit of the local arrangement at a point, with its cells.
#[derive(Clone, Debug)]
pub struct LocalCells {
    /// The unit, its zero points and their arrangement.
    pub local: LocalUnit,
    /// The cells of that arrangement, each with an exact witness.
    pub cells: Vec<Cell>,
}

/// The local arrangement of the first hidden layer at `params`: one entry
/// per unit with a zero pre-activation.
pub fn local_cells(problem: &Problem, params: &Params) -> Result<Vec<LocalCells>, LayerError> {
    local_cells_within(problem, params, &Deadline::never())
}

/// `local_cells`, whose enumerations stop at `deadline`
/// (`LayerError::Cells(CellsError::TimeLimit)`).
pub fn local_cells_within(
    problem: &Problem,
    params: &Params,
    deadline: &Deadline,
) -> Result<Vec<LocalCells>, LayerError> {
    require_kinks(&problem.arch)?;
    local_first_layer(problem, params)
        .into_iter()
        .map(|local| {
            let cells = local
                .arrangement
                .cells_within(deadline)
                .map_err(LayerError::Cells)?;
            Ok(LocalCells { local, cells })
        })
        .collect()
}

/// Number of local cells at the point: the product over units of their
/// cell counts (1 when no unit has a zero pre-activation).
pub fn local_count(units: &[LocalCells]) -> BigInt {
    units
        .iter()
        .fold(BigInt::from(1), |acc, u| acc * BigInt::from(u.cells.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Sign;

    fn cell(tag: i64) -> Cell {
        Cell {
            signs: vec![Sign::Pos],
            witness: vec![BigInt::from(tag)],
        }
    }

    fn tags(p: &[&Cell]) -> Vec<i64> {
        p.iter()
            .map(|c| i64::try_from(&c.witness[0]).expect("small"))
            .collect()
    }

    #[test]
    fn odometer_is_lexicographic_and_complete() {
        let cells = [cell(0), cell(1), cell(2)];
        let all: Vec<Vec<i64>> = layer_patterns(&cells, 2).map(|p| tags(&p)).collect();
        let want: Vec<Vec<i64>> = (0..3)
            .flat_map(|a| (0..3).map(move |b| vec![a, b]))
            .collect();
        assert_eq!(all, want);
        assert_eq!(BigInt::from(all.len()), layer_count(3, 2));
        for units in 0..4 {
            for n in 0..4 {
                let cs: Vec<Cell> = (0..n).map(cell).collect();
                let count = layer_patterns(&cs, units).count();
                assert_eq!(BigInt::from(count), layer_count(n as usize, units));
            }
        }
    }

    #[test]
    fn local_count_is_the_product() {
        assert_eq!(local_count(&[]), BigInt::from(1));
    }
}
