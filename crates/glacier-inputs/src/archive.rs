//! Scene archives as USGS delivers them (`.tar`) or recompressed (`.tar.gz`, `.tgz`): the
//! members a scene uses become [`FileSource`]s, so an archive goes wherever its files would.
//!
//! A plain `.tar` is read in place: each member is a window onto the archive, read on demand
//! (the page reads a dropped 1 GB scene without holding it). A gzip-compressed archive cannot
//! be read at an offset, so the members kept are inflated into memory, within
//! [`MAX_INFLATED_BYTES`].
//!
//! Kept: the MTL (`.txt`, else `.json`), the bands the scene's channels come from, surface
//! temperature and QA_PIXEL. Everything else a USGS archive holds (angle files, QA_RADSAT,
//! aerosol, the other surface-temperature layers, thumbnails) is listed in
//! [`Unpacked::skipped`], never read.

use crate::error::InputError;
use crate::source::{BytesSource, FileSource, ReadSeek};
use glacier_landsat::{Channel, FileKind, LandsatFileName};
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// The most bytes a compressed archive may inflate into memory for the members kept: a whole
/// Landsat 8/9 Level-1 scene's used bands (seven bands of ≈ 120 MB) fit with room to spare,
/// and a gzip bomb stops here.
pub const MAX_INFLATED_BYTES: u64 = 1536 << 20;

/// How an archive is packed, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// An uncompressed tar, as USGS EarthExplorer delivers a scene.
    Tar,
    /// A gzip-compressed tar (`.tar.gz`, `.tgz`).
    TarGz,
}

impl ArchiveFormat {
    /// The format a file name says, or `None` for a file that is not an archive.
    pub fn of(name: &str) -> Option<ArchiveFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar") {
            Some(ArchiveFormat::Tar)
        } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(ArchiveFormat::TarGz)
        } else {
            None
        }
    }
}

/// What an archive holds for a scene.
pub struct Unpacked {
    /// The members a scene uses, in archive order, each named `ARCHIVE/MEMBER`.
    pub files: Vec<Box<dyn FileSource>>,
    /// The members left out, by file name.
    pub skipped: Vec<String>,
}

