//! [`CriterionId`]: the sixteen criterion ids of the scale (SPEC §1) as a
//! type, so that an id is checked once, where it is read, and never spelled
//! as a string literal elsewhere.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The id of one criterion, `1.1` to `5.2`. Ordered in scale order, which is
/// also the order of the id strings. It is written (JSON, text) as the
/// string, e.g. `"1.3"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CriterionId {
    /// `1.1` runs.
    C1_1,
    /// `1.2` example-input.
    C1_2,
    /// `1.3` repeatable.
    C1_3,
    /// `2.1` config-files.
    C2_1,
    /// `2.2` seeds-in-config.
    C2_2,
    /// `2.3` code-reads-config.
    C2_3,
    /// `2.4` config-repeatable.
    C2_4,
    /// `3.1` data-managed.
    C3_1,
    /// `3.2` data-schema.
    C3_2,
    /// `3.3` data-swappable.
    C3_3,
    /// `3.4` pipeline-stages.
    C3_4,
    /// `4.1` package-list.
    C4_1,
    /// `4.2` example-environment.
    C4_2,
    /// `4.3` hardware-documented.
    C4_3,
    /// `5.1` custom-input.
    C5_1,
    /// `5.2` run-comparison.
    C5_2,
}

impl CriterionId {
    /// Every id, in scale order.
    pub const ALL: [CriterionId; 16] = [
        CriterionId::C1_1,
        CriterionId::C1_2,
        CriterionId::C1_3,
        CriterionId::C2_1,
        CriterionId::C2_2,
        CriterionId::C2_3,
        CriterionId::C2_4,
        CriterionId::C3_1,
        CriterionId::C3_2,
        CriterionId::C3_3,
        CriterionId::C3_4,
        CriterionId::C4_1,
        CriterionId::C4_2,
        CriterionId::C4_3,
        CriterionId::C5_1,
        CriterionId::C5_2,
    ];

    /// The id as written everywhere, e.g. `1.3`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CriterionId::C1_1 => "1.1",
            CriterionId::C1_2 => "1.2",
            CriterionId::C1_3 => "1.3",
            CriterionId::C2_1 => "2.1",
            CriterionId::C2_2 => "2.2",
            CriterionId::C2_3 => "2.3",
            CriterionId::C2_4 => "2.4",
            CriterionId::C3_1 => "3.1",
            CriterionId::C3_2 => "3.2",
            CriterionId::C3_3 => "3.3",
            CriterionId::C3_4 => "3.4",
            CriterionId::C4_1 => "4.1",
            CriterionId::C4_2 => "4.2",
            CriterionId::C4_3 => "4.3",
            CriterionId::C5_1 => "5.1",
            CriterionId::C5_2 => "5.2",
        }
    }

    /// The stage the criterion belongs to, 1..=5.
    pub const fn stage(self) -> u8 {
        match self {
            CriterionId::C1_1 | CriterionId::C1_2 | CriterionId::C1_3 => 1,
            CriterionId::C2_1 | CriterionId::C2_2 | CriterionId::C2_3 | CriterionId::C2_4 => 2,
            CriterionId::C3_1 | CriterionId::C3_2 | CriterionId::C3_3 | CriterionId::C3_4 => 3,
            CriterionId::C4_1 | CriterionId::C4_2 | CriterionId::C4_3 => 4,
            CriterionId::C5_1 | CriterionId::C5_2 => 5,
        }
    }
}

impl fmt::Display for CriterionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the sixteen criterion ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCriterionId(pub String);

impl fmt::Display for UnknownCriterionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown criterion id `{}`; the ids are ", self.0)?;
        for (i, id) in CriterionId::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(id.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCriterionId {}

impl FromStr for CriterionId {
    type Err = UnknownCriterionId;

    /// Reads an id (`1.3`); slugs are not ids (see [`super::catalog::find`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CriterionId::ALL
            .into_iter()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| UnknownCriterionId(s.to_string()))
    }
}

impl serde::Serialize for CriterionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CriterionId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Schema: a plain string, as the id field has always been documented (the
/// set of ids is the catalogue's, SPEC §1).
impl schemars::JsonSchema for CriterionId {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "CriterionId".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <String as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips_through_its_string() {
        for id in CriterionId::ALL {
            assert_eq!(id.as_str().parse::<CriterionId>(), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
            assert!(id.as_str().starts_with(&id.stage().to_string()));
            let json = serde_json::to_string(&id).expect("serializes");
            assert_eq!(json, format!("\"{id}\""));
            let back: CriterionId = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, id);
        }
        let mut sorted = CriterionId::ALL;
        sorted.sort_by_key(|id| id.as_str());
        assert_eq!(sorted, CriterionId::ALL);
    }

    #[test]
    fn a_bad_id_is_named_with_the_valid_ones() {
        let err = "9.9".parse::<CriterionId>().expect_err("not an id");
        let text = err.to_string();
        assert!(text.contains("`9.9`"), "{text}");
        assert!(text.contains("1.1, 1.2, 1.3, 2.1") && text.ends_with("5.1, 5.2"));
        assert!("seeds-in-config".parse::<CriterionId>().is_err());
        assert!(serde_json::from_str::<CriterionId>("\"2.5\"").is_err());
    }
}
