//! The facilities' points in two static k-d trees: one on the unit sphere,
//! for nearest first and within a distance (a chord there orders exactly
//! like great-circle distance), one on longitude and latitude for boxes.
//!
//! A tree is implicit, as in kdbush: the points are reordered so that every
//! range `lo..hi` of more than [`LEAF`] points has its median at
//! `mid = lo + (hi - lo) / 2`, the points before it no greater on that
//! node's axis and the ones after it no smaller. Beside each point only its
//! entry and, for a median, the axis it splits: 33 bytes a point on the
//! sphere and 25 on the plane, where the two R-trees of boxed nodes this
//! replaces took about 250.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tsunagi_domain::{BBox, GeoPoint};

pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

const LEAF: usize = 8;

pub type Xyz = [f64; 3];

/// The point on the unit sphere.
pub fn xyz(p: GeoPoint) -> Xyz {
    let (la, lo) = (p.lat.to_radians(), p.lng.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// The squared chord length on the unit sphere for a great-circle distance.
pub fn chord2(meters: f64) -> f64 {
    let c = 2.0 * (meters / (2.0 * EARTH_RADIUS_M)).min(std::f64::consts::FRAC_PI_2).sin();
    c * c
}

/// The squared distance between two points.
pub fn distance2<const D: usize>(p: &[f64; D], o: &[f64; D]) -> f64 {
    (0..D).map(|a| (p[a] - o[a]).powi(2)).sum()
}

pub struct Points {
    sphere: Tree<3>,
    /// Longitude, latitude.
    plane: Tree<2>,
}

impl Points {
    /// The trees of these entries' points.
    pub fn new(points: impl Iterator<Item = (GeoPoint, u32)> + Clone) -> Points {
        let sphere = Tree::new(points.clone().map(|(p, e)| (xyz(p), e)).collect());
        let plane = Tree::new(points.map(|(p, e)| ([p.lng, p.lat], e)).collect());
        Points { sphere, plane }
    }

    pub fn len(&self) -> usize {
        self.sphere.points.len()
    }

    /// The entries whose point is within squared chord `r2` of `o`
    /// (inclusive), with that, in no particular order.
    pub fn within(&self, o: Xyz, r2: f64) -> impl Iterator<Item = (u32, f64)> + '_ {
        let t = &self.sphere;
        t.search(move |c: &Cuboid<3>| c.distance2(&o) <= r2)
            .map(move |i| (t.points[i].1, distance2(&t.points[i].0, &o)))
            .filter(move |&(_, d)| d <= r2)
    }

    /// The entries whose point is inside `b` (as [`BBox::contains`] has it),
    /// in no particular order.
    pub fn inside(&self, b: &BBox) -> impl Iterator<Item = u32> + '_ {
        let (t, q) = (&self.plane, Cuboid { min: [b.west, b.south], max: [b.east, b.north] });
        t.search(move |c: &Cuboid<2>| c.meets(&q)).map(|i| t.points[i]).filter(move |p| q.contains(&p.0)).map(|p| p.1)
    }

    /// Every entry with its squared chord from `o`, nearest first.
    pub fn nearest(&self, o: Xyz) -> impl Iterator<Item = (u32, f64)> + '_ {
        let t = &self.sphere;
        let mut nodes: Vec<Node<3>> = Vec::new();
        let mut heap: BinaryHeap<Next> = BinaryHeap::new();
        if let Some(root) = t.root() {
            heap.push(Next { d2: root.cuboid.distance2(&o), item: NODE });
            nodes.push(root);
        }
        std::iter::from_fn(move || {
            loop {
                let Next { d2, item } = heap.pop()?;
                if item & NODE == 0 {
                    return Some((t.points[item as usize].1, d2));
                }
                let n = nodes[(item & !NODE) as usize];
                let point = |i: usize| Next { d2: distance2(&t.points[i].0, &o), item: i as u32 };
                match t.children(&n) {
                    None => heap.extend((n.lo as usize..n.hi as usize).map(point)),
                    Some((mid, left, right)) => {
                        heap.push(point(mid));
                        for c in [left, right] {
                            heap.push(Next { d2: c.cuboid.distance2(&o), item: NODE | nodes.len() as u32 });
                            nodes.push(c);
                        }
                    }
                }
            }
        })
    }
}

/// An axis-aligned box, its faces included.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cuboid<const D: usize> {
    min: [f64; D],
    max: [f64; D],
}

