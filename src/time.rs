//! Time as the core sees it: milliseconds since the Unix epoch, always
//! passed in by the caller (never read from a clock inside the core).

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;
pub const WEEK: Millis = 7 * DAY;

/// Latest and earliest instants the core accepts (years 1970..=9999):
/// arithmetic on them can never overflow.
pub const MIN_TIME: Millis = 0;
pub const MAX_TIME: Millis = 253_402_300_799_999;

/// Floors a time to the start of its minute (event times are recorded at
/// minute resolution).
pub fn floor_minute(t: Millis) -> Millis {
    t.div_euclid(MINUTE) * MINUTE
}

/// The local calendar day of `t` for a UTC offset in minutes, as a day
/// number since the epoch.
pub fn local_day(t: Millis, tz_offset_minutes: i32) -> i64 {
    (t + tz_offset_minutes as i64 * MINUTE).div_euclid(DAY)
}

/// The local week (Monday start) of `t`, as a week number. 1970-01-01 was
/// a Thursday, so day 4 (Monday 1970-01-05) starts week 1.
pub fn local_week(t: Millis, tz_offset_minutes: i32) -> i64 {
    (local_day(t, tz_offset_minutes) + 3).div_euclid(7)
}

/// Parses a duration: an integer and a unit `m`, `h`, `d` or `w`
/// (`90m`, `12h`, `7d`, `4w`). Zero and durations over 10 years are refused.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let unit_at = s.len().saturating_sub(1);
    let (digits, unit) = (s.get(..unit_at).unwrap_or(""), s.get(unit_at..).unwrap_or(""));
    let unit_ms = match unit {
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => WEEK,
        _ => {
            return Err(format!("\"{s}\" is not a duration: expected an integer and a unit m, h, d or w (e.g. \"7d\")"))
        }
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || (digits.starts_with('0') && digits.len() > 1)
    {
        return Err(format!("\"{s}\" is not a duration: expected an integer and a unit m, h, d or w (e.g. \"7d\")"));
    }
    let n: i64 = digits.parse().map_err(|_| format!("\"{s}\" is too long a duration"))?;
    let ms = n.checked_mul(unit_ms).filter(|ms| *ms <= 3653 * DAY);
    match ms {
        Some(0) => Err(format!("\"{s}\" is zero: a duration must be positive")),
        Some(ms) => Ok(ms),
        None => Err(format!("\"{s}\" is too long a duration (at most 10 years)")),
    }
}

