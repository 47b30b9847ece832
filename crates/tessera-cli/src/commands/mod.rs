//! One module per top-level command.

pub mod contrastive;
pub mod data;
pub mod demo;
