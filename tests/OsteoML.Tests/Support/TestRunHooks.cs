namespace OsteoML.Tests.Support;

/// <summary>Run-wide set-up and clean-up.</summary>
[TestClass]
public static class TestRunHooks
{
    [AssemblyCleanup]
    public static void DeleteScratch() => TestPaths.DeleteScratch();
}
