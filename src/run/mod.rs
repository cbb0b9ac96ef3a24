//! The runners: how a validated input becomes requests and an output. `rest` builds one request
//! from an entry's parts (and pages through lists), `split` cuts a large input into several
//! requests within the API's limits, `raw` is the universal raw HTTP request.

pub mod export;
pub mod raw;
pub mod rest;
pub mod split;
pub mod upload;
