//! `accounts` (with their users, imports, exports, mappings, limits and JetStream limits) and
//! the top-level `mappings`: checked as nats-server checks them; rnats has a single account
//! so far and ignores them.

use std::collections::{HashMap, HashSet};

use rnats_conf::{Map, Pos, Value};

use super::auth::{
    apply_default_permissions, is_public_key, is_valid_subject, permissions, register_users, users, PREFIX_ACCOUNT,
};
use super::check::{go_display, go_quote_value, go_type, Ctx, Item, Step};
use super::duration::parse_go_duration;
use super::{Limit, Options};

/// nats-server's global account, which a configuration may not define.
const GLOBAL_ACCOUNT: &str = "$G";

/// An export, for checking imports against it.
struct ExportDef {
    /// The exporting account.
    owner: String,
    service: bool,
    subject: String,
    /// Accounts allowed to import (empty: public).
    accounts: Vec<String>,
    /// `account_token_position` is set (the importer's name must be in the subject).
    token_position: bool,
    /// Service exports: responses are a stream (or chunked) rather than one message.
    streamed_responses: bool,
    /// Service exports: `response_threshold`.
    threshold: Option<std::time::Duration>,
}

/// An import, checked once all accounts and exports are known.
struct ImportDef {
    /// The importing account.
    importer: String,
    service: bool,
    /// The exporting account.
    account: String,
    subject: String,
    /// Stream imports: `prefix`.
    prefix: Option<String>,
    /// Stream imports: `to`.
    to: Option<String>,
}

impl ImportDef {
    /// The subject the import uses in the importing account.
    fn local_subject(&self) -> String {
        match (&self.prefix, &self.to) {
            (Some(prefix), _) => format!("{}.{}", prefix.trim_end_matches('.'), self.subject),
            (None, Some(to)) => to.clone(),
            (None, None) => self.subject.clone(),
        }
    }
}

/// Imports and exports of all accounts, resolved after the accounts block.
#[derive(Default)]
struct References {
    exports: Vec<ExportDef>,
    imports: Vec<ImportDef>,
}

impl References {
    /// nats-server's resolution of exports, then imports: every account they name must exist
    /// and every import must be allowed by a matching export of its account.
    fn resolve(&self, ctx: &mut Ctx, o: &mut Options, pos: &Pos, defined: &HashSet<String>) {
        for service in [false, true] {
            let what = if service { "service export" } else { "stream export" };
            for export in self.exports.iter().filter(|e| e.service == service) {
                for name in export.accounts.iter().filter(|a| !defined.contains(*a)) {
                    ctx.error(pos, format!("{name:?} account not defined for {what}"));
                }
            }
        }
        for service in [false, true] {
            let kind = if service { "service" } else { "stream" };
            for import in self.imports.iter().filter(|i| i.service == service) {
                if !defined.contains(&import.account) {
                    ctx.error(pos, format!("{:?} account not defined for {kind} import", import.account));
                } else if !self.authorized(import) {
                    // nats-server's text, then the two accounts (it names neither).
                    let message = format!(
                        "Error adding {kind} import {:?}: {kind} import not authorized (account {:?} importing from {:?})",
                        import.subject, import.importer, import.account
                    );
                    ctx.error(pos, message);
                } else if self.forms_cycle(import) {
                    let message = format!(
                        "Error adding {kind} import {:?}: import forms a cycle (account {:?} importing from {:?})",
                        import.subject, import.importer, import.account
                    );
                    ctx.error(pos, message);
                } else if import.service {
                    let export = self.covering_export(import);
                    o.service_imports.push(super::ServiceImportConfig {
                        importer: import.importer.clone(),
                        exporter: import.account.clone(),
                        subject: import.subject.clone(),
                        to: import.to.clone(),
                        streamed_responses: export.is_some_and(|e| e.streamed_responses),
                        response_threshold: export.and_then(|e| e.threshold),
                    });
                } else {
                    o.stream_imports.push(super::StreamImportConfig {
                        importer: import.importer.clone(),
                        exporter: import.account.clone(),
                        subject: import.subject.clone(),
                        prefix: import.prefix.clone(),
                        to: import.to.clone(),
                    });
                }
            }
        }
    }

    /// Whether messages could loop through this import: the exporter already (directly or
    /// through further imports of the same kind) receives from the importer something that
    /// collides with what it exports here. A self-import is the shortest such loop (nats-server
    /// 2.9.10 lets that one through `-t`; rnats refuses it, as it would loop at run time).
    fn forms_cycle(&self, import: &ImportDef) -> bool {
        // Only imports added before this one count, as nats-server adds them in order.
        let earlier = self.imports.iter().take_while(|i| !std::ptr::eq(*i, import));
        let mut stack = vec![(import.account.as_str(), import.subject.clone())];
        let mut seen = HashSet::new();
        while let Some((account, subject)) = stack.pop() {
            if account == import.importer {
                return true;
            }
            if !seen.insert((account.to_string(), subject.clone())) {
                continue;
            }
            for next in earlier.clone().filter(|i| i.importer == account && i.service == import.service) {
                if rnats_subject::subjects_collide(next.local_subject().as_bytes(), subject.as_bytes()) {
                    stack.push((next.account.as_str(), next.subject.clone()));
                }
            }
        }
        false
    }

