//! Processes on macOS: the user's pids from proc_listpids, each one's
//! arguments and environment from sysctl(KERN_PROCARGS2), its start, parent
//! and state from proc_pidinfo, its executable from proc_pidpath, and its
//! descriptors from proc_pidfdinfo.

use std::ffi::{OsString, c_int};
use std::fs;
use std::mem::size_of;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::procargs;
use super::{Environ, Info};

/// `PROC_UID_ONLY` of <sys/proc_info.h>: the processes of one effective uid.
const PROC_UID_ONLY: u32 = 4;
/// `PROC_PIDFDVNODEPATHINFO` of <sys/proc_info.h>.
const PROC_PIDFDVNODEPATHINFO: c_int = 2;

/// `struct proc_fileinfo` of <sys/proc_info.h>; filled by the kernel, only
/// its size matters here.
#[repr(C)]
#[allow(dead_code)]
struct ProcFileInfo {
    fi_openflags: u32,
    fi_status: u32,
    fi_offset: libc::off_t,
    fi_type: i32,
    fi_guardflags: u32,
}

/// `struct vnode_fdinfowithpath` of <sys/proc_info.h>.
#[repr(C)]
struct VnodeFdInfoWithPath {
    pfi: ProcFileInfo,
    pvip: libc::vnode_info_path,
}

