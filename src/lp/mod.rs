//! (in progress: exact LP engine, issue 3)
pub mod cli;
