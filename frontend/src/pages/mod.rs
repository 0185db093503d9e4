//! One page per screen of the console.

pub mod archive;
pub mod archives;
pub mod custom_bus;
pub mod custom_buses;
pub mod job;
pub mod jobs;
pub mod new_archive;
pub mod not_found;
pub mod now;
pub mod peek;
pub mod replay;
pub mod replay_to_subscribers;
pub mod replays;
pub mod start_replay;
pub mod v2_replay;