impl<const D: usize> Cuboid<D> {
    fn around(points: &[([f64; D], u32)]) -> Cuboid<D> {
        let mut b = Cuboid { min: [f64::INFINITY; D], max: [f64::NEG_INFINITY; D] };
        for (p, _) in points {
            for (a, &v) in p.iter().enumerate() {
                b.min[a] = b.min[a].min(v);
                b.max[a] = b.max[a].max(v);
            }
        }
        b
    }

    fn contains(&self, p: &[f64; D]) -> bool {
        (0..D).all(|a| self.min[a] <= p[a] && p[a] <= self.max[a])
    }

    fn meets(&self, other: &Cuboid<D>) -> bool {
        (0..D).all(|a| self.min[a] <= other.max[a] && other.min[a] <= self.max[a])
    }

    /// The squared distance from `o` to the nearest point of the box: never
    /// more than [`distance2`] to any point inside, also in floating point
    /// (each term's difference is no larger, and rounding is monotone).
    fn distance2(&self, o: &[f64; D]) -> f64 {
        (0..D).map(|a| (self.min[a] - o[a]).max(o[a] - self.max[a]).max(0.0).powi(2)).sum()
    }

    /// The halves of the box either side of `at` on `axis`.
    fn split(&self, axis: usize, at: f64) -> (Cuboid<D>, Cuboid<D>) {
        let (mut low, mut high) = (*self, *self);
        low.max[axis] = at;
        high.min[axis] = at;
        (low, high)
    }
}

/// A range of a tree with the box its points lie in.
#[derive(Debug, Clone, Copy)]
struct Node<const D: usize> {
    lo: u32,
    hi: u32,
    cuboid: Cuboid<D>,
}

struct Tree<const D: usize> {
    /// In tree order, each point with its entry.
    points: Vec<([f64; D], u32)>,
    /// At a median's index, the axis its node splits on.
    axes: Vec<u8>,
    /// The box holding every point.
    bounds: Cuboid<D>,
}

impl<const D: usize> Tree<D> {
    fn new(mut points: Vec<([f64; D], u32)>) -> Tree<D> {
        let bounds = Cuboid::around(&points);
        let mut axes = vec![0u8; points.len()];
        sort(&mut points, &mut axes);
        Tree { points, axes, bounds }
    }

    fn root(&self) -> Option<Node<D>> {
        (!self.points.is_empty()).then_some(Node { lo: 0, hi: self.points.len() as u32, cuboid: self.bounds })
    }

    /// The median of a node and its halves; `None` for a leaf.
    fn children(&self, n: &Node<D>) -> Option<(usize, Node<D>, Node<D>)> {
        let (lo, hi) = (n.lo as usize, n.hi as usize);
        if hi - lo <= LEAF {
            return None;
        }
        let mid = lo + (hi - lo) / 2;
        let axis = self.axes[mid] as usize;
        let (low, high) = n.cuboid.split(axis, self.points[mid].0[axis]);
        let left = Node { lo: n.lo, hi: mid as u32, cuboid: low };
        let right = Node { lo: mid as u32 + 1, hi: n.hi, cuboid: high };
        Some((mid, left, right))
    }

    /// The indices of the points in every node `reaches` keeps.
    fn search<'a>(&'a self, reaches: impl Fn(&Cuboid<D>) -> bool + 'a) -> impl Iterator<Item = usize> + 'a {
        let mut stack: Vec<Node<D>> = self.root().into_iter().filter(|n| reaches(&n.cuboid)).collect();
        let mut run = 0..0;
        std::iter::from_fn(move || {
            loop {
                if let Some(i) = run.next() {
                    return Some(i);
                }
                let n = stack.pop()?;
                match self.children(&n) {
                    None => run = n.lo as usize..n.hi as usize,
                    Some((mid, left, right)) => {
                        stack.extend([right, left].into_iter().filter(|c| reaches(&c.cuboid)));
                        run = mid..mid + 1;
                    }
                }
            }
        })
    }
}

