using OsteoML.Cli.Commands;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using Spectre.Console;

namespace OsteoML.Cli.Sinks;

/// <summary>
/// <c>screen</c>'s terminal output: one JSON object per series (<c>--json</c>) or a readable table, and a warning for
/// files beside the series that could not be read. Keeps the results for the exit code.
/// </summary>
internal sealed class ConsoleResultSink(CliContext context, bool json) : IStudyResultSink
{
    private readonly List<StudyResult> _results = [];

    public IReadOnlyList<StudyResult> Results => _results;

    public void Write(ScreenedStudy screened)
    {
        var (study, result) = (screened.Study, screened.Result);
        if (study.UnreadableFiles.Count > 0)
            context.Error.WriteLine($"warning: {study.UnreadableFiles.Count} file(s) beside series {study.SeriesInstanceUid} could not be read (QA flag {QaFlags.UnreadableFiles}); first {study.UnreadableFiles[0]}");
        lock (_results) _results.Add(result);
        if (json) context.Out.WriteLine(result.ToJson());
        else WriteTable(result);
    }

    private void WriteTable(StudyResult r)
    {
        static string F(double value, int decimals) => ScreenCommand.F(value, decimals);
        var table = new Table().HideHeaders().AddColumns("", "");
        table.AddRow("series", r.SeriesInstanceUid);
        table.AddRow("site", Markup.Escape(r.SiteKey));
        table.AddRow("status", r.Status.Name());
        if (r.Bmd is { } bmd)
        {
            table.AddRow("BMD", $"{F(bmd, 1)} mg/cm³ ({r.Class})");
            table.AddRow("P(normal/osteopenia/osteoporosis)", string.Join(" / ", r.Probabilities!.Select(p => F(p, 3))));
            table.AddRow("calibration", Markup.Escape(r.CalibrationProfile ?? r.CalibrationNote ?? "none"));
        }
        else table.AddRow("why no BMD", Markup.Escape(r.Error ?? ""));
        foreach (var level in r.Levels.Where(l => l.MeanHu is not null))
            table.AddRow(level.Level, $"{F(level.MeanHu!.Value, 1)} HU (median {F(level.MedianHu ?? double.NaN, 1)}, {F(level.VolumeCm3 ?? double.NaN, 1)} cm³) ≈ {F(level.BmdEstimate ?? double.NaN, 1)} mg/cm³");
        table.AddRow("tissues (HU)", string.Join(", ", r.Tissues.Select(t => $"{t.Key.Replace("_hu", "")} {(t.Value is { } v ? F(v, 0) : "–")}")));
        table.AddRow("QA flags", r.QaFlags.Count == 0 ? "none" : string.Join(", ", r.QaFlags));
        if (r.IntendedUse is { } use) table.AddRow("intended use", Markup.Escape(use));
        context.Console.Write(table);
    }

    public void Complete() { }

    public void Dispose() { }
}
