//! Token signing (JWT, HS256 pinned) and randomness: the adapters of `TokenCodec` and `Random`;
//! password hashing (`CredentialHasher`) is `super::hasher`, re-exported here.

pub use super::hasher::Argon2Hasher;
use genascope_domain::common::{
    AccountId, BoxError, ChatStrategyId, InviteId, PatientId, Random, UserId,
};
use genascope_domain::identity::model::Role;
use genascope_domain::identity::policy::AccessType;
use genascope_domain::identity::ports::{
    AccessClaims, SimplifiedClaims, TokenCodec, TokenError, VerifiedToken,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

/// The JWT body (contract §1.6): the full token's claims, and the simplified token's (`role`
/// `patient`, `patient_id`, `invite_id`, `chat_strategy_id`, `gen`). One shape for both, read
/// by `access_type`.
#[derive(Debug, Serialize, Deserialize)]
struct JwtClaims {
    sub: String,
    id: String,
    email: String,
    role: String,
    account_id: Option<String>,
    access_type: String,
    iat: i64,
    exp: i64,
    jti: String,
    iss: String,
    aud: String,
    /// The session (refresh-token family) the token belongs to; absent in tokens issued before
    /// it existed, and in simplified tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    /// Simplified tokens: the patient (= `sub` = `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    patient_id: Option<String>,
    /// Simplified tokens: the invite they were issued from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invite_id: Option<String>,
    /// Simplified tokens: the invite's strategy (present, possibly null).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "present_or_null"
    )]
    chat_strategy_id: Option<Option<String>>,
    /// Simplified tokens: the invite's token generation (claim `gen`, a reserved word in Rust
    /// 2024).
    #[serde(default, rename = "gen", skip_serializing_if = "Option::is_none")]
    token_gen: Option<i32>,
}

/// A claim that simplified tokens always carry, possibly as `null` (`chat_strategy_id`), while
/// full tokens leave it out: `None` = absent, `Some(None)` = null.
mod present_or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    // serde's `with` hands the field by reference.
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(v: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => s.serialize_some(inner),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// HS256 JWTs with issuer and audience checks. Any other algorithm (including `none`) is refused.
///
/// Tokens are signed with one secret and verified against it or, during a rotation, against one
/// more (`JWT_SECRET_PREVIOUS`, see docs/operations.md): a token is accepted when either key's
/// signature matches, and every other check is the same.
pub struct JwtCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// A second key accepted for verification only (never used to sign).
    also_accepted: Option<DecodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    verified: VerifiedTokens,
}

/// Most tokens [`VerifiedTokens`] keeps (a few MB at most).
const VERIFIED_TOKENS: usize = 10_000;

/// Tokens this codec verified lately, and what they said (issue #8). Every request carries its
/// token, and verifying one (two base64 decodes, a JSON parse, an HMAC) was 4 % of the server's
/// CPU in the journey benchmark, where each token is sent hundreds of times. A token is found
/// here only by its exact bytes, after they passed every check against this codec's keys (which
/// never change while it lives); its expiry is checked again on every use, as a fresh
/// verification would. Only verified tokens go in; emptied when full. What a token's claims
/// still grant (revocation, the principal's state) is decided after verification, as before.
#[derive(Default)]
struct VerifiedTokens(std::sync::Mutex<std::collections::HashMap<Box<str>, VerifiedToken>>);

impl VerifiedTokens {
    /// The claims of `token` if it was verified here and has not expired since (`leeway`
    /// seconds of grace, as verification allows).
    fn get(&self, token: &str, leeway: u64) -> Option<Result<VerifiedToken, TokenError>> {
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = kept.get(token)?;
        let exp = match found {
            VerifiedToken::Full(c) => c.exp,
            VerifiedToken::Simplified(c) => c.exp,
        };
        let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
        if exp.saturating_add(i64::try_from(leeway).unwrap_or(0)) < now {
            kept.remove(token);
            return Some(Err(TokenError::Expired));
        }
        Some(Ok(found.clone()))
    }

    fn put(&self, token: &str, verified: &VerifiedToken) {
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() >= VERIFIED_TOKENS {
            kept.clear();
        }
        kept.insert(token.into(), verified.clone());
    }
}

impl JwtCodec {
    /// Build from the secret.
    #[must_use]
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            also_accepted: None,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            verified: VerifiedTokens::default(),
        }
    }
}

impl JwtCodec {
    /// Also accept tokens signed with `secret` (a rotation's other secret); sign with the first.
    #[must_use]
    pub fn also_accepting(mut self, secret: &[u8]) -> Self {
        self.also_accepted = Some(DecodingKey::from_secret(secret));
        self
    }

