//! `genascope export` (issue #16): the command line writes the same files as the domain's
//! golden files, notes on stderr, exit 2 on a profile it cannot write. No database needed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/fixtures/export")
}

fn genascope(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_genascope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("genascope starts");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("genascope ends")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn export_writes_the_golden_file_and_its_notes() {
    for (variant, flags) in [
        ("canrisk4", &[][..]),
        ("canrisk4-estimated", &["--estimate-missing"][..]),
        ("canrisk4-uk", &["--estimate-missing", "--uk-ethnicity"][..]),
    ] {
        let family = fixtures().join("families/dead_relatives.json");
        let mut args = vec![
            "export",
            "--format",
            "canrisk4",
            "--family-id",
            "DEADREL",
            "--reference-year",
            "2026",
        ];
        args.extend(flags);
        args.push(family.to_str().unwrap());
        let out = genascope(&args, None);
        assert!(out.status.success(), "{variant}: {}", text(&out.stderr));
        let golden_name = if variant == "canrisk4-uk" {
            // dead_relatives has no -uk golden: the uk flag on a White proband only adds the line.
            "dead_relatives.canrisk4-estimated.txt"
        } else {
            &format!("dead_relatives.{variant}.txt")
        };
        let golden = std::fs::read_to_string(fixtures().join("golden").join(golden_name)).unwrap();
        if variant == "canrisk4-uk" {
            let with_line = golden.replace("##height=172\n", "##height=172\n##ethnicity=White\n");
            assert_eq!(text(&out.stdout), with_line);
            continue;
        }
        assert_eq!(text(&out.stdout), golden, "{variant}");
        let notes = std::fs::read_to_string(
            fixtures()
                .join("golden")
                .join(format!("dead_relatives.{variant}.notes.txt")),
        )
        .unwrap();
        let want: String = notes.lines().map(|l| format!("note: {l}\n")).collect();
        assert_eq!(text(&out.stderr), want, "{variant}");
    }
}

#[test]
fn export_refuses_what_it_cannot_write_with_exit_2() {
    let contract = std::fs::read(fixtures().join("families/contract_example.json")).unwrap();
    // IBIS cannot hold a proband with breast cancer.
    let out = genascope(&["export", "--format", "ibis8"], Some(&contract));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("proband.cancers[0]"),
        "{}",
        text(&out.stderr)
    );
    // An invalid profile: the field, as assess reports it.
    let out = genascope(
        &["export", "--format", "canrisk4"],
        Some(br#"{"proband":{"sex":"female"}}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: proband.age:"),
        "{}",
        text(&out.stderr)
    );
    // A bad family id, a bad format, --batch with CanRisk.
    for args in [
        &["export", "--format", "canrisk4", "--family-id", "two words"][..],
        &["export", "--format", "pdf"][..],
        &["export", "--format", "canrisk4", "--batch"][..],
    ] {
        let out = genascope(args, Some(&contract));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn export_batch_writes_one_ibis_file_and_names_refused_lines() {
    let one_line = |name: &str| -> String {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixtures().join("families").join(name)).unwrap())
                .unwrap();
        v.to_string()
    };
    let input = format!(
        "{}\n\n{}\n{}\n",
        one_line("lone_postmenopausal.json"),
        one_line("contract_example.json"),
        one_line("dead_relatives.json")
    );
    let out = genascope(
        &["export", "--format", "ibis8", "--batch", "--family-id", "B"],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let file = text(&out.stdout);
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(&lines[..2], &["v8", "2"]);
    assert!(lines[2].starts_with("B_1\t58\t"));
    assert!(lines[3].starts_with("B_4\t45\t"));
    // The single-record goldens are the same records.
    for (line, golden, id) in [
        (lines[2], "lone_postmenopausal.ibis8.txt", "LONEPM"),
        (lines[3], "dead_relatives.ibis8.txt", "DEADREL"),
    ] {
        let g = std::fs::read_to_string(fixtures().join("golden").join(golden)).unwrap();
        let record = g.lines().nth(2).unwrap();
        assert_eq!(
            line.split_once('\t').unwrap().1,
            record.strip_prefix(&format!("{id}\t")).unwrap()
        );
    }
    let err = text(&out.stderr);
    assert!(
        err.contains("error: line 3: not written: proband.cancers[0]"),
        "{err}"
    );
    assert!(
        err.contains("note: line 4 (B_4): Mother (relatives[0])"),
        "{err}"
    );
    assert!(err.contains("2 records written, 1 lines refused"), "{err}");
}
