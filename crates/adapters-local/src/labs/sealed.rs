//! `SecretBox` with AES-256-GCM: integration secrets at rest, sealed with a key from the
//! environment (`LAB_SECRET_KEY`). A sealed value is `v1.` then lowercase hex of a fresh
//! 12-byte nonce followed by the ciphertext and its tag; opening checks the tag, so a value
//! sealed with another key, or altered, fails.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce};
use genascope_domain::common::BoxError;
use genascope_domain::labs::ports::SecretBox;

const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 12;

/// The at-rest key: 32 bytes.
pub struct AesGcmSecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for AesGcmSecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesGcmSecretBox(..)")
    }
}

/// A key that is not 64 hex characters.
#[derive(Debug, thiserror::Error)]
#[error("LAB_SECRET_KEY must be 64 hexadecimal characters (32 bytes)")]
pub struct BadKey;

#[derive(Debug, thiserror::Error)]
#[error("the sealed secret cannot be opened with this key")]
struct CannotOpen;

impl AesGcmSecretBox {
    /// From the key as 64 hex characters.
    pub fn from_hex(key: &str) -> Result<Self, BadKey> {
        let bytes = hex::decode(key.trim()).map_err(|_| BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| BadKey)?;
        Ok(Self { cipher })
    }
}

impl SecretBox for AesGcmSecretBox {
    fn seal(&self, plain: &[u8]) -> Result<String, BoxError> {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce_bytes).map_err(|e| -> BoxError { e.to_string().into() })?;
        let nonce = Nonce::<Aes256Gcm>::from(nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain)
            .map_err(|_| -> BoxError { "sealing failed".into() })?;
        Ok(format!(
            "{PREFIX}{}{}",
            hex::encode(nonce_bytes),
            hex::encode(sealed)
        ))
    }

    fn open(&self, sealed: &str) -> Result<Vec<u8>, BoxError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(CannotOpen)?;
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::<Aes256Gcm>::try_from(nonce).map_err(|_| CannotOpen)?;
        Ok(self.cipher.decrypt(&nonce, body).map_err(|_| CannotOpen)?)
    }
}

/// The `SecretBox` when no key is configured: nothing can be sealed or opened.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoKey;

#[derive(Debug, thiserror::Error)]
#[error("LAB_SECRET_KEY is not set")]
struct KeyNotSet;

impl SecretBox for NoKey {
    fn seal(&self, _plain: &[u8]) -> Result<String, BoxError> {
        Err(Box::new(KeyNotSet))
    }

    fn open(&self, _sealed: &str) -> Result<Vec<u8>, BoxError> {
        Err(Box::new(KeyNotSet))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let b = AesGcmSecretBox::from_hex(KEY).expect("key");
        let s1 = b.seal(b"secret").expect("seal");
        let s2 = b.seal(b"secret").expect("seal");
        assert_ne!(s1, s2, "a fresh nonce each time");
        assert!(!s1.contains("736563726574"), "the plain text does not show");
        assert_eq!(b.open(&s1).expect("open"), b"secret");
        let other = AesGcmSecretBox::from_hex(&KEY.replace("1f", "20")).expect("key");
        assert!(other.open(&s1).is_err());
        let mut tampered = s1.clone();
        tampered.replace_range(s1.len() - 2.., "00");
        assert!(b.open(&tampered).is_err() || tampered == s1);
        assert!(b.open("v1.zz").is_err());
        assert!(b.open("plain").is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        assert!(AesGcmSecretBox::from_hex(&KEY[..62]).is_err());
        assert!(AesGcmSecretBox::from_hex(&"g".repeat(64)).is_err());
        assert!(AesGcmSecretBox::from_hex(KEY).is_ok());
    }
}
