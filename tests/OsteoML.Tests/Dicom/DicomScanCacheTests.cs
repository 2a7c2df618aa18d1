using OsteoML.Dicom.Series;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>The scan cache hands back a folder's scan only while its listing is unchanged.</summary>
[TestClass]
public sealed class DicomScanCacheTests
{
    [TestMethod]
    public void A_folder_is_scanned_once_until_a_file_is_added_rewritten_or_removed()
    {
        var dir = TestPaths.NewTempDirectory();
        var files = CtSeriesWriter.Write(DicomTestData.ObliqueVolume(z: 6), dir, new CtSeriesDescription { SeriesInstanceUid = "1.2.3.4.5" });
        var cache = new DicomScanCache();

        var first = cache.Scan(dir);
        Assert.AreSame(first, cache.Scan(dir), "unchanged folder: the same scan");
        Assert.AreSame(first, cache.Scan(Path.Combine(dir, ".")), "the same folder by another spelling");
        Assert.AreEqual(1, cache.Misses);
        Assert.AreEqual(6, first.Stacks.Single().Slices.Count);

        // Rewritten in place (same size, new time): scanned again.
        File.SetLastWriteTimeUtc(files[0], File.GetLastWriteTimeUtc(files[0]).AddSeconds(5));
        var touched = cache.Scan(dir);
        Assert.AreNotSame(first, touched);
        Assert.AreEqual(2, cache.Misses);

        // A file removed: the scan sees five slices, as a fresh scanner does.
        File.Delete(files[^1]);
        var fewer = cache.Scan(dir);
        Assert.AreEqual(3, cache.Misses);
        Assert.AreEqual(DicomSeriesScanner.Scan(dir).Stacks.Single().Slices.Count, fewer.Stacks.Single().Slices.Count);
        Assert.AreEqual(5, fewer.Stacks.Single().Slices.Count);

        // A file added back: scanned again.
        File.Copy(files[0], files[^1]);
        cache.Scan(dir);
        Assert.AreEqual(4, cache.Misses);
    }

    [TestMethod]
    public void Only_the_most_recent_folders_are_kept()
    {
        var cache = new DicomScanCache(capacity: 2);
        var dirs = Enumerable.Range(0, 3).Select(_ => TestPaths.NewTempDirectory()).ToList();
        foreach (var d in dirs) CtSeriesWriter.Write(DicomTestData.ObliqueVolume(z: 3), d);
        foreach (var d in dirs) cache.Scan(d);
        Assert.AreEqual(3, cache.Misses);
        cache.Scan(dirs[2]);
        cache.Scan(dirs[1]);
        Assert.AreEqual(3, cache.Misses, "the two latest are kept");
        cache.Scan(dirs[0]);
        Assert.AreEqual(4, cache.Misses, "the oldest was dropped");
    }
}
