//! A STAC API item search: the landing page's `search` link, the first request (POST with a
//! JSON body where the API offers it, else GET with a query string), and the `next` pages.

use serde_json::{Value, json};

use crate::error::ArchiveError;
use crate::stac::{Item, ItemCollection, Link, resolve};

/// What to look for.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// Collections, e.g. `landsat-c2-l2`.
    pub collections: Vec<String>,
    /// Area: west, south, east, north in degrees.
    pub bbox: [f64; 4],
    /// RFC 3339 instant or interval (`2020-08-01/2020-09-30`), when limited.
    pub datetime: Option<String>,
    /// Keep items with `eo:cloud_cover` below this (percent).
    pub max_cloud: Option<f64>,
    /// Items per page asked of the server.
    pub limit: usize,
}

/// One HTTP request of a search.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// GET this address.
    Get(String),
    /// POST this JSON body to this address.
    Post {
        /// Address.
        url: String,
        /// JSON body.
        body: Value,
    },
}

impl Request {
    /// The address asked.
    pub fn url(&self) -> &str {
        match self {
            Request::Get(url) | Request::Post { url, .. } => url,
        }
    }
}

/// The search endpoint a landing page (`api_url`'s JSON) links to, and whether it takes POST.
///
/// # Errors
/// [`ArchiveError::Json`] when the page is not JSON with links, [`ArchiveError::NoSearch`]
/// when it has no `search` link.
pub fn search_endpoint(api_url: &str, landing: &str) -> Result<(String, bool), ArchiveError> {
    #[derive(serde::Deserialize)]
    struct Landing {
        #[serde(default)]
        links: Vec<Link>,
    }
    let page: Landing = serde_json::from_str(landing).map_err(|e| ArchiveError::Json {
        what: "the API's landing page".into(),
        url: api_url.to_owned(),
        detail: e.to_string(),
    })?;
    let search: Vec<&Link> = page.links.iter().filter(|l| l.rel == "search").collect();
    let Some(first) = search.first() else {
        return Err(ArchiveError::NoSearch {
            url: api_url.to_owned(),
        });
    };
    let post = search.iter().any(|l| {
        l.method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
    });
    Ok((resolve(api_url, &first.href), post))
}

impl Search {
    /// The first request to `endpoint`: POST with a JSON body when `post`, else GET.
    pub fn first_request(&self, endpoint: &str, post: bool) -> Request {
        if post {
            return Request::Post {
                url: endpoint.to_owned(),
                body: self.body(),
            };
        }
        let mut query = vec![
            format!("collections={}", self.collections.join(",")),
            format!("bbox={}", self.bbox.map(|v| v.to_string()).join(",")),
            format!("limit={}", self.limit),
        ];
        if let Some(d) = &self.datetime {
            query.push(format!("datetime={}", encode(d)));
        }
        if let Some(c) = self.max_cloud {
            query.push(format!("filter={}", encode(&format!("eo:cloud_cover<{c}"))));
            query.push("filter-lang=cql2-text".into());
        }
        let join = if endpoint.contains('?') { '&' } else { '?' };
        Request::Get(format!("{endpoint}{join}{}", query.join("&")))
    }

    /// The POST body: collections, bbox, datetime, limit, and the cloud filter (both the query
    /// extension's form and CQL2, so an API that knows either applies it).
    pub fn body(&self) -> Value {
        let mut body = json!({
            "collections": self.collections,
            "bbox": self.bbox,
            "limit": self.limit,
        });
        if let Some(d) = &self.datetime {
            body["datetime"] = json!(d);
        }
        if let Some(c) = self.max_cloud {
            body["query"] = json!({ "eo:cloud_cover": { "lt": c } });
        }
        body
    }

    /// Whether `item` passes the cloud filter here too (not every API applies it).
    pub fn keeps(&self, item: &Item) -> bool {
        match (self.max_cloud, item.properties.cloud_cover) {
            (Some(max), Some(cover)) => cover < max,
            _ => true,
        }
    }
}

