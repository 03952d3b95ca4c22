//! Names of flat parameters, for display.
//!
//! Owns: where a flat parameter lives ([`ParamSlot`], [`ParamKind`]) and its
//! printed name (`W2[0,1]`, `b1[2]`), as the CLI, `cellpoly` and `smtlib`
//! show them.
//!
//! Must not: define the flat order (that is `Architecture::weight_index` /
//! `bias_index` in `mod.rs`; this file only reads it back).

use super::Architecture;

/// Which part of a weight layer a flat parameter belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `W_l[row, col]`.
    Weight {
        /// 0-based row (unit of layer `l`).
        row: usize,
        /// 0-based column (unit of layer `l - 1`).
        col: usize,
    },
    /// `b_l[row]`.
    Bias {
        /// 0-based row (unit of layer `l`).
        row: usize,
    },
}

/// Where a flat parameter lives: 1-based layer number and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSlot {
    /// 1-based weight-layer number `l`.
    pub layer: usize,
    /// Weight entry or bias entry, and its position.
    pub kind: ParamKind,
}

impl Architecture {
    /// What the flat parameter `index` is.
    pub fn slot(&self, index: usize) -> Option<ParamSlot> {
        let mut off = 0;
        for l in 1..=self.depth() {
            let (rows, cols) = (self.widths[l], self.widths[l - 1]);
            let nw = rows * cols;
            if index < off + nw {
                let k = index - off;
                return Some(ParamSlot {
                    layer: l,
                    kind: ParamKind::Weight {
                        row: k / cols,
                        col: k % cols,
                    },
                });
            }
            off += nw;
            if self.bias[l - 1] {
                if index < off + rows {
                    return Some(ParamSlot {
                        layer: l,
                        kind: ParamKind::Bias { row: index - off },
                    });
                }
                off += rows;
            }
        }
        None
    }

    /// Name of a flat parameter, 0-based positions: `W2[0,1]`, `b1[2]`.
    pub fn param_name(&self, index: usize) -> String {
        match self.slot(index) {
            Some(ParamSlot {
                layer,
                kind: ParamKind::Weight { row, col },
            }) => format!("W{layer}[{row},{col}]"),
            Some(ParamSlot {
                layer,
                kind: ParamKind::Bias { row },
            }) => format!("b{layer}[{row}]"),
            None => format!("p{index}"),
        }
    }
}
