//! Scheduling (contract §3.9): clinicians' availability (explicit dates and recurring patterns),
//! bookable times, conflict-safe booking, the appointment lifecycle, emails and calendar feeds.
//!
//! Times: the wire speaks the clinic's wall clock (`date`, `time`); each account has an IANA time
//! zone (default `UTC`) that turns a wall-clock time into an instant where the real moment
//! matters ("in the future", "has started") and names the zone in `.ics` output.

pub mod error;
pub mod mail;
pub mod model;
pub mod ports;
pub mod rules;
pub mod service;
pub mod vtimezone;
