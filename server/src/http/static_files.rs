//! Static file serving for the demo web page.
//!
//! The same port that carries the WebSocket endpoint serves the page that
//! talks to it, so browsers see both as one origin. Only what a small demo
//! needs is implemented: `GET`/`HEAD`, whole-file responses, no ranges or
//! conditional requests. Paths are checked strictly because the request
//! target is attacker-controlled: no `..`, no backslashes, and the resolved
//! file must lie inside the canonical root (so symlinks cannot escape it).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use ::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::head::RequestHead;
use super::response::{TEXT_PLAIN, write_head, write_response};

/// Largest file served; the whole file is read into memory.
const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Serves one static-file request for `head` from the directory `root`.
///
/// Every response carries `Connection: close`; the caller closes the
/// connection afterwards. Only I/O errors on `stream` are returned; problems
/// with the request or the file are answered with an HTTP error status.
pub(crate) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    root: &Path,
    head: &RequestHead,
) -> std::io::Result<()> {
    let send_body = match head.method.as_str() {
        "GET" => true,
        "HEAD" => false,
        _ => {
            let status = StatusCode::METHOD_NOT_ALLOWED;
            let extra = [("Allow", "GET, HEAD")];
            return reply_text(stream, status, &extra, "Method not allowed\n", true).await;
        }
    };
    match resolve(root, head.path()).await {
        Ok(Resolved::File(path, len)) => send_file(stream, &path, len, send_body).await,
        Ok(Resolved::AddSlash) => {
            // Redirect `/dir` to `/dir/` so relative links in its index.html
            // resolve against the directory. Leading slashes are collapsed so
            // `//host` can never become a redirect to another site.
            let (path, query) = head.target.split_once('?').unwrap_or((&head.target, ""));
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            let location = format!("/{}/{query}", path.trim_start_matches('/'));
            let extra = [("Location", location.as_str())];
            let status = StatusCode::MOVED_PERMANENTLY;
            reply_text(stream, status, &extra, "Moved permanently\n", send_body).await
        }
        Err((status, message)) => reply_text(stream, status, &[], message, send_body).await,
    }
}

/// Writes a plain-text response with `extra` headers (body omitted for HEAD).
async fn reply_text<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: StatusCode,
    extra: &[(&str, &str)],
    message: &str,
    send_body: bool,
) -> std::io::Result<()> {
    let mut headers = vec![("Content-Type", TEXT_PLAIN), ("Cache-Control", "no-cache")];
    headers.extend_from_slice(extra);
    write_response(stream, status, &headers, message.as_bytes(), send_body).await
}

/// Result of mapping a request path onto the file system.
enum Resolved {
    /// A regular file inside the root and its size (at most
    /// [`MAX_FILE_SIZE`]). The path is not canonicalized, so its extension is
    /// the one the client asked for rather than a symlink target's.
    File(PathBuf, u64),
    /// A directory requested without a trailing slash.
    AddSlash,
}

