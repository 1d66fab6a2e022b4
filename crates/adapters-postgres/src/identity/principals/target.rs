//! Where and how the listener's session connects: `DATABASE_URL` read as libpq reads it for the
//! pool, TLS included.
//!
//! tokio-postgres knows `sslmode` disable / prefer / require only, and refuses the parameters it
//! does not know (`sslrootcert`, …), so the TLS parameters are taken out of the URL here and the
//! rest is handed to it. libpq's rules, followed:
//! - `sslmode` (else `PGSSLMODE`, else `prefer`): `disable` plaintext; `allow` plaintext, TLS
//!   if that fails; `prefer` TLS, plaintext if the server refuses TLS or the TLS attempt fails;
//!   `require` TLS; `verify-ca` TLS with the server's chain checked against the root
//!   certificates; `verify-full` that and the host name (`host`, not `hostaddr`).
//! - `sslrootcert` (else `PGSSLROOTCERT`, else `~/.postgresql/root.crt`), a PEM file: with
//!   `require`, `prefer` or `allow` the chain is checked too when the file exists, and nothing
//!   is checked when it does not; `verify-ca` and `verify-full` need it.
//!   `sslrootcert=system` (libpq 16) is refused: the pool's libpq 15 does not know it either.
//! - `sslcert` / `sslkey` (else `PGSSLCERT` / `PGSSLKEY`, else `~/.postgresql/postgresql.crt`
//!   / `.key`): a client certificate, sent when the certificate file exists; its key must then
//!   exist too. Encrypted keys (`sslpassword`) are refused.
//! - `sslsni=0` turns SNI off; `sslcompression` is ignored (as by libpq since PostgreSQL 14).
//!   `sslcrl`, `sslcrldir`, `ssl_min_protocol_version`, `ssl_max_protocol_version`,
//!   `sslcertmode`, `requiressl` and `sslpassword` are refused (the listener could not honour
//!   them). Refused means: the listener does not connect, and the cache stays bypassed.
//!
//! The files are read again at every connection attempt, as libpq does, so that a rotated
//! certificate is picked up. No message here carries the URL or a value of it other than the
//! name of a parameter, the `sslmode` and a file path.

use super::tls::{self, Check, ClientCert, Rustls, TlsStream};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::{Client, Connection, Socket};

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, TargetError> {
        Ok(match value {
            "disable" => Self::Disable,
            "allow" => Self::Allow,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return Err(TargetError::Mode),
        })
    }

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Allow => "allow",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }

    const fn verifies(self) -> bool {
        matches!(self, Self::VerifyCa | Self::VerifyFull)
    }
}

/// The URL cannot be used by the listener (the same URL would not change: the listener gives
/// up).
#[derive(Debug, thiserror::Error)]
pub(crate) enum TargetError {
    #[error("sslmode must be disable, allow, prefer, require, verify-ca or verify-full")]
    Mode,
    #[error("the URL parameter `{0}` is not supported by the principal cache's listener")]
    Unsupported(String),
    #[error(
        "sslrootcert=system is not supported (name a PEM file; the pool's libpq 15 does not know it either)"
    )]
    SystemRoots,
    #[error("the URL parameter `{0}` is not valid percent-encoded UTF-8")]
    Encoding(String),
    /// tokio-postgres's parse error names the parameter, never its value.
    #[error("{}", Chain(.0))]
    Url(tokio_postgres::Error),
}

/// The TLS material could not be read (the listener tries again later: the files may change).
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    #[error(
        "sslmode={0} needs root certificates: set sslrootcert (or PGSSLROOTCERT) to a PEM file, or provide ~/.postgresql/root.crt"
    )]
    NoRoot(&'static str),
    #[error("cannot read root certificates from {path}: {cause}")]
    Roots { path: String, cause: String },
    #[error("cannot read the client certificate {path}: {cause}")]
    Cert { path: String, cause: String },
    #[error(
        "cannot read the client key {path}: {cause} (encrypted keys, sslpassword, are not supported)"
    )]
    Key { path: String, cause: String },
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Why an attempt to connect failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    #[error("{0}")]
    Setup(#[from] SetupError),
    #[error("{}", Chain(.0))]
    Db(#[from] tokio_postgres::Error),
}

/// An error with its causes (tokio-postgres's own message leaves them out: "error performing
/// TLS handshake", "invalid connection string").
pub(crate) struct Chain<'a>(pub(crate) &'a dyn std::error::Error);

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl ConnectError {
    /// A TLS problem (material, handshake, verification, or a server without TLS when it is
    /// required), as opposed to the database being unreachable or not ready: worth a warning.
    pub(crate) fn is_tls(&self) -> bool {
        match self {
            Self::Setup(_) => true,
            Self::Db(e) => is_tls(e),
        }
    }
}

