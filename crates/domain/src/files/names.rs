//! Filename sanitisation and object keys (contract §3.10), as pure functions.
//!
//! A key is built only from a fixed prefix, ids we generated and a sanitised name, so no byte
//! of a user's filename can steer where an object lands.

use unicode_normalization::UnicodeNormalization;

/// The longest sanitised filename, in bytes.
pub const MAX_NAME_BYTES: usize = 120;

/// A filename after sanitisation: only `[A-Za-z0-9._-]`, no leading `.`, `_` or `-`, no `..`,
/// at most [`MAX_NAME_BYTES`] bytes, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SafeName(String);

impl SafeName {
    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-case extension without its dot, if the name has one (`report.pdf` → `pdf`).
    #[must_use]
    pub fn extension(&self) -> Option<&str> {
        split_ext(&self.0).1
    }

    /// This name with `_{suffix}` inserted before the extension, still within the byte limit
    /// (the stem is cut to make room). `suffix` is made of allowed characters by the caller
    /// (8 lowercase hex digits for an existing key).
    #[must_use]
    pub fn with_suffix(&self, suffix: &str) -> Self {
        let (stem, ext) = split_ext(&self.0);
        let tail = match ext {
            Some(e) => format!("_{suffix}.{e}"),
            None => format!("_{suffix}"),
        };
        let room = MAX_NAME_BYTES.saturating_sub(tail.len());
        let stem = &stem[..stem.len().min(room)];
        Self(finish(format!("{stem}{tail}")))
    }

    /// Rebuild from a name that was sanitised before (read back from storage).
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Display for SafeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn split_ext(name: &str) -> (&str, Option<&str>) {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => (&name[..i], Some(&name[i + 1..])),
        _ => (name, None),
    }
}

/// Sanitise a filename per §3.10: keep the part after the last `/` or `\`; Unicode NFKC; drop
/// control characters; every character outside `[A-Za-z0-9._-]` becomes `_`, runs of `_`
/// collapse; leading `.`, `_`, `-` are stripped; the extension is lower-cased; the stem is cut
/// so the name is at most 120 bytes; an empty result is `file`. Runs of dots collapse too, so
/// no result contains `..`.
#[must_use]
pub fn sanitize(raw: &str) -> SafeName {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let mut out = String::with_capacity(base.len());
    for c in base.nfkc().filter(|c| !c.is_control()) {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
            c
        } else {
            '_'
        };
        let last = out.chars().last();
        if (c == '_' || c == '.') && last == Some(c) {
            continue;
        }
        out.push(c);
    }
    let out = out
        .trim_start_matches(['.', '_', '-'])
        .trim_end_matches('.')
        .to_owned();
    let (stem, ext) = split_ext(&out);
    let ext = ext.map(str::to_ascii_lowercase);
    let name = match &ext {
        Some(e) if e.len() + 1 < MAX_NAME_BYTES => {
            let room = MAX_NAME_BYTES - e.len() - 1;
            let stem = stem[..stem.len().min(room)].trim_end_matches('.');
            format!("{stem}.{e}")
        }
        Some(_) | None => out[..out.len().min(MAX_NAME_BYTES)].to_owned(),
    };
    SafeName(finish(name))
}

/// The last touches every name gets: a trailing or leading dot (left by a cut) goes, and an
/// empty name is `file`.
fn finish(name: String) -> String {
    let name = name.trim_matches('.').trim_start_matches(['_', '-']);
    if name.is_empty() {
        "file".to_owned()
    } else {
        name.to_owned()
    }
}

/// Where an object lives in the store: `uploads/{user_id}/{name}` or
/// `knowledge/{account_id}/{source_id}/{name}`. Built only by the functions below (or read back
/// from storage, which only ever held keys built by them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey(String);

impl FileKey {
    /// The key of a user's upload.
    #[must_use]
    pub fn upload(user_id: uuid::Uuid, name: &SafeName) -> Self {
        Self(format!(
            "uploads/{}/{}",
            user_id.hyphenated(),
            name.as_str()
        ))
    }

    /// The key of a knowledge source's document.
    #[must_use]
    pub fn knowledge(account_id: uuid::Uuid, source_id: uuid::Uuid, name: &SafeName) -> Self {
        Self(format!(
            "knowledge/{}/{}/{}",
            account_id.hyphenated(),
            source_id.hyphenated(),
            name.as_str()
        ))
    }

