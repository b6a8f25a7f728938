//! What a PostgreSQL URL carries besides what `tokio-postgres` parses: the
//! `sslrootcert=` file of libpq, and a password that must never reach a log.
//!
//! Both the configuration (which checks the certificate file at start-up) and the
//! store (which connects) read URLs through here.

use std::path::Path;

use anyhow::Context;
use rustls_pki_types::{CertificateDer, pem::PemObject};

/// Removes `sslrootcert=PATH` from a URL's query (tokio-postgres does not know it).
pub fn split_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root_cert = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(path) => {
                root_cert = Some(path.to_owned());
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root_cert)
}

/// The `sslrootcert=` file a database URL names, if any.
pub fn root_cert_path(url: &str) -> Option<String> {
    split_root_cert(url).1
}

/// The certificates of a PEM file, for `sslrootcert`.
pub fn load_root_certificates(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("reading sslrootcert {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing sslrootcert {}", path.display()))?;
    anyhow::ensure!(
        !certificates.is_empty(),
        "sslrootcert {} holds no certificate",
        path.display()
    );
    Ok(certificates)
}

/// The URL with its password replaced, for logs and error messages.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparsable URL>".to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_url_hides_the_password_only() {
        assert_eq!(
            redacted_url("postgresql://root:secret@localhost:5432/simple_bank"),
            "postgresql://root:***@localhost:5432/simple_bank"
        );
        assert_eq!(
            redacted_url("postgresql://localhost/simple_bank"),
            "postgresql://localhost/simple_bank"
        );
    }

    #[test]
    fn sslrootcert_is_taken_out_of_the_url() {
        assert_eq!(
            split_root_cert(
                "postgresql://u@h/db?sslmode=require&sslrootcert=/ca.pem&application_name=x"
            ),
            (
                "postgresql://u@h/db?sslmode=require&application_name=x".to_owned(),
                Some("/ca.pem".to_owned())
            )
        );
        assert_eq!(
            split_root_cert("postgresql://u@h/db?sslrootcert=/ca.pem"),
            ("postgresql://u@h/db".to_owned(), Some("/ca.pem".to_owned()))
        );
        assert_eq!(
            split_root_cert("postgresql://u@h/db"),
            ("postgresql://u@h/db".to_owned(), None)
        );
    }

    #[test]
    fn a_missing_root_certificate_file_is_an_error() {
        let err = load_root_certificates(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(
            format!("{err:#}").contains("/nonexistent/ca.pem"),
            "{err:#}"
        );
    }
}
