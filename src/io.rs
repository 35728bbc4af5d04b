//! Writing files so that an interrupted or failed write never leaves a half-written file.

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
