//! nats-server's command line, parsed with Go's `flag` rules: `-name value`, `-name=value`,
//! `--name value`, booleans without a value (`-D`, or `-D=false`), and parsing stops at the
//! first argument that is not a flag. Only flags given explicitly override the config file,
//! as in nats-server.

use std::path::PathBuf;

use rnats::Options;

use crate::cluster_flags::ClusterFlags;
use crate::go_values::{parse_go_bool, parse_go_int};

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Cli {
    /// `-c`: the config file.
    pub config: Option<PathBuf>,
    /// `-t`: check the config and exit.
    pub check_config: bool,
    /// `-sl`: send a signal to a running server instead of starting one.
    pub signal: Option<String>,
    /// `-v`.
    pub version: bool,
    /// `-h` / `--help_tls`.
    pub help: bool,
    /// Flags that were given, to override the config file.
    pub flags: Flags,
}

/// Values of the flags given explicitly (`None`: not on the command line).
#[derive(Debug, Default)]
pub struct Flags {
    port: Option<i32>,
    host: Option<String>,
    server_name: Option<String>,
    pid_file: Option<PathBuf>,
    ports_file_dir: Option<PathBuf>,
    log_file: Option<PathBuf>,
    logtime: Option<bool>,
    debug: Option<bool>,
    trace: Option<bool>,
    user: Option<String>,
    pass: Option<String>,
    token: Option<String>,
    tls: TlsFlags,
    cluster: ClusterFlags,
    /// Flags rnats accepts but whose features are not built yet: (flag, value).
    inactive: Vec<(String, String)>,
}

/// `--tls`, `--tlscert`, `--tlskey`, `--tlscacert`, `--tlsverify`.
#[derive(Debug, Default)]
struct TlsFlags {
    /// Any `--tls*` flag was given.
    given: bool,
    /// `--tls` (or `--tlsverify`) value; `--tls=false` turns TLS off.
    enable: Option<bool>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    ca: Option<PathBuf>,
    verify: Option<bool>,
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
    PortsFileDir,
    Version,
    Help,
    User,
    Pass,
    Token,
    Config,
    CheckConfig,
    Signal,
    Tls,
    TlsCert,
    TlsKey,
    TlsVerify,
    TlsCaCert,
    /// The cluster flags: read into the options, not active yet (a warning says so).
    Routes,
    ClusterListen,
    ClusterName,
    ClusterAdvertise,
    NoAdvertise,
    ConnectRetries,
    /// Parsed and validated, not active yet: a warning says so.
    Inactive,
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
    (&["t"], Kind::Bool, Flag::CheckConfig),
    (&["sl", "signal"], Kind::Value, Flag::Signal),
    (&["m", "http_port"], Kind::Value, Flag::Inactive),
    (&["ms", "https_port"], Kind::Value, Flag::Inactive),
    (&["client_advertise"], Kind::Value, Flag::Inactive),
    (&["ports_file_dir"], Kind::Value, Flag::PortsFileDir),
    (&["s", "syslog"], Kind::Bool, Flag::Inactive),
    (&["r", "remote_syslog"], Kind::Value, Flag::Inactive),
    (&["log_size_limit"], Kind::Value, Flag::Inactive),
    (&["max_traced_msg_len"], Kind::Value, Flag::Inactive),
    (&["js", "jetstream"], Kind::Bool, Flag::Inactive),
    (&["sd", "store_dir"], Kind::Value, Flag::Inactive),
    (&["tls"], Kind::Bool, Flag::Tls),
    (&["tlscert"], Kind::Value, Flag::TlsCert),
    (&["tlskey"], Kind::Value, Flag::TlsKey),
    (&["tlsverify"], Kind::Bool, Flag::TlsVerify),
    (&["tlscacert"], Kind::Value, Flag::TlsCaCert),
    (&["routes"], Kind::Value, Flag::Routes),
    (&["cluster", "cluster_listen"], Kind::Value, Flag::ClusterListen),
    (&["cluster_name"], Kind::Value, Flag::ClusterName),
    (&["no_advertise"], Kind::Bool, Flag::NoAdvertise),
    (&["cluster_advertise"], Kind::Value, Flag::ClusterAdvertise),
    (&["connect_retries"], Kind::Value, Flag::ConnectRetries),
    (&["profile"], Kind::Value, Flag::Inactive),
];

