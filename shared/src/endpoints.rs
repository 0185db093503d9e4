//! The endpoint table: every signed-in operation of the API with its `operationId`, its
//! method and its path template, declared once. The backend's routes are checked against
//! it (the served OpenAPI document lists exactly these, both ways: `backend/tests/api/
//! openapi.rs`), its role check and audit name actions by it (`roles`), and the console
//! builds every request from it (`frontend/src/api.rs`): no path is written twice.

use serde::{Deserialize, Serialize};

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Declares [`Operation`], its list and its endpoint from one table, so that adding an
/// operation is one line and the list cannot miss one.
macro_rules! endpoints {
    ($( $(#[$doc:meta])* $name:ident = $id:literal, $method:ident $path:literal; )*) => {
        /// Every API action behind sign-in (health and the OpenAPI document are public).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Operation {
            $( $(#[$doc])* $name, )*
        }

        impl Operation {
            /// Every operation, in the table's order.
            pub const ALL: &'static [Operation] = &[ $( Operation::$name, )* ];

            /// The `operationId` of its route in the OpenAPI document: how the backend's
            /// route table, its role check and the document name one action.
            pub const fn operation_id(self) -> &'static str {
                match self { $( Operation::$name => $id, )* }
            }

            pub const fn method(self) -> Method {
                match self { $( Operation::$name => Method::$method, )* }
            }

            /// The path template, `{param}` for each path parameter.
            pub const fn path_template(self) -> &'static str {
                match self { $( Operation::$name => $path, )* }
            }
        }
    };
}

endpoints! {
    ListArchives = "listArchives", Get "/api/archives";
    CreateArchive = "createArchive", Post "/api/archives";
    DescribeArchive = "describeArchive", Get "/api/archives/{name}";
    UpdateArchive = "updateArchive", Patch "/api/archives/{name}";
    DeleteArchive = "deleteArchive", Delete "/api/archives/{name}";
    ListReplays = "listReplays", Get "/api/replays";
    StartReplay = "startReplay", Post "/api/replays";
    DescribeReplay = "describeReplay", Get "/api/replays/{name}";
    /// `GET /api/replays/preview`: the replay named `preview`.
    DescribeReplayNamedPreview = "describeReplayNamedPreview", Get "/api/replays/preview";
    CancelReplay = "cancelReplay", Post "/api/replays/{name}/cancel";
    ReplayReport = "replayReport", Get "/api/replays/{name}/report";
    PreviewReplay = "previewReplay", Post "/api/replays/preview";
    ListReplayJobs = "listReplayJobs", Get "/api/replay-jobs";
    StartReplayJob = "startReplayJob", Post "/api/replay-jobs";
    DescribeReplayJob = "describeReplayJob", Get "/api/replay-jobs/{jobName}";
    PauseReplayJob = "pauseReplayJob", Post "/api/replay-jobs/{jobName}/pause";
    ResumeReplayJob = "resumeReplayJob", Post "/api/replay-jobs/{jobName}/resume";
    CancelReplayJob = "cancelReplayJob", Post "/api/replay-jobs/{jobName}/cancel";
    ReplayJobReport = "replayJobReport", Get "/api/replay-jobs/{jobName}/report";
    StartPeek = "startPeek", Post "/api/archives/{name}/peeks";
    ReadPeek = "readPeek", Get "/api/peeks/{peekId}";
    StopPeek = "stopPeek", Delete "/api/peeks/{peekId}";
    ListEventBuses = "listEventBuses", Get "/api/event-buses";
    DescribeEventBus = "describeEventBus", Get "/api/event-buses/{name}";
    ListRules = "listRules", Get "/api/event-buses/{name}/rules";
    OptRuleOutOfReplays = "optRuleOutOfReplays", Post "/api/event-buses/{name}/rules/{rule}/replay-opt-out";
    TestEventPattern = "testEventPattern", Post "/api/event-patterns/test";
    Me = "me", Get "/api/me";
    Now = "now", Get "/api/now";
    ListV2EventBuses = "listV2EventBuses", Get "/api/v2/event-buses";
    ListV2Subscribers = "listV2Subscribers", Get "/api/v2/event-buses/{name}/subscribers";
    ListV2Replays = "listV2Replays", Get "/api/v2/replays";
    StartV2Replay = "startV2Replay", Post "/api/v2/replays";
    DescribeV2Replay = "describeV2Replay", Get "/api/v2/replays/{replayName}";
    PauseV2Replay = "pauseV2Replay", Post "/api/v2/replays/{replayName}/pause";
    ResumeV2Replay = "resumeV2Replay", Post "/api/v2/replays/{replayName}/resume";
    StopV2Replay = "stopV2Replay", Post "/api/v2/replays/{replayName}/stop";
    V2ReplayReport = "v2ReplayReport", Get "/api/v2/replays/{replayName}/report";
}

impl Operation {
    /// The action whose route has this `operationId`.
    pub fn from_operation_id(id: &str) -> Option<Operation> {
        Self::ALL.iter().copied().find(|o| o.operation_id() == id)
    }

    /// The path with its parameters filled in, in order, each percent-encoded as one
    /// segment (a partner bus's `aws.partner/vendor/x` stays one); None when the count
    /// of `params` is not the template's.
    pub fn path(self, params: &[&str]) -> Option<String> {
        let mut path = String::new();
        let mut params = params.iter();
        for segment in self.path_template().split('/').skip(1) {
            path.push('/');
            if segment.starts_with('{') && segment.ends_with('}') {
                encode_segment(params.next()?, &mut path);
            } else {
                path.push_str(segment);
            }
        }
        params.next().is_none().then_some(path)
    }
}

/// Everything but RFC 3986's unreserved characters, percent-encoded (UTF-8).
fn encode_segment(segment: &str, into: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            into.push(char::from(byte));
        } else {
            into.push('%');
            into.push(char::from(HEX[usize::from(byte >> 4)]));
            into.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_parameter_is_encoded_as_one_segment() {
        assert_eq!(Operation::Me.path(&[]).as_deref(), Some("/api/me"));
        assert_eq!(
            Operation::ListRules
                .path(&["aws.partner/vendor/x"])
                .as_deref(),
            Some("/api/event-buses/aws.partner%2Fvendor%2Fx/rules")
        );
        assert_eq!(
            Operation::DescribeArchive
                .path(&["orders-all_2.v~1"])
                .as_deref(),
            Some("/api/archives/orders-all_2.v~1")
        );
        assert_eq!(
            Operation::DescribeArchive.path(&["a b?#%é"]).as_deref(),
            Some("/api/archives/a%20b%3F%23%25%C3%A9")
        );
        assert_eq!(
            Operation::OptRuleOutOfReplays
                .path(&["orders", "fulfil"])
                .as_deref(),
            Some("/api/event-buses/orders/rules/fulfil/replay-opt-out")
        );
        // The count must match the template.
        assert_eq!(Operation::DescribeArchive.path(&[]), None);
        assert_eq!(Operation::Me.path(&["x"]), None);
    }

    #[test]
    fn the_table_names_each_operation_and_endpoint_once() {
        let mut ids: Vec<_> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Operation::ALL.len());
        let mut endpoints: Vec<_> = Operation::ALL
            .iter()
            .map(|o| (o.method().as_str(), o.path_template()))
            .collect();
        endpoints.sort_unstable();
        endpoints.dedup();
        assert_eq!(endpoints.len(), Operation::ALL.len());
        for operation in Operation::ALL {
            assert_eq!(
                Operation::from_operation_id(operation.operation_id()),
                Some(*operation)
            );
            assert!(operation.path_template().starts_with("/api/"));
        }
    }
}