/// An HTTP error status and plain-text message.
type Refusal = (StatusCode, &'static str);

const BAD: Refusal = (StatusCode::BAD_REQUEST, "Bad request path\n");
const NOT_FOUND: Refusal = (StatusCode::NOT_FOUND, "Not found\n");
const FORBIDDEN: Refusal = (StatusCode::FORBIDDEN, "Forbidden\n");
const TOO_LARGE: Refusal = (
    StatusCode::INTERNAL_SERVER_ERROR,
    "File too large to serve\n",
);
const NO_ROOT: Refusal = (
    StatusCode::INTERNAL_SERVER_ERROR,
    "Static root unavailable\n",
);

/// Maps the request path to a regular file inside `root`.
async fn resolve(root: &Path, request_path: &str) -> Result<Resolved, Refusal> {
    let decoded = percent_decode(request_path).ok_or(BAD)?;
    if !decoded.starts_with('/') || decoded.contains(['\0', '\\']) {
        return Err(BAD);
    }
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            ".." => return Err(BAD),
            "" | "." => {}
            other => path.push(other),
        }
    }

    let canonical_root = tokio::fs::canonicalize(root).await.map_err(|err| {
        tracing::error!(root = %root.display(), %err, "static file root is not accessible");
        NO_ROOT
    })?;
    // Canonicalizing resolves symlinks and `..`, so the prefix check below is
    // what actually keeps requests inside the root.
    let inside_root = async |candidate: &Path| -> Result<std::fs::Metadata, Refusal> {
        let canonical =
            tokio::fs::canonicalize(candidate)
                .await
                .map_err(|err| match err.kind() {
                    ErrorKind::PermissionDenied => FORBIDDEN,
                    _ => NOT_FOUND,
                })?;
        if !canonical.starts_with(&canonical_root) {
            tracing::warn!(path = %candidate.display(), "refusing file outside static root");
            return Err(FORBIDDEN);
        }
        tokio::fs::metadata(&canonical).await.map_err(|_| NOT_FOUND)
    };

    let mut meta = inside_root(&path).await?;
    if meta.is_dir() {
        if !decoded.ends_with('/') {
            return Ok(Resolved::AddSlash);
        }
        path.push("index.html");
        // index.html may itself be a symlink, so check it again.
        meta = inside_root(&path).await?;
    }
    // Anything but a regular file (FIFOs, devices) could block or misbehave.
    if !meta.is_file() {
        return Err(NOT_FOUND);
    }
    if meta.len() > MAX_FILE_SIZE {
        tracing::warn!(path = %path.display(), len = meta.len(), "static file too large");
        return Err(TOO_LARGE);
    }
    Ok(Resolved::File(path, meta.len()))
}

/// Sends the already validated file at `path` (`len` bytes) as a 200 response.
async fn send_file<S: AsyncWrite + Unpin>(
    stream: &mut S,
    path: &Path,
    len: u64,
    send_body: bool,
) -> std::io::Result<()> {
    let headers = file_headers(path);
    if !send_body {
        write_head(stream, StatusCode::OK, &headers, len).await?;
        return stream.flush().await;
    }
    match tokio::fs::read(path).await {
        // Content-Length comes from the bytes read, so a file that changed
        // since it was measured is still framed correctly.
        Ok(body) => write_response(stream, StatusCode::OK, &headers, &body, true).await,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "reading static file failed");
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            reply_text(stream, status, &[], "Could not read file\n", true).await
        }
    }
}

/// Response headers for a successfully served file.
fn file_headers(path: &Path) -> [(&'static str, &'static str); 3] {
    [
        ("Content-Type", content_type(path)),
        // The demo page is edited during development; always revalidate.
        ("Cache-Control", "no-cache"),
        ("X-Content-Type-Options", "nosniff"),
    ]
}

