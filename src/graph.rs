//! Dependency order for segments and ratios.

pub struct Order {
    /// Nodes with every dependency before them; ties keep the given order.
    pub sorted: Vec<usize>,
    /// Nodes on or behind a cycle (never sorted).
    pub cyclic: Vec<usize>,
}

/// Orders `nodes` so each comes after its `deps` (dependencies outside
/// `nodes` are ignored). Picks, each time, the first node in the given
/// order that is ready, so independent nodes keep their config order.
pub fn topological_order(nodes: &[usize], deps: impl Fn(usize) -> Vec<usize>) -> Order {
    // Each node with the dependencies it still waits for, and whether it is placed.
    let mut pending: Vec<(usize, Vec<usize>, bool)> =
        nodes.iter().map(|&n| (n, deps(n).into_iter().filter(|d| nodes.contains(d)).collect(), false)).collect();
    let mut sorted = Vec::with_capacity(nodes.len());
    while let Some(ready) =
        pending.iter_mut().find(|(_, deps, placed)| !*placed && deps.iter().all(|d| sorted.contains(d)))
    {
        ready.2 = true;
        sorted.push(ready.0);
    }
    let cyclic = pending.iter().filter(|(_, _, placed)| !placed).map(|(n, _, _)| *n).collect();
    Order { sorted, cyclic }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_dependency_then_given_order() {
        // 0 needs 2; 1 free; 2 free.
        let o = topological_order(&[0, 1, 2], |n| if n == 0 { vec![2] } else { vec![] });
        assert_eq!(o.sorted, vec![1, 2, 0]);
        assert!(o.cyclic.is_empty());
    }

    #[test]
    fn reports_cycles() {
        let o = topological_order(&[0, 1, 2], |n| match n {
            0 => vec![1],
            1 => vec![0],
            _ => vec![],
        });
        assert_eq!(o.sorted, vec![2]);
        assert_eq!(o.cyclic, vec![0, 1]);
    }
}
