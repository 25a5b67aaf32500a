//! `Exported`: a plan as Step Functions state machines, one, or parts and their parent.

use super::machine::StateMachine;

/// The state machines of a plan. `parts` is empty when the plan fits one machine (`main`);
/// else `main` is the parent that runs each part in order as a child execution
/// (`states:startExecution.sync:2`), each part deployed under the parent's name and
/// [`super::part_suffix`], and given the state the part before it left.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub main: StateMachine,
    pub parts: Vec<StateMachine>,
}
