//! Access and refresh tokens: PASETO v4.local (default) or JWT HS256, behind one trait.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    config::{TokenConfig, TokenFormat},
    domain::{Role, Username},
    error::AppError,
};

/// What a token is for; one cannot stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
}

/// The claims every token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub id: Uuid,
    pub username: String,
    pub role: String,
    pub kind: TokenKind,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Payload {
    pub fn new(
        username: &Username,
        role: Role,
        kind: TokenKind,
        duration: Duration,
    ) -> Result<Self, AppError> {
        let issued_at = Utc::now();
        let duration = chrono::Duration::from_std(duration)
            .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("token duration")))?;
        Ok(Self {
            id: Uuid::new_v4(),
            username: username.as_str().to_owned(),
            role: role.as_str().to_owned(),
            kind,
            issued_at,
            expires_at: issued_at + duration,
        })
    }
}

/// Makes and checks tokens. `verify` refuses a token of another kind, an expired
/// one, and anything not made with this maker's key and algorithm.
pub trait TokenMaker: Send + Sync {
    fn create(&self, payload: &Payload) -> Result<String, AppError>;
    fn verify(&self, token: &str, expected: TokenKind) -> Result<Payload, AppError>;
}

pub fn maker_from_config(config: &TokenConfig) -> Result<Arc<dyn TokenMaker>, AppError> {
    let key = config.symmetric_key.expose().as_bytes();
    Ok(match config.format {
        TokenFormat::Paseto => Arc::new(Verified::new(PasetoMaker::new(key)?)),
        TokenFormat::Jwt => Arc::new(Verified::new(JwtMaker::new(key)?)),
    })
}

/// A token maker that remembers the tokens it verified lately, so that a client
/// sending the same token with every request costs one decryption, not one per
/// request (PASETO's constant-time base64 and BLAKE2b were about 40% of the server's
/// instructions on an account read). Only tokens that verified are kept, keyed by
/// their exact text; each use checks the kind and the expiry again. At most
/// `2 × VERIFIED_TOKENS_PER_GENERATION` are held: when the newer generation is full
/// the older one is forgotten.
pub struct Verified<M> {
    inner: M,
    generations: std::sync::Mutex<Generations>,
}

/// The newer generation first.
type Generations = [std::collections::HashMap<Box<str>, Payload>; 2];

const VERIFIED_TOKENS_PER_GENERATION: usize = 1024;

impl<M: TokenMaker> Verified<M> {
    pub fn new(inner: M) -> Self {
        Self {
            inner,
            generations: std::sync::Mutex::default(),
        }
    }

    fn remembered(&self, token: &str) -> Option<Payload> {
        let mut generations = self.lock();
        let [newer, older] = &mut *generations;
        if let Some(payload) = newer.get(token) {
            return Some(payload.clone());
        }
        let payload = older.remove(token)?;
        Self::remember_in(&mut generations, token, payload.clone());
        Some(payload)
    }

