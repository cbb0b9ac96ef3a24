//! Assets (`/v1/assets`): image and PDF files in folders, with integer ids shared by files and
//! folders. Uploads are `multipart/form-data` as the API documents (`file`, with `name` and
//! `parent_folder_id` optional); a JSON body `{"name", "content": <base64>, "parent_folder_id"}`
//! is accepted too, for clients that cannot send multipart. Lists page by `page` and `limit`.
//!
//! Seeds: folder 1 ("Brand", at the root) holding file 2 (`logo.png`) and the empty folder 3
//! ("Archive", at the root); new ids count on from 4.

use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::check::{Invalid, Obj};
use crate::content::{body_object, missing, ok, reject_unknown, Content};
use crate::records::{Out, EPOCH};
use crate::util::{no_content, parse_id, query_param, unix_now, AppError, STANDARD_LENIENT};

/// The largest upload, in bytes.
pub(crate) const MAX_FILE: usize = 2 * 1024 * 1024;
const EXTENSIONS: [&str; 6] = ["bmp", "jpeg", "jpg", "png", "gif", "pdf"];
/// A 1×1 PNG, the seeded logo.
const LOGO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A file (`size` set) or a folder.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) parent: Option<u64>,
    /// `Some(bytes)` for a file.
    pub(crate) size: Option<usize>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

impl Item {
    fn to_json(&self) -> Value {
        let mut record = json!({
            "id": self.id,
            "name": self.name,
            "parent_folder_id": self.parent,
            "created": self.created,
            "updated": self.updated,
        });
        if let Some(size) = self.size {
            record["size"] = json!(size);
            record["path"] = json!(format!(
                "https://assets.example.com/images/{}/{}",
                self.id,
                percent_encoding::utf8_percent_encode(
                    &self.name,
                    percent_encoding::NON_ALPHANUMERIC
                )
            ));
        }
        record
    }
}

#[derive(Debug)]
pub(crate) struct Assets {
    /// Files and folders by ascending id; deleted ones are gone.
    pub(crate) items: Vec<Item>,
    next_id: u64,
}

impl Default for Assets {
    fn default() -> Self {
        let at = EPOCH - 7 * 86_400;
        Assets {
            items: vec![
                Item {
                    id: 1,
                    name: "Brand".into(),
                    parent: None,
                    size: None,
                    created: at,
                    updated: at,
                },
                Item {
                    id: 2,
                    name: "logo.png".into(),
                    parent: Some(1),
                    size: Some(LOGO.len()),
                    created: at,
                    updated: at,
                },
                Item {
                    id: 3,
                    name: "Archive".into(),
                    parent: None,
                    size: None,
                    created: at,
                    updated: at,
                },
            ],
            next_id: 4,
        }
    }
}

impl Assets {
    fn index(&self, id: &str, file: bool) -> Out<usize> {
        parse_id(id)
            .and_then(|id| {
                self.items
                    .iter()
                    .position(|i| i.id == id && i.size.is_some() == file)
            })
            .ok_or_else(AppError::not_found)
    }

    fn is_folder(&self, id: u64) -> bool {
        self.items.iter().any(|i| i.id == id && i.size.is_none())
    }

    /// Whether `id` is `ancestor` or lies below it.
    fn within(&self, id: Option<u64>, ancestor: u64) -> bool {
        let mut current = id;
        for _ in 0..=self.items.len() {
            match current {
                Some(c) if c == ancestor => return true,
                Some(c) => current = self.items.iter().find(|i| i.id == c).and_then(|i| i.parent),
                None => return false,
            }
        }
        false
    }
}

pub(crate) fn serve(
    content: &mut Content,
    method: &str,
    rest: &[&str],
    query: Option<&str>,
    body: &[u8],
) -> Out<Response> {
    let assets = &mut content.assets;
    match (method, rest) {
        ("GET", []) => list(assets, query, "assets", true).map(ok),
        ("GET", ["folders"]) => list(assets, query, "folders", false).map(ok),
        ("POST", ["files"]) => upload(assets, body).map(ok),
        ("POST", ["folders"]) => create_folder(assets, body).map(ok),
        ("GET", [kind @ ("files" | "folders"), id]) => {
            let file = *kind == "files";
            let item = &assets.items[assets.index(id, file)?];
            let key = if file { "asset" } else { "folder" };
            Ok(ok(json!({ key: item.to_json() })))
        }
        ("PUT", [kind @ ("files" | "folders"), id]) => {
            update(assets, id, *kind == "files", body).map(|()| no_content())
        }
        ("DELETE", ["files", id]) => {
            let index = assets.index(id, true)?;
            assets.items.remove(index);
            Ok(no_content())
        }
        ("DELETE", ["folders", id]) => {
            let index = assets.index(id, false)?;
            let folder = assets.items[index].id;
            if assets.items.iter().any(|i| i.parent == Some(folder)) {
                return Err(conflict("only an empty folder can be deleted"));
            }
            assets.items.remove(index);
            Ok(no_content())
        }
        _ => missing(),
    }
}

