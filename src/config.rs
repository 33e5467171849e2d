//! Configuration from the environment and `.env`: the one place that reads settings.
//!
//! Every key is documented in `.env.example`. A missing or malformed value is an error
//! naming the key and how to fix it; the token's value never appears in any message,
//! even when the `.env` line holding it is malformed.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::knowledge::DEFAULT_MIN_CONFIDENCE;
use crate::live::watch::WatchMode;

/// Where settings come from: the process environment in production, a map in tests.
pub type Source<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Settings every command needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `LANTERN_CONTENT_DIR`, default `content`.
    pub content_dir: PathBuf,
    /// `LANTERN_MIN_CONFIDENCE`, default [`DEFAULT_MIN_CONFIDENCE`].
    pub min_confidence: f32,
    /// `LANTERN_DATA_DIR`, default `data`: where passage vectors are cached and the
    /// bot's feedback counts are kept. Created when first needed.
    pub data_dir: PathBuf,
}

/// Settings the Discord bot needs on top of [`Config`].
#[derive(Debug, Clone, PartialEq)]
pub struct BotConfig {
    /// `DISCORD_TOKEN`.
    pub token: Token,
    /// `LANTERN_GUILD_ID`: register commands in this server only (instant).
    pub guild_id: Option<u64>,
    /// `LANTERN_MOD_ROLE_ID`: holders may use moderator commands, besides Manage Server.
    pub mod_role_id: Option<u64>,
    /// `LANTERN_MOD_LOG_CHANNEL_ID`: where reload reports and content errors go.
    pub mod_log_channel_id: Option<u64>,
    /// `LANTERN_EPHEMERAL_DEFAULT`, default true: answers are private unless shared.
    pub ephemeral_default: bool,
    /// `DISCORD_API_URL`, default `https://discord.com`.
    pub api_url: String,
    /// `LANTERN_COOLDOWN_SECONDS`, default 5: per-member pause between questions.
    pub cooldown_seconds: u64,
    /// `LANTERN_WATCH_CONTENT`, default true: reload when files in the content folder
    /// change, by file events (`true`) or by polling (`poll`); `None` when `false`.
    pub watch_content: Option<WatchMode>,
    /// `LANTERN_SHARDS`: which gateway shards this process runs.
    pub shards: Shards,
    /// `LANTERN_GAPS_CHANNEL_ID`: where members' unanswered questions are sent, at their
    /// choice; unset, the moderators' log channel; neither, the offer is not made.
    pub gaps_channel_id: Option<u64>,
    /// `LANTERN_QUESTION_HOLD_SECONDS`, default and at most 900: how long a question
    /// waits in memory for its asker to choose to send it to the moderators.
    pub question_hold_seconds: u64,
}

/// The longest a question is held for its asker's choice: an interaction token's life,
/// after which the answer's buttons can no longer show the member anything new.
pub const MAX_QUESTION_HOLD_SECONDS: u64 = 15 * 60;

/// Which of Discord's gateway shards this process runs (`LANTERN_SHARDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// Unset: one shard, the whole bot in this process.
    Single,
    /// `auto`: as many as Discord recommends, all in this process.
    Auto,
    /// `N`: shards 0 to N-1, all in this process.
    Total(u32),
    /// `A-B/N`: shards A to B (inclusive) of N; other processes run the rest.
    Range { first: u32, last: u32, total: u32 },
}

impl Shards {
    /// Whether this process runs shard 0, which is the one to register the commands.
    pub fn includes_first(&self) -> bool {
        !matches!(self, Shards::Range { first, .. } if *first > 0)
    }
}

/// Discord's own API, used unless `DISCORD_API_URL` says otherwise.
pub const DISCORD_API_DEFAULT: &str = "https://discord.com";

/// The bot token. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The secret itself, for the Discord client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A setting that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{key} is not set. {hint}")]
    Missing {
        key: &'static str,
        hint: &'static str,
    },
    #[error("{key} is malformed: {problem}. {hint}")]
    Invalid {
        key: &'static str,
        problem: String,
        hint: &'static str,
    },
    /// A well-formed value that cannot work with the others.
    #[error("{key} cannot be used: {problem}. {hint}")]
    Unusable {
        key: &'static str,
        problem: String,
        hint: &'static str,
    },
    #[error("the .env file cannot be used: {0}")]
    DotEnv(String),
}

const TOKEN_HINT: &str = "Create a bot in the Discord Developer Portal (Applications → your app → Bot → Reset Token), \
     then put DISCORD_TOKEN=<the token> in .env (see .env.example). The command line (`lantern ask`) needs no token";
const ID_HINT: &str = "Use the numeric id: enable Developer Mode in Discord (Settings → Advanced), right-click, Copy ID";

