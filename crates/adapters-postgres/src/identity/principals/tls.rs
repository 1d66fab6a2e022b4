//! TLS for the listener's session: rustls (aws-lc-rs, the provider the rest of the binary
//! already builds) under tokio-postgres's `MakeTlsConnect`, with libpq's verification levels.
//! What to verify, and against which roots, is decided from the URL in [`super::target`].
//!
//! Not done: channel binding (`SCRAM-SHA-256-PLUS`): the stream reports none, so SCRAM runs
//! without it, as tokio-postgres does with `channel_binding=prefer` (its default);
//! `channel_binding=require` fails to connect.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};

/// How much of the server's certificate is checked (libpq's `sslmode`, once TLS is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Nothing: the session is encrypted, not authenticated (`require`, `prefer` and `allow`
    /// without a root certificate).
    Nothing,
    /// The chain up to a root of `sslrootcert`, not the host name (`verify-ca`; and `require`,
    /// `prefer`, `allow` when a root certificate file exists, as libpq does).
    Chain,
    /// The chain and the host name (`verify-full`).
    ChainAndName,
}

/// A client certificate and its key (`sslcert`, `sslkey`).
pub(crate) struct ClientCert {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

/// The rustls client configuration for one connection attempt.
///
/// # Errors
/// The roots are needed but empty, or rustls refuses the client certificate.
pub(crate) fn client_config(
    check: Check,
    roots: RootCertStore,
    client: Option<ClientCert>,
    sni: bool,
) -> Result<Arc<ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(Verifier {
        check,
        roots: Arc::new(roots),
        algorithms: provider.signature_verification_algorithms,
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client {
        Some(c) => builder.with_client_auth_cert(c.chain, c.key)?,
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = sni;
    // What libpq sends; PostgreSQL 17 requires it with `sslnegotiation=direct`.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Arc::new(config))
}

/// The server certificate check of [`Check`]; the handshake's signatures are always verified.
#[derive(Debug)]
struct Verifier {
    check: Check,
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.check == Check::Nothing {
            return Ok(ServerCertVerified::assertion());
        }
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        if self.check == Check::ChainAndName {
            verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// tokio-postgres's TLS hook. `None` where TLS is off (`sslmode=disable`, the plaintext
/// attempt of `allow` and `prefer`): tokio-postgres asks for a connector even then, and never
/// uses it.
#[derive(Clone)]
pub(crate) struct Rustls(pub(crate) Option<Arc<ClientConfig>>);

impl<S> MakeTlsConnect<S> for Rustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type TlsConnect = Connect;
    type Error = TlsError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, TlsError> {
        // Errors wait for the handshake: this is called for plaintext sessions too, and with
        // an empty name for Unix sockets.
        Ok(Connect(match &self.0 {
            None => Err(TlsError::Off),
            Some(config) => ServerName::try_from(domain.to_owned())
                .map(|name| (config.clone(), name))
                .map_err(|_| TlsError::Name),
        }))
    }
}

pub(crate) struct Connect(Result<(Arc<ClientConfig>, ServerName<'static>), TlsError>);

type Handshake<S> = Pin<Box<dyn Future<Output = Result<TlsStream<S>, TlsError>> + Send>>;

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type Error = TlsError;
    type Future = Handshake<S>;

    fn connect(self, stream: S) -> Handshake<S> {
        Box::pin(async move {
            let (config, name) = self.0?;
            tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await
                .map(TlsStream)
                .map_err(TlsError::Handshake)
        })
    }
}

/// Why TLS could not be set up on a connection.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsError {
    #[error("TLS is off for this attempt")]
    Off,
    #[error("the host is not a valid TLS server name")]
    Name,
    /// Verification failures come as rustls errors inside (`invalid peer certificate: …`).
    #[error("{0}")]
    Handshake(io::Error),
}

/// A TLS session to the server.
pub(crate) struct TlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for TlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // See the module documentation.
        ChannelBinding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::CryptoProvider;

    #[test]
    fn a_config_is_built_for_every_check_without_a_process_default_provider() {
        // No `CryptoProvider::install_default` anywhere: the provider is named explicitly, so
        // a second provider compiled in (ring, by a dev-dependency) cannot make rustls panic.
        assert!(CryptoProvider::get_default().is_none());
        for check in [Check::Nothing, Check::Chain, Check::ChainAndName] {
            let c = client_config(check, RootCertStore::empty(), None, true).unwrap();
            assert!(c.enable_sni);
            assert_eq!(c.alpn_protocols, vec![b"postgresql".to_vec()]);
        }
    }

    #[test]
    fn names_are_checked_before_any_handshake() {
        let config = client_config(Check::Nothing, RootCertStore::empty(), None, true).unwrap();
        let mut off = Rustls(None);
        let mut on = Rustls(Some(config));
        let make = |r: &mut Rustls, d: &str| {
            <Rustls as MakeTlsConnect<tokio::net::TcpStream>>::make_tls_connect(r, d)
                .unwrap()
                .0
                .map(|(_, n)| n.to_str().into_owned())
        };
        assert!(matches!(make(&mut off, "db.internal"), Err(TlsError::Off)));
        assert_eq!(make(&mut on, "db.internal").unwrap(), "db.internal");
        assert_eq!(make(&mut on, "127.0.0.1").unwrap(), "127.0.0.1");
        assert!(matches!(make(&mut on, ""), Err(TlsError::Name)));
    }
}
