//! Design Studio: served in the next commit; every path is a 404 for now.

use axum::response::Response;

use crate::content::{missing, Content};
use crate::records::Out;

/// One workspace's Design Studio folders, components and emails.
#[derive(Debug, Default)]
pub(crate) struct Design {}

pub(crate) fn serve(
    content: &mut Content,
    _method: &str,
    _rest: &[&str],
    _query: Option<&str>,
    _body: &[u8],
) -> Out<Response> {
    let _ = &content.design;
    missing()
}
