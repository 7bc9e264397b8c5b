//! The cluster flags (`--routes`, `--cluster`/`--cluster_listen`, `--cluster_name`,
//! `--cluster_advertise`, `--no_advertise`, `--connect_retries`) over the file's cluster
//! options, in the order nats-server's `ConfigureOptions` applies them.

use rnats::options::ClusterOptions;
use rnats::Options;

/// Values of the cluster flags given (`None`: not on the command line).
#[derive(Debug, Default)]
pub struct ClusterFlags {
    /// `--cluster` or `--cluster_listen` (the later one given).
    pub listen: Option<String>,
    /// `--routes`.
    pub routes: Option<String>,
    /// `--cluster_name`.
    pub name: Option<String>,
    /// `--cluster_advertise`.
    pub advertise: Option<String>,
    /// `--no_advertise`.
    pub no_advertise: Option<bool>,
    /// `--connect_retries`.
    pub connect_retries: Option<i64>,
}

impl ClusterFlags {
    /// Sets what the flags say; the error is nats-server's.
    pub fn apply(&self, options: &mut Options) -> Result<(), String> {
        let given = self.listen.is_some()
            || self.routes.is_some()
            || self.name.is_some()
            || self.advertise.is_some()
            || self.no_advertise.is_some()
            || self.connect_retries.is_some();
        if !given {
            return Ok(());
        }
        let cluster = options.cluster.get_or_insert_with(ClusterOptions::default);
        // The plain values first: nats-server's second flag parse sets them over the file.
        if let Some(name) = &self.name {
            cluster.name = Some(name.clone()).filter(|n| !n.is_empty());
        }
        if let Some(advertise) = &self.advertise {
            cluster.advertise = Some(advertise.clone()).filter(|a| !a.is_empty());
        }
        if let Some(on) = self.no_advertise {
            cluster.no_advertise = on;
        }
        if let Some(retries) = self.connect_retries {
            cluster.connect_retries = retries;
        }
        if let Some(url) = &self.listen {
            cluster.listen_at(url)?;
        }
        let routes = self.routes.as_deref().filter(|r| !r.is_empty());
        let listen = self.listen.as_deref().is_some_and(|l| !l.is_empty());
        if routes.is_some() && !listen && cluster.host.is_empty() && cluster.port == 0 {
            return Err("solicited routes require cluster capabilities, e.g. --cluster".into());
        }
        if let Some(text) = &self.routes {
            cluster.routes = ClusterOptions::routes_from_str(text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(flags: ClusterFlags, file: Option<ClusterOptions>) -> Result<ClusterOptions, String> {
        let mut options = Options { cluster: file, ..Options::default() };
        flags.apply(&mut options)?;
        Ok(options.cluster.expect("cluster"))
    }

    #[test]
    fn no_flag_no_cluster() {
        let mut options = Options::default();
        ClusterFlags::default().apply(&mut options).expect("nothing to do");
        assert!(options.cluster.is_none());
    }

    #[test]
    fn flags_win_over_the_file() {
        let file = ClusterOptions {
            name: Some("file".into()),
            host: "10.0.0.1".into(),
            port: 6222,
            advertise: Some("file:1".into()),
            connect_retries: 9,
            pool_size: 5,
            ..ClusterOptions::default()
        };
        let flags = ClusterFlags {
            listen: Some("nats://127.0.0.1:-1".into()),
            name: Some("flag".into()),
            advertise: Some(String::new()),
            no_advertise: Some(true),
            connect_retries: Some(2),
            routes: Some("nats://a:1".into()),
        };
        let c = apply(flags, Some(file)).expect("valid");
        assert_eq!((c.name.as_deref(), c.host.as_str(), c.port), (Some("flag"), "127.0.0.1", -1));
        assert_eq!((c.advertise, c.no_advertise, c.connect_retries), (None, true, 2));
        assert_eq!(c.pool_size, 5, "what no flag sets stays");
        assert_eq!(c.routes.len(), 1);
    }

    #[test]
    fn routes_need_a_listener() {
        let routes = || ClusterFlags { routes: Some("nats://a:1".into()), ..ClusterFlags::default() };
        let refused = Err("solicited routes require cluster capabilities, e.g. --cluster".to_string());
        assert_eq!(apply(routes(), None).map(|_| ()), refused);
        let no_listener = ClusterFlags { listen: Some(String::new()), ..routes() };
        let file = ClusterOptions { port: 6222, ..ClusterOptions::default() };
        assert_eq!(apply(no_listener, Some(file)).map(|_| ()), refused, "--cluster \"\" drops the file's");
        let file = ClusterOptions { port: 6222, ..ClusterOptions::default() };
        assert_eq!(apply(routes(), Some(file)).map(|c| c.routes.len()), Ok(1));
        let host_only = ClusterOptions { host: "127.0.0.1".into(), ..ClusterOptions::default() };
        assert_eq!(apply(routes(), Some(host_only)).map(|c| c.routes.len()), Ok(1), "a host is enough for nats-server");
    }

    #[test]
    fn empty_routes_clear_the_files() {
        let file = ClusterOptions {
            routes: ClusterOptions::routes_from_str("nats://a:1").expect("valid"),
            ..ClusterOptions::default()
        };
        let flags = ClusterFlags { routes: Some(String::new()), ..ClusterFlags::default() };
        assert_eq!(apply(flags, Some(file)).map(|c| c.routes.len()), Ok(0));
    }

    #[test]
    fn listen_errors_come_first() {
        let flags = ClusterFlags {
            listen: Some("nats://u@h:1".into()),
            routes: Some("x y://a:1".into()),
            ..ClusterFlags::default()
        };
        assert_eq!(apply(flags, None).map(|_| ()), Err("expected cluster password to be set".into()));
        let flags = ClusterFlags {
            listen: Some("nats://127.0.0.1:-1".into()),
            routes: Some("x y://a:1".into()),
            ..ClusterFlags::default()
        };
        let reason = r#"parse "x y://a:1": first path segment in URL cannot contain colon"#;
        assert_eq!(apply(flags, None).map(|_| ()), Err(reason.into()));
    }
}
