//! A whole search: the landing page, its `search` link, page after page, the cloud filter
//! applied here too, up to a number of items. The transport is the caller's, as an async
//! function of a [`Request`]: the CLI answers at once from its blocking HTTP client, the page
//! awaits the browser's `fetch`. One loop, so both find the same items.

use crate::search::{next_request, parse_page, search_endpoint};
use crate::stac::resolve;
use crate::{ArchiveError, Item, Request, Search};

/// Pages of results asked for at most, whatever the API's `next` links say.
pub const MAX_PAGES: usize = 50;

/// An item a search found, and its own address (its `self` link), where it gives one.
#[derive(Clone, Debug)]
pub struct Found {
    /// The item.
    pub item: Item,
    /// Its address, to map it (`--item`, the page's `?item=`).
    pub url: Option<String>,
}

/// The items the STAC API at `api` (its landing page) finds for `search`, in the API's order,
/// at most `max_items` of them and [`MAX_PAGES`] pages; items over the cloud limit are left
/// out even where the API did not filter them. `fetch` answers each request with its body.
///
/// # Errors
/// What `fetch` returns, or an [`ArchiveError`] (a landing page without a `search` link, a page
/// that is not STAC JSON) turned into `E`.
pub async fn find<E, F, Fut>(
    api: &str,
    search: &Search,
    max_items: usize,
    mut fetch: F,
) -> Result<Vec<Found>, E>
where
    E: From<ArchiveError>,
    F: FnMut(Request) -> Fut,
    Fut: Future<Output = Result<String, E>>,
{
    let landing = fetch(Request::Get(api.to_owned())).await?;
    let (endpoint, post) = search_endpoint(api, &landing)?;
    let mut request = search.first_request(&endpoint, post);
    let mut found = Vec::new();
    for _ in 0..MAX_PAGES {
        let text = fetch(request.clone()).await?;
        let page = parse_page(request.url(), &text)?;
        for item in page.features.iter().filter(|i| search.keeps(i)) {
            if found.len() == max_items {
                return Ok(found);
            }
            let url = item
                .links
                .iter()
                .find(|l| l.rel == "self")
                .map(|l| resolve(request.url(), &l.href));
            found.push(Found {
                item: item.clone(),
                url,
            });
        }
        match next_request(&page, &request) {
            Some(next) => request = next,
            None => break,
        }
    }
    Ok(found)
}
