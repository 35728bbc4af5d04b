//! The tape: a per-step arena of recorded ops, and the reverse sweep over it.

mod dot;
pub(crate) mod rule;

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use smallvec::SmallVec;

use crate::error::{fmt_shape, Error, Result};
use crate::tensor::{Element, Shape, Tensor};
use rule::{DynRule, FirstOrder, Generic, Grads, Operand, Rule};

/// The gradients a backward rule returns, one per input (`None` where none was asked for or
/// the input gets none). Two live inline; build one from an array of two, a `Vec`, or with
/// [`smallvec::smallvec!`].
pub type InputGrads<T> = SmallVec<[Option<Tensor<T>>; 2]>;

/// A node's backward rule, shared so a sweep can hold it while it records.
type Backward<T> = Rc<dyn DynRule<T>>;

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
    /// A closure on tensors supports first order only: [`Var::grad`] through such an op is
    /// [`Error::FirstOrderOnly`] naming it. For gradients of gradients, write the rule once
    /// with [`Operand`] ops and record it with [`Tape::custom_rule`].
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
        let rule = FirstOrder(move |g: &Tensor<T>, needs: &[bool]| backward(g, needs).into());
        self.record_custom(name.into(), inputs, value, Rc::new(rule))
    }

    /// Records an op of your own whose backward is a [`Rule`]: written once with [`Operand`]
    /// ops, it serves [`Var::backward`] on tensors and [`Var::grad`] on vars, so the op can be
    /// differentiated any number of times (see the [`custom`](crate::custom) module).
    ///
    /// # Panics
    /// When an input belongs to another tape.
    #[track_caller]
    pub fn custom_rule<'t>(
        &'t self,
        name: impl Into<Cow<'static, str>>,
        inputs: &[Var<'t, T>],
        value: Tensor<T>,
        rule: impl Rule<T>,
    ) -> Var<'t, T> {
        self.record_custom(name.into(), inputs, value, Rc::new(Generic(rule)))
    }

    #[track_caller]
    fn record_custom<'t>(
        &'t self,
        name: Cow<'static, str>,
        inputs: &[Var<'t, T>],
        value: Tensor<T>,
        rule: Backward<T>,
    ) -> Var<'t, T> {
        for input in inputs {
            assert!(
                std::ptr::eq(self, input.tape),
                "{name}: an input is on another tape than this one"
            );
        }
        let ids: SmallVec<[usize; 2]> = inputs.iter().map(|v| v.id).collect();
        self.record(name, ids, value, rule)
    }

    /// The one way every op is recorded.
    fn record(
        &self,
        name: Cow<'static, str>,
        inputs: SmallVec<[usize; 2]>,
        value: Tensor<T>,
        rule: Backward<T>,
    ) -> Var<'_, T> {
        let requires_grad = {
            let nodes = self.nodes.borrow();
            inputs.iter().any(|&i| nodes[i].requires_grad)
        };
        self.push(Node {
            value,
            kind: Kind::Op,
            name,
            requires_grad,
            keep_grad: false,
            inputs,
            backward: requires_grad.then_some(rule),
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

    /// Records a built-in op of one input.
    pub(crate) fn record_unary(
        self,
        name: &'static str,
        value: Tensor<T>,
        rule: impl Rule<T>,
    ) -> Var<'t, T> {
        let ids = smallvec::smallvec![self.id];
        self.tape
            .record(Cow::Borrowed(name), ids, value, Rc::new(Generic(rule)))
    }

    /// Records a built-in op of two inputs.
    #[track_caller]
    pub(crate) fn record_binary(
        self,
        name: &'static str,
        other: Var<'t, T>,
        value: Tensor<T>,
        rule: impl Rule<T>,
    ) -> Var<'t, T> {
        self.same_tape(other, name);
        let ids = smallvec::smallvec![self.id, other.id];
        self.tape
            .record(Cow::Borrowed(name), ids, value, Rc::new(Generic(rule)))
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
    /// The rules run on plain tensors: nothing is recorded (for gradients that can be
    /// differentiated again, see [`Var::grad`]).
    ///
    /// # Errors
    /// [`Error::NotScalar`] unless this value has exactly one element; [`Error::Shape`] naming
    /// the op when a backward rule returns the wrong number of gradients or a gradient whose
    /// shape is not its input's (a bug in that op, e.g. a custom one).
    pub fn backward(self) -> Result<Gradients<T>> {
        let grads = self
            .tape
            .sweep::<Tensor<T>>(self.id, |node, _| node.keep_grad)?;
        Ok(Gradients {
            tape_id: self.tape.id,
            grads,
        })
    }

    /// The gradients of this scalar with respect to `wrt`, recorded on the same tape as vars:
    /// they combine with other vars and can be differentiated again (`grad` of a `grad`, to
    /// any order), as PyTorch's `create_graph=True` or JAX's `grad` of `grad`.
    ///
    /// Each backward rule runs on vars, so every op of the sweep is recorded. A var the loss
    /// does not depend on gets zeros (a constant).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.param(&Tensor::from_vec(vec![2.0], &[1])?);
    /// let y = (x * x * x).sum(); // y = x³
    /// let dy = y.grad(&[x])?[0]; // 3x² = 12, a var
    /// let d2y = dy.sum().grad(&[x])?[0]; // 6x = 12
    /// let d3y = d2y.sum().grad(&[x])?[0]; // 6
    /// assert_eq!((dy.value().item(), d2y.value().item(), d3y.value().item()), (12.0, 12.0, 6.0));
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Var::backward`], and [`Error::FirstOrderOnly`] when the sweep meets a custom op
    /// recorded with a tensor closure ([`Tape::custom`]).
    ///
    /// # Panics
    /// When a var of `wrt` belongs to another tape.
    #[track_caller]
    pub fn grad(self, wrt: &[Var<'t, T>]) -> Result<Vec<Var<'t, T>>> {
        let mut wanted = vec![false; self.id + 1];
        for w in wrt {
            self.same_tape(*w, "grad");
            if w.id <= self.id {
                wanted[w.id] = true;
            }
        }
        let grads = self.tape.sweep::<Var<'t, T>>(self.id, |_, id| wanted[id])?;
        Ok(wrt
            .iter()
            .map(|w| match grads.get(w.id).cloned().flatten() {
                Some(g) => g,
                None => self.tape.constant(&Tensor::zeros(&w.shape())),
            })
            .collect())
    }
}

/// What a backward sweep computes with: tensors (first order) or vars (recorded).
trait Sweep<'t, T: Element>: Operand<T> {
    fn seed(tape: &'t Tape<T>, shape: &[usize]) -> Self;
    fn of_node(tape: &'t Tape<T>, id: usize) -> Self;
    fn run(
        rule: &dyn DynRule<T>,
        g: &Self,
        inputs: &[Self],
        out: &Self,
        needs: &[bool],
    ) -> Option<Grads<Self>>;
    fn accumulate(slot: &mut Option<Self>, grad: Self);
    fn kept(self) -> Self;
}

impl<'t, T: Element> Sweep<'t, T> for Tensor<T> {
    fn seed(_: &'t Tape<T>, shape: &[usize]) -> Self {
        Tensor::ones(shape)
    }
    fn of_node(tape: &'t Tape<T>, id: usize) -> Self {
        tape.nodes.borrow()[id].value.clone()
    }
    fn run(
        rule: &dyn DynRule<T>,
        g: &Self,
        inputs: &[Self],
        out: &Self,
        needs: &[bool],
    ) -> Option<Grads<Self>> {
        Some(rule.on_tensors(g, inputs, out, needs))
    }
    /// Stores the first gradient, adds later ones in place.
    fn accumulate(slot: &mut Option<Self>, grad: Self) {
        match slot {
            None => *slot = Some(grad),
            Some(acc) => acc.axpy_(T::ONE, &grad),
        }
    }
    fn kept(self) -> Self {
        self.contiguous()
    }
}

impl<'t, T: Element> Sweep<'t, T> for Var<'t, T> {
    fn seed(tape: &'t Tape<T>, shape: &[usize]) -> Self {
        tape.constant(&Tensor::ones(shape))
    }
    fn of_node(tape: &'t Tape<T>, id: usize) -> Self {
        Var { tape, id }
    }
    fn run(
        rule: &dyn DynRule<T>,
        g: &Self,
        inputs: &[Self],
        out: &Self,
        needs: &[bool],
    ) -> Option<Grads<Self>> {
        rule.on_vars(g, inputs, out, needs)
    }
    fn accumulate(slot: &mut Option<Self>, grad: Self) {
        *slot = Some(match slot.take() {
            None => grad,
            Some(acc) => acc + grad,
        });
    }
    fn kept(self) -> Self {
        self
    }
}

impl<T: Element> Tape<T> {
    /// The reverse sweep from node `loss`: the gradient of every node `keep` asks for.
    fn sweep<'t, X: Sweep<'t, T>>(
        &'t self,
        loss: usize,
        keep: impl Fn(&Node<T>, usize) -> bool,
    ) -> Result<Vec<Option<X>>> {
        let shape = {
            let nodes = self.nodes.borrow();
            let value = &nodes[loss].value;
            if value.len() != 1 {
                return Err(Error::NotScalar {
                    shape: value.shape().to_vec(),
                });
            }
            value.shape().to_vec()
        };
        let mut pending: Vec<Option<X>> = vec![None; loss + 1];
        let mut kept: Vec<Option<X>> = vec![None; loss + 1];
        pending[loss] = Some(X::seed(self, &shape));
        for id in (0..=loss).rev() {
            let Some(g) = pending[id].take() else {
                continue;
            };
            // Read what the step needs, then let go of the tape: a recording sweep appends to it.
            let (rule, inputs, needs) = {
                let nodes = self.nodes.borrow();
                let node = &nodes[id];
                if keep(node, id) {
                    kept[id] = Some(g.clone().kept());
                }
                let Some(rule) = &node.backward else {
                    continue;
                };
                let needs: SmallVec<[bool; 2]> = node
                    .inputs
                    .iter()
                    .map(|&i| nodes[i].requires_grad)
                    .collect();
                (rule.clone(), node.inputs.clone(), needs)
            };
            let values: SmallVec<[X; 2]> = inputs.iter().map(|&i| X::of_node(self, i)).collect();
            let output = X::of_node(self, id);
            let grads = X::run(&*rule, &g, &values, &output, &needs).ok_or_else(|| {
                Error::FirstOrderOnly {
                    op: self.nodes.borrow()[id].name.to_string(),
                }
            })?;
            self.check_grads(id, &grads)?;
            for ((&input, grad), need) in inputs.iter().zip(grads).zip(&needs) {
                if let (Some(grad), true) = (grad, need) {
                    X::accumulate(&mut pending[input], grad);
                }
            }
        }
        Ok(kept)
    }

    /// One gradient per input, each of its input's shape: otherwise an error naming the op.
    fn check_grads<X: Operand<T>>(&self, id: usize, grads: &Grads<X>) -> Result<()> {
        let nodes = self.nodes.borrow();
        let node = &nodes[id];
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
            let expected = nodes[input].value.shape();
            if !nodes[input].requires_grad || grad.shape().as_slice() == expected {
                continue;
            }
            return Err(Error::shape(
                "backward",
                format!(
                    "op {}: its backward returned a gradient of shape {} for input {k} of shape {}",
                    node.name,
                    fmt_shape(&grad.shape()),
                    fmt_shape(expected)
                ),
            ));
        }
        Ok(())
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