    /// The export that covers an (authorized) import.
    fn covering_export(&self, import: &ImportDef) -> Option<&ExportDef> {
        let mut candidates = self.exports.iter().filter(|e| e.owner == import.account && e.service == import.service);
        let tokens: Vec<&str> = import.subject.split('.').collect();
        candidates.find(|e| e.subject == import.subject || is_subset_match(&tokens, &e.subject))
    }

    /// Whether an export of the import's account covers the import (nats-server's
    /// `checkStreamImportAuthorized`/`checkServiceImportAuthorized`): an exact subject first,
    /// else an export whose subject contains the imported one.
    fn authorized(&self, import: &ImportDef) -> bool {
        let candidates: Vec<&ExportDef> =
            self.exports.iter().filter(|e| e.owner == import.account && e.service == import.service).collect();
        let allows = |e: &ExportDef| e.accounts.is_empty() || e.token_position || e.accounts.contains(&import.importer);
        if let Some(exact) = candidates.iter().find(|e| e.subject == import.subject) {
            return allows(exact);
        }
        let tokens: Vec<&str> = import.subject.split('.').collect();
        candidates.iter().any(|e| is_subset_match(&tokens, &e.subject) && allows(e))
    }
}

/// nats-server's `isSubsetMatch`: whether every subject matching `tokens` also matches `test`.
fn is_subset_match(tokens: &[&str], test: &str) -> bool {
    let test: Vec<&str> = test.split('.').collect();
    for (i, t2) in test.iter().enumerate() {
        let Some(t1) = tokens.get(i) else {
            return false;
        };
        if t2.is_empty() {
            return false;
        }
        if *t2 == ">" {
            return true;
        }
        if t1.is_empty() || *t1 == ">" {
            return false;
        }
        if *t1 == "*" {
            if *t2 != "*" {
                return false;
            }
            continue;
        }
        if *t2 != "*" && t1 != t2 {
            return false;
        }
    }
    tokens.len() == test.len()
}

/// nats-server's `parseAccounts`. Every account named joins [`Options::accounts`]; account
/// users join [`Options::users`].
pub(crate) fn accounts(ctx: &mut Ctx, o: &mut Options, item: Item<'_>) {
    match item.value {
        Value::Array(elements) => {
            let mut seen = HashSet::new();
            for element in elements.iter() {
                let Value::String(name) = &element.value else {
                    let _: Step<()> = ctx.wrong_type(Item::element(element), "string");
                    return;
                };
                if name == GLOBAL_ACCOUNT {
                    ctx.error(&element.pos, format!("{name:?} is a Reserved Account"));
                } else if !seen.insert(name.clone()) {
                    ctx.error(&element.pos, format!("Duplicate Account Entry: {name}"));
                } else {
                    o.accounts.push(name.clone());
                }
            }
        }
        Value::Map(map) => {
            let mut refs = References::default();
            let mut defined = HashSet::new();
            for entry in map.iter() {
                // A variable defined inside the block is not an account.
                if entry.used_as_variable {
                    continue;
                }
                let Value::Map(fields) = &entry.value.value else {
                    ctx.error(&entry.key_pos, "Expected map entries for accounts");
                    continue;
                };
                if entry.key == GLOBAL_ACCOUNT {
                    ctx.error(&entry.key_pos, format!("{:?} is a Reserved Account", entry.key));
                    continue;
                }
                defined.insert(entry.key.clone());
                o.accounts.push(entry.key.clone());
                if account(ctx, o, &entry.key, fields, &mut refs).is_err() {
                    // A wrong type ends nats-server's whole accounts block.
                    return;
                }
            }
            // nats-server resolves imports and exports only when nothing failed so far.
            if ctx.errors.is_empty() {
                refs.resolve(ctx, o, item.pos, &defined);
            }
        }
        // nats-server ignores any other type here.
        _ => {}
    }
}

