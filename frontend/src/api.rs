//! The typed client of Rewind's HTTP API; pages never build URLs by hand.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use shared::ErrorBody;
use shared::archive::ArchiveList;

/// Reads a success body, or turns an error body into its message.
async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, String> {
    let response = response.map_err(|e| format!("Rewind's server could not be reached: {e}"))?;
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| format!("Unexpected answer: {e}"));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(body.error.message),
        Err(_) => Err(format!("The server answered {}.", response.status())),
    }
}

pub async fn list_archives() -> Result<ArchiveList, String> {
    read(Request::get("/api/archives").send().await).await
}
