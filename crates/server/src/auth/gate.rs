//! The gate in front of bcrypt: a fixed set of threads, fed by a bounded queue that is fair
//! between claimants, so that a storm of logins with wrong passwords can neither take every
//! core nor keep a right password waiting behind it.
//!
//! - At most `workers` comparisons run at once, each on one of the gate's own threads (never
//!   tokio's blocking pool, which would grow to hundreds of threads under a storm).
//! - A check waits in the queue of its claimant: the user name it claims (or the token) and
//!   the address it comes from. Workers take one check from each claimant in turn, so a new
//!   claimant is served after at most one check per other claimant, however many the others
//!   have queued.
//! - A claimant holds at most [`PER_CLAIMANT`] waiting checks and the gate [`QUEUED`] in all;
//!   past that the oldest waiting check (of the claimant, or of the claimant with the most) is
//!   dropped unchecked, and its connection fails as if its authentication timeout had passed.
//! - A check whose connection stopped waiting (closed, or past its deadline) is skipped without
//!   hashing: work is never done for nobody, so the gate is empty soon after a storm ends.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use foldhash::fast::RandomState;
use parking_lot::{Condvar, Mutex};
use tokio::sync::oneshot;

use super::{Grant, Identity, PasswordCheck, SecretChecker};

/// Most checks one claimant may have waiting.
pub const PER_CLAIMANT: usize = 8;
/// Most checks waiting in all.
pub const QUEUED: usize = 1024;

/// Who is asking: the identity claimed and the address it comes from.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Claimant {
    identity: Identity,
    ip: IpAddr,
}

/// One check waiting for a worker.
struct Job {
    check: PasswordCheck,
    deadline: Instant,
    reply: oneshot::Sender<Option<Grant>>,
}

impl Job {
    /// Nobody waits for the answer any more.
    fn abandoned(&self, now: Instant) -> bool {
        self.reply.is_closed() || now >= self.deadline
    }
}

#[derive(Default)]
struct Queue {
    waiting: HashMap<Claimant, VecDeque<Job>, RandomState>,
    /// Claimants with waiting checks, in the order they are next served.
    turns: VecDeque<Claimant>,
    queued: usize,
    threads: usize,
    closed: bool,
}

impl Queue {
    fn push(&mut self, claimant: Claimant, job: Job) {
        let mut dropped = None;
        match self.waiting.get_mut(&claimant) {
            Some(jobs) => {
                if jobs.len() >= PER_CLAIMANT {
                    dropped = jobs.pop_front();
                }
                jobs.push_back(job);
            }
            None => {
                self.waiting.insert(claimant.clone(), VecDeque::from([job]));
                self.turns.push_back(claimant.clone());
            }
        }
        match dropped {
            Some(_) => {}
            None if self.queued >= QUEUED => self.drop_from_longest(&claimant),
            None => self.queued += 1,
        }
    }

    /// Makes room at the expense of the claimant with the most waiting checks (another than
    /// `newcomer` when there is one, so a full gate still takes new claimants).
    fn drop_from_longest(&mut self, newcomer: &Claimant) {
        let longest = self
            .waiting
            .iter_mut()
            .filter(|(claimant, jobs)| *claimant != newcomer && !jobs.is_empty())
            .max_by_key(|(_, jobs)| jobs.len())
            .map(|(_, jobs)| jobs);
        match longest {
            Some(jobs) => drop(jobs.pop_front()),
            None => drop(self.waiting.get_mut(newcomer).and_then(VecDeque::pop_front)),
        }
    }