/// Parses `args` (without the program name). Errors carry Go's wording.
pub fn parse(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else { break };
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
                let Some(v) = args.get(i) else { return Err(format!("flag needs an argument: -{name}")) };
                i += 1;
                v.clone()
            }
        };
        apply(&mut cli, flag, kind, name, value)?;
    }
    Ok(cli)
}

fn apply(cli: &mut Cli, flag: Flag, kind: Kind, name: &str, value: String) -> Result<(), String> {
    let boolean =
        || parse_go_bool(&value).ok_or_else(|| format!("invalid boolean value {value:?} for -{name}: parse error"));
    // Go's `int` is 64 bits; rnats keeps ports in 32.
    let integer = |narrow: bool| {
        parse_go_int(&value)
            .and_then(|n| if narrow && i32::try_from(n).is_err() { Err("value out of range") } else { Ok(n) })
            .map_err(|reason| format!("invalid value {value:?} for flag -{name}: {reason}"))
    };
    let flags = &mut cli.flags;
    if matches!(
        flag,
        Flag::Routes
            | Flag::ClusterListen
            | Flag::ClusterName
            | Flag::ClusterAdvertise
            | Flag::NoAdvertise
            | Flag::ConnectRetries
            | Flag::Inactive
    ) {
        flags.inactive.push((name.to_string(), value.clone()));
    }
    match flag {
        // `integer(true)` refused what does not fit.
        Flag::Port => flags.port = i32::try_from(integer(true)?).ok(),
        Flag::Addr => flags.host = Some(value),
        Flag::Name => flags.server_name = Some(value),
        Flag::Log => flags.log_file = Some(PathBuf::from(value)),
        Flag::LogTime => flags.logtime = Some(boolean()?),
        Flag::Debug => flags.debug = Some(boolean()?),
        Flag::Trace => flags.trace = Some(boolean()?),
        Flag::DebugTrace => {
            let on = boolean()?;
            flags.debug = Some(on);
            flags.trace = Some(on);
        }
        Flag::Pid => flags.pid_file = Some(PathBuf::from(value)),
        // An empty directory leaves the config file's in force, as in nats-server.
        Flag::PortsFileDir => flags.ports_file_dir = Some(PathBuf::from(value)).filter(|d| !d.as_os_str().is_empty()),
        Flag::Version => cli.version = boolean()?,
        Flag::Help => cli.help = boolean()?,
        Flag::User => flags.user = Some(value),
        Flag::Pass => flags.pass = Some(value),
        Flag::Token => flags.token = Some(value),
        Flag::Config => cli.config = Some(PathBuf::from(value)),
        Flag::CheckConfig => cli.check_config = boolean()?,
        Flag::Signal => cli.signal = Some(value),
        Flag::Tls => {
            flags.tls.given = true;
            flags.tls.enable = Some(boolean()?);
        }
        Flag::TlsCert => {
            flags.tls.given = true;
            flags.tls.cert = Some(PathBuf::from(value));
        }
        Flag::TlsKey => {
            flags.tls.given = true;
            flags.tls.key = Some(PathBuf::from(value));
        }
        Flag::TlsCaCert => {
            flags.tls.given = true;
            flags.tls.ca = Some(PathBuf::from(value));
        }
        Flag::TlsVerify => {
            flags.tls.given = true;
            flags.tls.verify = Some(boolean()?);
        }
        Flag::Routes => flags.cluster.routes = Some(value),
        Flag::ClusterListen => flags.cluster.listen = Some(value),
        Flag::ClusterName => flags.cluster.name = Some(value),
        Flag::ClusterAdvertise => flags.cluster.advertise = Some(value),
        Flag::NoAdvertise => flags.cluster.no_advertise = Some(boolean()?),
        Flag::ConnectRetries => flags.cluster.connect_retries = Some(integer(false)?),
        Flag::Inactive => {
            if kind == Kind::Bool {
                boolean()?;
            }
        }
    }
    Ok(())
}