/// Reorders `points` into a tree, recording each median's axis: the one
/// its range spreads widest on.
fn sort<const D: usize>(points: &mut [([f64; D], u32)], axes: &mut [u8]) {
    if points.len() <= LEAF {
        return;
    }
    let b = Cuboid::around(points);
    let axis = (0..D).max_by(|&a, &c| (b.max[a] - b.min[a]).total_cmp(&(b.max[c] - b.min[c]))).unwrap_or(0);
    let mid = points.len() / 2;
    points.select_nth_unstable_by(mid, |p, q| p.0[axis].total_cmp(&q.0[axis]));
    axes[mid] = axis as u8;
    let (low, rest) = points.split_at_mut(mid);
    let (low_axes, rest_axes) = axes.split_at_mut(mid);
    sort(low, low_axes);
    sort(&mut rest[1..], &mut rest_axes[1..]);
}

/// In a [`Next`]'s item: a node (the rest its index among those reached),
/// else a point's index.
const NODE: u32 = 1 << 31;

/// A heap entry, the smallest distance first.
struct Next {
    d2: f64,
    item: u32,
}

impl PartialEq for Next {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Next {}

impl PartialOrd for Next {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Next {
    fn cmp(&self, other: &Self) -> Ordering {
        other.d2.total_cmp(&self.d2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points spread over Japan and clumped (many at one spot, as at a
    /// 町字's representative point), from a fixed linear congruential
    /// sequence.
    fn sample(n: usize) -> Vec<GeoPoint> {
        let mut s: u64 = 42;
        let mut next = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| match i % 5 {
                0 => GeoPoint::new(35.68, 139.76),
                1 => GeoPoint::new(35.6 + next() * 0.02, 139.7 + next() * 0.02),
                _ => GeoPoint::new(24.0 + next() * 21.0, 123.0 + next() * 22.0),
            })
            .collect()
    }

    fn tree(points: &[GeoPoint]) -> Points {
        Points::new(points.iter().enumerate().map(|(i, p)| (*p, i as u32)))
    }

    #[test]
    fn nearest_within_and_inside_agree_with_a_scan() {
        let points = sample(3_000);
        let t = tree(&points);
        assert_eq!(t.len(), points.len());
        let origins = [GeoPoint::new(35.68, 139.76), GeoPoint::new(35.61, 139.71), GeoPoint::new(43.0, 141.3)];
        for o in origins {
            let o3 = xyz(o);
            let mut scan: Vec<(f64, u32)> =
                points.iter().enumerate().map(|(i, p)| (distance2(&xyz(*p), &o3), i as u32)).collect();
            scan.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut near: Vec<(f64, u32)> = t.nearest(o3).map(|(e, d)| (d, e)).collect();
            assert!(near.windows(2).all(|w| w[0].0 <= w[1].0), "nearest first");
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(near, scan, "every point once, at its distance");
            for meters in [0.0, 50.0, 1_000.0, 5_000.0, 300_000.0] {
                let r2 = chord2(meters);
                let mut got: Vec<u32> = t.within(o3, r2).map(|(e, _)| e).collect();
                got.sort_unstable();
                let mut want: Vec<u32> = scan.iter().filter(|(d, _)| *d <= r2).map(|p| p.1).collect();
                want.sort_unstable();
                assert_eq!(got, want, "within {meters} m of {o:?}");
            }
        }
        let boxes = [
            (139.7, 35.6, 139.72, 35.62),
            (139.76, 35.68, 139.76, 35.68),
            (123.0, 24.0, 145.0, 45.0),
            (130.0, 30.0, 131.0, 44.0),
            (-180.0, -90.0, 180.0, 90.0),
        ];
        for (west, south, east, north) in boxes {
            let b = BBox { west, south, east, north };
            let mut got: Vec<u32> = t.inside(&b).collect();
            got.sort_unstable();
            let want: Vec<u32> = (0..points.len() as u32).filter(|&i| b.contains(points[i as usize])).collect();
            assert!(!want.is_empty());
            assert_eq!(got, want, "{b:?}");
        }
        let upside_down = BBox { west: 140.0, south: 35.0, east: 139.0, north: 36.0 };
        assert_eq!(t.inside(&upside_down).count(), 0);
    }

    #[test]
    fn an_empty_tree_finds_nothing() {
        let t = Points::new(std::iter::empty());
        assert_eq!(t.nearest([1.0, 0.0, 0.0]).count(), 0);
        assert_eq!(t.within([1.0, 0.0, 0.0], 4.0).count(), 0);
        assert_eq!(t.inside(&BBox { west: -180.0, south: -90.0, east: 180.0, north: 90.0 }).count(), 0);
    }
}