/// The `Content-Type` for a file, chosen by its extension.
fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        // Browsers require this exact type for WebAssembly.instantiateStreaming.
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "txt" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` on a malformed escape or non-UTF-8 result.
fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The value of one hexadecimal digit.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A unique temporary directory holding `root/` and a file outside it;
    /// removed on drop.
    struct TempRoot(PathBuf);

    impl TempRoot {
        fn new(name: &str) -> Self {
            let pid = std::process::id();
            let dir = std::env::temp_dir().join(format!("jrpc-static-test-{pid}-{name}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("root/sub")).unwrap();
            for (file, content) in [
                ("root/index.html", "<h1>hi</h1>"),
                ("root/app.js", "console.log(1)"),
                ("root/mod.wasm", "\0asm"),
                ("root/style.css", "a{}"),
                ("root/DATA.JSON", "{}"),
                ("root/blob.bin", "x"),
                ("root/a b.txt", "spaced"),
                ("root/sub/index.html", "sub index"),
                ("secret.txt", "secret"),
            ] {
                std::fs::write(dir.join(file), content).unwrap();
            }
            TempRoot(dir)
        }

        fn root(&self) -> PathBuf {
            self.0.join("root")
        }
    }

    impl Drop for TempRoot {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Serves one request over an in-memory stream; returns (status, head, body).
    async fn request(root: &Path, method: &str, target: &str) -> (u16, String, Vec<u8>) {
        let head = RequestHead {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: ::http::HeaderMap::new(),
        };
        let (mut server, mut client) = tokio::io::duplex(1024);
        let respond = async move { serve(&mut server, root, &head).await.unwrap() };
        let mut out = Vec::new();
        let (_, read) = tokio::join!(respond, client.read_to_end(&mut out));
        read.unwrap();
        let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let body = out.split_off(split);
        let head = String::from_utf8(out).unwrap();
        (head[9..12].parse().unwrap(), head, body)
    }

    #[tokio::test]
    async fn serves_index_files_and_redirects() {
        let tmp = TempRoot::new("files");
        let root = tmp.root();
        let (status, head, body) = request(&root, "GET", "/").await;
        assert_eq!((status, body.as_slice()), (200, &b"<h1>hi</h1>"[..]));
        for header in [
            "Content-Type: text/html; charset=utf-8",
            "Content-Length: 11",
            "Cache-Control: no-cache",
            "X-Content-Type-Options: nosniff",
            "Connection: close",
        ] {
            assert!(head.contains(&format!("\r\n{header}\r\n")), "{header}");
        }
        let (status, _, body) = request(&root, "GET", "/sub/?q=1").await;
        assert_eq!((status, body.as_slice()), (200, &b"sub index"[..]));
        let (status, _, body) = request(&root, "GET", "/a%20b.txt").await;
        assert_eq!((status, body.as_slice()), (200, &b"spaced"[..]));

        let (status, head, _) = request(&root, "GET", "/sub?q=1").await;
        assert_eq!(status, 301);
        assert!(head.contains("Location: /sub/?q=1\r\n"));
        // A protocol-relative target must not turn into an off-site redirect.
        let (_, head, _) = request(&root, "GET", "//sub").await;
        assert!(head.contains("Location: /sub/\r\n"));
    }

    #[tokio::test]
    async fn content_types() {
        let tmp = TempRoot::new("types");
        for (target, expected) in [
            ("/app.js", "text/javascript; charset=utf-8"),
            ("/mod.wasm", "application/wasm"),
            ("/style.css", "text/css; charset=utf-8"),
            ("/DATA.JSON", "application/json"),
            ("/blob.bin", "application/octet-stream"),
        ] {
            let (status, head, _) = request(&tmp.root(), "GET", target).await;
            assert_eq!(status, 200, "{target}");
            assert!(
                head.contains(&format!("Content-Type: {expected}\r\n")),
                "{head}"
            );
        }
    }

    #[tokio::test]
    async fn missing_file_is_404() {
        let tmp = TempRoot::new("missing");
        let (status, _, body) = request(&tmp.root(), "GET", "/nope.js").await;
        assert_eq!((status, body.as_slice()), (404, &b"Not found\n"[..]));
    }

    #[tokio::test]
    async fn traversal_and_bad_paths_are_rejected() {
        let tmp = TempRoot::new("traversal");
        for target in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/sub/%2E%2E/%2e%2e/secret.txt",
            "/..%5csecret.txt",
            "/a%00b",
            "/%zz",
            "/%2",
            "*",
        ] {
            let (status, _, _) = request(&tmp.root(), "GET", target).await;
            assert_eq!(status, 400, "{target}");
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn symlink_escaping_root_is_forbidden() {
        let tmp = TempRoot::new("symlink");
        let root = tmp.root();
        std::os::unix::fs::symlink(tmp.0.join("secret.txt"), root.join("link.txt")).unwrap();
        let (status, _, body) = request(&root, "GET", "/link.txt").await;
        assert_eq!((status, body.as_slice()), (403, &b"Forbidden\n"[..]));
    }

    #[tokio::test]
    async fn head_and_other_methods() {
        let tmp = TempRoot::new("methods");
        let (status, head, body) = request(&tmp.root(), "HEAD", "/app.js").await;
        assert_eq!(status, 200);
        assert!(head.contains("Content-Length: 14\r\n"));
        assert!(body.is_empty());
        let (status, head, _) = request(&tmp.root(), "POST", "/").await;
        assert_eq!(status, 405);
        assert!(head.contains("Allow: GET, HEAD\r\n"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%2Fb%41").as_deref(), Some("/a/bA"));
        for bad in ["/%", "/%4", "/%g1", "/%ff"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }
}
