//! What a deployment lets routed replays and forwards reach and pass on: its template
//! parameters, which bound the function's role in IAM the same way. Pure: the checks
//! that need AWS are the routing use-case's (`crate::routing`).

use shared::validation::EventBusArn;
use shared::{Field, FieldError};

/// What a deployment lets routed replays and forwards reach and pass on: its template
/// parameters `AllowedTargetArns`, `EventBusNames`, `ForwardRoleArns` and
/// `TargetRoleArns`, which bound the function's role in IAM the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingPolicy {
    /// ARN patterns (IAM's `ArnLike`) outside this account and region a forward may reach.
    pub allowed_target_arns: Vec<String>,
    /// Names or globs of the buses of this account and region the deployment may touch.
    pub event_bus_names: Vec<String>,
    /// The roles a forward may pass.
    pub forward_role_arns: Vec<String>,
    /// The roles of existing targets and rules that copies and the opt-out may pass again.
    pub target_role_arns: Vec<String>,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        Self {
            allowed_target_arns: Vec::new(),
            event_bus_names: vec!["*".to_owned()],
            forward_role_arns: Vec::new(),
            target_role_arns: Vec::new(),
        }
    }
}

impl RoutingPolicy {
    pub fn from_settings(settings: &super::Settings) -> Self {
        Self {
            allowed_target_arns: settings.allowed_target_arns.clone(),
            event_bus_names: settings.event_bus_names.clone(),
            forward_role_arns: settings.forward_role_arns.clone(),
            target_role_arns: settings.target_role_arns.clone(),
        }
    }

    /// Whether bus `name` of this account and region is one of `EventBusNames`.
    pub fn allows_bus(&self, name: &str) -> bool {
        self.event_bus_names
            .iter()
            .any(|glob| shared::validation::wildcard_matches(glob, name))
    }

    /// `ValidationError` on `field` unless this deployment may pass `role` on again (a
    /// copied target's or a rule's own role).
    pub fn check_target_role(
        &self,
        role: Option<&str>,
        what: &str,
        field: Field,
    ) -> Result<(), FieldError> {
        match role.filter(|r| !r.is_empty()) {
            Some(role) if !self.target_role_arns.iter().any(|r| r == role) => Err(FieldError::new(
                field,
                format!(
                    "{what} uses role {role}, which this deployment may not pass on (IAM grants iam:PassRole only on the TargetRoleArns parameter's roles); an administrator of the stack can add it."
                ),
            )),
            _ => Ok(()),
        }
    }
}

impl RoutingPolicy {
    /// A refusal on `routing.targets` unless a copy of a target delivering to
    /// `target` may be put (IAM would refuse it otherwise, after the rule was made): a
    /// resource of the archive's account and region that is not a bus, a bus of
    /// `EventBusNames` there, or anything matching `AllowedTargetArns`.
    pub fn check_copy(
        &self,
        target: &str,
        archive_bus: &EventBusArn,
        what: &str,
    ) -> Result<(), FieldError> {
        self.check_delivery(target, archive_bus.as_str(), what, Field::RoutingTargets)
    }

    /// As [`RoutingPolicy::check_copy`], for a copy made where `home` (an ARN) is, the
    /// refusal at `field`: a classic or a Custom Event Bus (v2) of that account and
    /// region must be one of `EventBusNames`.
    pub fn check_delivery(
        &self,
        target: &str,
        home: &str,
        what: &str,
        field: Field,
    ) -> Result<(), FieldError> {
        let here = place(target) == place(home);
        let allowed = match bus_of(target) {
            Some(bus) if here => self.allows_bus(bus),
            None if here => true,
            _ => false,
        } || self
            .allowed_target_arns
            .iter()
            .any(|pattern| shared::validation::arn_like(pattern, target));
        if allowed {
            return Ok(());
        }
        Err(FieldError::new(
            field,
            format!(
                "{what} delivers to {target}, which this deployment may not deliver to (its EventBusNames and AllowedTargetArns parameters); an administrator of the stack can add it."
            ),
        ))
    }
}

/// The bus name of a classic (`…:event-bus/NAME`) or Custom Event Bus
/// (`…:event-busv2/NAME/ID`) ARN; None for anything else.
pub fn bus_of(arn: &str) -> Option<&str> {
    if let Some((_, rest)) = arn.split_once(":event-busv2/") {
        return rest.split('/').next();
    }
    arn.split_once(":event-bus/").map(|(_, name)| name)
}

/// `(partition, region, account)` of an ARN.
pub fn place(arn: &str) -> (&str, &str, &str) {
    let mut parts = arn.split(':').skip(1);
    (
        parts.next().unwrap_or_default(),
        parts.nth(1).unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}
