//! Backend aliases and the one place where the compute device is chosen.
//!
//! Model code is generic over `B: Backend` / `B: AutodiffBackend`; only the
//! CLI picks a concrete backend, through [`Device::dispatch`].

use crate::{Error, Result};
use burn::tensor::backend::AutodiffBackend;

/// The CPU backend (burn's `Flex`).
pub type Cpu = burn::backend::Flex;
/// The CPU backend with reverse-mode autodiff.
pub type CpuAutodiff = burn::backend::Autodiff<Cpu>;

/// The CUDA backend (only with the `cuda` cargo feature).
#[cfg(feature = "cuda")]
pub type Gpu = burn::backend::Cuda;
/// The CUDA backend with reverse-mode autodiff.
#[cfg(feature = "cuda")]
pub type GpuAutodiff = burn::backend::Autodiff<Gpu>;

/// A compute device requested by the user (`--device cpu|cuda`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// The CPU (always available).
    #[default]
    Cpu,
    /// The first CUDA GPU (needs the `cuda` feature and an NVIDIA driver).
    Cuda,
}

impl std::str::FromStr for Device {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda),
            other => Err(Error::Device(format!(
                "unknown device `{other}`, expected `cpu` or `cuda`"
            ))),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        })
    }
}

/// Work that runs on whichever autodiff backend the user selected.
///
/// Implement this for a small struct holding the job's inputs; the body is
/// written once, generically, and [`Device::dispatch`] instantiates it.
pub trait BackendJob {
    /// What the job returns.
    type Output;
    /// Runs the job on backend `B` and device `device`.
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Self::Output>;
}

impl Device {
    /// Runs `job` on this device's backend.
    ///
    /// Errors if CUDA is requested but the binary was built without the
    /// `cuda` feature.
    pub fn dispatch<J: BackendJob>(self, job: J) -> Result<J::Output> {
        match self {
            Device::Cpu => job.run::<CpuAutodiff>(Default::default()),
            #[cfg(feature = "cuda")]
            Device::Cuda => job.run::<GpuAutodiff>(Default::default()),
            #[cfg(not(feature = "cuda"))]
            Device::Cuda => Err(Error::Device(
                "this tessera binary was built without CUDA support; rebuild with `--features cuda`"
                    .into(),
            )),
        }
    }
}

/// Sizes the global rayon pool once (0 = all cores) and returns its size.
/// Later calls keep the first size.
pub fn init_threads(threads: usize) -> usize {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if threads > 0 {
        builder = builder.num_threads(threads);
    }
    // An error only means the pool was already built, which is fine.
    let _ = builder.build_global();
    rayon::current_num_threads()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct SumJob(Vec<f32>);
    impl BackendJob for SumJob {
        type Output = f32;
        fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<f32> {
            let n = self.0.len();
            let t = burn::tensor::Tensor::<B, 1>::from_data(
                burn::tensor::TensorData::new(self.0, [n]),
                &device,
            );
            Ok(t.sum().into_scalar().elem())
        }
    }
    use burn::tensor::ElementConversion;

    #[test]
    fn cpu_dispatch_runs_generic_job() {
        assert_eq!(
            Device::Cpu.dispatch(SumJob(vec![1.0, 2.0, 3.5])).unwrap(),
            6.5
        );
    }

    #[test]
    fn device_parses_and_rejects_unknown() {
        assert_eq!("CPU".parse::<Device>().unwrap(), Device::Cpu);
        assert_eq!("cuda".parse::<Device>().unwrap(), Device::Cuda);
        assert!(
            "tpu"
                .parse::<Device>()
                .unwrap_err()
                .to_string()
                .contains("tpu")
        );
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_feature_is_a_clear_error() {
        let err = Device::Cuda.dispatch(SumJob(vec![1.0])).unwrap_err();
        assert!(err.to_string().contains("--features cuda"));
    }
}
