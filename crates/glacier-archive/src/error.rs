//! What can go wrong with an archive item, a search or a remote read, by cause.

/// Errors of this crate; each says what is wrong, where, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The text is not the JSON expected.
    #[error("{what} from {url} is not valid STAC JSON: {detail}")]
    Json {
        /// What was read ("the item", "a search page").
        what: String,
        /// Where it came from.
        url: String,
        /// The parser's words.
        detail: String,
    },
    /// The item has none of the bands a scene needs.
    #[error(
        "the item {item} has no Landsat band assets (looked for {wanted}); its assets are: \
         {found}. Use a Landsat Collection 2 Level-2 item (collection landsat-c2-l2)"
    )]
    NoBands {
        /// Item id.
        item: String,
        /// The asset keys looked for.
        wanted: String,
        /// The asset keys it has.
        found: String,
    },
    /// An asset's address cannot be read over HTTP.
    #[error(
        "asset {key} of item {item} is at {href}, which a browser or HTTP client cannot read; \
         {hint}"
    )]
    NotHttp {
        /// Item id.
        item: String,
        /// Asset key.
        key: String,
        /// Its href.
        href: String,
        /// Where the same data can be read instead.
        hint: String,
    },
    /// The API's landing page has no search link.
    #[error(
        "{url} is not a STAC API with item search (its landing page has no \"search\" link); \
         give the API's root address, e.g. https://planetarycomputer.microsoft.com/api/stac/v1"
    )]
    NoSearch {
        /// The landing page's address.
        url: String,
    },
    /// A range answer that does not fit the request.
    #[error("{url}: {detail}")]
    BadAnswer {
        /// The file's address.
        url: String,
        /// What is wrong.
        detail: String,
    },
}
