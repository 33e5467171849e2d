//! Checks request bodies against Discord's own OpenAPI description, so a reply Discord would
//! reject with 400 fails the test here first.
//!
//! The spec (`tests/data/discord/openapi.json`, a copy kept in the repository so tests never
//! read outside it) is parsed once per test binary, and each route's validator is compiled
//! once, on first use. The schema does not know every limit Discord enforces, so
//! [`message_limit_violations`] adds the documented message and embed length limits.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

/// Where the spec lives, relative to the crate.
pub const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/discord/openapi.json"
);

/// At most this many validator messages per request, each at most this long: an invalid
/// 2,001-character content would otherwise be quoted whole.
const MAX_MESSAGES: usize = 8;
const MAX_MESSAGE_CHARS: usize = 300;

/// The parsed spec, or why it could not be read.
pub fn spec() -> Result<&'static Value, String> {
    static SPEC: OnceLock<Result<Value, String>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC_PATH)
            .map_err(|e| format!("cannot read {SPEC_PATH}: {e}"))?;
        let mut spec: Value =
            serde_json::from_str(&text).map_err(|e| format!("cannot parse {SPEC_PATH}: {e}"))?;
        allow_permission_strings(&mut spec);
        Ok(spec)
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Permission bit sets are strings in Discord's JSON ("serialized as a string", its
/// permissions documentation; `default_member_permissions: ?string` in its command docs),
/// and every library, serenity included, sends them so. The OpenAPI description types
/// these request properties as integers only, which would flag every correct request; so
/// each such property also accepts a decimal string. Nothing else in the spec is changed.
fn allow_permission_strings(spec: &mut Value) {
    const NAMES: [&str; 4] = ["default_member_permissions", "permissions", "allow", "deny"];
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for name in NAMES {
            let Some(property) = properties.get_mut(name) else {
                continue;
            };
            let integer = match property.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
                _ => false,
            };
            if integer {
                let original = property.take();
                *property = json!({"anyOf": [original, {"type": "string", "pattern": "^[0-9]+$"}]});
            }
        }
    }
}

/// The spec's path template for a concrete path (without `/api/v10`), e.g.
/// `/interactions/1/tok/callback` -> `/interactions/{interaction_id}/{interaction_token}/callback`.
/// Literal segments beat parameters, so `.../messages/@original` finds its own template
/// rather than `.../messages/{message_id}`.
pub fn find_template(method: &str, path: &str) -> Option<String> {
    let spec = spec().ok()?;
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    spec.get("paths")?
        .as_object()?
        .iter()
        .filter(|(_, item)| item.get(&method).is_some())
        .filter_map(|(template, _)| {
            let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (t, p) in parts.iter().zip(&segments) {
                if t.starts_with('{') && t.ends_with('}') {
                    if p.is_empty() {
                        return None;
                    }
                } else if t == p {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template.clone()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template)
}

/// The JSON request-body schema of a route, if the spec gives one.
fn body_schema(template: &str, method: &str) -> Option<&'static Value> {
    spec()
        .ok()?
        .get("paths")?
        .get(template)?
        .get(method.to_ascii_lowercase())?
        .get("requestBody")?
        .get("content")?
        .get("application/json")?
        .get("schema")
}

/// `schema` made self-contained: the spec's `components` beside it, so its
/// `#/components/...` references resolve.
fn wrap(schema: &Value) -> Result<Value, String> {
    let components = spec()?
        .get("components")
        .cloned()
        .ok_or("the spec has no components")?;
    let mut wrapped = match schema {
        Value::Object(map) if !map.contains_key("components") => Value::Object(map.clone()),
        other => json!({"allOf": [other]}),
    };
    wrapped["components"] = components;
    Ok(wrapped)
}

type Compiled = Arc<jsonschema::Validator>;

/// A compiled validator per cache key (template+method, or a schema name), built once.
fn validator(key: &str, schema: &Value) -> Result<Compiled, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<Compiled, String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = cache.get(key) {
        return found.clone();
    }
    let compiled = wrap(schema).and_then(|wrapped| {
        jsonschema::draft202012::options()
            .build(&wrapped)
            .map(Arc::new)
            .map_err(|e| format!("the schema for {key} does not compile: {e}"))
    });
    cache.insert(key.to_string(), compiled.clone());
    compiled
}

/// The validator's messages for `instance`, shortened. Discord's schemas nest unions
/// (`oneOf: [null, {...}]`), where the plain error says only "not valid under any of the
/// schemas"; the evaluation output has every branch's errors, and the deepest ones are the
/// ones that name the actual field, e.g. `/data/content`.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    let evaluation = validator.evaluate(instance);
    let entries: Vec<(String, String)> = evaluation
        .iter_errors()
        .map(|e| {
            (
                e.instance_location.as_str().to_string(),
                e.error.to_string(),
            )
        })
        .collect();
    let depth = |location: &str| location.matches('/').count();
    let deepest = entries.iter().map(|(l, _)| depth(l)).max();
    let mut out: Vec<String> = Vec::new();
    for (location, message) in &entries {
        if Some(depth(location)) != deepest {
            continue;
        }
        let location = if location.is_empty() { "/" } else { location };
        let line = shorten(&format!("at {location}: {message}"));
        if !out.contains(&line) {
            out.push(line);
        }
        if out.len() == MAX_MESSAGES {
            break;
        }
    }
    if out.is_empty() {
        out = validator
            .iter_errors(instance)
            .take(MAX_MESSAGES)
            .map(|error| shorten(&format!("at {}: {error}", error.instance_path())))
            .collect();
    }
    out
}

