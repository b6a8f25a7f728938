//! Schema migrations embedded from `schema/`, applied the way golang-migrate does:
//! one row in `schema_migrations(version, dirty)` and a PostgreSQL advisory lock,
//! so this runner and the `migrate` CLI can take over from each other.

use std::fmt;

use tokio_postgres::{Client, GenericClient};

/// One `NNNNNN_name.{up,down}.sql` pair from `schema/`.
#[derive(Debug)]
pub struct Migration {
    pub version: u64,
    pub name: &'static str,
    pub up: &'static str,
    pub down: &'static str,
}

/// Every migration, in version order.
pub static MIGRATIONS: &[Migration] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

const TABLE: &str = "schema_migrations";
const SCHEMA: &str = "public";

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is dirty at version {version}: a migration failed half-way. Repair the \
         schema by hand, then run `simplebank migrate force {version}` (or the version before it)"
    )]
    Dirty { version: i64 },
    #[error(
        "the database is at version {version}, which this binary does not know \
         (it knows up to {latest}); run a newer binary"
    )]
    UnknownVersion { version: i64, latest: u64 },
    #[error("migration {version}_{name} ({direction}) failed: {source}")]
    Failed {
        version: u64,
        name: &'static str,
        direction: Direction,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("{0}")]
    Database(#[from] tokio_postgres::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Up => "up",
            Self::Down => "down",
        })
    }
}

/// Where a database stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The applied version, `None` for a database with no migration applied.
    pub version: Option<i64>,
    pub dirty: bool,
    /// Versions not applied yet, in order.
    pub pending: Vec<u64>,
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            Some(version) => write!(f, "version {version}")?,
            None => f.write_str("no migration applied")?,
        }
        if self.dirty {
            f.write_str(" (dirty)")?;
        }
        match self.pending.as_slice() {
            [] => f.write_str(", up to date"),
            pending => write!(f, ", {} pending: {pending:?}", pending.len()),
        }
    }
}

/// Applies up to `limit` pending migrations (all when `None`); returns the versions applied.
pub async fn up(client: &mut Client, limit: Option<usize>) -> Result<Vec<u64>, MigrateError> {
    with_lock(client, async |client| {
        let current = checked_version(client).await?;
        let pending = MIGRATIONS
            .iter()
            .filter(|m| current.is_none_or(|v| m.version as i64 > v))
            .take(limit.unwrap_or(usize::MAX));
        let mut applied = Vec::new();
        for migration in pending {
            apply(
                client,
                migration,
                Direction::Up,
                Some(migration.version as i64),
            )
            .await?;
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "migrated up"
            );
            applied.push(migration.version);
        }
        Ok(applied)
    })
    .await
}

/// Reverts up to `limit` applied migrations (all when `None`); returns the versions reverted.
pub async fn down(client: &mut Client, limit: Option<usize>) -> Result<Vec<u64>, MigrateError> {
    with_lock(client, async |client| {
        let current = checked_version(client).await?;
        let applied: Vec<_> = MIGRATIONS
            .iter()
            .enumerate()
            .filter(|(_, m)| current.is_some_and(|v| m.version as i64 <= v))
            .rev()
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        let mut reverted = Vec::new();
        for (index, migration) in applied {
            let previous = index.checked_sub(1).map(|i| MIGRATIONS[i].version as i64);
            apply(client, migration, Direction::Down, previous).await?;
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "migrated down"
            );
            reverted.push(migration.version);
        }
        Ok(reverted)
    })
    .await
}

/// Where the database stands, without changing it.
pub async fn status(client: &mut Client) -> Result<MigrationStatus, MigrateError> {
    with_lock(client, async |client| {
        let (version, dirty) = read_version(client).await?;
        let pending = MIGRATIONS
            .iter()
            .map(|m| m.version)
            .filter(|&v| version.is_none_or(|current| v as i64 > current))
            .collect();
        Ok(MigrationStatus {
            version,
            dirty,
            pending,
        })
    })
    .await
}

