//! Which mined names break the tool when bound: found by bisection, so one
//! bad name (uv's `UV_NO_ENV_FILE`, a switch that a folder turns on) is
//! dropped alone, and the names beside it, `--candidate`s among them, stay.
//!
//! Each test is a traced run of the tool, so the number of tests is what
//! counts. The search walks the suspects in order and asks for the shortest
//! prefix that breaks the tool: its last name is a breaker. The names before
//! it are kept, and the search goes on in the names after it, until all of
//! them together work.

use crate::error::Result;

/// The names among `suspects` whose binding breaks the tool, in their order.
///
/// `works(subset)` runs the tool with the fixed names (those never
/// suspected) and `subset` bound, and says whether every step still ended as
/// expected. The caller has seen it fail with every suspect bound, so that
/// run is not repeated.
///
/// - Several breakers are all found.
/// - Names that break the tool only together (neither alone) cost one of
///   them: the later one in `suspects` is returned, the earlier kept. Give
///   the suspects most wanted first.
/// - When the tool fails with no suspect bound at all, none is to blame:
///   the answer is empty.
///
/// Calls of `works`: at most `1 + d * (ceil(log2 n) + 1)` for `n` suspects
/// and `d` breakers found; one when none is to blame, none for no suspect.
/// The last call that returned true had exactly the suspects but the
/// breakers bound: that run can stand for the tool's behaviour without them.
pub fn breakers<F>(suspects: &[String], mut works: F) -> Result<Vec<String>>
where
    F: FnMut(&[String]) -> Result<bool>,
{
    let mut found = Vec::new();
    if suspects.is_empty() || !works(&[])? {
        return Ok(found);
    }
    // Names known to work together (the fixed ones with `kept` bound), and
    // the names not settled yet, which fail when added to them all at once.
    let mut kept: Vec<String> = Vec::new();
    let mut rest: &[String] = suspects;
    loop {
        let breaker = first_breaking(&kept, rest, &mut works)?;
        kept.extend_from_slice(&rest[..breaker]);
        found.push(rest[breaker].clone());
        rest = &rest[breaker + 1..];
        if rest.is_empty() || works(&joined(&kept, rest))? {
            return Ok(found);
        }
    }
}

