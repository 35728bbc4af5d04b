//! The one error type of tapegrad.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in tapegrad, with a message that names what was wrong.
///
/// Shape errors name the op and both shapes; file errors name the file and, where there is
/// one, the dataset.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two operands' shapes do not fit an op, e.g. `matmul: inner dimensions differ: (1, 3) x (4, 2)`.
    Shape {
        /// The op that was called (`"matmul"`, `"broadcast_add"`, ...).
        op: &'static str,
        /// What is wrong, naming both shapes.
        message: String,
    },
    /// `from_vec` got a buffer whose length is not the product of the shape.
    Length {
        /// The number of elements supplied.
        len: usize,
        /// The requested shape.
        shape: Vec<usize>,
    },
    /// `backward` was called on a value that is not a single element.
    NotScalar {
        /// The shape of the value `backward` was called on.
        shape: Vec<usize>,
    },
    /// A file could not be read or written, or its content is not what was expected.
    File {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it (and the dataset, when there is one).
        message: String,
    },
    /// [`Var::grad`](crate::Var::grad) (a recorded, differentiable gradient) met a custom op
    /// whose backward is a tensor closure, which supports first order only.
    FirstOrderOnly {
        /// The custom op's name.
        op: String,
    },
    /// An argument is outside what a function accepts (a bad axis, an empty layer list, ...).
    Invalid(String),
}

impl Error {
    pub(crate) fn shape(op: &'static str, message: impl Into<String>) -> Self {
        Error::Shape {
            op,
            message: message.into(),
        }
    }

    pub(crate) fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Unwraps the `Ok` value, or panics with the error's message at the caller's line.
///
/// The panicking op forms call this rather than `unwrap_or_else(|e| panic!(..))`, whose
/// closure would become the reported location and hide the user's line.
#[track_caller]
pub(crate) fn or_panic<T>(result: Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{e}"),
    }
}

/// Formats a shape the way NumPy prints it: `(3, 2)`, `(5,)`, `()`.
pub(crate) fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", dims.join(", "))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape { op, message } => write!(f, "{op}: {message}"),
            Error::Length { len, shape } => write!(
                f,
                "from_vec: {len} elements do not fill shape {} ({} elements)",
                fmt_shape(shape),
                shape.iter().product::<usize>()
            ),
            Error::NotScalar { shape } => write!(
                f,
                "backward: the loss must have exactly one element, got shape {}",
                fmt_shape(shape)
            ),
            Error::File { path, message } => write!(f, "{}: {message}", path.display()),
            Error::FirstOrderOnly { op } => write!(
                f,
                "grad: op {op} supports first order only (its backward is a closure on tensors; record it with Tape::custom_rule to differentiate it again)"
            ),
            Error::Invalid(message) => f.write_str(message),
        }
    }
}

/// The message, as `Display` shows it: so `fn main() -> tapegrad::Result<()>` and `unwrap()`
/// print what went wrong rather than the variant's fields.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

/// `Result` with tapegrad's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
