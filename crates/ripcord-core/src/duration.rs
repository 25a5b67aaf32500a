//! Human durations: `15m`, `1h30m`, `90s` in runbooks; `6m 12s` in plans.

/// Parses `90`, `90s`, `15m`, `1h30m`, `2h 5m 10s`, `1d` into seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(secs) = trimmed.parse::<u64>() {
        return Ok(secs);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut seen_unit = false;
    for ch in trimmed.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        if ch.is_whitespace() {
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            other => {
                return Err(format!(
                    "'{text}' is not a duration: unknown unit '{other}' (use s, m, h or d, e.g. \"15m\")"
                ))
            }
        };
        let value: u64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration: a number must come before '{ch}'"))?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("'{text}' is too long a duration"))?;
        number.clear();
        seen_unit = true;
    }
    if !number.is_empty() || !seen_unit {
        return Err(format!(
            "'{text}' is not a duration: a number needs a unit (s, m, h or d, e.g. \"15m\")"
        ));
    }
    Ok(total)
}

/// Formats seconds the way plans show them: `0s`, `45s`, `6m 12s`, `1h 05m`, `2d 3h`.
pub fn format_duration(secs: u64) -> String {
    let days = secs / 86_400;
    let hours = (secs % 86_400) / 3600;
    let minutes = (secs % 3600) / 60;
    let seconds = secs % 60;
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {seconds:02}s")
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("2h 5m 10s"), Ok(7510));
        assert_eq!(parse_duration("1d"), Ok(86_400));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert!(parse_duration("").is_err());
        assert!(parse_duration("15").is_ok());
        assert!(parse_duration("15 minutes")
            .unwrap_err()
            .contains("unknown unit 'i'"));
        assert!(parse_duration("m")
            .unwrap_err()
            .contains("number must come before"));
        assert!(parse_duration("1h30").unwrap_err().contains("needs a unit"));
    }

    #[test]
    fn formats_for_plans() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(45), "45s");
        assert_eq!(format_duration(372), "6m 12s");
        assert_eq!(format_duration(3900), "1h 05m");
        assert_eq!(format_duration(183_600), "2d 3h");
    }
}
