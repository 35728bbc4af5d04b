//! The ops, one family per file, each with its forward and backward side by side.

mod arith;
mod broadcast;
mod concat;
pub(crate) mod dropout;
mod index;
mod loss;
mod matmul;
mod reduce;
mod softmax;
pub(crate) mod unary;
