//! nats-server's own configuration files (`../shared/conf-corpus`) against what two releases
//! said about each of them with `-t`: 2.9.10 (the corpus's `expected.tsv`) and 2.15.1
//! (`tests/data/expected_2_15_1.tsv`, made by `scripts/corpus-expectations.sh`), both run from
//! the file's working folder.
//!
//! rnats must agree with 2.15.1 on every file: the same verdict, and for a rejected file a
//! first error at the same file and line with the same text. It must agree with 2.9.10 too,
//! except on the files where the two releases disagree (keys added since 2.9.10, validations
//! added since): there rnats follows 2.15.1. The few deliberate differences from 2.15.1 are
//! listed with their reason.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rnats::options::{load_config, load_config_in, ConfigError};
use rnats_testkit::corpus::{corpus, CorpusFile, Verdict, DIFFERENCES};
use rnats_testkit::GoRelease;

/// What nats-server said about a file.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// Valid.
    Ok,
    /// Rejected with a first error at this file (relative to the working folder) and line,
    /// with this text after the position.
    At { file: PathBuf, line: usize, message: String },
    /// Rejected without a position; our error must mention this text.
    Mentions(String),
}

/// Reads nats-server's first output line (without its `nats-server: ` prefix).
fn expected(verdict: &Verdict, file_in_folder: &str) -> Expected {
    let message = verdict.output.as_str();
    if verdict.ok {
        return Expected::Ok;
    }
    if let Some(rest) = message.strip_prefix("Parse error on line ") {
        let line = rest.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        return Expected::At { file: PathBuf::from(file_in_folder), line, message: message.to_string() };
    }
    let mut parts = message.splitn(4, ':');
    if let (Some(file), Some(line), Some(col), Some(text)) = (parts.next(), parts.next(), parts.next(), parts.next()) {
        if let (Ok(line), Ok(_)) = (line.parse::<usize>(), col.parse::<usize>()) {
            return Expected::At { file: PathBuf::from(file), line, message: text.trim().to_string() };
        }
    }
    // No position: the quoted name in the message (an include that is missing).
    let quoted = message.split('\'').nth(1).unwrap_or(message);
    Expected::Mentions(quoted.to_string())
}

/// Whether an error is reported at this line of a file (given relative to the working folder).
fn at(error: &ConfigError, file: &Path, line: usize) -> bool {
    error.pos.as_ref().is_some_and(|pos| pos.line == line && pos.file.as_path().ends_with(file))
}

/// Whether our result agrees with what one release said; `Err(our first line)` otherwise.
fn agrees(
    file: &CorpusFile,
    release: GoRelease,
    got: &Result<rnats::options::Loaded, Vec<ConfigError>>,
) -> Result<(), String> {
    let expected = expected(file.verdict(release), &file.relative);
    let any_order = file.any_order();
    let matches = match (&expected, got) {
        (Expected::Ok, Ok(_)) => true,
        (Expected::At { file, line, message }, Err(errors)) => {
            let same = |e: &ConfigError| at(e, file, *line) && e.message == *message;
            if any_order {
                errors.iter().any(same)
            } else {
                errors.first().is_some_and(same)
            }
        }
        (Expected::Mentions(text), Err(errors)) => {
            errors.first().is_some_and(|e| e.to_string().contains(text.as_str()))
        }
        _ => false,
    };
    if matches {
        return Ok(());
    }
    Err(match got {
        Ok(_) => "ok".to_string(),
        Err(errors) => errors.first().map_or_else(|| "(empty error list)".to_string(), ToString::to_string),
    })
}

