//! A storm of logins with wrong bcrypt passwords (issue 11): the work it causes is bounded
//! (threads, queued checks) and a right password still logs in during the storm and at once
//! after it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::support::{eventually, server_from};

/// Attackers, each logging in again as soon as it is refused.
const ATTACKERS: usize = 200;
/// bcrypt cost of every configured password: about 70 ms a check with optimised bcrypt.
const COST: u32 = 10;

/// Logs in with raw protocol: `Ok` once the server answers PING with PONG, `Err` with what it
/// said otherwise (its refusal, or nothing when it closed).
async fn log_in(addr: SocketAddr, user: &str, pass: &str) -> Result<(), String> {
    let mut conn = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let connect = format!("CONNECT {{\"user\":\"{user}\",\"pass\":\"{pass}\",\"verbose\":false}}\r\nPING\r\n");
    conn.write_all(connect.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(30), conn.read(&mut chunk)).await;
        match read {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&chunk[..n]),
            _ => return Err(String::from_utf8_lossy(&seen).into_owned()),
        }
        let text = String::from_utf8_lossy(&seen);
        if text.contains("PONG\r\n") {
            return Ok(());
        }
        if text.contains("-ERR") {
            return Err(text.into_owned());
        }
    }
}

fn threads_of_this_process() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |tasks| tasks.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn right_passwords_log_in_during_and_after_a_bcrypt_storm() {
    let hash = |password: &str| bcrypt::hash(password, COST).expect("bcrypt");
    let server = server_from(&format!(
        "authorization {{ users: [\n\
           {{user: victim, password: \"{}\"}}\n\
           {{user: other, password: \"{}\"}}\n\
           {{user: late, password: \"{}\"}}\n\
         ] }}\n",
        hash("right"),
        hash("other-right"),
        hash("late-right")
    ));
    let addr = server.addr();
    log_in(addr, "victim", "right").await.expect("the victim logs in before the storm");
    let threads_before = threads_of_this_process();

    let storming = Arc::new(AtomicBool::new(true));
    let refusals = Arc::new(AtomicUsize::new(0));
    let attackers: Vec<_> = (0..ATTACKERS)
        .map(|i| {
            let storming = Arc::clone(&storming);
            let refusals = Arc::clone(&refusals);
            tokio::spawn(async move {
                let mut attempt = 0;
                while storming.load(Ordering::Relaxed) {
                    attempt += 1;
                    let answer = log_in(addr, "victim", &format!("wrong-{i}-{attempt}")).await;
                    let refused = matches!(&answer, Err(text)
                        if text.contains("-ERR 'Authorization Violation'") || text.contains("-ERR 'Authentication Timeout'"));
                    assert!(refused, "a wrong password is refused: {answer:?}");
                    refusals.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Every attacker has been answered at least once: the gate is saturated by now.
    assert!(eventually(|| refusals.load(Ordering::Relaxed) >= ATTACKERS).await, "the storm runs");
    let threads_during = threads_of_this_process();

    let other = log_in(addr, "other", "other-right").await;
    let victim = log_in(addr, "victim", "right").await;
    let refused_during = refusals.load(Ordering::Relaxed);

    storming.store(false, Ordering::Relaxed);
    for attacker in attackers {
        attacker.await.expect("attacker");
    }
    let late = log_in(addr, "late", "late-right").await;

    assert_eq!(other, Ok(()), "a first login of another user during the storm");
    assert_eq!(victim, Ok(()), "the attacked user, known from before, during the storm");
    assert_eq!(late, Ok(()), "a first login right after the storm");
    assert!(refused_during >= ATTACKERS, "the storm was at full strength ({refused_during} refusals)");
    // The server runs in this process: its bcrypt threads are among these (the gate has half
    // the cores; a few more may come and go in tokio's pools).
    assert!(
        threads_during <= threads_before + 8,
        "the storm grew the process from {threads_before} to {threads_during} threads"
    );
    // Checks whose clients gave up are skipped, not hashed, so the queue empties at once.
    assert!(eventually(|| server.state().password_checks_waiting() == 0).await, "nothing left queued");
}