/// Keeps the start (where) and the end (why) of a long message: the middle is usually the
/// offending value quoted whole.
fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= MAX_MESSAGE_CHARS {
        return text.to_string();
    }
    let head: String = chars[..100].iter().collect();
    let tail: String = chars[chars.len() - (MAX_MESSAGE_CHARS - 100)..]
        .iter()
        .collect();
    format!("{head}[...]{tail}")
}

/// For an `anyOf`/`oneOf` of references (Discord's unions, e.g. the interaction callback
/// body), the errors of the branches that could have been meant: those whose `type` enum
/// allows the instance's `type`. "Not valid under any of the schemas" says nothing useful
/// on its own.
fn explain_union(key: &str, schema: &Value, instance: &Value) -> Vec<String> {
    let Some(branches) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let kind = instance.get("type");
    let mut out = Vec::new();
    for (i, branch) in branches.iter().enumerate() {
        let Some(reference) = branch.get("$ref").and_then(Value::as_str) else {
            continue;
        };
        let Some(resolved) = resolve(reference) else {
            continue;
        };
        let allowed = resolved
            .pointer("/properties/type/enum")
            .and_then(Value::as_array);
        let relevant = match (kind, allowed) {
            (Some(kind), Some(allowed)) => allowed.contains(kind),
            _ => false,
        };
        if !relevant {
            continue;
        }
        if let Ok(compiled) = validator(&format!("{key}#{i}"), branch) {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            out.extend(
                errors(&compiled, instance)
                    .into_iter()
                    .map(|e| format!("{name}: {e}")),
            );
        }
    }
    out
}

/// A `#/components/...` reference's target.
fn resolve(reference: &str) -> Option<&'static Value> {
    spec().ok()?.pointer(reference.strip_prefix('#')?)
}

/// What is wrong with a request body by Discord's spec and limits; empty if nothing.
pub fn validate_request(method: &str, path: &str, body: &Value) -> Vec<String> {
    let method = method.to_ascii_uppercase();
    let mut problems = Vec::new();
    match spec() {
        Err(error) => problems.push(error),
        Ok(_) => match find_template(&method, path) {
            None => problems.push("no route in Discord's spec has this path and method".into()),
            Some(template) => match body_schema(&template, &method) {
                None => problems.push(format!(
                    "Discord's spec gives {method} {template} no JSON request body"
                )),
                Some(schema) => {
                    let key = format!("{method} {template}");
                    match validator(&key, schema) {
                        Err(error) => problems.push(error),
                        Ok(compiled) => {
                            if !compiled.is_valid(body) {
                                let mut found = explain_union(&key, schema, body);
                                if found.is_empty() {
                                    found = errors(&compiled, body);
                                }
                                problems.extend(found);
                            }
                        }
                    }
                }
            },
        },
    }
    problems.extend(message_limit_violations(body));
    problems
}

/// What is wrong with `instance` by the spec's `#/components/schemas/NAME`.
pub fn validate_named(name: &str, instance: &Value) -> Vec<String> {
    let schema = json!({"$ref": format!("#/components/schemas/{name}")});
    match validator(&format!("schema {name}"), &schema) {
        Err(error) => vec![error],
        Ok(compiled) => errors(&compiled, instance),
    }
}

/// Discord's documented limits on a message body (in `body` itself or, for interaction
/// callbacks, in `body.data`): content at most 2,000 characters, at most 10 embeds, each
/// description at most 4,096, and all embeds together at most 6,000 (title, description,
/// field names and values, footer text, author name). Characters, not bytes.
pub fn message_limit_violations(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let targets = [("", Some(body)), ("data.", body.get("data"))];
    for (prefix, target) in targets {
        let Some(target) = target.filter(|t| t.is_object()) else {
            continue;
        };
        if let Some(content) = target.get("content").and_then(Value::as_str) {
            let n = content.chars().count();
            if n > 2000 {
                out.push(format!(
                    "{prefix}content is {n} characters; Discord allows 2000"
                ));
            }
        }
        let Some(embeds) = target.get("embeds").and_then(Value::as_array) else {
            continue;
        };
        if embeds.len() > 10 {
            out.push(format!(
                "{prefix}embeds has {} embeds; Discord allows 10",
                embeds.len()
            ));
        }
        let mut total = 0;
        for (i, embed) in embeds.iter().enumerate() {
            let chars = |pointer: &str| {
                embed
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .map_or(0, |s| s.chars().count())
            };
            let description = chars("/description");
            if description > 4096 {
                out.push(format!(
                    "{prefix}embeds[{i}].description is {description} characters; Discord allows 4096"
                ));
            }
            total += chars("/title") + description + chars("/footer/text") + chars("/author/name");
            if let Some(fields) = embed.get("fields").and_then(Value::as_array) {
                for field in fields {
                    for key in ["name", "value"] {
                        total += field
                            .get(key)
                            .and_then(Value::as_str)
                            .map_or(0, |s| s.chars().count());
                    }
                }
            }
        }
        if total > 6000 {
            out.push(format!(
                "{prefix}embeds total {total} characters; Discord allows 6000 across a message's embeds"
            ));
        }
    }
    out
}