/// Formats a duration in the largest unit that divides it exactly.
pub fn format_duration(ms: Millis) -> String {
    for (unit, len) in [("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)] {
        if ms % len == 0 {
            return format!("{}{unit}", ms / len);
        }
    }
    format!("{}s", crate::json::Num(ms as f64 / 1000.0))
}

/// A duration in words for messages, rounded down to its largest unit
/// (`"3 days"`, `"2 minutes"`, `"45 ms"`).
pub fn format_duration_approx(ms: Millis) -> String {
    for (unit, len) in [("year", 365 * DAY), ("day", DAY), ("hour", HOUR), ("minute", MINUTE), ("second", SECOND)] {
        let n = ms / len;
        if n > 0 {
            return format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        }
    }
    format!("{ms} ms")
}

/// Parses an RFC 3339 timestamp with an explicit offset (`Z` or `±hh:mm`).
/// Digits beyond milliseconds are truncated.
pub fn parse_rfc3339(s: &str) -> Result<Millis, String> {
    match parse_common(s.as_bytes()) {
        Some((day, time)) => Ok(day + time),
        None => parse_any(s),
    }
}

/// The shape almost every time of a replay has, `2026-03-04T12:40:29.123Z`,
/// read in one pass: the start of its day and its time of day (their sum
/// is the time), or None when the text has another shape or a field out
/// of range (then [`parse_any`] reads it, or says what is wrong). Gives
/// what `parse_any` gives for the same text.
fn parse_common(b: &[u8]) -> Option<(Millis, Millis)> {
    let (&[y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1], time) = b.split_first_chunk::<10>()? else {
        return None;
    };
    if ![y0, y1, y2, y3, mo0, mo1, d0, d1].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (year, month, day) = (number(&[y0, y1, y2, y3]), number(&[mo0, mo1]), number(&[d0, d1]));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (start, time) = (days_from_civil(year, month, day) * DAY, time_of_day(time)?);
    (MIN_TIME..=MAX_TIME).contains(&(start + time)).then_some((start, time))
}

/// The time of day of a common-shape time, `T12:40:29.123Z`, in
/// milliseconds (a leap second counts as the 59th); None for another
/// shape or a field out of range.
#[inline(always)]
fn time_of_day(b: &[u8]) -> Option<Millis> {
    let &[b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, b'.', f0, f1, f2, b'Z'] = b else { return None };
    if ![h0, h1, mi0, mi1, s0, s1, f0, f1, f2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (hour, minute, second) = (number(&[h0, h1]), number(&[mi0, mi1]), number(&[s0, s1]));
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(hour * HOUR + minute * MINUTE + second.min(59) * SECOND + number(&[f0, f1, f2]))
}

/// ASCII digits (already checked) as a number.
#[inline(always)]
fn number(d: &[u8]) -> i64 {
    d.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'))
}

/// Reads RFC 3339 times as [`parse_rfc3339`] does, keeping the start of
/// the day of the latest one of the common shape (see [`parse_common`]):
/// the times of a replay mostly share their date with the one before, and
/// a date already read is valid and starts the same day, so only the time
/// of day is read.
#[cfg(feature = "text")]
#[derive(Default)]
pub struct TimeReader {
    date: [u8; 10],
    day_start: Option<Millis>,
}

#[cfg(feature = "text")]
impl TimeReader {
    pub fn parse(&mut self, s: &str) -> Result<Millis, String> {
        if let (Some(start), Some((date, time))) = (self.day_start, s.as_bytes().split_first_chunk::<10>()) {
            if *date == self.date {
                if let Some(t) = time_of_day(time).map(|time| start + time).filter(|t| *t <= MAX_TIME) {
                    return Ok(t);
                }
            }
        }
        match (parse_common(s.as_bytes()), s.as_bytes().first_chunk::<10>()) {
            (Some((start, time)), Some(date)) => {
                self.date = *date;
                self.day_start = Some(start);
                Ok(start + time)
            }
            _ => {
                self.day_start = None;
                parse_any(s)
            }
        }
    }
}

fn parse_any(s: &str) -> Result<Millis, String> {
    let err = || format!("\"{s}\" is not an RFC 3339 time with an offset (e.g. 2026-03-04T12:40:29Z)");
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(err());
    }
    // Digits summed by hand: a replay reads two of these times per line.
    let num = |from: usize, len: usize| -> Result<i64, String> {
        let part = b.get(from..from + len).ok_or_else(err)?;
        part.iter()
            .try_fold(0i64, |n, &c| if c.is_ascii_digit() { Ok(n * 10 + i64::from(c - b'0')) } else { Err(err()) })
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return Err(err());
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(err());
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(err());
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(err());
        }
        let frac = &s[start..i];
        // Milliseconds: the first three digits (missing ones are 0), the rest truncated.
        let mut digits = frac.bytes().map(|c| (c - b'0') as i64).chain(std::iter::repeat(0));
        millis = digits.by_ref().take(3).fold(0, |ms, d| ms * 10 + d);
    }
    let offset_min = match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return Err(err());
            }
            let m = oh * 60 + om;
            if *sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return Err(err()),
    };
    let days = days_from_civil(year, month, day);
    let t = days * DAY + hour * HOUR + minute * MINUTE + second.min(59) * SECOND + millis - offset_min * MINUTE;
    if !(MIN_TIME..=MAX_TIME).contains(&t) {
        return Err(format!("\"{s}\" is outside the supported range (1970 to 9999)"));
    }
    Ok(t)
}

