//! NumPy-style printing: `[[ 3.26295337 -1.23429987]]`.

use std::fmt;

use super::{Element, Tensor};

/// NumPy's default print precision.
const PRECISION: usize = 8;
/// Above this many elements, NumPy prints only the first and last `EDGE` of each dimension.
const THRESHOLD: usize = 1000;
const EDGE: usize = 3;

/// Formats one value without padding, as NumPy's default `floatmode='maxprec'` does: at most
/// eight decimals, trailing zeros dropped, a bare `.` for whole numbers.
fn format_plain(x: f64, scientific: bool) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if scientific {
        let s = format!("{:.*e}", PRECISION, x);
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0');
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let s = format!("{:.*}", PRECISION, x);
    let s = s.trim_end_matches('0');
    // "-0." prints as "-0." in NumPy too; keep the sign.
    s.to_string()
}

impl<T: Element> fmt::Display for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values: Vec<f64> = self.to_vec().into_iter().map(|x| x.to_f64()).collect();
        let summarize = values.len() > THRESHOLD;
        let shown: Vec<usize> = shown_indices(self.shape(), summarize);
        let finite_abs = shown
            .iter()
            .map(|&i| values[i].abs())
            .filter(|a| a.is_finite());
        let (mut max_abs, mut min_nonzero) = (0.0f64, f64::INFINITY);
        for a in finite_abs {
            max_abs = max_abs.max(a);
            if a > 0.0 {
                min_nonzero = min_nonzero.min(a);
            }
        }
        // NumPy's rule for switching to scientific notation.
        let scientific =
            max_abs > 0.0 && (max_abs >= 1e8 || min_nonzero < 1e-4 || max_abs / min_nonzero > 1e3);
        let texts: Vec<String> = values
            .iter()
            .map(|&x| format_plain(x, scientific))
            .collect();
        // Pad every shown element to a common width, aligned on the decimal point.
        let split = |s: &str| -> (usize, usize) {
            match s.find(['.', 'e']) {
                Some(p) => (p, s.len() - p),
                None => (s.len(), 0),
            }
        };
        let (mut left, mut right) = (0, 0);
        for &i in &shown {
            let (l, r) = split(&texts[i]);
            left = left.max(l);
            right = right.max(r);
        }
        let pad = |i: usize| -> String {
            let (l, r) = split(&texts[i]);
            format!(
                "{}{}{}",
                " ".repeat(left - l),
                texts[i],
                " ".repeat(right - r)
            )
        };
        if self.ndim() == 0 {
            return f.write_str(texts[0].trim_end());
        }
        let mut out = String::new();
        write_nested(&mut out, self.shape(), 0, 0, &pad, summarize);
        f.write_str(&out)
    }
}

/// Flat indices of the elements that will be printed.
fn shown_indices(shape: &[usize], summarize: bool) -> Vec<usize> {
    let mut idx = vec![0usize];
    for &d in shape {
        let keep: Vec<usize> = if summarize && d > 2 * EDGE {
            (0..EDGE).chain(d - EDGE..d).collect()
        } else {
            (0..d).collect()
        };
        idx = idx
            .iter()
            .flat_map(|&base| keep.iter().map(move |&k| base * d + k))
            .collect();
    }
    idx
}

fn write_nested(
    out: &mut String,
    shape: &[usize],
    depth: usize,
    base: usize,
    pad: &dyn Fn(usize) -> String,
    summarize: bool,
) {
    let d = shape[depth];
    let inner: usize = shape[depth + 1..].iter().product();
    let items: Vec<Option<usize>> = if summarize && d > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain([None])
            .chain((d - EDGE..d).map(Some))
            .collect()
    } else {
        (0..d).map(Some).collect()
    };
    out.push('[');
    let last = depth + 1 == shape.len();
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            if last {
                out.push(' ');
            } else {
                // Rows: newline(s) and indentation under the opening bracket.
                let blank = shape.len() - depth - 2;
                out.push_str(&"\n".repeat(1 + blank));
                out.push_str(&" ".repeat(depth + 1));
            }
        }
        match item {
            None => out.push_str("..."),
            Some(k) if last => out.push_str(&pad(base + k)),
            Some(k) => write_nested(out, shape, depth + 1, base + k * inner, pad, summarize),
        }
    }
    out.push(']');
}
