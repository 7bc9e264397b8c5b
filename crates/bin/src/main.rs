//! `rnats-server`: parse the command line, load the config file, start the server, act on
//! signals.

mod cli;
mod cluster_flags;
mod go_values;
mod signal;

use std::process::ExitCode;

use rnats::log::Logger;
use rnats::{Options, Server};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // nats-server prints the error, then its usage, and exits 0.
            eprintln!("{e}");
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
    };
    if cli.help {
        print!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    if cli.version {
        println!("nats-server: v{}", rnats::COMPATIBLE_VERSION);
        return ExitCode::SUCCESS;
    }
    if let Some(command) = &cli.signal {
        return match signal::send(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("rnats-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let (mut options, loaded) = match &cli.config {
        Some(path) => match rnats::options::load_config(path) {
            Ok(loaded) => (loaded.options.clone(), Some(loaded)),
            Err(errors) => {
                let mut text = String::from("rnats-server: ");
                for error in &errors {
                    text.push_str(&error.to_string());
                    text.push('\n');
                }
                eprint!("{text}");
                return ExitCode::FAILURE;
            }
        },
        None if cli.check_config => {
            eprintln!("rnats-server: must specify [-c, --config] option to check configuration file syntax");
            return ExitCode::FAILURE;
        }
        None => (Options::default(), None),
    };
    let (mut warnings, config_warnings, security_gaps) = match &loaded {
        Some(l) => (l.warnings.clone(), l.config_warnings, l.security_gaps.clone()),
        None => (Vec::new(), 0, Vec::new()),
    };
    match cli.flags.apply(&mut options) {
        Ok(flag_warnings) => warnings.extend(flag_warnings),
        Err(e) => {
            eprintln!("rnats-server: {e}");
            return ExitCode::FAILURE;
        }
    }
    if cli.check_config && config_warnings > 0 {
        // nats-server's -t fails on its own warnings (its start only logs them).
        let mut text = String::new();
        for warning in &warnings[..config_warnings] {
            text.push_str(&format!("rnats-server: {warning}\n"));
        }
        eprint!("{text}");
        return ExitCode::FAILURE;
    }
    // What would stop the start stops -t too (flags may have changed the file's options).
    let checked = match &loaded {
        Some(loaded) => loaded.check(&options).map_err(|e| e.to_string()),
        None => rnats::options::validate(&options),
    };
    if let Err(e) = checked {
        // nats-server prints its own name and the reason, no log line.
        eprintln!("rnats-server: {e}");
        return ExitCode::FAILURE;
    }
    if !security_gaps.is_empty() {
        let mut text = String::from(
            "rnats-server: refusing to start: the configuration asks for security settings rnats does not enforce yet:\n",
        );
        for gap in &security_gaps {
            text.push_str(&format!("  {gap}\n"));
        }
        eprint!("{text}");
        return ExitCode::FAILURE;
    }
    if cli.check_config {
        // The --tls flags make a TLS setup the file did not have: the start builds it, so -t does.
        if let Some(Err(e)) = options.tls.as_ref().map(rnats::tls::ListenerTls::new) {
            eprintln!("rnats-server: {e}");
            return ExitCode::FAILURE;
        }
        for warning in &warnings {
            eprintln!("rnats-server: warning: {warning}");
        }
        if let Some(path) = &cli.config {
            eprintln!("rnats-server: configuration file {} is valid", path.display());
        }
        return ExitCode::SUCCESS;
    }
    let log = match Logger::new(options.log_file.as_deref(), options.logtime, options.debug, options.trace) {
        Ok(log) => log,
        Err(e) => {
            let path = options.log_file.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
            eprintln!("rnats-server: error opening file: open {path}: {}", rnats::errors::go_os_error(&e));
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

async fn run(options: Options, log: Logger) -> ExitCode {
    // Handlers go in before "Server is ready" is logged: a launcher may signal right after it.
    let mut signals = match signal::Signals::install() {
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
            if let Ok(log) = Logger::new(None, true, false, false) {
                if e.kind() == std::io::ErrorKind::InvalidInput {
                    // A setting that cannot be served (TLS files and their contents).
                    log.fatal(&e.to_string());
                } else {
                    log.fatal(&format!("Error listening on port: {host}:{port}, \"{e}\""));
                }
            }
            return ExitCode::FAILURE;
        }
    };
    let state = std::sync::Arc::clone(server.state());
    let stop = signals.wait_for_stop(&state.log).await;
    state.log.info(&format!("Trapped \"{stop}\" signal"));
    state.log.info("Initiating Shutdown...");
    server.shutdown().await;
    state.log.info("Server Exiting..");
    ExitCode::SUCCESS
}