impl std::fmt::Debug for Unpacked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unpacked")
            .field(
                "files",
                &self.files.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Whether a scene uses an archive member of this name, and as what.
fn use_of(member: &str) -> Option<FileKind> {
    let parsed = LandsatFileName::parse(member)?;
    if !parsed.is_landsat89() {
        // Kept, so that assembling the scene says which mission it is.
        return Some(parsed.kind);
    }
    let band = |n: u8| Channel::from_landsat89_band(n).is_some();
    match parsed.kind {
        FileKind::Mtl | FileKind::QaPixel | FileKind::SurfaceTemperature(10) => Some(parsed.kind),
        FileKind::Band(n) | FileKind::SurfaceReflectance(n) | FileKind::ScaledBand(n)
            if band(n) =>
        {
            Some(parsed.kind)
        }
        _ => None,
    }
}

/// One regular file found in the archive.
struct Member {
    base: String,
    offset: u64,
    len: u64,
}

/// Opens `archive` and returns the members a scene uses.
///
/// # Errors
/// [`InputError::Archive`] for a file that is not a readable tar (or gzip), naming it;
/// [`InputError::ArchiveWithoutScene`] when no member is a Landsat 8/9 band or MTL;
/// [`InputError::ArchiveTooLarge`] when a compressed archive's kept members inflate past
/// [`MAX_INFLATED_BYTES`].
pub fn unpack(archive: Arc<dyn FileSource>, format: ArchiveFormat) -> Result<Unpacked, InputError> {
    unpack_within(archive, format, MAX_INFLATED_BYTES)
}

/// [`unpack`] with `max_inflated` bytes in place of [`MAX_INFLATED_BYTES`].
fn unpack_within(
    archive: Arc<dyn FileSource>,
    format: ArchiveFormat,
    max_inflated: u64,
) -> Result<Unpacked, InputError> {
    let name = archive.name().to_owned();
    let broken = |e: io::Error| InputError::Archive {
        file: name.clone(),
        detail: e.to_string(),
    };
    let mut files: Vec<Box<dyn FileSource>> = Vec::new();
    let mut skipped = Vec::new();
    let mut found = Vec::new();
    match format {
        ArchiveFormat::Tar => {
            let mut tar = tar::Archive::new(archive.open().map_err(broken)?);
            for entry in tar.entries_with_seek().map_err(broken)? {
                let entry = entry.map_err(broken)?;
                let Some(base) = regular_file_name(&entry) else {
                    continue;
                };
                found.push(Member {
                    base,
                    offset: entry.raw_file_position(),
                    len: entry.size(),
                });
            }
            let total = archive_len(archive.as_ref()).map_err(broken)?;
            for m in keep_one_mtl(found, &mut skipped) {
                if m.offset.checked_add(m.len).is_none_or(|end| end > total) {
                    return Err(InputError::Archive {
                        file: name.clone(),
                        detail: format!(
                            "{} claims {} bytes at offset {}, past the end of the archive ({total} bytes): the download is incomplete; download it again",
                            m.base, m.len, m.offset
                        ),
                    });
                }
                files.push(Box::new(TarMember {
                    name: format!("{name}/{}", m.base),
                    archive: Arc::clone(&archive),
                    offset: m.offset,
                    len: m.len,
                }));
            }
        }
        ArchiveFormat::TarGz => {
            let gz = flate2::read::MultiGzDecoder::new(archive.open().map_err(broken)?);
            let mut tar = tar::Archive::new(gz);
            let mut inflated = 0u64;
            let mut held: Vec<(String, Vec<u8>)> = Vec::new();
            for entry in tar.entries().map_err(broken)? {
                let mut entry = entry.map_err(broken)?;
                let Some(base) = regular_file_name(&entry) else {
                    continue;
                };
                if use_of(&base).is_none() {
                    skipped.push(base);
                    continue;
                }
                let room = max_inflated - inflated;
                if entry.size() > room {
                    return Err(too_large(&name, &base, max_inflated));
                }
                let mut bytes = Vec::new();
                (&mut entry)
                    .take(room + 1)
                    .read_to_end(&mut bytes)
                    .map_err(broken)?;
                inflated += bytes.len() as u64;
                if inflated > max_inflated {
                    return Err(too_large(&name, &base, max_inflated));
                }
                held.push((base, bytes));
            }
            let members = held
                .iter()
                .map(|(base, bytes)| Member {
                    base: base.clone(),
                    offset: 0,
                    len: bytes.len() as u64,
                })
                .collect();
            let kept: Vec<String> = keep_one_mtl(members, &mut skipped)
                .into_iter()
                .map(|m| m.base)
                .collect();
            for (base, bytes) in held {
                if kept.contains(&base) {
                    files.push(Box::new(BytesSource::new(format!("{name}/{base}"), bytes)));
                }
            }
        }
    }
    if !files
        .iter()
        .any(|f| LandsatFileName::parse(f.name()).is_some_and(|p| !matches!(p.kind, FileKind::Mtl)))
    {
        return Err(InputError::ArchiveWithoutScene {
            file: name,
            members: skipped.len(),
        });
    }
    Ok(Unpacked { files, skipped })
}

fn too_large(archive: &str, member: &str, limit: u64) -> InputError {
    InputError::ArchiveTooLarge {
        file: archive.to_owned(),
        member: member.to_owned(),
        limit_mib: limit >> 20,
    }
}

/// The member's file name (without folders) when it is a regular file.
fn regular_file_name<R: Read>(entry: &tar::Entry<'_, R>) -> Option<String> {
    if !entry.header().entry_type().is_file() {
        return None;
    }
    let path = entry.path().ok()?;
    Some(path.file_name()?.to_string_lossy().into_owned())
}

/// Members the scene uses, with one MTL (the `.txt` where both forms are there); the rest
/// goes to `skipped`.
fn keep_one_mtl(found: Vec<Member>, skipped: &mut Vec<String>) -> Vec<Member> {
    let is_mtl = |m: &Member| use_of(&m.base) == Some(FileKind::Mtl);
    let txt = found
        .iter()
        .any(|m| is_mtl(m) && m.base.to_ascii_lowercase().ends_with(".txt"));
    let mut kept = Vec::new();
    for m in found {
        let wanted = match use_of(&m.base) {
            None => false,
            Some(FileKind::Mtl) => !txt || m.base.to_ascii_lowercase().ends_with(".txt"),
            Some(_) => true,
        };
        if wanted {
            kept.push(m);
        } else {
            skipped.push(m.base);
        }
    }
    kept
}

fn archive_len(archive: &dyn FileSource) -> io::Result<u64> {
    archive.open()?.seek(SeekFrom::End(0))
}

/// A member of a plain tar: `len` bytes at `offset` of the archive, read in place.
struct TarMember {
    name: String,
    archive: Arc<dyn FileSource>,
    offset: u64,
    len: u64,
}

impl FileSource for TarMember {
    fn name(&self) -> &str {
        &self.name
    }
    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        let mut inner = self.archive.open()?;
        inner.seek(SeekFrom::Start(self.offset))?;
        Ok(Box::new(Window {
            inner,
            start: self.offset,
            len: self.len,
            pos: 0,
        }))
    }
}

