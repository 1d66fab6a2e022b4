//! Closed vocabularies of the questionnaire's records (strategies' specialties and rule
//! operators, sessions' types and statuses…): one macro gives each its wire names,
//! case-insensitive parsing, the list of permitted values for a 422, and serde as the wire name.

/// Declares a closed vocabulary: `Name { Variant = "wire", … }`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }

            /// Parse a wire name, case-insensitively and trimmed.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }

            /// "'a', 'b', …": the permitted values, for a 422 message.
            #[must_use]
            pub fn permitted() -> String {
                Self::ALL
                    .iter()
                    .map(|v| format!("'{}'", v.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
    };
}
pub(crate) use vocabulary;
