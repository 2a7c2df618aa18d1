using System.Diagnostics;
using OsteoML.Cli.Benchmarks;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Cli;

/// <summary>The pure logic behind <c>osteoml bench</c> and <c>bench/run</c>'s summary, against hand-computed values; no timings.</summary>
[TestClass]
public sealed class BenchTests
{
    [TestMethod]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.AreEqual(3.0, BenchStatistics.Median([5, 1, 3]));
        Assert.AreEqual(2.5, BenchStatistics.Median([4, 1, 2, 3]));
        Assert.ThrowsExactly<ArgumentException>(() => BenchStatistics.Median([]));
    }

    [TestMethod]
    public void MedianRatioIsTheMedianOfPerRoundRatiosNotTheRatioOfMedians()
    {
        // Rounds: 2/1 = 2, 3/1 = 3, 10/4 = 2.5 → 2.5; the ratio of medians would be 3/1 = 3.
        Assert.AreEqual(2.5, BenchStatistics.MedianRatio([2, 3, 10], [1, 1, 4]), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => BenchStatistics.MedianRatio([1, 2], [1]));
    }

    [TestMethod]
    public void PeakRssReadsVmHwmInKibibytes()
    {
        const string status = "Name:\tosteoml\nVmPeak:\t 4000000 kB\nVmSize:\t 3900000 kB\nVmHWM:\t  812344 kB\nVmRSS:\t  700000 kB\nThreads:\t12\n";
        Assert.AreEqual(812344L * 1024, PeakRss.FromStatus(status));
        Assert.IsNull(PeakRss.FromStatus("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        Assert.ThrowsExactly<FormatException>(() => PeakRss.FromStatus("VmHWM:\t812344 MB\n"));
    }

    [TestMethod]
    public void PeakRssOfThisProcessIsAtLeastWhatItHeldBefore()
    {
        var before = Process.GetCurrentProcess().WorkingSet64;
        var peak = PeakRss.Read(Environment.ProcessId);
        Assert.IsNotNull(peak);
        Assert.IsTrue(peak >= before, $"VmHWM {peak} below the working set {before} read earlier");
    }

    [TestMethod]
    public void VerdictSaysMetOrMissedAndByHowMuch()
    {
        Assert.AreEqual("met, 32 % above", BenchSummary.Verdict(6.6, 5, atLeast: true));
        Assert.AreEqual("**missed by 83 %**", BenchSummary.Verdict(0.17, 1, atLeast: true));
        Assert.AreEqual("**missed by 8 %**", BenchSummary.Verdict(10.8, 10, atLeast: false));
        Assert.AreEqual("met, 64 % under", BenchSummary.Verdict(0.9, 2.5, atLeast: false));
        Assert.AreEqual("met, 0 % above", BenchSummary.Verdict(5, 5, atLeast: true));
    }

    [TestMethod]
    public void SummaryDerivesRatiosFromRoundsAndMarksFailedAndMissingSteps()
    {
        var dicom = new BenchFragment("dicom", true, null, new Dictionary<string, double[]>
        {
            // Per-round ratios 5, 6, 6 → median 6.00; throughput 157,286,400 B / 0.2 s (median) = 0.79 GB/s.
            ["oursSeriesSeconds"] = [0.2, 0.1, 0.2], ["pydicomSeriesSeconds"] = [1.0, 0.6, 1.2], ["seriesPixelBytes"] = [157_286_400],
        }, ["3 rounds"]);
        var autotune = new BenchFragment("autotune", false, "tuning crashed", new Dictionary<string, double[]>(), []);
        var screen = new BenchFragment("screen-batch", true, null, new Dictionary<string, double[]>
        {
            ["screenSeconds"] = [7.0], ["screenExit"] = [0], ["screenPeakRssBytes"] = [3.0e9],
            ["batchSeconds"] = [14.4], ["batchStudies"] = [6], ["batchJobs"] = [2], ["batchPeakRssBytes"] = [2.37e9],
        }, []);
        var lines = BenchSummary.Markdown([dicom, autotune, screen], "# header").Split('\n');

        string Row(string goal) => lines.Single(l => l.StartsWith($"| {goal} |", StringComparison.Ordinal));
        StringAssert.Contains(Row("uncompressed series → HU volume vs pydicom + numpy"), "| 6.00 × | met, 20 % above |");
        StringAssert.Contains(Row("series load throughput (pixel data)"), "| 0.79 GB/s | **missed by 21 %** |");
        StringAssert.Contains(Row("`screen` end to end, one `full` case"), "| 7.00 s | met, 30 % under |");
        StringAssert.Contains(Row("`screen` peak RSS"), "| 3.00 GB | **missed by 20 %** |");
        StringAssert.Contains(Row("`batch` throughput"), "| 1,500 studies/h | met, 200 % above |"); // 6 × 3600 / 14.4
        StringAssert.Contains(Row("tuning + calibration, 1219 cases"), "**step `autotune` failed** | tuning crashed |");
        StringAssert.Contains(Row("`demo` on a fresh folder"), "not measured (step not run)");
        StringAssert.Contains(Row("JPEG-lossless decode, one multi-frame file, one thread, vs dcmdjpeg"), "not measured");

        // osteoml bench prints only what it measured.
        var own = BenchSummary.Markdown([screen], "# own", measuredOnly: true);
        StringAssert.Contains(own, "| `batch` throughput |");
        Assert.IsFalse(own.Contains("dcmdjpeg", StringComparison.Ordinal) || own.Contains("`demo`", StringComparison.Ordinal), own);
    }

    [TestMethod]
    public void FragmentsRoundTripAndFailedFragmentsFromTheScriptParse()
    {
        var fragment = new BenchFragment("gemm", true, null, new Dictionary<string, double[]> { ["gemmBestGflops"] = [123.5], ["gemmSeconds"] = [0.02, 0.03] }, ["note"]);
        var back = BenchFragment.Parse(fragment.ToJson(), "gemm.json");
        Assert.AreEqual("gemm", back.Step);
        Assert.IsTrue(back.Ok);
        CollectionAssert.AreEqual(new[] { 123.5 }, back.Values["gemmBestGflops"]);
        CollectionAssert.AreEqual(new[] { 0.02, 0.03 }, back.Values["gemmSeconds"]);
        CollectionAssert.AreEqual(new[] { "note" }, back.Notes.ToArray());

        // What bench/run writes for a step that died.
        var failed = BenchFragment.Parse("""{"step": "demo", "status": "failed", "error": "demo exited 1"}""", "demo.json");
        Assert.IsFalse(failed.Ok);
        Assert.AreEqual("demo exited 1", failed.Error);
        Assert.ThrowsExactly<InvalidDataException>(() => BenchFragment.Parse("[1, 2]", "x.json"));
    }

    [TestMethod]
    public void BenchWithoutInputsOrResultsFailsWithOneLine()
    {
        var work = TestPaths.NewTempDirectory();
        var nothing = CliRun.Of("bench", "--out", work);
        Assert.AreEqual(1, nothing.ExitCode);
        Assert.AreEqual("error: nothing to measure: give --model and --studies (screen, batch) and/or --demo.", nothing.Error.Trim());

        var missing = CliRun.Of("bench", "--model", Path.Combine(work, "no-model"), "--studies", work, "--out", work);
        Assert.AreEqual(1, missing.ExitCode);
        Assert.AreEqual($"error: {Path.Combine(work, "no-model")}: no such model bundle folder.", missing.Error.Trim());

        var empty = CliRun.Of("bench", "summary", work);
        Assert.AreEqual(1, empty.ExitCode);
        Assert.AreEqual($"error: {work}: no STEP.json fragments.", empty.Error.Trim());
    }
}
