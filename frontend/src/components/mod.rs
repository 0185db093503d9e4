//! Small reusable pieces of the console's pages.

pub mod archive_picker;
pub mod confirm_dialog;
pub mod delivery_report;
pub mod empty_list;
pub mod error_banner;
pub mod field;
pub mod filter_bar;
pub mod frame;
pub mod guarded;
pub mod json_editor;
pub mod loading;
pub mod opt_out_dialog;
pub mod pager;
pub mod peek_event_list;
pub mod progress_bar;
pub mod receivers_summary;
pub mod replay_origin;
pub mod replay_preview_panel;
pub mod retention_input;
pub mod slice_timeline;
pub mod state_badge;
pub mod time_window;
