//! nats-server's command line, parsed with Go's `flag` rules: `-name value`, `-name=value`,
//! `--name value`, booleans without a value (`-D`, or `-D=false`), and parsing stops at the
//! first argument that is not a flag.

use std::path::PathBuf;

use rnats::Options;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run a server.
    Run(Box<Options>),
    /// Print the version and exit.
    Version,
    /// Print usage and exit.
    Help,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Value,
}

#[derive(Clone, Copy)]
enum Flag {
    Port,
    Addr,
    Name,
    Log,
    LogTime,
    Debug,
    Trace,
    DebugTrace,
    Pid,
    Version,
    Help,
    User,
    Pass,
    Token,
    Config,
    HttpPort,
    HttpsPort,
}

const FLAGS: &[(&[&str], Kind, Flag)] = &[
    (&["p", "port"], Kind::Value, Flag::Port),
    (&["a", "addr", "net"], Kind::Value, Flag::Addr),
    (&["n", "name", "server_name"], Kind::Value, Flag::Name),
    (&["l", "log"], Kind::Value, Flag::Log),
    (&["T", "logtime"], Kind::Bool, Flag::LogTime),
    (&["D", "debug"], Kind::Bool, Flag::Debug),
    (&["V", "trace", "VV"], Kind::Bool, Flag::Trace),
    (&["DV", "DVV"], Kind::Bool, Flag::DebugTrace),
    (&["P", "pid"], Kind::Value, Flag::Pid),
    (&["v", "version"], Kind::Bool, Flag::Version),
    (&["h", "help", "help_tls"], Kind::Bool, Flag::Help),
    (&["user"], Kind::Value, Flag::User),
    (&["pass"], Kind::Value, Flag::Pass),
    (&["auth"], Kind::Value, Flag::Token),
    (&["c", "config"], Kind::Value, Flag::Config),
    (&["m", "http_port"], Kind::Value, Flag::HttpPort),
    (&["ms", "https_port"], Kind::Value, Flag::HttpsPort),
];

/// Parses `args` (without the program name). Errors carry Go's wording.
pub fn parse(args: &[String]) -> Result<(Command, Vec<String>), String> {
    let mut options = Options::default();
    let mut warnings = Vec::new();
    let mut version = false;
    let mut help = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            break;
        };
        if body.is_empty() || body.starts_with('-') || body.starts_with('=') {
            return Err(format!("bad flag syntax: {arg}"));
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let Some(&(_, kind, flag)) = FLAGS.iter().find(|(names, _, _)| names.contains(&name)) else {
            return Err(format!("flag provided but not defined: -{name}"));
        };
        let value = match (kind, inline) {
            (Kind::Bool, None) => "true".to_string(),
            (_, Some(v)) => v,
            (Kind::Value, None) => {
                let Some(v) = args.get(i) else {
                    return Err(format!("flag needs an argument: -{name}"));
                };
                i += 1;
                v.clone()
            }
        };
        let boolean =
            || parse_go_bool(&value).ok_or_else(|| format!("invalid boolean value {value:?} for -{name}: parse error"));
        let integer =
            || value.parse::<i32>().map_err(|_| format!("invalid value {value:?} for flag -{name}: parse error"));
        match flag {
            Flag::Port => options.port = integer()?,
            Flag::Addr => options.host = value.clone(),
            Flag::Name => options.server_name = Some(value.clone()),
            Flag::Log => options.log_file = Some(PathBuf::from(&value)),
            Flag::LogTime => options.logtime = boolean()?,
            Flag::Debug => options.debug = boolean()?,
            Flag::Trace => options.trace = boolean()?,
            Flag::DebugTrace => {
                let on = boolean()?;
                options.debug = on;
                options.trace = on;
            }
            Flag::Pid => options.pid_file = Some(PathBuf::from(&value)),
            Flag::Version => version = boolean()?,
            Flag::Help => help = boolean()?,
            Flag::User => options.auth.user = Some(value.clone()),
            Flag::Pass => options.auth.pass = Some(value.clone()),
            Flag::Token => options.auth.token = Some(value.clone()),
            Flag::Config => return Err(format!("config files are not supported yet (-c {value})")),
            Flag::HttpPort | Flag::HttpsPort => {
                integer()?;
                warnings.push(format!("-{name} is accepted but monitoring is not implemented yet"));
            }
        }
    }
    let command = if help {
        Command::Help
    } else if version {
        Command::Version
    } else {
        Command::Run(Box::new(options))
    };
    Ok((command, warnings))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The `-h` text.
pub const USAGE: &str = "\
Usage: rnats-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222; -1 for a random port)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring (not implemented yet)
    -ms,--https_port <port>          Use port for https monitoring (not implemented yet)
    -c, --config <file>              Configuration file (not supported yet)

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
";

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args)?.0 {
            Command::Run(o) => Ok(*o),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn go_flag_forms() {
        assert_eq!(run(&["-p", "4333"]).unwrap().port, 4333);
        assert_eq!(run(&["-p=4333"]).unwrap().port, 4333);
        assert_eq!(run(&["--port", "4333"]).unwrap().port, 4333);
        assert_eq!(run(&["--port=-1"]).unwrap().port, -1);
        assert_eq!(run(&["-p", "-1"]).unwrap().port, -1);
        assert_eq!(run(&["-server_name", "x"]).unwrap().server_name.as_deref(), Some("x"));
        assert_eq!(run(&["-a", "127.0.0.1"]).unwrap().host, "127.0.0.1");
    }

    #[test]
    fn booleans() {
        let o = run(&["-DV"]).unwrap();
        assert!(o.debug && o.trace);
        assert!(!run(&["-T=false"]).unwrap().logtime);
        assert!(run(&["-D"]).unwrap().debug);
        assert!(run(&["-D=maybe"]).is_err());
    }

    #[test]
    fn errors_use_go_wording() {
        assert_eq!(run(&["-x"]).unwrap_err(), "flag provided but not defined: -x");
        assert_eq!(run(&["-p"]).unwrap_err(), "flag needs an argument: -p");
    }

    #[test]
    fn parsing_stops_at_first_positional() {
        assert_eq!(run(&["-p", "5", "extra", "-p", "6"]).unwrap().port, 5);
    }

    #[test]
    fn version_and_help() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches!(parse(&args(&["-v"])).unwrap().0, Command::Version));
        assert!(matches!(parse(&args(&["--help"])).unwrap().0, Command::Help));
    }
}
