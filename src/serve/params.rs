//! The leaderboard's query parameters: parsing them into a store
//! [`Query`], and writing them back into links and the filter form.

use crate::assessment::Status;
use crate::criteria::catalog::{self, CriterionId};
use crate::rank::store::{Query, Sort};

/// The parameters the leaderboard understands, for the error message.
const KNOWN: &str = "min_stars, criterion, stage, sort, limit, include_errors, page, per_page";

/// Rows per page when `per_page` is not given.
pub(crate) const DEFAULT_PER_PAGE: usize = 50;

/// The most rows one page may ask for.
pub(crate) const MAX_PER_PAGE: usize = 500;

/// The leaderboard filters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filters {
    /// The store query they make.
    pub query: Query,
    /// The page asked for (1-based), when given.
    pub page: Option<usize>,
    /// Rows per page, when given.
    pub per_page: Option<usize>,
}

/// One page of a list: which rows of how many it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// The page number, 1-based.
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
    /// Rows in the whole list.
    pub total: usize,
}

impl Page {
    /// The rows of the list this page shows (empty past the last page).
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        let start = (self.page - 1)
            .checked_mul(self.per_page)
            .map_or(self.total, |s| s.min(self.total));
        let end = start.saturating_add(self.per_page).min(self.total);
        start..end
    }

    /// How many pages the list fills (at least one, even when empty).
    pub(crate) fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }

    /// The previous page, unless this is the first.
    pub(crate) fn prev(&self) -> Option<usize> {
        (self.page > 1).then(|| (self.page - 1).min(self.pages()))
    }

    /// The next page, unless this is the last (or past it).
    pub(crate) fn next(&self) -> Option<usize> {
        (self.page < self.pages()).then_some(self.page + 1)
    }
}

/// The name a sort order has in URLs.
pub(crate) fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::StarsDesc => "stars",
        Sort::Name => "name",
        Sort::Date => "date",
        Sort::Duration => "duration",
    }
}

/// Every sort order, in the order the columns show them.
pub(crate) const SORTS: [Sort; 4] = [Sort::StarsDesc, Sort::Name, Sort::Date, Sort::Duration];

/// Splits `2.2:pass` (or `2.2=pass`) into its two halves.
fn split_pair(value: &str) -> Option<(&str, &str)> {
    let at = value.find([':', '='])?;
    Some((value[..at].trim(), value[at + 1..].trim()))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{name} must be true or false, not `{value}`")),
    }
}

fn parse_criterion(value: &str) -> Result<(CriterionId, Status), String> {
    let Some((key, status)) = split_pair(value) else {
        return Err(format!(
            "criterion must look like `2.2:pass` (criterion id or slug, then a status), not `{value}`"
        ));
    };
    let Some(def) = catalog::find(key) else {
        return Err(format!(
            "unknown criterion `{key}` (`reproscale criteria` lists them)"
        ));
    };
    let status = status.to_ascii_lowercase();
    let Ok(status) = status.parse::<Status>() else {
        return Err(format!(
            "unknown status `{status}` in criterion `{value}` (use one of {})",
            Status::ALL.map(Status::as_str).join(", ")
        ));
    };
    Ok((def.id, status))
}

fn parse_stage(value: &str) -> Result<(u8, bool), String> {
    let Some((stage, state)) = split_pair(value) else {
        return Err(format!(
            "stage must look like `3:passed` or `3:failed`, not `{value}`"
        ));
    };
    let stage = match stage.parse::<u8>() {
        Ok(n @ 1..=5) => n,
        _ => return Err(format!("stage must be 1 to 5, not `{stage}`")),
    };
    let passed = match state.to_ascii_lowercase().as_str() {
        "passed" | "pass" | "true" | "yes" => true,
        "failed" | "fail" | "false" | "no" => false,
        _ => {
            return Err(format!(
                "stage {stage} must be `passed` or `failed`, not `{state}`"
            ))
        }
    };
    Ok((stage, passed))
}

