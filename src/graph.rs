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
    let deps: Vec<Vec<usize>> =
        nodes.iter().map(|&n| deps(n).into_iter().filter(|d| nodes.contains(d)).collect()).collect();
    let mut placed = vec![false; nodes.len()];
    let mut sorted = Vec::with_capacity(nodes.len());
    loop {
        let ready = (0..nodes.len()).find(|&i| !placed[i] && deps[i].iter().all(|d| sorted.contains(d)));
        match ready {
            Some(i) => {
                placed[i] = true;
                sorted.push(nodes[i]);
            }
            None => break,
        }
    }
    let cyclic = (0..nodes.len()).filter(|&i| !placed[i]).map(|i| nodes[i]).collect();
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
