//! The ports file (`ports_file_dir`): launchers (test harnesses such as nats.js's) wait for
//! `<dir>/<executable>_<pid>.ports` to learn where a server listens. nats-server writes it
//! once its listeners are up and removes it when it exits; the JSON is the same here.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::errors::go_os_error;
use crate::log::Logger;

/// `<dir>/<executable's base name>_<pid>.ports`, as nats-server names it.
pub(crate) fn path(dir: &Path) -> PathBuf {
    let executable = std::env::args_os()
        .next()
        .and_then(|arg0| Path::new(&arg0).file_name().map(|name| name.to_string_lossy().into_owned()))
        .unwrap_or_default();
    dir.join(format!("{executable}_{}.ports", std::process::id()))
}

/// Writes the ports file for a client listener on `client` (`tls`: TLS required). A failure
/// is logged, as nats-server logs it, and the server runs on.
pub(crate) fn write(log: &Logger, dir: &Path, client: SocketAddr, tls: bool) -> Option<PathBuf> {
    let path = path(dir);
    let scheme = if tls { "tls" } else { "nats" };
    match std::fs::write(&path, contents(&[("nats", urls(scheme, client))])) {
        Ok(()) => Some(path),
        Err(e) => {
            let shown = path.display();
            log.error(&format!("Error writing ports file ({shown}): open {shown}: {}", go_os_error(&e)));
            None
        }
    }
}

/// Removes the ports file at exit.
pub(crate) fn remove(log: &Logger, path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        let shown = path.display();
        log.error(&format!("Error cleaning up ports file {shown}: remove {shown}: {}", go_os_error(&e)));
    }
}

/// nats-server's JSON: one list of URLs per listener, in its field order, with no spaces;
/// listeners without addresses are left out.
fn contents(listeners: &[(&str, Vec<String>)]) -> String {
    let fields: Vec<String> = listeners
        .iter()
        .filter(|(_, urls)| !urls.is_empty())
        .map(|(name, urls)| format!("\"{name}\":{}", serde_json::Value::from(urls.clone())))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// The listener's URLs: its own address, or for a wildcard every address of every interface
/// (interface by interface, in the system's order), as Go's `resolveHostPorts` lists them.
fn urls(scheme: &str, addr: SocketAddr) -> Vec<String> {
    let ips = if addr.ip().is_unspecified() { interface_addresses() } else { vec![addr.ip()] };
    ips.into_iter().map(|ip| format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))).collect()
}

fn interface_addresses() -> Vec<IpAddr> {
    let mut interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    // Stable: within an interface the system's order (IPv4 first) stays.
    interfaces.sort_by_key(|interface| interface.index.unwrap_or(u32::MAX));
    interfaces.into_iter().map(|interface| interface.ip()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_nats_server_writes_it() {
        let client: SocketAddr = "127.0.0.1:4222".parse().expect("address");
        assert_eq!(contents(&[("nats", urls("nats", client))]), r#"{"nats":["nats://127.0.0.1:4222"]}"#);
        let v6: SocketAddr = "[::1]:4222".parse().expect("address");
        assert_eq!(urls("tls", v6), ["tls://[::1]:4222"]);
        assert_eq!(contents(&[("nats", Vec::new())]), "{}");
    }

    #[test]
    fn a_wildcard_listener_lists_every_interface_address() {
        let listed = urls("nats", "0.0.0.0:4222".parse().expect("address"));
        assert!(listed.iter().any(|u| u == "nats://127.0.0.1:4222"), "{listed:?}");
        assert!(listed.iter().all(|u| u.ends_with(":4222") && !u.contains("0.0.0.0")), "{listed:?}");
    }

    #[test]
    fn named_after_the_executable_and_the_process() {
        let file = path(Path::new("/run/x"));
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.ends_with(&format!("_{}.ports", std::process::id())), "{name}");
        assert_eq!(file.parent(), Some(Path::new("/run/x")));
    }
}
