//! The container's HEALTHCHECK probe: `GET /healthz` on the server's own HTTP port.
//!
//! The runtime image (distroless/cc) has no shell, curl or wget, so the Dockerfile compiles this
//! file with plain `rustc` (standard library only, not part of the Cargo workspace) into
//! `/usr/local/bin/healthcheck`. The port comes from HTTP_SERVER_ADDRESS (environment, else the
//! `app.env` file in the working directory, else 0.0.0.0:8080), the same keys the server reads.
//! Exit status 0 means the server answered 200; anything else is 1 with the reason on stderr.

use std::{
    env, fs,
    io::{Read, Write},
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream},
    process::ExitCode,
    time::Duration,
};

const DEFAULT_ADDRESS: &str = "0.0.0.0:8080";
const TIMEOUT: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    match probe() {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("healthcheck: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn configured_address() -> String {
    if let Ok(value) = env::var("HTTP_SERVER_ADDRESS") {
        if !value.trim().is_empty() {
            return value.trim().to_owned();
        }
    }
    let file = env::var("APP_ENV_FILE").unwrap_or_else(|_| "app.env".to_owned());
    if let Ok(text) = fs::read_to_string(file) {
        for line in text.lines() {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "HTTP_SERVER_ADDRESS" {
                    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                    if !value.is_empty() {
                        return value.to_owned();
                    }
                }
            }
        }
    }
    DEFAULT_ADDRESS.to_owned()
}

fn probe() -> Result<(), String> {
    let configured = configured_address();
    let mut address: SocketAddr = configured
        .parse()
        .map_err(|err| format!("HTTP_SERVER_ADDRESS {configured:?}: {err}"))?;
    // A server bound to every interface is reached on loopback.
    if address.ip().is_unspecified() {
        address.set_ip(match address.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT)
        .map_err(|err| format!("cannot connect to {address}: {err}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|err| err.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|err| err.to_string())?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|err| format!("cannot send the request to {address}: {err}"))?;
    // Read the (small) answer to its end, as `Connection: close` asks, so the server never
    // writes into a reset connection; 4 KiB is far more than the status line needs.
    let mut answer = [0u8; 4096];
    let mut read = 0;
    while read < answer.len() {
        match stream.read(&mut answer[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) if read > 0 => {
                eprintln!("healthcheck: reading the rest of the answer: {err}");
                break;
            }
            Err(err) => return Err(format!("no answer from {address}: {err}")),
        }
    }
    let status_line = String::from_utf8_lossy(&answer[..read]);
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if status_line.starts_with("HTTP/1.") && status == "200" {
        Ok(())
    } else {
        let first = status_line.lines().next().unwrap_or("").trim();
        Err(format!("GET http://{address}/healthz answered {first:?}"))
    }
}