/// Every setting Lantern reads, so a misspelt one in `.env` is named rather than
/// silently ignored.
pub const KEYS: [&str; 15] = [
    "DISCORD_TOKEN",
    "DISCORD_API_URL",
    "LANTERN_CONTENT_DIR",
    "LANTERN_DATA_DIR",
    "LANTERN_MIN_CONFIDENCE",
    "LANTERN_COOLDOWN_SECONDS",
    "LANTERN_EPHEMERAL_DEFAULT",
    "LANTERN_GUILD_ID",
    "LANTERN_MOD_ROLE_ID",
    "LANTERN_MOD_LOG_CHANNEL_ID",
    "LANTERN_GAPS_CHANNEL_ID",
    "LANTERN_QUESTION_HOLD_SECONDS",
    "LANTERN_SHARDS",
    "LANTERN_WATCH_CONTENT",
    "LANTERN_LOG_QUESTIONS",
];

/// Loads `.env` from the working directory only into the process environment.
/// Variables already set (and not empty) win over the file. A missing file is fine.
/// Returns the file's path, if there is one, and warnings to show (a key Lantern does
/// not read).
pub fn load_dotenv() -> Result<Option<(PathBuf, Vec<String>)>, ConfigError> {
    // Only the working directory's: a `.env` found in a folder above would be a
    // surprise, and an error in it would name a file nobody meant to use.
    let path = Path::new(".env");
    let warnings = match dotenvy::from_path_iter(path) {
        Ok(pairs) => {
            let pairs: Vec<(String, String)> = pairs.filter_map(Result::ok).collect();
            check_dotenv_pairs(path, &pairs, &process_env)?
        }
        Err(_) => Vec::new(),
    };
    match dotenvy::from_path(path) {
        Ok(()) => Ok(Some((path.to_path_buf(), warnings))),
        Err(error) if error.not_found() => Ok(None),
        Err(dotenvy::Error::LineParse(text, _)) => {
            // The line may hold the token: say where it is and its key, never its value.
            let place = match find_line(path, &text) {
                Some((number, key)) if key.is_empty() => format!("line {number}"),
                Some((number, key)) => format!("line {number} (`{key}`)"),
                None => "a line".to_string(),
            };
            Err(ConfigError::DotEnv(format!(
                "{place} is malformed; every line must be KEY=value, with a value that holds spaces or # in quotes"
            )))
        }
        Err(dotenvy::Error::Io(error)) => {
            Err(ConfigError::DotEnv(format!("cannot read it ({error})")))
        }
        Err(_) => Err(ConfigError::DotEnv(
            "it could not be parsed; every line must be KEY=value".to_string(),
        )),
    }
}

/// What the key/value `pairs` of `.env` (at `path`) would do wrong, read against the
/// environment `source`. The file is loaded first-come: a key given twice would keep
/// its first value (often the template's empty one) and silently drop the one added
/// later, and a variable set empty in the environment would hide the file's value. Both
/// are errors naming the key, never its value. A key Lantern does not read is a warning
/// with the nearest one it does.
fn check_dotenv_pairs(
    path: &Path,
    pairs: &[(String, String)],
    source: Source<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut warnings = Vec::new();
    for (key, value) in pairs {
        let value = value.trim();
        if let Some((_, earlier)) = seen.iter().find(|(k, _)| k == key) {
            if !value.is_empty() && !earlier.is_empty() && *earlier != value {
                return Err(ConfigError::DotEnv(format!(
                    "{key} is set twice, to different values; keep one line"
                )));
            }
            if !value.is_empty() && earlier.is_empty() {
                return Err(ConfigError::DotEnv(format!(
                    "{key} is set twice, first empty (as the template leaves it), so the value below would be ignored; delete the empty line"
                )));
            }
        }
        seen.push((key, value));
        if !value.is_empty() && source(key).is_some_and(|set| set.trim().is_empty()) {
            return Err(ConfigError::DotEnv(format!(
                "{key} is set but empty in the environment, which hides its value in .env; unset it there, or remove it from .env"
            )));
        }
        let ours = key.starts_with("LANTERN_") || key.starts_with("DISCORD_");
        if ours && !KEYS.contains(&key.as_str()) {
            // Jaro-Winkler favours a shared start: "LANTERN_COOLDOWN" is nearer
            // "LANTERN_COOLDOWN_SECONDS" than "LANTERN_GUILD_ID".
            let nearest = KEYS
                .iter()
                .max_by(|a, b| {
                    strsim::jaro_winkler(a, key).total_cmp(&strsim::jaro_winkler(b, key))
                })
                .expect("KEYS is not empty");
            warnings.push(format!(
                "{}: {key} is not a setting Lantern reads; did you mean {nearest}? (README, \"Configuration\")",
                path.display()
            ));
        }
    }
    Ok(warnings)
}

/// The number and key of the line of `path` holding `text` (the parser quotes the whole
/// line, or only the value after `=`); the key is empty when it holds what looks like the
/// token, pasted where a key should be.
fn find_line(path: &Path, text: &str) -> Option<(usize, String)> {
    let wanted = text.trim();
    let file = std::fs::read_to_string(path).ok()?;
    file.lines()
        .enumerate()
        .find(|(_, line)| !wanted.is_empty() && line.contains(wanted))
        .map(|(index, line)| {
            let key = line.split_once('=').map_or("", |(key, _)| key.trim());
            let key = key.strip_prefix("export ").unwrap_or(key).trim();
            let key = if holds_a_token(key) { "" } else { key };
            (index + 1, key.chars().take(40).collect())
        })
}

