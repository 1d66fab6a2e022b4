//! Test support (feature `test-support`): a real S3/STS/SESv2 protocol server on loopback, moto
//! in server mode (PyPI `moto[server]`, installed by `.ci/run` and `just test-deps`), one per
//! test, on a free port. Used by this crate's tests and by the HTTP tests of `api-actix`.

#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use crate::AwsSettings;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running moto server, stopped on drop.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Start moto on a free loopback port and wait until it answers.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto (pip install 'moto[server]'; `just test-deps`)");
        let moto = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if reqwest::get(format!("{}/moto-api/data.json", moto.url))
                .await
                .is_ok()
            {
                return moto;
            }
            // Waiting for a child process to listen: no event to wait on.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto did not start on port {port}");
    }

    /// Settings for moto with static base credentials and, if given, a role to assume.
    pub fn settings(&self, role: Option<&str>) -> AwsSettings {
        AwsSettings {
            region: Some("us-east-1".into()),
            endpoint_url: Some(self.url.clone()),
            static_credentials: Some(("testing".into(), "testing".into())),
            role: role.map(str::to_owned),
            session_length: Duration::from_secs(900),
            refresh_before: Duration::from_secs(300),
            time_source: None,
        }
    }

    /// moto's recorded state (`/moto-api/data.json`).
    pub async fn data(&self) -> serde_json::Value {
        reqwest::get(format!("{}/moto-api/data.json", self.url))
            .await
            .expect("moto data")
            .json()
            .await
            .expect("moto data as JSON")
    }

    /// How many sessions STS issued for assumed roles.
    pub async fn assumed_roles(&self) -> usize {
        self.data().await["sts"]["AssumedRole"]
            .as_array()
            .map_or(0, Vec::len)
    }
}
