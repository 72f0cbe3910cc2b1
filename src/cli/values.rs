//! The values of the flags whose types live with their concept below the faces (the output and
//! input formats, the colour choice, a key's scope): clap's `ValueEnum` for each is written
//! here, so that only `cli` knows clap and the server can share the types without it.

use crate::keys::Scope;
use crate::parse::InputFormat;
use crate::report::OutputFormat;
use crate::report::export::ExportFormat;
use crate::term::ColorChoice;
use clap::builder::PossibleValue;

/// `impl ValueEnum` for an enum of this crate: each variant, the name the flag takes, and
/// optionally the help `--help` shows beside it.
macro_rules! flag_values {
    ($ty:ident { $($variant:ident => $name:literal $(($help:literal))?),+ $(,)? }) => {
        impl clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($ty::$variant),+]
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $($ty::$variant => PossibleValue::new($name)$(.help($help))?),+
                })
            }
        }
    };
}

flag_values!(OutputFormat {
    Table => "table",
    Json => "json",
    Ndjson => "ndjson",
    Html => "html" ("The plan as one self-contained HTML page, for a review (of a plan not yet applied)"),
});

flag_values!(ExportFormat {
    Csv => "csv",
    Json => "json",
    Ndjson => "ndjson",
});

flag_values!(InputFormat {
    Auto => "auto",
    Csv => "csv",
    Json => "json",
    Ndjson => "ndjson",
});

flag_values!(ColorChoice {
    Auto => "auto",
    Always => "always",
    Never => "never",
});

flag_values!(Scope {
    Sync => "sync",
    Read => "read",
    Scim => "scim",
});

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    /// The names the flags take are the names the types give themselves elsewhere.
    #[test]
    fn flag_names_agree_with_the_types() {
        for f in InputFormat::value_variants() {
            let value = f.to_possible_value().expect("named");
            assert_eq!(value.get_name(), f.name());
        }
        for s in Scope::value_variants() {
            let value = s.to_possible_value().expect("named");
            assert_eq!(value.get_name(), s.as_str());
            assert_eq!(Scope::parse(value.get_name()), Some(*s));
        }
    }
}
