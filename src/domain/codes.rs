//! States that are stored and sent as short codes and shown to clerks in Thai.
//!
//! Each state is an enum made by [`state_enum!`]: the code is what the database and the API hold,
//! the label is what a page shows. A value that exists is valid, and adding a state is a compile
//! error wherever a `match` must say what it means.

/// A state kept as a code.
pub trait Coded: Sized + Copy + 'static {
    /// What the state is, for an error about a stored value that is no longer known.
    const WHAT: &'static str;
    /// Every value, in the order pages list them.
    const ALL: &'static [Self];

    /// The code held by the database and the API.
    fn code(self) -> &'static str;

    /// The value with this exact code.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// `state_enum!(/// doc  Name "what", { Variant = "code", "ป้ายภาษาไทย"; … })`: the enum, its
/// [`Coded`] impl, a Thai `label()`, and serde by code.
macro_rules! state_enum {
    ($(#[$m:meta])* $name:ident $what:expr, {
        $($(#[$vm:meta])* $variant:ident = $code:literal, $label:literal;)+
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $crate::domain::codes::Coded for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [$name] = &[$($name::$variant),+];

            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl $name {
            /// The code held by the database and the API.
            pub fn code(self) -> &'static str {
                $crate::domain::codes::Coded::code(self)
            }

            /// The Thai word a page shows.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value with this exact code.
            pub fn from_code(code: &str) -> Option<Self> {
                <Self as $crate::domain::codes::Coded>::from_code(code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} {:?}", $what, code))
                })
            }
        }
    };
}

pub(crate) use state_enum;

#[cfg(test)]
mod tests {
    use super::*;

    state_enum!(
        /// A test state.
        Colour "colour", {
            Red = "red", "แดง";
            DarkBlue = "dark-blue", "น้ำเงินเข้ม";
        }
    );

    #[test]
    fn codes_round_trip_through_serde_and_parse() {
        for c in Colour::ALL {
            assert_eq!(Colour::from_code(c.code()), Some(*c));
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), *c);
        }
        assert_eq!(Colour::DarkBlue.code(), "dark-blue");
        assert_eq!(Colour::DarkBlue.label(), "น้ำเงินเข้ม");
        assert_eq!(Colour::from_code("Red"), None);
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
    }
}