/// One account's block.
fn account(ctx: &mut Ctx, o: &mut Options, name: &str, fields: &Map, refs: &mut References) -> Step<()> {
    let mut account_users = None;
    let mut default_permissions = None;
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "nkey" => {
                let valid = matches!(it.value, Value::String(s) if is_public_key(s, PREFIX_ACCOUNT));
                if !valid {
                    let shown = go_quote_value(it.value);
                    ctx.error(it.pos, format!("Not a valid public nkey for an account: {shown}"));
                }
            }
            "imports" => {
                let _ = imports(ctx, name, it, refs);
            }
            "exports" => {
                let _ = exports(ctx, name, it, refs);
            }
            "jetstream" => {
                if account_jetstream(ctx, it).is_ok() {
                    if !matches!(it.value, Value::Bool(false)) {
                        ctx.facts.jetstream_accounts.push((name.to_string(), it.pos.clone()));
                    }
                    ctx.note(it.pos, format!("account {name}: jetstream is not supported yet by rnats; ignored"));
                }
            }
            "users" => {
                if let Ok(list) = users(ctx, it) {
                    account_users = Some((it.pos, list));
                }
            }
            "default_permissions" => default_permissions = permissions(ctx, it).ok(),
            "mappings" | "maps" => {
                if mappings(ctx, it).is_ok() {
                    ctx.note(it.pos, format!("account {name}: mappings are not supported yet by rnats; ignored"));
                }
            }
            "limits" => {
                if let Ok(limits) = limits(ctx, it) {
                    o.account_limits.push((name.to_string(), limits));
                }
            }
            // Newer than 2.9.10.
            "msg_trace" | "trace_dest" => {
                if msg_trace(ctx, &entry.key, it).is_ok() {
                    ctx.note(it.pos, format!("account {name}: {} is not supported yet by rnats; ignored", entry.key));
                }
            }
            _ => ctx.unknown_field(entry),
        }
    }
    if let Some((pos, mut list)) = account_users {
        apply_default_permissions(&mut list, default_permissions.as_ref());
        add_account_users(ctx, o, name, pos, list);
    }
    Ok(())
}

/// An account's users join the registry; nats-server refuses them next to a single
/// top-level user or token.
fn add_account_users(ctx: &mut Ctx, o: &mut Options, name: &str, pos: &Pos, list: Vec<super::ConfigUser>) {
    if ctx.users.single_user {
        ctx.error(pos, "Can not have a single user/pass and accounts");
        return;
    }
    if ctx.users.token {
        ctx.error(pos, "Can not have a token and accounts");
        return;
    }
    let fresh = register_users(ctx, pos, list);
    o.users.extend(fresh.into_iter().map(|mut u| {
        u.account = Some(name.to_string());
        u
    }));
}

/// `exports = [ {stream: ...}, {service: ..., accounts: [...]} ]`.
fn exports(ctx: &mut Ctx, owner: &str, item: Item<'_>, refs: &mut References) -> Step<()> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Exports should be an array, got {}", go_type(item.value)));
    };
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let message = format!("Export Items should be a map with type entry, got {}", go_type(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        if let Ok(Some(mut export)) = export(ctx, fields) {
            export.owner = owner.to_string();
            refs.exports.push(export);
        }
    }
    Ok(())
}

/// nats-server's `parseExportStreamOrService`.
fn export(ctx: &mut Ctx, fields: &Map) -> Step<Option<ExportDef>> {
    let mut stream = false;
    let mut service = false;
    let mut subject = String::new();
    let mut token_position = false;
    let mut response: Option<&Pos> = None;
    let mut latency: Option<&Pos> = None;
    let mut allow_trace: Option<&Pos> = None;
    let mut threshold = false;
    let mut accounts: Vec<String> = Vec::new();
    let mut streamed_responses = false;
    let mut threshold_value = None;
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "stream" => {
                if service {
                    ctx.error(it.pos, format!("Detected stream {:?} but already saw a service", go_display(it.value)));
                    continue;
                }
                if let Some(pos) = response {
                    ctx.error(pos, "Detected response directive on non-service");
                    continue;
                }
                if let Some(pos) = latency {
                    ctx.error(pos, "Detected latency directive on non-service");
                    continue;
                }
                if let Some(pos) = allow_trace {
                    ctx.error(pos, "Detected allow_trace directive on non-service");
                    continue;
                }
                let Value::String(name) = it.value else {
                    ctx.error(it.pos, format!("Expected stream name to be string, got {}", go_type(it.value)));
                    continue;
                };
                subject = name.clone();
                stream = true;
            }
            "service" => {
                if stream {
                    ctx.error(it.pos, format!("Detected service {:?} but already saw a stream", go_display(it.value)));
                    continue;
                }
                let Value::String(name) = it.value else {
                    ctx.error(it.pos, format!("Expected service name to be string, got {}", go_type(it.value)));
                    continue;
                };
                subject = name.clone();
                service = true;
            }
            "response" | "response_type" => {
                if response.is_some() {
                    ctx.error(it.pos, "Duplicate response type definition");
                    continue;
                }
                response = Some(it.pos);
                let Value::String(kind) = it.value else {
                    ctx.error(it.pos, format!("Expected response type to be string, got {}", go_type(it.value)));
                    continue;
                };
                let lower = kind.to_ascii_lowercase();
                if !matches!(lower.as_str(), "single" | "singleton" | "stream" | "chunk" | "chunked") {
                    ctx.error(it.pos, format!("Unknown response type: {kind:?}"));
                    continue;
                }
                streamed_responses = matches!(lower.as_str(), "stream" | "chunk" | "chunked");
                if stream {
                    ctx.error(it.pos, "Detected response directive on non-service");
                }
            }
            "threshold" | "response_threshold" | "response_max_time" | "response_time" => {
                if threshold {
                    ctx.error(it.pos, "Duplicate response threshold detected");
                    continue;
                }
                threshold = true;
                let Value::String(text) = it.value else {
                    let message = format!(
                        "Expected response threshold to be a parseable time duration, got {}",
                        go_type(it.value)
                    );
                    ctx.error(it.pos, message);
                    continue;
                };
                threshold_value =
                    parse_go_duration(text).ok().map(|ns| std::time::Duration::from_nanos(ns.max(0) as u64));
                if threshold_value.is_none() {
                    let message = format!("Expected response threshold to be a parseable time duration, got {text:?}");
                    ctx.error(it.pos, message);
                    continue;
                }
                if stream {
                    ctx.error(it.pos, "Detected response directive on non-service");
                }
            }
            "accounts" => {
                for element in ctx.array(it)? {
                    accounts.push(ctx.str(Item::element(element))?.to_string());
                }
            }
            "latency" => {
                latency = Some(it.pos);
                if service_latency(ctx, it).is_err() {
                    continue;
                }
                if stream {
                    ctx.error(it.pos, "Detected latency directive on non-service");
                }
            }
            "account_token_position" => {
                token_position = ctx.int(it)? > 0;
            }
            // Newer than 2.9.10.
            "allow_trace" => {
                allow_trace = Some(it.pos);
                ctx.bool(it)?;
                if stream {
                    ctx.error(it.pos, "Detected allow_trace directive on non-service");
                }
            }
            _ => ctx.unknown_field(entry),
        }
    }
    if !stream && !service {
        return Ok(None);
    }
    Ok(Some(ExportDef {
        owner: String::new(),
        service,
        subject,
        accounts,
        token_position,
        streamed_responses,
        threshold: threshold_value,
    }))
}

