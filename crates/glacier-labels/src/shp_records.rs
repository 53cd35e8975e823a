//! A `.shp` file's records checked against its length before the `shapefile` crate reads them:
//! that crate sizes its point and part buffers by the counts a record claims, so a damaged or
//! hostile file claiming a billion points would make it ask for gigabytes before reading one.
//! Here each record's counts must fit in the bytes the record has, and its parts must start
//! in order at points it has (the crate sizes each part's buffer by the difference of two
//! starts).

use std::ops::Range;

/// Bytes of the `.shp` file header.
const HEADER: usize = 100;

/// Shape types with parts and points (polyline, polygon, their Z and M forms, multipatch).
const WITH_PARTS: [i64; 7] = [3, 5, 13, 15, 23, 25, 31];
/// Shape types with points only (multipoint and its Z and M forms).
const MULTIPOINT: [i64; 3] = [8, 18, 28];

fn be_u32(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 4)?;
    Some(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
}

fn le_i32(bytes: &[u8], at: usize) -> Option<i64> {
    let b = bytes.get(at..at + 4)?;
    Some(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Checks every record of `shp`: its content fits in the file, and its part and point counts
/// fit in its content (4 bytes a part, 16 a point). Returns each record's bytes (header
/// included), for [`one_record_file`].
///
/// # Errors
/// What is wrong and with which record (1-based), for [`crate::LabelError::Format`].
pub(crate) fn check(shp: &[u8]) -> Result<Vec<Range<usize>>, String> {
    let mut at = HEADER;
    let mut record = 0u64;
    let mut records = Vec::new();
    while at + 8 <= shp.len() {
        record += 1;
        let words = be_u32(shp, at + 4).ok_or("a record header is cut short")?;
        let start = at + 8;
        let len = words * 2;
        let end = (start as u64)
            .checked_add(len)
            .filter(|end| *end <= shp.len() as u64)
            .ok_or_else(|| {
                format!(
                    "record {record} claims {len} bytes, past the end of the file ({} bytes)",
                    shp.len()
                )
            })? as usize;
        let content = &shp[start..end];
        records.push(at..end);
        let Some(kind) = le_i32(content, 0) else {
            at = end;
            continue;
        };
        let (parts, points, fixed) = if WITH_PARTS.contains(&kind) {
            (le_i32(content, 36), le_i32(content, 40), 44)
        } else if MULTIPOINT.contains(&kind) {
            (Some(0), le_i32(content, 36), 40)
        } else {
            at = end;
            continue;
        };
        let (Some(parts), Some(points)) = (parts, points) else {
            return Err(format!("record {record} is cut short before its counts"));
        };
        let needed = u64::try_from(parts)
            .ok()
            .zip(u64::try_from(points).ok())
            .map(|(parts, points)| fixed + 4 * parts + 16 * points);
        if needed.is_none_or(|n| n > len) {
            return Err(format!(
                "record {record} claims {parts} parts and {points} points in {len} bytes"
            ));
        }
        let mut previous = 0;
        for part in 0..parts as usize {
            let start = le_i32(content, fixed as usize + 4 * part).unwrap_or(-1);
            if start < previous || start > points {
                return Err(format!(
                    "record {record}: part {} starts at point {start}, outside 0–{points} or \
                     before the part ahead of it",
                    part + 1
                ));
            }
            previous = start;
        }
        at = end;
    }
    Ok(records)
}

/// A `.shp` holding only `record` of `shp`: the file's header with its length set to the one
/// record. The `shapefile` crate then reads exactly the checked bytes: on a whole file a record
/// it reads short (a point record longer than a point) would start the next read inside it,
/// where [`check`] never looked.
pub(crate) fn one_record_file(shp: &[u8], record: Range<usize>) -> Vec<u8> {
    let mut out = shp[..HEADER].to_vec();
    let words = ((HEADER + record.len()) / 2) as u32;
    out[24..28].copy_from_slice(&words.to_be_bytes());
    out.extend_from_slice(&shp[record]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.shp` header and one polygon record claiming `points` points with room for `room`.
    fn polygon(points: i32, room: usize) -> Vec<u8> {
        let mut shp = vec![0u8; HEADER];
        let mut content = 5i32.to_le_bytes().to_vec();
        content.extend([0u8; 32]);
        content.extend(1i32.to_le_bytes());
        content.extend(points.to_le_bytes());
        content.extend(0i32.to_le_bytes());
        content.resize(content.len() + room, 0);
        shp.extend(1u32.to_be_bytes());
        shp.extend(((content.len() / 2) as u32).to_be_bytes());
        shp.extend(content);
        shp
    }

    #[test]
    fn counts_must_fit_in_the_record() {
        let records = check(&polygon(4, 64)).expect("fits");
        assert_eq!(records.len(), 1);
        assert_eq!(
            (records[0].start, records[0].end),
            (HEADER, HEADER + 8 + 112)
        );
        let err = check(&polygon(500_000_000, 64)).expect_err("too many points");
        assert_eq!(
            err,
            "record 1 claims 1 parts and 500000000 points in 112 bytes"
        );
        assert!(check(&polygon(-1, 64)).is_err());
    }

    #[test]
    fn parts_must_start_in_order_within_the_points() {
        let mut shp = polygon(4, 64);
        // The one part starts past the record's four points.
        shp[HEADER + 8 + 44..HEADER + 8 + 48].copy_from_slice(&1_000_000_000i32.to_le_bytes());
        let err = check(&shp).expect_err("a part past the points");
        assert_eq!(
            err,
            "record 1: part 1 starts at point 1000000000, outside 0–4 or before the part ahead of it"
        );
    }

    #[test]
    fn a_record_past_the_end_is_named() {
        let mut shp = polygon(4, 64);
        shp.truncate(shp.len() - 10);
        let err = check(&shp).expect_err("cut");
        assert!(
            err.starts_with("record 1 claims 112 bytes, past the end"),
            "{err}"
        );
    }
}