impl Filters {
    /// Parses decoded query pairs. Empty values count as absent (an unset
    /// field of the filter form); anything else that does not parse, or an
    /// unknown or repeated single-valued parameter, is an error to show.
    pub(crate) fn parse(pairs: &[(String, String)]) -> Result<Filters, String> {
        let mut q = Query::default();
        let mut seen_min = false;
        let mut seen_sort = false;
        let mut seen_limit = false;
        let mut seen_errors = false;
        let mut seen_page = false;
        let mut seen_per_page = false;
        let mut page = None;
        let mut per_page = None;
        for (name, value) in pairs {
            let value = value.trim();
            let once = |seen: &mut bool| {
                if std::mem::replace(seen, true) {
                    Err(format!("{name} is given more than once"))
                } else {
                    Ok(())
                }
            };
            match name.as_str() {
                _ if value.is_empty() && KNOWN.split(", ").any(|k| k == name) => {}
                "min_stars" => {
                    once(&mut seen_min)?;
                    match value.parse::<u8>() {
                        Ok(n @ 0..=5) => q.min_stars = Some(n),
                        _ => return Err(format!("min_stars must be 0 to 5, not `{value}`")),
                    }
                }
                "criterion" => q.criteria.push(parse_criterion(value)?),
                "stage" => q.stages.push(parse_stage(value)?),
                "sort" => {
                    once(&mut seen_sort)?;
                    q.sort = SORTS
                        .into_iter()
                        .find(|s| sort_name(*s) == value.to_ascii_lowercase())
                        .ok_or_else(|| {
                            format!("sort must be stars, name, date or duration, not `{value}`")
                        })?;
                }
                "limit" => {
                    once(&mut seen_limit)?;
                    match value.parse::<usize>() {
                        Ok(n) if n > 0 => q.limit = Some(n),
                        _ => {
                            return Err(format!(
                                "limit must be a positive whole number, not `{value}`"
                            ))
                        }
                    }
                }
                "include_errors" => {
                    once(&mut seen_errors)?;
                    q.include_errors = parse_bool(name, value)?;
                }
                "page" => {
                    once(&mut seen_page)?;
                    match value.parse::<usize>() {
                        Ok(n) if n > 0 => page = Some(n),
                        _ => {
                            return Err(format!(
                                "page must be a positive whole number, not `{value}`"
                            ))
                        }
                    }
                }
                "per_page" => {
                    once(&mut seen_per_page)?;
                    match value.parse::<usize>() {
                        Ok(n @ 1..=MAX_PER_PAGE) => per_page = Some(n),
                        _ => {
                            return Err(format!(
                                "per_page must be 1 to {MAX_PER_PAGE}, not `{value}`"
                            ))
                        }
                    }
                }
                _ => return Err(format!("unknown parameter `{name}` (use {KNOWN})")),
            }
        }
        Ok(Filters {
            query: q,
            page,
            per_page,
        })
    }

    /// The page these filters ask for, over a list of `total` rows.
    pub(crate) fn page_of(&self, total: usize) -> Page {
        Page {
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(DEFAULT_PER_PAGE),
            total,
        }
    }

    /// Whether anything narrows the list.
    pub(crate) fn narrows(&self) -> bool {
        let q = &self.query;
        q.min_stars.is_some() || !q.criteria.is_empty() || !q.stages.is_empty() || q.limit.is_some()
    }

    /// The filters as query pairs, `sort` replaced by `sort` when given,
    /// at page `page` (left out when it is the first).
    fn pairs(&self, sort: Option<Sort>, page: usize) -> Vec<(&'static str, String)> {
        let q = &self.query;
        let mut out = Vec::new();
        if let Some(n) = q.min_stars {
            out.push(("min_stars", n.to_string()));
        }
        for (id, status) in &q.criteria {
            out.push(("criterion", format!("{id}:{status}")));
        }
        for (stage, passed) in &q.stages {
            out.push(("stage", stage_value(*stage, *passed)));
        }
        if let Some(n) = q.limit {
            out.push(("limit", n.to_string()));
        }
        if q.include_errors {
            out.push(("include_errors", "true".into()));
        }
        let sort = sort.unwrap_or(q.sort);
        if sort != Sort::default() {
            out.push(("sort", sort_name(sort).into()));
        }
        if let Some(n) = self.per_page {
            out.push(("per_page", n.to_string()));
        }
        if page > 1 {
            out.push(("page", page.to_string()));
        }
        out
    }

    /// `?min_stars=3&sort=name…` (empty when nothing is set), with the sort
    /// replaced by `sort` when given, at the first page (a new order starts
    /// over).
    pub(crate) fn query_string(&self, sort: Option<Sort>) -> String {
        self.query_at(sort, 1)
    }

    /// The same filters at page `page`.
    pub(crate) fn page_query(&self, page: usize) -> String {
        self.query_at(None, page)
    }

    /// The same filters at the page asked for.
    pub(crate) fn same_query(&self) -> String {
        self.query_at(None, self.page.unwrap_or(1))
    }

    fn query_at(&self, sort: Option<Sort>, page: usize) -> String {
        let pairs = self.pairs(sort, page);
        if pairs.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("?{}", parts.join("&"))
    }
}

