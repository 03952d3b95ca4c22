//! Reading `.npz` files: a zip archive of `.npy` arrays, stored
//! (`numpy.savez`) or deflated (`numpy.savez_compressed`), possibly with
//! zip64 records (NumPy writes its entries with `force_zip64`).
//!
//! Owns: the small zip directory reader (end of central directory, the
//! zip64 end record, central directory entries with their zip64 extra
//! field, local headers), CRC-32 checking, inflating through `miniz_oxide`
//! under a byte budget, and [`parse`], which returns the arrays named
//! without their `.npy` suffix.
//!
//! Must not: trust a declared size (every offset and length is checked
//! against the file, every inflated size against the budget before the
//! bytes exist), follow other compression methods, or read encrypted
//! entries.

use super::npy;
use super::tensor::Tensor;

const EOCD: u32 = 0x0605_4b50;
const ZIP64_EOCD: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// CRC-32 (IEEE, as in zip).
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

struct Entry {
    name: String,
    method: u16,
    flags: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    local: u64,
}

fn truncated(what: &str) -> String {
    format!("not a valid .npz (zip) file: {what}")
}

/// The central directory's entries.
fn directory(b: &[u8]) -> Result<Vec<Entry>, String> {
    // the end record is in the last 22 + 65535 bytes
    let lowest = b.len().saturating_sub(22 + 0xffff);
    let eocd = (lowest..=b.len().saturating_sub(22))
        .rev()
        .find(|&i| u32_at(b, i) == Some(EOCD))
        .ok_or_else(|| truncated("no end of central directory record (truncated?)"))?;
    let bad = || truncated("end of central directory record is cut short");
    let mut count = u64::from(u16_at(b, eocd + 10).ok_or_else(bad)?);
    let mut size = u64::from(u32_at(b, eocd + 12).ok_or_else(bad)?);
    let mut offset = u64::from(u32_at(b, eocd + 16).ok_or_else(bad)?);
    if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
        let loc = eocd
            .checked_sub(20)
            .filter(|&l| u32_at(b, l) == Some(ZIP64_LOCATOR))
            .ok_or_else(|| truncated("zip64 end record locator missing"))?;
        let at = u64_at(b, loc + 8).ok_or_else(bad)?;
        let at = usize::try_from(at)
            .ok()
            .filter(|&a| u32_at(b, a) == Some(ZIP64_EOCD))
            .ok_or_else(|| truncated("zip64 end record missing"))?;
        let bad64 = || truncated("zip64 end record is cut short");
        count = u64_at(b, at + 32).ok_or_else(bad64)?;
        size = u64_at(b, at + 40).ok_or_else(bad64)?;
        offset = u64_at(b, at + 48).ok_or_else(bad64)?;
    }
    let end = offset
        .checked_add(size)
        .filter(|&e| e <= b.len() as u64)
        .ok_or_else(|| truncated("central directory lies past the end of the file"))?;
    // every entry takes at least 46 bytes: no allocation beyond the file
    if count > size / 46 + 1 {
        return Err(truncated(
            "more entries declared than the directory can hold",
        ));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut at = offset as usize;
    for _ in 0..count {
        if u32_at(b, at) != Some(CENTRAL) || at as u64 + 46 > end {
            return Err(truncated("central directory entry missing or cut short"));
        }
        let cut = || truncated("central directory entry cut short");
        let flags = u16_at(b, at + 8).ok_or_else(cut)?;
        let method = u16_at(b, at + 10).ok_or_else(cut)?;
        let crc = u32_at(b, at + 16).ok_or_else(cut)?;
        let mut compressed = u64::from(u32_at(b, at + 20).ok_or_else(cut)?);
        let mut uncompressed = u64::from(u32_at(b, at + 24).ok_or_else(cut)?);
        let n = usize::from(u16_at(b, at + 28).ok_or_else(cut)?);
        let m = usize::from(u16_at(b, at + 30).ok_or_else(cut)?);
        let k = usize::from(u16_at(b, at + 32).ok_or_else(cut)?);
        let mut local = u64::from(u32_at(b, at + 42).ok_or_else(cut)?);
        let name_bytes = b.get(at + 46..at + 46 + n).ok_or_else(cut)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        let extra = b.get(at + 46 + n..at + 46 + n + m).ok_or_else(cut)?;
        // zip64 extended information: the fields whose 32-bit value is all ones
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e).ok_or_else(cut)?;
            let len = usize::from(u16_at(extra, e + 2).ok_or_else(cut)?);
            if id == 1 {
                let mut p = e + 4;
                for field in [&mut uncompressed, &mut compressed, &mut local] {
                    if *field == 0xffff_ffff {
                        *field = u64_at(extra, p).ok_or_else(cut)?;
                        p += 8;
                    }
                }
            }
            e += 4 + len;
        }
        out.push(Entry {
            name,
            method,
            flags,
            crc,
            compressed,
            uncompressed,
            local,
        });
        at += 46 + n + m + k;
    }
    Ok(out)
}

/// The arrays of an `.npz` file's bytes, named as in the archive without
/// the `.npy` suffix. At most `budget` bytes are inflated in all. The error
/// is one line without the file name.
pub fn parse(b: &[u8], budget: u64) -> Result<Vec<Tensor>, String> {
    let mut left = budget;
    let mut out = Vec::new();
    for entry in directory(b)? {
        let Some(name) = entry.name.strip_suffix(".npy") else {
            return Err(format!(
                "archive entry `{}` is not a .npy array",
                super::excerpt(&entry.name)
            ));
        };
        let what = |m: &str| format!("archive entry `{}`: {m}", super::excerpt(&entry.name));
        if entry.flags & 1 == 1 {
            return Err(what("encrypted entries are not supported"));
        }
        let at = usize::try_from(entry.local)
            .ok()
            .filter(|&a| u32_at(b, a) == Some(LOCAL))
            .ok_or_else(|| what("local header missing (offset past the end?)"))?;
        let n = usize::from(u16_at(b, at + 26).ok_or_else(|| what("local header cut short"))?);
        let m = usize::from(u16_at(b, at + 28).ok_or_else(|| what("local header cut short"))?);
        let start = at + 30 + n + m;
        let data = usize::try_from(entry.compressed)
            .ok()
            .and_then(|c| b.get(start..start.checked_add(c)?))
            .ok_or_else(|| what("data lies past the end of the file (truncated?)"))?;
        if entry.uncompressed > left {
            return Err(what(&format!(
                "inflates to {} bytes, beyond the input limit (raise it with --max-file-size)",
                entry.uncompressed
            )));
        }
        left -= entry.uncompressed;
        let raw: std::borrow::Cow<[u8]> = match entry.method {
            0 => data.into(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(
                data,
                entry.uncompressed as usize,
            )
            .map_err(|e| what(&format!("corrupt deflate data ({e})")))?
            .into(),
            other => {
                return Err(what(&format!(
                    "compression method {other} is not supported (stored or deflate only)"
                )))
            }
        };
        if raw.len() as u64 != entry.uncompressed {
            return Err(what(&format!(
                "holds {} bytes, the directory says {}",
                raw.len(),
                entry.uncompressed
            )));
        }
        if crc32(&raw) != entry.crc {
            return Err(what("CRC-32 mismatch (corrupt file)"));
        }
        out.push(npy::parse(name, &raw)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_check_value() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
    }
}
