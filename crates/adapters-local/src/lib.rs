//! Process-local adapters of genascope's ports, by capability as in `domain`:
//! - `identity::crypto`: `JwtCodec` (`TokenCodec`), `OsRandom` (`Random`);
//! - `identity::hasher`: `Argon2Hasher` (`CredentialHasher`), argon2id on a few dedicated
//!   threads with memory of their own (also re-exported from `identity::crypto`);
//! - `identity::throttle`: `QueuedThrottle`, the process-local wait in front of the shared
//!   (database) `LoginThrottle`: attempts answered `Busy` wait briefly for a turn;
//! - `labs::sealed`: `AesGcmSecretBox` (`SecretBox`), lab integration secrets sealed at rest;
//! - `notify::files`: `OutboxMailer` (development: each email a JSON file) and `DisabledMailer`,
//!   delivery sinks of the outbox worker.
//!
//! - `files::store`: `LocalFileStore` (`FileStore`), objects as files under `DATA_DIR/files`.
//!
//! Nothing here talks to a network service; the binary (`api-actix`) only wires these in.

pub mod identity {
    pub mod crypto;
    pub mod hasher;
    pub mod throttle;
}

pub mod labs {
    pub mod sealed;
}

pub mod files {
    pub mod store;
}

pub mod notify {
    pub mod files;
}
