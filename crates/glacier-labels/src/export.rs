//! Outlines written back out as GeoJSON (RFC 7946: WGS 84 longitude/latitude), with their
//! attributes: what the page reads, made from a GeoPackage it cannot read.

use glacier_raster::{Crs, Projector};

use crate::outlines::{LabelError, Outlines};

/// Decimal places kept in longitude/latitude: 1e-7° is about 1 cm.
const DEGREE_DECIMALS: f64 = 1e7;

impl Outlines {
    /// The outlines as a GeoJSON FeatureCollection in longitude/latitude: one feature per
    /// [`Polygon::feature`](crate::Polygon::feature) (a Polygon, or a MultiPolygon for a feature
    /// of several parts), its attributes as string properties.
    ///
    /// # Errors
    /// [`LabelError::Projection`] when the outlines' CRS cannot be moved to longitude/latitude,
    /// [`LabelError::Encoding`] when the text cannot be written.
    pub fn to_geojson(&self) -> Result<String, LabelError> {
        let lon_lat = Crs::Epsg(4326);
        let projection = |source| LabelError::Projection {
            file: self.file.clone(),
            source,
        };
        let projector = Projector::new(&self.crs, &lon_lat).map_err(projection)?;
        let round = |v: f64| (v * DEGREE_DECIMALS).round() / DEGREE_DECIMALS;
        let mut parts: Vec<Vec<Vec<Vec<f64>>>> = Vec::new();
        let mut features = Vec::with_capacity(self.features());
        for feature in 0..self.features() {
            parts.clear();
            for polygon in self.polygons.iter().filter(|p| p.feature == feature) {
                let mut rings = Vec::with_capacity(polygon.rings.len());
                for ring in &polygon.rings {
                    let mut coords = Vec::with_capacity(ring.len());
                    for &(x, y) in ring {
                        let (lon, lat) = projector.transform(x, y).ok_or_else(|| {
                            projection(glacier_raster::ProjectionError {
                                from: self.crs.to_string(),
                                to: lon_lat.to_string(),
                                reason: format!("point ({x}, {y}) has no longitude/latitude"),
                            })
                        })?;
                        coords.push(vec![round(lon), round(lat)]);
                    }
                    rings.push(coords);
                }
                parts.push(rings);
            }
            let geometry = match parts.len() {
                0 => None,
                1 => Some(geojson::GeometryValue::new_polygon(parts[0].clone())),
                _ => Some(geojson::GeometryValue::new_multi_polygon(parts.clone())),
            };
            let properties: geojson::JsonObject = self
                .attributes
                .get(feature)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect();
            features.push(geojson::Feature {
                geometry: geometry.map(geojson::Geometry::new),
                properties: Some(properties),
                ..Default::default()
            });
        }
        let collection = geojson::FeatureCollection {
            features,
            ..Default::default()
        };
        Ok(collection.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_outlines_come_back_as_lon_lat_with_their_attributes() {
        // A 300 m square in UTM 45N near Everest and a two-part feature.
        let square = |x0: f64, y0: f64| {
            vec![vec![
                (x0, y0),
                (x0 + 300.0, y0),
                (x0 + 300.0, y0 + 300.0),
                (x0, y0 + 300.0),
                (x0, y0),
            ]]
        };
        let outlines = Outlines {
            file: "t.shp".into(),
            polygons: vec![
                crate::Polygon {
                    rings: square(490_000.0, 3_098_000.0),
                    feature: 0,
                },
                crate::Polygon {
                    rings: square(491_000.0, 3_098_000.0),
                    feature: 1,
                },
                crate::Polygon {
                    rings: square(492_000.0, 3_098_000.0),
                    feature: 1,
                },
            ],
            crs: Crs::Epsg(32645),
            attributes: vec![
                vec![("RGIId".into(), "RGI60-15.03473".into())],
                vec![("RGIId".into(), "RGI60-15.03474".into())],
            ],
        };
        let text = outlines.to_geojson().expect("UTM 45N moves to lon/lat");
        let back =
            Outlines::from_geojson("back.geojson", &text).expect("our own GeoJSON reads back");
        assert_eq!(back.crs, Crs::Epsg(4326));
        assert_eq!(back.features(), 2);
        assert_eq!(back.polygons.len(), 3);
        assert_eq!(back.attributes, outlines.attributes);
        // The first corner: UTM 45N (490000, 3098000) is 86.8982872° E, 28.0071628° N
        // (`gdaltransform -s_srs EPSG:32645 -t_srs EPSG:4326`), to the 1e-7° written.
        let (lon, lat) = back.polygons[0].rings[0][0];
        assert!((lon - 86.898_287_2).abs() < 2e-7, "{lon}");
        assert!((lat - 28.007_162_8).abs() < 2e-7, "{lat}");
        assert!(text.contains("\"MultiPolygon\""));
    }
}
