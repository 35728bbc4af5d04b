//! The tape: a per-step arena of recorded ops, and the reverse sweep over it.

mod dot;

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use smallvec::SmallVec;

use crate::error::{fmt_shape, Error, Result};
use crate::tensor::{Element, Shape, Tensor};

/// The gradients a backward rule returns, one per input (`None` where none was asked for or
/// the input gets none). Two live inline; build one from an array of two, a `Vec`, or with
/// [`smallvec::smallvec!`].
pub type InputGrads<T> = SmallVec<[Option<Tensor<T>>; 2]>;

/// A backward rule: given the gradient of the op's output and which inputs want a gradient,
/// returns the gradient of each input.
pub(crate) type Backward<T> = Box<dyn Fn(&Tensor<T>, &[bool]) -> InputGrads<T>>;

/// What a node is: a leaf (param or constant) or an op, with the name shown in messages and
/// pictures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Param,
    Constant,
    Op,
}

struct Node<T: Element> {
    value: Tensor<T>,
    kind: Kind,
    /// The op's name (`"matmul"`, a custom op's), or a leaf's given name (empty if none).
    name: Cow<'static, str>,
    /// Whether a gradient flows to this node: it is a param or depends on one.
    requires_grad: bool,
    /// Whether `backward` reports this node's gradient (params, and vars marked with
    /// [`Var::retain_grad`]).
    keep_grad: bool,
    inputs: SmallVec<[usize; 2]>,
    /// Present only when `requires_grad`, so constants never cost a backward computation.
    backward: Option<Backward<T>>,
}

/// Records the ops of one forward pass so [`Var::backward`] can run them in reverse.
///
/// Make one tape per training step; parameters live outside it as plain [`Tensor`]s and enter
/// with [`Tape::param`]. Dropping the tape frees every recorded value, so memory does not grow
/// across steps. A tape is single-threaded (`!Sync`); the [`Var`] handles borrow it, so a
/// handle cannot outlive its tape.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.param(&Tensor::from_vec(vec![3.0], &[1])?);
/// let y = x * x + x; // dy/dx = 2x + 1 = 7
/// let grads = y.sum().backward()?;
/// assert_eq!(grads.wrt(x).unwrap().to_vec(), vec![7.0]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
pub struct Tape<T: Element = f64> {
    id: u64,
    nodes: RefCell<Vec<Node<T>>>,
}

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(0);

impl<T: Element> Default for Tape<T> {
    /// An empty tape of any precision: `Tape::<f32>::default()`.
    fn default() -> Self {
        Tape {
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            nodes: RefCell::new(Vec::new()),
        }
    }
}

impl Tape<f64> {
    /// An empty `f64` tape. (For `f32`, use `Tape::<f32>::default()`.)
    ///
    /// Fixing the precision here lets literals such as `1.0 - y` infer their type.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<T: Element> Tape<T> {
    /// Records a leaf whose gradient [`Gradients::wrt`] will report. Shares `value`'s storage.
    pub fn param(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(Kind::Param, "", value)
    }

    /// [`Tape::param`] with a name, shown in [`Tape::to_dot`]'s picture (e.g. `"W1"`).
    pub fn param_named(&self, name: impl Into<Cow<'static, str>>, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(Kind::Param, name, value)
    }

    /// Records a leaf that needs no gradient (data, labels, frozen parameters). Shares
    /// `value`'s storage.
    pub fn constant(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(Kind::Constant, "", value)
    }