/// Formats a time as RFC 3339 UTC with milliseconds.
pub fn format_rfc3339(t: Millis) -> String {
    let days = t.div_euclid(DAY);
    let ms_of_day = t.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, ms) = (ms_of_day / HOUR, ms_of_day % HOUR / MINUTE, ms_of_day % MINUTE / SECOND, ms_of_day % SECOND);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader that keeps the day reads what `parse_rfc3339` reads,
    /// errors included, whatever came before.
    #[cfg(feature = "text")]
    #[test]
    fn the_time_reader_reads_as_parse_rfc3339() {
        let times = [
            "2026-03-04T12:40:29.123Z",
            "2026-03-04T12:40:29.124Z",
            "2026-03-04T23:59:60.999Z",
            "2026-03-04T24:00:00.000Z",
            "2026-03-04T00:60:00.000Z",
            "2026-03-04T00:00:61.000Z",
            "2026-03-04T0a:00:00.000Z",
            "2026-03-04T00:0/:00.000Z",
            "2026-03-04T00:00:00.00:Z",
            "2026-03-04T00:00:00.000",
            "2026-03-04T00:00:00.0000Z",
            "2026-03-04T19:59:59.999Z",
            "2026-03-04T20:00:00.000Z",
            "2026-03-04X00:00:00.000Z",
            "2026-03-04T00:00:00.000+01:00",
            "2026-03-04T00:00:00Z",
            "2026-03-04t00:00:00.000Z",
            "2026-03-05T00:00:00.000Z",
            "2026-02-29T00:00:00.000Z",
            "2026-02-28T10:00:00.000Z",
            "2024-02-29T10:00:00.000Z",
            "9999-12-31T23:59:59.999Z",
            "9999-12-31T23:59:60.999Z",
            "0000-01-01T00:00:00.000Z",
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "2026-03-04T12:40:29.123Z",
            "",
        ];
        let mut reader = TimeReader::default();
        for _ in 0..2 {
            for a in times {
                for b in times {
                    assert_eq!(reader.parse(a), parse_rfc3339(a), "{a}");
                    assert_eq!(reader.parse(b), parse_rfc3339(b), "{b} after {a}");
                }
            }
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(90 * MINUTE));
        assert_eq!(parse_duration("12h"), Ok(12 * HOUR));
        assert_eq!(parse_duration("7d"), Ok(7 * DAY));
        assert_eq!(parse_duration("4w"), Ok(4 * WEEK));
        for bad in ["", "d", "7", "7s", "-1d", "1.5d", "0d", "07d", " 7d", "7D", "99999999999999999999d", "3654d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(14 * DAY), "2w");
        assert_eq!(format_duration(90 * MINUTE), "90m");
    }

    /// The one-pass reader of the common shape gives what the general one
    /// gives, on that shape's edges and on times across the whole range.
    #[test]
    fn common_shape_reads_as_any() {
        let mut texts: Vec<String> = [
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "9999-12-31T23:59:60.999Z",
            "2024-02-29T12:00:00.000Z",
            "2023-02-29T12:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-00-01T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-04-30T24:00:00.000Z",
            "2026-04-30T23:60:00.000Z",
            "2026-04-30T23:59:61.000Z",
            "2026-04-30T23:59:59.0a0Z",
            "2026-04-30t23:59:59.000Z",
            "0000-01-01T00:00:00.000Z",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut t: Millis = 0;
        while t < MAX_TIME {
            texts.push(format_rfc3339(t));
            t += 7_777_777_777 + t / 3;
        }
        for text in texts {
            let common = parse_common(text.as_bytes()).map(|(day, time)| day + time);
            let any = parse_any(&text);
            if let Some(c) = common {
                assert_eq!(Ok(c), any, "{text}");
            }
            assert_eq!(parse_rfc3339(&text), any, "{text}");
            assert_eq!(
                common.is_some(),
                any.is_ok() && text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
                "{text}"
            );
        }
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        let a = parse_rfc3339("2026-03-04T18:10:33.451+05:30").unwrap();
        let b = parse_rfc3339("2026-03-04T12:40:33.451Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_rfc3339(b), "2026-03-04T12:40:33.451Z");
        assert_eq!(
            parse_rfc3339("2026-03-04T12:40:33.4519999Z").unwrap(),
            parse_rfc3339("2026-03-04T12:40:33.451Z").unwrap()
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00-01:00").unwrap() % DAY, HOUR);
        for bad in ["2026-03-04T12:40:33", "2026-02-30T00:00:00Z", "2026-03-04 12:40Z", "x", "2026-03-04T12:40:33.Z"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_weeks_start_on_monday() {
        let monday = parse_rfc3339("2026-03-02T00:00:00Z").unwrap();
        let sunday = parse_rfc3339("2026-03-08T23:59:00Z").unwrap();
        assert_eq!(local_week(monday, 0), local_week(sunday, 0));
        assert_eq!(local_week(monday - MINUTE, 0) + 1, local_week(monday, 0));
        // 23:30 UTC Sunday is already Monday at +60.
        assert_eq!(local_week(sunday - 29 * MINUTE, 60), local_week(monday, 0) + 1);
    }
}
