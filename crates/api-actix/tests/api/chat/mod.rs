//! The questionnaire over HTTP (contract §3.5, §3.6, §3.7 analyze): strategies, the documented
//! questionnaire routes, the `/ai-chat` family, and the analysis of completed sessions. Every
//! test runs on both backends (`on_both_backends!` in `main.rs` names them as `chat::<test>`).

mod ai_chat;
mod analyze;
mod invited;
mod knowledge;
mod sessions;
mod strategies;
mod support;

pub use ai_chat::*;
pub use analyze::*;
pub use invited::*;
pub use knowledge::*;
pub use sessions::*;
pub use strategies::*;