/// The index of the first name of `rest` that breaks the tool when bound
/// with `kept` and the names before it, given that `kept` alone works and
/// `kept` with all of `rest` does not: `ceil(log2 rest.len())` calls.
fn first_breaking<F>(kept: &[String], rest: &[String], works: &mut F) -> Result<usize>
where
    F: FnMut(&[String]) -> Result<bool>,
{
    // `kept` with `rest[..lo]` works; with `rest[..hi]` it fails.
    let (mut lo, mut hi) = (0, rest.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if works(&joined(kept, &rest[..mid]))? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

fn joined(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().chain(b).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("MINED_{i}_DIR")).collect()
    }

    /// A tool that breaks when any of `groups` is bound whole (a group of
    /// one is a name that breaks alone), counting the runs it is asked for.
    struct FakeTool {
        groups: Vec<Vec<String>>,
        calls: usize,
        last_working: Option<Vec<String>>,
    }

    impl FakeTool {
        fn new(groups: &[&[&str]]) -> FakeTool {
            FakeTool {
                groups: groups
                    .iter()
                    .map(|g| g.iter().map(|s| s.to_string()).collect())
                    .collect(),
                calls: 0,
                last_working: None,
            }
        }

        fn works(&mut self, bound: &[String]) -> Result<bool> {
            self.calls += 1;
            let ok = !self
                .groups
                .iter()
                .any(|group| group.iter().all(|name| bound.contains(name)));
            if ok {
                self.last_working = Some(bound.to_vec());
            }
            Ok(ok)
        }
    }

    /// The bound the documentation promises.
    fn bound(n: usize, d: usize) -> usize {
        let log = usize::BITS - (n.max(1) - 1).leading_zeros();
        1 + d * (log as usize + 1)
    }

    fn without(suspects: &[String], drop: &[String]) -> Vec<String> {
        suspects
            .iter()
            .filter(|s| !drop.contains(s))
            .cloned()
            .collect()
    }

    #[test]
    fn one_breaker_among_many_costs_a_few_runs() {
        let suspects = names(32);
        let mut tool = FakeTool::new(&[&["MINED_20_DIR"]]);
        let found = breakers(&suspects, |s| tool.works(s)).unwrap();
        assert_eq!(found, ["MINED_20_DIR"]);
        // One run without suspects, five to halve 32, one to prove the rest.
        assert_eq!(tool.calls, 7);
        assert_eq!(tool.calls, bound(32, 1));
        assert_eq!(tool.last_working, Some(without(&suspects, &found)));
    }

    #[test]
    fn a_switch_among_uvs_names_is_dropped_alone() {
        // uv 0.13.9: what the byte miner found before switches were left
        // out (a `--candidate` such as UV_CREDENTIALS_DIR is no suspect).
        let suspects: Vec<String> = [
            "UV_CACHE_DIR",
            "UV_PYTHON_BIN_DIR",
            "UV_NO_ENV_FILE",
            "VIRTUALENV_PATCH_FILE",
        ]
        .map(String::from)
        .to_vec();
        let mut tool = FakeTool::new(&[&["UV_NO_ENV_FILE"]]);
        let found = breakers(&suspects, |s| tool.works(s)).unwrap();
        assert_eq!(found, ["UV_NO_ENV_FILE"]);
        assert!(tool.calls <= bound(4, 1), "{} calls", tool.calls);
    }

    #[test]
    fn several_breakers_are_all_found() {
        let suspects = names(40);
        let bad = ["MINED_0_DIR", "MINED_17_DIR", "MINED_39_DIR"];
        let mut tool = FakeTool::new(&[&[bad[0]], &[bad[1]], &[bad[2]]]);
        let found = breakers(&suspects, |s| tool.works(s)).unwrap();
        assert_eq!(found, bad);
        assert!(tool.calls <= bound(40, 3), "{} calls", tool.calls);
        assert_eq!(tool.last_working, Some(without(&suspects, &found)));
    }

    #[test]
    fn names_that_break_only_together_cost_the_later_one() {
        let suspects = names(10);
        let mut tool = FakeTool::new(&[&["MINED_2_DIR", "MINED_6_DIR"]]);
        let found = breakers(&suspects, |s| tool.works(s)).unwrap();
        assert_eq!(found, ["MINED_6_DIR"]);
        assert_eq!(tool.last_working, Some(without(&suspects, &found)));
    }

    #[test]
    fn nothing_is_blamed_when_the_tool_fails_without_any() {
        let suspects = names(8);
        let mut tool = FakeTool::new(&[&[]]);
        let found = breakers(&suspects, |s| tool.works(s)).unwrap();
        assert!(found.is_empty());
        assert_eq!(tool.calls, 1);
    }

    #[test]
    fn no_suspect_no_run() {
        let mut calls = 0;
        let found = breakers(&[], |_| {
            calls += 1;
            Ok(false)
        })
        .unwrap();
        assert!(found.is_empty());
        assert_eq!(calls, 0);
    }

    #[test]
    fn a_run_that_cannot_be_made_stops_the_search() {
        let suspects = names(4);
        let mut calls = 0;
        let result = breakers(&suspects, |_| {
            calls += 1;
            if calls == 2 {
                Err(crate::error::Discover::ConcurrentRun.into())
            } else {
                Ok(true)
            }
        });
        assert!(result.is_err());
        assert_eq!(calls, 2);
    }

    proptest! {
        /// Independent breakers are found exactly, within the bound, and
        /// the rest is proved to work.
        #[test]
        fn independent_breakers_are_found_within_the_bound(
            n in 1usize..64,
            picks in proptest::collection::btree_set(0usize..64, 0..6),
        ) {
            let suspects = names(n);
            let bad: BTreeSet<usize> = picks.into_iter().filter(|i| *i < n).collect();
            let groups: Vec<Vec<String>> = bad.iter().map(|i| vec![suspects[*i].clone()]).collect();
            let mut tool = FakeTool { groups, calls: 0, last_working: None };
            // The caller's premise: every suspect bound fails.
            prop_assume!(!bad.is_empty());
            let found = breakers(&suspects, |s| tool.works(s)).unwrap();
            let want: Vec<String> = bad.iter().map(|i| suspects[*i].clone()).collect();
            prop_assert_eq!(&found, &want);
            prop_assert!(tool.calls <= bound(n, found.len()), "{} calls", tool.calls);
            prop_assert_eq!(tool.last_working, Some(without(&suspects, &found)));
        }

        /// Whatever breaks together, what is left works, and every name
        /// dropped breaks the tool beside the names kept before it.
        #[test]
        fn what_is_left_works_and_each_drop_was_needed(
            n in 1usize..24,
            raw in proptest::collection::vec(proptest::collection::btree_set(0usize..24, 1..3), 1..4),
        ) {
            let suspects = names(n);
            let groups: Vec<Vec<String>> = raw
                .iter()
                .map(|g| g.iter().filter(|i| **i < n).map(|i| suspects[*i].clone()).collect::<Vec<_>>())
                .filter(|g: &Vec<String>| !g.is_empty())
                .collect();
            prop_assume!(!groups.is_empty());
            let mut tool = FakeTool { groups: groups.clone(), calls: 0, last_working: None };
            let found = breakers(&suspects, |s| tool.works(s)).unwrap();
            let left = without(&suspects, &found);
            let breaks = |bound: &[String]| groups.iter().any(|g| g.iter().all(|x| bound.contains(x)));
            prop_assert!(!breaks(&left));
            for name in &found {
                let at = suspects.iter().position(|s| s == name).unwrap();
                let mut before: Vec<String> = without(&suspects[..at], &found);
                before.push(name.clone());
                prop_assert!(breaks(&before), "{} was dropped for nothing", name);
            }
            prop_assert!(tool.calls <= bound(n, found.len()), "{} calls", tool.calls);
        }
    }
}
