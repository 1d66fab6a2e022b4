//! Questionnaire storage: chat strategies (`chat_strategies`) with their links to knowledge
//! sources (`chat_strategy_knowledge_sources`), knowledge sources (`knowledge_sources`), and chat
//! sessions with their messages (`chat_sessions`, `chat_messages`).

mod at_once;
mod batch;
mod cache;
mod knowledge;
mod progress;
mod sessions;

pub(crate) use batch::AnswerBatcher;
pub(crate) use cache::SessionCache;

pub(crate) use sessions::chat_summaries;
mod strategies;