/// nats-server's `parseServiceLatency`: a subject, or `{sampling, subject}`.
fn service_latency(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let fields = match item.value {
        Value::String(_) => return Ok(()),
        Value::Map(fields) => fields,
        other => {
            let message = format!("Expected latency entry to be a map/struct or string, got {}", go_type(other));
            return ctx.fail(item.pos, message);
        }
    };
    if let Some(entry) = fields.get("sampling") {
        let it = Item::entry(entry);
        let sample = match it.value {
            Value::Integer(n) => Some(*n),
            Value::String(s) if s.trim().eq_ignore_ascii_case("headers") => None,
            Value::String(s) => {
                let digits = s.strip_suffix('%').unwrap_or(s);
                match super::listen::go_atoi(digits) {
                    Some(n) => Some(n),
                    None => {
                        let message =
                            format!("Failed to parse latency sample: strconv.Atoi: parsing {digits:?}: invalid syntax");
                        return ctx.fail(it.pos, message);
                    }
                }
            }
            other => {
                let message = format!("Expected latency sample to be a string or map/struct, got {}", go_type(other));
                return ctx.fail(it.pos, message);
            }
        };
        if matches!(sample, Some(n) if !(1..=100).contains(&n)) {
            return ctx.fail(it.pos, "bad sampling percentage, should be 1-100");
        }
    }
    let Some(entry) = fields.get("subject") else {
        return ctx.fail(item.pos, "Latency subject required, but missing");
    };
    if !matches!(entry.value.value, Value::String(_)) {
        return ctx.fail(&entry.key_pos, "Expected latency subject to be a string, got string");
    }
    Ok(())
}

/// `imports = [ {stream: {account, subject}, prefix}, {service: {account, subject}, to} ]`.
fn imports(ctx: &mut Ctx, importer: &str, item: Item<'_>, refs: &mut References) -> Step<()> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Imports should be an array, got {}", go_type(item.value)));
    };
    // Service import subjects of this account: subject -> (account, subject).
    let mut services: HashMap<String, (String, String)> = HashMap::new();
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let message = format!("Import Items should be a map with type entry, got {}", go_type(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        let Ok(Some(import)) = import(ctx, fields) else {
            continue;
        };
        if import.service {
            if let Some((account, subject)) = services.get(&import.to) {
                let message = format!(
                    "Duplicate service import subject {:?}, previously used in import for account {account:?}, subject {subject:?}",
                    import.to
                );
                ctx.error(&element.pos, message);
                continue;
            }
            services.insert(import.to.clone(), (import.account.clone(), import.subject.clone()));
        }
        let Import { service, account, subject, prefix, stream_to, to } = import;
        let to = if service { Some(to) } else { stream_to };
        refs.imports.push(ImportDef { importer: importer.to_string(), service, account, subject, prefix, to });
    }
    Ok(())
}

/// One parsed import.
struct Import {
    service: bool,
    account: String,
    subject: String,
    /// The local subject of a service import.
    to: String,
    /// A stream import's `prefix`.
    prefix: Option<String>,
    /// A stream import's `to`.
    stream_to: Option<String>,
}

