//! One module per top-level command.

pub mod contrastive;
pub mod demo;
