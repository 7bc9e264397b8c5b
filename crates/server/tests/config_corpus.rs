//! nats-server's own configuration files (`../shared/conf-corpus`) against what nats-server
//! 2.9.10 said about each of them (`expected.tsv`, made with `nats-server -t -c FILE` from the
//! file's working folder).
//!
//! A file nats-server accepts must load; a file it rejects must fail with a first error that
//! names the same file and line. Files rejected only for a key of a newer nats-server are
//! valid for rnats. The few deliberate differences are listed with their reason.

use std::path::{Path, PathBuf};

use rnats::options::{load_config, load_config_in, ConfigError};

/// Keys newer than nats-server 2.9.10: a file it rejects only for one of these is valid.
const NEWER_KEYS: [&str; 5] =
    ["allow_trace", "connect_backoff", "server_metadata", "certs", "allow_insecure_cipher_suites"];

/// Deliberate differences from nats-server 2.9.10: (file, reason).
const DIFFERENCES: &[(&str, &str)] = &[];

/// Files with several errors that nats-server prints in random order (it walks a Go map), so
/// its first error is a random one of them; rnats reports them in file order. The error
/// nats-server printed first must be among ours.
const ANY_ORDER: &[(&str, &str)] = &[
    ("conf/includes/passwords.conf", "two variable-like keys of an include fragment, both unknown fields"),
    ("test/configs/auths.conf", "nine variable-like keys of an include fragment, all unknown fields"),
];

/// What nats-server said about a file.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// Valid.
    Ok,
    /// Valid for newer servers: rejected only for a newer key.
    NewerKey(String),
    /// Rejected with a first error at this file (relative to the working folder) and line.
    At { file: PathBuf, line: usize },
    /// Rejected without a position; our error must mention this text.
    Mentions(String),
}