#[test]
fn corpus_matches_nats_server() {
    let Some((corpus, files)) = corpus() else {
        return;
    };
    let mut mismatches = Vec::new();
    let mut stale_differences = Vec::new();
    let mut followed_current = Vec::new();
    for file in &files {
        let got = load_config_in(&corpus.join(&file.folder).join(&file.relative), &corpus.join(&file.folder));
        match (agrees(file, GoRelease::Current, &got), file.difference()) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => stale_differences.push(file.file.clone()),
            (Err(ours), None) => mismatches.push((file.file.clone(), GoRelease::Current, ours)),
            (Err(ours), Some(reason)) => {
                eprintln!("deliberate difference {}: {reason}\n  ours: {ours}", file.file);
                continue;
            }
        }
        if let Err(ours) = agrees(file, GoRelease::Debian, &got) {
            if file.releases_agree() {
                mismatches.push((file.file.clone(), GoRelease::Debian, ours));
            } else {
                followed_current.push(file.file.clone());
            }
        }
    }
    assert_eq!(files.len(), 107, "the corpus lists 107 files");
    eprintln!(
        "{} files where the releases disagree, rnats follows 2.15.1: {followed_current:#?}",
        followed_current.len()
    );
    if !mismatches.is_empty() {
        eprintln!("\n{} of {} corpus files do not match nats-server:", mismatches.len(), files.len());
        for (name, release, ours) in &mismatches {
            let file = files.iter().find(|f| f.file == *name).expect("listed");
            eprintln!("{name}\n  {:<7} {}\n  rnats   {ours}", release.version(), file.verdict(*release).output);
        }
    }
    assert!(mismatches.is_empty(), "{} corpus files do not match (listed above)", mismatches.len());
    assert!(stale_differences.is_empty(), "listed as differences but now matching: {stale_differences:?}");
    assert!(DIFFERENCES.len() <= 5, "deliberate differences must stay a handful");
}

