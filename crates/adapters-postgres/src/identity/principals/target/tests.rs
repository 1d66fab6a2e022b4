use super::*;

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn parse(url: &str) -> Result<Target, TargetError> {
    Target::parse(url, &env(&[]), None, "listener")
}

#[test]
fn libpq_defaults_prefer_and_the_rest_goes_to_tokio_postgres() {
    let t = parse("postgres://u:secret@db.internal:6432/app?connect_timeout=3").unwrap();
    assert_eq!(t.mode(), SslMode::Prefer);
    assert_eq!(t.config.get_dbname(), Some("app"));
    assert_eq!(t.config.get_ports(), &[6432]);
    assert_eq!(t.config.get_application_name(), Some("listener"));
    assert_eq!(
        t.config.get_connect_timeout(),
        Some(&std::time::Duration::from_secs(3))
    );
    assert!(t.root.is_none() && t.cert.is_none() && t.key.is_none() && t.sni);
    let named = parse("postgres://u@h/db?application_name=mine").unwrap();
    assert_eq!(named.config.get_application_name(), Some("mine"));
}

#[test]
fn the_tls_parameters_are_taken_out_and_decoded() {
    let t = parse(
        "postgres://u:p@localhost/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20dir%2Froot.pem\
         &sslcert=/c.pem&sslkey=/k.pem&sslsni=0&sslcompression=1&options=-c%20x%3Dy",
    )
    .unwrap();
    assert_eq!(t.mode(), SslMode::VerifyFull);
    assert_eq!(t.root.as_deref(), Some(Path::new("/etc/ca dir/root.pem")));
    assert!(t.root_named);
    assert_eq!(t.cert.as_deref(), Some(Path::new("/c.pem")));
    assert_eq!(t.key.as_deref(), Some(Path::new("/k.pem")));
    assert!(!t.sni);
    assert_eq!(t.config.get_options(), Some("-c x=y"));
    for (mode, want) in [
        ("disable", SslMode::Disable),
        ("allow", SslMode::Allow),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ] {
        let t = parse(&format!("postgres://u@h/db?sslmode={mode}")).unwrap();
        assert_eq!(t.mode(), want);
        assert_eq!(want.as_str(), mode);
    }
}

#[test]
fn libpq_environment_and_home_files_are_the_defaults() {
    let home = Path::new("/home/app");
    let vars = env(&[
        ("PGSSLMODE", "verify-ca"),
        ("PGSSLROOTCERT", "/env/root.pem"),
    ]);
    let t = Target::parse("postgres://u@h/db", &vars, Some(home), "l").unwrap();
    assert_eq!(t.mode(), SslMode::VerifyCa);
    assert_eq!(t.root.as_deref(), Some(Path::new("/env/root.pem")));
    assert!(t.root_named);
    assert_eq!(
        t.cert.as_deref(),
        Some(Path::new("/home/app/.postgresql/postgresql.crt"))
    );
    assert_eq!(
        t.key.as_deref(),
        Some(Path::new("/home/app/.postgresql/postgresql.key"))
    );
    // The URL wins over the environment.
    let t = Target::parse("postgres://u@h/db?sslmode=require", &vars, Some(home), "l").unwrap();
    assert_eq!(t.mode(), SslMode::Require);
    let t = Target::parse("postgres://u@h/db", &env(&[]), Some(home), "l").unwrap();
    assert_eq!(
        t.root.as_deref(),
        Some(Path::new("/home/app/.postgresql/root.crt"))
    );
    assert!(!t.root_named);
}

#[test]
fn what_cannot_be_honoured_is_refused_without_echoing_the_url() {
    let secret = "s3cr3t-pw";
    for (query, want) in [
        ("sslmode=verify", "sslmode must be"),
        ("sslmode=require&sslcrl=/crl.pem", "`sslcrl`"),
        ("sslpassword=x", "`sslpassword`"),
        (
            "ssl_min_protocol_version=TLSv1.3",
            "`ssl_min_protocol_version`",
        ),
        ("sslrootcert=system", "sslrootcert=system"),
        ("sslrootcert=%zz", "`sslrootcert`"),
        ("gssencmode=disable", "gssencmode"),
    ] {
        let url = format!("postgres://u:{secret}@h/db?{query}");
        let e = parse(&url).unwrap_err().to_string();
        assert!(e.contains(want), "{query}: {e}");
        assert!(!e.contains(secret), "{e}");
    }
}

#[test]
fn percent_decoding() {
    assert_eq!(decode("a%20b%2Fc+d").as_deref(), Some("a b/c+d"));
    assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
    for bad in ["%", "%2", "%zz", "%+1", "%FF"] {
        assert_eq!(decode(bad), None, "{bad}");
    }
}

#[test]
fn a_named_root_that_does_not_exist_is_warned_about_outside_verify_modes() {
    let t = parse("postgres://u@h/db?sslmode=require&sslrootcert=/nowhere/root.pem").unwrap();
    let w = t.warning().unwrap();
    assert!(
        w.contains("/nowhere/root.pem") && w.contains("not verified"),
        "{w}"
    );
    // Nothing to say: no root named, or a verify mode (which then fails, with its own error).
    assert!(
        parse("postgres://u@h/db?sslmode=require")
            .unwrap()
            .warning()
            .is_none()
    );
    let v = parse("postgres://u@h/db?sslmode=verify-ca&sslrootcert=/nowhere/root.pem").unwrap();
    assert!(v.warning().is_none());
    let e = v.tls().unwrap_err().to_string();
    assert!(e.contains("/nowhere/root.pem"), "{e}");
    let e = parse("postgres://u@h/db?sslmode=verify-full")
        .unwrap()
        .tls()
        .unwrap_err();
    assert!(matches!(e, SetupError::NoRoot("verify-full")), "{e}");
}

#[test]
fn tls_material_is_read_at_each_attempt_and_checked() {
    let dir = std::env::temp_dir().join(format!("genascope-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = dir.join("root.pem");
    let url = format!(
        "postgres://u@h/db?sslmode=verify-ca&sslrootcert={}",
        root.display()
    );
    let t = parse(&url).unwrap();
    std::fs::write(&root, "not a certificate").unwrap();
    let e = t.tls().unwrap_err().to_string();
    assert!(e.contains("no usable certificate"), "{e}");
    // A client certificate without a key is refused; a missing certificate file is skipped.
    let with_cert = parse(&format!(
        "postgres://u@h/db?sslmode=require&sslcert={}&sslkey={}",
        root.display(),
        dir.join("missing.key").display()
    ))
    .unwrap();
    let e = with_cert.tls().unwrap_err().to_string();
    assert!(e.contains("client certificate"), "{e}");
    let skipped = parse(&format!(
        "postgres://u@h/db?sslmode=require&sslcert={}",
        dir.join("missing.crt").display()
    ))
    .unwrap();
    assert!(skipped.tls().is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}
