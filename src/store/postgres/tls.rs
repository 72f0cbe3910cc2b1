//! TLS to the server, with libpq's `sslmode` and `sslrootcert` (rustls: no OpenSSL to install).
//!
//! - `disable`: never; `allow` and `prefer` (the default): TLS when the server offers it,
//!   plain otherwise; `require`: TLS or no connection. None of these checks the certificate,
//!   as in libpq, except that `require` with an `sslrootcert` acts as `verify-ca`.
//! - `verify-ca`: the certificate must chain to a trusted root; `verify-full`: and name the host.
//!   The roots are those of `sslrootcert=FILE` (PEM), else the Mozilla roots built into roster
//!   (`sslrootcert=system` says the same).
//!
//! A Unix socket never uses TLS (the server offers none there), whatever the mode, as in libpq.

use postgres::config::{Host, SslMode};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode`, as given in the URL (or `PGSSLMODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// How one store connects: the mode and the roots to trust.
#[derive(Debug, Clone)]
pub struct Tls {
    pub mode: Mode,
    /// `sslrootcert=FILE`; `None`: the built-in roots.
    pub root_cert: Option<String>,
}

impl Tls {
    /// From the URL's `sslmode` and `sslrootcert` (each falling back to `PGSSLMODE` and
    /// `PGSSLROOTCERT`, as libpq's do).
    pub fn from_params(mode: Option<String>, root_cert: Option<String>) -> Result<Tls, String> {
        let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let mode = match mode.or_else(|| env("PGSSLMODE")).as_deref() {
            None | Some("prefer") | Some("allow") => Mode::Prefer,
            Some("disable") => Mode::Disable,
            Some("require") => Mode::Require,
            Some("verify-ca") => Mode::VerifyCa,
            Some("verify-full") => Mode::VerifyFull,
            Some(other) => {
                return Err(format!(
                    "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, \
                     verify-full"
                ));
            }
        };
        let root_cert = root_cert
            .or_else(|| env("PGSSLROOTCERT"))
            .filter(|r| r != "system");
        Ok(Tls { mode, root_cert })
    }

    /// The client's own mode for a connection to `hosts`.
    pub fn ssl_mode(&self, hosts: &[Host]) -> SslMode {
        let all_sockets = !hosts.is_empty() && hosts.iter().all(|h| matches!(h, Host::Unix(_)));
        match self.mode {
            _ if all_sockets => SslMode::Disable,
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        }
    }

    /// The TLS connector for this mode.
    pub fn connector(&self) -> Result<MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match (self.mode, &self.root_cert) {
            (Mode::Disable | Mode::Prefer, _) | (Mode::Require, None) => Arc::new(Unchecked {
                provider: provider.clone(),
            }),
            (Mode::Require | Mode::VerifyCa, _) => Arc::new(ChainOnly(self.webpki(&provider)?)),
            (Mode::VerifyFull, _) => self.webpki(&provider)?,
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn webpki(&self, provider: &Arc<CryptoProvider>) -> Result<Arc<WebPkiServerVerifier>, String> {
        let mut roots = RootCertStore::empty();
        match &self.root_cert {
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Some(path) => {
                let unreadable = |e: &dyn std::fmt::Display| format!("sslrootcert {path}: {e}");
                let certs = CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))?;
                for cert in certs {
                    let cert = cert.map_err(|e| unreadable(&e))?;
                    roots.add(cert).map_err(|e| unreadable(&e))?;
                }
                if roots.is_empty() {
                    return Err(format!("sslrootcert {path}: no certificate in the file"));
                }
            }
        }
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| e.to_string())
    }
}

/// `prefer` and `require` without roots: an encrypted channel whose certificate is not checked
/// (libpq's behaviour); the handshake's signatures still are.
#[derive(Debug)]
struct Unchecked {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `verify-ca`: the chain must reach a trusted root; the name in it is not compared with the
/// host (webpki checks the chain first, so a name mismatch means the chain was good).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(mode: &str) -> Result<Tls, String> {
        Tls::from_params(Some(mode.into()), None)
    }

    #[test]
    fn modes_are_libpq_s() {
        assert_eq!(tls("allow").unwrap().mode, Mode::Prefer);
        assert_eq!(tls("verify-full").unwrap().mode, Mode::VerifyFull);
        assert!(tls("sometimes").unwrap_err().contains("sslmode=sometimes"));
        let tcp = [Host::Tcp("db.example".into())];
        let socket = [Host::Unix("/run/postgresql".into())];
        assert_eq!(tls("require").unwrap().ssl_mode(&tcp), SslMode::Require);
        assert_eq!(tls("require").unwrap().ssl_mode(&socket), SslMode::Disable);
        assert_eq!(tls("disable").unwrap().ssl_mode(&tcp), SslMode::Disable);
    }

    #[test]
    fn every_mode_builds_a_connector_and_a_missing_root_file_is_named() {
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert!(tls(mode).unwrap().connector().is_ok(), "{mode}");
        }
        let missing = Tls::from_params(Some("verify-ca".into()), Some("/nonexistent.pem".into()));
        let err = missing.unwrap().connector().err().unwrap();
        assert!(err.starts_with("sslrootcert /nonexistent.pem: "), "{err}");
    }
}
