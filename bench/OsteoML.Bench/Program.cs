using BenchmarkDotNet.Running;

namespace OsteoML.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*'</c> runs the micro-benchmarks
/// (BenchmarkDotNet's own arguments). The named runners below are the steps of <c>bash bench/run</c>, which runs
/// every measure of issue 10 and writes the goal-vs-measured summary.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["dicom", .. var dicom]) { Dicom.DicomComparison.Run(dicom); return; }
        if (args is ["dicom-codecs", .. var codecs]) { Dicom.CodecComparison.Run(codecs); return; }
        if (args is ["models", "segment", .. var segment]) { Models.SegmentationRunner.Run(segment); return; }
        if (args is ["models", "gemm", .. var gemm]) { Models.GemmCeiling.Run(gemm); return; }
        if (args is ["autotune", .. var rest]) { AutoTune.TuneAndCalibrateRunner.Run(rest); return; }
        if (args is ["pipelines", "evidence", .. var evidence]) { Pipelines.PaperEvidenceRunner.Run(evidence); return; }
        if (args is ["pipelines", "screen", .. var screen]) { Pipelines.ScreenBenchmarkRunner.Run(screen); return; }
        if (args is ["pipelines", "realct-series", .. var realct]) { Pipelines.RealCtSeriesRunner.Run(realct); return; }
        if (args is ["hostile", .. var hostile]) { Hostile.HostileInputRunner.Run(hostile); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
