//! The fake gateway: a websocket server speaking Discord's gateway protocol in JSON text
//! frames.
//!
//! What serenity 0.12.5 does, and so what this must accept: it connects to the URL from
//! `GET /gateway` with `?v=10` appended (no `encoding`, no `compress=zlib-stream`), sends
//! IDENTIFY with `"compress": true` (per-message zlib, which it decodes if a frame is binary;
//! text frames are always fine), and on RESUME reconnects to that same `/gateway` URL: it
//! reads `resume_gateway_url` from READY but never uses it. It sends RESUME right after the
//! handshake, without waiting for HELLO.
//!
//! Every frame to a connection goes through that connection's channel, so frames from the
//! protocol (READY, heartbeat ACKs) and from the test (`dispatch`) can never interleave
//! out of sequence order.

#![allow(dead_code)]

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::fixtures;
use super::state::{Conn, Session, Shared};

/// What the test (or the protocol) wants a connection task to do.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send this text frame.
    Frame(String),
    /// Send a close frame with this code, then drop the connection.
    Close(u16, String),
    /// Drop the TCP connection without a close frame.
    Drop,
}

/// Accepts websocket connections forever; each runs in its own task.
pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(run_connection(Arc::clone(&shared), stream));
            }
            Err(error) => {
                eprintln!("fake gateway: accept failed: {error}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

/// A gateway frame that is not a dispatch.
fn frame(op: u8, d: Value) -> String {
    json!({"op": op, "d": d, "s": null, "t": null}).to_string()
}

/// A dispatch frame (op 0), which must carry `s` and `t` or serenity rejects it.
fn dispatch_frame(seq: u64, event: &str, d: &Value) -> String {
    json!({"op": 0, "d": d, "s": seq, "t": event}).to_string()
}

async fn run_connection(shared: Arc<Shared>, stream: TcpStream) {
    let mut uri = String::new();
    // The error type is tungstenite's, not ours to shrink.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        uri = request.uri().to_string();
        Ok(response)
    };
    let ws = match tokio_tungstenite::accept_hdr_async(stream, callback).await {
        Ok(ws) => ws,
        Err(error) => {
            eprintln!("fake gateway: websocket handshake failed: {error}");
            return;
        }
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn_id = {
        let mut gateway = shared.gateway();
        let id = gateway.next_conn_id;
        gateway.next_conn_id += 1;
        let hello = frame(
            10,
            json!({
                "heartbeat_interval": shared.heartbeat_interval_ms.load(Ordering::SeqCst),
                "_trace": ["[\"fake-gateway\",{\"micros\":0}]"],
            }),
        );
        // Cannot fail: the receiver is right here.
        let _ = tx.send(Outbound::Frame(hello));
        gateway.conns.push(Conn {
            id,
            tx: tx.clone(),
            alive: true,
            session_id: None,
            uri,
        });
        id
    };
    shared.bump();

    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => handle_frame(&shared, conn_id, &tx, &text),
                Some(Ok(Message::Binary(_))) => {
                    eprintln!("fake gateway: the bot sent a binary frame; closing with 4002");
                    let _ = tx.send(Outbound::Close(4002, "Error while decoding payload.".into()));
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map(|f| u16::from(f.code));
                    shared.gateway().client_closes.push((conn_id, code));
                    shared.bump();
                    break;
                }
                None => break,
                Some(Ok(_)) => {} // ping/pong are answered by tungstenite
                Some(Err(error)) => {
                    eprintln!("fake gateway: connection {conn_id} read error: {error}");
                    break;
                }
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outbound::Frame(text)) => {
                    if let Err(error) = sink.send(Message::Text(text)).await {
                        eprintln!("fake gateway: connection {conn_id} write error: {error}");
                        break;
                    }
                }
                Some(Outbound::Close(code, reason)) => {
                    let close = CloseFrame { code: CloseCode::from(code), reason: Cow::Owned(reason) };
                    if let Err(error) = sink.send(Message::Close(Some(close))).await {
                        eprintln!("fake gateway: connection {conn_id} close error: {error}");
                    }
                    break;
                }
                // Dropping both halves at the end of this function closes the socket
                // without a close frame.
                Some(Outbound::Drop) | None => break,
            },
        }
    }

    {
        let mut gateway = shared.gateway();
        let mut session_id = None;
        if let Some(conn) = gateway.conns.iter_mut().find(|c| c.id == conn_id) {
            conn.alive = false;
            session_id = conn.session_id.clone();
        }
        if let Some(session) = session_id
            .and_then(|id| gateway.sessions.get_mut(&id))
            .filter(|s| s.conn == Some(conn_id))
        {
            session.conn = None;
        }
    }
    shared.bump();
}

