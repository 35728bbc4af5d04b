//! A picture of the tape: Graphviz DOT text with one node per recorded value.

use std::fmt::Write;

use super::{Gradients, Kind, Tape, Var};
use crate::error::fmt_shape;
use crate::tensor::Element;

/// Quotes `s` for a DOT label.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl<T: Element> Tape<T> {
    /// The tape as Graphviz DOT text: every recorded value a node, labelled with its op (or a
    /// leaf's name from [`Tape::param_named`]), its shape and, when `grads` is given and holds
    /// the value's gradient, the gradient's norm `‖g‖`; an edge from each input to its op.
    ///
    /// Params are blue boxes, constants grey boxes, ops ellipses; values that record no
    /// backward (constants, and ops that depend only on constants) are drawn dashed and grey,
    /// and `loss` has a double outline. Render with `dot -Tsvg graph.dot -o graph.svg`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.param_named("w", &Tensor::from_vec(vec![1.0, 2.0], &[1, 2])?);
    /// let x = tape.constant_named("X", &Tensor::ones(&[2, 3]));
    /// let loss = w.matmul(x).sigmoid().mean();
    /// let grads = loss.backward()?;
    /// let dot = tape.to_dot(loss, Some(&grads));
    /// assert!(dot.starts_with("digraph tape {"));
    /// assert!(dot.contains("n0 -> n2") && dot.contains("w\\n(1, 2)\\n‖g‖ ="));
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Panics
    /// When `loss` or `grads` belongs to another tape.
    #[track_caller]
    pub fn to_dot(&self, loss: Var<'_, T>, grads: Option<&Gradients<T>>) -> String {
        assert!(
            std::ptr::eq(self, loss.tape),
            "to_dot: the loss belongs to another tape"
        );
        if let Some(g) = grads {
            assert!(
                g.tape_id == self.id,
                "to_dot: the gradients belong to another tape"
            );
        }
        let nodes = self.nodes.borrow();
        let mut out = String::from(
            "digraph tape {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n",
        );
        for (id, node) in nodes.iter().enumerate() {
            let name = match (&node.kind, node.name.is_empty()) {
                (Kind::Param, true) => "param",
                (Kind::Constant, true) => "constant",
                _ => node.name.as_ref(),
            };
            let mut label = format!("{}\\n{}", quote(name), fmt_shape(node.value.shape()));
            if let Some(g) = grads.and_then(|g| g.grads.get(id)).and_then(Option::as_ref) {
                let norm = g
                    .to_vec()
                    .iter()
                    .map(|v| v.to_f64().powi(2))
                    .sum::<f64>()
                    .sqrt();
                let _ = write!(label, "\\n‖g‖ = {norm:.3e}");
            }
            let style = match (&node.kind, node.requires_grad) {
                (Kind::Param, _) => "shape=box, style=filled, fillcolor=\"#cfe2f3\"",
                (Kind::Constant, _) => "shape=box, style=\"filled,dashed\", fillcolor=\"#eeeeee\", fontcolor=\"#666666\"",
                (Kind::Op, true) => "shape=ellipse",
                (Kind::Op, false) => "shape=ellipse, style=dashed, color=\"#999999\", fontcolor=\"#666666\"",
            };
            let loss_mark = if id == loss.id { ", peripheries=2" } else { "" };
            let _ = writeln!(out, "  n{id} [label=\"{label}\", {style}{loss_mark}];");
        }
        for (id, node) in nodes.iter().enumerate() {
            for input in &node.inputs {
                let _ = writeln!(out, "  n{input} -> n{id};");
            }
        }
        out.push_str("}\n");
        out
    }
}
