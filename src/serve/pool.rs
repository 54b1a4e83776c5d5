//! The store's workers (SERVER.md §1): `DeskStore` and the `postgres` crate are synchronous
//! and bound to one thread (the crate runs a runtime of its own, which panics inside
//! tokio's), so no handler calls them on a tokio worker. A few threads each open one store
//! once and take jobs from one queue; a handler awaits its job's answer. A free worker takes
//! the next job, so one slow statement holds up one worker, not the queue.

use std::sync::{Arc, Mutex, mpsc};

use crate::desk::store::{DeskError, DeskStore};

type Job = Box<dyn FnOnce(&mut DeskStore) + Send>;

#[derive(Clone)]
pub struct Pool {
    jobs: mpsc::SyncSender<Job>,
}

/// How a worker opens its store (the same for every worker).
pub type Opener = Arc<dyn Fn() -> Result<DeskStore, DeskError> + Send + Sync>;

impl Pool {
    /// Starts `n` workers; each opens its own store now, so a store that cannot be opened
    /// is reported before the server listens.
    pub fn start(n: usize, open: Opener) -> Result<Pool, DeskError> {
        // Bounded: under a flood, handlers wait for room instead of queueing without end.
        let (tx, rx) = mpsc::sync_channel::<Job>(256);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n.max(1) {
            let store = open()?;
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("store-{i}"))
                .spawn(move || work(store, &rx))
                .map_err(|e| DeskError(format!("starting a store worker failed ({e})")))?;
        }
        Ok(Pool { jobs: tx })
    }

    /// Runs `f` on a worker's store and returns its answer.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DeskStore) -> Result<T, DeskError> + Send + 'static,
    ) -> Result<T, DeskError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        let jobs = self.jobs.clone();
        // `send` blocks while the queue is full: off the async worker.
        tokio::task::spawn_blocking(move || jobs.send(job))
            .await
            .map_err(|_| stopped())?
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> DeskError {
    DeskError("the store's workers have stopped (the server is shutting down)".into())
}

fn work(mut store: DeskStore, rx: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match job {
            // A job that panics is a bug; the worker goes on with the next one (the
            // handler sees its answer dropped and says the store failed).
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut store)));
            }
            Err(_) => return,
        }
    }
}