/// The user's pids come from the kernel by effective uid; a process whose
/// arguments and environment the system does not give out is
/// [`Environ::Unreadable`].
pub fn each_environ(needle: &[u8], found: &mut dyn FnMut(u32, Environ<'_>)) {
    let me = std::process::id();
    let finder = memchr::memmem::Finder::new(needle);
    let mut buf = Vec::new();
    for pid in user_pids() {
        if pid == me {
            continue;
        }
        let Some(area) = procargs2(pid, &mut buf) else {
            found(pid, Environ::Unreadable);
            continue;
        };
        if let Some((_, env)) = procargs::split(area).filter(|(_, env)| !env.is_empty())
            && finder.find(env).is_some()
        {
            found(pid, Environ::Block(env));
        }
    }
}

fn user_pids() -> Vec<u32> {
    let uid = crate::files::euid();
    // SAFETY: a null buffer asks for the size the list needs.
    let needed = unsafe { libc::proc_listpids(PROC_UID_ONLY, uid, std::ptr::null_mut(), 0) };
    let Ok(needed) = usize::try_from(needed) else {
        return Vec::new();
    };
    // Room for processes started between the two calls.
    let mut pids: Vec<c_int> = vec![0; needed / size_of::<c_int>() + 64];
    let bytes = c_int::try_from(pids.len() * size_of::<c_int>()).unwrap_or(c_int::MAX);
    // SAFETY: the buffer holds `bytes` bytes.
    let got = unsafe { libc::proc_listpids(PROC_UID_ONLY, uid, pids.as_mut_ptr().cast(), bytes) };
    pids.truncate(usize::try_from(got).unwrap_or(0) / size_of::<c_int>());
    pids.into_iter()
        .filter_map(|p| u32::try_from(p).ok())
        .filter(|p| *p > 0)
        .collect()
}

/// sysctl(KERN_PROCARGS2) of `pid`, read into `buf`: the part it filled,
/// or None when it may not be read. `buf` is grown once to the largest area
/// and kept so, as a scan reads every process into it.
fn procargs2(pid: u32, buf: &mut Vec<u8>) -> Option<&[u8]> {
    let pid = c_int::try_from(pid).ok()?;
    if buf.len() < arg_max() {
        buf.resize(arg_max(), 0);
    }
    let mut mib = [libc::CTL_KERN, libc::KERN_PROCARGS2, pid];
    let mut len = buf.len();
    // SAFETY: `len` is the size of `buf`, which sysctl fills at most.
    let rc = unsafe {
        libc::sysctl(
            mib.as_mut_ptr(),
            3,
            buf.as_mut_ptr().cast(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    (rc == 0).then(|| &buf[..len.min(buf.len())])
}

/// The largest argument and environment area (KERN_ARGMAX).
fn arg_max() -> usize {
    static MAX: OnceLock<usize> = OnceLock::new();
    *MAX.get_or_init(|| {
        let mut max: c_int = 0;
        let mut len = size_of::<c_int>();
        let mut mib = [libc::CTL_KERN, libc::KERN_ARGMAX];
        // SAFETY: `max` is an int and `len` its size.
        let rc = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                2,
                (&mut max as *mut c_int).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        usize::try_from(max)
            .ok()
            .filter(|m| rc == 0 && *m > 0)
            .unwrap_or(1 << 20)
    })
}

/// Parent, start and state of a process.
pub fn info(pid: u32) -> Option<Info> {
    let pid = c_int::try_from(pid).ok()?;
    // SAFETY: all-zero is a valid proc_bsdinfo, to be overwritten.
    let mut bsd: libc::proc_bsdinfo = unsafe { std::mem::zeroed() };
    let size = c_int::try_from(size_of::<libc::proc_bsdinfo>()).ok()?;
    // SAFETY: the buffer is one proc_bsdinfo of `size` bytes.
    let got = unsafe {
        libc::proc_pidinfo(
            pid,
            libc::PROC_PIDTBSDINFO,
            0,
            (&mut bsd as *mut libc::proc_bsdinfo).cast(),
            size,
        )
    };
    (got == size).then(|| Info {
        ppid: bsd.pbi_ppid,
        stamp: bsd.pbi_start_tvsec * 1_000_000 + bsd.pbi_start_tvusec,
        ended: bsd.pbi_status == libc::SZOMB,
    })
}

/// The start of a process of start `stamp` (microseconds since the epoch),
/// in seconds since the epoch.
pub fn started(stamp: u64) -> Option<u64> {
    Some(stamp / 1_000_000)
}

/// Whether descriptor `fd` of process `pid` is open on the file `lock`.
pub fn open_on(pid: u32, fd: i32, lock: &fs::Metadata) -> bool {
    let Ok(pid) = c_int::try_from(pid) else {
        return false;
    };
    // SAFETY: all-zero is a valid value of these plain C structs.
    let mut info: VnodeFdInfoWithPath = unsafe { std::mem::zeroed() };
    let Ok(size) = c_int::try_from(size_of::<VnodeFdInfoWithPath>()) else {
        return false;
    };
    // SAFETY: the buffer is one vnode_fdinfowithpath of `size` bytes.
    let got = unsafe {
        libc::proc_pidfdinfo(
            pid,
            fd,
            PROC_PIDFDVNODEPATHINFO,
            (&mut info as *mut VnodeFdInfoWithPath).cast(),
            size,
        )
    };
    let stat = &info.pvip.vip_vi.vi_stat;
    got == size && u64::from(stat.vst_dev) == lock.dev() && stat.vst_ino == lock.ino()
}

pub fn argv(pid: u32) -> Option<Vec<String>> {
    let mut buf = Vec::new();
    let (args, _) = procargs::split(procargs2(pid, &mut buf)?)?;
    let words: Vec<String> = args
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    (!words.is_empty()).then_some(words)
}

/// The executable's path: the one name macOS gives.
pub fn names(pid: u32) -> Vec<OsString> {
    executable(pid)
        .map(PathBuf::into_os_string)
        .into_iter()
        .collect()
}

pub fn name(pid: u32) -> Option<OsString> {
    executable(pid).map(PathBuf::into_os_string)
}

pub fn executable(pid: u32) -> Option<PathBuf> {
    let pid = c_int::try_from(pid).ok()?;
    let mut buf = vec![0u8; libc::PROC_PIDPATHINFO_MAXSIZE as usize];
    // SAFETY: the buffer holds the size passed.
    let len = unsafe { libc::proc_pidpath(pid, buf.as_mut_ptr().cast(), buf.len() as u32) };
    match usize::try_from(len) {
        Ok(len) if len > 0 => {
            buf.truncate(len);
            Some(PathBuf::from(OsString::from_vec(buf)))
        }
        _ => None,
    }
}

/// macOS does not list a process's children, and swop cannot be a
/// subreaper there: the marker in the environment finds what a step left.
pub fn own_children() -> Vec<u32> {
    Vec::new()
}
