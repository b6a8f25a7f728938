// This file was generated with `cornucopia`. Do not modify.

pub mod accounts;
pub mod entries;
pub mod failed_logins;
pub mod idempotency_keys;
pub mod monitoring;
pub mod purge;
pub mod sessions;
pub mod transfers;
pub mod users;