pub(crate) fn conflict(detail: &str) -> AppError {
    AppError::new(axum::http::StatusCode::CONFLICT, detail)
}

/// `page` (≥ 1, default 1) and `limit` (1..=10000, default 1000).
pub(crate) fn paging(query: Option<&str>) -> Out<(usize, usize)> {
    let read = |name: &str, default: usize, max: usize| -> Out<usize> {
        match query_param(query, name).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(AppError::bad_request(format!(
                    "{name} must be an integer from 1 to {max}, not {text:?}"
                ))),
            },
        }
    };
    Ok((read("page", 1, usize::MAX)?, read("limit", 1000, 10_000)?))
}

/// A boolean query parameter.
pub(crate) fn query_bool(query: Option<&str>, name: &str) -> Out<Option<bool>> {
    match query_param(query, name).as_deref() {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(AppError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// One page of `items`: the page's records and `meta.pagination` (`page`, `limit`, `total`).
pub(crate) fn page_of(items: Vec<Value>, page: usize, limit: usize) -> (Vec<Value>, Value) {
    let total = items.len();
    let start = (page - 1).saturating_mul(limit).min(total);
    let end = start.saturating_add(limit).min(total);
    let records = items[start..end].to_vec();
    (
        records,
        json!({"page": page, "limit": limit, "total": total}),
    )
}

/// A folder id from a query or body: `0` (or absent) is the root; others must name a folder.
fn folder_ref(assets: &Assets, value: Option<&Value>, field: &str) -> Out<Option<u64>> {
    let id = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => parse_id(s),
        Some(_) => None,
    };
    match id {
        Some(0) => Ok(None),
        Some(id) if assets.is_folder(id) => Ok(Some(id)),
        Some(_) => Err(AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("{field}: folder not found"),
        )),
        None => {
            Err(Invalid::new(field, "invalid", format!("{field} must be an integer id")).into())
        }
    }
}

fn list(assets: &Assets, query: Option<&str>, key: &str, files: bool) -> Out<Value> {
    let (page, limit) = paging(query)?;
    let parent_text = query_param(query, "parent_folder_id").filter(|p| !p.is_empty());
    let parent = folder_ref(
        assets,
        parent_text.map(Value::String).as_ref(),
        "parent_folder_id",
    )?;
    let direct = query_bool(query, "direct_descendants_only")?.unwrap_or(false);
    let items: Vec<Value> = assets
        .items
        .iter()
        .filter(|i| i.size.is_some() == files)
        .filter(|i| match (parent, direct) {
            (_, true) => i.parent == parent,
            (None, false) => true,
            (Some(p), false) => assets.within(i.parent, p),
        })
        .map(Item::to_json)
        .collect();
    let (records, pagination) = page_of(items, page, limit);
    Ok(json!({
        key: records,
        "meta": {
            "pagination": pagination,
            "filters": {"parent_folder_id": parent, "direct_descendants_only": direct},
        },
    }))
}

fn sibling_taken(
    assets: &Assets,
    parent: Option<u64>,
    name: &str,
    except: u64,
    file: bool,
) -> bool {
    assets
        .items
        .iter()
        .any(|i| i.id != except && i.parent == parent && i.size.is_some() == file && i.name == name)
}

/// One part of a form: its field name, file name (for a file) and bytes.
type Part = (String, Option<String>, Vec<u8>);

/// The parts of a `multipart/form-data` body: (name, filename, bytes). The boundary is read from
/// the body's first line, so the `Content-Type` header is not needed.
fn multipart(body: &[u8]) -> Option<Vec<Part>> {
    let first_end = body.windows(2).position(|w| w == b"\r\n")?;
    let boundary = body[..first_end].strip_prefix(b"--")?.to_vec();
    if boundary.is_empty() {
        return None;
    }
    let mut delimiter = b"\r\n--".to_vec();
    delimiter.extend(&boundary);
    let mut parts = Vec::new();
    let mut rest = &body[first_end + 2..];
    loop {
        let head_end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let after = &rest[head_end + 4..];
        let end = after
            .windows(delimiter.len())
            .position(|w| w == delimiter.as_slice())?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?
            .to_string();
        let param = |key: &str| {
            disposition.split(';').find_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        parts.push((param("name")?, param("filename"), after[..end].to_vec()));
        rest = &after[end + delimiter.len()..];
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
    }
}

/// `POST /v1/assets/files`: `file` is required; `name` defaults to the file's name.
fn upload(assets: &mut Assets, body: &[u8]) -> Out<Value> {
    // The file's type is read from the uploaded file's name; the asset's name is free text.
    let (name, file_name, parent, bytes) = if body.starts_with(b"--") {
        let parts = multipart(body)
            .ok_or_else(|| AppError::bad_request("the multipart/form-data body is malformed"))?;
        let field = |key: &str| {
            parts
                .iter()
                .find(|(n, _, _)| n == key)
                .map(|(_, _, v)| String::from_utf8_lossy(v).into_owned())
        };
        let (_, filename, bytes) = parts
            .iter()
            .find(|(n, _, _)| n == "file")
            .ok_or_else(|| Invalid::new("file", "required", "file is required".into()))?;
        let name = field("name")
            .filter(|n| !n.trim().is_empty())
            .or_else(|| filename.clone())
            .unwrap_or_default();
        let parent = field("parent_folder_id").filter(|p| !p.is_empty() && p != "null");
        let parent = folder_ref(
            assets,
            parent.map(Value::String).as_ref(),
            "parent_folder_id",
        )?;
        let file_name = filename.clone().unwrap_or_else(|| name.clone());
        (name, file_name, parent, bytes.clone())
    } else {
        let fields = body_object(body)?;
        reject_unknown(&fields, &["name", "content", "parent_folder_id"])?;
        let obj = Obj::root(&fields);
        let name = obj.req_str("name")?.to_string();
        let encoded = obj.req_str("content")?;
        let bytes = STANDARD_LENIENT.decode(encoded).map_err(|_| {
            Invalid::new("content", "invalid", "content must be base64".to_string())
        })?;
        let parent = folder_ref(assets, fields.get("parent_folder_id"), "parent_folder_id")?;
        (name.clone(), name, parent, bytes)
    };
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    if !extension
        .as_deref()
        .is_some_and(|e| EXTENSIONS.contains(&e))
    {
        return Err(Invalid::new(
            "file",
            "invalid",
            format!(
                "{file_name:?}: the file must be one of {}",
                EXTENSIONS.join(", ")
            ),
        )
        .into());
    }
    if bytes.is_empty() || bytes.len() > MAX_FILE {
        return Err(Invalid::new(
            "file",
            "too_large",
            format!(
                "the file has {} bytes; from 1 to {MAX_FILE} are accepted",
                bytes.len()
            ),
        )
        .into());
    }
    if sibling_taken(assets, parent, &name, 0, true) {
        return Err(conflict(&format!(
            "a file named {name:?} already exists in this folder"
        )));
    }
    let now = unix_now();
    let item = Item {
        id: assets.next_id,
        name,
        parent,
        size: Some(bytes.len()),
        created: now,
        updated: now,
    };
    assets.next_id += 1;
    let record = item.to_json();
    assets.items.push(item);
    Ok(json!({ "asset": record }))
}

/// `POST /v1/assets/folders`: `name` is required and unique among its siblings.
fn create_folder(assets: &mut Assets, body: &[u8]) -> Out<Value> {
    let fields = body_object(body)?;
    reject_unknown(&fields, &["name", "parent_folder_id"])?;
    let name = Obj::root(&fields).req_str("name")?.trim().to_string();
    if name.is_empty() {
        return Err(Invalid::new("name", "required", "name is required".into()).into());
    }
    let parent = folder_ref(assets, fields.get("parent_folder_id"), "parent_folder_id")?;
    if sibling_taken(assets, parent, &name, 0, false) {
        return Err(conflict(&format!(
            "a folder named {name:?} already exists here"
        )));
    }
    let now = unix_now();
    let item = Item {
        id: assets.next_id,
        name,
        parent,
        size: None,
        created: now,
        updated: now,
    };
    assets.next_id += 1;
    let record = item.to_json();
    assets.items.push(item);
    Ok(json!({ "folder": record }))
}

/// `PUT /v1/assets/files/{id}` and `/folders/{id}`: `name` and/or `parent_folder_id`; 204.
fn update(assets: &mut Assets, id: &str, file: bool, body: &[u8]) -> Out<()> {
    let index = assets.index(id, file)?;
    let fields: Map<String, Value> = body_object(body)?;
    reject_unknown(&fields, &["name", "parent_folder_id"])?;
    if fields.is_empty() {
        let message = "name or parent_folder_id is required".to_string();
        return Err(Invalid::new("", "required", message).into());
    }
    let item_id = assets.items[index].id;
    let name = match fields.get("name") {
        None => assets.items[index].name.clone(),
        Some(_) => {
            let name = Obj::root(&fields).req_str("name")?.trim().to_string();
            if name.is_empty() {
                let message = "name must not be blank".to_string();
                return Err(Invalid::new("name", "invalid", message).into());
            }
            name
        }
    };
    let parent = if fields.contains_key("parent_folder_id") {
        folder_ref(assets, fields.get("parent_folder_id"), "parent_folder_id")?
    } else {
        assets.items[index].parent
    };
    if !file && assets.within(parent, item_id) {
        return Err(conflict(
            "a folder cannot move into itself or its own subfolders",
        ));
    }
    if sibling_taken(assets, parent, &name, item_id, file) {
        return Err(conflict(&format!("{name:?} already exists in that folder")));
    }
    let item = &mut assets.items[index];
    item.name = name;
    item.parent = parent;
    item.updated = unix_now();
    Ok(())
}
