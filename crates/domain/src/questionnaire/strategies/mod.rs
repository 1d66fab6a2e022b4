//! Chat strategies (contract §3.6, strategies; the knowledge sources they link are
//! [`super::knowledge`]): the account's configuration of the questionnaire's chat. `model` (the
//! strategy, its vocabularies and length rules, the commands), `ports` (`StrategyRepository`:
//! a strategy is stored with its links), `service` (`StrategyService`), `error`
//! (`StrategyError`).

pub mod error;
pub mod model;
pub mod ports;
pub mod service;
