using System.Globalization;
using System.Text;

namespace OsteoML.Cli.Benchmarks;

/// <summary>
/// The goal-vs-measured table of issue 10 from a results folder's fragments: each goal names the step that measures
/// it and derives its value from that step's raw numbers; a goal whose step failed or did not run says so.
/// </summary>
public static class BenchSummary
{
    /// <summary>One goal: <see cref="Measure"/> returns the value and a detail line, or null when its numbers are absent.</summary>
    public sealed record Goal(string Name, string Step, double Target, bool AtLeast, string Unit, Func<Values, (double Value, string Detail)?> Measure);

    /// <summary>The merged values of all fragments.</summary>
    public sealed class Values(IReadOnlyDictionary<string, double[]> values)
    {
        public double[]? List(string key) => values.TryGetValue(key, out var v) ? v : null;
        public double? One(string key) => values.TryGetValue(key, out var v) && v.Length > 0 ? v[0] : null;
    }

    public static IReadOnlyList<Goal> Goals { get; } =
    [
        Ratio("uncompressed series → HU volume vs pydicom + numpy", "dicom", 5, "oursSeriesSeconds", "pydicomSeriesSeconds", "pydicom"),
        new("series load throughput (pixel data)", "dicom", 1.0, true, "GB/s", v =>
            v.List("oursSeriesSeconds") is { } s && v.One("seriesPixelBytes") is { } bytes
                ? (bytes / BenchStatistics.Median(s) / 1e9, $"{bytes / 1e6:F0} MB of pixel data in {Ms(BenchStatistics.Median(s))} (median of {s.Length})") : null),
        Ratio("JPEG-lossless decode, one multi-frame file, one thread, vs dcmdjpeg", "dicom", 1.0, "oursJpegSeconds", "dcmdjpegSeconds", "dcmdjpeg"),
        // Issue 16: GDCM runs OpenJPEG on every core, so "per core" compares CPU seconds (ours: one thread).
        Ratio("JPEG 2000 lossless decode, 300 frames, per core (CPU s) vs gdcmconv --raw", "dicom-codecs", 1.0, "oursJ2kCpuSeconds", "gdcmJ2kCpuSeconds", "gdcmconv"),
        Ratio("JPEG-LS lossless decode, 300 frames, per core (CPU s) vs gdcmconv --raw", "dicom-codecs", 1.0, "oursJpegLsCpuSeconds", "gdcmJpegLsCpuSeconds", "gdcmconv"),
        new("header-only scan (10,000 files; issue 3)", "dicom", 20_000, true, "files/s", v =>
            v.List("oursScanSeconds") is { } s && v.One("scanFiles") is { } files
                ? (files / BenchStatistics.Median(s), $"{files:F0} files in {Ms(BenchStatistics.Median(s))}" + (v.List("pydicomScanSeconds") is { } p
                    ? $"; pydicom stop_before_pixels {Ms(BenchStatistics.Median(p))}, {BenchStatistics.MedianRatio(p, s):F1}× (median ratio)" : "")) : null),
        new("`screen` end to end, one `full` case", "screen-batch", 10, false, "s", v =>
            v.One("screenSeconds") is { } s ? (s, $"new process, start-up included; exit {v.One("screenExit"):F0}") : null),
        new("`screen` peak RSS", "screen-batch", 2.5, false, "GB", v =>
            v.One("screenPeakRssBytes") is { } b ? (b / 1e9, "VmHWM of the process") : null),
        new("`screen` end to end, a real CT at 512 × 512 × 300", "screen-realct", 5, false, "s", v =>
            v.One("screenSeconds") is { } s ? (s, $"TotalSegmentator's example interpolated to full size; new process; exit {v.One("screenExit"):F0}") : null),
        new("`batch` throughput", "screen-batch", 500, true, "studies/h", v =>
            v.One("batchSeconds") is { } s && v.One("batchStudies") is { } n
                ? (n * 3600 / s, $"{n:F0} studies in {s:F1} s, --jobs {v.One("batchJobs"):F0}, peak RSS {v.One("batchPeakRssBytes") / 1e9:F2} GB") : null),
        new("tuning + calibration, 1219 cases", "autotune", 180, false, "s", v =>
            v.One("tuneCalibrateSeconds") is { } s ? (s, $"tune BMD {v.One("tuneBmdSeconds"):F1} s + class {v.One("tuneClassSeconds"):F1} s (budgets), refit {v.One("refitSeconds"):F1} s, calibrate {v.One("calibrateSeconds"):F1} s; {v.One("cases"):F0} cases") : null),
        new("`demo` on a fresh folder", "demo", 300, false, "s", v =>
            v.One("demoSeconds") is { } s ? (s, $"peak RSS {v.One("demoPeakRssBytes") / 1e9:F2} GB; exit {v.One("demoExit"):F0}") : null),
    ];