#[test]
fn reads_nats_server_output() {
    let verdict = |ok: bool, output: &str| Verdict { ok, output: output.to_string() };
    assert_eq!(expected(&verdict(true, "configuration file simple.conf is valid"), "simple.conf"), Expected::Ok);
    assert_eq!(
        expected(&verdict(false, r#"configs/gws.conf:1:0: unknown field "gateways""#), "configs/gws.conf"),
        Expected::At { file: "configs/gws.conf".into(), line: 1, message: r#"unknown field "gateways""#.into() }
    );
    assert_eq!(
        expected(
            &verdict(false, "Parse error on line 3: 'Expected value but found new line'"),
            "configs/reload/invalid.conf"
        ),
        Expected::At {
            file: "configs/reload/invalid.conf".into(),
            line: 3,
            message: "Parse error on line 3: 'Expected value but found new line'".into()
        }
    );
    assert_eq!(
        expected(
            &verdict(
                false,
                "error parsing include file 'platform.conf', open configs/reload/platform.conf: no such file or directory"
            ),
            "configs/reload/reload.conf"
        ),
        Expected::Mentions("platform.conf".into())
    );
}

/// nats-server 2.9.10 reports nine problems in `multiple_errors.conf` (one a warning it prints
/// first); rnats reports the same nine, in file order (nats-server's order inside `accounts`
/// varies from run to run).
#[test]
fn every_error_of_multiple_errors_conf() {
    let Some(shared) = rnats_testkit::shared_dir() else {
        return;
    };
    let path = shared.join("conf-corpus/server/configs/multiple_errors.conf");
    let errors = load_config(&path).expect_err("multiple_errors.conf is invalid");
    let got: Vec<String> = errors
        .iter()
        .map(|e| {
            let pos = e.pos.as_ref().expect("every error has a position");
            assert!(pos.file.ends_with("configs/multiple_errors.conf"), "{e}");
            format!("{}:{}: {}", pos.line, pos.column, e.message)
        })
        .collect();
    assert_eq!(
        got,
        [
            r#"12:1: invalid use of field "write_deadline": write_deadline should be converted to a duration"#,
            "2:1: Cannot have a user/pass and token",
            r#"10:1: unknown field "monitoring""#,
            r#"21:5: Not a valid public nkey for an account: "OC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL""#,
            "26:9: Not a valid public nkey for a user",
            r#"36:5: Not a valid public nkey for an account: "ODRZ42QBM7SXQDXXTSVWT2WLLFYOQGAFC4TO6WOAXHEKQHIXR4HFYJDS""#,
            "41:9: Not a valid public nkey for a user",
            "54:5: Can not have a single user/pass and accounts",
            "67:3: Cluster authorization does not allow multiple users",
        ]
    );
}

/// Every corpus file nats-server 2.15.1 accepts must start, unless rnats cannot enforce what it
/// asks for (`security_gaps`, which `-t` reports too): those are exactly the files listed here,
/// with the reason. Relative paths are resolved from the folder nats-server ran in.
#[test]
fn corpus_files_start_or_are_refused_for_a_listed_reason() {
    const CANNOT_RUN: &[(&str, &str)] = &[
        ("server/configs/js-op.conf", "operator (JWT) mode"),
        ("server/configs/tls/tls-rsa-1024.conf", "a 1024-bit RSA key: rustls (ring) needs 2048 bits or more"),
        ("server/configs/tls_ciphers.conf", "lists CBC cipher suites, which rustls does not implement"),
        (
            "server/configs/tls_insecure_ciphers_allowed.conf",
            "RC4, 3DES, CBC and static-RSA suites, which rustls does not implement",
        ),
        ("test/configs/operator.conf", "operator (JWT) mode"),
        ("test/configs/operator_inline.conf", "operator (JWT) mode"),
        ("test/configs/resolver_preload.conf", "operator (JWT) mode"),
    ];
    let Some((corpus, files)) = corpus() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
    let (mut started, mut failures, mut refused) = (0, Vec::new(), Vec::new());
    for corpus_file in files.iter().filter(|f| f.verdict(GoRelease::Current).ok && f.difference().is_none()) {
        let (file, folder) = (&corpus_file.file, corpus.join(&corpus_file.folder));
        let loaded = match load_config_in(&folder.join(&corpus_file.relative), &folder) {
            Ok(loaded) => loaded,
            Err(e) => {
                failures.push(format!("{file}: does not load: {e:?}"));
                continue;
            }
        };
        if !loaded.security_gaps.is_empty() {
            refused.push(file.as_str());
            continue;
        }
        let mut options = loaded.options;
        options.host = "127.0.0.1".into();
        options.port = -1;
        options.pid_file = None;
        options.log_file = None;
        if let Some(tls) = options.tls.as_mut() {
            let pairs = tls.certs.iter_mut().flat_map(|(cert, key)| [cert, key]);
            for path in [&mut tls.cert_file, &mut tls.key_file, &mut tls.ca_file].into_iter().flatten().chain(pairs) {
                if path.is_relative() {
                    *path = folder.join(&*path);
                }
            }
        }
        let result = runtime.block_on(async {
            let server = rnats::Server::start(options, rnats::log::Logger::silent()).await?;
            server.shutdown().await;
            Ok::<(), std::io::Error>(())
        });
        match result {
            Ok(()) => started += 1,
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let listed: Vec<&str> = CANNOT_RUN.iter().map(|(file, _)| *file).collect();
    assert_eq!(refused, listed, "the files rnats refuses to run");
    eprintln!("{started} corpus files started");
    assert!(started >= 20, "only {started} corpus files were started");
}

/// The config examples in docs/security.md are valid and need nothing rnats lacks.
#[test]
fn security_doc_examples_load() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/security.md"))
        .expect("docs/security.md");
    let blocks: Vec<&str> = doc.split("```").skip(1).step_by(2).collect();
    assert!(blocks.len() >= 6, "one example per method");
    // The examples' certificate files, with what they are named for (read with the file).
    let dir = std::env::temp_dir().join(format!("rnats-security-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    let pki = rnats_testkit::pki::TestPki::new();
    for (name, source) in
        [("server-cert.pem", &pki.server_cert), ("server-key.pem", &pki.server_key), ("ca.pem", &pki.ca_file)]
    {
        std::fs::copy(source, dir.join(name)).expect("example file");
    }
    for block in blocks {
        let map = rnats_conf::parse_str(block, Path::new("security.md")).unwrap_or_else(|e| panic!("{e:?}\n{block}"));
        let loaded = rnats::options::from_map_in(&map, &dir).unwrap_or_else(|e| panic!("{e:?}\n{block}"));
        assert!(loaded.security_gaps.is_empty(), "{:?}\n{block}", loaded.security_gaps);
    }
}

/// The seed topology's configs in docs/seed are valid and need nothing rnats lacks.
#[test]
fn seed_configs_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/seed");
    for name in ["master.conf", "satellite1.conf", "satellite2.conf"] {
        let loaded = load_config(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(loaded.security_gaps.is_empty(), "{name}: {:?}", loaded.security_gaps);
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        assert!(loaded.options.leafnodes.is_some(), "{name}");
    }
}

/// The `cluster` blocks of nats-server's own cluster configs come out as `ClusterOptions`
/// with the values written in them.
#[test]
fn cluster_blocks_load_into_cluster_options() {
    let Some((corpus, _)) = corpus() else {
        return;
    };
    let cluster = |file: &str| {
        let (folder, relative) = file.split_once('/').expect("folder/path");
        let loaded =
            load_config_in(&corpus.join(file), &corpus.join(folder)).unwrap_or_else(|e| panic!("{relative}: {e:?}"));
        loaded.options.cluster.unwrap_or_else(|| panic!("{file} has a cluster block"))
    };
    let route = |url: &rnats::options::ServerUrl| {
        (url.scheme.clone(), url.host.clone(), url.username.clone(), url.password.clone())
    };
    let some = |text: &str| Some(text.to_string());

    let c = cluster("server/configs/cluster.conf");
    assert_eq!((c.name.as_deref(), c.host.as_str(), c.port), (Some("abc"), "127.0.0.1", 4244));
    assert_eq!(c.authorization.user.as_deref(), Some("route_user"));
    assert_eq!(c.authorization.password.as_deref(), Some("top_secret"));
    assert_eq!(c.authorization.timeout, Some(Duration::from_secs(1)));
    let routes: Vec<_> = c.routes.iter().map(route).collect();
    assert_eq!(
        routes,
        [
            ("nats-route".into(), "127.0.0.1:4245".into(), some("foo"), some("bar")),
            ("nats-route".into(), "127.0.0.1:4246".into(), some("foo"), some("bar")),
        ]
    );
    assert!(c.no_advertise && c.connect_backoff);
    assert_eq!(c.connect_retries, 2);
    assert!(c.tls.is_none() && c.permissions.is_none());

    let c = cluster("test/configs/srv_a_perms.conf");
    assert_eq!((c.name.as_deref(), c.host.as_str(), c.port), (Some("xyz"), "127.0.0.1", 5244));
    assert_eq!(c.authorization.timeout, Some(Duration::from_millis(500)));
    let permissions = c.permissions.clone().expect("permissions");
    let import = permissions.import.expect("import");
    assert_eq!((import.allow, import.deny), (Some(vec!["foo".to_string()]), None));
    let export = permissions.export.expect("export");
    assert_eq!(export.allow, Some(vec!["*".to_string()]));
    assert_eq!(export.deny, Some(vec!["foo".to_string(), "nats".to_string()]));
    assert_eq!(
        c.routes.iter().map(route).collect::<Vec<_>>(),
        [("nats-route".into(), "127.0.0.1:5246".into(), some("ruser"), some("top_secret"))]
    );
    // `no_sys_acc: true`: nothing is pinned besides the (empty) list.
    assert!(c.pinned_accounts(None, true).is_empty());

    let c = cluster("test/configs/new_cluster.conf");
    let hosts: Vec<_> = c.routes.iter().map(|r| (r.hostname().to_string(), r.port().map(str::to_string))).collect();
    assert_eq!(hosts, [("127.0.0.1".to_string(), some("5345")), ("127.0.0.1".to_string(), some("5346"))]);
    assert!(c.routes.iter().all(|r| r.username.is_none()));

    let c = cluster("test/configs/srv_a_tls.conf");
    let tls = c.tls.as_ref().expect("tls");
    assert!(tls.cert_file.as_ref().is_some_and(|f| f.ends_with("srva-cert.pem")));
    assert!(tls.ca_file.as_ref().is_some_and(|f| f.ends_with("ca.pem")));
    assert_eq!(c.auth_timeout(), Duration::from_secs(3), "the TLS timeout and a second");

    let c = cluster("test/configs/tls_cert_cn_routes.conf");
    assert_eq!((c.port, c.is_enabled()), (0, false), "no listener");
    assert!(c.tls.as_ref().is_some_and(|t| t.verify && t.map_users));
    assert_eq!(c.authorization.user.as_deref(), Some("CN=localhost,OU=NATS.io Operators"));
    let permissions = c.permissions.expect("publish/subscribe are import/export");
    assert_eq!(permissions.import.and_then(|p| p.allow), Some(vec!["public.>".to_string()]));
    assert_eq!(permissions.export.and_then(|p| p.allow), Some(vec!["public.>".to_string()]));
}