/// Whether `value` holds something shaped like a bot token (three parts joined by dots)
/// anywhere: pasted with its "Bot " prefix, inside a path or beside other words; or
/// shaped like a token's secret last part alone (a run of 24 or more characters mixing
/// upper and lower case letters and digits, as random base64 does; a folder's name,
/// a UUID or a volume's hash is in one case).
fn holds_a_token(value: &str) -> bool {
    // Any three parts joined by dots, wherever they stand among other dots ("x.TOKEN.txt");
    // the split below leaves only letters, digits, `-`, `_` and dots in a piece.
    let is_token = |piece: &str| {
        let parts: Vec<&str> = piece.split('.').collect();
        parts.windows(3).any(|three| {
            three.iter().map(|part| part.len()).sum::<usize>() + 2 >= 50
                && three.iter().all(|part| part.len() >= 5)
        })
    };
    let is_secret_part = |part: &str| {
        part.len() >= 24
            && part.chars().any(|c| c.is_ascii_uppercase())
            && part.chars().any(|c| c.is_ascii_lowercase())
            && part.chars().any(|c| c.is_ascii_digit())
    };
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .any(|piece| is_token(piece) || piece.split('.').any(is_secret_part))
}

/// `value` quoted for an error message, unless it holds what looks like a bot token
/// pasted into the wrong setting: the token is never printed.
fn shown(value: &str) -> String {
    if holds_a_token(value) {
        "the value (it looks like a bot token, so it is not shown)".to_string()
    } else {
        format!("`{value}`")
    }
}

/// Reads from the process environment.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// A value, treating an empty one as unset so `KEY=` in `.env` means "not set".
fn get(source: Source<'_>, key: &str) -> Option<String> {
    source(key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Config {
    /// `content_dir`: the command line's `--content`, which wins over
    /// `LANTERN_CONTENT_DIR`.
    pub fn load(source: Source<'_>, content_dir: Option<PathBuf>) -> Result<Config, ConfigError> {
        let content_dir = content_dir.unwrap_or_else(|| {
            get(source, "LANTERN_CONTENT_DIR")
                .map_or_else(|| PathBuf::from("content"), PathBuf::from)
        });
        // Every message about a folder names it; a token pasted there must not be printed.
        for (key, dir) in [
            ("LANTERN_CONTENT_DIR", get(source, "LANTERN_CONTENT_DIR")),
            ("LANTERN_DATA_DIR", get(source, "LANTERN_DATA_DIR")),
        ] {
            if dir.as_deref().is_some_and(holds_a_token) {
                return Err(ConfigError::Invalid {
                    key,
                    problem: "the value looks like a bot token, so it is not shown".to_string(),
                    hint: "Put the token in DISCORD_TOKEN and set this to a folder",
                });
            }
        }
        let min_confidence = match get(source, "LANTERN_MIN_CONFIDENCE") {
            None => DEFAULT_MIN_CONFIDENCE,
            Some(value) => match value.parse::<f32>() {
                Ok(number) if (0.0..=1.0).contains(&number) => number,
                _ => {
                    return Err(ConfigError::Invalid {
                        key: "LANTERN_MIN_CONFIDENCE",
                        problem: format!("{} is not a number from 0 to 1", shown(&value)),
                        hint: "Leave it unset for the tuned default, or see README, \"How Lantern decides\"",
                    });
                }
            },
        };
        let data_dir = get(source, "LANTERN_DATA_DIR")
            .filter(|dir| !dir.trim().is_empty())
            .map_or_else(|| PathBuf::from("data"), PathBuf::from);
        if read_as_content(&data_dir, &content_dir) {
            return Err(ConfigError::Unusable {
                key: "LANTERN_DATA_DIR",
                problem: format!(
                    "`{}` is inside the content folder `{}`, where every vector cache or feedback count \
                     Lantern writes would look like a moderator's edit and reload the content",
                    data_dir.display(),
                    content_dir.display()
                ),
                hint: "Set LANTERN_DATA_DIR to a folder outside the content folder, or to a hidden one inside \
                       it (such as `.lantern`), which Lantern never reads as content",
            });
        }
        Ok(Config {
            content_dir,
            min_confidence,
            data_dir,
        })
    }
}

/// Whether the data folder `data` is the content folder `content` or inside it, through
/// links and `..` alike, and not in a hidden folder there (which Lantern never reads).
fn read_as_content(data: &Path, content: &Path) -> bool {
    crate::content::is_in_content(&resolved(content), &resolved(data))
}

/// `path` made absolute, its longest part that exists resolved (links, `..`) and the rest
/// read as written: the folders need not exist yet.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let Some((mut resolved, rest)) = absolute.ancestors().find_map(|existing| {
        let rest = absolute.strip_prefix(existing).ok()?;
        Some((existing.canonicalize().ok()?, rest))
    }) else {
        return absolute;
    };
    for part in rest.components() {
        match part {
            std::path::Component::ParentDir => {
                resolved.pop();
            }
            std::path::Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    resolved
}

impl BotConfig {
    /// Where members' questions go when they choose to send them to the moderators.
    pub fn forward_channel_id(&self) -> Option<u64> {
        self.gaps_channel_id.or(self.mod_log_channel_id)
    }

    pub fn load(source: Source<'_>) -> Result<BotConfig, ConfigError> {
        let token = get(source, "DISCORD_TOKEN").ok_or(ConfigError::Missing {
            key: "DISCORD_TOKEN",
            hint: TOKEN_HINT,
        })?;
        let token = parse_token(&token)?;
        let api_url =
            get(source, "DISCORD_API_URL").unwrap_or_else(|| DISCORD_API_DEFAULT.to_string());
        let api_url = parse_url(&api_url)?;
        Ok(BotConfig {
            token,
            guild_id: snowflake(source, "LANTERN_GUILD_ID")?,
            mod_role_id: snowflake(source, "LANTERN_MOD_ROLE_ID")?,
            mod_log_channel_id: snowflake(source, "LANTERN_MOD_LOG_CHANNEL_ID")?,
            ephemeral_default: boolean(source, "LANTERN_EPHEMERAL_DEFAULT", true)?,
            watch_content: watch_mode(source)?,
            shards: shards(source)?,
            gaps_channel_id: snowflake(source, "LANTERN_GAPS_CHANNEL_ID")?,
            question_hold_seconds: match get(source, "LANTERN_QUESTION_HOLD_SECONDS") {
                None => MAX_QUESTION_HOLD_SECONDS,
                Some(value) => value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=MAX_QUESTION_HOLD_SECONDS).contains(s))
                    .ok_or(ConfigError::Invalid {
                        key: "LANTERN_QUESTION_HOLD_SECONDS",
                        problem: format!("{} is not a whole number of seconds from 1 to 900", shown(&value)),
                        hint: "Leave it unset for 900 (15 minutes, Discord's limit for an interaction)",
                    })?,
            },
            api_url,
            cooldown_seconds: match get(source, "LANTERN_COOLDOWN_SECONDS") {
                None => 5,
                Some(value) => value.parse::<u64>().ok().filter(|&s| s <= 3600).ok_or(
                    ConfigError::Invalid {
                        key: "LANTERN_COOLDOWN_SECONDS",
                        problem: format!("{} is not a whole number of seconds from 0 to 3600", shown(&value)),
                        hint: "Use e.g. 5; 0 turns the cooldown off",
                    },
                )?,
            },
        })
    }
}

