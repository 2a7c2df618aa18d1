using System.Security.Cryptography;
using System.Text;
using OsteoML.Dicom.IO;

namespace OsteoML.Dicom.Series;

/// <summary>
/// Remembers the last few folder scans of the process, keyed by the folder's listing — every file's path, size and
/// modification time — so the screening chain reads a study's headers once: finding the study, keying its cache entries
/// and stacking its volume all ask for the same folder, and each full scan opens every file. Listing a folder costs a
/// stat per file, not an open; any file added, removed, rewritten or touched changes the key and the folder is scanned
/// again. Thread-safe.
/// </summary>
public sealed class DicomScanCache(int capacity = 8)
{
    /// <summary>The process's cache: what the study source and the volume loader share.</summary>
    public static DicomScanCache Shared { get; } = new();

    private readonly LinkedList<(string Key, DicomScanResult Scan)> _recent = new();
    private readonly Lock _gate = new();

    /// <summary>Scans actually run (files opened) since the cache was made: what tests and benchmarks count.</summary>
    public int Misses { get; private set; }

    /// <summary><see cref="DicomSeriesScanner.Scan"/>, or its remembered result when the folder's listing is unchanged.</summary>
    public DicomScanResult Scan(string directory)
    {
        var key = ListingKey(directory);
        lock (_gate)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
                if (node.Value.Key == key)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value.Scan;
                }
        }
        var scan = DicomSeriesScanner.Scan(directory);
        lock (_gate)
        {
            Misses++;
            _recent.AddFirst((key, scan));
            while (_recent.Count > capacity) _recent.RemoveLast();
        }
        return scan;
    }

    /// <summary>The folder's full path and, per file the walker would visit, its path, size and modification time, hashed.</summary>
    private static string ListingKey(string directory)
    {
        var root = Path.GetFullPath(directory);
        var walk = DirectoryWalker.Walk(root);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(root + "\n"));
        foreach (var file in walk.Files.Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            var length = info.Exists ? info.Length : -1;
            var written = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\u0000{length}\u0000{written}\n"));
        }
        foreach (var skipped in walk.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes($"skipped\u0000{skipped}\n"));
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
