//! Password hashing with argon2id, off the async executor.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::{domain::Password, error::AppError};

/// Hashes a password to a PHC string (`$argon2id$v=19$...`) with a random salt.
pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|err| AppError::Internal(anyhow::anyhow!("hashing a password: {err}")))
    })
    .await
    .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("password hashing task")))?
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .map_err(|err| {
        AppError::Internal(anyhow::Error::new(err).context("password verification task"))
    })
}

/// A valid hash of a random password, verified against when the user does not
/// exist so that an unknown username costs as much time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: String = uuid::Uuid::new_v4().to_string();
        Argon2::default()
            .hash_password(random.as_bytes())
            .map(|hash| hash.to_string())
            .expect("hashing a random password at start-up")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = Password::parse("correct horse").unwrap();
        let hash = hash_password(&password).await.unwrap();

        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash).await.unwrap());
        assert!(!verify_password("correct horsE", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let password = Password::parse("secret1").unwrap();
        assert_ne!(
            hash_password(&password).await.unwrap(),
            hash_password(&password).await.unwrap()
        );
    }

    #[tokio::test]
    async fn a_malformed_hash_never_matches() {
        assert!(
            !verify_password("anything", "not-a-phc-string")
                .await
                .unwrap()
        );
        assert!(!verify_password("anything", dummy_hash()).await.unwrap());
    }
}