/// Whether `DISCORD_TOKEN` is set: without a command, `lantern` then starts the bot.
pub fn token_is_set(source: Source<'_>) -> bool {
    get(source, "DISCORD_TOKEN").is_some()
}

/// Whether logging set up for this process lets question text through (the flag and a
/// trace filter both): decided once where logging is set up, and read by `/about`, which
/// must say so.
static QUESTIONS_LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records what logging was set up to let through (see [`questions_logged`]).
pub fn set_questions_logged(logged: bool) {
    QUESTIONS_LOGGED.store(logged, std::sync::atomic::Ordering::Relaxed);
}

/// Whether this process's logs may hold question text.
pub fn questions_logged() -> bool {
    QUESTIONS_LOGGED.load(std::sync::atomic::Ordering::Relaxed)
}

/// `LANTERN_LOG_QUESTIONS`: only when true may logs (at trace level) contain question
/// text, and may the libraries below Lantern log raw Discord payloads at debug and trace.
/// Off by default: these are health questions.
pub fn log_questions(source: Source<'_>) -> Result<bool, ConfigError> {
    boolean(source, "LANTERN_LOG_QUESTIONS", false)
}

/// The most shards a setting may name: far more than any community needs (Discord asks
/// for one per 2,500 servers), and a bound on the connections one typo could start.
const MAX_SHARDS: u32 = 1024;

fn shards(source: Source<'_>) -> Result<Shards, ConfigError> {
    let Some(value) = get(source, "LANTERN_SHARDS") else {
        return Ok(Shards::Single);
    };
    let invalid = || ConfigError::Invalid {
        key: "LANTERN_SHARDS",
        problem: format!(
            "{} is not `auto`, a number of shards (at most {MAX_SHARDS}), or a range such as `0-3/8`",
            shown(&value)
        ),
        hint: "Leave it unset for one shard; `0-3/8` runs shards 0 to 3 of 8 here, another process runs 4-7/8",
    };
    if value.eq_ignore_ascii_case("auto") {
        return Ok(Shards::Auto);
    }
    if let Some((range, total)) = value.split_once('/') {
        let (first, last) = range.split_once('-').ok_or_else(invalid)?;
        let parse = |s: &str| s.trim().parse::<u32>().map_err(|_| invalid());
        let (first, last, total) = (parse(first)?, parse(last)?, parse(total)?);
        if first > last || last >= total || total > MAX_SHARDS {
            return Err(invalid());
        }
        return Ok(Shards::Range { first, last, total });
    }
    match value.parse::<u32>() {
        Ok(total) if total > 0 && total <= MAX_SHARDS => Ok(Shards::Total(total)),
        _ => Err(invalid()),
    }
}

