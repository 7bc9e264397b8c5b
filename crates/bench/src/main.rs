//! `rnats-bench`: load for any NATS server, reporting rates next to the CPU the server and the
//! tool itself used. Raw protocol over blocking sockets with large batched writes, so the tool
//! is not the bottleneck (`calibrate` shows its ceiling against a plain TCP sink).

mod procstat;
mod scenarios;
mod wire;

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// Parsed command line.
pub struct Args {
    pub addr: SocketAddr,
    pub server_pid: u32,
    pub msgs: u64,
    pub size: usize,
    pub clients: usize,
    pub conns: usize,
    pub timeout: Duration,
    pub json: bool,
    pub label: String,
    /// Credentials of publishing and requesting connections.
    pub pub_auth: Option<(String, String)>,
    /// Credentials of subscribing and responding connections.
    pub sub_auth: Option<(String, String)>,
}

const USAGE: &str = "\
Usage: rnats-bench <scenario> [options]

Scenarios:
  pub         one publisher, no subscribers
  pubsub      1 publisher -> 1 subscriber (checks none is lost)
  fanout      1 publisher -> --clients subscribers (default 4)
  fanin       --clients publishers -> 1 subscriber
  queue       1 publisher -> 4 members of one queue group (each message exactly once)
  reqrep      request-reply latency with one responder (p50/p90/p99/p99.9)
  idle        --conns idle connections with one subscription each: connect time, server RSS
  subs100k    100 000 subscriptions (literal and wildcard), publishing across them
  calibrate   the tool against a plain TCP sink (no server): its own ceiling

Options:
  --url nats://HOST:PORT   server (default nats://127.0.0.1:4222)
  --server-pid PID         server process, for its CPU and memory figures
  --msgs N                 messages (default 1000000)
  --size BYTES             payload size (default 16)
  --clients N              subscribers/publishers for fanout/fanin (default 4)
  --conns N                connections for idle (default 10000)
  --timeout SECS           hard bound per scenario (default 120)
  --label TEXT             tag for machine-readable lines (e.g. the server's name)
  --pub-user USER:PASS     credentials of publishers and requesters (accounts)
  --sub-user USER:PASS     credentials of subscribers and responders (accounts)
  --json                   also print one JSON line per figure
";

fn parse_args(args: &[String]) -> Result<(String, Args), String> {
    let mut scenario = None;
    let mut url = "nats://127.0.0.1:4222".to_string();
    let mut parsed = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 4222)),
        server_pid: 0,
        msgs: 1_000_000,
        size: 16,
        clients: 4,
        conns: 10_000,
        timeout: Duration::from_secs(120),
        json: false,
        label: String::new(),
        pub_auth: None,
        sub_auth: None,
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{arg} needs a value"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{arg}: not a number: {v}"));
        match arg {
            "--url" => url = value()?,
            "--server-pid" => parsed.server_pid = number(value()?)? as u32,
            "--msgs" => parsed.msgs = number(value()?)?,
            "--size" => parsed.size = number(value()?)? as usize,
            "--clients" => parsed.clients = number(value()?)?.max(1) as usize,
            "--conns" => parsed.conns = number(value()?)? as usize,
            "--timeout" => parsed.timeout = Duration::from_secs(number(value()?)?),
            "--label" => parsed.label = value()?,
            "--pub-user" => parsed.pub_auth = Some(split_credentials(&value()?)?),
            "--sub-user" => parsed.sub_auth = Some(split_credentials(&value()?)?),
            "--json" => parsed.json = true,
            "-h" | "--help" => return Err(String::new()),
            s if !s.starts_with('-') && scenario.is_none() => scenario = Some(s.to_string()),
            s => return Err(format!("unknown argument {s}")),
        }
        i += 1;
    }
    let host_port = url.trim_start_matches("nats://");
    parsed.addr = host_port
        .to_socket_addrs()
        .map_err(|e| format!("bad --url {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("bad --url {url}"))?;
    Ok((scenario.ok_or("no scenario given")?, parsed))
}

/// `USER:PASSWORD`.
fn split_credentials(text: &str) -> Result<(String, String), String> {
    text.split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .ok_or_else(|| format!("credentials must be USER:PASSWORD, got {text:?}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (scenario, args) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("rnats-bench: {e}");
            }
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match scenarios::run(&scenario, &args) {
        Ok(figures) => {
            for figure in &figures {
                println!("{}", figure.table_line());
                if args.json {
                    println!("{}", figure.json_line(&args.label));
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rnats-bench: {scenario}: {e}");
            ExitCode::FAILURE
        }
    }
}