    /// [`Tape::constant`] with a name, shown in [`Tape::to_dot`]'s picture (e.g. `"X"`).
    pub fn constant_named(
        &self,
        name: impl Into<Cow<'static, str>>,
        value: &Tensor<T>,
    ) -> Var<'_, T> {
        self.leaf(Kind::Constant, name, value)
    }

    fn leaf(
        &self,
        kind: Kind,
        name: impl Into<Cow<'static, str>>,
        value: &Tensor<T>,
    ) -> Var<'_, T> {
        let is_param = kind == Kind::Param;
        self.push(Node {
            value: value.clone(),
            kind,
            name: name.into(),
            requires_grad: is_param,
            keep_grad: is_param,
            inputs: SmallVec::new(),
            backward: None,
        })
    }

    /// Records an op of your own: its name, its inputs, its forward value (computed by you),
    /// and its backward rule, exactly as the crate's own ops are recorded (see the
    /// [`custom`](crate::custom) module for a complete example).
    ///
    /// `backward(g, needs)` gets the gradient `g` of the output (the output's shape) and, per
    /// input, whether that input wants a gradient; it returns one entry per input, `None`
    /// where `needs` is false (or the input gets no gradient). No backward is recorded when no
    /// input needs a gradient, and [`Var::backward`] checks every returned gradient's shape
    /// against its input's, naming the op when one is wrong. Reused inputs accumulate.
    ///
    /// # Panics
    /// When an input belongs to another tape.
    #[track_caller]
    pub fn custom<'t, F, R>(
        &'t self,
        name: impl Into<Cow<'static, str>>,
        inputs: &[Var<'t, T>],
        value: Tensor<T>,
        backward: F,
    ) -> Var<'t, T>
    where
        F: Fn(&Tensor<T>, &[bool]) -> R + 'static,
        R: Into<InputGrads<T>>,
    {
        let name = name.into();
        for input in inputs {
            assert!(
                std::ptr::eq(self, input.tape),
                "{name}: an input is on another tape than this one"
            );
        }
        let ids: SmallVec<[usize; 2]> = inputs.iter().map(|v| v.id).collect();
        self.record(name, ids, value, move |g, needs| backward(g, needs).into())
    }

    /// The one way every op is recorded.
    pub(crate) fn record(
        &self,
        name: Cow<'static, str>,
        inputs: SmallVec<[usize; 2]>,
        value: Tensor<T>,
        backward: impl Fn(&Tensor<T>, &[bool]) -> InputGrads<T> + 'static,
    ) -> Var<'_, T> {
        let requires_grad = {
            let nodes = self.nodes.borrow();
            inputs.iter().any(|&i| nodes[i].requires_grad)
        };
        let backward: Option<Backward<T>> =
            requires_grad.then(|| Box::new(backward) as Backward<T>);
        self.push(Node {
            value,
            kind: Kind::Op,
            name,
            requires_grad,
            keep_grad: false,
            inputs,
            backward,
        })
    }

    /// The number of recorded nodes (leaves and ops).
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every node, keeping the allocation, so one tape can serve step after step.
    /// Requires `&mut self`: no [`Var`] of the old step can still be alive.
    pub fn clear(&mut self) {
        self.nodes.get_mut().clear();
        // Gradients of the old step must not be read with vars of the new one.
        self.id = NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed);
    }

    fn push(&self, node: Node<T>) -> Var<'_, T> {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        Var {
            tape: self,
            id: nodes.len() - 1,
        }
    }
}

/// A handle to a value recorded on a [`Tape`]. It is `Copy`: using a value twice is copying
/// its handle, and the tape sums the gradients of every use.
///
/// Ops are methods (`a.matmul(b)`, `z.sigmoid()`) and operators (`a + b`, `1.0 - y`, `-a`).
/// Shape mistakes panic with a message naming the op and both shapes; every binary op has a
/// `try_` form returning [`Result`] instead.
#[derive(Clone, Copy)]
pub struct Var<'t, T: Element = f64> {
    tape: &'t Tape<T>,
    id: usize,
}

