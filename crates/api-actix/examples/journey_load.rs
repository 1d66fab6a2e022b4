//! Load driver for `just bench-http`: whole family-history interviews against a running server.
//!
//! Each of `CONCURRENCY` workers loops until `SECONDS` have passed: `POST /api/start_chat` for its
//! own patient with a fresh session id, then the 26 answers of
//! [`EVERY_QUESTION`](genascope_domain::questionnaire::examples::EVERY_QUESTION) through
//! `POST /api/submit_answer`; the last answer completes the session, which freezes the risk
//! profile and runs the assessment. An interview counts only when every one of its 27 requests
//! answered 200 and the last said `sessionComplete: true`; anything else is an error, printed.
//!
//! ```text
//! journey_load BASE_URL TOKEN PATIENT_IDS_FILE CONCURRENCY SECONDS
//! ```
//! `TOKEN` is a care-team bearer token; the file holds one patient id per line, at least one per
//! worker. Prints one line: `interviews/s requests/s p50 p99 errors interviews`.
//! Runs on the same cores as the server, so its own cost is part of what it measures: it is kept
//! small (one thread; each body serialised straight from borrowed fields; a reply's status read,
//! its body checked for `"sessionComplete":false` by a byte search, and only the last answer's
//! reply parsed as JSON), as wrk is for the other routes.

use std::time::{Duration, Instant};

use genascope_domain::questionnaire::examples::EVERY_QUESTION;
use serde_json::Value;

struct Tally {
    interviews: u64,
    errors: u64,
    latencies_us: Vec<u32>,
    first_error: Option<String>,
}

struct Driver {
    client: reqwest::Client,
    base: String,
    token: String,
}

/// `POST /api/start_chat`'s body.
#[derive(serde::Serialize)]
struct Start<'a> {
    #[serde(rename = "sessionId")]
    session_id: &'a str,
    patient_id: &'a str,
}

/// `POST /api/submit_answer`'s body.
#[derive(serde::Serialize)]
struct Answer<'a> {
    #[serde(rename = "sessionId")]
    session_id: &'a str,
    #[serde(rename = "questionId")]
    question_id: u8,
    answer: &'a str,
}

/// Whether `body` holds `needle`.
fn contains(body: &[u8], needle: &[u8]) -> bool {
    body.windows(needle.len()).any(|w| w == needle)
}

impl Driver {
    /// POST `body` to `path`; the reply's body if it answered 200, else a description of what
    /// went wrong.
    async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        tally: &mut Tally,
    ) -> Result<bytes::Bytes, String> {
        let started = Instant::now();
        let sent = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let result = match sent {
            Ok(r) if r.status().as_u16() == 200 => r.bytes().await.map_err(|e| e.to_string()),
            Ok(r) => Err(format!("{path} answered {}", r.status())),
            Err(e) => Err(format!("{path}: {e}")),
        };
        let micros = started.elapsed().as_micros().min(u128::from(u32::MAX));
        tally.latencies_us.push(micros as u32);
        result
    }

    /// One whole interview for `patient` under `session`: every answer but the last must say
    /// the session goes on, the last must say it is complete (parsed as JSON).
    async fn interview(
        &self,
        patient: &str,
        session: &str,
        tally: &mut Tally,
    ) -> Result<(), String> {
        let start = Start {
            session_id: session,
            patient_id: patient,
        };
        self.post("/api/start_chat", to_vec(&start)?, tally).await?;
        let mut last = Value::Null;
        for (n, &(question_id, answer)) in EVERY_QUESTION.iter().enumerate() {
            let body = Answer {
                session_id: session,
                question_id,
                answer,
            };
            let reply = self
                .post("/api/submit_answer", to_vec(&body)?, tally)
                .await?;
            if n + 1 == EVERY_QUESTION.len() {
                last = serde_json::from_slice(&reply).map_err(|e| e.to_string())?;
            } else if !contains(&reply, br#""sessionComplete":false"#) {
                return Err(format!(
                    "answer {question_id} did not leave the session open: {}",
                    String::from_utf8_lossy(&reply)
                ));
            }
        }
        match last["sessionComplete"].as_bool() {
            Some(true) => Ok(()),
            _ => Err(format!(
                "the last answer did not complete the session: {last}"
            )),
        }
    }
}

fn to_vec(body: &impl serde::Serialize) -> Result<Vec<u8>, String> {
    serde_json::to_vec(body).map_err(|e| e.to_string())
}

async fn worker(driver: &Driver, run: &str, index: usize, patient: &str, until: Instant) -> Tally {
    let mut tally = Tally {
        interviews: 0,
        errors: 0,
        latencies_us: Vec::with_capacity(1 << 16),
        first_error: None,
    };
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        let session = format!("bench-{run}-{index}-{n}");
        match driver.interview(patient, &session, &mut tally).await {
            Ok(()) => tally.interviews += 1,
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
            }
        }
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

fn usage() -> ! {
    eprintln!("usage: journey_load BASE_URL TOKEN PATIENT_IDS_FILE CONCURRENCY SECONDS");
    std::process::exit(2)
}

// One thread: the driver's share of the cores stays small and no task crosses threads.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, file, concurrency, seconds] = args.as_slice() else {
        usage()
    };
    let (Ok(concurrency), Ok(seconds)) = (concurrency.parse::<usize>(), seconds.parse::<u64>())
    else {
        usage()
    };
    let patients: Vec<String> = std::fs::read_to_string(file)
        .unwrap_or_else(|e| {
            eprintln!("journey_load: cannot read {file}: {e}");
            std::process::exit(2)
        })
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if concurrency == 0 || patients.len() < concurrency {
        // A patient's new session cancels its open one: two workers on one patient would fail
        // each other's interviews.
        eprintln!("journey_load: {concurrency} workers need as many patients in {file}");
        std::process::exit(2)
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let driver = std::sync::Arc::new(Driver {
        client,
        base: base.trim_end_matches('/').to_owned(),
        token: token.clone(),
    });

    // Session ids unique to this run: another run against the same server (a warm-up) must not
    // meet its own finished sessions.
    let run = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| {
            let driver = driver.clone();
            let (patient, run) = (patients[i].clone(), run.clone());
            tokio::spawn(async move { worker(&driver, &run, i, &patient, until).await })
        })
        .collect();
    let mut all = Vec::new();
    let (mut interviews, mut errors, mut first_error) = (0, 0, None);
    for task in tasks {
        let t = task.await.expect("a worker");
        interviews += t.interviews;
        errors += t.errors;
        first_error = first_error.or(t.first_error);
        all.extend(t.latencies_us);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    if let Some(e) = first_error {
        eprintln!("journey_load: first error: {e}");
    }
    println!(
        "{:.1} {:.0} {:.2}ms {:.2}ms {errors} {interviews}",
        interviews as f64 / elapsed,
        all.len() as f64 / elapsed,
        percentile(&all, 50.0),
        percentile(&all, 99.0),
    );
}
