using System.Security.Cryptography;
using System.Text;
using OsteoML.Domain;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// Where segmentations live between SegmentVertebrae and the stages after it, keyed by series UID and the
/// segmentation model's sha256: a folder on disk (so <c>train</c>, <c>calibrate</c> and <c>demo</c> never segment a
/// series twice; files written atomically) or, without one, the last few in memory.
/// </summary>
public sealed class SegmentationStore
{
    /// <summary>The store's sub-folder of a cache folder (<c>--cache-dir</c>).</summary>
    public const string CacheFolder = "segmentations";

    private const int MemoryCapacity = 16;
    private readonly Dictionary<string, VertebraSegmentation> _memory = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public SegmentationStore(string? directory)
    {
        Directory = directory;
        if (directory is not null) System.IO.Directory.CreateDirectory(directory);
    }

    /// <summary>The cache folder; null for memory only.</summary>
    public string? Directory { get; }

    /// <param name="contentFingerprint">The series' content (<see cref="OsteoML.Dicom.Series.DicomStack.ContentFingerprint"/>): a partial
    /// and a complete transfer of one series UID are different entries.</param>
    public static string Key(string seriesInstanceUid, string modelSha256, string contentFingerprint)
    {
        // UIDs are short and file-name safe; hash anything else so a key is always a valid file name.
        var safe = seriesInstanceUid.Length is > 0 and <= 64 && seriesInstanceUid.All(c => char.IsAsciiDigit(c) || c == '.')
            ? seriesInstanceUid
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seriesInstanceUid)))[..32];
        var content = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(contentFingerprint)))[..12];
        return $"{safe}-{modelSha256[..12]}-{content}";
    }

    public bool Contains(string key)
    {
        lock (_gate)
            if (_memory.ContainsKey(key)) return true;
        return Directory is not null && File.Exists(PathOf(key));
    }

    public void Put(string key, VertebraSegmentation segmentation)
    {
        if (Directory is not null)
        {
            AtomicFile.Write(PathOf(key), segmentation.Write);
        }
        lock (_gate)
        {
            if (_memory.TryAdd(key, segmentation)) _order.Enqueue(key);
            while (_order.Count > MemoryCapacity) _memory.Remove(_order.Dequeue());
        }
    }

    /// <summary>
    /// The entry when present and readable. A cache entry is verified before use: one that does not read back whole
    /// (a truncated write, a full disk, an older format) is deleted and reported absent, so the caller recomputes it
    /// instead of failing that series forever.
    /// </summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VertebraSegmentation? segmentation)
    {
        segmentation = null;
        if (!Contains(key)) return false;
        try
        {
            segmentation = Get(key);
            return true;
        }
        catch (InvalidDataException)
        {
            try { File.Delete(PathOf(key)); }
            catch (IOException) { /* another process may be replacing it; it is recomputed either way */ }
            return false;
        }
    }

    public VertebraSegmentation Get(string key)
    {
        lock (_gate)
            if (_memory.TryGetValue(key, out var cached)) return cached;
        if (Directory is null || !File.Exists(PathOf(key)))
            throw new InvalidOperationException($"segmentation {key} is not in the store: run SegmentVertebrae first.");
        using var stream = File.OpenRead(PathOf(key));
        return VertebraSegmentation.Read(stream, PathOf(key));
    }

    private string PathOf(string key) => Path.Combine(Directory!, key + ".seg");
}
