//! One module per top-level command.

pub mod coldbrew;
pub mod demo;
