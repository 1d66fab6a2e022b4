//! Chat strategies (contract §3.6, strategies; knowledge sources come with file storage): the
//! account's configuration of the questionnaire's chat. `model` (the strategy, its vocabularies
//! and length rules, the commands), `ports` (`StrategyRepository`), `service`
//! (`StrategyService`), `error` (`StrategyError`).

pub mod error;
pub mod model;
pub mod ports;
pub mod service;
