//! Times as the tools write them and as swop shows them: RFC 3339 strings
//! read and written in UTC, and local clock times for people, without a
//! date-time library (the civil-calendar conversion is Howard Hinnant's
//! `days_from_civil`, exact for every date of the proleptic Gregorian
//! calendar).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Days from 1970-01-01 to the given date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// An RFC 3339 time (`2026-12-06T14:26:17.131Z`, `...+02:00`) as seconds
/// since the epoch; fractions of a second are dropped.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !matches!(o[0], b'+' | b'-') || o[3] != b':' {
                return None;
            }
            let hours =
                i64::from(o[1].checked_sub(b'0')?) * 10 + i64::from(o[2].checked_sub(b'0')?);
            let minutes =
                i64::from(o[4].checked_sub(b'0')?) * 10 + i64::from(o[5].checked_sub(b'0')?);
            let sign = if o[0] == b'-' { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second.min(60) - offset)
}

/// Seconds since the epoch as RFC 3339 in UTC: `2026-12-06T14:26:17Z`.
pub fn rfc3339(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// When `at` is, for a person at `now`: `14:10` within a day, `Mon 09:00`
/// within a week, else the date.
pub fn when(at: i64, now: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let Some(crate::sys::machine::LocalTime {
        weekday,
        hour,
        minute,
    }) = crate::sys::machine::local_time(at)
    else {
        return rfc3339(at);
    };
    let ahead = (at - now).abs();
    if ahead < 86_400 - 3600 {
        format!("{hour:02}:{minute:02}")
    } else if ahead < 6 * 86_400 {
        let day = DAYS[weekday as usize % 7];
        format!("{day} {hour:02}:{minute:02}")
    } else {
        rfc3339(at)[..10].to_string()
    }
}

/// How long ago `at` was: `just now`, `12 min ago`, `3 h ago`, `2 days ago`.
pub fn ago(at: i64, now: i64) -> String {
    let secs = (now - at).max(0);
    match secs {
        0..60 => "just now".into(),
        60..5400 => format!("{} min ago", secs / 60),
        5400..172_800 => format!("{} h ago", (secs + 1800) / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_takes_offsets() {
        // The timestamp of a token_count line codex-cli 0.171.0 wrote.
        assert_eq!(
            parse_rfc3339("2026-12-06T14:26:17.131Z"),
            Some(1_796_567_177)
        );
        assert_eq!(rfc3339(1_796_567_177), "2026-12-06T14:26:17Z");
        assert_eq!(
            parse_rfc3339("2026-12-06T16:26:17+02:00"),
            Some(1_796_567_177)
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-02-29T23:59:59Z"), Some(1_709_251_199));
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
        for bad in [
            "",
            "2026-12-06",
            "2026-13-06T00:00:00Z",
            "2026-12-06T14:26:17",
            "2026-12-06T14:26:17.Z",
            "2026-12-06T14:26:17+0200",
            "x026-12-06T14:26:17Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_day_of_four_centuries_converts_both_ways() {
        for days in (-146_097..146_097).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn ages_read_as_people_say_them() {
        assert_eq!(ago(100, 110), "just now");
        assert_eq!(ago(0, 12 * 60), "12 min ago");
        assert_eq!(ago(0, 3 * 3600), "3 h ago");
        assert_eq!(ago(0, 3 * 86_400), "3 days ago");
    }
}
