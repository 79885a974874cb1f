//! Reports: the model of a run's results and its rendering by templates.

pub mod model;
pub mod render;

pub use model::{CampaignReport, Problem, Report, SetReport, Status, TestReport};
pub use render::{Format, Renderer};