    /// <summary>Measures without a goal of their own, for the "where the time goes" reading: each a name and a line, or null when absent.</summary>
    public static IReadOnlyList<(string Name, Func<Values, string?> Line)> Facts { get; } =
    [
        ("series load vs dcmtk `dcmdump +M` (reading only)", v => v.List("oursSeriesSeconds") is { } o && v.List("dcmdumpSeriesSeconds") is { } d
            ? $"{BenchStatistics.MedianRatio(d, o):F2}× (median ratio); dcmdump {Ms(BenchStatistics.Median(d))}" : null),
        ("segmentation inference, one `full` case", v => v.List("segmentWindowSeconds") is { } w && v.One("segmentGigaFlops") is { } flop
            ? $"sliding window {BenchStatistics.Median(w):F2} s + preprocess {BenchStatistics.Median(v.List("segmentPreprocessSeconds") ?? [double.NaN]):F2} s (medians of {w.Length}); "
              + $"{flop:F1} GFLOP ({v.One("segmentWindows"):F0} windows) → **{flop / BenchStatistics.Median(w):F1} GFLOP/s** on {v.One("segmentThreads"):F0} threads"
              + (v.One("gemmBestGflops") is { } g ? $" = {flop / BenchStatistics.Median(w) / g * 100:F0} % of the GEMM ceiling" : "") : null),
        ("GEMM ceiling (ONNX Runtime MatMul, float32)", v => v.One("gemmBestGflops") is { } g
            ? $"**{g:F1} GFLOP/s** best of {v.List("gemmSeconds")?.Length} runs, {v.One("gemmSize"):F0}³ on {v.One("gemmThreads"):F0} threads" : null),
        ("`screen` stages of one `full` case, in-process", v => v.One("stageSegmentSeconds") is { } seg
            ? $"read {v.One("stageReadSeconds"):F2} s, segment {seg:F2} s (resample alone {v.One("stageResampleSeconds"):F2} s), measure {v.One("stageMeasureSeconds"):F2} s, "
              + $"crop {v.One("stageCropSeconds"):F2} s, DenseNet {v.One("stageDenseNetSeconds"):F2} s" : null),
    ];

    /// <summary>"met, 8 % above" / "missed by 23 %": the margin relative to the target.</summary>
    public static string Verdict(double value, double target, bool atLeast)
    {
        var met = atLeast ? value >= target : value <= target;
        var margin = Math.Abs(value - target) / target;
        return met ? $"met, {Percent(margin)} {(atLeast ? "above" : "under")}" : $"**missed by {Percent(margin)}**";
    }

    /// <summary>The tables; with <paramref name="measuredOnly"/> only the goals these fragments measured (osteoml bench's own output).</summary>
    public static string Markdown(IReadOnlyList<BenchFragment> fragments, string header, bool measuredOnly = false)
    {
        var merged = new Dictionary<string, double[]>();
        foreach (var f in fragments.Where(f => f.Ok))
            foreach (var (key, v) in f.Values)
                merged[key] = v;
        var values = new Values(merged);
        var md = new StringBuilder(header).AppendLine().AppendLine();
        md.AppendLine("| goal | target | measured | verdict | detail |").AppendLine("|---|---|---|---|---|");
        foreach (var goal in Goals)
        {
            var target = $"{(goal.AtLeast ? "≥" : "≤")} {Number(goal.Target)} {goal.Unit}";
            var failed = fragments.FirstOrDefault(f => f.Step == goal.Step && !f.Ok);
            var row = failed is null ? goal.Measure(values) : null;
            if (measuredOnly && row is null) continue;
            md.AppendLine(row is { } r
                ? $"| {goal.Name} | {target} | {Number(r.Value)} {goal.Unit} | {Verdict(r.Value, goal.Target, goal.AtLeast)} | {r.Detail} |"
                : $"| {goal.Name} | {target} | – | {(failed is null ? "not measured (step not run)" : $"**step `{goal.Step}` failed**")} | {failed?.Error ?? ""} |");
        }
        var facts = Facts.Select(f => (f.Name, Line: f.Line(values))).Where(f => f.Line is not null).ToArray();
        if (facts.Length > 0)
        {
            md.AppendLine().AppendLine("| measure | measured |").AppendLine("|---|---|");
            foreach (var (name, line) in facts) md.AppendLine($"| {name} | {line} |");
        }
        md.AppendLine();
        md.AppendLine("| step | status | notes |").AppendLine("|---|---|---|");
        foreach (var f in fragments)
            md.AppendLine($"| {f.Step} | {(f.Ok ? "ok" : "**failed**: " + f.Error)} | {string.Join("; ", f.Notes)} |");
        return md.ToString();
    }

    private static Goal Ratio(string name, string step, double target, string ours, string reference, string referenceName) =>
        new(name, step, target, true, "×", v => v.List(ours) is { } o && v.List(reference) is { } r
            ? (BenchStatistics.MedianRatio(r, o), $"median of {o.Length} alternating rounds; ours {Ms(BenchStatistics.Median(o))}, {referenceName} {Ms(BenchStatistics.Median(r))} (medians)")
            : null);

    private static string Ms(double seconds) => seconds < 10 ? $"{seconds * 1000:F0} ms" : $"{seconds:F1} s";

    private static string Percent(double fraction) => $"{fraction * 100:F0} %";

    private static string Number(double value) => value switch
    {
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