    /// The next check to run: the first claimant in turn gives its oldest live check and goes
    /// to the back. Abandoned checks met on the way are dropped.
    fn next(&mut self, now: Instant) -> Option<Job> {
        while let Some(claimant) = self.turns.pop_front() {
            let Some(jobs) = self.waiting.get_mut(&claimant) else { continue };
            let mut found = None;
            while let Some(job) = jobs.pop_front() {
                self.queued -= 1;
                if !job.abandoned(now) {
                    found = Some(job);
                    break;
                }
            }
            if jobs.is_empty() {
                self.waiting.remove(&claimant);
            } else {
                self.turns.push_back(claimant);
            }
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    checker: Arc<SecretChecker>,
    workers: usize,
}

/// The bcrypt gate of one server. Its threads start with the first slow check and end when
/// the gate is dropped.
pub struct PasswordGate {
    shared: Arc<Shared>,
}

impl PasswordGate {
    /// A gate running at most `workers` comparisons at once with `checker`.
    pub fn new(checker: Arc<SecretChecker>, workers: usize) -> PasswordGate {
        let shared = Shared { queue: Mutex::default(), ready: Condvar::new(), checker, workers: workers.max(1) };
        PasswordGate { shared: Arc::new(shared) }
    }

    /// Queues `check` for the client at `ip`; the receiver yields the grant (`Some`) or a
    /// refusal (`None`), or an error when the check was dropped unchecked (queue full, or
    /// `deadline` passed first).
    pub fn submit(&self, check: PasswordCheck, ip: IpAddr, deadline: Instant) -> oneshot::Receiver<Option<Grant>> {
        let (reply, answer) = oneshot::channel();
        let claimant = Claimant { identity: check.identity().clone(), ip };
        let mut queue = self.shared.queue.lock();
        queue.push(claimant, Job { check, deadline, reply });
        if queue.threads < self.shared.workers && queue.threads < queue.queued && self.spawn_worker() {
            queue.threads += 1;
        }
        drop(queue);
        self.shared.ready.notify_one();
        answer
    }

    /// Checks waiting now (for tests and monitoring).
    pub fn queued(&self) -> usize {
        self.shared.queue.lock().queued
    }

    /// Threads the gate runs now.
    pub fn threads(&self) -> usize {
        self.shared.queue.lock().threads
    }

    fn spawn_worker(&self) -> bool {
        let shared = Arc::clone(&self.shared);
        std::thread::Builder::new().name("rnats-bcrypt".into()).spawn(move || work(&shared)).is_ok()
    }
}

impl Drop for PasswordGate {
    fn drop(&mut self) {
        self.shared.queue.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

fn work(shared: &Shared) {
    let mut queue = shared.queue.lock();
    loop {
        if queue.closed {
            queue.threads -= 1;
            return;
        }
        match queue.next(Instant::now()) {
            Some(job) => {
                drop(queue);
                let grant = job.check.run(&shared.checker);
                let _ = job.reply.send(grant);
                queue = shared.queue.lock();
            }
            None => shared.ready.wait(&mut queue),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::account::Account;
    use crate::auth::Secret;

    // bcrypt of "foo" at cost 4.
    const FOO: &str = "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK";

    fn check(user: &str, presented: &str) -> PasswordCheck {
        let grant = Grant { account: Account::new("A"), permissions: None, identity: Identity::User(user.into()) };
        PasswordCheck { secret: Secret::new(FOO), presented: presented.into(), grant }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    /// A queue alone (no workers), to see the order and the bounds.
    fn queue_with(jobs: &[(&str, u8)]) -> (Queue, Vec<oneshot::Receiver<Option<Grant>>>) {
        let mut queue = Queue::default();
        let mut answers = Vec::new();
        for (user, last) in jobs {
            let (reply, answer) = oneshot::channel();
            let claimant = Claimant { identity: Identity::User((*user).into()), ip: ip(*last) };
            queue.push(claimant, Job { check: check(user, "x"), deadline: later(), reply });
            answers.push(answer);
        }
        (queue, answers)
    }

    fn user_of(job: &Job) -> String {
        job.check.identity().to_string()
    }

    #[test]
    fn claimants_take_turns() {
        let mut jobs = vec![("mallory", 1); 5];
        jobs.push(("alice", 2));
        let (mut queue, _answers) = queue_with(&jobs);
        let first = queue.next(Instant::now()).map(|j| user_of(&j));
        let second = queue.next(Instant::now()).map(|j| user_of(&j));
        assert_eq!(first.as_deref(), Some("User \"mallory\""));
        assert_eq!(second.as_deref(), Some("User \"alice\""), "a new claimant is served next");
    }

    #[test]
    fn one_claimant_is_bounded_and_loses_its_oldest() {
        let jobs = vec![("mallory", 1); PER_CLAIMANT + 3];
        let (queue, mut answers) = queue_with(&jobs);
        assert_eq!(queue.queued, PER_CLAIMANT);
        for answer in answers.iter_mut().take(3) {
            assert!(answer.try_recv().is_err(), "the oldest were dropped");
        }
        assert!(matches!(answers[3].try_recv(), Err(oneshot::error::TryRecvError::Empty)));
    }

    #[test]
    fn the_whole_queue_is_bounded() {
        let jobs: Vec<(&str, u8)> = (0..QUEUED + 10).map(|i| ("u", (i % 250) as u8)).collect();
        let (queue, _answers) = queue_with(&jobs);
        assert_eq!(queue.queued, QUEUED);
        assert!(queue.waiting.values().map(VecDeque::len).sum::<usize>() == QUEUED);
    }

    #[test]
    fn abandoned_checks_are_skipped() {
        let (mut queue, mut answers) = queue_with(&[("a", 1), ("b", 2)]);
        answers.remove(0);
        let next = queue.next(Instant::now()).map(|j| user_of(&j));
        assert_eq!(next.as_deref(), Some("User \"b\""));
        assert_eq!(queue.queued, 0);
        assert!(queue.next(Instant::now()).is_none());
        let (mut queue, _answers) = queue_with(&[("a", 1)]);
        assert!(queue.next(Instant::now() + Duration::from_secs(61)).is_none(), "past its deadline");
    }

    #[test]
    fn workers_answer_and_stop_with_the_gate() {
        let gate = PasswordGate::new(Arc::new(SecretChecker::default()), 2);
        let right = gate.submit(check("alice", "foo"), ip(1), later());
        let wrong = gate.submit(check("bob", "bar"), ip(1), later());
        assert!(right.blocking_recv().ok().flatten().is_some());
        assert!(matches!(wrong.blocking_recv(), Ok(None)));
        assert!(gate.threads() <= 2);
        let shared = Arc::clone(&gate.shared);
        drop(gate);
        for _ in 0..500 {
            if shared.queue.lock().threads == 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("gate threads did not stop");
    }
}
