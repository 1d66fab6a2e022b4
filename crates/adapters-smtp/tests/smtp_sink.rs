//! Sends through a real SMTP server on loopback: Python's aiosmtpd (`pip install aiosmtpd`),
//! started here with its Maildir handler, so every accepted message lands as a file we read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use genascope_adapters_smtp::{SmtpMailer, SmtpSettings, SmtpTls};
use genascope_domain::notify::{Attachment, Mailer, OutgoingEmail};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Sink {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn start_sink() -> Sink {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir =
        std::env::temp_dir().join(format!("genascope-smtp-{port}-{}", std::process::id()));
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd is needed: pip install aiosmtpd");
    let sink = Sink {
        child,
        port,
        maildir,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the aiosmtpd sink did not start (pip install aiosmtpd)"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    sink
}

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        credentials: None,
        from: "genascope <no-reply@clinic.example.org>".into(),
        timeout: Duration::from_secs(10),
    }
}

fn delivered(maildir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

fn one_delivered(maildir: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let messages = loop {
        let m = delivered(maildir);
        if !m.is_empty() || Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(messages.len(), 1, "exactly one message delivered");
    messages.into_iter().next().unwrap()
}

#[tokio::test]
async fn delivers_a_multipart_message_to_a_real_smtp_server() {
    let sink = start_sink();
    let mailer = SmtpMailer::new(&settings(sink.port)).unwrap();
    let email = OutgoingEmail {
        to: "jane.doe@example.org".into(),
        subject: "Reset your genascope password".into(),
        text: "Open https://app.example.org/reset-password?token=abc123".into(),
        html: "<p><a href=\"https://app.example.org/reset-password?token=abc123\">reset</a></p>"
            .into(),
        attachments: Vec::new(),
    };
    mailer.send(&email).await.unwrap();
    let m = one_delivered(&sink.maildir);
    assert!(m.contains("To: jane.doe@example.org"), "{m}");
    assert!(
        m.contains("From: genascope <no-reply@clinic.example.org>"),
        "{m}"
    );
    assert!(m.contains("Subject: Reset your genascope password"), "{m}");
    assert!(m.contains("multipart/alternative"), "{m}");
    assert!(m.contains("token=abc123"), "{m}");
    assert!(
        !m.contains("multipart/mixed"),
        "no attachment, no mixed: {m}"
    );
}

#[tokio::test]
async fn delivers_a_calendar_attachment() {
    let sink = start_sink();
    let mailer = SmtpMailer::new(&settings(sink.port)).unwrap();
    let ics = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nUID:abc@genascope\r\nEND:VCALENDAR\r\n";
    let email = OutgoingEmail {
        to: "jane.doe@example.org".into(),
        subject: "Your appointment was canceled".into(),
        text: "Canceled.".into(),
        html: "<p>Canceled.</p>".into(),
        attachments: vec![Attachment {
            filename: "invite.ics".into(),
            content_type: "text/calendar; method=CANCEL; charset=UTF-8".into(),
            content: ics.into(),
        }],
    };
    mailer.send(&email).await.unwrap();
    let m = one_delivered(&sink.maildir);
    let parsed = m.replace("\r\n", "\n");
    assert!(parsed.contains("multipart/mixed"), "{m}");
    assert!(parsed.contains("multipart/alternative"), "{m}");
    assert!(
        parsed.contains("Content-Type: text/calendar; method=CANCEL; charset=UTF-8")
            || parsed.contains("Content-Type: text/calendar; method=CANCEL; charset=utf-8"),
        "{m}"
    );
    assert!(parsed.contains("filename=\"invite.ics\""), "{m}");
    assert!(parsed.contains("UID:abc@genascope"), "{m}");
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_not_a_hang() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = settings(port);
    s.timeout = Duration::from_secs(2);
    let mailer = SmtpMailer::new(&s).unwrap();
    let email = OutgoingEmail {
        to: "a@example.org".into(),
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
        attachments: Vec::new(),
    };
    let err = mailer.send(&email).await.unwrap_err().to_string();
    assert!(err.starts_with("SMTP "), "{err}");
    assert!(
        !err.contains("a@example.org"),
        "no address in the error: {err}"
    );
}

#[test]
fn settings_are_checked() {
    let mut s = settings(25);
    s.from = "not an address".into();
    assert!(SmtpMailer::new(&s).is_err());
    assert_eq!(SmtpTls::parse("STARTTLS"), Some(SmtpTls::Starttls));
    assert_eq!(SmtpTls::parse("bogus"), None);
}