    fn remember_in(generations: &mut Generations, token: &str, payload: Payload) {
        if generations[0].len() >= VERIFIED_TOKENS_PER_GENERATION {
            generations.swap(0, 1);
            generations[0].clear();
        }
        generations[0].insert(token.into(), payload);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.generations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<M: TokenMaker> TokenMaker for Verified<M> {
    fn create(&self, payload: &Payload) -> Result<String, AppError> {
        self.inner.create(payload)
    }

    fn verify(&self, token: &str, expected: TokenKind) -> Result<Payload, AppError> {
        if let Some(payload) = self.remembered(token) {
            return check_claims(payload, expected);
        }
        let payload = self.inner.verify(token, expected)?;
        Self::remember_in(&mut self.lock(), token, payload.clone());
        Ok(payload)
    }
}

fn invalid() -> AppError {
    AppError::Unauthenticated("the token is invalid".to_owned())
}

/// The checks both formats share once the token's integrity is proven.
fn check_claims(payload: Payload, expected: TokenKind) -> Result<Payload, AppError> {
    if payload.kind != expected {
        return Err(AppError::Unauthenticated(match expected {
            TokenKind::Access => "an access token is required".to_owned(),
            TokenKind::Refresh => "a refresh token is required".to_owned(),
        }));
    }
    if payload.expires_at <= Utc::now() {
        return Err(AppError::Unauthenticated(
            "the token has expired".to_owned(),
        ));
    }
    Ok(payload)
}

fn require_32_bytes(key: &[u8]) -> Result<(), AppError> {
    if key.len() == 32 {
        Ok(())
    } else {
        Err(AppError::Internal(anyhow::anyhow!(
            "the token key must be exactly 32 bytes, got {}",
            key.len()
        )))
    }
}

pub struct PasetoMaker {
    key: pasetors::keys::SymmetricKey<pasetors::version4::V4>,
}

impl PasetoMaker {
    pub fn new(key: &[u8]) -> Result<Self, AppError> {
        require_32_bytes(key)?;
        let key = pasetors::keys::SymmetricKey::from(key)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("PASETO key: {err}")))?;
        Ok(Self { key })
    }
}

impl TokenMaker for PasetoMaker {
    fn create(&self, payload: &Payload) -> Result<String, AppError> {
        let message = serde_json::to_vec(payload)
            .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("token payload")))?;
        pasetors::version4::LocalToken::encrypt(&self.key, &message, None, None)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("encrypting a PASETO token: {err}")))
    }

    fn verify(&self, token: &str, expected: TokenKind) -> Result<Payload, AppError> {
        use pasetors::{Local, token::UntrustedToken, version4::V4};
        let untrusted = UntrustedToken::<Local, V4>::try_from(token).map_err(|_| invalid())?;
        let trusted = pasetors::version4::LocalToken::decrypt(&self.key, &untrusted, None, None)
            .map_err(|_| invalid())?;
        let payload: Payload = serde_json::from_str(trusted.payload()).map_err(|_| invalid())?;
        check_claims(payload, expected)
    }
}

pub struct JwtMaker {
    encoding: jsonwebtoken::EncodingKey,
    decoding: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

/// Registered JWT claims plus ours; `exp`/`iat` are seconds, as RFC 7519 wants.
#[derive(Debug, Serialize, Deserialize)]
struct JwtClaims {
    jti: Uuid,
    sub: String,
    role: String,
    kind: TokenKind,
    iat: i64,
    exp: i64,
    /// Sub-second precision, so the payload round-trips exactly.
    iat_nanos: u32,
    exp_nanos: u32,
}

impl JwtMaker {
    pub fn new(key: &[u8]) -> Result<Self, AppError> {
        require_32_bytes(key)?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        // Expiry is checked exactly by `check_claims`; no leeway here either.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(Self {
            encoding: jsonwebtoken::EncodingKey::from_secret(key),
            decoding: jsonwebtoken::DecodingKey::from_secret(key),
            validation,
        })
    }
}