/// nats-server's `parseImportStreamOrService`.
fn import(ctx: &mut Ctx, fields: &Map) -> Step<Option<Import>> {
    let mut found: Option<Import> = None;
    let mut allow_trace: Option<&Pos> = None;
    let mut prefix = false;
    let mut prefix_text: Option<String> = None;
    let mut to: Option<String> = None;
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            key @ ("stream" | "service") => {
                let service = key == "service";
                if let Some(previous) = &found {
                    let message = if service {
                        "Detected service but already saw a stream"
                    } else {
                        "Detected stream but already saw a service"
                    };
                    if previous.service != service {
                        ctx.error(it.pos, message);
                        continue;
                    }
                }
                if let (true, Some(pos)) = (service, allow_trace) {
                    ctx.error(pos, "Detected allow_trace directive on a non-stream");
                    continue;
                }
                let Value::Map(account) = it.value else {
                    let what = if service { "Service" } else { "Stream" };
                    let message = format!("{what} entry should be an account map, got {}", go_type(it.value));
                    ctx.error(it.pos, message);
                    continue;
                };
                let Ok((name, subject)) = import_account(ctx, account) else {
                    continue;
                };
                if name.is_empty() || subject.is_empty() {
                    ctx.error(it.pos, "Expect an account name and a subject");
                    continue;
                }
                let local = to.clone().filter(|_| service).unwrap_or_else(|| subject.clone());
                found = Some(Import { service, account: name, subject, to: local, prefix: None, stream_to: None });
            }
            "prefix" => {
                prefix_text = Some(ctx.str(it)?.to_string());
                prefix = true;
            }
            "to" => {
                let target = ctx.str(it)?.to_string();
                match &mut found {
                    Some(import) if import.service => import.to = target.clone(),
                    Some(_) if prefix => {
                        ctx.error(it.pos, "Stream import can not have a 'prefix' and a 'to' property");
                        continue;
                    }
                    _ => {}
                }
                to = Some(target);
            }
            "share" => {
                ctx.bool(it)?;
            }
            // Newer than 2.9.10.
            "allow_trace" => {
                if found.as_ref().is_some_and(|i| i.service) {
                    ctx.error(it.pos, "Detected allow_trace directive on a non-stream");
                    continue;
                }
                ctx.bool(it)?;
                allow_trace = Some(it.pos);
            }
            _ => ctx.unknown_field(entry),
        }
    }
    if let Some(import) = found.as_mut().filter(|i| !i.service) {
        import.prefix = prefix_text;
        import.stream_to = if prefix { None } else { to };
    }
    Ok(found)
}

/// `{account: NAME, subject: SUBJECT}` of an import.
fn import_account(ctx: &mut Ctx, fields: &Map) -> Step<(String, String)> {
    let mut name = String::new();
    let mut subject = String::new();
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "account" => name = ctx.str(it)?.to_string(),
            "subject" => subject = ctx.str(it)?.to_string(),
            _ => ctx.unknown_field(entry),
        }
    }
    Ok((name, subject))
}

/// nats-server's `parseJetStreamForAccount`: a boolean, `"enabled"`/`"disabled"` or limits.
/// nats-server hands it the bare value, so errors about the value itself have no position.
fn account_jetstream(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    match item.value {
        Value::Bool(_) => Ok(()),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "enabled" | "enable" | "disabled" | "disable" => Ok(()),
            _ => ctx.fail_unplaced(format!("Expected 'enabled' or 'disabled' for string value, got '{s}'")),
        },
        Value::Map(fields) => {
            for entry in fields.iter() {
                let it = Item::entry(entry);
                let key = entry.key.to_ascii_lowercase();
                match key.as_str() {
                    "max_memory" | "max_mem" | "mem" | "memory" | "max_store" | "max_file" | "max_disk" | "store"
                    | "disk" | "max_streams" | "streams" | "max_consumers" | "consumers"
                    // Newer than 2.9.10.
                    | "max_ack_pending" | "mem_max_stream_bytes" | "memory_max_stream_bytes"
                    | "disk_max_stream_bytes" | "store_max_stream_bytes" => {
                        if !matches!(it.value, Value::Integer(_)) {
                            let message =
                                format!("Expected a parseable size for {:?}, got {}", entry.key, go_display(it.value));
                            return ctx.fail(it.pos, message);
                        }
                    }
                    "max_bytes_required" | "max_stream_bytes" | "max_bytes" => {
                        if !matches!(it.value, Value::Bool(_)) {
                            let message =
                                format!("Expected a parseable bool for {:?}, got {}", entry.key, go_display(it.value));
                            return ctx.fail(it.pos, message);
                        }
                    }
                    "cluster_traffic" => match it.value {
                        Value::String(s) if matches!(s.as_str(), "system" | "owner" | "") => {}
                        Value::String(s) => {
                            let message =
                                format!("Expected 'system' or 'owner' string value for {:?}, got {s}", entry.key);
                            return ctx.fail(it.pos, message);
                        }
                        other => {
                            let message = format!(
                                "Expected either 'system' or 'owner' string value for {:?}, got {}",
                                entry.key,
                                go_display(other)
                            );
                            return ctx.fail(it.pos, message);
                        }
                    },
                    _ => ctx.unknown_field(entry),
                }
            }
            Ok(())
        }
        other => ctx.fail_unplaced(format!("Expected map, bool or string to define JetStream, got {}", go_type(other))),
    }
}

