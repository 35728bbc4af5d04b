//! [`ParamSet`]: named parameter tensors for any model, with what `nn::Parameters` has: a
//! tape form, gradients, optimizers, files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::{Element, Gradients, Tape, Tensor, Var};

/// Named tensors in insertion order: the parameters of a model of your own.
///
/// ```
/// use tapegrad::optim::{Adam, Optimizer};
/// use tapegrad::{ParamSet, Tape, Tensor};
///
/// let mut params = ParamSet::new();
/// params.insert("w", Tensor::from_vec(vec![0.5, -0.5], &[1, 2])?);
/// params.insert("b", Tensor::zeros(&[1, 1]));
/// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
/// let y = Tensor::from_vec(vec![1.0, 0.0], &[1, 2])?;
/// let mut adam = Adam::new(&params.tensors(), 0.05);
/// let mut losses = Vec::new();
/// for _ in 0..100 {
///     let tape = Tape::new();
///     let p = params.on_tape(&tape);
///     let z = p["w"].matmul(tape.constant(&x)).broadcast_add(p["b"]);
///     let loss = z.bce_with_logits(tape.constant(&y));
///     let grads = p.grads(&loss.backward()?);
///     losses.push(loss.value().item());
///     drop(tape);
///     adam.update_param_set(&mut params, &grads)?;
/// }
/// assert!(losses[99] < 0.5 * losses[0]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSet<T: Element = f64> {
    entries: Vec<(String, Tensor<T>)>,
}

impl<T: Element> Default for ParamSet<T> {
    fn default() -> Self {
        ParamSet {
            entries: Vec::new(),
        }
    }
}

impl<T: Element> ParamSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `tensor` under `name` (at the end), or replaces the tensor of that name in place;
    /// returns the replaced one.
    pub fn insert(&mut self, name: impl Into<String>, tensor: Tensor<T>) -> Option<Tensor<T>> {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => Some(std::mem::replace(t, tensor)),
            None => {
                self.entries.push((name, tensor));
                None
            }
        }
    }

    /// The tensor called `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor<T>> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// The tensor called `name`, for changing it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        self.entries
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }

    /// The number of tensors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// `(name, tensor)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor<T>)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// `(name, tensor)` pairs, in order, for changing the tensors.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Tensor<T>)> {
        self.entries.iter_mut().map(|(n, t)| (n.as_str(), t))
    }

    /// The tensors in order (for creating an optimizer: `Adam::new(&set.tensors(), α)`).
    pub fn tensors(&self) -> Vec<&Tensor<T>> {
        self.entries.iter().map(|(_, t)| t).collect()
    }

    /// Records every tensor as a named param on `tape` (sharing storage).
    pub fn on_tape<'t>(&self, tape: &'t Tape<T>) -> ParamVarSet<'t, T> {
        ParamVarSet {
            entries: self
                .entries
                .iter()
                .map(|(n, t)| (n.clone(), tape.param_named(n.clone(), t)))
                .collect(),
        }
    }

    /// Records every tensor as a named constant (no gradient, no backward work): a forward
    /// pass only, e.g. for predictions.
    pub fn on_tape_as_constants<'t>(&self, tape: &'t Tape<T>) -> ParamVarSet<'t, T> {
        ParamVarSet {
            entries: self
                .entries
                .iter()
                .map(|(n, t)| (n.clone(), tape.constant_named(n.clone(), t)))
                .collect(),
        }
    }

    /// Checks that `other` has the same names in the same order and the same shapes; `what`
    /// names the caller in the message.
    pub(crate) fn check_layout<U: Element>(&self, what: &str, other: &ParamSet<U>) -> Result<()> {
        let mine: Vec<(&str, &[usize])> = self.iter().map(|(n, t)| (n, t.shape())).collect();
        let theirs: Vec<(&str, &[usize])> = other.iter().map(|(n, t)| (n, t.shape())).collect();
        if mine != theirs {
            return Err(Error::Invalid(format!(
                "{what}: the tensors {theirs:?} do not match the parameters {mine:?}"
            )));
        }
        Ok(())
    }

    /// Saves the tensors to a safetensors file, atomically, with `metadata` in its header
    /// (see [`io::save_safetensors`](crate::io::save_safetensors)).
    ///
    /// # Errors
    /// As [`io::save_safetensors`](crate::io::save_safetensors).
    pub fn save_safetensors(&self, path: &Path, metadata: &BTreeMap<String, String>) -> Result<()> {
        crate::io::save_safetensors(path, self, metadata)
    }

    /// Loads a safetensors file (see [`io::load_safetensors`](crate::io::load_safetensors)).
    ///
    /// # Errors
    /// As [`io::load_safetensors`](crate::io::load_safetensors).
    pub fn load_safetensors(path: &Path) -> Result<(Self, BTreeMap<String, String>)> {
        crate::io::load_safetensors(path)
    }
}

impl<T: Element> std::ops::Index<&str> for ParamSet<T> {
    type Output = Tensor<T>;

    /// # Panics
    /// When there is no tensor of that name.
    #[track_caller]
    fn index(&self, name: &str) -> &Tensor<T> {
        self.get(name)
            .unwrap_or_else(|| panic!("ParamSet: no tensor named {name:?}"))
    }
}

impl<T: Element, S: Into<String>> FromIterator<(S, Tensor<T>)> for ParamSet<T> {
    fn from_iter<I: IntoIterator<Item = (S, Tensor<T>)>>(iter: I) -> Self {
        let mut set = ParamSet::new();
        for (n, t) in iter {
            set.insert(n, t);
        }
        set
    }
}

/// A [`ParamSet`] recorded on a tape: the vars by name.
#[derive(Clone, Debug)]
pub struct ParamVarSet<'t, T: Element = f64> {
    entries: Vec<(String, Var<'t, T>)>,
}

impl<'t, T: Element> ParamVarSet<'t, T> {
    /// Named vars already on a tape.
    pub(crate) fn from_parts(entries: Vec<(String, Var<'t, T>)>) -> Self {
        ParamVarSet { entries }
    }

    /// The number of vars.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(name, var)` pairs, in the set's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Var<'t, T>)> + '_ {
        self.entries.iter().map(|(n, v)| (n.as_str(), *v))
    }

    /// The var called `name`.
    pub fn get(&self, name: &str) -> Option<Var<'t, T>> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
    }

    /// The gradient of every param, by name, zeros where the loss does not depend on it.
    pub fn grads(&self, grads: &Gradients<T>) -> ParamSet<T> {
        ParamSet {
            entries: self
                .entries
                .iter()
                .map(|(n, v)| {
                    let g = grads
                        .wrt(*v)
                        .cloned()
                        .unwrap_or_else(|| Tensor::zeros(&v.shape()));
                    (n.clone(), g)
                })
                .collect(),
        }
    }
}

impl<'t, T: Element> std::ops::Index<&str> for ParamVarSet<'t, T> {
    type Output = Var<'t, T>;

    /// # Panics
    /// When there is no var of that name.
    #[track_caller]
    fn index(&self, name: &str) -> &Var<'t, T> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("ParamVarSet: no var named {name:?}"))
    }
}
