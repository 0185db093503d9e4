//! The DynamoDB seam: Rewind's ledger table, which holds what several function instances
//! must agree on —
//! - each team's replay-slot reservations, one item per team (`slots#<team>`), written
//!   only with a condition on its version: two requests (in two instances, or one) that
//!   both read a free slot cannot both take it; one write wins, the other reads again;
//! - each caller's report computations of a minute (`reports#<caller>#<minute>`), a
//!   counter that only a conditional update can raise, so no caller goes past the budget
//!   however many instances serve them.
//!
//! Which table: `REWIND_LEDGER_TABLE` (the template sets it); against an emulator without
//! it, the table is created there on first use. What counts as a holder, and the budget,
//! are the use-cases' (`crate::jobs::slots`, `crate::reports`).

use crate::aws::error::{AwsError, Kind, Service};
use crate::configuration::Settings;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ReturnValue,
    ScalarAttributeType,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// One reservation: a start in flight or just made, which holds a slot for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The replay's (or peek's replay's, or job's) name.
    pub name: String,
    /// When it was reserved, seconds since the epoch.
    pub at: i64,
}

/// A team's slots item: its version and its reservations, each under a key of its own
/// (so two requests for one name never share, or release, one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotsItem {
    /// 0 when the team has no item yet.
    pub version: i64,
    pub holders: BTreeMap<String, Holder>,
}

#[derive(Clone, Debug)]
pub struct Ledger {
    client: crate::aws::Lazy<Client>,
    /// Configured, or made in the emulator on first use.
    table: Arc<OnceCell<String>>,
    /// Against an emulator with no configured table: the name to create it under.
    local_table: Option<String>,
}

/// How long DynamoDB keeps an item after it was last written (its TTL).
const ITEM_TTL_SECONDS: i64 = 86_400;

