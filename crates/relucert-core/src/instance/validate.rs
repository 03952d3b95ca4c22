//! The validator: every FORMAT.md rule about what a valid instance is.
//!
//! Owns: reading the common tree (`tree::Node`) into an [`Instance`] key by
//! key, with the exact error message for each rule (widths, activation,
//! bias, loss, data, point shapes, labels, expectations), and the size guard
//! against huge allocations.
//!
//! Must not: know which syntax a tree came from, evaluate the network, or
//! change a message: tests/bad_inputs.rs compares them byte for byte.

use super::tree::{kind_name, Node, Raw};
use super::{Expect, Instance, InstanceError};
use crate::input::excerpt;
use crate::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use crate::number::{parse_rational_limited, NumberError, Q};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive};

/// Largest width / count accepted; a guard against typos like
/// `widths = [2, 300000000, 1]` turning into huge allocations.
const MAX_WIDTH: u64 = 1_000_000;

/// Reads a tree; `file` names the file in errors.
pub(super) struct Reader<'a> {
    pub(super) file: &'a str,
    /// Most decimal digits in one number (`InputLimits::max_digits`).
    pub(super) max_digits: usize,
}

type R<T> = Result<T, InstanceError>;

impl<'a> Reader<'a> {
    fn err(&self, key: &str, node: Option<&Node>, message: impl Into<String>) -> InstanceError {
        InstanceError {
            file: self.file.to_string(),
            key: Some(key.to_string()),
            line: node.and_then(|n| n.line),
            message: message.into(),
        }
    }

