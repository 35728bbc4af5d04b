//! Files: writing atomically (an interrupted or failed write never leaves a half-written
//! file), and named tensors and models in the safetensors format, which Python's
//! `safetensors`, PyTorch, candle and burn read.

mod safetensors;

pub use self::safetensors::{
    load_model_safetensors, load_safetensors, save_model_safetensors, save_safetensors,
};

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` through a temporary file in the same folder, renamed over `path` only when
/// `write` succeeds: `path` then holds either its old content or the complete new one. On any
/// error the temporary file is removed.
///
/// `write` gets the temporary file's path (for libraries that open files by name, like HDF5)
/// and returns the error message to report; the message is prefixed with `path`.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("notes.txt");
/// tapegrad::io::write_atomically(&path, |tmp| std::fs::write(tmp, "hello").map_err(|e| e.to_string()))?;
/// assert_eq!(std::fs::read_to_string(&path)?, "hello");
/// let failed = tapegrad::io::write_atomically(&path, |_| Err("no".to_string()));
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path)?, "hello"); // unchanged
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1); // nothing left behind
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::File`] naming `path` when its folder does not exist, the temporary file cannot be
/// created, `write` fails, or the rename fails.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> std::result::Result<(), String>,
) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::file(path, "cannot write: the path has no file name"))?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(Error::file(
            path,
            format!(
                "cannot write: the folder {} does not exist",
                folder.display()
            ),
        ));
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(|e| Error::file(path, format!("cannot create a temporary file: {e}")))?;
    write(tmp.path()).map_err(|e| Error::file(path, e))?;
    // The temporary file is private (0600); the result gets the permissions the file it
    // replaces had, or those of a new file (0644 on Unix).
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => new_file_permissions(tmp.as_file())?,
    };
    std::fs::set_permissions(tmp.path(), permissions)
        .map_err(|e| Error::file(path, format!("cannot set the file's permissions: {e}")))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::file(path, format!("cannot sync the temporary file: {e}")))?;
    tmp.persist(path).map_err(|e| {
        Error::file(
            path,
            format!(
                "cannot rename {} into place: {}",
                e.file.path().display(),
                e.error
            ),
        )
    })?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions(_: &std::fs::File) -> Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions(file: &std::fs::File) -> Result<std::fs::Permissions> {
    file.metadata()
        .map(|m| m.permissions())
        .map_err(|e| Error::Invalid(format!("cannot read the temporary file's permissions: {e}")))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn new_files_are_0644_and_replaced_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomically(&path, |tmp| {
            std::fs::write(tmp, "1").map_err(|e| e.to_string())
        })
        .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, |tmp| {
            std::fs::write(tmp, "2").map_err(|e| e.to_string())
        })
        .unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "2");
    }
}
