//! Campaign files: the model, its parser, signatures, selection, the dump and the runner.

pub mod dump;
pub mod model;
pub mod options;
pub mod parse;
pub mod runner;
pub mod select;
pub mod signature;
pub mod watchdog;

pub use model::{Campaign, CampaignFile, Step, TestSet, UnitTest};
pub use options::{CliArgs, RunOptions, Terminal};
pub use runner::{exit, run};
