//! One module per top-level command.

pub mod coldbrew;
pub mod contrastive;
pub mod data;
pub mod demo;
pub mod giant;
pub mod xmc;
