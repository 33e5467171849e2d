//! Test support shared by integration tests: `mod support;` then
//! `use support::fake_discord::*;` (a fake Discord on 127.0.0.1) and `support::bot` (the
//! real `lantern run` process pointed at it).

pub mod bot;
pub mod fake_discord;