/// nats-server's `parseAccountLimits`.
fn limits(ctx: &mut Ctx, item: Item<'_>) -> Step<super::AccountLimits> {
    let Value::Map(fields) = item.value else {
        return ctx
            .fail(item.pos, format!("Expected account limits to be a map/struct, got {}", go_display(item.value)));
    };
    let mut limits = super::AccountLimits::default();
    // nats-server keeps each as an int32: -1 is no limit, 0 and other negatives refuse all.
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "max_connections" | "max_conn" => limits.max_connections = Limit::from_config(ctx.int(it)?),
            "max_subscriptions" | "max_subs" => limits.max_subscriptions = Limit::from_config(ctx.int(it)?),
            "max_payload" | "max_pay" => limits.max_payload = Limit::from_config(ctx.int(it)?),
            "max_leafnodes" | "max_leafs" => {
                ctx.int(it)?;
                ctx.note(it.pos, format!("account limit {} is not supported yet by rnats; ignored", entry.key));
            }
            _ => {
                if !entry.used_as_variable {
                    ctx.error(it.pos, format!("Unknown field {:?} parsing account limits", entry.key));
                }
            }
        }
    }
    Ok(limits)
}

/// `msg_trace`/`trace_dest` (newer than 2.9.10): where traced messages of the account go, a
/// subject or `{dest, sampling}`.
fn msg_trace(ctx: &mut Ctx, key: &str, item: Item<'_>) -> Step<()> {
    let destination = |ctx: &mut Ctx, field: &str, it: Item<'_>| -> Step<bool> {
        let Value::String(dest) = it.value else {
            return ctx.fail(it.pos, format!("Field {field:?} should be a string, got {}", go_type(it.value)));
        };
        if !is_valid_publish_subject(dest) {
            return ctx.fail(it.pos, format!("Trace destination {dest:?} is not valid"));
        }
        Ok(true)
    };
    let fields = match item.value {
        Value::String(_) => return destination(ctx, key, item).map(drop),
        Value::Map(fields) => fields,
        other => {
            let message = format!(
                "Expected account message trace {key:?} to be a string or a map/struct, got {}",
                go_type(other)
            );
            return ctx.fail(item.pos, message);
        }
    };
    let (mut has_destination, mut sampling) = (false, false);
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "dest" => has_destination = destination(ctx, &entry.key, it)?,
            "sampling" => {
                let percent = match it.value {
                    Value::Integer(n) => *n,
                    Value::String(text) => match super::listen::go_atoi(text.strip_suffix('%').unwrap_or(text)) {
                        Some(n) => n,
                        None => return ctx.fail(it.pos, format!("Invalid trace destination sampling value {text:?}")),
                    },
                    other => {
                        let message = format!(
                            "Trace destination sampling field {:?} should be an integer or a percentage, got {}",
                            entry.key,
                            go_type(other)
                        );
                        return ctx.fail(it.pos, message);
                    }
                };
                if !(1..=100).contains(&percent) {
                    // nats-server's own spelling.
                    let message =
                        format!("Ttrace destination sampling value {percent} is invalid, needs to be [1..100]");
                    return ctx.fail(it.pos, message);
                }
                sampling = true;
            }
            _ if entry.used_as_variable => {}
            _ => {
                let message = format!("Unknown field {:?} parsing account message trace map/struct {key:?}", entry.key);
                return ctx.fail(it.pos, message);
            }
        }
    }
    if sampling && !has_destination {
        let message = "Trace destination sampling ignored since no destination was set";
        ctx.go_warnings.push(super::ConfigError { pos: Some(item.pos.clone()), message: message.into() });
    }
    Ok(())
}

/// A subject messages can be published to: valid, without wildcards.
fn is_valid_publish_subject(subject: &str) -> bool {
    super::auth::is_valid_subject(subject) && !subject.split('.').any(|token| token == "*" || token == ">")
}

/// nats-server's `parseAccountMappings`: `{ subject: destination | [weighted destinations] }`.
pub(crate) fn mappings(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let map = ctx.map(item)?;
    for entry in map.iter() {
        if !is_valid_subject(&entry.key) {
            ctx.error(item.pos, format!("Subject {:?} is not a valid subject", entry.key));
            continue;
        }
        let it = Item::entry(entry);
        match it.value {
            Value::String(_) => {}
            Value::Array(elements) => {
                for element in elements.iter() {
                    let _ = map_destination(ctx, Item::element(element));
                }
            }
            _ => {
                let _ = map_destination(ctx, it);
            }
        }
    }
    Ok(())
}

