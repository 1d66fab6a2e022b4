//! The upload types of §3.10 and the check that the content does not contradict the extension.
//!
//! Sniffing uses the `infer` crate's magic numbers on the first bytes. A format `infer` knows
//! must be one of those the extension allows; a text extension admits no known binary format
//! and no NUL byte; an extension whose format has no reliable signature in `infer` (old Office
//! documents) admits content with no known signature.

/// How many leading bytes the sniffing looks at.
pub const SNIFF_BYTES: usize = 8192;

/// A type upload accepts, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    /// The lower-case extension.
    pub extension: &'static str,
    /// The content type stored and served.
    pub content_type: &'static str,
    /// What a sniffed signature may say: the MIME types `infer` reports for this format. Empty
    /// for text (no signature allowed).
    sniffed: &'static [&'static str],
    /// Whether content without a known signature is fine (text; formats `infer` cannot see).
    unsigned_ok: bool,
}

const ZIP: &str = "application/zip";

/// Every type `POST /api/upload` accepts (contract §3.10).
pub const UPLOAD_TYPES: &[FileType] = &[
    t("pdf", "application/pdf", &["application/pdf"], false),
    t("png", "image/png", &["image/png"], false),
    t("jpg", "image/jpeg", &["image/jpeg"], false),
    t("jpeg", "image/jpeg", &["image/jpeg"], false),
    t("gif", "image/gif", &["image/gif"], false),
    t("txt", "text/plain; charset=utf-8", &[], true),
    t("csv", "text/csv; charset=utf-8", &[], true),
    t("md", "text/markdown; charset=utf-8", &[], true),
    t("json", "application/json", &[], true),
    t(
        "doc",
        "application/msword",
        &["application/x-ole-storage"],
        true,
    ),
    t("docx", DOCX, &[DOCX, ZIP], false),
    t(
        "xls",
        "application/vnd.ms-excel",
        &["application/x-ole-storage"],
        true,
    ),
    t("xlsx", XLSX, &[XLSX, ZIP], false),
];

/// The types a knowledge source document may have (contract §3.6).
pub const KNOWLEDGE_TYPES: &[&str] = &["pdf", "doc", "docx", "txt", "md"];

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const fn t(
    extension: &'static str,
    content_type: &'static str,
    sniffed: &'static [&'static str],
    unsigned_ok: bool,
) -> FileType {
    FileType {
        extension,
        content_type,
        sniffed,
        unsigned_ok,
    }
}

/// The accepted type of an extension, if any.
#[must_use]
pub fn by_extension(ext: &str) -> Option<&'static FileType> {
    UPLOAD_TYPES.iter().find(|t| t.extension == ext)
}

impl FileType {
    /// Whether `head` (the first bytes of the content) is consistent with this type.
    #[must_use]
    pub fn admits(&self, head: &[u8]) -> bool {
        match infer::get(head) {
            Some(kind) => self.sniffed.contains(&kind.mime_type()),
            None if self.sniffed.is_empty() => !head.contains(&0),
            None => self.unsigned_ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

    #[test]
    fn content_must_not_contradict_the_extension() {
        let pdf = by_extension("pdf").unwrap();
        assert!(pdf.admits(PDF));
        assert!(!pdf.admits(EXE));
        assert!(!pdf.admits(PNG));
        assert!(!pdf.admits(b"just text"));
        let txt = by_extension("txt").unwrap();
        assert!(txt.admits("plain text, ünïcode\n".as_bytes()));
        assert!(!txt.admits(EXE));
        assert!(!txt.admits(PDF));
        assert!(!txt.admits(b"nul\0inside"));
        assert!(by_extension("png").unwrap().admits(PNG));
        assert!(
            by_extension("doc")
                .unwrap()
                .admits(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
        );
        assert!(by_extension("exe").is_none());
    }
}
