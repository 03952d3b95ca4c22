//! relucert: exact, certified answers about the hinge-loss landscape of small
//! ReLU / leaky ReLU / linear networks.
//!
//! See `docs/ARCHITECTURE.md` for the map of modules and the data flow from an
//! instance file to a verdict.
#![forbid(unsafe_code)]

pub mod arc;
pub mod cellpoly;
pub mod cells;
pub mod check;
pub mod cli;
pub mod corpus;
pub mod descend;
pub mod gen;
pub mod instance;
pub mod linalg;
pub mod local;
pub mod lp;
pub mod network;
pub mod number;
pub mod poly;
pub mod probe;
pub mod smtlib;
pub mod theorems;
pub mod verify;