/// `3:passed` or `3:failed`.
pub(crate) fn stage_value(stage: u8, passed: bool) -> String {
    format!("{stage}:{}", if passed { "passed" } else { "failed" })
}

/// Percent-encodes a query value (everything but unreserved characters and `:`).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_parameter() {
        let f = Filters::parse(&pairs(&[
            ("min_stars", "3"),
            ("criterion", "2.2:pass"),
            ("criterion", "seeds-in-config=fail"),
            ("stage", "3:passed"),
            ("stage", "4=failed"),
            ("sort", "name"),
            ("limit", "10"),
            ("include_errors", "true"),
        ]))
        .unwrap();
        let q = &f.query;
        assert_eq!(q.min_stars, Some(3));
        assert_eq!(q.criteria[0], (CriterionId::C2_2, Status::Pass));
        assert_eq!(q.criteria[1].1, Status::Fail);
        assert_eq!(q.stages, vec![(3, true), (4, false)]);
        assert_eq!(q.sort, Sort::Name);
        assert_eq!(q.limit, Some(10));
        assert!(q.include_errors);
        assert_eq!(
            f.query_string(Some(Sort::Date)),
            format!(
                "?min_stars=3&criterion=2.2:pass&criterion={}:fail&stage=3:passed&stage=4:failed&limit=10&include_errors=true&sort=date",
                q.criteria[1].0
            )
        );
    }

    #[test]
    fn empty_values_are_absent() {
        let f = Filters::parse(&pairs(&[
            ("min_stars", ""),
            ("criterion", " "),
            ("sort", ""),
        ]))
        .unwrap();
        assert_eq!(f, Filters::default());
        assert_eq!(f.query_string(None), "");
    }

    #[test]
    fn rejects_bad_values_with_a_message() {
        for (k, v, needle) in [
            ("min_stars", "6", "0 to 5"),
            ("min_stars", "x", "0 to 5"),
            ("criterion", "2.2", "2.2:pass"),
            ("criterion", "9.9:pass", "unknown criterion"),
            ("criterion", "2.2:great", "unknown status"),
            ("stage", "0:passed", "1 to 5"),
            ("stage", "3:maybe", "passed"),
            ("sort", "random", "sort must be"),
            ("limit", "0", "positive"),
            ("include_errors", "perhaps", "true or false"),
            ("page", "0", "page must be a positive"),
            ("page", "-1", "page must be a positive"),
            ("page", "two", "page must be a positive"),
            ("per_page", "0", "per_page must be 1 to 500"),
            ("per_page", "501", "per_page must be 1 to 500"),
            ("per_page", "1.5", "per_page must be 1 to 500"),
            ("colour", "red", "unknown parameter"),
        ] {
            let e = Filters::parse(&pairs(&[(k, v)])).unwrap_err();
            assert!(e.contains(needle), "{k}={v}: {e}");
        }
        let e = Filters::parse(&pairs(&[("sort", "name"), ("sort", "date")])).unwrap_err();
        assert!(e.contains("more than once"), "{e}");
    }

    #[test]
    fn pages_and_their_links() {
        let f = Filters::parse(&pairs(&[
            ("page", "3"),
            ("per_page", "10"),
            ("min_stars", "1"),
        ]))
        .unwrap();
        let p = f.page_of(25);
        assert_eq!(
            (p.range(), p.pages(), p.prev(), p.next()),
            (20..25, 3, Some(2), None)
        );
        assert_eq!(f.page_query(2), "?min_stars=1&per_page=10&page=2");
        assert_eq!(f.page_query(1), "?min_stars=1&per_page=10");
        assert_eq!(
            f.query_string(Some(Sort::Name)),
            "?min_stars=1&sort=name&per_page=10"
        );
        assert_eq!(f.same_query(), "?min_stars=1&per_page=10&page=3");
        let past = Filters::parse(&pairs(&[("page", "9")]))
            .unwrap()
            .page_of(25);
        assert_eq!(
            (past.range(), past.prev(), past.next()),
            (25..25, Some(1), None)
        );
        let huge = Filters::parse(&pairs(&[("page", &usize::MAX.to_string())]))
            .unwrap()
            .page_of(3);
        assert_eq!(huge.range(), 3..3);
        let empty = Filters::default().page_of(0);
        assert_eq!(
            (empty.range(), empty.pages(), empty.prev(), empty.next()),
            (0..0, 1, None, None)
        );
        let e = Filters::parse(&pairs(&[("page", "1"), ("page", "2")])).unwrap_err();
        assert!(e.contains("more than once"), "{e}");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("a b&c=d/é:1"), "a%20b%26c%3Dd%2F%C3%A9:1");
    }
}
