//! What a Linux (ELF64, little-endian) binary asks of the machine it runs on: its CPU, its
//! dynamic loader, the shared libraries it links and the symbol versions it needs from them
//! (`GLIBC_2.34` and so on, the `.gnu.version_r` section that `readelf -V` prints). `cargo xtask
//! dist` uses it to refuse a server binary that would not start on an older Linux.

use std::fmt;

/// What an ELF binary needs to run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// `e_machine`: 62 x86-64, 183 AArch64.
    pub machine: u16,
    /// The program interpreter (dynamic loader), when the binary has one.
    pub interpreter: Option<String>,
    /// DT_NEEDED: the shared libraries it links.
    pub libraries: Vec<String>,
    /// Every symbol version it needs, e.g. `GLIBC_2.17` (from `.gnu.version_r`).
    pub versions: Vec<String>,
}

pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;

/// A glibc version, comparable: `GLIBC_2.17` is (2, 17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Glibc(pub u32, pub u32);

impl fmt::Display for Glibc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GLIBC_{}.{}", self.0, self.1)
    }
}

impl Needs {
    /// Fully static: no loader and no shared library.
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.libraries.is_empty()
    }

    /// The newest `GLIBC_x.y` it needs: the oldest glibc it runs on. None when it needs none.
    pub fn glibc_floor(&self) -> Option<Glibc> {
        self.versions.iter().filter_map(|v| parse_glibc(v)).max()
    }
}

fn parse_glibc(version: &str) -> Option<Glibc> {
    let rest = version.strip_prefix("GLIBC_")?;
    let mut parts = rest.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some(Glibc(major, minor))
}

const SHT_DYNAMIC: u32 = 6;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const PT_INTERP: u32 = 3;
const DT_NEEDED: u64 = 1;

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&self, at: usize, len: usize) -> Result<&[u8], String> {
        at.checked_add(len)
            .and_then(|end| self.0.get(at..end))
            .ok_or_else(|| format!("truncated ELF: {len} bytes at {at}"))
    }
    fn u16(&self, at: usize) -> Result<u16, String> {
        let b = self.bytes(at, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, at: usize) -> Result<u32, String> {
        let b = self.bytes(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&self, at: usize) -> Result<u64, String> {
        let b = self.bytes(at, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn usize(&self, at: usize) -> Result<usize, String> {
        usize::try_from(self.u64(at)?).map_err(|e| e.to_string())
    }
    /// The NUL-terminated string at `at`.
    fn cstr(&self, at: usize) -> Result<String, String> {
        let tail = self.0.get(at..).ok_or("string outside the file")?;
        let end = tail
            .iter()
            .position(|&b| b == 0)
            .ok_or("unterminated string")?;
        Ok(String::from_utf8_lossy(&tail[..end]).into_owned())
    }
}

struct Section {
    kind: u32,
    offset: usize,
    size: usize,
    link: usize,
    info: usize,
}

/// Reads what `data` (a whole ELF64 little-endian file) needs to run.
pub fn needs(data: &[u8]) -> Result<Needs, String> {
    let r = Reader(data);
    if r.bytes(0, 4)? != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if r.bytes(4, 2)? != [2, 1] {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let machine = r.u16(18)?;
    let phoff = r.usize(32)?;
    let shoff = r.usize(40)?;
    let phentsize = usize::from(r.u16(54)?);
    let phnum = usize::from(r.u16(56)?);
    let shentsize = usize::from(r.u16(58)?);
    let shnum = usize::from(r.u16(60)?);

    let mut interpreter = None;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        if r.u32(ph)? == PT_INTERP {
            interpreter = Some(r.cstr(r.usize(ph + 8)?)?);
        }
    }

    let mut sections = Vec::with_capacity(shnum);
    for i in 0..shnum {
        let sh = shoff + i * shentsize;
        sections.push(Section {
            kind: r.u32(sh + 4)?,
            offset: r.usize(sh + 24)?,
            size: r.usize(sh + 32)?,
            link: r.u32(sh + 40)? as usize,
            info: r.u32(sh + 44)? as usize,
        });
    }
    let strtab = |link: usize| -> Result<usize, String> {
        sections
            .get(link)
            .map(|s| s.offset)
            .ok_or_else(|| format!("no string table {link}"))
    };

    let mut libraries = Vec::new();
    let mut versions = Vec::new();
    for s in &sections {
        match s.kind {
            SHT_DYNAMIC => {
                let strings = strtab(s.link)?;
                for at in (s.offset..s.offset + s.size).step_by(16) {
                    if r.u64(at)? == DT_NEEDED {
                        libraries.push(r.cstr(strings + r.usize(at + 8)?)?);
                    }
                }
            }
            SHT_GNU_VERNEED => {
                let strings = strtab(s.link)?;
                let mut need = s.offset;
                // sh_info: the number of Verneed entries.
                for _ in 0..s.info {
                    let count = r.u16(need + 2)?;
                    let mut aux = need + r.u32(need + 8)? as usize;
                    for _ in 0..count {
                        versions.push(r.cstr(strings + r.u32(aux + 8)? as usize)?);
                        let next = r.u32(aux + 12)? as usize;
                        if next == 0 {
                            break;
                        }
                        aux += next;
                    }
                    let next = r.u32(need + 12)? as usize;
                    if next == 0 {
                        break;
                    }
                    need += next;
                }
            }
            _ => {}
        }
    }
    versions.sort();
    versions.dedup();
    Ok(Needs {
        machine,
        interpreter,
        libraries,
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_versions_compare_as_numbers() {
        assert!(parse_glibc("GLIBC_2.34") > parse_glibc("GLIBC_2.4"));
        assert_eq!(parse_glibc("GLIBC_2.2.5"), Some(Glibc(2, 2)));
        assert_eq!(parse_glibc("GLIBC_PRIVATE"), None);
        assert_eq!(parse_glibc("GCC_3.0"), None);
        let needs = Needs {
            versions: vec![
                "GLIBC_2.17".into(),
                "GLIBC_2.3.4".into(),
                "GCC_4.2.0".into(),
            ],
            ..Needs::default()
        };
        assert_eq!(needs.glibc_floor(), Some(Glibc(2, 17)));
        assert_eq!(Glibc(2, 17).to_string(), "GLIBC_2.17");
    }

    #[test]
    fn rejects_what_is_not_elf() {
        assert!(needs(b"#!/bin/sh\n").is_err());
        assert!(needs(b"\x7fELF").is_err());
    }

    /// This test binary itself is a dynamically linked glibc program on the Linux build hosts:
    /// the reader must find its loader, libc and GLIBC_ versions (what `readelf -V` shows).
    #[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
    #[test]
    fn reads_a_dynamic_glibc_binary() {
        let exe = std::env::current_exe().unwrap_or_default();
        let data = std::fs::read(&exe).unwrap_or_default();
        let needs = needs(&data).unwrap_or_default();
        assert_eq!(needs.machine, EM_X86_64);
        assert!(!needs.is_static());
        assert!(
            needs
                .interpreter
                .as_deref()
                .unwrap_or("")
                .contains("ld-linux"),
            "{needs:?}"
        );
        assert!(
            needs.libraries.iter().any(|l| l.starts_with("libc.so")),
            "{needs:?}"
        );
        assert!(needs.glibc_floor() >= Some(Glibc(2, 2)), "{needs:?}");
    }
}