impl<T: Element> std::fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var(#{}, shape {})", self.id, fmt_shape(&self.shape()))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// The forward value (shares storage with the tape; no copy).
    pub fn value(&self) -> Tensor<T> {
        self.tape.nodes.borrow()[self.id].value.clone()
    }

    /// The shape of the forward value.
    pub fn shape(&self) -> Shape {
        self.tape.nodes.borrow()[self.id].value.shape().into()
    }

    /// Whether a gradient flows through this value (it is a param or depends on one).
    pub fn requires_grad(&self) -> bool {
        self.tape.nodes.borrow()[self.id].requires_grad
    }

    /// Asks [`Var::backward`] to report this intermediate value's gradient too, so
    /// [`Gradients::wrt`] answers for it (e.g. the course's `dZ`, `dA`). Returns `self`.
    pub fn retain_grad(self) -> Self {
        self.tape.nodes.borrow_mut()[self.id].keep_grad = true;
        self
    }

    /// The tape this value lives on.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// Records a built-in op of one input. `backward` maps the output gradient to the input's.
    pub(crate) fn record_unary(
        self,
        name: &'static str,
        value: Tensor<T>,
        backward: impl Fn(&Tensor<T>) -> Tensor<T> + 'static,
    ) -> Var<'t, T> {
        self.tape.record(
            Cow::Borrowed(name),
            smallvec::smallvec![self.id],
            value,
            move |g, _| smallvec::smallvec![Some(backward(g))],
        )
    }

    /// Records a built-in op of two inputs. `backward(g, needs)` computes only the gradients
    /// whose `needs` flag is set.
    #[track_caller]
    pub(crate) fn record_binary(
        self,
        name: &'static str,
        other: Var<'t, T>,
        value: Tensor<T>,
        backward: impl Fn(&Tensor<T>, [bool; 2]) -> [Option<Tensor<T>>; 2] + 'static,
    ) -> Var<'t, T> {
        self.same_tape(other, name);
        self.tape.record(
            Cow::Borrowed(name),
            smallvec::smallvec![self.id, other.id],
            value,
            move |g, needs| InputGrads::from(backward(g, [needs[0], needs[1]])),
        )
    }

    /// The same value as a constant: no gradient flows back through it (stop-gradient).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.param(&Tensor::from_vec(vec![3.0], &[1])?);
    /// let y = x * x.detach(); // d/dx = x, not 2x: the detached side is a constant
    /// assert_eq!(y.sum().backward()?.wrt(x).unwrap().to_vec(), [3.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    pub fn detach(self) -> Var<'t, T> {
        let value = self.value();
        self.tape.constant(&value)
    }

    #[track_caller]
    pub(crate) fn same_tape(self, other: Var<'t, T>, op: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "{op}: the two values are on different tapes; record them on one tape"
        );
    }

    /// Runs the tape backwards from this value and returns the gradient of every param.
    ///
    /// One reverse sweep over the nodes (recording order is already topological): each node's
    /// gradient is taken, passed to its backward rule, and added into its inputs' gradients.
    ///
    /// # Errors
    /// [`Error::NotScalar`] unless this value has exactly one element; [`Error::Shape`] naming
    /// the op when a backward rule returns the wrong number of gradients or a gradient whose
    /// shape is not its input's (a bug in that op, e.g. a custom one).
    pub fn backward(self) -> Result<Gradients<T>> {
        let nodes = self.tape.nodes.borrow();
        let loss = &nodes[self.id];
        if loss.value.len() != 1 {
            return Err(Error::NotScalar {
                shape: loss.value.shape().to_vec(),
            });
        }
        let mut pending: Vec<Option<Tensor<T>>> = vec![None; self.id + 1];
        let mut kept: Vec<Option<Tensor<T>>> = vec![None; self.id + 1];
        pending[self.id] = Some(Tensor::ones(loss.value.shape()));
        for id in (0..=self.id).rev() {
            let Some(g) = pending[id].take() else {
                continue;
            };
            let node = &nodes[id];
            if node.keep_grad {
                kept[id] = Some(g.contiguous());
            }
            let Some(backward) = &node.backward else {
                continue;
            };
            let needs: SmallVec<[bool; 2]> = node
                .inputs
                .iter()
                .map(|&i| nodes[i].requires_grad)
                .collect();
            let grads = backward(&g, &needs);
            if grads.len() != node.inputs.len() {
                return Err(Error::shape(
                    "backward",
                    format!(
                        "op {}: its backward returned {} gradients for {} inputs",
                        node.name,
                        grads.len(),
                        node.inputs.len()
                    ),
                ));
            }
            for (k, (&input, grad)) in node.inputs.iter().zip(grads).enumerate() {
                let Some(grad) = grad else { continue };
                if !nodes[input].requires_grad {
                    continue;
                }
                let expected = nodes[input].value.shape();
                if grad.shape() != expected {
                    return Err(Error::shape(
                        "backward",
                        format!(
                            "op {}: its backward returned a gradient of shape {} for input {k} of shape {}",
                            node.name,
                            fmt_shape(grad.shape()),
                            fmt_shape(expected)
                        ),
                    ));
                }
                accumulate(&mut pending[input], grad);
            }
        }
        Ok(Gradients {
            tape_id: self.tape.id,
            grads: kept,
        })
    }
}

/// Stores the first gradient, adds later ones in place.
fn accumulate<T: Element>(slot: &mut Option<Tensor<T>>, grad: Tensor<T>) {
    match slot {
        None => *slot = Some(grad),
        Some(acc) => acc.axpy_(T::ONE, &grad),
    }
}

/// The gradients of one [`Var::backward`] call, one per param the loss depends on.
pub struct Gradients<T: Element = f64> {
    tape_id: u64,
    grads: Vec<Option<Tensor<T>>>,
}

/// Shows which values have a gradient (by position on the tape) and their shapes.
impl<T: Element> std::fmt::Debug for Gradients<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_map();
        for (id, g) in self.grads.iter().enumerate() {
            if let Some(g) = g {
                list.entry(&id, &fmt_shape(g.shape()));
            }
        }
        list.finish()
    }
}

impl<T: Element> Gradients<T> {
    /// The gradient of the loss with respect to `param` (a param, or a var marked with
    /// [`Var::retain_grad`] before `backward`), with `param`'s shape.
    ///
    /// Returns `None` for any other var, e.g. one recorded with [`Tape::constant`], and for a
    /// param the loss does not depend on (an unused param gets no gradient, not zeros: for it, "no change" and
    /// "not part of the model" are the caller's call to make).
    ///
    /// # Panics
    /// When `param` belongs to another tape than the loss (or to a cleared tape).
    #[track_caller]
    pub fn wrt(&self, param: Var<'_, T>) -> Option<&Tensor<T>> {
        assert!(
            param.tape.id == self.tape_id,
            "wrt: the var belongs to another tape than the loss"
        );
        self.grads.get(param.id).and_then(Option::as_ref)
    }
}
