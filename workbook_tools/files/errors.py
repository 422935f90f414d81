"""Operating-system errors as one Chinese reason (the OS's own text is English, or in the system's language)."""
from __future__ import annotations

import errno

_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件夹或磁盘是只读的",
    errno.EACCES: "没有权限（文件或文件夹为只读，或正被其他程序占用）",
    errno.EPERM: "没有权限（文件或文件夹为只读，或正被其他程序占用）",
    errno.ENOENT: "文件或文件夹不存在（可能在处理期间被删除或移动）",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EEXIST: "文件已存在",
    errno.EIO: "磁盘读写出错",
    errno.EMFILE: "同时打开的文件太多",
}
for _name in ("EDQUOT", "ETXTBSY"):
    if hasattr(errno, _name):
        _REASONS[getattr(errno, _name)] = "磁盘配额已满" if _name == "EDQUOT" else "文件正被其他程序占用"


def reason(exc: OSError) -> str:
    """Why the operation failed, in Chinese, without naming a file (the caller names the ledger)."""
    if isinstance(exc, PermissionError) and exc.errno is None:
        return _REASONS[errno.EACCES]
    if exc.errno is None:
        return "文件操作失败"
    return _REASONS.get(exc.errno, f"文件操作失败（错误号 {exc.errno}）" if exc.errno else "文件操作失败")


def os_reason(exc: OSError) -> str:
    """Why the operation failed, in Chinese; the file it concerns when the error names one."""
    name = exc.filename if isinstance(exc.filename, str) else None
    return f"{reason(exc)}：{name}" if name else reason(exc)
