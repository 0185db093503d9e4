//! `rewind-eventsv2 --listen ADDR`: the stand-in for the Custom Event Bus (EventBridge v2),
//! in memory (`testkit/src/eventsv2/`). Prints `http://ADDR` — the address it bound — as its
//! first line of standard output, then serves until killed. Environment: `AWS_ENDPOINT_URL`
//! (where SQS targets and CloudWatch metrics go: ministack), `REWIND_EVENTSV2_ACCOUNT`,
//! `REWIND_EVENTSV2_REGION`, `REWIND_EVENTSV2_TRANSITION_MS`, `REWIND_EVENTSV2_METRICS_MS`.

use std::io::Write as _;
use std::process::ExitCode;
use testkit::eventsv2::{self, Config};

const USAGE: &str =
    "usage: rewind-eventsv2 [--listen ADDR]   (default 127.0.0.1:0: a free loopback port)";

#[tokio::main]
async fn main() -> ExitCode {
    let mut listen = "127.0.0.1:0".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => match args.next() {
                Some(addr) => listen = addr,
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other if other.starts_with("--listen=") => {
                listen = other.trim_start_matches("--listen=").to_owned();
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("rewind-eventsv2: unknown argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let config = Config::from_env();
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("rewind-eventsv2: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("rewind-eventsv2: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("http://{address}");
    let _ = std::io::stdout().flush();
    eprintln!(
        "rewind-eventsv2: the Custom Event Bus (v2) stand-in on http://{address}, account {}, region {}, delivering to {}",
        config.account,
        config.region,
        config
            .aws_endpoint
            .as_deref()
            .unwrap_or("nowhere (no AWS_ENDPOINT_URL)")
    );
    match eventsv2::serve(listener, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rewind-eventsv2: {e}");
            ExitCode::FAILURE
        }
    }
}
