use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Bank, ClientInfo, LoginInput, NewUser, Principal, UserChanges};
use crate::{
    domain::{Role, Username},
    error::AppError,
    password::dummy_hash,
    store::{BankStore, NewSession, NewUserRecord, User, UserUpdate},
    token::{Payload, TokenKind},
};

/// A user as clients see it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub password_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            username: user.username,
            full_name: user.full_name,
            email: user.email,
            role: user.role,
            password_changed_at: user.password_changed_at,
            created_at: user.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginResult {
    pub session_id: Uuid,
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
    pub user: UserView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenewResult {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
}

fn bad_credentials() -> AppError {
    AppError::Unauthenticated("incorrect username or password".to_owned())
}

fn session_refused(reason: &str) -> AppError {
    AppError::Unauthenticated(format!("the refresh token cannot be used: {reason}"))
}

impl<S: BankStore> Bank<S> {
    #[tracing::instrument(skip_all, fields(username = %new.username))]
    pub async fn create_user(&self, new: NewUser) -> Result<UserView, AppError> {
        let hashed_password = self.passwords.hash(&new.password).await?;
        let user = self
            .store
            .create_user(&NewUserRecord {
                username: new.username.as_str().to_owned(),
                hashed_password,
                full_name: new.full_name.as_str().to_owned(),
                email: new.email.as_str().to_owned(),
            })
            .await?;
        Ok(user.into())
    }

    /// Checks the password and opens a session. An unknown user and a wrong
    /// password fail alike and take about as long (a dummy hash is verified).
    #[tracing::instrument(skip_all, fields(username = %input.username))]
    pub async fn login(
        &self,
        input: LoginInput,
        client: &ClientInfo,
    ) -> Result<LoginResult, AppError> {
        let username = input.username.as_str();
        let limiter = &self.login_limiter;
        let seen = limiter
            .check(&self.store, username, &client.client_ip)
            .await?;
        let user = self.store.get_user(username).await?;
        // Both branches verify once, through the same bounded pool.
        let hash = user
            .as_ref()
            .map_or(dummy_hash(), |user| user.hashed_password.as_str());
        let password_ok = self.passwords.verify(&input.password, hash).await?;
        let Some(user) = user.filter(|_| password_ok) else {
            limiter
                .record_failure(&self.store, username, &client.client_ip)
                .await?;
            return Err(bad_credentials());
        };
        limiter.record_success(&self.store, username, seen).await?;

        let role = Role::parse(&user.role).map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "user {username} has unknown role {:?}",
                user.role
            ))
        })?;
        let access = Payload::new(
            &input.username,
            role,
            TokenKind::Access,
            self.access_duration,
        )?;
        let refresh = Payload::new(
            &input.username,
            role,
            TokenKind::Refresh,
            self.refresh_duration,
        )?;
        let access_token = self.tokens.create(&access)?;
        let refresh_token = self.tokens.create(&refresh)?;
        let session = self
            .store
            .create_session(&NewSession {
                id: refresh.id,
                username: username.to_owned(),
                refresh_token: refresh_token.clone(),
                user_agent: client.user_agent.clone(),
                client_ip: client.client_ip.clone(),
                expires_at: refresh.expires_at,
            })
            .await?;
        Ok(LoginResult {
            session_id: session.id,
            access_token,
            access_token_expires_at: access.expires_at,
            refresh_token,
            refresh_token_expires_at: refresh.expires_at,
            user: user.into(),
        })
    }

    /// A new access token for a valid refresh token whose session is still open.
    pub async fn renew_access(&self, refresh_token: &str) -> Result<RenewResult, AppError> {
        let refresh = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let session = self
            .store
            .get_session(refresh.id)
            .await?
            .ok_or_else(|| session_refused("no such session"))?;
        if session.is_blocked {
            return Err(session_refused("the session is blocked"));
        }
        if session.username != refresh.username {
            return Err(session_refused("the session belongs to another user"));
        }
        if session.refresh_token != refresh_token {
            return Err(session_refused("the token does not match the session"));
        }
        if session.expires_at <= Utc::now() {
            return Err(session_refused("the session has expired"));
        }
        let username =
            Username::parse(&refresh.username).map_err(|_| session_refused("bad username"))?;
        // The role is read again: a change since login applies to new access tokens.
        let user = self
            .store
            .get_user(username.as_str())
            .await?
            .ok_or_else(|| session_refused("the user no longer exists"))?;
        let role = Role::parse(&user.role)
            .map_err(|_| AppError::Internal(anyhow::anyhow!("user {username} has unknown role")))?;
        let access = Payload::new(&username, role, TokenKind::Access, self.access_duration)?;
        Ok(RenewResult {
            access_token: self.tokens.create(&access)?,
            access_token_expires_at: access.expires_at,
        })
    }

    /// Blocks the session behind a refresh token: it can renew no more.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        let refresh = self.tokens.verify(refresh_token, TokenKind::Refresh)?;
        let session = self
            .store
            .get_session(refresh.id)
            .await?
            .filter(|session| {
                session.refresh_token == refresh_token && session.username == refresh.username
            })
            .ok_or_else(|| session_refused("no such session"))?;
        self.store.block_session(session.id).await?;
        Ok(())
    }

    pub async fn get_me(&self, caller: &Principal) -> Result<UserView, AppError> {
        self.store
            .get_user(caller.username.as_str())
            .await?
            .map(UserView::from)
            .ok_or_else(|| AppError::NotFound("user not found".to_owned()))
    }

    /// A depositor may change only themself; a banker anyone.
    pub async fn update_user(
        &self,
        caller: &Principal,
        target: &Username,
        changes: UserChanges,
    ) -> Result<UserView, AppError> {
        if !caller.is_banker() && caller.username != *target {
            return Err(AppError::PermissionDenied(
                "you may only change your own user".to_owned(),
            ));
        }
        let hashed_password = match &changes.password {
            Some(password) => Some(self.passwords.hash(password).await?),
            None => None,
        };
        let update = UserUpdate {
            password_changed_at: hashed_password.as_ref().map(|_| Utc::now()),
            hashed_password,
            full_name: changes.full_name.map(|name| name.as_str().to_owned()),
            email: changes.email.map(|email| email.as_str().to_owned()),
        };
        self.store
            .update_user(target.as_str(), &update)
            .await?
            .map(UserView::from)
            .ok_or_else(|| AppError::NotFound(format!("user {target} not found")))
    }

    /// Makes a user a banker or a depositor (command line only).
    pub async fn set_role(&self, username: &Username, role: Role) -> Result<UserView, AppError> {
        self.store
            .set_user_role(username.as_str(), role)
            .await?
            .map(UserView::from)
            .ok_or_else(|| AppError::NotFound(format!("user {username} not found")))
    }
}
