namespace OsteoML.Dicom.IO;

/// <summary>
/// The one way OsteoML lists the files under a folder it was given (studies, series, bundles). Hostile or messy
/// archives hold link cycles, links out of the tree and FIFOs named *.dcm; a plain recursive enumeration follows the
/// first forever, reads other patients' or system files through the second, and blocks on the third. So: every
/// folder and file is identified by device and inode and reached once (cycles and second links are skipped);
/// a link is followed only when its resolved target lies inside the walked folder; only regular files are
/// returned (never opened here — the walk itself cannot block); depth is bounded. Everything left out is
/// reported with its reason, so callers can say what they ignored.
/// </summary>
public static class DirectoryWalker
{
    /// <summary>Folders nested deeper than this are not entered (PACS exports are a few levels deep).</summary>
    public const int MaxDepth = 32;

    public static DirectoryWalk Walk(string root, bool recursive = true)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"{root}: no such folder.");
        var rootReal = FileStatus.RealPath(root) ?? Path.GetFullPath(root);
        var files = new List<string>();
        var skipped = new List<WalkSkip>();
        var visitedFolders = new HashSet<(ulong, ulong)>();
        var visitedFiles = new HashSet<(ulong, ulong)>();
        var rootStatus = FileStatus.Of(root, followLinks: true);
        visitedFolders.Add((rootStatus.Device, rootStatus.Inode));
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (folder, depth) = pending.Pop();
            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new WalkSkip(folder, WalkSkipReason.Unreadable));
                continue;
            }
            Array.Sort(entries, StringComparer.Ordinal);
            var subfolders = new List<string>();
            foreach (var entry in entries)
            {
                var status = FileStatus.Of(entry, followLinks: false);
                if (status.Kind == FileKind.SymbolicLink)
                {
                    var target = FileStatus.RealPath(entry);
                    if (target is null)
                    {
                        skipped.Add(new WalkSkip(entry, WalkSkipReason.Unreadable));
                        continue;
                    }
                    if (!IsInside(target, rootReal))
                    {
                        skipped.Add(new WalkSkip(entry, WalkSkipReason.LinkOutsideTree));
                        continue;
                    }
                    status = FileStatus.Of(entry, followLinks: true);
                }
                switch (status.Kind)
                {
                    case FileKind.Directory when !recursive:
                        break;
                    case FileKind.Directory when depth + 1 > MaxDepth:
                        skipped.Add(new WalkSkip(entry, WalkSkipReason.TooDeep));
                        break;
                    case FileKind.Directory:
                        if (visitedFolders.Add((status.Device, status.Inode))) subfolders.Add(entry);
                        else skipped.Add(new WalkSkip(entry, WalkSkipReason.AlreadyVisited));
                        break;
                    case FileKind.Regular:
                        if (visitedFiles.Add((status.Device, status.Inode))) files.Add(entry);
                        else skipped.Add(new WalkSkip(entry, WalkSkipReason.AlreadyVisited));
                        break;
                    case FileKind.Missing:
                        skipped.Add(new WalkSkip(entry, WalkSkipReason.Unreadable));
                        break;
                    default:
                        skipped.Add(new WalkSkip(entry, WalkSkipReason.NotRegularFile));
                        break;
                }
            }
            // Depth first in ordinal order, so the walk's order does not depend on the file system's.
            for (var i = subfolders.Count - 1; i >= 0; i--)
                pending.Push((subfolders[i], depth + 1));
        }
        files.Sort(StringComparer.Ordinal);
        return new DirectoryWalk(files, skipped);
    }

    /// <summary>
    /// True when <paramref name="path"/> names a regular file — safe to open without blocking (not a FIFO, socket or
    /// device). With <paramref name="followLinks"/> false a symbolic link is not one either.
    /// </summary>
    public static bool IsRegularFile(string path, bool followLinks = true) => FileStatus.Of(path, followLinks).Kind == FileKind.Regular;

    /// <summary>The canonical absolute path (every link resolved), or null when it does not resolve.</summary>
    public static string? RealPath(string path) => FileStatus.RealPath(path);

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