fn parse_token(token: &str) -> Result<Token, ConfigError> {
    let invalid = |problem: &str| ConfigError::Invalid {
        key: "DISCORD_TOKEN",
        problem: problem.to_string(),
        hint: TOKEN_HINT,
    };
    if token.starts_with("Bot ") || token.starts_with("Bearer ") {
        return Err(invalid(
            "it must be the token alone, without a `Bot ` prefix",
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let well_formed = parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !well_formed {
        return Err(invalid(
            "it does not look like a bot token (three parts of letters, digits, - and _ separated by dots)",
        ));
    }
    Ok(Token(token.to_string()))
}

/// `DISCORD_API_URL`: every request carries the bot token, so it must travel encrypted
/// (`https`) unless it never leaves this machine (a loopback address: 127.0.0.0/8, ::1 or
/// `localhost`, as the tests' fake Discord and a local rate-limit proxy use).
fn parse_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |problem: String, hint: &'static str| ConfigError::Invalid {
        key: "DISCORD_API_URL",
        problem,
        hint,
    };
    const HINT: &str = "Leave it unset to use Discord itself, or give a proxy's base URL such as https://proxy.example.com \
         (plain http only on this machine, e.g. http://127.0.0.1:8080)";
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|parsed| matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some());
    let Some(parsed) = parsed else {
        // Not echoed: a URL can carry a password (`https://user:secret@host`).
        return Err(invalid(
            "the value is not an http:// or https:// URL with a host".to_string(),
            HINT,
        ));
    };
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(
            "a base URL has no `?` query or `#` fragment: every request's path would follow it"
                .to_string(),
            HINT,
        ));
    }
    let path = parsed.path().trim_end_matches('/');
    let names_the_api = path.ends_with("/api")
        || path
            .rsplit_once('/')
            .is_some_and(|(head, last)| head.ends_with("/api") && is_api_version(last));
    if names_the_api {
        return Err(invalid(
            "the URL ends in `/api`, which would be doubled: Lantern adds `/api/v10` itself"
                .to_string(),
            "Give the base without `/api` (https://discord.com, or your proxy's base URL)",
        ));
    }
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        // Named by host only: whatever else the URL holds (a password?) stays out of logs.
        let host = parsed.host_str().unwrap_or_default();
        let host = if holds_a_token(host) {
            "another machine".to_string()
        } else {
            format!("`http://{host}`")
        };
        return Err(invalid(
            format!("{host} would send the bot token unencrypted to another machine"),
            "Use https:// (plain http is allowed only for 127.0.0.1, ::1 or localhost), or leave it unset to use Discord itself",
        ));
    }
    // Discord itself, however it is written (`https://Discord.com:443/`), is the default:
    // any other value is taken for a proxy, which turns serenity's rate limiter off.
    let is_discord = parsed.scheme() == "https"
        && parsed.host_str() == Some("discord.com")
        && parsed.port_or_known_default() == Some(443)
        && path.is_empty()
        && parsed.username().is_empty();
    if is_discord {
        return Ok(DISCORD_API_DEFAULT.to_string());
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Whether a path segment names a version of Discord's API (`v10`).
fn is_api_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `url`'s host is this machine: 127.0.0.0/8, ::1 or `localhost`. The URL parser
/// has already normalised the host (`127.1` is `127.0.0.1`, names are lowercased), and a
/// name such as `127.0.0.1.example.com` is a name, not an address.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    match unbracketed.parse::<std::net::IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host == "localhost",
    }
}

fn snowflake(source: Source<'_>, key: &'static str) -> Result<Option<u64>, ConfigError> {
    match get(source, key) {
        None => Ok(None),
        Some(value) => match value.parse::<u64>() {
            Ok(id) if id > 0 => Ok(Some(id)),
            _ => Err(ConfigError::Invalid {
                key,
                problem: format!(
                    "{} is not a Discord id (a number like 123456789012345678)",
                    shown(&value)
                ),
                hint: ID_HINT,
            }),
        },
    }
}

/// `LANTERN_WATCH_CONTENT`: a boolean, or `poll` for a folder whose changes raise no file
/// events (a network share, some container volumes).
fn watch_mode(source: Source<'_>) -> Result<Option<WatchMode>, ConfigError> {
    const KEY: &str = "LANTERN_WATCH_CONTENT";
    let value = get(source, KEY).unwrap_or_default();
    if value.eq_ignore_ascii_case("poll") {
        return Ok(Some(WatchMode::Poll));
    }
    let watch = boolean(source, KEY, true).map_err(|_| ConfigError::Invalid {
        key: KEY,
        problem: format!("{} is not true, false or poll", shown(&value)),
        hint: "Write true (follow file events), false (changes need /reload) or poll (look for changes twice a second: for a folder on a network share or a container volume)",
    })?;
    Ok(watch.then_some(WatchMode::Events))
}

