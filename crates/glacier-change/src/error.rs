//! What can go wrong comparing two glacier masks, by cause: the input files, their grids, the
//! outlines.

use thiserror::Error;

/// Why two masks cannot be compared.
#[derive(Debug, Error)]
pub enum ChangeError {
    /// A mask holds values other than 0, 1 and its nodata value.
    #[error(
        "{file}: not a glacier mask: {count} pixels hold values other than 1 (glacier), 0 (not) \
         and its nodata value ({nodata}), e.g. {examples} (first at column {column}, row \
         {row}); give the output of `glacier predict` or `glacier rasterize`, or declare the \
         nodata value (`gdal_edit.py -a_nodata 255 {file}`){hint}"
    )]
    NotAMask {
        /// The mask's file.
        file: String,
        /// Pixels with other values.
        count: u64,
        /// Up to five of the values found, as text.
        examples: String,
        /// The nodata value the file declares, as text ("none" when it declares none).
        nodata: String,
        /// Column of the first such pixel.
        column: u32,
        /// Row of the first such pixel.
        row: u32,
        /// A likelier cause, where the values suggest one.
        hint: String,
    },
    /// A mask's value list does not cover its grid.
    #[error("{file}: {values} values for a {width} × {height} px grid")]
    Size {
        /// The mask's file.
        file: String,
        /// Values given.
        values: usize,
        /// Grid width.
        width: u32,
        /// Grid height.
        height: u32,
    },
    /// The grid is too large to hold in memory.
    #[error("{file}: {source}")]
    GridTooLarge {
        /// The file whose grid it is.
        file: String,
        /// The grid's size and the limit.
        #[source]
        source: glacier_raster::GridTooLarge,
    },
    /// AFTER cannot be brought onto BEFORE's grid.
    #[error(
        "{after}: cannot bring it onto the grid of {before} ({source}); reproject it into \
         {before}'s coordinate system first, e.g. `gdalwarp -t_srs {target} -r near {after} \
         after_reprojected.tif`"
    )]
    Projection {
        /// BEFORE's file.
        before: String,
        /// AFTER's file.
        after: String,
        /// BEFORE's CRS, as gdalwarp takes it.
        target: String,
        /// What the projection said.
        #[source]
        source: Box<glacier_raster::GridError>,
    },
    /// The two masks share no pixel with data.
    #[error(
        "{after} does not overlap {before}: no pixel has data on both dates (BEFORE covers \
         {before_bounds}, AFTER {after_bounds}, lon/lat W, S, E, N); give two masks of the same \
         place"
    )]
    NoOverlap {
        /// BEFORE's file.
        before: String,
        /// AFTER's file.
        after: String,
        /// BEFORE's lon/lat bounds, as text.
        before_bounds: String,
        /// AFTER's lon/lat bounds, as text.
        after_bounds: String,
    },
    /// Probabilities on another grid than the mask they belong to.
    #[error(
        "{probabilities}: not on the grid of its mask {mask}; give the probabilities `glacier \
         predict --probabilities` wrote beside that mask"
    )]
    ProbabilitiesGrid {
        /// The probabilities' file.
        probabilities: String,
        /// The mask's file.
        mask: String,
    },
    /// Outlines without a column that names each glacier.
    #[error(
        "{file}: no id column among its attributes ({columns}); RGI 6.0 names it RGIId, RGI 7.0 \
         rgi_id; give the column with --id-column NAME"
    )]
    NoIdColumn {
        /// The outlines' file.
        file: String,
        /// The columns it has, as text.
        columns: String,
    },
    /// Outlines could not be burnt onto the grid.
    #[error(transparent)]
    Outlines(#[from] glacier_labels::LabelError),
    /// The per-glacier table could not be written.
    #[error("{file}: cannot write the table ({detail})")]
    Csv {
        /// The table's file.
        file: String,
        /// What the writer said.
        detail: String,
    },
    /// The change raster could not be written.
    #[error(transparent)]
    Raster(#[from] glacier_raster::RasterError),
}
