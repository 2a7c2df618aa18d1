using System.CommandLine;
using System.Globalization;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Trends;
using OsteoML.Validation.Trends;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml trend RESULTS [--out DIR] [--lsc VALUE | --precision-from RESULTS] [--tissue-correction] [--new-fracture-rule RULE]</c>: each keyed patient's BMD change per
/// year across the studies of a batch's results, judged against the least significant change (docs/trends.md).
/// </summary>
internal static class TrendCommand
{
    public static Command Create(CliContext context)
    {
        var results = new Argument<string>("RESULTS") { Description = "A batch's --out folder (its results.jsonl) or a results .jsonl file." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Write trends.csv, trends.json and plots/ here." };
        var lsc = new Option<double?>("--lsc") { Description = "Least significant change, mg/cm³ (2.77 × the site's precision SD)." };
        var precisionFrom = new Option<string?>("--precision-from") { Description = "Results holding same-patient rescan pairs to measure the precision from." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Leave out the per-patient PNG plots." };
        var tissueCorrection = new Option<bool>("--tissue-correction")
        {
            Description = "Put each study on the ideal HU scale by its own reference tissues (air, fat, muscle, blood) before comparing: removes the scanners' calibration drift between studies.",
        };
        var bmdPerHu = new Option<double?>("--bmd-per-hu") { Description = "mg/cm³ per trabecular HU for --tissue-correction (default: read from the results' per-level estimates)." };
        var fractureRule = new Option<NewFractureRule>("--new-fracture-rule")
        {
            Description = "When a grade rise is a new fracture: incidentModerateOrConfirmed (a grade-0 level reaching grade ≥ 2, or ≥ 1 repeated by its next study), moderateOrConfirmed, moderateOrTwoGrades, anyRise.",
            DefaultValueFactory = _ => NewFractureRule.IncidentModerateOrConfirmed,
        };
        var command = new Command("trend", "BMD change per year of each patient across studies, against the least significant change.")
        {
            results, output, lsc, precisionFrom, noPlots, tissueCorrection, bmdPerHu, fractureRule,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(lsc) is not null && r.GetValue(precisionFrom) is not null) r.AddError("give --lsc or --precision-from, not both");
            if (r.GetValue(lsc) is <= 0) r.AddError("--lsc must be positive");
            if (r.GetValue(bmdPerHu) is <= 0) r.AddError("--bmd-per-hu must be positive");
        });
        command.SetAction(parseResult =>
        {
            var options = new TrendOptions
            {
                HuCorrection = parseResult.GetValue(tissueCorrection) ? TrendHuCorrection.ReferenceTissues : TrendHuCorrection.None,
                BmdPerHu = parseResult.GetValue(bmdPerHu),
                NewFractureRule = parseResult.GetValue(fractureRule),
            };
            MeasurementPrecision? precision = parseResult.GetValue(lsc) is { } value ? MeasurementPrecision.FromLsc(value) : null;
            if (parseResult.GetValue(precisionFrom) is { } source)
            {
                // The precision must be of the same measurement as the trend's: corrected the same way.
                var studies = TrendStudy.FromAll(TrendInput.Read(source), options);
                precision = MeasurementPrecision.FromStudies(studies)
                            ?? throw new InvalidDataException($"{source}: no same-patient rescan pair (two studies within {MeasurementPrecision.RescanWindowDays} days) with a patient key.");
            }
            var report = TrendAnalysis.Analyze(TrendInput.Read(parseResult.GetValue(results)!), options with { Precision = precision });
            if (parseResult.GetValue(output) is { } dir)
            {
                report.Write(dir.FullName);
                if (!parseResult.GetValue(noPlots)) TrendPlots.Write(report, dir.FullName);
            }
            var p = report.Precision;
            string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
            context.Out.WriteLine(p.Source == PrecisionSource.Given
                ? $"LSC {F(p.Lsc)} mg/cm³ (given; precision SD {F(p.Sd)})"
                : $"precision SD {F(p.Sd)} mg/cm³ from {p.Pairs} rescan pair(s), LSC {F(p.Lsc)} mg/cm³"
                  + (p.Pairs < MeasurementPrecision.RecommendedPairs ? $" (fewer than the {MeasurementPrecision.RecommendedPairs} pairs ISCD asks for)" : ""));
            context.Out.WriteLine($"{report.Patients.Count} patient(s): {report.Count(TrendStatus.SignificantLoss)} significant loss, "
                                  + $"{report.Count(TrendStatus.SignificantGain)} significant gain, {report.Count(TrendStatus.Stable)} stable, "
                                  + $"{report.Count(TrendStatus.NotEnoughStudies)} with too few studies; "
                                  + $"{report.Patients.Count(t => t.ScannerChange == ScannerChange.Uncalibrated)} changed scanner without site calibration, "
                                  + $"{report.Patients.Count(t => t.NewFractures.Count > 0)} with a new fracture");
            if (report.UnkeyedResults > 0)
                context.Error.WriteLine($"{report.UnkeyedResults} result(s) had no patient key or study date and were left out; to link them, {PatientKeyer.HowToEnable}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