    /// A key given by a caller (`?file_key=`): accepted only if it is exactly a key under
    /// `uploads/{user_id}/` with a name sanitisation leaves unchanged; anything else is `None`.
    #[must_use]
    pub fn parse_upload(raw: &str, user_id: uuid::Uuid) -> Option<Self> {
        let prefix = format!("uploads/{}/", user_id.hyphenated());
        let name = raw.strip_prefix(&prefix)?;
        (sanitize(name).as_str() == name).then(|| Self(raw.to_owned()))
    }

    /// Rebuild from storage.
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's path segments (each a uuid or a sanitised name), for stores that map keys to
    /// paths.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl std::fmt::Display for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_contract_rules_hold_on_examples() {
        assert_eq!(sanitize("../../etc/passwd").as_str(), "passwd");
        assert_eq!(sanitize("C:\\Users\\x\\Report.PDF").as_str(), "Report.pdf");
        assert_eq!(
            sanitize("my  report (v2).pdf").as_str(),
            "my_report_v2_.pdf"
        );
        assert_eq!(
            sanitize("..%2f..%2fsecret.txt").as_str(),
            "2f._2fsecret.txt"
        );
        assert_eq!(sanitize("a\0b.txt").as_str(), "ab.txt");
        assert_eq!(sanitize("ｆｕｌｌ.txt").as_str(), "full.txt");
        assert_eq!(sanitize("...").as_str(), "file");
        assert_eq!(sanitize("").as_str(), "file");
        assert_eq!(sanitize("x/").as_str(), "file");
        assert_eq!(sanitize("-_.hidden").as_str(), "hidden");
        assert_eq!(sanitize("a..b.txt").as_str(), "a.b.txt");
        let long = format!("{}.pdf", "x".repeat(300));
        let s = sanitize(&long);
        assert_eq!(s.as_str().len(), 120);
        assert_eq!(s.extension(), Some("pdf"));
    }

    #[test]
    fn a_suffix_goes_before_the_extension_within_the_limit() {
        assert_eq!(
            sanitize("r.pdf").with_suffix("0a1b2c3d").as_str(),
            "r_0a1b2c3d.pdf"
        );
        let long = sanitize(&format!("{}.pdf", "y".repeat(200)));
        let s = long.with_suffix("0a1b2c3d");
        assert_eq!(s.as_str().len(), 120);
        assert!(s.as_str().ends_with("_0a1b2c3d.pdf"));
    }

    #[test]
    fn a_given_key_must_be_under_the_callers_prefix() {
        let me = uuid::Uuid::new_v4();
        let other = uuid::Uuid::new_v4();
        let ok = format!("uploads/{me}/a.pdf");
        assert!(FileKey::parse_upload(&ok, me).is_some());
        assert!(FileKey::parse_upload(&ok, other).is_none());
        assert!(FileKey::parse_upload(&format!("uploads/{me}/../{other}/a.pdf"), me).is_none());
        assert!(FileKey::parse_upload(&format!("uploads/{me}/x/a.pdf"), me).is_none());
        assert!(FileKey::parse_upload(&format!("uploads/{me}/"), me).is_none());
    }

    fn well_formed(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= MAX_NAME_BYTES
            && !name.contains("..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !name.starts_with(['.', '_', '-'])
            && !name.ends_with('.')
    }

    proptest! {
        #[test]
        fn no_sanitised_name_is_unsafe(raw in any::<String>()) {
            let name = sanitize(&raw);
            prop_assert!(well_formed(name.as_str()), "{:?} -> {:?}", raw, name);
        }

        #[test]
        fn no_sanitised_path_like_name_is_unsafe(raw in "[./\\\\a-zA-Z\u{0}-\u{1f}%_ -]{0,300}") {
            let name = sanitize(&raw);
            prop_assert!(well_formed(name.as_str()), "{:?} -> {:?}", raw, name);
            let suffixed = name.with_suffix("0123abcd");
            prop_assert!(well_formed(suffixed.as_str()), "{:?}", suffixed);
        }

        #[test]
        fn no_key_escapes_its_prefix(raw in any::<String>()) {
            let user = uuid::Uuid::new_v4();
            let key = FileKey::upload(user, &sanitize(&raw));
            let segs: Vec<&str> = key.segments().collect();
            prop_assert_eq!(segs.len(), 3);
            prop_assert_eq!(segs[0], "uploads");
            prop_assert_eq!(segs[1], user.to_string());
            prop_assert!(well_formed(segs[2]));
        }

        #[test]
        fn sanitising_is_idempotent(raw in any::<String>()) {
            let once = sanitize(&raw);
            prop_assert_eq!(sanitize(once.as_str()), once);
        }
    }
}
