//! The ops, one family per file, each with its forward and backward side by side.

pub(crate) mod activation;
mod arith;
pub(crate) mod dropout;
mod index;
mod loss;
mod matmul;
mod reduce;
mod softmax;
