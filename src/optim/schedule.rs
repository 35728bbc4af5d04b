//! Learning-rate decay, as functions of the epoch: set the result with
//! [`Optimizer::set_learning_rate`](super::Optimizer::set_learning_rate) after each epoch.

/// Continuous inverse-time decay (the course's `update_lr`):
/// `α = 1 / (1 + decay_rate·epoch) · α0`.
///
/// ```
/// assert_eq!(tapegrad::optim::schedule::inverse_time(0.5, 2, 1.0), 0.16666666666666666);
/// ```
pub fn inverse_time(learning_rate0: f64, epoch: usize, decay_rate: f64) -> f64 {
    1.0 / (1.0 + decay_rate * epoch as f64) * learning_rate0
}

/// Inverse-time decay in steps of `time_interval` epochs (the course's `schedule_lr_decay`):
/// `α = 1 / (1 + decay_rate·⌊epoch / time_interval⌋) · α0`.
///
/// ```
/// use tapegrad::optim::schedule::stepped_inverse_time;
/// assert_eq!(stepped_inverse_time(0.5, 10, 0.3, 100), 0.5);
/// assert_eq!(stepped_inverse_time(0.5, 100, 0.3, 100), 0.3846153846153846);
/// ```
///
/// # Panics
/// When `time_interval` is 0.
#[track_caller]
pub fn stepped_inverse_time(
    learning_rate0: f64,
    epoch: usize,
    decay_rate: f64,
    time_interval: usize,
) -> f64 {
    assert!(
        time_interval > 0,
        "stepped_inverse_time: time_interval must be at least 1 epoch, got 0"
    );
    1.0 / (1.0 + decay_rate * (epoch / time_interval) as f64) * learning_rate0
}