/// Handles one frame from the bot. Answers go into `tx`, in order.
fn handle_frame(shared: &Shared, conn_id: u64, tx: &mpsc::UnboundedSender<Outbound>, text: &str) {
    let payload: Value = match serde_json::from_str(text) {
        Ok(payload) => payload,
        Err(error) => {
            eprintln!("fake gateway: undecodable frame ({error}): {text}");
            let _ = tx.send(Outbound::Close(
                4002,
                "Error while decoding payload.".into(),
            ));
            return;
        }
    };
    let op = payload.get("op").and_then(Value::as_u64);
    let d = payload.get("d").cloned().unwrap_or(Value::Null);
    {
        let mut gateway = shared.gateway();
        gateway.received.push((conn_id, payload));
        match op {
            Some(1) => {
                gateway.heartbeats += 1;
                if shared.heartbeat_acks.load(Ordering::SeqCst) {
                    let _ = tx.send(Outbound::Frame(frame(11, Value::Null)));
                }
            }
            Some(2) => identify(shared, &mut gateway, conn_id, tx, d),
            Some(6) => resume(&mut gateway, conn_id, tx, d),
            // Presence update, voice state, request guild members, soundboard: recorded only.
            Some(3 | 4 | 8 | 31) => {}
            _ => {
                eprintln!("fake gateway: unknown opcode in {text}");
                let _ = tx.send(Outbound::Close(4001, "Unknown opcode.".into()));
            }
        }
    }
    shared.bump();
}

fn identify(
    shared: &Shared,
    gateway: &mut super::state::GatewayState,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    d: Value,
) {
    gateway.identifies.push(d.clone());
    let already = gateway
        .conns
        .iter()
        .any(|c| c.id == conn_id && c.session_id.is_some());
    if already {
        let _ = tx.send(Outbound::Close(4005, "Already authenticated.".into()));
        return;
    }
    let token = d.get("token").and_then(Value::as_str).unwrap_or_default();
    if token.trim_start_matches("Bot ") != super::FakeDiscord::token() {
        let _ = tx.send(Outbound::Close(4004, "Authentication failed.".into()));
        return;
    }
    let shard = match d.get("shard").and_then(Value::as_array).map(Vec::as_slice) {
        Some([id, total]) => match (id.as_u64(), total.as_u64()) {
            (Some(id), Some(total)) if id < total => [id, total],
            _ => {
                let _ = tx.send(Outbound::Close(4010, "Invalid shard.".into()));
                return;
            }
        },
        None => [0, 1],
        Some(_) => {
            let _ = tx.send(Outbound::Close(4010, "Invalid shard.".into()));
            return;
        }
    };

    gateway.next_session += 1;
    gateway.attach_counter += 1;
    let session_id = format!("fakesession{:08x}", gateway.next_session);
    let mut session = Session {
        id: session_id.clone(),
        shard,
        seq: 0,
        sent: Vec::new(),
        conn: Some(conn_id),
        attached_order: gateway.attach_counter,
        valid: true,
    };
    let ready = fixtures::ready_payload(&session_id, &shared.ws_url(), shard);
    send_dispatch(&mut session, tx, "READY", &ready);
    // Discord sends GUILD_CREATE only to the shard the guild belongs to: (id >> 22) % total.
    if (fixtures::GUILD_ID >> 22) % shard[1] == shard[0] {
        send_dispatch(
            &mut session,
            tx,
            "GUILD_CREATE",
            &fixtures::guild_create_payload(),
        );
    }
    if let Some(conn) = gateway.conns.iter_mut().find(|c| c.id == conn_id) {
        conn.session_id = Some(session_id.clone());
    }
    gateway.sessions.insert(session_id, session);
}

