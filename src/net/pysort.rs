//! CPython 3.11's `list.sort(key=cmp_to_key(cmp), reverse=...)`, step for step.
//!
//! Scapy orders IPv6 source candidates with comparison functions that are not consistent
//! orders (two global addresses are each "less" than the other), so the result depends on the
//! exact comparisons the sort makes. Rust's sorts may order such input differently (or panic on
//! an inconsistent order), so the routing tables use this: the same run detection and binary
//! insertion CPython performs, which is the whole algorithm for fewer than 64 items (a
//! candidate set is a handful of addresses). Longer inputs are merged run by run, stably; that
//! agrees with CPython whenever the comparison is a consistent order.

/// Sorts `v` as CPython's `list.sort` does with `key=functools.cmp_to_key(cmp)`: an item is
/// "less" than another when `cmp` returns a negative number. `reverse` is Python's flag (the
/// list is reversed, sorted, reversed again, which keeps equal items in their order).
pub fn cpython_sort<T, F>(v: &mut [T], reverse: bool, mut cmp: F)
where
    F: FnMut(&T, &T) -> i32,
{
    if reverse {
        v.reverse();
    }
    let mut lt = |a: &T, b: &T| cmp(a, b) < 0;
    let n = v.len();
    if n >= 2 {
        let minrun = compute_minrun(n);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut lo = 0usize;
        while lo < n {
            let (mut len, descending) = count_run(&v[lo..], &mut lt);
            if descending {
                v[lo..lo + len].reverse();
            }
            if len < minrun {
                let force = minrun.min(n - lo);
                binary_insertion(&mut v[lo..lo + force], len, &mut lt);
                len = force;
            }
            runs.push((lo, len));
            lo += len;
        }
        // Merge neighbouring runs until one is left (stable: ties keep the left item first).
        while runs.len() > 1 {
            let mut merged = Vec::with_capacity(runs.len().div_ceil(2));
            for pair in runs.chunks(2) {
                match pair {
                    [(a, la), (_, lb)] => {
                        merge(&mut v[*a..*a + la + lb], *la, &mut lt);
                        merged.push((*a, la + lb));
                    }
                    [one] => merged.push(*one),
                    _ => {}
                }
            }
            runs = merged;
        }
    }
    if reverse {
        v.reverse();
    }
}

/// CPython's `merge_compute_minrun`.
fn compute_minrun(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

/// CPython 3.11's `count_run`: the length of the run at the start of `v`, and whether it is
/// strictly descending.
fn count_run<T>(v: &[T], lt: &mut impl FnMut(&T, &T) -> bool) -> (usize, bool) {
    if v.len() < 2 {
        return (v.len(), false);
    }
    let mut n = 2;
    if lt(&v[1], &v[0]) {
        while n < v.len() && lt(&v[n], &v[n - 1]) {
            n += 1;
        }
        (n, true)
    } else {
        while n < v.len() && !lt(&v[n], &v[n - 1]) {
            n += 1;
        }
        (n, false)
    }
}

/// CPython's `binarysort`: `v[..start]` is sorted; insert each following item after every
/// item it is not less than.
fn binary_insertion<T>(v: &mut [T], start: usize, lt: &mut impl FnMut(&T, &T) -> bool) {
    let start = start.max(1);
    for i in start..v.len() {
        let (mut l, mut r) = (0usize, i);
        while l < r {
            let p = l + ((r - l) >> 1);
            if lt(&v[i], &v[p]) {
                r = p;
            } else {
                l = p + 1;
            }
        }
        v[l..=i].rotate_right(1);
    }
}

/// Stable merge of `v[..mid]` and `v[mid..]`.
fn merge<T>(v: &mut [T], mid: usize, lt: &mut impl FnMut(&T, &T) -> bool) {
    let (mut i, mut j) = (0usize, mid);
    while i < j && j < v.len() {
        if lt(&v[j], &v[i]) {
            v[i..=j].rotate_right(1);
            j += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An inconsistent comparison: the reference outputs below come from CPython 3.11 with
    /// `sorted(p, key=cmp_to_key(c), reverse=r)` where
    /// `p = sorted(range(n), key=lambda i: (i * 7919) % 101)`.
    fn weird(a: &u32, b: &u32) -> i32 {
        ((a * 7 + b * 3) % 3) as i32 - 1
    }

    fn perm(n: u32) -> Vec<u32> {
        let mut v: Vec<u32> = (0..n).collect();
        v.sort_by_key(|i| (i * 7919) % 101);
        v
    }

    fn run(n: u32, reverse: bool) -> Vec<u32> {
        let mut v = perm(n);
        cpython_sort(&mut v, reverse, weird);
        v
    }

    #[test]
    fn consistent_orders_sort_like_rust() {
        let mut v: Vec<i32> = (0..200).map(|i| (i * 37) % 101).collect();
        let mut w = v.clone();
        cpython_sort(&mut v, false, |a, b| (*a - *b).signum());
        w.sort();
        assert_eq!(v, w);
        cpython_sort(&mut v, true, |a, b| (*a - *b).signum());
        w.reverse();
        assert_eq!(v, w);
    }

    #[test]
    fn inconsistent_orders_match_cpython() {
        assert_eq!(run(2, false), vec![0, 1]);
        assert_eq!(run(2, true), vec![1, 0]);
        assert_eq!(run(3, false), vec![0, 1, 2]);
        assert_eq!(run(5, false), vec![3, 0, 1, 4, 2]);
        assert_eq!(run(5, true), vec![1, 4, 2, 3, 0]);
        assert_eq!(run(9, false), vec![6, 3, 0, 5, 8, 1, 4, 2, 7]);
        assert_eq!(run(9, true), vec![5, 8, 1, 4, 2, 7, 6, 3, 0]);
        assert_eq!(
            run(20, false),
            vec![12, 9, 6, 18, 3, 15, 0, 5, 10, 8, 13, 1, 11, 16, 4, 14, 19, 2, 7, 17]
        );
        assert_eq!(
            run(20, true),
            vec![5, 10, 8, 13, 1, 11, 16, 4, 14, 19, 2, 7, 17, 12, 9, 6, 18, 3, 15, 0]
        );
        assert_eq!(
            run(63, false),
            vec![
                27, 54, 12, 39, 24, 51, 9, 36, 21, 48, 6, 33, 60, 18, 45, 3, 30, 57, 15, 42, 0, 37,
                5, 10, 47, 52, 20, 25, 62, 35, 40, 8, 13, 50, 55, 23, 28, 1, 38, 43, 11, 16, 53,
                58, 26, 31, 4, 41, 46, 14, 19, 56, 61, 29, 34, 2, 7, 44, 49, 17, 22, 59, 32
            ]
        );
    }
}
