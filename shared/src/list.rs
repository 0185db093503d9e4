//! List queries (`?namePrefix=&eventSourceArn=&state=&limit=&nextToken=`) and their
//! validated form. EventBridge accepts at most one of the three filters.

use crate::Field;
use crate::FieldError;
use crate::validation::{ListLimit, NamePrefix, NextToken};
use serde::{Deserialize, Serialize};

/// The query string of `GET /api/archives` and `GET /api/replays`, as sent. Empty values
/// count as absent, so a form can submit every field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListQuery {
    /// Only names starting with this (`[.\-_A-Za-z0-9]`, 1–64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 64, pattern = r"^[\.\-_A-Za-z0-9]*$")
    )]
    pub name_prefix: Option<String>,
    /// Archives: the event bus ARN; replays: the archive ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// One state of the listed resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Page size, 1–100 (digits; empty counts as absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^(0*([1-9][0-9]?|100))?$"))]
    pub limit: Option<String>,
    /// The `nextToken` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 2048))]
    pub next_token: Option<String>,
}

/// At most one filter, as EventBridge requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter<Arn, State> {
    All,
    NamePrefix(NamePrefix),
    EventSource(Arn),
    State(State),
}

/// Which page, and how large.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub limit: Option<ListLimit>,
    pub next_token: Option<NextToken>,
}

impl Page {
    pub fn parse(limit: Option<&str>, next_token: Option<&str>) -> Result<Self, FieldError> {
        Ok(Self {
            limit: present(limit).map(ListLimit::parse_text).transpose()?,
            next_token: present(next_token).map(NextToken::parse).transpose()?,
        })
    }
}

/// A validated list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest<Arn, State> {
    pub filter: ListFilter<Arn, State>,
    pub page: Page,
}

/// `Some` only for a non-empty value.
pub fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

impl ListQuery {
    /// Validates the query with the resource's own ARN and state parsers.
    pub fn parse<Arn, State>(
        &self,
        parse_arn: impl Fn(&str) -> Result<Arn, FieldError>,
        parse_state: impl Fn(&str) -> Result<State, FieldError>,
    ) -> Result<ListRequest<Arn, State>, FieldError> {
        let name_prefix = present(self.name_prefix.as_deref());
        let source = present(self.event_source_arn.as_deref());
        let state = present(self.state.as_deref());
        let given: Vec<Field> = [
            name_prefix.map(|_| Field::NamePrefix),
            source.map(|_| Field::EventSourceArn),
            state.map(|_| Field::State),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            return Err(FieldError::new(
                given[1],
                format!(
                    "Filter by one of namePrefix, eventSourceArn or state at a time (EventBridge allows only one); got {}.",
                    given
                        .iter()
                        .map(|f| f.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ));
        }
        let filter = if let Some(prefix) = name_prefix {
            ListFilter::NamePrefix(NamePrefix::parse(prefix)?)
        } else if let Some(arn) = source {
            ListFilter::EventSource(parse_arn(arn)?)
        } else if let Some(state) = state {
            ListFilter::State(parse_state(state)?)
        } else {
            ListFilter::All
        };
        Ok(ListRequest {
            filter,
            page: Page::parse(self.limit.as_deref(), self.next_token.as_deref())?,
        })
    }
}

/// The query string of the helper lists (`/api/event-buses`, `/api/event-buses/{name}/rules`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct HelperListQuery {
    /// Only names starting with this: bus names (`[/.\-_A-Za-z0-9]`, 1–256), or rule
    /// names (`[.\-_A-Za-z0-9]`, 1–64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(max_length = 256, pattern = r"^[/\.\-_A-Za-z0-9]*$")
    )]
    pub name_prefix: Option<String>,
    /// Page size, 1–100 (digits; empty counts as absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^(0*([1-9][0-9]?|100))?$"))]
    pub limit: Option<String>,
    /// The `nextToken` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 2048))]
    pub next_token: Option<String>,
}

impl HelperListQuery {
    pub fn name_prefix(&self) -> Result<Option<crate::validation::EventBusName>, FieldError> {
        present(self.name_prefix.as_deref())
            .map(|p| crate::validation::EventBusName::parse(p).map_err(|e| e.at(Field::NamePrefix)))
            .transpose()
    }

    /// The rule-name prefix for `/api/event-buses/{name}/rules` (rule names use the
    /// archive-name character set, 1–64 characters).
    pub fn rule_name_prefix(&self) -> Result<Option<NamePrefix>, FieldError> {
        present(self.name_prefix.as_deref())
            .map(NamePrefix::parse)
            .transpose()
    }

    pub fn page(&self) -> Result<Page, FieldError> {
        Page::parse(self.limit.as_deref(), self.next_token.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::EventBusArn;

    /// A state filter as a resource's own state type would parse it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum TestState {
        Enabled,
    }

    impl TestState {
        fn parse(value: &str) -> Result<Self, FieldError> {
            match value {
                "ENABLED" => Ok(Self::Enabled),
                other => Err(FieldError::new(
                    Field::State,
                    format!("'{other}' is not a state."),
                )),
            }
        }
    }

    fn parse(q: &ListQuery) -> Result<ListRequest<EventBusArn, TestState>, FieldError> {
        q.parse(EventBusArn::parse, TestState::parse)
    }

    #[test]
    fn filters_are_exclusive() {
        let q = ListQuery {
            name_prefix: Some("a".into()),
            state: Some("ENABLED".into()),
            ..Default::default()
        };
        let e = parse(&q).unwrap_err();
        assert_eq!(e.field, "state");
        assert!(e.message.contains("namePrefix and state"), "{}", e.message);
    }

    #[test]
    fn empty_values_are_absent() {
        let q = ListQuery {
            name_prefix: Some(String::new()),
            event_source_arn: Some(String::new()),
            state: Some("ENABLED".into()),
            limit: Some(String::new()),
            next_token: Some(String::new()),
        };
        let r = parse(&q).unwrap();
        assert_eq!(r.filter, ListFilter::State(TestState::Enabled));
        assert_eq!(r.page, Page::default());
    }

    #[test]
    fn each_value_is_validated() {
        type Spoil = fn(&mut ListQuery);
        let bad: [(Spoil, &str); 4] = [
            (|q| q.state = Some("ON".into()), "state"),
            (|q| q.event_source_arn = Some("x".into()), "eventSourceArn"),
            (|q| q.limit = Some("0".into()), "limit"),
            (|q| q.name_prefix = Some("a b".into()), "namePrefix"),
        ];
        for (set, field) in bad {
            let mut query = ListQuery::default();
            set(&mut query);
            assert_eq!(parse(&query).unwrap_err().field, field);
        }
        let ok = ListQuery {
            limit: Some("100".into()),
            next_token: Some("t".into()),
            ..Default::default()
        };
        assert_eq!(parse(&ok).unwrap().page.limit.map(|l| l.get()), Some(100));
    }
}
