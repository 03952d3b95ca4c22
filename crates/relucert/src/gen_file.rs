//! Generated instances as files: the file name and TOML text of one
//! generated instance, checked to read back unchanged.
//!
//! Owns: turning `gen::generate`'s instance into the text `relucert gen`
//! prints or writes, and the round-trip check that the text parses and
//! validates back to the very same instance (a failure is an internal
//! error of the generator or of the writer, never silently accepted).
//!
//! Must not: generate anything itself (that is `gen`), or write files or
//! format messages for the terminal (that is the CLI).

use crate::gen::{file_name, generate, Family};
use crate::instance::{self, InstanceError};

/// A generated instance's text does not read back as the same instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenFileError {
    /// The text parses, but to a different instance.
    ReadBackDiffers {
        /// The instance's file name.
        name: String,
    },
    /// The text does not parse or validate.
    Invalid(InstanceError),
}

impl std::fmt::Display for GenFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenFileError::ReadBackDiffers { name } => write!(
                f,
                "{name}: internal error: the generated instance does not read back unchanged (please report)"
            ),
            GenFileError::Invalid(e) => write!(
                f,
                "internal error: the generated instance does not validate (please report): {e}"
            ),
        }
    }
}

impl std::error::Error for GenFileError {}

/// A generated instance as a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenFile {
    /// `F-SEED-INDEX.toml` (`gen::file_name`).
    pub name: String,
    /// The instance as TOML (`instance::to_toml`).
    pub text: String,
}

/// The instance `index` of `family`'s stream `seed`, as a file whose text
/// has been checked to read back as the same instance.
pub fn gen_file(family: Family, seed: u64, index: u64) -> Result<GenFile, GenFileError> {
    let inst = generate(family, seed, index).instance;
    let text = instance::to_toml(&inst);
    let name = file_name(family, seed, index);
    match instance::parse(&text, instance::Syntax::Toml, &name) {
        Ok(back) if back == inst => Ok(GenFile { name, text }),
        Ok(_) => Err(GenFileError::ReadBackDiffers { name }),
        Err(e) => Err(GenFileError::Invalid(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_back_and_are_named_by_family_seed_index() {
        for family in Family::DEFAULT_CORPUS {
            let f = gen_file(family, 7, 3).expect("reads back");
            assert_eq!(f.name, file_name(family, 7, 3));
            let back = instance::parse(&f.text, instance::Syntax::Toml, &f.name)
                .expect("valid TOML instance");
            assert_eq!(back, generate(family, 7, 3).instance);
        }
    }
}
