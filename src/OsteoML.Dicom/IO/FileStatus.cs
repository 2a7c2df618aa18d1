using System.Runtime.InteropServices;

namespace OsteoML.Dicom.IO;

/// <summary>What kind of file system object a path names.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    /// <summary>FIFO, socket, character or block device: opening one can block forever or never end.</summary>
    Other,
}

/// <summary>
/// The kind, identity (device, inode) and size of a path, from <c>statx(2)</c> on Linux — .NET exposes no file type
/// beyond "directory", and opening a FIFO to find out blocks until a writer appears. statx's layout is the same on
/// every Linux architecture (unlike <c>struct stat</c>), so one declaration serves x64 and arm64. Elsewhere the
/// managed attributes are used (no FIFOs on Windows; identity by resolved path).
/// </summary>
internal readonly partial record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasicStats = 0x7ff;
    private const int ModeTypeMask = 0xF000, ModeRegular = 0x8000, ModeDirectory = 0x4000, ModeLink = 0xA000;

    /// <summary>The status of <paramref name="path"/> itself (<paramref name="followLinks"/> false) or of what it links to.</summary>
    public static FileStatus Of(string path, bool followLinks)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
                return new FileStatus(FileKind.Missing, 0, 0, 0);
            var mode = BitConverter.ToUInt16(buffer[28..]);
            var inode = BitConverter.ToUInt64(buffer[32..]);
            var size = BitConverter.ToInt64(buffer[40..]);
            var device = (ulong)BitConverter.ToUInt32(buffer[136..]) << 32 | BitConverter.ToUInt32(buffer[140..]);
            var kind = (mode & ModeTypeMask) switch
            {
                ModeRegular => FileKind.Regular,
                ModeDirectory => FileKind.Directory,
                ModeLink => FileKind.SymbolicLink,
                _ => FileKind.Other,
            };
            return new FileStatus(kind, device, inode, size);
        }
        return Managed(path, followLinks);
    }

    private static FileStatus Managed(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists) return new FileStatus(FileKind.Missing, 0, 0, 0);
        if (info.LinkTarget is not null)
        {
            if (!followLinks) return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
            info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!info.Exists) return new FileStatus(FileKind.Missing, 0, 0, 0);
        }
        var identity = (ulong)StringComparer.OrdinalIgnoreCase.GetHashCode(Path.GetFullPath(info.FullName));
        return info is DirectoryInfo
            ? new FileStatus(FileKind.Directory, 0, identity, 0)
            : new FileStatus(FileKind.Regular, 0, identity, ((FileInfo)info).Length);
    }

    /// <summary>The canonical absolute path (every link resolved), or null when it does not resolve.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            var full = Path.GetFullPath(path);
            FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
            return info.LinkTarget is null ? full : info.ResolveLinkTarget(true)?.FullName;
        }
        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { NativeFree(resolved); }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, int mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeRealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void NativeFree(IntPtr pointer);
}
