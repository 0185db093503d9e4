//! Rewind's backend binary: under Lambda when `AWS_LAMBDA_RUNTIME_API` is set, else a
//! local server that also serves the built console.

// The Lambda runtime's future around the handler of both event kinds nests deeper than
// the compiler's default query depth when its layout is computed.
#![recursion_limit = "256"]

use backend::configuration::Settings;
use backend::http::Application;
use backend::state::AppState;
use std::process::ExitCode;

// One thread: Rewind only waits on EventBridge, and a request never hops between
// threads on its way from the client to the SDK and back (Lambda sends one at a time).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let under_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    backend::telemetry::init(under_lambda);

    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            tracing::error!("invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };

    let result = if under_lambda {
        let state = AppState::from_settings(&settings).await;
        backend::http::lambda::run(state)
            .await
            .map_err(|e| e.to_string())
    } else {
        match Application::build(&settings).await {
            Ok(app) => {
                tracing::info!(
                    "Rewind is listening on http://{}:{}",
                    settings.listen.ip(),
                    app.port()
                );
                app.run().await.map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("cannot listen on {}: {e}", settings.listen)),
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
