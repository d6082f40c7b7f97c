//! Plain descriptive statistics over trials: the numbers a sweep reports for
//! each configuration (mean, median, min, max, sample standard deviation and a
//! 95 % confidence interval of the mean). Pure functions over `&[f64]`; every
//! function returns `None` when the sample is too small to say anything.

/// Arithmetic mean; `None` for an empty sample.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Median (mean of the two middle values for an even count); `None` if empty.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// Smallest value; `None` if empty.
pub fn min(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().reduce(f64::min)
}

/// Largest value; `None` if empty.
pub fn max(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().reduce(f64::max)
}

/// Sample standard deviation (divides by n − 1); `None` below two values.
pub fn std_dev(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (xs.len() - 1) as f64).sqrt())
}

/// Two-sided 97.5 % quantile of Student's t for `df` degrees of freedom.
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => 1.96,
    }
}

/// 95 % confidence interval of the mean (Student's t), as `(low, high)`;
/// `None` below two values.
pub fn ci95(xs: &[f64]) -> Option<(f64, f64)> {
    let m = mean(xs)?;
    let s = std_dev(xs)?;
    let half = t_975(xs.len() - 1) * s / (xs.len() as f64).sqrt();
    Some((m - half, m + half))
}

/// All the figures of one sample at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    /// Number of values.
    pub n: usize,
    /// See [`mean`].
    pub mean: f64,
    /// See [`median`].
    pub median: f64,
    /// See [`min`].
    pub min: f64,
    /// See [`max`].
    pub max: f64,
    /// See [`std_dev`]; `None` for a single value.
    pub std: Option<f64>,
}

/// Describes a sample; `None` when it is empty.
pub fn describe(xs: &[f64]) -> Option<Describe> {
    Some(Describe {
        n: xs.len(),
        mean: mean(xs)?,
        median: median(xs)?,
        min: min(xs)?,
        max: max(xs)?,
        std: std_dev(xs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn empty_sample_says_nothing() {
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[]), None);
        assert_eq!(min(&[]), None);
        assert_eq!(max(&[]), None);
        assert_eq!(std_dev(&[]), None);
        assert_eq!(describe(&[]), None);
    }

    #[test]
    fn single_value_has_no_spread() {
        let d = describe(&[0.5]).unwrap();
        assert_eq!(
            (d.n, d.mean, d.median, d.min, d.max),
            (1, 0.5, 0.5, 0.5, 0.5)
        );
        assert_eq!(d.std, None);
        assert_eq!(ci95(&[0.5]), None);
    }

    #[test]
    fn known_sample() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(mean(&xs).unwrap(), 5.0));
        assert!(close(median(&xs).unwrap(), 4.5));
        assert_eq!(min(&xs), Some(2.0));
        assert_eq!(max(&xs), Some(9.0));
        // Sum of squares 32, n - 1 = 7.
        assert!(close(std_dev(&xs).unwrap(), (32.0f64 / 7.0).sqrt()));
    }

    #[test]
    fn median_of_odd_count_is_middle_after_sorting() {
        assert_eq!(median(&[9.0, 1.0, 3.0]), Some(3.0));
    }

    #[test]
    fn ci95_uses_student_t() {
        let (lo, hi) = ci95(&[1.0, 2.0, 3.0]).unwrap();
        // mean 2, s = 1, t(2) = 4.303, half = 4.303 / sqrt(3)
        let half = 4.303 / 3f64.sqrt();
        assert!(close(lo, 2.0 - half) && close(hi, 2.0 + half));
        let big: Vec<f64> = (0..100).map(f64::from).collect();
        let (lo, hi) = ci95(&big).unwrap();
        assert!(lo < 49.5 && hi > 49.5 && hi - lo < 12.0);
    }
}
