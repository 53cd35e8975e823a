//! Signing asset addresses for archives that hand out short-lived read tokens: the Planetary
//! Computer's assets live in Azure Blob Storage and are readable with a SAS token from its
//! token endpoint (`{endpoint}/{collection}` answers `{"token": …, "msft:expiry": …}`), appended
//! to each href as its query.

use serde::Deserialize;

use crate::error::ArchiveError;

/// The Planetary Computer's SAS token endpoint.
pub const PLANETARY_COMPUTER: &str = "https://planetarycomputer.microsoft.com/api/sas/v1/token";

/// Seconds before its expiry a token is renewed.
pub const RENEW_BEFORE_S: i64 = 120;

/// Whether an href needs a token by default: Azure Blob Storage, where the Planetary Computer
/// keeps its assets.
pub fn needs_token(href: &str) -> bool {
    href.split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .is_some_and(|host| host.ends_with(".blob.core.windows.net"))
}

/// A read token and when it stops working.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The query string to append (`st=…&se=…&sig=…`).
    pub query: String,
    /// Expiry, seconds since 1970 (UTC); `None` when the endpoint gave none.
    pub expires: Option<i64>,
}

impl Token {
    /// The token of a token endpoint's answer; `url` for messages.
    ///
    /// # Errors
    /// [`ArchiveError::Json`] when the answer has no token.
    pub fn from_json(url: &str, text: &str) -> Result<Token, ArchiveError> {
        #[derive(Deserialize)]
        struct Answer {
            token: String,
            #[serde(rename = "msft:expiry", default)]
            expiry: Option<String>,
        }
        let a: Answer = serde_json::from_str(text).map_err(|e| ArchiveError::Json {
            what: "the token endpoint's answer".into(),
            url: url.to_owned(),
            detail: e.to_string(),
        })?;
        Ok(Token {
            query: a.token.trim_start_matches('?').to_owned(),
            expires: a.expiry.as_deref().and_then(unix_seconds),
        })
    }

    /// Whether it should be renewed at `now` (seconds since 1970).
    pub fn stale(&self, now: i64) -> bool {
        self.expires.is_some_and(|e| now >= e - RENEW_BEFORE_S)
    }

    /// `href` with the token as its query (replacing one it had).
    pub fn apply(&self, href: &str) -> String {
        let bare = href.split('?').next().unwrap_or(href);
        format!("{bare}?{}", self.query)
    }
}

/// The token endpoint's address for `collection`.
pub fn token_url(endpoint: &str, collection: &str) -> String {
    format!("{}/{collection}", endpoint.trim_end_matches('/'))
}

/// Seconds since 1970 of an RFC 3339 UTC time (`2026-12-06T05:30:00Z`, fractions ignored);
/// `None` for a field out of its range (a year past 9999, a 61st second, …).
pub fn unix_seconds(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(['T', ' '])?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+', '.']).next()?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    // Each field in its range, so nothing below can overflow (a fuzzed expiry once had a
    // 30-digit second).
    let fits = (0..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=31).contains(&day)
        && (0..=24).contains(&h)
        && (0..=59).contains(&min)
        && (0..=60).contains(&s);
    if !fits {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + min * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(needs_token(
            "https://landsateuwest.blob.core.windows.net/landsat-c2/level-2/x_SR_B3.TIF"
        ));
        assert!(!needs_token("https://example.org/x_SR_B3.TIF"));
        let t = Token::from_json(
            "u",
            r#"{"msft:expiry": "2026-12-06T05:30:00Z", "token": "st=a&se=b&sig=c%3D"}"#,
        )
        .expect("a token");
        assert_eq!(t.query, "st=a&se=b&sig=c%3D");
        // `date -d 2026-12-06T05:30:00Z +%s`
        assert_eq!(t.expires, Some(1_796_535_000));
        assert!(!t.stale(1_796_535_000 - 600));
        assert!(t.stale(1_796_535_000 - 60));
        assert_eq!(
            t.apply("https://h/x.TIF?old=1"),
            "https://h/x.TIF?st=a&se=b&sig=c%3D"
        );
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2000-03-01T00:00:00.5Z"), Some(951_868_800));
        assert_eq!(
            token_url(PLANETARY_COMPUTER, "landsat-c2-l2"),
            format!("{PLANETARY_COMPUTER}/landsat-c2-l2")
        );
        assert!(Token::from_json("u", "{}").is_err());
        // Out of range (the fuzzer's find: a 30-digit second overflowed the sum).
        assert_eq!(
            unix_seconds("2026-12-06T23:00000058311613441901709 0"),
            None
        );
        assert_eq!(unix_seconds("2026-13-06T23:00:00Z"), None);
        assert_eq!(unix_seconds("99999999999999-01-01T00:00:00Z"), None);
    }
}
