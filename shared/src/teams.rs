//! Teams (`REWIND_TEAMS`): which event buses each team acts on. A caller in a team's
//! group acts only on the buses its globs match; the all-buses group keeps every bus.
//! Parsed once at start-up; a malformed value is refused with the fault named.

use serde::{Deserialize, Serialize};

/// A bus name or a glob over bus names: `*` stands for any run of characters, `/`
/// included (partner buses are named `aws.partner/vendor/name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusGlob(String);

impl BusGlob {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("an empty bus glob".to_owned());
        }
        if value.len() > 256 {
            return Err(format!("bus glob '{value}' is longer than 256 characters"));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '*')))
        {
            return Err(format!(
                "bus glob '{value}' has '{}'; bus names use letters, digits, '.', '-', '_' and '/', globs also '*'",
                bad.escape_default()
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, bus: &str) -> bool {
        crate::validation::wildcard_matches(&self.0, bus)
    }
}

/// One team and the buses it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub name: String,
    /// Names or globs.
    pub event_buses: Vec<String>,
}

/// Every team of `REWIND_TEAMS`, e.g. `payments=payments-*,orders;search=search-*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teams(Vec<(String, Vec<BusGlob>)>);

impl Teams {
    /// Faults, each named: a team without `=`, an empty team name, a name with other
    /// characters than a group name allows, a team without globs, an empty glob, a team
    /// named twice.
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut teams: Vec<(String, Vec<BusGlob>)> = Vec::new();
        for (i, entry) in value.split(';').enumerate() {
            let Some((name, globs)) = entry.split_once('=') else {
                return Err(format!(
                    "team {} ('{}') has no '=': write team=glob[,glob…]",
                    i + 1,
                    entry.trim()
                ));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("team {} has an empty name", i + 1));
            }
            if let Some(bad) = name
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            {
                return Err(format!(
                    "team name '{name}' has '{}'; use letters, digits, '.', '-' and '_' (it ends a group name)",
                    bad.escape_default()
                ));
            }
            if teams.iter().any(|(n, _)| n == name) {
                return Err(format!("team '{name}' is named twice"));
            }
            let globs = globs
                .split(',')
                .map(BusGlob::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("team '{name}': {e}"))?;
            teams.push((name.to_owned(), globs));
        }
        Ok(Self(teams))
    }

    /// The teams that own `bus` (a name or an event bus ARN).
    pub fn owning(&self, bus: &str) -> Vec<Team> {
        let name = bus.split_once(":event-bus/").map_or(bus, |(_, name)| name);
        self.0
            .iter()
            .filter(|(_, globs)| globs.iter().any(|g| g.matches(name)))
            .map(|(team, globs)| Team {
                name: team.clone(),
                event_buses: globs.iter().map(|g| g.as_str().to_owned()).collect(),
            })
            .collect()
    }

    /// Every team.
    pub fn all(&self) -> Vec<Team> {
        self.0
            .iter()
            .map(|(name, globs)| Team {
                name: name.clone(),
                event_buses: globs.iter().map(|g| g.as_str().to_owned()).collect(),
            })
            .collect()
    }

    /// The teams whose group (`prefix` + name) is among `groups`.
    pub fn of_groups(&self, prefix: &str, groups: &[&str]) -> Vec<Team> {
        self.0
            .iter()
            .filter(|(name, _)| groups.iter().any(|g| g.strip_prefix(prefix) == Some(name)))
            .map(|(name, globs)| Team {
                name: name.clone(),
                event_buses: globs.iter().map(|g| g.as_str().to_owned()).collect(),
            })
            .collect()
    }
}

/// Which buses a caller acts on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every bus: teams are not configured, or the caller is in the all-buses group.
    #[default]
    All,
    /// The buses of these teams (none: the caller sees nothing).
    Teams(Vec<Team>),
}

impl Scope {
    pub fn allows(&self, bus: &str) -> bool {
        match self {
            Self::All => true,
            Self::Teams(teams) => teams.iter().any(|t| {
                t.event_buses
                    .iter()
                    .any(|g| crate::validation::wildcard_matches(g, bus))
            }),
        }
    }

    /// The bus of an event bus ARN (`…:event-bus/NAME`), or a bare name.
    pub fn allows_bus_arn(&self, arn: &str) -> bool {
        let name = arn.split_once(":event-bus/").map_or(arn, |(_, name)| name);
        self.allows(name)
    }

    /// For messages: "your teams: payments — buses payments-*, orders".
    pub fn describe(&self) -> String {
        match self {
            Self::All => "you act on every event bus".to_owned(),
            Self::Teams(teams) if teams.is_empty() => {
                "you are in no team, so you see no event bus; ask an admin to add you to a team's group".to_owned()
            }
            Self::Teams(teams) => format!(
                "your teams: {}",
                teams
                    .iter()
                    .map(|t| format!("{} — buses {}", t.name, t.event_buses.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_parse_and_every_fault_is_named() {
        let teams = Teams::parse("payments=payments-*,orders; search = search-* ").unwrap();
        let mine = teams.of_groups("rewind-team-", &["rewind-team-payments", "rewind-viewers"]);
        assert_eq!(
            mine,
            [Team {
                name: "payments".into(),
                event_buses: vec!["payments-*".into(), "orders".into()]
            }]
        );
        assert!(
            teams
                .of_groups("rewind-team-", &["payments", "rewind-team-"])
                .is_empty()
        );
        for (bad, fault) in [
            ("payments", "no '='"),
            ("=orders", "empty name"),
            ("payments=", "empty bus glob"),
            ("payments=a,,b", "empty bus glob"),
            ("payments=a;payments=b", "named twice"),
            ("payments=a;", "no '='"),
            ("pay ments=a", "has ' '"),
            ("payments=a b", "has ' '"),
            ("pay,ments=a", "has ','"),
            ("", "no '='"),
        ] {
            let e = Teams::parse(bad).unwrap_err();
            assert!(e.contains(fault), "{bad}: {e}");
        }
    }

    #[test]
    fn globs_match_whole_names_partner_buses_included() {
        let glob = |g: &str| BusGlob::parse(g).unwrap();
        assert!(glob("payments-*").matches("payments-eu"));
        assert!(!glob("payments-*").matches("my-payments-eu"));
        assert!(glob("orders").matches("orders") && !glob("orders").matches("orders-2"));
        assert!(glob("aws.partner/vendor.example/*").matches("aws.partner/vendor.example/orders"));
        assert!(glob("aws.partner/*/orders").matches("aws.partner/a/b/orders"));
        assert!(glob("*").matches("default"));
        assert!(!glob("payments-*").matches("aws.partner/payments-x"));
        let scope = Scope::Teams(vec![Team {
            name: "p".into(),
            event_buses: vec!["payments-*".into()],
        }]);
        assert!(
            scope.allows_bus_arn("arn:aws:events:us-east-1:123456789012:event-bus/payments-eu")
        );
        assert!(!scope.allows_bus_arn("arn:aws:events:us-east-1:123456789012:event-bus/orders"));
        assert!(!Scope::Teams(vec![]).allows("default"));
        assert!(Scope::All.allows("anything"));
        assert!(scope.describe().contains("p — buses payments-*"));
    }
}
