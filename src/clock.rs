//! Dates from the system clock, in UTC, with `jiff`.

use std::time::SystemTime;

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Now, to the second; the Unix epoch when the system clock is outside
/// what `jiff` represents.
fn now() -> Timestamp {
    let now = Timestamp::try_from(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH);
    Timestamp::from_second(now.as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The UTC date of `t` as `YYYY-MM-DD`.
fn date_of(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC).date().to_string()
}

/// `t` (whole seconds) in UTC as RFC 3339: `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_of(t: Timestamp) -> String {
    t.to_string()
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    date_of(now())
}

/// Now (UTC) as RFC 3339, to the second.
pub fn now_rfc3339() -> String {
    rfc3339_of(now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).expect("in range")
    }

    #[test]
    fn known_dates() {
        assert_eq!(date_of(at(0)), "1970-01-01");
        assert_eq!(rfc3339_of(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(date_of(at(951_782_400)), "2000-02-29");
        assert_eq!(rfc3339_of(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(date_of(at(1_795_651_200 + 3661)), "2026-11-26");
        assert_eq!(rfc3339_of(at(1_795_651_200 + 3661)), "2026-11-26T01:01:01Z");
        assert_eq!(rfc3339_of(at(-1)), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn now_has_the_stored_shape() {
        let s = now_rfc3339();
        let b = s.as_bytes();
        assert_eq!(b.len(), 20, "{s}");
        for (i, c) in b.iter().enumerate() {
            match i {
                4 | 7 => assert_eq!(*c, b'-'),
                10 => assert_eq!(*c, b'T'),
                13 | 16 => assert_eq!(*c, b':'),
                19 => assert_eq!(*c, b'Z'),
                _ => assert!(c.is_ascii_digit(), "{s}"),
            }
        }
        let d = today();
        assert_eq!(d.len(), 10, "{d}");
    }
}
