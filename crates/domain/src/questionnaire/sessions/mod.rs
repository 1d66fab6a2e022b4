//! Chat sessions (contract §3.5.2–§3.5.4): the questionnaire engine run for a patient (or
//! unattached), stored, with its `/ai-chat` transcript. `model` (the session, its messages, ids
//! and vocabularies), `policy` (who sees which session), `ports` (`ChatSessionRepository`),
//! `service` (`ChatService`), `error` (`ChatError`).

pub mod error;
pub mod model;
pub mod policy;
pub mod ports;
pub mod service;
