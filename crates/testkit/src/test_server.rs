use std::net::SocketAddr;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use rnats::log::Logger;
use rnats::{Options, Server, ServerState};

/// An rnats server on `127.0.0.1` and a random port, running on its own runtime thread so
/// tests may use any runtime (or none). Shut down when dropped.
pub struct TestServer {
    addr: SocketAddr,
    leaf_addr: Option<SocketAddr>,
    state: Arc<ServerState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server with default options.
    pub fn start() -> TestServer {
        Self::with_options(Options::default())
    }

    /// Starts a server with `options`, forcing the address to `127.0.0.1` and a random port.
    pub fn with_options(options: Options) -> TestServer {
        Self::with_options_and_log(options, Logger::silent())
    }

    /// Like [`TestServer::with_options`], logging to `log`.
    pub fn with_options_and_log(mut options: Options, log: Logger) -> TestServer {
        options.host = "127.0.0.1".to_string();
        Self::on_configured_host(options, log)
    }

    /// Starts a server on the host `options` name (by default every address: nats-server's
    /// `0.0.0.0`), on a random port.
    pub fn on_configured_host(mut options: Options, log: Logger) -> TestServer {
        options.port = -1;
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("test runtime");
            runtime.block_on(async move {
                let server = Server::start(options, log).await.expect("test server starts");
                let report = (server.local_addr(), server.leaf_addr(), Arc::clone(server.state()));
                ready_tx.send(report).expect("report address");
                let _ = stop_rx.await;
                server.shutdown().await;
            });
        });
        let (addr, leaf_addr, state) = ready_rx.recv().expect("test server thread started");
        TestServer { addr, leaf_addr, state, stop: Some(stop_tx), thread: Some(thread) }
    }

    /// Client address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where leaf nodes connect (when `leafnodes { port }` is configured).
    pub fn leaf_addr(&self) -> Option<SocketAddr> {
        self.leaf_addr
    }

    /// `nats-leaf://127.0.0.1:<leaf port>` (panics without a leaf listener).
    pub fn leaf_url(&self) -> String {
        format!("nats-leaf://{}", self.leaf_addr.expect("leaf listener"))
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://{}", self.addr)
    }

    /// The server's shared state.
    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