impl Flags {
    /// Applies the flags given over `options` (which came from defaults or a config file) and
    /// returns warnings for flags whose features are not built yet; the error is
    /// nats-server's for flags it refuses once the file is read (`--cluster`, `--routes`).
    pub fn apply(&self, options: &mut Options) -> Result<Vec<String>, String> {
        if let Some(port) = self.port {
            options.port = port;
        }
        if let Some(host) = &self.host {
            options.host = host.clone();
        }
        if let Some(name) = &self.server_name {
            options.server_name = Some(name.clone());
        }
        if let Some(path) = &self.pid_file {
            options.pid_file = Some(path.clone());
        }
        if let Some(dir) = &self.ports_file_dir {
            options.ports_file_dir = Some(dir.clone());
        }
        if let Some(path) = &self.log_file {
            options.log_file = Some(path.clone());
        }
        if let Some(on) = self.logtime {
            options.logtime = on;
        }
        if let Some(on) = self.debug {
            options.debug = on;
        }
        if let Some(on) = self.trace {
            options.trace = on;
        }
        if let Some(user) = &self.user {
            options.auth.user = Some(user.clone());
        }
        if let Some(pass) = &self.pass {
            options.auth.pass = Some(pass.clone());
        }
        if let Some(token) = &self.token {
            options.auth.token = Some(token.clone());
        }
        self.cluster.apply(options)?;
        self.tls.apply(options);
        Ok(self
            .inactive
            .iter()
            .map(|(name, _)| {
                format!("flag -{name} is accepted but its feature is not implemented in rnats yet; ignored")
            })
            .collect())
    }
}

impl TlsFlags {
    /// nats-server's `overrideTLS`: any `--tls*` flag turns TLS on (`--tls=false` turns it
    /// off, config file included); the flags given win over the file's certificate, key, CA
    /// and verification; cipher suites and curves go back to the defaults; the file's
    /// timeout, mapping and pins stay.
    fn apply(&self, options: &mut Options) {
        if !self.given {
            return;
        }
        if self.enable == Some(false) {
            options.tls = None;
            return;
        }
        let from_file = options.tls.take().unwrap_or_default();
        options.tls = Some(rnats::options::TlsConfig {
            cert_file: self.cert.clone().or(from_file.cert_file.clone()),
            key_file: self.key.clone().or(from_file.key_file.clone()),
            ca_file: self.ca.clone().or(from_file.ca_file.clone()),
            verify: self.verify.unwrap_or(false) || from_file.verify,
            cipher_suites: Vec::new(),
            curve_preferences: Vec::new(),
            ..from_file
        });
    }
}

/// The `-h` text (nats-server's options; those marked * are accepted but not active yet).
pub const USAGE: &str = "
Usage: rnats-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222; -1 for a random port)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring (*)
    -ms,--https_port <port>          Use port for https monitoring (*)
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
    -sl,--signal <signal>[=<pid>]    Send signal to rnats-server process (ldm, stop, quit, term, reopen, reload)
                                     <pid> can be either a PID (e.g. 1) or the path to a PID file
        --client_advertise <string>  Client URL to advertise to other servers (*)
        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -s, --syslog                     Log to syslog (*)
    -r, --remote_syslog <addr>       Syslog server addr (*)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -VV                              Verbose trace
    -DV                              Debug and trace
    -DVV                             Debug and verbose trace
        --log_size_limit <limit>     Logfile size limit (*)
        --max_traced_msg_len <len>   Maximum printable length for traced messages (*)

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality (*)
    -sd, --store_dir <dir>           Set the storage directory (*)

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options (*):
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options (*):
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries
        --cluster_listen <url>       Cluster url from which members can solicit routes

