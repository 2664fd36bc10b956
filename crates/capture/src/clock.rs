//! The monotonic clock every event is stamped with.

use tracewell_model::MonoNs;

/// Nanoseconds on `CLOCK_MONOTONIC`: one clock for every thread and process
/// of a boot, so events from separate processes (a task marker, say) order
/// correctly against captured input.
pub fn now_ns() -> MonoNs {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}