/// Parses a page of results; `url` is where it came from, for messages.
///
/// # Errors
/// [`ArchiveError::Json`] naming what does not parse.
pub fn parse_page(url: &str, text: &str) -> Result<ItemCollection, ArchiveError> {
    serde_json::from_str(text).map_err(|e| ArchiveError::Json {
        what: "a page of search results".into(),
        url: url.to_owned(),
        detail: e.to_string(),
    })
}

/// The request for the page after `page`, which `previous` asked for; `None` on the last page.
pub fn next_request(page: &ItemCollection, previous: &Request) -> Option<Request> {
    let next = page.links.iter().find(|l| l.rel == "next")?;
    let url = resolve(previous.url(), &next.href);
    let post = next
        .method
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("POST"));
    if !post {
        return Some(Request::Get(url));
    }
    let mut body = match (next.merge.unwrap_or(false), previous) {
        (true, Request::Post { body, .. }) => body.clone(),
        _ => json!({}),
    };
    if let (Some(Value::Object(extra)), Some(target)) = (&next.body, body.as_object_mut()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    Some(Request::Post { url, body })
}

/// Percent-encodes what a query value cannot hold as it is.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search() -> Search {
        Search {
            collections: vec!["landsat-c2-l2".into()],
            bbox: [-117.3, 52.1, -117.2, 52.2],
            datetime: Some("2020-08-01/2020-09-30".into()),
            max_cloud: Some(20.0),
            limit: 10,
        }
    }

    #[test]
    fn landing_page_to_first_request() {
        let landing = r#"{"links": [{"rel": "self", "href": "./"},
            {"rel": "search", "href": "search", "method": "GET"},
            {"rel": "search", "href": "search", "method": "POST"}]}"#;
        let (endpoint, post) =
            search_endpoint("http://127.0.0.1:9/api/", landing).expect("has search");
        assert_eq!(endpoint, "http://127.0.0.1:9/api/search");
        assert!(post);
        let Request::Post { body, .. } = search().first_request(&endpoint, true) else {
            panic!("POST expected");
        };
        assert_eq!(body["query"]["eo:cloud_cover"]["lt"], 20.0);
        assert_eq!(body["datetime"], "2020-08-01/2020-09-30");
        let get = search().first_request(&endpoint, false);
        assert_eq!(
            get.url(),
            "http://127.0.0.1:9/api/search?collections=landsat-c2-l2&bbox=-117.3,52.1,-117.2,52.2\
             &limit=10&datetime=2020-08-01/2020-09-30&filter=eo:cloud_cover%3C20\
             &filter-lang=cql2-text"
        );
        let e = search_endpoint("http://x/", r#"{"links": []}"#).expect_err("no search");
        assert!(
            e.to_string().contains("not a STAC API with item search"),
            "{e}"
        );
    }

    #[test]
    fn next_pages_get_and_merged_post() {
        let first = search().first_request("http://h/search", true);
        let page = parse_page(
            "http://h/search",
            r#"{"type": "FeatureCollection", "features": [], "links": [
                {"rel": "next", "href": "http://h/search", "method": "POST",
                 "body": {"token": "page2"}, "merge": true}]}"#,
        )
        .expect("parses");
        let Some(Request::Post { body, .. }) = next_request(&page, &first) else {
            panic!("a POST next page");
        };
        assert_eq!(body["token"], "page2");
        assert_eq!(
            body["collections"][0], "landsat-c2-l2",
            "merged with the first body"
        );
        let page = parse_page(
            "u",
            r#"{"features": [], "links": [{"rel": "next", "href": "?page=3"}]}"#,
        )
        .expect("parses");
        let next = next_request(&page, &Request::Get("http://h/search?page=2".into()));
        assert_eq!(next, Some(Request::Get("http://h/search?page=3".into())));
        let last = parse_page("u", r#"{"features": [], "links": []}"#).expect("parses");
        assert_eq!(next_request(&last, &first), None);
    }
}