/// Records `version` as applied and clean without running anything, as
/// `migrate force` does: the way out of a dirty state after a manual repair.
/// `None` records that no migration is applied.
pub async fn force(client: &mut Client, version: Option<i64>) -> Result<(), MigrateError> {
    with_lock(client, async |client| {
        let tx = client.transaction().await?;
        set_version(&tx, version, false).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// golang-migrate's advisory lock id for this database, so both tools exclude each other.
pub fn advisory_lock_id(database: &str) -> i64 {
    const SALT: u32 = 1_486_364_155;
    let key = format!("{SCHEMA}\0{TABLE}\0{database}");
    i64::from(crc32fast::hash(key.as_bytes()).wrapping_mul(SALT))
}

/// Runs `work` while holding the migration lock. Replicas that start together
/// queue here; each then sees the version the one before it left.
async fn with_lock<T>(
    client: &mut Client,
    work: impl AsyncFnOnce(&mut Client) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let database: String = client
        .query_one("SELECT current_database()", &[])
        .await?
        .get(0);
    let lock_id = advisory_lock_id(&database);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&lock_id])
        .await?;
    let result = async {
        let exists: bool = client
            .query_one(&format!("SELECT to_regclass('{TABLE}') IS NOT NULL"), &[])
            .await?
            .get(0);
        if !exists {
            client
                .batch_execute(&format!(
                    "CREATE TABLE {TABLE} (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)"
                ))
                .await?;
        }
        work(client).await
    }
    .await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&lock_id])
        .await;
    let value = result?;
    unlocked?;
    Ok(value)
}

async fn read_version(client: &impl GenericClient) -> Result<(Option<i64>, bool), MigrateError> {
    let row = client
        .query_opt(&format!("SELECT version, dirty FROM {TABLE} LIMIT 1"), &[])
        .await?;
    Ok(match row {
        Some(row) => (Some(row.get(0)), row.get(1)),
        None => (None, false),
    })
}

/// The current version, refusing a dirty database or one ahead of this binary.
async fn checked_version(client: &impl GenericClient) -> Result<Option<i64>, MigrateError> {
    let (version, dirty) = read_version(client).await?;
    if let Some(version) = version {
        if dirty {
            return Err(MigrateError::Dirty { version });
        }
        if !MIGRATIONS.iter().any(|m| m.version as i64 == version) {
            let latest = MIGRATIONS.last().map_or(0, |m| m.version);
            return Err(MigrateError::UnknownVersion { version, latest });
        }
    }
    Ok(version)
}

/// Runs one migration and records the version it leaves behind, in one
/// transaction: PostgreSQL DDL is transactional, so a failure changes nothing.
async fn apply(
    client: &mut Client,
    migration: &'static Migration,
    direction: Direction,
    version_after: Option<i64>,
) -> Result<(), MigrateError> {
    let sql = match direction {
        Direction::Up => migration.up,
        Direction::Down => migration.down,
    };
    let tx = client.transaction().await?;
    tx.batch_execute(sql)
        .await
        .map_err(|source| MigrateError::Failed {
            version: migration.version,
            name: migration.name,
            direction,
            source,
        })?;
    set_version(&tx, version_after, false).await?;
    tx.commit().await?;
    Ok(())
}

async fn set_version(
    client: &impl GenericClient,
    version: Option<i64>,
    dirty: bool,
) -> Result<(), MigrateError> {
    client.execute(&format!("DELETE FROM {TABLE}"), &[]).await?;
    if let Some(version) = version {
        client
            .execute(
                &format!("INSERT INTO {TABLE} (version, dirty) VALUES ($1, $2)"),
                &[&version, &dirty],
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_embedded_in_version_order() {
        let versions: Vec<u64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(
            MIGRATIONS
                .iter()
                .all(|m| !m.up.trim().is_empty() && !m.down.trim().is_empty())
        );
    }

    #[test]
    fn lock_id_matches_golang_migrate() {
        // golang-migrate: crc32.ChecksumIEEE("public\0schema_migrations\0<db>") * 1486364155
        // in uint32 arithmetic; the numbers were computed independently (Python's zlib).
        assert_eq!(advisory_lock_id("simple_bank"), 3_130_758_379);
        assert_eq!(advisory_lock_id("test"), 2_151_868_736);
    }
}
