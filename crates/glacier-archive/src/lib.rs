//! Landsat scenes from an archive instead of dropped files: what a STAC Item (STAC 1.0, the
//! shape of Planetary Computer's `landsat-c2-l2` collection) says about a scene's bands, how a
//! STAC API search is asked and paged, and a `Read + Seek` over a remote file that fetches only
//! the blocks read, through a bounded cache, with neighbouring blocks merged into one request.
//!
//! [`find`] runs a whole search through the caller's transport; [`choice`] picks one scene per
//! footprint and year for a time series.
//!
//! The crate sends nothing itself: a caller brings the transport (natively an HTTP client, in
//! the page the browser's) through [`ranges::Fetch`], and turns [`search::Request`]s into
//! requests. So the CLI and the page share every decision, and the tests need no network.

pub mod choice;
pub mod error;
pub mod find;
pub mod ranges;
pub mod search;
pub mod sign;
pub mod stac;

pub use error::ArchiveError;
pub use find::{Found, find};
pub use ranges::{Answer, Blocks, Fetch, RangeReader, Traffic};
pub use search::{Request, Search};
pub use stac::{Item, ItemBand, ItemCollection};