/// One weighted mapping destination: `{destination, weight, cluster}`.
fn map_destination(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, "Expected an entry for the mapping destination");
    };
    let mut destination = String::new();
    let mut weighted = false;
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "dest" | "destination" => destination = ctx.str(it)?.to_string(),
            "weight" => {
                let weight = match it.value {
                    Value::String(s) => {
                        let digits = s.strip_suffix('%').unwrap_or(s);
                        match super::listen::go_atoi(digits) {
                            Some(n) => n,
                            None => {
                                return ctx.fail(it.pos, format!("Invalid weight {digits:?} for mapping destination"))
                            }
                        }
                    }
                    Value::Integer(n) => *n,
                    other => {
                        let message = format!("Unknown entry type for weight of {}\n", go_display(other));
                        return ctx.fail(it.pos, message);
                    }
                };
                if !(0..=100).contains(&weight) {
                    return ctx.fail(it.pos, format!("Invalid weight {weight} for mapping destination"));
                }
                weighted = true;
            }
            "cluster" => {
                ctx.str(it)?;
            }
            _ => return ctx.fail(it.pos, format!("Unknown field {:?} for mapping destination", entry.key)),
        }
    }
    if !weighted {
        return ctx.fail(item.pos, format!("Missing weight for mapping destination {destination:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{errors, first_error, load, options, warnings};
    use super::is_subset_match;

    const ACCOUNT_NKEY: &str = "AD2VB6C25DQPEUUQ7KJBUFX2J4ZNVBPOHSCBISC7VFZXVWXZA7VASQZG";

    #[test]
    fn accounts_with_users_imports_and_exports() {
        let text = format!(
            r#"
accounts {{
  synadia {{
    nkey: {ACCOUNT_NKEY}
    users = [ {{user: alice, password: foo}} ]
    exports = [
      {{stream: "public.>"}}
      {{service: "pub.request", response: singleton, threshold: "1s"}}
      {{service: "priv.request", accounts: [nats], latency: {{sampling: "50%", subject: "lat"}}}}
    ]
    limits {{ max_conn: 10, max_subs: 100 }}
    jetstream: enabled
    mappings {{ "a.*": "b.$1" }}
  }}
  nats {{
    users = [ {{user: bob, password: bar}} ]
    imports = [
      {{stream: {{account: synadia, subject: "public.x"}}, prefix: "from"}}
      {{service: {{account: synadia, subject: "priv.request"}}, to: "local.request"}}
    ]
    jetstream: {{ max_mem: 1G, max_store: 10G, max_streams: 5, max_consumers: 5 }}
  }}
}}
"#
        );
        let o = options(&text);
        let names: Vec<(Option<&str>, Option<&str>)> =
            o.users.iter().map(|u| (u.user.as_deref(), u.account.as_deref())).collect();
        assert_eq!(names, [(Some("alice"), Some("synadia")), (Some("bob"), Some("nats"))]);
        // The stream import is wired with its prefix; the service import is not (yet).
        assert_eq!(
            o.stream_imports,
            [super::super::StreamImportConfig {
                importer: "nats".into(),
                exporter: "synadia".into(),
                subject: "public.x".into(),
                prefix: Some("from".into()),
                to: None,
            }]
        );
        // Accounts and their users are enforced; the rest is reported piece by piece.
        let warned = warnings(&text);
        assert!(!warned.iter().any(|w| w.contains("accounts is not supported")), "{warned:?}");
        for part in ["jetstream", "mappings"] {
            assert!(
                warned.iter().any(|w| w.contains(&format!("{part} are not supported yet"))
                    || w.contains(&format!("{part} is not supported yet"))),
                "{part}: {warned:?}"
            );
        }
        options("accounts: [A, B]\n");
    }

    #[test]
    fn account_errors() {
        assert_eq!(first_error("\naccounts { A { foo: 1 } }\n"), r#"test.conf:2:16: unknown field "foo""#);
        assert_eq!(first_error("\naccounts { A: 5 }\n"), "test.conf:2:12: Expected map entries for accounts");
        assert_eq!(first_error("\naccounts { $G { } }\n"), r#"test.conf:2:12: "$G" is a Reserved Account"#);
        assert_eq!(first_error("\naccounts = [A, B, A]\n"), "test.conf:2:19: Duplicate Account Entry: A");
        assert_eq!(
            first_error("\naccounts { A { nkey: \"OC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\" } }\n"),
            r#"test.conf:2:16: Not a valid public nkey for an account: "OC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL""#
        );
        assert_eq!(
            first_error("\naccounts { A { nkey: 5 } }\n"),
            r"test.conf:2:16: Not a valid public nkey for an account: '\x05'"
        );
        assert_eq!(
            first_error("\naccounts { A { limits { max_conn: 1, foo: 2 } } }\n"),
            r#"test.conf:2:38: Unknown field "foo" parsing account limits"#
        );
        assert_eq!(
            first_error("\naccounts { A { jetstream: 5 } }\n"),
            "Expected map, bool or string to define JetStream, got int64"
        );
        assert_eq!(
            first_error("\naccounts { A { jetstream: { max_mem: \"x\" } } }\n"),
            r#"test.conf:2:29: Expected a parseable size for "max_mem", got x"#
        );
        // nats-server ignores a value of another type.
        options("accounts: 5\n");
        // A variable defined in the block is not an account.
        options("accounts { X = \"pw\", A { users = [ {user: a, password: $X} ] } }\n");
    }

    #[test]
    fn imports_and_exports() {
        assert_eq!(
            first_error("\naccounts { A { imports = [ {stream: {account: B, subject: x}} ] } }\n"),
            r#"test.conf:2:1: "B" account not defined for stream import"#
        );
        assert_eq!(
            first_error("\naccounts { A { exports = [ {stream: x, accounts: [B]} ] } }\n"),
            r#"test.conf:2:1: "B" account not defined for stream export"#
        );
        assert_eq!(
            first_error("\naccounts { A { imports = [ {stream: {account: B, subject: x}} ] }, B {} }\n"),
            r#"test.conf:2:1: Error adding stream import "x": stream import not authorized (account "A" importing from "B")"#
        );
        assert_eq!(
            first_error(
                "\naccounts { A { imports = [ {service: {account: B, subject: \"x.y\"}} ] }, B { exports = [ {stream: \"x.>\"} ] } }\n"
            ),
            r#"test.conf:2:1: Error adding service import "x.y": service import not authorized (account "A" importing from "B")"#
        );
        options("\naccounts { A { imports = [ {stream: {account: B, subject: \"x.y\"}} ] }, B { exports = [ {stream: \"x.*\"} ] } }\n");
        assert_eq!(
            first_error(
                "\naccounts { A { imports = [ {stream: {account: B, subject: \"x.y\"}} ] }, B { exports = [ {stream: \"x.*\", accounts: [C]} ] }, C {} }\n"
            ),
            r#"test.conf:2:1: Error adding stream import "x.y": stream import not authorized (account "A" importing from "B")"#
        );
        assert_eq!(
            first_error("\naccounts { A { exports = [ {stream: x, foo: 1} ] } }\n"),
            r#"test.conf:2:40: unknown field "foo""#
        );
        assert_eq!(
            first_error("\naccounts { A { imports = [ {stream: {account: B, subject: x, z: 1}} ] }, B {} }\n"),
            r#"test.conf:2:62: unknown field "z""#
        );
        assert_eq!(
            first_error("\naccounts { A { exports = 5 } }\n"),
            "test.conf:2:16: Exports should be an array, got int64"
        );
        assert_eq!(
            first_error("\naccounts { A { imports = [ 5 ] } }\n"),
            "test.conf:2:28: Import Items should be a map with type entry, got int64"
        );
        assert_eq!(
            first_error("\naccounts { A { imports = [ {stream: {account: B}} ] }, B {} }\n"),
            "test.conf:2:29: Expect an account name and a subject"
        );
        assert_eq!(
            first_error("\naccounts { A { exports = [ {service: \"a.b\", response: bogus} ] } }\n"),
            r#"test.conf:2:45: Unknown response type: "bogus""#
        );
        assert_eq!(
            first_error("\naccounts { A { exports = [ {stream: \"a.b\", latency: \"lat.x\"} ] } }\n"),
            "test.conf:2:44: Detected latency directive on non-service"
        );
        assert_eq!(
            first_error(
                "\naccounts { A { exports = [ {service: \"a.b\", latency: { sampling: 200, subject: \"x\" }} ] } }\n"
            ),
            "test.conf:2:56: bad sampling percentage, should be 1-100"
        );
    }

    #[test]
    fn mappings() {
        options("mappings { \"foo.*\": \"bar.$1\", baz: [ { destination: q, weight: 40 }, { destination: r, weight: \"60%\" } ] }\n");
        assert_eq!(
            first_error("\naccounts { A { mappings { \"a..b\": c } } }\n"),
            r#"test.conf:2:16: Subject "a..b" is not a valid subject"#
        );
        assert_eq!(
            first_error("\nmappings { a: { destination: b } }\n"),
            r#"test.conf:2:12: Missing weight for mapping destination "b""#
        );
        assert_eq!(
            first_error("\nmappings { a: { destination: b, weight: 10, foo: 1 } }\n"),
            r#"test.conf:2:45: Unknown field "foo" for mapping destination"#
        );
        assert_eq!(
            first_error("\nmappings { a: [ {destination: b, weight: \"150%\"} ] }\n"),
            "test.conf:2:34: Invalid weight 150 for mapping destination"
        );
        assert_eq!(
            first_error("\nmappings = 5\n"),
            "test.conf:2:1: interface conversion: interface {} is int64, not map[string]interface {}"
        );
    }

    #[test]
    fn errors_stop_import_resolution() {
        // With an earlier error, nats-server does not resolve imports.
        assert_eq!(
            errors("\nfoo: 1\naccounts { A { imports = [ {stream: {account: B, subject: x}} ] } }\n"),
            [r#"test.conf:2:1: unknown field "foo""#]
        );
        assert!(load("\naccounts { A { } }\n").is_ok());
    }

    #[test]
    fn subset_match() {
        let m = |sub: &str, export: &str| is_subset_match(&sub.split('.').collect::<Vec<_>>(), export);
        assert!(m("x.y", "x.*"));
        assert!(m("x.y.z", "x.>"));
        assert!(m("x.*", "x.*"));
        assert!(m("x.*", ">"));
        assert!(!m("x.*", "x.y"));
        assert!(!m(">", "x.>"));
        assert!(!m("x.a.b", "x.*"));
        assert!(!m("x", "x.y"));
    }
}