    /// The claims of `token` if its signature matches the signing key or the one also accepted.
    fn decode(&self, token: &str) -> jsonwebtoken::errors::Result<JwtClaims> {
        match jsonwebtoken::decode::<JwtClaims>(token, &self.decoding, &self.validation) {
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => {
                match &self.also_accepted {
                    Some(key) => jsonwebtoken::decode::<JwtClaims>(token, key, &self.validation),
                    None => Err(e),
                }
            }
            other => other,
        }
        .map(|data| data.claims)
    }

    fn sign(&self, body: &JwtClaims) -> Result<String, BoxError> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            body,
            &self.encoding,
        )?)
    }
}

/// The claims of a full token.
fn full(c: JwtClaims) -> Result<AccessClaims, TokenError> {
    Ok(AccessClaims {
        sub: UserId::parse(&c.sub).ok_or(TokenError::Invalid)?,
        email: c.email,
        role: Role::parse(&c.role).ok_or(TokenError::Invalid)?,
        account_id: c.account_id.as_deref().and_then(AccountId::parse),
        iat: c.iat,
        exp: c.exp,
        jti: c.jti,
        sid: c.sid.as_deref().and_then(|s| uuid::Uuid::parse_str(s).ok()),
    })
}

/// The claims of a simplified token: every one of its claims present and well-formed, `sub`,
/// `id` and `patient_id` the same patient, role `patient`.
fn simplified(c: JwtClaims) -> Result<SimplifiedClaims, TokenError> {
    let patient = PatientId::parse(&c.sub).ok_or(TokenError::Invalid)?;
    let same = |s: Option<&str>| s.and_then(PatientId::parse) == Some(patient);
    if !same(Some(&c.id)) || !same(c.patient_id.as_deref()) || c.role != "patient" {
        return Err(TokenError::Invalid);
    }
    let strategy = match c.chat_strategy_id.ok_or(TokenError::Invalid)? {
        None => None,
        Some(s) => Some(ChatStrategyId::parse(&s).ok_or(TokenError::Invalid)?),
    };
    Ok(SimplifiedClaims {
        patient_id: patient,
        email: c.email,
        invite_id: c
            .invite_id
            .as_deref()
            .and_then(InviteId::parse)
            .ok_or(TokenError::Invalid)?,
        chat_strategy_id: strategy,
        account_id: c
            .account_id
            .as_deref()
            .and_then(AccountId::parse)
            .ok_or(TokenError::Invalid)?,
        token_gen: c.token_gen.ok_or(TokenError::Invalid)?,
        iat: c.iat,
        exp: c.exp,
        jti: c.jti,
    })
}

impl TokenCodec for JwtCodec {
    fn issue(&self, c: &AccessClaims) -> Result<String, BoxError> {
        self.sign(&JwtClaims {
            sub: c.sub.to_string(),
            id: c.sub.to_string(),
            email: c.email.clone(),
            role: c.role.as_str().to_owned(),
            account_id: c.account_id.map(|a| a.to_string()),
            access_type: AccessType::Full.as_str().into(),
            iat: c.iat,
            exp: c.exp,
            jti: c.jti.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sid: c.sid.map(|s| s.to_string()),
            patient_id: None,
            invite_id: None,
            chat_strategy_id: None,
            token_gen: None,
        })
    }

    fn issue_simplified(&self, c: &SimplifiedClaims) -> Result<String, BoxError> {
        let patient = c.patient_id.0.to_string();
        self.sign(&JwtClaims {
            sub: patient.clone(),
            id: patient.clone(),
            email: c.email.clone(),
            role: Role::Patient.as_str().to_owned(),
            account_id: Some(c.account_id.0.to_string()),
            access_type: AccessType::Simplified.as_str().into(),
            iat: c.iat,
            exp: c.exp,
            jti: c.jti.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sid: None,
            patient_id: Some(patient),
            invite_id: Some(c.invite_id.0.to_string()),
            chat_strategy_id: Some(c.chat_strategy_id.map(|s| s.0.to_string())),
            token_gen: Some(c.token_gen),
        })
    }

    fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        if let Some(kept) = self.verified.get(token, self.validation.leeway) {
            return kept;
        }
        let verified = self.verify_afresh(token)?;
        self.verified.put(token, &verified);
        Ok(verified)
    }
}

impl JwtCodec {
    /// [`TokenCodec::verify`] without [`VerifiedTokens`].
    fn verify_afresh(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let c = self.decode(token).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        if c.access_type == AccessType::Full.as_str() {
            full(c).map(VerifiedToken::Full)
        } else if c.access_type == AccessType::Simplified.as_str() {
            simplified(c).map(VerifiedToken::Simplified)
        } else {
            Err(TokenError::Invalid)
        }
    }
}

/// The operating system's CSPRNG.
#[derive(Debug, Default, Clone)]
pub struct OsRandom;