/// Reads nats-server's first output line.
fn expected(status: &str, file_in_folder: &str, output: &str) -> Expected {
    let message = output.strip_prefix("nats-server: ").unwrap_or(output);
    if status == "ok" {
        return Expected::Ok;
    }
    for key in NEWER_KEYS {
        if message.ends_with(&format!("unknown field {key:?}"))
            || message.ends_with(&format!("unknown field [{key:?}]"))
        {
            return Expected::NewerKey(key.to_string());
        }
    }
    if let Some(rest) = message.strip_prefix("Parse error on line ") {
        let line = rest.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        return Expected::At { file: PathBuf::from(file_in_folder), line };
    }
    let mut parts = message.splitn(4, ':');
    if let (Some(file), Some(line), Some(col), Some(_)) = (parts.next(), parts.next(), parts.next(), parts.next()) {
        if let (Ok(line), Ok(_)) = (line.parse::<usize>(), col.parse::<usize>()) {
            return Expected::At { file: PathBuf::from(file), line };
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

/// Whether our result agrees; `Err(description)` of ours otherwise.
fn agrees(expected: &Expected, got: &Result<rnats::options::Loaded, Vec<ConfigError>>) -> Result<(), String> {
    let first = match got {
        Ok(_) => None,
        Err(errors) => Some(errors.first().map_or_else(|| "(empty error list)".to_string(), ToString::to_string)),
    };
    let matches = match (expected, got) {
        (Expected::Ok | Expected::NewerKey(_), Ok(_)) => true,
        (Expected::At { file, line }, Err(errors)) => errors.first().is_some_and(|e| at(e, file, *line)),
        (Expected::Mentions(text), Err(errors)) => {
            errors.first().is_some_and(|e| e.to_string().contains(text.as_str()))
        }
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        Err(first.unwrap_or_else(|| "ok".to_string()))
    }
}

#[test]
fn corpus_matches_nats_server() {
    let Some(shared) = rnats_testkit::shared_dir() else {
        return;
    };
    let corpus = shared.join("conf-corpus");
    let table = std::fs::read_to_string(corpus.join("expected.tsv")).expect("conf-corpus/expected.tsv");
    let mut total = 0;
    let mut mismatches = Vec::new();
    let mut stale_differences = Vec::new();
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut columns = line.splitn(3, '\t');
        let (Some(file), Some(status), Some(output)) = (columns.next(), columns.next(), columns.next()) else {
            panic!("malformed expected.tsv line: {line:?}");
        };
        total += 1;
        // nats-server ran from the first folder (server/, test/ or conf/) with the rest as path.
        let (folder, in_folder) = file.split_once('/').expect("corpus paths start with their folder");
        let path = corpus.join(folder).join(in_folder);
        let expected = expected(status, in_folder, output);
        let got = load_config_in(&path, &corpus.join(folder));
        let mut outcome = agrees(&expected, &got);
        if ANY_ORDER.iter().any(|(f, _)| *f == file) {
            outcome = match (&expected, &got) {
                (Expected::At { file, line }, Err(errors)) if errors.iter().any(|e| at(e, file, *line)) => Ok(()),
                _ => outcome,
            };
        }
        let theirs = output.strip_prefix("nats-server: ").unwrap_or(output);
        if let (true, Err(errors)) = (theirs.starts_with("Parse error on line "), &got) {
            // A syntax error's text is nats-server's, whole (launchers look for it).
            if errors.first().is_none_or(|first| first.message != theirs) {
                outcome = Err(errors.first().map_or_else(String::new, ToString::to_string));
            }
        } else if let (Expected::At { .. }, Err(errors)) = (&expected, &got) {
            let theirs_message = theirs.splitn(4, ':').nth(3).map(str::trim);
            if let (Some(theirs_message), Some(first)) = (theirs_message, errors.first()) {
                if first.message != theirs_message {
                    eprintln!("message differs for {file}:\n  theirs: {theirs_message}\n  ours:   {}", first.message);
                }
            }
        }
        let difference = DIFFERENCES.iter().find(|(f, _)| *f == file);
        match (outcome, difference) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => stale_differences.push(file.to_string()),
            (Err(ours), None) => mismatches.push((file.to_string(), output.to_string(), ours)),
            (Err(ours), Some((_, reason))) => eprintln!("deliberate difference {file}: {reason}\n  ours: {ours}"),
        }
    }
    assert_eq!(total, 107, "expected.tsv lists 107 files");
    if !mismatches.is_empty() {
        eprintln!("\n{} of {total} corpus files do not match nats-server 2.9.10:", mismatches.len());
        eprintln!("{:<60} | {:<70} | ours", "file", "nats-server 2.9.10");
        for (file, theirs, ours) in &mismatches {
            eprintln!("{file:<60} | {theirs:<70} | {ours}");
        }
    }
    assert!(mismatches.is_empty(), "{} corpus files do not match (table above)", mismatches.len());
    assert!(stale_differences.is_empty(), "listed as differences but now matching: {stale_differences:?}");
    assert!(DIFFERENCES.len() <= 5, "deliberate differences must stay a handful");
}

#[test]
fn reads_nats_server_output() {
    assert_eq!(expected("ok", "simple.conf", "nats-server: configuration file simple.conf is valid"), Expected::Ok);
    assert_eq!(
        expected(
            "error",
            "configs/cluster.conf",
            r#"nats-server: configs/cluster.conf:36:3: unknown field "connect_backoff""#
        ),
        Expected::NewerKey("connect_backoff".into())
    );
    assert_eq!(
        expected(
            "error",
            "x.conf",
            r#"nats-server: configs/a.conf:6:3: error parsing tls config, unknown field ["certs"]"#
        ),
        Expected::NewerKey("certs".into())
    );
    assert_eq!(
        expected("error", "configs/gws.conf", r#"nats-server: configs/gws.conf:1:0: unknown field "gateways""#),
        Expected::At { file: "configs/gws.conf".into(), line: 1 }
    );
    assert_eq!(
        expected(
            "error",
            "configs/reload/invalid.conf",
            "nats-server: Parse error on line 3: 'Expected value but found new line'"
        ),
        Expected::At { file: "configs/reload/invalid.conf".into(), line: 3 }
    );
    assert_eq!(
        expected(
            "error",
            "configs/reload/reload.conf",
            "nats-server: error parsing include file 'platform.conf', open configs/reload/platform.conf: no such file or directory"
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

/// Every corpus file nats-server accepts and rnats can enforce entirely (no security gaps)
/// must also start: certificates and keys load, TLS settings are servable. Relative paths are
/// resolved from the folder nats-server ran in. Files whose TLS settings rustls cannot honour
/// are listed with the reason.
#[test]
fn corpus_files_without_gaps_start() {
    let Some(shared) = rnats_testkit::shared_dir() else {
        return;
    };
    const CANNOT_SERVE: &[(&str, &str)] = &[
        ("server/configs/tls/tls-rsa-1024.conf", "a 1024-bit RSA key: rustls (ring) needs 2048 bits or more"),
        ("server/configs/tls_ciphers.conf", "lists CBC cipher suites, which rustls does not implement"),
        (
            "server/configs/tls_insecure_ciphers.conf",
            "RC4, 3DES, CBC and static-RSA suites, which rustls does not implement",
        ),
    ];
    let corpus = shared.join("conf-corpus");
    let table = std::fs::read_to_string(corpus.join("expected.tsv")).expect("conf-corpus/expected.tsv");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
    let (mut started, mut failures) = (0, Vec::new());
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut columns = line.splitn(3, '\t');
        let (Some(file), Some(status)) = (columns.next(), columns.next()) else { continue };
        if status != "ok" {
            continue;
        }
        let (folder, in_folder) = file.split_once('/').expect("folder");
        let Ok(loaded) = load_config_in(&corpus.join(folder).join(in_folder), &corpus.join(folder)) else { continue };
        if !loaded.security_gaps.is_empty() {
            continue;
        }
        let mut options = loaded.options;
        options.host = "127.0.0.1".into();
        options.port = -1;
        options.pid_file = None;
        options.log_file = None;
        if let Some(tls) = options.tls.as_mut() {
            for path in [&mut tls.cert_file, &mut tls.key_file, &mut tls.ca_file].into_iter().flatten() {
                if path.is_relative() {
                    *path = corpus.join(folder).join(&*path);
                }
            }
        }
        let result = runtime.block_on(async {
            let server = rnats::Server::start(options, rnats::log::Logger::silent()).await?;
            server.shutdown().await;
            Ok::<(), std::io::Error>(())
        });
        match (result, CANNOT_SERVE.iter().find(|(f, _)| *f == file)) {
            (Ok(()), None) => started += 1,
            (Ok(()), Some(_)) => failures.push(format!("{file}: listed as unservable but starts")),
            (Err(e), None) => failures.push(format!("{file}: {e}")),
            (Err(_), Some(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
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
    // The examples' certificate files, present (their contents are checked at start only).
    let dir = std::env::temp_dir().join(format!("rnats-security-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    for name in doc.split('"').filter(|word| word.ends_with(".pem") && !word.contains(char::is_whitespace)) {
        std::fs::write(dir.join(name), "").expect("write example file");
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
