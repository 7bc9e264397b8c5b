//! `rnats-server`: parse the command line, start the server, stop on SIGINT/SIGTERM.

mod cli;

use std::process::ExitCode;

use rnats::log::Logger;
use rnats::Server;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, warnings) = match cli::parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("{e}");
            eprint!("{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let options = match command {
        cli::Command::Version => {
            println!("nats-server: v{}", rnats::COMPATIBLE_VERSION);
            return ExitCode::SUCCESS;
        }
        cli::Command::Help => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        cli::Command::Run(options) => *options,
    };
    let log = match Logger::new(options.log_file.as_deref(), options.logtime, options.debug, options.trace) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("rnats-server: cannot open log file: {e}");
            return ExitCode::FAILURE;
        }
    };
    for warning in &warnings {
        log.warn(warning);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rnats-server: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(options, log))
}

async fn run(options: rnats::Options, log: Logger) -> ExitCode {
    // Handlers go in before "Server is ready" is logged: a launcher may signal right after it.
    let mut signals = match Signals::install() {
        Ok(signals) => signals,
        Err(e) => {
            log.fatal(&format!("cannot install signal handlers: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let host = options.host.clone();
    let port = options.listen_port();
    let server = match Server::start(options, log).await {
        Ok(server) => server,
        Err(e) => {
            let log = Logger::new(None, true, false, false);
            if let Ok(log) = log {
                log.fatal(&format!("Error listening on port: {host}:{port}, \"{e}\""));
            }
            return ExitCode::FAILURE;
        }
    };
    let signal = signals.wait().await;
    let state = std::sync::Arc::clone(server.state());
    state.log.info(&format!("Trapped \"{signal}\" signal"));
    state.log.info("Initiating Shutdown...");
    server.shutdown().await;
    state.log.info("Server Exiting..");
    ExitCode::SUCCESS
}

/// SIGINT and SIGTERM, registered up front.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    /// Waits for either; returns its name as nats-server logs it.
    async fn wait(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "interrupt",
            _ = self.terminate.recv() => "terminated",
        }
    }
}
