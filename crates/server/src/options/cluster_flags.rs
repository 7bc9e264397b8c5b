//! What the command line's cluster flags mean for [`ClusterOptions`]: nats-server's
//! `overrideCluster` (`--cluster`/`--cluster_listen URL`) and `RoutesFromStr` (`--routes`),
//! with Go's error texts.

use super::cluster_options::ClusterOptions;
use super::go_url::ServerUrl;
use super::listen::split_host_port;
use crate::errors::go_quote;

impl ClusterOptions {
    /// `--cluster URL`: listen at the URL's host and port (`:-1` for any free port; an empty
    /// URL for no route listener, the rest of the cluster settings kept), and require the
    /// URL's user and password of routes, or no credentials when it names none.
    pub fn listen_at(&mut self, url: &str) -> Result<(), String> {
        if url.is_empty() {
            self.port = 0;
            return Ok(());
        }
        // Go's URL parser refuses a negative port, so nats-server parses port 0 in its place.
        let random = url.strip_suffix(":-1");
        let parsed = match random {
            Some(base) => ServerUrl::parse(&format!("{base}:0"))?,
            None => ServerUrl::parse(url)?,
        };
        let (host, port) = split_host_port(&parsed.host).map_err(|reason| match parsed.host.as_str() {
            "" => reason.to_string(),
            host => format!("address {host}: {reason}"),
        })?;
        self.port = if random.is_some() { -1 } else { scan_port(port)? };
        self.host = host.to_string();
        match (parsed.username, parsed.password) {
            (Some(_), None) => return Err("expected cluster password to be set".into()),
            (user, password) => {
                self.authorization.user = user;
                self.authorization.password = password;
            }
        }
        Ok(())
    }

    /// `--routes URL,URL`: each URL trimmed; none for an empty text. nats-server keeps a URL
    /// it cannot parse as nothing and crashes when it connects to it; rnats refuses it with
    /// Go's reason.
    pub fn routes_from_str(text: &str) -> Result<Vec<ServerUrl>, String> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        text.split(',').map(|url| ServerUrl::parse(url.trim())).collect()
    }
}

/// Go's `fmt.Sscan` of the port digits (the URL allows no others) into an `int`: a leading
/// `0` makes the rest octal, up to the first digit that is not.
fn scan_port(digits: &str) -> Result<i64, String> {
    if digits.is_empty() {
        return Err("EOF".into());
    }
    let (token, base) = match digits.strip_prefix('0') {
        Some(rest) => {
            let octal = rest.bytes().take_while(|b| (b'0'..=b'7').contains(b)).count();
            (&digits[..1 + octal], 8)
        }
        None => (digits, 10),
    };
    i64::from_str_radix(token, base)
        .map_err(|_| format!("strconv.ParseInt: parsing {}: value out of range", go_quote(token.as_bytes())))
}

/// Texts checked against nats-server 2.15.1's start with the same flag.
#[cfg(test)]
mod tests {
    use super::*;

    fn listen(url: &str) -> Result<ClusterOptions, String> {
        let mut cluster = ClusterOptions::default();
        cluster.listen_at(url).map(|()| cluster)
    }

    #[test]
    fn listen_urls() {
        let c = listen("nats://127.0.0.1:6222").expect("valid");
        assert_eq!((c.host.as_str(), c.port, c.authorization.user), ("127.0.0.1", 6222, None));
        let c = listen("nats://ruser:T0pS3cr3t@0.0.0.0:-1").expect("valid");
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", -1));
        assert_eq!(c.authorization.user.as_deref(), Some("ruser"));
        assert_eq!(c.authorization.password.as_deref(), Some("T0pS3cr3t"));
        assert_eq!(listen("nats://[::1]:-1").map(|c| (c.host, c.port)), Ok(("::1".into(), -1)));
        assert_eq!(listen("//127.0.0.1:4248").map(|c| c.port), Ok(4248));
        assert_eq!(listen("nats://u:@h:1").map(|c| c.authorization.password), Ok(Some(String::new())));
        assert_eq!(listen("nats://127.0.0.1:010").map(|c| c.port), Ok(8), "octal, as Go's Sscan reads it");
        assert_eq!(listen("nats://127.0.0.1:019").map(|c| c.port), Ok(1));
        assert_eq!(listen("nats://127.0.0.1:09").map(|c| c.port), Ok(0));
    }

    #[test]
    fn a_flag_without_credentials_clears_the_files() {
        let mut c = ClusterOptions { port: 6222, ..ClusterOptions::default() };
        c.authorization.user = Some("u".into());
        c.authorization.password = Some("p".into());
        c.authorization.timeout = Some(std::time::Duration::from_secs(3));
        c.listen_at("nats://h:7222").expect("valid");
        assert_eq!((c.authorization.user.as_deref(), c.authorization.password.as_deref()), (None, None));
        assert_eq!(c.authorization.timeout, Some(std::time::Duration::from_secs(3)), "kept");
        c.listen_at("").expect("valid");
        assert_eq!((c.host.as_str(), c.port), ("h", 0), "an empty URL only drops the listener");
    }

    #[test]
    fn listen_errors_as_go() {
        let cases = [
            ("nats://u@127.0.0.1:-1", "expected cluster password to be set"),
            ("foo", "missing port in address"),
            ("nats:127.0.0.1:1", "missing port in address"),
            ("nats://127.0.0.1", "address 127.0.0.1: missing port in address"),
            ("nats://[::1]", "address [::1]: missing port in address"),
            ("nats://h:1:2", "address h:1:2: too many colons in address"),
            ("nats://127.0.0.1:", "EOF"),
            (
                "nats://127.0.0.1:99999999999999999999",
                r#"strconv.ParseInt: parsing "99999999999999999999": value out of range"#,
            ),
            ("nats://127.0.0.1:x", r#"parse "nats://127.0.0.1:x": invalid port ":x" after host"#),
            ("x y://a:1", r#"parse "x y://a:1": first path segment in URL cannot contain colon"#),
            (" nats://127.0.0.1:-1", r#"parse " nats://127.0.0.1:0": first path segment in URL cannot contain colon"#),
            ("nats://127.0.0.1:-1/p?x#y", r#"parse "nats://127.0.0.1:-1/p?x": invalid port ":-1" after host"#),
        ];
        for (url, expected) in cases {
            assert_eq!(listen(url).map(|_| ()), Err(expected.to_string()), "{url}");
        }
    }

    #[test]
    fn routes_flag() {
        let routes = ClusterOptions::routes_from_str("nats://a:6222, nats-route://u:p@b:6223").expect("valid");
        let hosts: Vec<&str> = routes.iter().map(|r| r.host.as_str()).collect();
        assert_eq!(hosts, ["a:6222", "b:6223"]);
        assert_eq!(routes[1].password.as_deref(), Some("p"));
        assert_eq!(ClusterOptions::routes_from_str(""), Ok(Vec::new()));
        assert_eq!(
            ClusterOptions::routes_from_str("nats://a:1,x y://b:2").map(|_| ()),
            Err(r#"parse "x y://b:2": first path segment in URL cannot contain colon"#.into())
        );
    }
}
