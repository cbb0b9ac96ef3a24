//! The base-URL table (DESIGN §3): the one place that knows which host serves which API where.

use crate::types::{ConnectorKind, Region};

/// Base URL of an API in a resolved region (`Auto` is treated as `Us`; resolve it first).
pub fn base_url(connector: ConnectorKind, region: Region) -> &'static str {
    match (connector, region) {
        (ConnectorKind::Track, Region::Eu) => "https://track-eu.customer.io/api",
        (ConnectorKind::Track, _) => "https://track.customer.io/api",
        (ConnectorKind::App, Region::Eu) => "https://api-eu.customer.io/v1",
        (ConnectorKind::App, _) => "https://api.customer.io/v1",
        (ConnectorKind::Beta, Region::Eu) => "https://beta-api-eu.customer.io/v1/api",
        (ConnectorKind::Beta, _) => "https://beta-api.customer.io/v1/api",
    }
}

/// The cheap authenticated GET that tests a connection in a region (DESIGN §8): Track's region
/// check, or the App host's workspace list for App and Beta keys.
pub fn probe_url(connector: ConnectorKind, region: Region) -> String {
    match connector {
        ConnectorKind::Track => format!(
            "{}/v1/accounts/region",
            base_url(ConnectorKind::Track, region)
        ),
        _ => format!("{}/workspaces", base_url(ConnectorKind::App, region)),
    }
}

/// The host name of an API in a region.
pub fn host(connector: ConnectorKind, region: Region) -> &'static str {
    let base = base_url(connector, region);
    let rest = &base["https://".len()..];
    &rest[..rest.find('/').unwrap_or(rest.len())]
}

/// The path prefix under the host (`/api`, `/v1`, `/v1/api`).
pub fn base_path(connector: ConnectorKind, region: Region) -> &'static str {
    let base = base_url(connector, region);
    &base["https://".len() + host(connector, region).len()..]
}

/// Every Customer.io host this connector may send credentials to.
pub const ALL_HOSTS: [&str; 6] = [
    "track.customer.io",
    "track-eu.customer.io",
    "api.customer.io",
    "api-eu.customer.io",
    "beta-api.customer.io",
    "beta-api-eu.customer.io",
];

/// Which region a Customer.io host belongs to, if it is one.
pub fn region_of_host(host: &str) -> Option<Region> {
    match host {
        "track.customer.io" | "api.customer.io" | "beta-api.customer.io" => Some(Region::Us),
        "track-eu.customer.io" | "api-eu.customer.io" | "beta-api-eu.customer.io" => {
            Some(Region::Eu)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_design() {
        assert_eq!(
            base_url(ConnectorKind::App, Region::Us),
            "https://api.customer.io/v1"
        );
        assert_eq!(
            host(ConnectorKind::Beta, Region::Eu),
            "beta-api-eu.customer.io"
        );
        assert_eq!(base_path(ConnectorKind::Beta, Region::Eu), "/v1/api");
        assert_eq!(base_path(ConnectorKind::Track, Region::Us), "/api");
        for k in ConnectorKind::ALL {
            for r in [Region::Us, Region::Eu] {
                assert!(ALL_HOSTS.contains(&host(k, r)));
                assert_eq!(region_of_host(host(k, r)), Some(r));
            }
        }
    }
}
