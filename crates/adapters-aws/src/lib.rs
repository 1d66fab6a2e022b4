//! genascope's AWS adapters: the S3 file store (credentials by STS AssumeRole, refreshed before
//! expiry, SSE AES256) and the SESv2 `Mailer`.
//!
//! Not built yet: this crate only holds its place in the workspace so that the layout, the
//! dependency arrows (it depends on `genascope-domain` only) and CI are in place before the files
//! and SES issues land. Nothing wires it: `MAIL_BACKEND=ses` refuses to start, and the AWS
//! variables are read but unused (README, "What is built, and what is not yet").
