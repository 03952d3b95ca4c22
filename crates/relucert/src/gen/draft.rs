//! The draft of one generated instance, before it is named.
//!
//! Owns: `Draft` (everything a family generator decides: architecture,
//! loss, data, point, expectations, promised zero entries and the
//! description), its one constructor `Draft::new` and the small builder
//! methods the families chain on it, the description text of a network's
//! shape, and turning a draft into a named `Generated` instance.
//!
//! Must not: draw randomness (the families draw, in their fixed order),
//! compute or change any number of the instance, or decide anything.

use super::{source_line, Family, Generated};
use crate::instance::{Expect, Instance};
use crate::network::ZeroEntry;
use crate::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use crate::number::Q;

/// Everything a family generator decides, before naming.
pub(super) struct Draft {
    arch: Architecture,
    loss: LossKind,
    x: Vec<Vec<Q>>,
    y: Vec<i64>,
    targets: Vec<Q>,
    layers: Vec<LayerParams>,
    expect: Expect,
    promised: Vec<ZeroEntry>,
    what: String,
}

impl Draft {
    /// A draft of the network `arch` with loss `loss` on the data `(x, y)`
    /// at the point `layers`; no expectations, no promised zero entries and
    /// an empty description until the builder methods set them.
    pub(super) fn new(
        arch: Architecture,
        loss: LossKind,
        x: Vec<Vec<Q>>,
        y: Vec<i64>,
        layers: Vec<LayerParams>,
    ) -> Draft {
        Draft {
            arch,
            loss,
            x,
            y,
            targets: Vec::new(),
            layers,
            expect: Expect::default(),
            promised: Vec::new(),
            what: String::new(),
        }
    }

    /// A draft with a regression loss (`absolute` or `squared`): rational
    /// targets instead of labels.
    pub(super) fn regression(
        arch: Architecture,
        loss: LossKind,
        x: Vec<Vec<Q>>,
        targets: Vec<Q>,
        layers: Vec<LayerParams>,
    ) -> Draft {
        let mut d = Draft::new(arch, loss, x, Vec::new(), layers);
        d.targets = targets;
        d
    }

    /// The `[expect]` entries the construction establishes.
    pub(super) fn expect(mut self, expect: Expect) -> Draft {
        self.expect = expect;
        self
    }

    /// The zero entries of the signature the construction promises.
    pub(super) fn promised(mut self, promised: Vec<ZeroEntry>) -> Draft {
        self.promised = promised;
        self
    }

    /// The description: the network's shape (activation, widths, loss, N),
    /// then `detail` after a comma.
    pub(super) fn what(mut self, detail: &str) -> Draft {
        self.what = format!(
            "{}, {detail}",
            shape_text(&self.arch, self.loss, self.x.len())
        );
        self
    }

    /// The named instance `index` of `family` from `seed`: the name
    /// `F-SEED-INDEX: what`, the source line, and `[expect]` only when the
    /// construction established something.
    pub(super) fn finish(self, family: Family, seed: u64, index: u64) -> Generated {
        let Draft {
            arch,
            loss,
            x,
            y,
            targets,
            layers,
            expect,
            promised,
            what,
        } = self;
        let data = if loss.is_regression() {
            Data::regression(x, targets)
        } else {
            Data::labelled(x, y)
        };
        let any =
            expect.local_min.is_some() || expect.global_min.is_some() || expect.loss.is_some();
        Generated {
            instance: Instance {
                name: Some(format!("{}-{seed}-{index}: {what}", family.name())),
                source: Some(source_line(family, seed, index)),
                problem: Problem { arch, loss, data },
                point: Some(Params { layers }),
                expect: any.then_some(expect),
            },
            promised,
        }
    }
}

fn act_text(a: &Activation) -> String {
    match a {
        Activation::Leaky(alpha) => format!("leaky {}", crate::number::fmt_q(alpha)),
        other => other.name().to_string(),
    }
}

/// `ACTIVATION W0-W1-...-WL LOSS, N = n`: the shape part of a description.
fn shape_text(arch: &Architecture, loss: LossKind, n: usize) -> String {
    let w: Vec<String> = arch.widths.iter().map(usize::to_string).collect();
    format!(
        "{} {} {}, N = {n}",
        act_text(&arch.activation),
        w.join("-"),
        loss.name()
    )
}
