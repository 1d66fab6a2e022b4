//! The questionnaire over HTTP: chat configuration (strategies, contract §3.6) and chat
//! sessions (§3.5.3 documented routes, §3.5.4 `/ai-chat` family).

pub mod dto;
pub mod sessions;
pub mod strategies;