fn resume(
    gateway: &mut super::state::GatewayState,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    d: Value,
) {
    gateway.resumes.push(d.clone());
    let token = d.get("token").and_then(Value::as_str).unwrap_or_default();
    if token.trim_start_matches("Bot ") != super::FakeDiscord::token() {
        let _ = tx.send(Outbound::Close(4004, "Authentication failed.".into()));
        return;
    }
    let session_id = d
        .get("session_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    gateway.attach_counter += 1;
    let order = gateway.attach_counter;
    let Some(session) = gateway.sessions.get_mut(&session_id).filter(|s| s.valid) else {
        // Discord answers a RESUME of an unknown or invalidated session with op 9, false.
        let _ = tx.send(Outbound::Frame(frame(9, json!(false))));
        return;
    };
    if seq > session.seq {
        let _ = tx.send(Outbound::Close(4007, "Invalid seq.".into()));
        return;
    }
    // The previous connection, if still open, no longer receives this session's events.
    let previous = session.conn.replace(conn_id);
    session.attached_order = order;
    for (s, text) in &session.sent {
        if *s > seq {
            let _ = tx.send(Outbound::Frame(text.clone()));
        }
    }
    send_dispatch(
        session,
        tx,
        "RESUMED",
        &json!({"_trace": ["[\"fake-gateway\",{\"micros\":0}]"]}),
    );
    for conn in &mut gateway.conns {
        if conn.id == conn_id {
            conn.session_id = Some(session_id.clone());
        } else if Some(conn.id) == previous {
            conn.session_id = None;
        }
    }
}

/// Sends a dispatch with the session's next sequence number and keeps it for replay.
pub(crate) fn send_dispatch(
    session: &mut Session,
    tx: &mpsc::UnboundedSender<Outbound>,
    event: &str,
    d: &Value,
) {
    session.seq += 1;
    let text = dispatch_frame(session.seq, event, d);
    session.sent.push((session.seq, text.clone()));
    // A closed connection is fine: the frame is kept for replay on RESUME.
    let _ = tx.send(Outbound::Frame(text));
}

/// The live connection and session a test's action should go to: the most recently
/// identified or resumed session that is connected, optionally only for one shard.
pub(crate) fn current(
    gateway: &super::state::GatewayState,
    shard: Option<u64>,
) -> Option<(String, u64)> {
    gateway
        .sessions
        .values()
        .filter(|s| s.valid && shard.is_none_or(|id| s.shard[0] == id))
        .filter_map(|s| {
            let conn = s.conn?;
            gateway
                .conns
                .iter()
                .any(|c| c.id == conn && c.alive)
                .then(|| (s.attached_order, s.id.clone(), conn))
        })
        .max_by_key(|(order, _, _)| *order)
        .map(|(_, id, conn)| (id, conn))
}

/// Sends `outbound` to the connection `conn_id`.
pub(crate) fn send_to_conn(gateway: &super::state::GatewayState, conn_id: u64, outbound: Outbound) {
    if let Some(conn) = gateway.conns.iter().find(|c| c.id == conn_id) {
        let _ = conn.tx.send(outbound);
    }
}

/// Sends a non-dispatch frame (op 7, op 9, ...) to a connection.
pub(crate) fn send_op(gateway: &super::state::GatewayState, conn_id: u64, op: u8, d: Value) {
    send_to_conn(gateway, conn_id, Outbound::Frame(frame(op, d)));
}
