using OsteoML.Domain;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Domain;

/// <summary>
/// The one atomic replacement every writer uses: the new content replaces the old whole, nothing is left beside the
/// target, and a writer that fails leaves the old content and no temporary file behind.
/// </summary>
[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void Replaces_the_content_and_leaves_only_the_target()
    {
        var folder = TestPaths.NewTempDirectory();
        var path = Path.Combine(folder, "profile.json");
        File.WriteAllText(path, "old content, longer than the new");
        AtomicFile.WriteAllText(path, "new");
        Assert.AreEqual("new", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(folder));
    }

    [TestMethod]
    public void Text_is_utf8_without_a_byte_order_mark()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "table.csv");
        AtomicFile.WriteAllText(path, "é");
        CollectionAssert.AreEqual(new byte[] { 0xC3, 0xA9 }, File.ReadAllBytes(path));
    }

    [TestMethod]
    public void A_failed_write_keeps_the_old_file_and_removes_its_temporary()
    {
        var folder = TestPaths.NewTempDirectory();
        var path = Path.Combine(folder, "bundle.json");
        File.WriteAllText(path, "old");
        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new InvalidOperationException("the writer failed");
        }));
        Assert.AreEqual("old", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(folder));
    }

    [TestMethod]
    public void Parallel_writers_of_one_path_never_share_a_temporary_file()
    {
        var folder = TestPaths.NewTempDirectory();
        var path = Path.Combine(folder, "segmentation.bin");
        Parallel.For(0, 16, i => AtomicFile.WriteAllBytes(path, Enumerable.Repeat((byte)i, 4096).ToArray(), flushToDisk: false));
        var bytes = File.ReadAllBytes(path);
        Assert.HasCount(4096, bytes);
        Assert.IsTrue(bytes.All(b => b == bytes[0]), "the file is one writer's content, whole");
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(folder));
    }
}
