//! `compression` of cluster and leaf node connections, as nats-server's `parseCompression`
//! reads it: a mode, a boolean, or `{mode, rtt_thresholds}`. The mode is checked when the
//! server starts (`validate_unbuilt`); rnats does not compress links yet.

use std::time::Duration;

use rnats_conf::Value;

use super::check::{go_type, Ctx, Item, Step};
use super::duration::parse_go_duration;

/// A `compression` setting of routes or leaf node connections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompressionOptions {
    /// The mode as written (`off`, `accept`, `s2_fast`, `s2_auto`, or a synonym nats-server
    /// knows), `true` and `false` already turned into the section's mode for "on" and `off`;
    /// empty when not set.
    pub mode: String,
    /// `rtt_thresholds`, for `s2_auto` (negative ones count as zero, as in nats-server).
    pub rtt_thresholds: Vec<Duration>,
}

/// Reads a `compression` entry; `on` is the mode `true` stands for in this section.
pub(crate) fn compression(ctx: &mut Ctx, key: &str, item: Item<'_>, on: &str) -> Step<CompressionOptions> {
    let mut compression = CompressionOptions::default();
    match item.value {
        Value::String(mode) => compression.mode = mode.clone(),
        Value::Bool(enabled) => compression.mode = if *enabled { on } else { "off" }.to_string(),
        Value::Map(fields) => {
            for entry in fields.iter() {
                let it = Item::entry(entry);
                match entry.key.to_ascii_lowercase().as_str() {
                    "mode" => compression.mode = ctx.str(it)?.to_string(),
                    "rtt_thresholds" | "thresholds" | "rtts" | "rtt" => {
                        for element in ctx.array(it)? {
                            let text = ctx.str(Item::element(element))?;
                            match parse_go_duration(text) {
                                // Negative thresholds count as zero, as in nats-server.
                                Ok(nanos) => compression.rtt_thresholds.push(Duration::from_nanos(nanos.max(0) as u64)),
                                Err(e) => return ctx.fail(it.pos, e),
                            }
                        }
                    }
                    _ if entry.used_as_variable => {}
                    _ => return ctx.fail(it.pos, format!("unknown field {:?}", entry.key)),
                }
            }
        }
        other => {
            let found = go_type(other);
            return ctx.fail(item.pos, format!("field {key:?} should be a boolean or a structure, got {found}"));
        }
    }
    Ok(compression)
}

/// Whether the mode asks for compression rnats would have to do (anything but off).
pub(crate) fn is_on(compression: &CompressionOptions) -> bool {
    !matches!(
        compression.mode.to_ascii_lowercase().as_str(),
        "" | "off" | "disabled" | "false" | "not supported" | "not_supported"
    )
}