impl Ledger {
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        let table = Arc::new(OnceCell::new());
        if let Some(name) = &settings.ledger_table {
            let _ = table.set(name.clone());
        }
        Self {
            client: crate::aws::client!(aws_sdk_dynamodb, sdk_config, settings),
            table,
            local_table: (settings.ledger_table.is_none()
                && settings.eventbridge_endpoint.is_some())
            .then(|| {
                format!(
                    "rewind-ledger-{}",
                    settings.instance.replace(['/', ':'], "-")
                )
            }),
        }
    }

    /// Whether this deployment has a ledger (deployed, or against an emulator); locally
    /// against real AWS it has none.
    pub fn exists(&self) -> bool {
        self.table.get().is_some() || self.local_table.is_some()
    }

    /// Locally against an emulator, makes the ledger's table at start-up, so that no
    /// request pays for it (deployed, the template made it: nothing to do). A failure
    /// is left for the first request that needs the table, which tries again.
    pub async fn prepare(&self) {
        if self.local_table.is_some()
            && let Err(error) = self.table().await
        {
            tracing::warn!(%error, "the local ledger table could not be made at start-up");
        }
    }

    async fn table(&self) -> Result<&str, AwsError> {
        self.table
            .get_or_try_init(|| async {
                let Some(name) = &self.local_table else {
                    return Err(AwsError::new(
                        Service::DynamoDb,
                        Kind::NotSetUp("Rewind's ledger table (REWIND_LEDGER_TABLE)"),
                    ));
                };
                self.create_local_table(name).await
            })
            .await
            .map(String::as_str)
    }

    async fn create_local_table(&self, name: &str) -> Result<String, AwsError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| {
            AwsError::new(Service::DynamoDb, Kind::Invalid).with_message(e.to_string())
        };
        let key = KeySchemaElement::builder()
            .attribute_name("id")
            .key_type(KeyType::Hash)
            .build()
            .map_err(built)?;
        let attribute = AttributeDefinition::builder()
            .attribute_name("id")
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(built)?;
        match self
            .client
            .create_table()
            .table_name(name)
            .key_schema(key)
            .attribute_definitions(attribute)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
        {
            Ok(_) => Ok(name.to_owned()),
            Err(e) if e.code() == Some("ResourceInUseException") => Ok(name.to_owned()),
            Err(e) => Err(from_dynamodb(e)),
        }
    }

    /// A team's slots item, read strongly consistent (a write just won is seen).
    pub async fn slots(&self, team: &str) -> Result<SlotsItem, AwsError> {
        let table = self.table().await?;
        let out = self
            .client
            .get_item()
            .table_name(table)
            .key("id", AttributeValue::S(format!("slots#{team}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(from_dynamodb)?;
        let Some(item) = out.item() else {
            return Ok(SlotsItem::default());
        };
        let version = number(item.get("version")).unwrap_or(0);
        let mut holders = BTreeMap::new();
        if let Some(AttributeValue::M(map)) = item.get("holders") {
            for (key, value) in map {
                let AttributeValue::M(fields) = value else {
                    continue;
                };
                let Some(AttributeValue::S(name)) = fields.get("name") else {
                    continue;
                };
                holders.insert(
                    key.clone(),
                    Holder {
                        name: name.clone(),
                        at: number(fields.get("at")).unwrap_or(0),
                    },
                );
            }
        }
        Ok(SlotsItem { version, holders })
    }

    /// Writes `item` as the team's next version, only if the stored one is still
    /// `item.version`: true when this write won, false when another came first.
    pub async fn write_slots(
        &self,
        team: &str,
        item: &SlotsItem,
        now: i64,
    ) -> Result<bool, AwsError> {
        let table = self.table().await?;
        let holders: HashMap<String, AttributeValue> = item
            .holders
            .iter()
            .map(|(key, holder)| {
                (
                    key.clone(),
                    AttributeValue::M(HashMap::from([
                        ("name".to_owned(), AttributeValue::S(holder.name.clone())),
                        ("at".to_owned(), AttributeValue::N(holder.at.to_string())),
                    ])),
                )
            })
            .collect();
        let (condition, values) = if item.version == 0 {
            ("attribute_not_exists(id)", None)
        } else {
            (
                "version = :expected",
                Some(HashMap::from([(
                    ":expected".to_owned(),
                    AttributeValue::N(item.version.to_string()),
                )])),
            )
        };
        let put = self
            .client
            .put_item()
            .table_name(table)
            .item("id", AttributeValue::S(format!("slots#{team}")))
            .item("version", AttributeValue::N((item.version + 1).to_string()))
            .item("holders", AttributeValue::M(holders))
            .item(
                "expiresAt",
                AttributeValue::N((now + ITEM_TTL_SECONDS).to_string()),
            )
            .condition_expression(condition)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(from_dynamodb(e)),
        }
    }

    /// Counts one more under `key` if fewer than `limit` were counted: true when counted,
    /// false when the budget is spent.
    pub async fn count_within(&self, key: &str, limit: u32, now: i64) -> Result<bool, AwsError> {
        let table = self.table().await?;
        let update = self
            .client
            .update_item()
            .table_name(table)
            .key("id", AttributeValue::S(key.to_owned()))
            .update_expression("ADD used :one SET expiresAt = :expires")
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .expression_attribute_values(
                ":expires",
                AttributeValue::N((now + ITEM_TTL_SECONDS).to_string()),
            )
            .return_values(ReturnValue::None)
            .send()
            .await;
        match update {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(from_dynamodb(e)),
        }
    }
}

fn number(value: Option<&AttributeValue>) -> Option<i64> {
    match value {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

/// A DynamoDB failure: a missing table is Rewind's set-up, not the caller's resource.
fn from_dynamodb<E, R>(err: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: aws_sdk_dynamodb::operation::RequestId,
{
    let missing_table = err.code() == Some("ResourceNotFoundException");
    let error = AwsError::from_sdk(Service::DynamoDb, err);
    if missing_table {
        return AwsError {
            kind: Kind::NotSetUp("Rewind's ledger table"),
            ..error
        };
    }
    error
}
