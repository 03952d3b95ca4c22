//! (in progress: SMT-LIB export, issue 7)

use crate::instance::Instance;
use crate::number::Q;
use std::path::Path;

/// The SMT-LIB 2 question for `inst` at `radius` (in progress).
pub fn smtlib(inst: &Instance, radius: &Q) -> Result<String, String> {
    let _ = (inst, radius);
    Err("the smtlib export is not implemented yet".to_string())
}

/// `relucert smtlib FILE --radius R [--out F]` (in progress).
pub fn command(path: &Path, radius: &str, out: Option<&Path>) -> Result<String, String> {
    let _ = (radius, out);
    Err(format!(
        "{}: the smtlib export is not implemented yet",
        path.display()
    ))
}