impl TokenMaker for JwtMaker {
    fn create(&self, payload: &Payload) -> Result<String, AppError> {
        let claims = JwtClaims {
            jti: payload.id,
            sub: payload.username.clone(),
            role: payload.role.clone(),
            kind: payload.kind,
            iat: payload.issued_at.timestamp(),
            exp: payload.expires_at.timestamp(),
            iat_nanos: payload.issued_at.timestamp_subsec_nanos(),
            exp_nanos: payload.expires_at.timestamp_subsec_nanos(),
        };
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.encoding,
        )
        .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("signing a JWT")))
    }

    fn verify(&self, token: &str, expected: TokenKind) -> Result<Payload, AppError> {
        let data = jsonwebtoken::decode::<JwtClaims>(token, &self.decoding, &self.validation)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::Unauthenticated("the token has expired".to_owned())
                }
                _ => invalid(),
            })?;
        let claims = data.claims;
        let at = |seconds: i64, nanos: u32| {
            Utc.timestamp_opt(seconds, nanos)
                .single()
                .ok_or_else(invalid)
        };
        let payload = Payload {
            id: claims.jti,
            username: claims.sub,
            role: claims.role,
            kind: claims.kind,
            issued_at: at(claims.iat, claims.iat_nanos)?,
            expires_at: at(claims.exp, claims.exp_nanos)?,
        };
        check_claims(payload, expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OTHER_KEY: &[u8] = b"fedcba9876543210fedcba9876543210";

    /// Each format bare and as the server uses it (remembering verified tokens).
    fn makers(key: &[u8]) -> Vec<(&'static str, Box<dyn TokenMaker>)> {
        vec![
            ("paseto", Box::new(PasetoMaker::new(key).unwrap())),
            ("jwt", Box::new(JwtMaker::new(key).unwrap())),
            (
                "remembered paseto",
                Box::new(Verified::new(PasetoMaker::new(key).unwrap())),
            ),
            (
                "remembered jwt",
                Box::new(Verified::new(JwtMaker::new(key).unwrap())),
            ),
        ]
    }

    #[test]
    fn a_remembered_token_is_checked_for_kind_and_expiry_at_every_use() {
        let maker = Verified::new(PasetoMaker::new(KEY).unwrap());
        let access = payload(TokenKind::Access, Duration::from_secs(60));
        let token = maker.create(&access).unwrap();
        for _ in 0..2 {
            assert_eq!(maker.verify(&token, TokenKind::Access).unwrap(), access);
        }
        assert!(unauthenticated(maker.verify(&token, TokenKind::Refresh)).contains("refresh"));
        // The same token, remembered with a payload that has since expired.
        let mut expired = access.clone();
        expired.expires_at = Utc::now() - chrono::Duration::seconds(1);
        Verified::<PasetoMaker>::remember_in(&mut maker.lock(), &token, expired);
        assert!(unauthenticated(maker.verify(&token, TokenKind::Access)).contains("expired"));
    }

    #[test]
    fn only_verified_tokens_are_remembered_and_at_most_two_generations() {
        let maker = Verified::new(JwtMaker::new(KEY).unwrap());
        unauthenticated(maker.verify("not.a.token", TokenKind::Access));
        assert!(maker.lock().iter().all(|generation| generation.is_empty()));
        for _ in 0..(3 * VERIFIED_TOKENS_PER_GENERATION) {
            let token = maker
                .create(&payload(TokenKind::Access, Duration::from_secs(60)))
                .unwrap();
            maker.verify(&token, TokenKind::Access).unwrap();
        }
        let held: usize = maker.lock().iter().map(|generation| generation.len()).sum();
        assert!(
            held <= 2 * VERIFIED_TOKENS_PER_GENERATION,
            "{held} tokens held"
        );
        assert!(held > VERIFIED_TOKENS_PER_GENERATION, "{held} tokens held");
    }

    fn payload(kind: TokenKind, duration: Duration) -> Payload {
        Payload::new(
            &Username::parse("alice").unwrap(),
            Role::Banker,
            kind,
            duration,
        )
        .unwrap()
    }

    fn unauthenticated(result: Result<Payload, AppError>) -> String {
        match result {
            Err(AppError::Unauthenticated(message)) => message,
            other => panic!("expected Unauthenticated, got {other:?}"),
        }
    }

    #[test]
    fn a_token_verifies_to_its_payload() {
        for (name, maker) in makers(KEY) {
            let payload = payload(TokenKind::Access, Duration::from_secs(60));
            let token = maker.create(&payload).unwrap();
            assert_eq!(
                maker.verify(&token, TokenKind::Access).unwrap(),
                payload,
                "{name}"
            );
        }
    }

    #[test]
    fn an_expired_token_is_refused() {
        for (name, maker) in makers(KEY) {
            let mut payload = payload(TokenKind::Access, Duration::from_secs(60));
            payload.issued_at -= chrono::Duration::minutes(10);
            payload.expires_at = Utc::now() - chrono::Duration::seconds(1);
            let token = maker.create(&payload).unwrap();
            let message = unauthenticated(maker.verify(&token, TokenKind::Access));
            assert!(message.contains("expired"), "{name}: {message}");
        }
    }

    #[test]
    fn a_refresh_token_is_not_an_access_token() {
        for (name, maker) in makers(KEY) {
            let refresh = maker
                .create(&payload(TokenKind::Refresh, Duration::from_secs(60)))
                .unwrap();
            let access = maker
                .create(&payload(TokenKind::Access, Duration::from_secs(60)))
                .unwrap();
            assert!(
                unauthenticated(maker.verify(&refresh, TokenKind::Access)).contains("access"),
                "{name}"
            );
            assert!(
                unauthenticated(maker.verify(&access, TokenKind::Refresh)).contains("refresh"),
                "{name}"
            );
        }
    }

    #[test]
    fn a_tampered_token_is_refused() {
        for (name, maker) in makers(KEY) {
            let token = maker
                .create(&payload(TokenKind::Access, Duration::from_secs(60)))
                .unwrap();
            // Flip one character in the middle of the token.
            let mut bytes = token.into_bytes();
            let middle = bytes.len() / 2;
            bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            unauthenticated(maker.verify(&tampered, TokenKind::Access));
            unauthenticated(maker.verify("", TokenKind::Access));
            unauthenticated(maker.verify("not.a.token", TokenKind::Access));
            let _ = name;
        }
    }

    #[test]
    fn a_token_made_with_another_key_is_refused() {
        for ((name, ours), (_, theirs)) in makers(KEY).into_iter().zip(makers(OTHER_KEY)) {
            let token = theirs
                .create(&payload(TokenKind::Access, Duration::from_secs(60)))
                .unwrap();
            assert_eq!(
                unauthenticated(ours.verify(&token, TokenKind::Access)),
                "the token is invalid",
                "{name}"
            );
        }
    }

    #[test]
    fn jwt_refuses_alg_none_and_other_algorithms() {
        use base64_url as b64;
        let maker = JwtMaker::new(KEY).unwrap();
        let payload = payload(TokenKind::Access, Duration::from_secs(60));
        let claims = serde_json::json!({
            "jti": payload.id, "sub": "alice", "role": "banker", "kind": "access",
            "iat": payload.issued_at.timestamp(), "exp": payload.expires_at.timestamp(),
            "iat_nanos": 0, "exp_nanos": 0,
        });
        for header in [
            r#"{"alg":"none","typ":"JWT"}"#,
            r#"{"alg":"HS512","typ":"JWT"}"#,
            r#"{"alg":"RS256","typ":"JWT"}"#,
        ] {
            let unsigned = format!(
                "{}.{}.",
                b64::encode(header),
                b64::encode(&claims.to_string())
            );
            unauthenticated(maker.verify(&unsigned, TokenKind::Access));
        }
        // A genuine HS512 signature with the right key is still refused: only HS256 is accepted.
        let hs512 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(KEY),
        )
        .unwrap();
        unauthenticated(maker.verify(&hs512, TokenKind::Access));
    }

    /// Unpadded base64url, enough to forge test headers without another dependency.
    mod base64_url {
        pub fn encode(input: &str) -> String {
            const ALPHABET: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let bytes = input.as_bytes();
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
                let chars = chunk.len() + 1;
                for i in 0..chars {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }

    #[test]
    fn both_makers_refuse_a_key_of_the_wrong_length() {
        assert!(PasetoMaker::new(b"short").is_err());
        assert!(JwtMaker::new(b"short").is_err());
    }
}