/// `len` bytes of `inner` from `start`, as a file of its own.
struct Window<R> {
    inner: R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if n == 0 {
            return Ok(0);
        }
        let got = self.inner.read(&mut buf[..n])?;
        self.pos += got as u64;
        Ok(got)
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of an archive member",
            )
        })?;
        self.inner.seek(SeekFrom::Start(self.start + target))?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, bytes) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *bytes).expect("append");
        }
        b.into_inner().expect("tar")
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("gz");
        e.finish().expect("gz")
    }

    const ID: &str = "LC08_L2SP_204023_20200927_20201006_02_T1";

    #[test]
    fn formats_come_from_the_name() {
        assert_eq!(ArchiveFormat::of("a.TAR"), Some(ArchiveFormat::Tar));
        assert_eq!(ArchiveFormat::of("a.tar.gz"), Some(ArchiveFormat::TarGz));
        assert_eq!(ArchiveFormat::of("a.tgz"), Some(ArchiveFormat::TarGz));
        assert_eq!(ArchiveFormat::of("a.tif"), None);
    }

    #[test]
    fn members_read_in_place_keep_only_what_a_scene_uses() {
        let b4 = format!("{ID}_SR_B4.TIF");
        let b1 = format!("{ID}_SR_B1.TIF");
        let mtl = format!("{ID}_MTL.txt");
        let json = format!("{ID}_MTL.json");
        let ang = format!("{ID}_ANG.txt");
        let bytes = tar_of(&[
            (&format!("folder/{b4}"), b"band four"),
            (&b1, b"coastal"),
            (&mtl, b"GROUP = X"),
            (&json, b"{}"),
            (&ang, b"angles"),
            ("README", b"x"),
        ]);
        let source: Arc<dyn FileSource> = Arc::new(BytesSource::new("scene.tar", bytes.clone()));
        let u = unpack(source, ArchiveFormat::Tar).expect("unpacks");
        let names: Vec<&str> = u.files.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [format!("scene.tar/{b4}"), format!("scene.tar/{mtl}")]
        );
        assert_eq!(u.skipped, [b1.clone(), json, ang, "README".into()]);
        let mut text = String::new();
        let mut r = u.files[0].open().expect("opens");
        r.read_to_string(&mut text).expect("reads");
        assert_eq!(text, "band four");
        // Seeks stay inside the member.
        assert_eq!(r.seek(SeekFrom::End(-4)).expect("seeks"), 5);
        let mut tail = String::new();
        r.read_to_string(&mut tail).expect("reads");
        assert_eq!(tail, "four");
        assert!(r.seek(SeekFrom::Current(-100)).is_err());
        assert_eq!(u.files[1].read_text().expect("text"), "GROUP = X");

        let source: Arc<dyn FileSource> = Arc::new(BytesSource::new("scene.tgz", gz(&bytes)));
        let z = unpack(source, ArchiveFormat::TarGz).expect("unpacks");
        let names: Vec<&str> = z.files.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [format!("scene.tgz/{b4}"), format!("scene.tgz/{mtl}")]
        );
        assert_eq!(z.files[1].read_text().expect("text"), "GROUP = X");
    }

    #[test]
    fn an_archive_without_a_scene_or_cut_short_says_so() {
        let source: Arc<dyn FileSource> = Arc::new(BytesSource::new(
            "photos.tar",
            tar_of(&[("holiday.jpg", b"jpeg")]),
        ));
        let e = unpack(source, ArchiveFormat::Tar).expect_err("no scene");
        assert!(
            matches!(e, InputError::ArchiveWithoutScene { members: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("photos.tar"), "{e}");

        let mut bytes = tar_of(&[(&format!("{ID}_SR_B4.TIF"), &[7u8; 2000][..])]);
        bytes.truncate(1024);
        let source: Arc<dyn FileSource> = Arc::new(BytesSource::new("cut.tar", bytes));
        let e = unpack(source, ArchiveFormat::Tar).expect_err("cut short");
        assert!(e.to_string().contains("download it again"), "{e}");

        let source: Arc<dyn FileSource> =
            Arc::new(BytesSource::new("not.tar.gz", b"plain text".to_vec()));
        let e = unpack(source, ArchiveFormat::TarGz).expect_err("not gzip");
        assert!(matches!(e, InputError::Archive { .. }), "{e}");
    }

    #[test]
    fn a_compressed_archive_past_the_inflation_limit_is_refused_naming_the_member() {
        // A member whose header claims 2 GiB: refused before a byte of it is inflated.
        let b4 = format!("{ID}_SR_B4.TIF");
        let mut h = tar::Header::new_gnu();
        h.set_path(&b4).expect("name");
        h.set_size(2 << 30);
        h.set_mode(0o644);
        h.set_cksum();
        let source: Arc<dyn FileSource> =
            Arc::new(BytesSource::new("huge.tar.gz", gz(h.as_bytes())));
        let e = unpack(source, ArchiveFormat::TarGz).expect_err("too large");
        let said = e.to_string();
        assert!(
            matches!(&e, InputError::ArchiveTooLarge { member, limit_mib: 1536, .. } if *member == b4),
            "{said}"
        );
        assert!(said.starts_with("huge.tar.gz: "), "{said}");
        // Members each within the limit whose sum is not: refused at the one that passes it
        // (here a 1 MiB limit; the real one is 1.5 GiB).
        let band = vec![3u8; 400 << 10];
        let names = ["B3", "B4", "B5"].map(|b| format!("{ID}_SR_{b}.TIF"));
        let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &band[..])).collect();
        let source: Arc<dyn FileSource> =
            Arc::new(BytesSource::new("three.tar.gz", gz(&tar_of(&members))));
        let e = unpack_within(source, ArchiveFormat::TarGz, 1 << 20).expect_err("sum too large");
        assert!(
            matches!(&e, InputError::ArchiveTooLarge { member, limit_mib: 1, .. } if *member == names[2]),
            "{e}"
        );
        println!("{said}\n{e}");
    }
}