    fn table<'n>(&self, node: &'n Node, key: &str, allowed: &[&str]) -> R<&'n [(String, Node)]> {
        match &node.raw {
            Raw::Table(t) => {
                for (k, v) in t {
                    if !allowed.contains(&k.as_str()) {
                        let k = excerpt(k);
                        let full = if key.is_empty() {
                            k
                        } else {
                            format!("{key}.{k}")
                        };
                        return Err(self.err(
                            &full,
                            Some(v),
                            format!("unknown key (expected one of: {})", allowed.join(", ")),
                        ));
                    }
                }
                Ok(t)
            }
            other => Err(self.err(
                key,
                Some(node),
                format!("expected a table, found {}", kind_name(other)),
            )),
        }
    }

    fn get<'n>(t: &'n [(String, Node)], k: &str) -> Option<&'n Node> {
        t.iter().find(|(key, _)| key == k).map(|(_, v)| v)
    }

    fn require<'n>(
        &self,
        t: &'n [(String, Node)],
        parent: &str,
        parent_node: &Node,
        k: &str,
        what: &str,
    ) -> R<&'n Node> {
        Self::get(t, k).ok_or_else(|| {
            let key = if parent.is_empty() {
                k.to_string()
            } else {
                format!("{parent}.{k}")
            };
            self.err(
                &key,
                Some(parent_node),
                format!("missing key: expected {what}"),
            )
        })
    }

    fn string(&self, node: &Node, key: &str) -> R<String> {
        match &node.raw {
            Raw::Str(s) => Ok(s.clone()),
            other => Err(self.err(
                key,
                Some(node),
                format!("expected a string, found {}", kind_name(other)),
            )),
        }
    }

    fn boolean(&self, node: &Node, key: &str) -> R<bool> {
        match &node.raw {
            Raw::Bool(b) => Ok(*b),
            other => Err(self.err(
                key,
                Some(node),
                format!("expected true or false, found {}", kind_name(other)),
            )),
        }
    }

    fn array<'n>(&self, node: &'n Node, key: &str, what: &str) -> R<&'n [Node]> {
        match &node.raw {
            Raw::Array(a) => Ok(a),
            other => Err(self.err(
                key,
                Some(node),
                format!("expected {what}, found {}", kind_name(other)),
            )),
        }
    }

    /// An exact rational: a quoted string, an integer, or (JSON) a number.
    fn number(&self, node: &Node, key: &str) -> R<Q> {
        let limited = |t: &str| {
            parse_rational_limited(t, self.max_digits)
                .map_err(|e| self.err(key, Some(node), e.to_string()))
        };
        match &node.raw {
            Raw::Str(s) => limited(s),
            Raw::Int(i) => Ok(Q::from_integer(i.clone())),
            Raw::Decimal(t) => limited(t),
            Raw::TooLong(digits) => Err(self.too_long(key, node, *digits)),
            Raw::Float(t) => {
                let t = excerpt(t);
                let lower = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
                let message = if lower == "nan" || lower == "inf" {
                    // No spelling of it is a rational: do not suggest one.
                    format!("{t} is not a number relucert accepts: every number must be a finite rational")
                } else {
                    format!("float literal {t} is not allowed (it has already been rounded); write it as a string, \"{t}\"")
                };
                Err(self.err(key, Some(node), message))
            }
            other => Err(self.err(
                key,
                Some(node),
                format!(
                    "expected a number as a string such as \"3/4\" or \"0.25\", found {}",
                    kind_name(other)
                ),
            )),
        }
    }

    fn too_long(&self, key: &str, node: &Node, digits: u64) -> InstanceError {
        let e = NumberError::TooManyDigits {
            digits,
            limit: self.max_digits,
        };
        self.err(key, Some(node), e.to_string())
    }

    /// A whole number (integer literal, or a string/number whose exact value is an integer).
    fn integer(&self, node: &Node, key: &str, what: &str) -> R<BigInt> {
        let bad =
            |found: &str| self.err(key, Some(node), format!("expected {what}, found {found}"));
        match &node.raw {
            Raw::Int(i) => Ok(i.clone()),
            Raw::TooLong(digits) => Err(self.too_long(key, node, *digits)),
            Raw::Float(t) => Err(bad(&format!("float literal {}", excerpt(t)))),
            Raw::Str(_) | Raw::Decimal(_) => {
                let q = self.number(node, key)?;
                if q.is_integer() {
                    Ok(q.to_integer())
                } else {
                    Err(bad(&format!("the fraction {}", shown(&q))))
                }
            }
            other => Err(bad(kind_name(other))),
        }
    }

    fn vector(&self, node: &Node, key: &str, len: usize) -> R<Vec<Q>> {
        let a = self.array(node, key, &format!("an array of {len} numbers"))?;
        if a.len() != len {
            return Err(self.err(
                key,
                Some(node),
                format!("expected {len} entries, found {}", a.len()),
            ));
        }
        a.iter()
            .enumerate()
            .map(|(i, n)| self.number(n, &format!("{key}[{i}]")))
            .collect()
    }

    fn matrix(&self, node: &Node, key: &str, rows: usize, cols: usize) -> R<Vec<Vec<Q>>> {
        let shape = format!(
            "{rows} row{} of {cols} number{}",
            plural(rows),
            plural(cols)
        );
        let a = self.array(node, key, &format!("an array of {shape}"))?;
        if a.len() != rows {
            return Err(self.err(
                key,
                Some(node),
                format!("expected {shape}, found {} row{}", a.len(), plural(a.len())),
            ));
        }
        a.iter()
            .enumerate()
            .map(|(r, row)| {
                let k = format!("{key}[{r}]");
                let entries = self.array(row, &k, &format!("a row of {cols} numbers"))?;
                if entries.len() != cols {
                    return Err(self.err(
                        &k,
                        Some(row),
                        format!("expected {cols} entries, found {}", entries.len()),
                    ));
                }
                entries
                    .iter()
                    .enumerate()
                    .map(|(c, n)| self.number(n, &format!("{k}[{c}]")))
                    .collect()
            })
            .collect()
    }

    pub(super) fn instance(&self, root: &Node) -> R<Instance> {
        let top = self.table(
            root,
            "",
            &[
                "name", "source", "network", "loss", "data", "point", "expect",
            ],
        )?;
        let name = Self::get(top, "name")
            .map(|n| self.string(n, "name"))
            .transpose()?;
        let source = Self::get(top, "source")
            .map(|n| self.string(n, "source"))
            .transpose()?;
        let net_node = self.require(top, "", root, "network", "a [network] table")?;
        let arch = self.network(net_node)?;
        let loss_node = self.require(top, "", root, "loss", "a [loss] table")?;
        let loss = self.loss(loss_node, &arch)?;
        let data_node = self.require(top, "", root, "data", "a [data] table")?;
        let data = self.data(data_node, &arch, loss)?;
        let point = Self::get(top, "point")
            .map(|n| self.point(n, &arch))
            .transpose()?;
        let expect = Self::get(top, "expect")
            .map(|n| self.expect(n))
            .transpose()?;
        Ok(Instance {
            name,
            source,
            problem: Problem { arch, loss, data },
            point,
            expect,
        })
    }

    fn network(&self, node: &Node) -> R<Architecture> {
        let t = self.table(node, "network", &["widths", "activation", "alpha", "bias"])?;
        let wnode = self.require(
            t,
            "network",
            node,
            "widths",
            "an array of layer widths such as [2, 3, 1]",
        )?;
        let wa = self.array(
            wnode,
            "network.widths",
            "an array of at least 2 positive integers",
        )?;
        if wa.len() < 2 {
            return Err(self.err(
                "network.widths",
                Some(wnode),
                format!(
                    "expected at least 2 entries (input and output width), found {}",
                    wa.len()
                ),
            ));
        }
        let mut widths = Vec::with_capacity(wa.len());
        for (i, n) in wa.iter().enumerate() {
            let key = format!("network.widths[{i}]");
            let v = self.integer(n, &key, "a positive integer width")?;
            if !v.is_positive() {
                return Err(self.err(
                    &key,
                    Some(n),
                    format!("expected a positive width, found {}", shown(&v)),
                ));
            }
            match v.to_u64() {
                Some(w) if w <= MAX_WIDTH => widths.push(w as usize),
                _ => {
                    return Err(self.err(
                        &key,
                        Some(n),
                        format!("width {} exceeds the limit {MAX_WIDTH}", shown(&v)),
                    ))
                }
            }
        }
        let depth = widths.len() - 1;
        let anode = self.require(
            t,
            "network",
            node,
            "activation",
            "\"relu\", \"leaky\" or \"linear\"",
        )?;
        let aname = self.string(anode, "network.activation")?;
        let alpha = Self::get(t, "alpha");
        let activation = match aname.as_str() {
            "relu" | "linear" => {
                if let Some(a) = alpha {
                    return Err(self.err(
                        "network.alpha",
                        Some(a),
                        format!("alpha is only allowed with activation = \"leaky\" (activation is \"{aname}\")"),
                    ));
                }
                if aname == "relu" {
                    Activation::Relu
                } else {
                    Activation::Linear
                }
            }
            "leaky" => {
                let a = alpha.ok_or_else(|| {
                    self.err("network.alpha", Some(node), "missing key: activation = \"leaky\" needs alpha, a number in (0, 1) such as \"1/10\"")
                })?;
                let q = self.number(a, "network.alpha")?;
                if !(q.is_positive() && q < Q::one()) {
                    return Err(self.err(
                        "network.alpha",
                        Some(a),
                        format!("expected 0 < alpha < 1, found {}", shown(&q)),
                    ));
                }
                Activation::Leaky(q)
            }
            other => {
                return Err(self.err(
                    "network.activation",
                    Some(anode),
                    format!(
                        "unknown activation \"{}\" (expected \"relu\", \"leaky\" or \"linear\")",
                        excerpt(other)
                    ),
                ))
            }
        };
        let bias = match Self::get(t, "bias") {
            None => {
                return Err(self.err(
                    "network.bias",
                    Some(node),
                    format!("missing key: expected true, false, or an array of {depth} booleans (one per weight layer)"),
                ))
            }
            Some(b) => match &b.raw {
                Raw::Bool(v) => vec![*v; depth],
                Raw::Array(a) => {
                    if a.len() != depth {
                        return Err(self.err(
                            "network.bias",
                            Some(b),
                            format!("expected {depth} flags (one per weight layer), found {}", a.len()),
                        ));
                    }
                    a.iter()
                        .enumerate()
                        .map(|(i, n)| self.boolean(n, &format!("network.bias[{i}]")))
                        .collect::<R<Vec<bool>>>()?
                }
                other => {
                    return Err(self.err(
                        "network.bias",
                        Some(b),
                        format!("expected true, false, or an array of {depth} booleans, found {}", kind_name(other)),
                    ))
                }
            },
        };
        Ok(Architecture {
            widths,
            activation,
            bias,
        })
    }

    fn loss(&self, node: &Node, arch: &Architecture) -> R<LossKind> {
        let t = self.table(node, "loss", &["kind"])?;
        let knode = self.require(
            t,
            "loss",
            node,
            "kind",
            "\"hinge\", \"multiclass-hinge\", \"crammer-singer\", \"absolute\" or \"squared\"",
        )?;
        let kind = match self.string(knode, "loss.kind")?.as_str() {
            "hinge" => LossKind::Hinge,
            "multiclass-hinge" => LossKind::MulticlassHinge,
            "crammer-singer" => LossKind::CrammerSinger,
            "absolute" => LossKind::Absolute,
            "squared" => LossKind::Squared,
            other => {
                return Err(self.err(
                    "loss.kind",
                    Some(knode),
                    format!("unknown loss \"{}\" (expected \"hinge\", \"multiclass-hinge\", \"crammer-singer\", \"absolute\" or \"squared\")", excerpt(other)),
                ))
            }
        };
        let k = arch.output_width();
        match kind {
            LossKind::Hinge if k != 1 => Err(self.err(
                "loss.kind",
                Some(knode),
                format!(
                    "the binary hinge loss needs output width 1, but network.widths ends in {k}"
                ),
            )),
            LossKind::Absolute | LossKind::Squared if k != 1 => Err(self.err(
                "loss.kind",
                Some(knode),
                format!(
                    "the {} (regression) loss needs output width 1, but network.widths ends in {k}",
                    kind.name()
                ),
            )),
            LossKind::MulticlassHinge | LossKind::CrammerSinger if k < 2 => Err(self.err(
                "loss.kind",
                Some(knode),
                format!(
                    "the {} loss needs output width K >= 2, but network.widths ends in {k}",
                    kind.name()
                ),
            )),
            _ => Ok(kind),
        }
    }

    fn data(&self, node: &Node, arch: &Architecture, loss: LossKind) -> R<Data> {
        let t = self.table(node, "data", &["x", "y"])?;
        let d = arch.input_dim();
        let xnode = self.require(t, "data", node, "x", "an array of input rows")?;
        let rows = self.array(xnode, "data.x", "an array of input rows")?;
        if rows.is_empty() {
            return Err(self.err(
                "data.x",
                Some(xnode),
                "expected at least one data point, found none",
            ));
        }
        let x = self.matrix(xnode, "data.x", rows.len(), d)?;
        let what_y = if loss.is_regression() {
            "targets"
        } else {
            "labels"
        };
        let ynode = self.require(
            t,
            "data",
            node,
            "y",
            &format!("an array of {what_y}, one per row of data.x"),
        )?;
        let ys = self.array(ynode, "data.y", &format!("an array of {what_y}"))?;
        if ys.len() != x.len() {
            return Err(self.err(
                "data.y",
                Some(ynode),
                format!(
                    "expected {} {what_y} (one per row of data.x), found {}",
                    x.len(),
                    ys.len()
                ),
            ));
        }
        if loss.is_regression() {
            let mut targets = Vec::with_capacity(ys.len());
            for (i, n) in ys.iter().enumerate() {
                let key = format!("data.y[{i}]");
                let v = match &n.raw {
                    Raw::Str(_) | Raw::Int(_) | Raw::Decimal(_) | Raw::TooLong(_) | Raw::Float(_) => {
                        self.number(n, &key)?
                    }
                    other => {
                        return Err(self.err(
                            &key,
                            Some(n),
                            format!(
                                "expected a regression target, a rational number such as \"3/2\" (loss.kind = \"{}\"), found {}",
                                loss.name(),
                                kind_name(other)
                            ),
                        ))
                    }
                };
                targets.push(v);
            }
            return Ok(Data::regression(x, targets));
        }
        let k = arch.output_width();
        let mut y = Vec::with_capacity(ys.len());
        for (i, n) in ys.iter().enumerate() {
            let key = format!("data.y[{i}]");
            let what = match loss {
                LossKind::Hinge => "a label 1 or -1".to_string(),
                _ => format!("a class label from 0 to {}", k - 1),
            };
            let v = self
                .integer(n, &key, &what)
                .map_err(|e| regression_hint(e, loss))?;
            let ok = match loss {
                LossKind::Hinge => v == BigInt::one() || v == -BigInt::one(),
                _ => !v.is_negative() && v < BigInt::from(k),
            };
            if !ok {
                return Err(regression_hint(
                    self.err(
                        &key,
                        Some(n),
                        format!("expected {what}, found {}", shown(&v)),
                    ),
                    loss,
                ));
            }
            y.push(v.to_i64().unwrap_or(0));
        }
        Ok(Data::labelled(x, y))
    }

    fn point(&self, node: &Node, arch: &Architecture) -> R<Params> {
        let l_count = arch.depth();
        let mut allowed: Vec<String> = Vec::new();
        for l in 1..=l_count {
            allowed.push(format!("W{l}"));
            if arch.bias[l - 1] {
                allowed.push(format!("b{l}"));
            }
        }
        let allowed_ref: Vec<&str> = allowed.iter().map(String::as_str).collect();
        // A bias vector given for a layer without bias deserves a specific message.
        if let Raw::Table(t) = &node.raw {
            for (k, v) in t {
                if let Some(l) = k.strip_prefix('b').and_then(|s| s.parse::<usize>().ok()) {
                    if (1..=l_count).contains(&l) && !arch.bias[l - 1] {
                        let k = excerpt(k);
                        return Err(self.err(
                            &format!("point.{k}"),
                            Some(v),
                            format!("layer {l} has no bias (network.bias), so point.{k} must not be given"),
                        ));
                    }
                }
            }
        }
        let t = self.table(node, "point", &allowed_ref)?;
        let mut layers = Vec::with_capacity(l_count);
        for l in 1..=l_count {
            let (rows, cols) = (arch.widths[l], arch.widths[l - 1]);
            let wkey = format!("point.W{l}");
            let wnode = Self::get(t, &format!("W{l}")).ok_or_else(|| {
                self.err(
                    &wkey,
                    Some(node),
                    format!(
                        "missing key: expected W{l}, {rows} row{} of {cols} number{}",
                        plural(rows),
                        plural(cols)
                    ),
                )
            })?;
            let w = self.matrix(wnode, &wkey, rows, cols)?;
            let b = if arch.bias[l - 1] {
                let bkey = format!("point.b{l}");
                let bnode = Self::get(t, &format!("b{l}")).ok_or_else(|| {
                    self.err(
                        &bkey,
                        Some(node),
                        format!("missing bias vector: layer {l} has a bias (network.bias), expected b{l} with {rows} numbers"),
                    )
                })?;
                Some(self.vector(bnode, &bkey, rows)?)
            } else {
                None
            };
            layers.push(LayerParams { w, b });
        }
        Ok(Params { layers })
    }

    fn expect(&self, node: &Node) -> R<Expect> {
        let t = self.table(node, "expect", &["local_min", "global_min", "loss"])?;
        let local_min = Self::get(t, "local_min")
            .map(|n| self.boolean(n, "expect.local_min"))
            .transpose()?;
        let global_min = Self::get(t, "global_min")
            .map(|n| self.boolean(n, "expect.global_min"))
            .transpose()?;
        let loss = Self::get(t, "loss")
            .map(|n| self.number(n, "expect.loss"))
            .transpose()?;
        if let Some(l) = &loss {
            if l.is_negative() {
                let n = Self::get(t, "loss");
                return Err(self.err(
                    "expect.loss",
                    n,
                    format!("a loss is never negative, found {}", shown(l)),
                ));
            }
        }
        if global_min == Some(true) && local_min == Some(false) {
            let n = Self::get(t, "local_min");
            return Err(self.err(
                "expect.local_min",
                n,
                "local_min = false contradicts global_min = true (a global minimum is a local minimum)",
            ));
        }
        Ok(Expect {
            local_min,
            global_min,
            loss,
        })
    }
}

/// A value read from the input as shown in a message (cut to one short line).
/// A label error of a hinge loss gets a hint when the value could be a
/// regression target: a fraction, or an integer out of range.
fn regression_hint(mut e: InstanceError, loss: LossKind) -> InstanceError {
    let found_number = e.message.contains("found the fraction")
        || e.message.rsplit("found ").next().is_some_and(|f| {
            f.trim_start_matches('-')
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        });
    if found_number && loss.is_hinge_type() {
        e.message.push_str(
            "; rational targets are for the regression losses (loss.kind = \"absolute\" or \"squared\")",
        );
    }
    e
}

fn shown(v: &impl std::fmt::Display) -> String {
    excerpt(&v.to_string())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
