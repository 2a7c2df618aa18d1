namespace OsteoML.Tests.Support;

[TestClass]
public sealed class TestPathsTests
{
    [TestMethod]
    public void TempDirectoriesLiveUnderTheRunsScratchFolder()
    {
        var dir = TestPaths.NewTempDirectory("osteoml-probe");

        Assert.IsTrue(Directory.Exists(dir));
        Assert.AreEqual(TestPaths.RunRoot, Path.GetDirectoryName(dir));
        Assert.AreEqual(Environment.ProcessId, TestPaths.OwnerProcess(TestPaths.RunRoot));
    }

    [TestMethod]
    public void OwnerProcessIsReadFromTheFolderName()
    {
        Assert.AreEqual(4242, TestPaths.OwnerProcess("/tmp/osteoml-tests-4242-0123abcd"));
        Assert.AreEqual(-1, TestPaths.OwnerProcess("/tmp/osteoml-tests-x-0123abcd"));
        Assert.AreEqual(-1, TestPaths.OwnerProcess("/tmp/osteoml-test-0123abcd"));
    }
}
