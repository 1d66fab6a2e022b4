//! Process-local adapters of genascope's ports, by capability as in `domain`:
//! - `identity::crypto`: `Argon2Hasher` (`CredentialHasher`), `JwtCodec` (`TokenCodec`),
//!   `OsRandom` (`Random`);
//! - `identity::throttle`: `MemoryLoginThrottle` (`LoginThrottle`'s in-memory store);
//! - `notify::files`: `OutboxMailer` (development: each email a JSON file) and `DisabledMailer`,
//!   delivery sinks of the outbox worker.
//!
//! Nothing here talks to a network service; the binary (`api-actix`) only wires these in.

pub mod identity {
    pub mod crypto;
    pub mod throttle;
}

pub mod notify {
    pub mod files;
}