Profiling Options (*):
        --profile <port>             Profiling HTTP port

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help

(*) accepted for compatibility; not implemented in rnats yet (a warning is logged)
";

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Result<Cli, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn run(args: &[&str]) -> Result<Options, String> {
        let parsed = cli(args)?;
        let mut options = Options::default();
        parsed.flags.apply(&mut options)?;
        Ok(options)
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
        assert_eq!(cli(&["-config", "a.conf"]).unwrap().config, Some(PathBuf::from("a.conf")));
        assert_eq!(cli(&["--config=a.conf", "-t"]).unwrap().config, Some(PathBuf::from("a.conf")));
        assert!(cli(&["-t"]).unwrap().check_config);
    }

    #[test]
    fn tls_flags_turn_tls_on() {
        let o = run(&["--tlscert", "c.pem", "--tlskey", "k.pem"]).unwrap();
        let tls = o.tls.expect("on");
        assert_eq!(tls.cert_file, Some(PathBuf::from("c.pem")));
        assert!(!tls.verify);
        let o = run(&["--tlsverify", "--tlscacert", "ca.pem"]).unwrap();
        let tls = o.tls.expect("on");
        assert!(tls.verify);
        assert_eq!(tls.ca_file, Some(PathBuf::from("ca.pem")));
        let parsed = cli(&["--tls=false"]).unwrap();
        let mut from_file = Options { tls: Some(rnats::options::TlsConfig::default()), ..Options::default() };
        parsed.flags.apply(&mut from_file).expect("valid");
        assert!(from_file.tls.is_none(), "--tls=false turns the file's TLS off");
        let parsed = cli(&["--tlscert", "flag.pem"]).unwrap();
        let file_tls = rnats::options::TlsConfig {
            cert_file: Some("file.pem".into()),
            key_file: Some("file.key".into()),
            map_users: true,
            verify: true,
            cipher_suites: vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into()],
            ..Default::default()
        };
        let mut from_file = Options { tls: Some(file_tls), ..Options::default() };
        parsed.flags.apply(&mut from_file).expect("valid");
        let tls = from_file.tls.expect("on");
        assert_eq!(tls.cert_file, Some(PathBuf::from("flag.pem")));
        assert_eq!(tls.key_file, Some(PathBuf::from("file.key")));
        assert!(tls.verify && tls.map_users);
        assert!(tls.cipher_suites.is_empty());
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
    fn only_given_flags_override() {
        let parsed = cli(&["-D"]).unwrap();
        let mut from_file = Options { port: 5555, ..Options::default() };
        parsed.flags.apply(&mut from_file).expect("valid");
        assert_eq!(from_file.port, 5555, "config value kept");
        assert!(from_file.debug);
    }

    #[test]
    fn inactive_flags_parse_and_warn() {
        let args =
            ["-cluster", "nats://127.0.0.1:-1", "-routes", "nats://a:6222", "--tls", "-cluster_name=x", "-m", "8222"];
        let warnings = cli(&args).unwrap().flags.apply(&mut Options::default()).expect("valid");
        assert_eq!(warnings.len(), 4, "--tls is active: {warnings:?}");
        assert_eq!(warnings[1], "flag -routes is accepted but its feature is not implemented in rnats yet; ignored");
        assert!(cli(&["--tlsverify=nope"]).is_err());
    }

    /// Every cluster flag in each form nats-server takes, test launchers' single dash included.
    #[test]
    fn cluster_flags() {
        let o = run(&[
            "-cluster",
            "nats://ruser:rpass@127.0.0.1:-1",
            "-routes",
            "nats://127.0.0.1:6222,nats-route://u:p@127.0.0.1:6223",
            "-cluster_name",
            "C",
            "--cluster_advertise=adv:1",
            "--no_advertise",
            "--connect_retries",
            "0x10",
        ])
        .unwrap();
        let c = o.cluster.expect("cluster");
        assert_eq!((c.host.as_str(), c.port, c.name.as_deref()), ("127.0.0.1", -1, Some("C")));
        assert_eq!(
            (c.authorization.user.as_deref(), c.authorization.password.as_deref()),
            (Some("ruser"), Some("rpass"))
        );
        let routes: Vec<&str> = c.routes.iter().map(|r| r.host.as_str()).collect();
        assert_eq!(routes, ["127.0.0.1:6222", "127.0.0.1:6223"]);
        assert_eq!((c.advertise.as_deref(), c.no_advertise, c.connect_retries), (Some("adv:1"), true, 16));
        let c =
            run(&["--cluster_listen=nats://0.0.0.0:6222", "-no_advertise=false"]).unwrap().cluster.expect("cluster");
        assert_eq!((c.host.as_str(), c.port, c.no_advertise), ("0.0.0.0", 6222, false));
        assert!(run(&["-p", "4222"]).unwrap().cluster.is_none(), "no cluster flag, no cluster");
    }

    #[test]
    fn cluster_flag_errors_are_nats_servers() {
        assert_eq!(
            run(&["--routes", "nats://a:1"]).unwrap_err(),
            "solicited routes require cluster capabilities, e.g. --cluster"
        );
        assert_eq!(run(&["--cluster", "nats://u@127.0.0.1:-1"]).unwrap_err(), "expected cluster password to be set");
        assert_eq!(run(&["--cluster", "nats://127.0.0.1"]).unwrap_err(), "address 127.0.0.1: missing port in address");
        assert_eq!(cli(&["--routes"]).unwrap_err(), "flag needs an argument: -routes");
        assert_eq!(
            cli(&["--no_advertise=x"]).unwrap_err(),
            r#"invalid boolean value "x" for -no_advertise: parse error"#
        );
        assert_eq!(
            cli(&["--connect_retries", "_1"]).unwrap_err(),
            r#"invalid value "_1" for flag -connect_retries: parse error"#
        );
        assert_eq!(
            cli(&["--connect_retries", "99999999999999999999"]).unwrap_err(),
            r#"invalid value "99999999999999999999" for flag -connect_retries: value out of range"#
        );
    }

    #[test]
    fn integer_flags_as_go_reads_them() {
        assert_eq!(run(&["-p", "0x10"]).unwrap().port, 16);
        assert_eq!(
            cli(&["-p", "4294967296"]).unwrap_err(),
            r#"invalid value "4294967296" for flag -p: value out of range"#
        );
    }

    #[test]
    fn auth_flags() {
        let o = run(&["--user", "u", "--pass", "p"]).unwrap();
        assert_eq!((o.auth.user.as_deref(), o.auth.pass.as_deref()), (Some("u"), Some("p")));
        assert_eq!(run(&["-auth", "t"]).unwrap().auth.token.as_deref(), Some("t"));
    }

    #[test]
    fn errors_use_go_wording() {
        assert_eq!(cli(&["-x"]).unwrap_err(), "flag provided but not defined: -x");
        assert_eq!(cli(&["-p"]).unwrap_err(), "flag needs an argument: -p");
        assert_eq!(cli(&["-sl"]).unwrap_err(), "flag needs an argument: -sl");
    }

    #[test]
    fn parsing_stops_at_first_positional() {
        assert_eq!(run(&["-p", "5", "extra", "-p", "6"]).unwrap().port, 5);
    }

    #[test]
    fn version_and_help() {
        assert!(cli(&["-v"]).unwrap().version);
        assert!(cli(&["--help"]).unwrap().help);
        assert!(cli(&["--help_tls"]).unwrap().help);
    }
}