impl Random for OsRandom {
    fn uuid(&self) -> uuid::Uuid {
        uuid::Uuid::new_v4()
    }

    fn bytes(&self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        // getrandom only fails when the OS has no entropy source at all; abort rather than
        // hand out predictable tokens.
        if let Err(e) = getrandom::fill(&mut v) {
            tracing::error!(error = %e, "operating system randomness unavailable");
            std::process::abort();
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> AccessClaims {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        AccessClaims {
            sub: UserId(uuid::Uuid::new_v4()),
            email: "a@example.org".into(),
            role: Role::Admin,
            account_id: None,
            iat: now,
            exp: now + exp_offset,
            jti: "j1".into(),
            sid: Some(uuid::Uuid::new_v4()),
        }
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_and_tampering() {
        let codec = JwtCodec::new(SECRET, "genascope", "genascope-api");
        let c = claims(600);
        let token = codec.issue(&c).unwrap();
        assert_eq!(codec.verify(&token).unwrap(), VerifiedToken::Full(c));
        // Another secret, issuer or audience: invalid.
        for other in [
            JwtCodec::new(
                b"another-secret-another-secret-123",
                "genascope",
                "genascope-api",
            ),
            JwtCodec::new(SECRET, "someone-else", "genascope-api"),
            JwtCodec::new(SECRET, "genascope", "other-api"),
        ] {
            assert_eq!(other.verify(&token), Err(TokenError::Invalid));
        }
        // A flipped payload byte: invalid.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let first = if parts[1].starts_with('e') { "f" } else { "e" };
        parts[1].replace_range(0..1, first);
        assert_eq!(codec.verify(&parts.join(".")), Err(TokenError::Invalid));
    }

    /// A token kept from an earlier verification expires as a fresh one would: its expiry is
    /// checked on every use, and an expired one is refused and forgotten.
    #[test]
    fn a_kept_token_still_expires() {
        let codec = JwtCodec::new(SECRET, "genascope", "genascope-api");
        // Expired a second ago: still inside the five seconds of leeway.
        let c = claims(-1);
        let token = codec.issue(&c).unwrap();
        assert_eq!(codec.verify(&token), Ok(VerifiedToken::Full(c.clone())));
        assert_eq!(
            codec.verified.get(&token, 5),
            Some(Ok(VerifiedToken::Full(c))),
            "kept"
        );
        // Without the leeway it has expired: refused, and no longer kept.
        assert_eq!(
            codec.verified.get(&token, 0),
            Some(Err(TokenError::Expired))
        );
        assert_eq!(codec.verified.get(&token, 5), None);
        // Refused tokens are not kept.
        let stale = codec.issue(&claims(-3600)).unwrap();
        assert_eq!(codec.verify(&stale), Err(TokenError::Expired));
        assert_eq!(codec.verified.get(&stale, 5), None);
    }

    /// A rotation: tokens of either secret verify while both are configured; the codec signs
    /// with its own; a third secret, or the old one once dropped, is refused.
    #[test]
    fn rotation_accepts_the_previous_secret_only_while_configured() {
        const OLD: &[u8] = b"old-secret-old-secret-old-secret";
        let old = JwtCodec::new(OLD, "genascope", "genascope-api");
        let rotating = JwtCodec::new(SECRET, "genascope", "genascope-api").also_accepting(OLD);
        let c = claims(600);
        let by_old = old.issue(&c).unwrap();
        let by_new = rotating.issue(&c).unwrap();
        assert_eq!(
            rotating.verify(&by_old).unwrap(),
            VerifiedToken::Full(c.clone())
        );
        assert_eq!(
            rotating.verify(&by_new).unwrap(),
            VerifiedToken::Full(c.clone())
        );
        // Signed with the new secret, not the accepted one.
        assert_eq!(old.verify(&by_new), Err(TokenError::Invalid));
        let done = JwtCodec::new(SECRET, "genascope", "genascope-api");
        assert_eq!(done.verify(&by_old), Err(TokenError::Invalid));
        let other = JwtCodec::new(
            b"another-secret-another-secret-123",
            "genascope",
            "genascope-api",
        )
        .also_accepting(OLD);
        assert_eq!(other.verify(&by_new), Err(TokenError::Invalid));
        // The old secret's token still expires like any other.
        let expired = old.issue(&claims(-3600)).unwrap();
        assert_eq!(rotating.verify(&expired), Err(TokenError::Expired));
    }

    #[test]
    fn expired_and_alg_none_are_refused() {
        let codec = JwtCodec::new(SECRET, "genascope", "genascope-api");
        let token = codec.issue(&claims(-3600)).unwrap();
        assert_eq!(codec.verify(&token), Err(TokenError::Expired));
        // alg "none" with the same claims and no signature.
        let good = codec.issue(&claims(600)).unwrap();
        let payload = good.split('.').nth(1).unwrap();
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
        assert_eq!(
            codec.verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
        // alg swapped to HS512 but signed with the same secret.
        let mut h = Header::new(Algorithm::HS512);
        h.typ = Some("JWT".into());
        let c = claims(600);
        let raw = serde_json::json!({
            "sub": c.sub.to_string(), "id": c.sub.to_string(), "email": c.email, "role": "admin",
            "account_id": null, "access_type": "full", "iat": c.iat, "exp": c.exp, "jti": c.jti,
            "iss": "genascope", "aud": "genascope-api",
        });
        assert!(
            codec
                .verify(
                    &jsonwebtoken::encode(
                        &Header::new(Algorithm::HS256),
                        &raw,
                        &EncodingKey::from_secret(SECRET)
                    )
                    .unwrap()
                )
                .is_ok()
        );
        let swapped = jsonwebtoken::encode(&h, &raw, &EncodingKey::from_secret(SECRET)).unwrap();
        assert_eq!(codec.verify(&swapped), Err(TokenError::Invalid));
    }

    fn simplified_claims(strategy: Option<ChatStrategyId>) -> SimplifiedClaims {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        SimplifiedClaims {
            patient_id: PatientId(uuid::Uuid::new_v4()),
            email: "pat@example.org".into(),
            invite_id: InviteId(uuid::Uuid::new_v4()),
            chat_strategy_id: strategy,
            account_id: AccountId(uuid::Uuid::new_v4()),
            token_gen: 3,
            iat: now,
            exp: now + 4 * 3600,
            jti: "s1".into(),
        }
    }

    /// The payload of a JWT, unverified (what the frontend reads).
    fn payload(token: &str) -> serde_json::Value {
        use base64::Engine as _;
        let part = token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn simplified_tokens_carry_the_contract_claims_and_round_trip() {
        let codec = JwtCodec::new(SECRET, "genascope", "genascope-api");
        for strategy in [None, Some(ChatStrategyId(uuid::Uuid::new_v4()))] {
            let c = simplified_claims(strategy);
            let token = codec.issue_simplified(&c).unwrap();
            assert_eq!(
                codec.verify(&token).unwrap(),
                VerifiedToken::Simplified(c.clone())
            );
            let p = payload(&token);
            let patient = c.patient_id.0.to_string();
            assert_eq!(p["sub"], patient.as_str());
            assert_eq!(p["id"], patient.as_str());
            assert_eq!(p["patient_id"], patient.as_str());
            assert_eq!(p["role"], "patient");
            assert_eq!(p["access_type"], "simplified");
            assert_eq!(p["invite_id"], c.invite_id.0.to_string().as_str());
            assert_eq!(p["account_id"], c.account_id.0.to_string().as_str());
            assert_eq!(p["gen"], 3);
            assert_eq!(p["exp"], c.exp);
            // Present even when null (the frontend reads it).
            let object = p.as_object().unwrap();
            assert!(object.contains_key("chat_strategy_id"), "{p}");
            assert_eq!(
                p["chat_strategy_id"],
                strategy.map_or(serde_json::Value::Null, |s| s.0.to_string().into())
            );
            assert!(!object.contains_key("sid"), "{p}");
        }
        // A full token has none of the simplified claims.
        let full = payload(&codec.issue(&claims(600)).unwrap());
        for key in ["patient_id", "invite_id", "chat_strategy_id", "gen"] {
            assert!(full.get(key).is_none(), "{key} in {full}");
        }
        assert_eq!(full["access_type"], "full");
    }

    #[test]
    fn a_simplified_token_missing_or_contradicting_a_claim_is_invalid() {
        let codec = JwtCodec::new(SECRET, "genascope", "genascope-api");
        let c = simplified_claims(None);
        let good = payload(&codec.issue_simplified(&c).unwrap());
        let sign = |v: &serde_json::Value| {
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                v,
                &EncodingKey::from_secret(SECRET),
            )
            .unwrap()
        };
        assert!(codec.verify(&sign(&good)).is_ok());
        let other = uuid::Uuid::new_v4().to_string();
        let edits: Vec<(&str, serde_json::Value)> = vec![
            ("role", "admin".into()),
            ("patient_id", other.clone().into()),
            ("id", other.into()),
            ("invite_id", "not-a-uuid".into()),
            ("gen", "3".into()),
            ("access_type", "partial".into()),
        ];
        for (key, value) in edits {
            let mut v = good.clone();
            v[key] = value;
            assert_eq!(codec.verify(&sign(&v)), Err(TokenError::Invalid), "{key}");
        }
        for key in ["invite_id", "gen", "account_id", "chat_strategy_id"] {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(key);
            assert_eq!(
                codec.verify(&sign(&v)),
                Err(TokenError::Invalid),
                "no {key}"
            );
        }
    }
}