fn is_tls(e: &tokio_postgres::Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<tls::TlsError>() {
            return true;
        }
        cause = c.source();
    }
    // tokio-postgres's own TLS refusals ("server does not support TLS").
    e.to_string().starts_with("error performing TLS handshake")
}

/// A connected session.
pub(crate) type Session = (Client, Connection<Socket, TlsStream<Socket>>);

/// The listener's connection settings.
pub(crate) struct Target {
    config: tokio_postgres::Config,
    mode: SslMode,
    /// `sslrootcert` or its defaults; `root_named`: given (URL or environment), not the default.
    root: Option<PathBuf>,
    root_named: bool,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    sni: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the config: it holds the password.
        f.debug_struct("Target")
            .field("mode", &self.mode)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// Read `url` (a `postgres://` URL), with libpq's environment variables (`env`) and files
    /// under `home`/.postgresql as defaults; `application_name` set when the URL has none.
    pub(crate) fn parse(
        url: &str,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&Path>,
        application_name: &str,
    ) -> Result<Self, TargetError> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept: Vec<&str> = Vec::new();
        let (mut mode, mut root, mut cert, mut key, mut sni) = (None, None, None, None, true);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = || decode(value).ok_or_else(|| TargetError::Encoding(name.to_owned()));
            match name {
                "sslmode" => mode = Some(value()?),
                "sslrootcert" => root = Some(value()?),
                "sslcert" => cert = Some(value()?),
                "sslkey" => key = Some(value()?),
                "sslsni" => sni = value()? != "0",
                "sslcompression" => {}
                "sslcrl"
                | "sslcrldir"
                | "ssl_min_protocol_version"
                | "ssl_max_protocol_version"
                | "sslcertmode"
                | "requiressl"
                | "sslpassword" => {
                    return Err(TargetError::Unsupported(name.to_owned()));
                }
                _ => kept.push(pair),
            }
        }
        let mode = SslMode::parse(
            mode.or_else(|| env("PGSSLMODE"))
                .as_deref()
                .unwrap_or("prefer"),
        )?;
        let dot = home.map(|h| h.join(".postgresql"));
        let default = |file: &str| dot.as_ref().map(|d| d.join(file));
        let root_given = root.or_else(|| env("PGSSLROOTCERT"));
        if root_given.as_deref() == Some("system") {
            return Err(TargetError::SystemRoots);
        }
        let root_named = root_given.is_some();
        let root = root_given.map_or_else(|| default("root.crt"), |r| Some(PathBuf::from(r)));
        let cert = cert
            .or_else(|| env("PGSSLCERT"))
            .map_or_else(|| default("postgresql.crt"), |c| Some(PathBuf::from(c)));
        let key = key
            .or_else(|| env("PGSSLKEY"))
            .map_or_else(|| default("postgresql.key"), |k| Some(PathBuf::from(k)));

        let rest = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: tokio_postgres::Config = rest.parse().map_err(TargetError::Url)?;
        if config.get_application_name().is_none() {
            config.application_name(application_name);
        }
        Ok(Self {
            config,
            mode,
            root,
            root_named,
            cert,
            key,
            sni,
        })
    }

    pub(crate) const fn mode(&self) -> SslMode {
        self.mode
    }

    /// Something worth a warning at start, though libpq accepts it: a named `sslrootcert` that
    /// does not exist, which (outside `verify-*`) means the server is not verified at all.
    pub(crate) fn warning(&self) -> Option<String> {
        let root = self.root.as_ref().filter(|_| self.root_named)?;
        (!self.mode.verifies() && self.mode != SslMode::Disable && !root.exists()).then(|| {
            format!(
                "sslrootcert {} does not exist: with sslmode={}, as with libpq, the server's certificate is not verified",
                root.display(),
                self.mode.as_str()
            )
        })
    }

    /// Connect as the mode says (see the module documentation).
    pub(crate) async fn connect(&self) -> Result<Session, ConnectError> {
        match self.mode {
            SslMode::Disable => self.attempt(PgSslMode::Disable, None).await,
            SslMode::Allow => match self.attempt(PgSslMode::Disable, None).await {
                Ok(s) => Ok(s),
                Err(plain) => match self.tls() {
                    Ok(tls) => self.attempt(PgSslMode::Require, Some(tls)).await,
                    Err(_) => Err(plain),
                },
            },
            SslMode::Prefer => {
                let Ok(tls) = self.tls() else {
                    return self.attempt(PgSslMode::Disable, None).await;
                };
                match self.attempt(PgSslMode::Prefer, Some(tls)).await {
                    // The server refused the TLS session (a TLS failure, or an error from the
                    // server over TLS, e.g. `hostnossl`): plaintext, as libpq does. Not when
                    // it is unreachable.
                    Err(ConnectError::Db(e)) if is_tls(&e) || e.as_db_error().is_some() => {
                        self.attempt(PgSslMode::Disable, None).await
                    }
                    other => other,
                }
            }
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                let tls = self.tls()?;
                self.attempt(PgSslMode::Require, Some(tls)).await
            }
        }
    }

    async fn attempt(
        &self,
        mode: PgSslMode,
        tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    ) -> Result<Session, ConnectError> {
        let mut config = self.config.clone();
        config.ssl_mode(mode);
        Ok(config.connect(Rustls(tls)).await?)
    }

    /// The rustls configuration for one attempt, the files read now.
    fn tls(&self) -> Result<std::sync::Arc<rustls::ClientConfig>, SetupError> {
        let existing_root = self.root.as_deref().filter(|r| r.exists());
        let (check, roots) = match (self.mode, existing_root) {
            (SslMode::VerifyFull, Some(r)) => (Check::ChainAndName, roots(r)?),
            (SslMode::VerifyCa, Some(r)) => (Check::Chain, roots(r)?),
            (SslMode::VerifyFull | SslMode::VerifyCa, None) => {
                return Err(match &self.root {
                    Some(r) if self.root_named => SetupError::Roots {
                        path: r.display().to_string(),
                        cause: "no such file".into(),
                    },
                    _ => SetupError::NoRoot(self.mode.as_str()),
                });
            }
            (_, Some(r)) => (Check::Chain, roots(r)?),
            (_, None) => (Check::Nothing, RootCertStore::empty()),
        };
        let client = match self.cert.as_deref().filter(|c| c.exists()) {
            None => None,
            Some(cert) => Some(client_cert(cert, self.key.as_deref())?),
        };
        Ok(tls::client_config(check, roots, client, self.sni)?)
    }
}

/// Every certificate of a PEM file, as roots.
fn roots(path: &Path) -> Result<RootCertStore, SetupError> {
    let error = |cause: String| SetupError::Roots {
        path: path.display().to_string(),
        cause,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| error(e.to_string()))?;
    let mut store = RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(certs);
    if added == 0 {
        return Err(error("no usable certificate in it".into()));
    }
    Ok(store)
}

fn client_cert(cert: &Path, key: Option<&Path>) -> Result<ClientCert, SetupError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| SetupError::Cert {
            path: cert.display().to_string(),
            cause: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(SetupError::Cert {
            path: cert.display().to_string(),
            cause: "no certificate in it".into(),
        });
    }
    let Some(key) = key else {
        return Err(SetupError::Key {
            path: "(none)".into(),
            cause: "no key file given".into(),
        });
    };
    // The error names the problem (a missing file, no key section), never key material.
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| SetupError::Key {
        path: key.display().to_string(),
        cause: e.to_string(),
    })?;
    Ok(ClientCert { chain, key })
}

/// Percent-decode a URL query value (`+` is kept: libpq does not read it as a space).
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