fn boolean(source: Source<'_>, key: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(source, key).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "true" | "yes" | "1" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "false" | "no" | "0" | "off") => Ok(false),
        Some(v) => Err(ConfigError::Invalid {
            key,
            problem: format!("{} is not true or false", shown(&v)),
            hint: "Write true or false",
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const TOKEN: &str = "MTAxMjM0NTY3ODkw.GhIjKl.abcdefghijklmnopqrstuvwxyz_-0123";

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn bot(pairs: &[(&str, &str)]) -> Result<BotConfig, ConfigError> {
        let map = env(pairs);
        BotConfig::load(&|k| map.get(k).cloned())
    }

    /// Every key the loaders read is in [`KEYS`], so `.env`'s check knows it.
    #[test]
    fn every_key_read_is_known() {
        let asked = std::cell::RefCell::new(Vec::<String>::new());
        let source = |key: &str| {
            asked.borrow_mut().push(key.to_string());
            (key == "DISCORD_TOKEN").then(|| TOKEN.to_string())
        };
        Config::load(&source, None).unwrap();
        BotConfig::load(&source).unwrap();
        log_questions(&source).unwrap();
        let asked = asked.into_inner();
        assert!(asked.len() >= KEYS.len(), "{asked:?}");
        for key in &asked {
            assert!(
                KEYS.contains(&key.as_str()),
                "{key} is read but not in KEYS"
            );
        }
    }

    #[test]
    fn defaults() {
        let map = env(&[]);
        let config = Config::load(&|k| map.get(k).cloned(), None).unwrap();
        assert_eq!(config.content_dir, PathBuf::from("content"));
        assert_eq!(config.min_confidence, DEFAULT_MIN_CONFIDENCE);
        let bot = bot(&[("DISCORD_TOKEN", TOKEN), ("LANTERN_GUILD_ID", "")]).unwrap();
        assert!(bot.ephemeral_default);
        assert_eq!(bot.guild_id, None);
        assert_eq!(bot.api_url, DISCORD_API_DEFAULT);
    }

    #[test]
    fn missing_and_malformed_keys_are_named_and_token_never_echoed() {
        let missing = bot(&[]).unwrap_err();
        assert!(missing.to_string().starts_with("DISCORD_TOKEN is not set"));

        let secret = "secret part with spaces";
        let malformed = bot(&[("DISCORD_TOKEN", secret)]).unwrap_err().to_string();
        assert!(malformed.contains("DISCORD_TOKEN is malformed"));
        assert!(!malformed.contains("secret"));

        let error =
            bot(&[("DISCORD_TOKEN", TOKEN), ("LANTERN_GUILD_ID", "my server")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("LANTERN_GUILD_ID is malformed: `my server`")
        );
        let error = bot(&[
            ("DISCORD_TOKEN", TOKEN),
            ("LANTERN_EPHEMERAL_DEFAULT", "maybe"),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("LANTERN_EPHEMERAL_DEFAULT"));
        let error =
            bot(&[("DISCORD_TOKEN", TOKEN), ("DISCORD_API_URL", "discord.com")]).unwrap_err();
        assert!(error.to_string().contains("DISCORD_API_URL"));
        assert!(!format!("{:?}", bot(&[("DISCORD_TOKEN", TOKEN)]).unwrap()).contains(TOKEN));

        // The token pasted into another setting is not printed either.
        for key in [
            "LANTERN_GUILD_ID",
            "LANTERN_EPHEMERAL_DEFAULT",
            "LANTERN_SHARDS",
        ] {
            let error = bot(&[("DISCORD_TOKEN", TOKEN), (key, TOKEN)])
                .unwrap_err()
                .to_string();
            assert!(error.contains(key) && !error.contains(TOKEN), "{error}");
            assert!(error.contains("looks like a bot token"), "{error}");
        }
        // ...with its "Bot " prefix, or in a folder setting, whose messages name the folder.
        let prefixed = format!("Bot {TOKEN}");
        let error = bot(&[("DISCORD_TOKEN", TOKEN), ("LANTERN_SHARDS", &prefixed)])
            .unwrap_err()
            .to_string();
        assert!(!error.contains(TOKEN), "{error}");
        for key in ["LANTERN_CONTENT_DIR", "LANTERN_DATA_DIR"] {
            for value in [
                TOKEN.to_string(),
                format!("/srv/{TOKEN}/content"),
                format!("{TOKEN},"),
                format!("/srv/x;{TOKEN}"),
                format!("{TOKEN}."),
                format!("/srv/.{TOKEN}.txt"),
            ] {
                let map = env(&[(key, &value)]);
                let error = Config::load(&|k| map.get(k).cloned(), None)
                    .unwrap_err()
                    .to_string();
                assert!(error.contains(key) && !error.contains(TOKEN), "{error}");
            }
        }
        // Its secret last part alone (random base64: both cases and digits), and the
        // token as the host of a plain-http URL.
        let secret_part = "Xq3vR9kLm2Tz8WbY1cN5pD7sGh";
        let error = bot(&[
            ("DISCORD_TOKEN", TOKEN),
            ("LANTERN_COOLDOWN_SECONDS", secret_part),
        ])
        .unwrap_err()
        .to_string();
        assert!(!error.contains(secret_part), "{error}");
        // Folders named with dates, UUIDs or hashes are folders.
        for folder in [
            "/srv/lantern_content_backup_2024",
            "/srv/123e4567-e89b-12d3-a456-426614174000/content",
            "/var/lib/data-7f3a9c2e4b1d8f6a0c5e3b7d9a1f",
        ] {
            let map = env(&[("LANTERN_CONTENT_DIR", folder)]);
            assert!(
                Config::load(&|k| map.get(k).cloned(), None).is_ok(),
                "{folder}"
            );
        }
        let url = format!("http://{TOKEN}");
        let error = bot(&[("DISCORD_TOKEN", TOKEN), ("DISCORD_API_URL", &url)])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unencrypted"), "{error}");
        assert!(
            !error
                .to_lowercase()
                .contains(&TOKEN.rsplit('.').next().unwrap().to_lowercase()),
            "{error}"
        );
        // A folder that merely has dots in its name is a folder.
        let map = env(&[("LANTERN_CONTENT_DIR", "/srv/lantern.v2.content")]);
        assert!(Config::load(&|k| map.get(k).cloned(), None).is_ok());
    }

    /// `.env` is read first-come: a key set twice, or set empty in the environment, would
    /// silently keep the wrong value. Each is an error naming the key, never the value;
    /// a key Lantern does not read is a warning naming the nearest one it does.
    #[test]
    fn dotenv_lines_that_would_be_ignored_are_named() {
        let pairs = |lines: &[(&str, &str)]| -> Vec<(String, String)> {
            lines
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let path = Path::new(".env");
        let nothing_set = |_: &str| None;
        let appended = pairs(&[
            ("LANTERN_MIN_CONFIDENCE", ""),
            ("LANTERN_MIN_CONFIDENCE", "0.9"),
        ]);
        let error = check_dotenv_pairs(path, &appended, &nothing_set)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("LANTERN_MIN_CONFIDENCE is set twice, first empty"),
            "{error}"
        );
        let twice = pairs(&[
            ("DISCORD_TOKEN", TOKEN),
            ("DISCORD_TOKEN", "other.token.value"),
        ]);
        let error = check_dotenv_pairs(path, &twice, &nothing_set)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("DISCORD_TOKEN is set twice") && !error.contains(TOKEN),
            "{error}"
        );
        let hidden = pairs(&[("LANTERN_MIN_CONFIDENCE", "0.9")]);
        let set_empty = |key: &str| (key == "LANTERN_MIN_CONFIDENCE").then(String::new);
        let error = check_dotenv_pairs(path, &hidden, &set_empty)
            .unwrap_err()
            .to_string();
        assert!(error.contains("empty in the environment"), "{error}");

        let misspelt = pairs(&[("LANTERN_COOLDOWN", "10"), ("RUST_LOG", "info")]);
        let warnings = check_dotenv_pairs(path, &misspelt, &nothing_set).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("did you mean LANTERN_COOLDOWN_SECONDS"),
            "{warnings:?}"
        );
        // The template as shipped, then filled in once each: fine.
        let filled = pairs(&[("DISCORD_TOKEN", ""), ("LANTERN_GUILD_ID", "123")]);
        assert!(
            check_dotenv_pairs(path, &filled, &nothing_set)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn content_is_watched_by_events_by_polling_or_not_at_all() {
        let watch = |v: &str| {
            bot(&[("DISCORD_TOKEN", TOKEN), ("LANTERN_WATCH_CONTENT", v)]).map(|c| c.watch_content)
        };
        assert_eq!(watch("").unwrap(), Some(WatchMode::Events));
        assert_eq!(watch("yes").unwrap(), Some(WatchMode::Events));
        assert_eq!(watch("Poll").unwrap(), Some(WatchMode::Poll));
        assert_eq!(watch("off").unwrap(), None);
        let error = watch("polling").unwrap_err().to_string();
        assert!(
            error.contains("LANTERN_WATCH_CONTENT") && error.contains("true, false or poll"),
            "{error}"
        );
    }

    /// The token goes to whatever DISCORD_API_URL names, so plain http is allowed only
    /// to this machine.
    #[test]
    fn api_url_must_be_https_except_on_this_machine() {
        let api_url =
            |v: &str| bot(&[("DISCORD_TOKEN", TOKEN), ("DISCORD_API_URL", v)]).map(|c| c.api_url);
        for allowed in [
            "https://discord.com",
            "https://proxy.example.com:8443/",
            "https://proxy.example.com/v1",
            "https://proxy.example.com/discord/",
            "http://127.0.0.1:8080",
            "http://127.8.9.10",
            "http://localhost:3000",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(api_url(allowed).is_ok(), "{allowed} refused");
        }
        assert_eq!(
            api_url("https://proxy.example.com/").unwrap(),
            "https://proxy.example.com"
        );
        // Discord however written is Discord, not a proxy (which would turn serenity's
        // rate limiter off).
        for discord in [
            "https://Discord.com:443/",
            "https://DISCORD.COM",
            "https://discord.com/",
        ] {
            assert_eq!(api_url(discord).unwrap(), DISCORD_API_DEFAULT, "{discord}");
        }
        for refused in [
            "http://example.com",
            "http://discord.com",
            "http://10.0.0.5:8080",
            "http://[::2]",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "http://127.0.0.1@example.com",
            "ftp://127.0.0.1",
            "https://discord.com/api",
            "https://discord.com/api/v10/",
            "http://127.0.0.1:8080/?x=1",
            "http://127.0.0.1:8080/#frag",
        ] {
            let error = api_url(refused).unwrap_err().to_string();
            assert!(
                error.starts_with("DISCORD_API_URL is malformed"),
                "{refused}: {error}"
            );
            assert!(!error.contains(TOKEN), "{refused}: {error}");
        }
        let error = api_url("http://example.com").unwrap_err().to_string();
        assert!(error.contains("https"), "{error}");
        assert!(!error.contains('\n'), "one line: {error}");
        // A password in a URL is never repeated back, parsable or not.
        for secret in [
            "ftp://user:hunter2@proxy",
            "http://user:hunter2@example.com",
        ] {
            let error = api_url(secret).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn shard_settings() {
        let shards =
            |v: &str| bot(&[("DISCORD_TOKEN", TOKEN), ("LANTERN_SHARDS", v)]).map(|c| c.shards);
        assert_eq!(
            bot(&[("DISCORD_TOKEN", TOKEN)]).unwrap().shards,
            Shards::Single
        );
        assert_eq!(shards("auto").unwrap(), Shards::Auto);
        assert_eq!(shards("4").unwrap(), Shards::Total(4));
        assert_eq!(
            shards("0-3/8").unwrap(),
            Shards::Range {
                first: 0,
                last: 3,
                total: 8
            }
        );
        assert!(
            !Shards::Range {
                first: 4,
                last: 7,
                total: 8
            }
            .includes_first()
        );
        for bad in ["0", "3-1/8", "0-8/8", "x", "1-2", "4294967295", "0-1/1025"] {
            let error = shards(bad).unwrap_err().to_string();
            assert!(error.contains("LANTERN_SHARDS"), "{bad}: {error}");
        }
    }

    #[test]
    fn the_data_folder_must_be_outside_the_content_folder() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("kb");
        std::fs::create_dir(&content).unwrap();
        let load = |content: &Path, data: &Path| {
            let map = env(&[
                ("LANTERN_CONTENT_DIR", &content.display().to_string()),
                ("LANTERN_DATA_DIR", &data.display().to_string()),
            ]);
            Config::load(&|k| map.get(k).cloned(), None)
        };
        for inside in [content.clone(), content.join("data"), content.join("a/b")] {
            let error = load(&content, &inside).unwrap_err().to_string();
            assert!(
                error.contains("LANTERN_DATA_DIR") && error.contains("outside the content folder"),
                "{error}"
            );
        }
        // Beside it, also when written through the content folder (or a folder not made
        // yet) and back out; a hidden folder inside it is never read as content.
        assert!(load(&content, &root.path().join("data")).is_ok());
        assert!(load(&content, &content.join("../data")).is_ok());
        assert!(load(&content, &content.join("new/../../data")).is_ok());
        assert!(load(&content, &root.path().join("kb-data")).is_ok());
        assert!(load(&content, &content.join(".lantern")).is_ok());
        // The command line's folder counts, not the environment's.
        let map = env(&[(
            "LANTERN_DATA_DIR",
            &content.join("data").display().to_string(),
        )]);
        assert!(Config::load(&|k| map.get(k).cloned(), Some(content.clone())).is_err());
        assert!(Config::load(&|k| map.get(k).cloned(), Some(root.path().join("other"))).is_ok());
        // Through a link into the content folder.
        #[cfg(unix)]
        {
            let link = root.path().join("link");
            std::os::unix::fs::symlink(&content, &link).unwrap();
            assert!(load(&content, &link.join("data")).is_err());
        }
    }

    #[test]
    fn threshold_must_be_a_share() {
        let map = env(&[("LANTERN_MIN_CONFIDENCE", "1.5")]);
        let error = Config::load(&|k| map.get(k).cloned(), None).unwrap_err();
        assert!(error.to_string().contains("LANTERN_MIN_CONFIDENCE"));
    }
}
