//! The chat sessions this process last wrote (or created), so that the next answer's step can
//! decide on them without reading the row back (issue #8: on SQLite the read was a sixth of the
//! server's CPU in an interview; on PostgreSQL it was a statement per answer beside the write).
//!
//! The cache is never trusted, only tried: a step decided on a cached session writes with the
//! usual versioned UPDATE (which also checks, in the same statement, that the account and the
//! patient are still live), so a copy that is not the stored state any more (another process
//! wrote the session, the patient was deleted) fails that write as stale, is dropped, and the
//! service decides again on a fresh read. A decision to write nothing (a safe retry, a refused
//! answer) is never answered from the cache either: it is made again on a fresh read, so every
//! refusal a caller sees was decided on the stored session. Reads that answer a caller
//! (`get`, `list`, history) never use it.

use genascope_domain::questionnaire::sessions::model::{ChatSession, SessionStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most sessions kept (a few KiB each: the answers and the profile). Past it, an arbitrary
/// one makes room; a miss only costs the read it saves.
const CAPACITY: usize = 1024;

/// See the module.
#[derive(Debug, Default)]
pub(crate) struct SessionCache(Mutex<HashMap<String, Arc<ChatSession>>>);

impl SessionCache {
    /// The session `id` as this process last wrote it, if kept (shared: the lock is held
    /// only to count a reference).
    pub(crate) fn get(&self, id: &str) -> Option<Arc<ChatSession>> {
        self.0.lock().ok()?.get(id).cloned()
    }

    /// Keep `session` as just written (active sessions only: no answer can move another).
    pub(crate) fn put(&self, session: ChatSession) {
        let Ok(mut map) = self.0.lock() else { return };
        if session.status != SessionStatus::Active {
            map.remove(session.id.as_str());
            return;
        }
        if map.len() >= CAPACITY && !map.contains_key(session.id.as_str()) {
            let victim = map.keys().next().cloned();
            if let Some(victim) = victim {
                map.remove(&victim);
            }
        }
        map.insert(session.id.as_str().to_owned(), Arc::new(session));
    }

    /// Forget the session `id`.
    pub(crate) fn forget(&self, id: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(id);
        }
    }
}
