//! Questionnaire storage: chat strategies (`chat_strategies`) and chat sessions with their
//! messages (`chat_sessions`, `chat_messages`).

mod sessions;
mod strategies;
