//! Dates without a date crate: UTC civil dates from the system clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// (year, month, day, seconds of the day) for a Unix time.
fn civil(secs: u64) -> (i64, i64, i64, u64) {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs % 86_400)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let (y, m, d, _) = civil(now_secs());
    format!("{y:04}-{m:02}-{d:02}")
}

/// Now (UTC) as RFC 3339, to the second.
pub fn now_rfc3339() -> String {
    let (y, m, d, s) = civil(now_secs());
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn known_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0));
        assert_eq!(civil(1_795_651_200 + 3661), (2026, 11, 26, 3661));
    }
}
