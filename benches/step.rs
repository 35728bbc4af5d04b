//! Training-step benchmarks: the course's L-layer [12288, 20, 7, 5, 1] and two-layer
//! [12288, 7, 1] models (f64, f32), the two big products alone, and the step's growth with m
//! and with the first layer's width.
//!
//! The data are synthetic with the real shapes (pixel values in [0, 1), random labels), so the
//! benchmarks run without the course's files; the cost of a step does not depend on the values.
//! Threads: set `MATMUL_NUM_THREADS=1` or `2` (matrixmultiply's default is one per core).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tapegrad::nn::{self, InitScale, Parameters};
use tapegrad::rng::NumpyRng;
use tapegrad::{Element, Tensor};

fn data(m: usize) -> (Tensor, Tensor) {
    let mut rng = NumpyRng::new(0);
    let x = rng.rand(&[12288, m]);
    let y = rng.rand(&[1, m]).map(|v| if v > 0.65 { 1.0 } else { 0.0 });
    (x, y)
}

fn params(dims: &[usize]) -> Parameters {
    nn::initialize_parameters_deep(dims, 1, InitScale::DivSqrtFanIn).unwrap()
}

fn bench_step<T: Element>(c: &mut Criterion, name: &str, dims: &[usize], m: usize) {
    let (x, y) = data(m);
    let (x, y): (Tensor<T>, Tensor<T>) = (x.cast(), y.cast());
    let mut p: Parameters<T> = params(dims).cast();
    // A tiny learning rate keeps the weights (and so the work) steady over many iterations.
    let lr = T::from_f64(1e-6);
    c.bench_function(name, |b| {
        b.iter(|| nn::train_step(&mut p, &x, &y, lr).unwrap())
    });
}

fn steps(c: &mut Criterion) {
    bench_step::<f64>(c, "l_layer_step_f64", &[12288, 20, 7, 5, 1], 209);
    bench_step::<f32>(c, "l_layer_step_f32", &[12288, 20, 7, 5, 1], 209);
    bench_step::<f64>(c, "two_layer_step_f64", &[12288, 7, 1], 209);
    bench_step::<f32>(c, "two_layer_step_f32", &[12288, 7, 1], 209);
}

fn big_matmuls(c: &mut Criterion) {
    let (x, _) = data(209);
    let w1 = params(&[12288, 20, 1]).w[0].clone();
    let dz1 = NumpyRng::new(2).randn(&[20, 209]);
    let mut group = c.benchmark_group("matmul");
    group.throughput(Throughput::Elements((2 * 20 * 12288 * 209) as u64));
    group.bench_function("W1·X (20x12288 · 12288x209)", |b| {
        b.iter(|| w1.matmul(&x))
    });
    group.bench_function("dZ1·Xᵀ (20x209 · 209x12288)", |b| {
        b.iter(|| dz1.matmul(&x.t()))
    });
    group.finish();
}

fn growth_with_m(c: &mut Criterion) {
    let mut group = c.benchmark_group("l_layer_step_f64_by_m");
    group.sample_size(10);
    for m in [209, 1024, 4096] {
        let (x, y) = data(m);
        let mut p = params(&[12288, 20, 7, 5, 1]);
        group.throughput(Throughput::Elements(m as u64));
        group.bench_with_input(BenchmarkId::from_parameter(m), &m, |b, _| {
            b.iter(|| nn::train_step(&mut p, &x, &y, 1e-6).unwrap())
        });
    }
    group.finish();
}

/// The first hidden layer's width: past 64 units neither side of `W1·X` is small, and the
/// products go to matrixmultiply instead of the outer-product kernel.
fn growth_with_width(c: &mut Criterion) {
    let mut group = c.benchmark_group("l_layer_step_f64_by_width");
    group.sample_size(10);
    let (x, y) = data(209);
    for width in [20, 64, 128, 512] {
        let mut p = params(&[12288, width, 7, 5, 1]);
        group.throughput(Throughput::Elements(width as u64));
        group.bench_with_input(BenchmarkId::from_parameter(width), &width, |b, _| {
            b.iter(|| nn::train_step(&mut p, &x, &y, 1e-6).unwrap())
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    steps,
    big_matmuls,
    growth_with_m,
    growth_with_width
);
criterion_main!(benches);
