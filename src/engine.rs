//! The dispatcher: finds the operation, checks the connection and input, and hands the call to
//! the entry's runner. Nothing imports this module; it imports the rest.

use serde_json::Value;

use crate::call::Call;
use crate::catalog::{self, Runner};
use crate::error::{ConnectorError, ErrorKind, FixBy};
use crate::http::{Clock, Transport};
use crate::schema;
use crate::types::*;
use crate::util;

/// The connector core: everything except the transport and the clock.
pub struct Connector<'a> {
    transport: &'a dyn Transport,
    clock: &'a dyn Clock,
}

impl<'a> Connector<'a> {
    /// A connector over a transport and a clock.
    pub fn new(transport: &'a dyn Transport, clock: &'a dyn Clock) -> Self {
        Connector { transport, clock }
    }

    /// Every operation; no network.
    pub fn list_operations(&self) -> Vec<OperationDescriptor> {
        catalog::descriptors()
    }

    /// Tests a connection (see `crate::auth`).
    pub fn authenticate(&self, config: &ConnectionConfig) -> Result<AuthInfo, ConnectorError> {
        let secrets = config.credentials.secrets();
        let mut call = self
            .call(config, None, None)
            .map_err(|e| e.scrub(&secrets))?;
        crate::auth::probe(&mut call)
            .map_err(|e| e.scrub(&secrets))
            .map(|mut info| {
                info.details = util::redact(&info.details, &secrets);
                info
            })
    }

    /// Runs one operation.
    pub fn execute(&self, request: &ExecuteRequest) -> Result<ExecuteResponse, ConnectorError> {
        let secrets = request.config.credentials.secrets();
        self.execute_inner(request)
            .map_err(|e| e.scrub(&secrets))
            .map(|mut r| {
                r.output = util::redact(&r.output, &secrets);
                r
            })
    }

    fn execute_inner(&self, request: &ExecuteRequest) -> Result<ExecuteResponse, ConnectorError> {
        let bound = catalog::find(&request.operation_id)
            .ok_or_else(|| unknown_operation(&request.operation_id))?;
        if bound.api != request.config.connector {
            return Err(ConnectorError::invalid_config(format!(
                "`{}` is a {} operation but the connection is a {} connection; run it on a {} connection",
                bound.id(),
                bound.api.as_str(),
                request.config.connector.as_str(),
                bound.api.as_str()
            )));
        }
        // Hosts read 0 differently (no budget, no limit): it is refused so every host agrees.
        if request.timeout_ms == Some(0) {
            return Err(ConnectorError::invalid_input(
                "",
                "timeout-ms must be at least 1 (milliseconds for the whole step); leave it out for the default of 30 s",
            ));
        }
        if request.input.len() > MAX_INPUT {
            return Err(ConnectorError::invalid_input(
                "",
                format!(
                    "the input is {} bytes; at most {MAX_INPUT} are accepted in one call — split it over several steps",
                    request.input.len()
                ),
            ));
        }
        let input: Value = serde_json::from_str(&request.input).map_err(|e| {
            ConnectorError::invalid_input(
                "",
                format!(
                    "the input is not valid JSON ({e}); send a JSON object such as {}",
                    bound.op.example
                ),
            )
        })?;
        let mut call = self.call(
            &request.config,
            request.timeout_ms,
            request.request_id.as_deref(),
        )?;
        call.derive_ids_from(&request.operation_id, &input);
        let mut valid = schema::validate(&bound.field_groups(), &input)?;
        if let Some(rule) = bound.op.rule {
            let problems = rule(&mut valid, &|| call.ulid());
            if !problems.is_empty() {
                return Err(schema::problems_error(problems));
            }
        }
        match bound.op.runner {
            Runner::Rest => crate::run::rest::run(&mut call, bound, valid),
            Runner::Raw => crate::run::raw::run(&mut call, valid),
            Runner::Custom(f) => {
                let (output, status) = f(&mut call, bound, valid)?;
                Ok(ExecuteResponse {
                    output: output.to_string(),
                    status,
                    requests: call.requests,
                })
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn call_for_tests<'c>(&self, config: &'c ConnectionConfig) -> Call<'c>
    where
        'a: 'c,
    {
        self.call(config, None, None).expect("valid config")
    }

    fn call<'c>(
        &self,
        config: &'c ConnectionConfig,
        timeout_ms: Option<u32>,
        request_id: Option<&str>,
    ) -> Result<Call<'c>, ConnectorError>
    where
        'a: 'c,
    {
        check_credentials(config)?;
        if let Some(id) = request_id {
            if id.is_empty() || id.len() > 200 || !id.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ConnectorError::new(
                    ErrorKind::InvalidInput,
                    FixBy::Host,
                    "request-id must be 1 to 200 visible ASCII characters (it is sent as the X-Request-Id header)",
                ));
            }
        }
        Ok(Call::new(
            self.transport,
            self.clock,
            config,
            timeout_ms,
            request_id,
            crate::auth::probe,
        ))
    }
}

fn unknown_operation(id: &str) -> ConnectorError {
    ConnectorError::new(
        ErrorKind::UnknownOperation,
        FixBy::User,
        format!(
            "there is no operation `{id}`; did you mean {}? (`cio-host operations` lists them all)",
            catalog::nearest(id, 3)
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// Longest credential accepted: real keys are tens of characters; a longer one would only make
/// an `Authorization` header that hosts refuse or trap on.
const MAX_CREDENTIAL: usize = 1024;

/// Largest JSON input: the biggest legitimate one (a batch of v2 operations) fits many times
/// over, and parsing stays far inside the host's memory cap.
pub const MAX_INPUT: usize = 16 * 1024 * 1024;

fn header_safe(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_CREDENTIAL && s.bytes().all(|b| b.is_ascii_graphic())
}

fn check_credentials(config: &ConnectionConfig) -> Result<(), ConnectorError> {
    match (&config.connector, &config.credentials) {
        (ConnectorKind::Track, Credentials::Track(t)) => {
            if !header_safe(&t.site_id) || t.site_id.contains(':') {
                return Err(ConnectorError::invalid_config(
                    "the Track site id is empty, longer than 1024 bytes, or has spaces, colons or other characters a site id never has; copy it from Settings → API Credentials → Track API Keys",
                ));
            }
            if !header_safe(&t.api_key) {
                return Err(ConnectorError::invalid_config(
                    "the Track API key is empty, longer than 1024 bytes, or has spaces or control characters; copy it from Settings → API Credentials → Track API Keys",
                ));
            }
            Ok(())
        }
        (ConnectorKind::App | ConnectorKind::Beta, Credentials::App(key)) => {
            if !header_safe(key) {
                return Err(ConnectorError::invalid_config(
                    "the App API key is empty, longer than 1024 bytes, or has spaces or control characters; copy it from Settings → API Credentials → App API Keys",
                ));
            }
            Ok(())
        }
        (ConnectorKind::Track, Credentials::App(_)) => Err(ConnectorError::invalid_config(
            "a Track connection needs the site id and Track API key, but it was given an App API key",
        )),
        (k, Credentials::Track(_)) => Err(ConnectorError::invalid_config(format!(
            "a {} connection needs an App API key (Bearer), but it was given Track credentials (site id and Track key)",
            k.as_str()
        ))),
    }
}
