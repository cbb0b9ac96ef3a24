//! The typed error every call returns: it says who can fix the problem and whether a retry helps,
//! because a workflow host decides on exactly those two questions (alert the user, back off, or fail).

use std::fmt;

/// The error families of the WIT contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The connection config is unusable (empty key, wrong credential type).
    InvalidConfig,
    /// The JSON input does not match the operation's schema.
    InvalidInput,
    /// No operation has that id.
    UnknownOperation,
    /// Customer.io rejected the credentials.
    Unauthorized,
    /// Valid credentials without the needed permission.
    Forbidden,
    /// The workspace lives in the other data centre.
    WrongRegion,
    /// The addressed resource does not exist.
    NotFound,
    /// Too many requests; see `retry_after_ms`.
    RateLimited,
    /// Any other non-success answer.
    Upstream,
    /// The request could not be delivered (connection refused, denied by the host).
    Transport,
    /// The call ran out of time.
    Timeout,
    /// A bug in the connector.
    Internal,
}

impl ErrorKind {
    /// The WIT (kebab-case) name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid-config",
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::UnknownOperation => "unknown-operation",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::WrongRegion => "wrong-region",
            ErrorKind::NotFound => "not-found",
            ErrorKind::RateLimited => "rate-limited",
            ErrorKind::Upstream => "upstream",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Who can fix an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixBy {
    /// The person who configured the step or connection.
    User,
    /// The platform running the component.
    Host,
    /// Customer.io.
    Upstream,
    /// This connector (a bug).
    Connector,
}

impl FixBy {
    /// The WIT name.
    pub fn as_str(self) -> &'static str {
        match self {
            FixBy::User => "user",
            FixBy::Host => "host",
            FixBy::Upstream => "upstream",
            FixBy::Connector => "connector",
        }
    }
}

/// A typed, secret-free error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectorError {
    /// Error family.
    pub kind: ErrorKind,
    /// What went wrong and what to do.
    pub message: String,
    /// Who can fix it.
    pub fix_by: FixBy,
    /// Whether the same call may succeed later.
    pub retryable: bool,
    /// Upstream HTTP status, if there was an answer.
    pub status: Option<u16>,
    /// How long to wait before retrying.
    pub retry_after_ms: Option<u32>,
    /// JSON Pointers into the input.
    pub pointers: Vec<String>,
    /// Upstream body, truncated.
    pub body: Option<String>,
}

impl ConnectorError {
    /// A bare error; the helpers below are the usual way in.
    pub fn new(kind: ErrorKind, fix_by: FixBy, message: impl Into<String>) -> Self {
        ConnectorError {
            kind,
            message: message.into(),
            fix_by,
            retryable: false,
            status: None,
            retry_after_ms: None,
            pointers: Vec::new(),
            body: None,
        }
    }

    /// Bad input at one JSON Pointer.
    pub fn invalid_input(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::InvalidInput, FixBy::User, message);
        e.pointers.push(pointer.into());
        e
    }

    /// Bad connection config.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidConfig, FixBy::User, message)
    }

    /// A connector bug; never the user's fault.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, FixBy::Connector, message)
    }

    /// Marks the error as worth retrying.
    pub fn retryable(mut self, yes: bool) -> Self {
        self.retryable = yes;
        self
    }

    /// Attaches the upstream status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Replaces every secret in the message and body by `[redacted]`.
    pub fn scrub(mut self, secrets: &[String]) -> Self {
        self.message = crate::util::redact(&self.message, secrets);
        self.body = self.body.map(|b| crate::util::redact(&b, secrets));
        self
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for ConnectorError {}
