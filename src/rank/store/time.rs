//! RFC 3339 timestamps to a sortable number: the shape is checked here,
//! the calendar is `jiff`'s.

use jiff::civil::Date;

/// 1970-01-01.
const EPOCH: Date = jiff::civil::date(1970, 1, 1);

/// Microseconds since the Unix epoch for an RFC 3339 date-time such as
/// `2025-06-01T12:00:00Z`, `2025-06-01T12:00:00.5+02:00` or
/// `2025-06-01 12:00:00z`; `None` when `s` is not one.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = b.get(from..to)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut i = 19;
    let mut micros = 0;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &b[start..i.min(start + 6)];
        micros = digits
            .iter()
            .fold(0, |acc, d| acc * 10 + i64::from(d - b'0'));
        for _ in digits.len()..6 {
            micros *= 10;
        }
    }
    let offset_minutes = if at(i, b"Zz") {
        i += 1;
        0
    } else if at(i, b"+-") && at(i + 3, b":") {
        let sign = if at(i, b"-") { -1 } else { 1 };
        let (h, m) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
        if h > 23 || m > 59 {
            return None;
        }
        i += 6;
        sign * (h * 60 + m)
    } else {
        return None;
    };
    if i != b.len() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let days = i64::from(date.since(EPOCH).ok()?.get_days());
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(secs * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn parses_and_orders() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00Z"),
            Some(951_868_800_000_000)
        );
        assert_eq!(
            parse_rfc3339("2025-06-01T14:00:00+02:00"),
            parse_rfc3339("2025-06-01T12:00:00Z")
        );
        assert!(parse_rfc3339("2025-06-01T12:00:00.5Z") > parse_rfc3339("2025-06-01T12:00:00Z"));
        assert_eq!(
            parse_rfc3339("2024-02-29 23:59:60.1234567z"),
            Some((1_709_251_200 * 1_000_000) + 123_456)
        );
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59-00:01"),
            Some(59 * 1_000_000)
        );
        assert_eq!(
            parse_rfc3339("0000-01-01T00:00:00Z"),
            Some(-62_167_219_200 * 1_000_000)
        );
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59+23:59"),
            Some((253_402_300_799 - 86_340) * 1_000_000)
        );
        for bad in [
            "",
            "2025-06-01",
            "2025-02-30T00:00:00Z",
            "2025-06-01T12:00:00",
            "2025-06-01T24:00:00Z",
            "2025-06-01T12:00:00Zx",
            "2025-06-01T12:00:00.Z",
            "２025-06-01T12:00:00Z",
            "2023-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-06-01T12:60:00Z",
            "2025-06-01T12:00:61Z",
            "2025-06-01T12:00:00+24:00",
            "2025-06-01T12:00:00+02",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
