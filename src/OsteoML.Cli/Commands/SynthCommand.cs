using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Analysis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;
using Spectre.Console;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml synth</c>: the synthetic multi-site QCT cohort.
/// <list type="bullet">
/// <item><c>cohort --preset P --seed S --out DIR [--size reduced|full] [--transfer-syntax …] [--jobs N]</c>: DICOM
/// series, NIfTI label maps, labels.json and manifest.csv (exit 3 when some cases failed; the rest are written).</item>
/// <item><c>preset NAME</c>: a built-in preset as JSON, to edit into a custom cohort.</item>
/// <item><c>summary --preset P --seed S</c>: renders in memory and prints, per scanner, the HU-vs-BMD line in the
/// true trabecular masks and the noise, and the class shares per split.</item>
/// </list>
/// </summary>
internal static class SynthCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("synth", "Generate the synthetic multi-site QCT cohort.");
        command.Subcommands.Add(CohortCommand(context));
        command.Subcommands.Add(PresetCommand(context));
        command.Subcommands.Add(PhantomsCommand(context));
        command.Subcommands.Add(SummaryCommand(context));
        return command;
    }

    private static Option<string> PresetOption() => new("--preset")
    {
        Description = $"Built-in preset ({string.Join(", ", CohortPreset.BuiltInNames)}) or a preset JSON file.",
        DefaultValueFactory = _ => "demo",
    };

    private static Option<ulong> SeedOption() => new("--seed")
    {
        Description = "Random seed; the same preset, seed and options give byte-identical output.",
        DefaultValueFactory = _ => 42UL,
    };

    private static Option<string> SizeOption() => new Option<string>("--size")
    {
        Description = "full: the scanner's 512×512 grid and slices; reduced: ≥ 2 mm voxels for fast training.",
        DefaultValueFactory = _ => "reduced",
    }.AcceptOnlyFromAmong("reduced", "full");

    private static Command CohortCommand(CliContext context)
    {
        var preset = PresetOption();
        var seed = SeedOption();
        var size = SizeOption();
        var output = new Option<string>("--out") { Description = "Output directory.", Required = true };
        var syntax = new Option<string>("--transfer-syntax")
        {
            Description = "DICOM transfer syntax of the series.",
            DefaultValueFactory = _ => "explicit-le",
        }.AcceptOnlyFromAmong([.. CaseDicomWriter.TransferSyntaxes.Keys]);
        var jobs = new Option<int>("--jobs") { Description = "Cases rendered at once (default: one per core)." };
        var command = new Command("cohort", "Write a cohort: DICOM CT series, true label maps (NIfTI), labels.json and manifest.csv.")
        {
            preset, seed, size, output, syntax, jobs,
        };
        command.SetAction(parse => WriteCohort(context, parse.GetValue(preset)!, parse.GetValue(seed), parse.GetValue(size)!,
            parse.GetValue(output)!, parse.GetValue(syntax)!, parse.GetValue(jobs)));
        return command;
    }

    private static int WriteCohort(CliContext context, string presetName, ulong seed, string size, string output, string syntax, int jobs)
    {
        var clock = Stopwatch.StartNew();
        var cohort = SyntheticCohort.Create(presetName, seed);
        var options = RenderOptions.For(size == "full" ? RenderSize.Full : RenderSize.Reduced);
        var result = WithProgress(context, $"synth {cohort.Preset.Name}", cohort.Cases.Count, advance =>
            CohortWriter.Write(cohort, output, options, CaseDicomWriter.TransferSyntaxes[syntax], jobs, new Progress<string>(_ => advance())));
        foreach (var failure in result.Failures)
            context.Error.WriteLine($"error: {failure.CaseId}: {failure.Reason}");
        var counts = string.Join(" / ", Enum.GetValues<CohortSplit>().Select(s => $"{cohort.Preset.Count(s)} {s.Name()}"));
        context.Out.WriteLine(FormattableString.Invariant(
            $"Wrote {result.Written} of {cohort.Cases.Count} cases ({counts}) of preset '{cohort.Preset.Name}', seed {seed}, {size} size, to {output} in {clock.Elapsed.TotalSeconds:F1} s."));
        return result.Failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }

    private static Command PhantomsCommand(CliContext context)
    {
        var preset = PresetOption();
        var seed = SeedOption();
        var output = new Option<string>("--out", "-o") { Description = "Output folder: <scanner>-<kVp>kV/ DICOM series and inserts.json.", Required = true };
        var scanners = new Option<string?>("--scanners") { Description = "Comma-separated scanner ids (default: every scanner of the preset)." };
        var date = new Option<string>("--date") { Description = "Scan date (yyyy-mm-dd): the scanner's calibration drift is taken on that day.", DefaultValueFactory = _ => "2022-06-01" };
        var command = new Command("phantoms", "Write a calibration-phantom scan per scanner and kVp with each scanner's own physics, and the insert file.")
        {
            preset, seed, output, scanners, date,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(scanners)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var written = PhantomScanWriter.Write(CohortPreset.Resolve(parse.GetValue(preset)!), parse.GetValue(output)!,
                DateOnly.ParseExact(parse.GetValue(date)!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), parse.GetValue(seed),
                chosen is null ? null : s => chosen.Contains(s.Id));
            foreach (var w in written)
                context.Out.WriteLine(FormattableString.Invariant($"{w.ScannerId} {w.Kvp} kV: {w.Directory} (rendered with water offset {w.OffsetHu:+0.0;-0.0} HU, gain {100 * w.GainError:+0.00;-0.00} %)"));
            return written.Count > 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command PresetCommand(CliContext context)
    {
        var name = new Argument<string>("name") { Description = $"Built-in preset ({string.Join(", ", CohortPreset.BuiltInNames)}) or a preset file to check." };
        var command = new Command("preset", "Print a preset as JSON (edit it to define your own hospitals, scanners and counts).") { name };
        command.SetAction(parse =>
        {
            context.Out.WriteLine(CohortPreset.Resolve(parse.GetValue(name)!).ToJson());
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SummaryCommand(CliContext context)
    {
        var preset = PresetOption();
        var seed = SeedOption();
        var size = SizeOption();
        var perScanner = new Option<int>("--per-scanner") { Description = "Render at most this many cases per scanner (0: all)." };
        var command = new Command("summary", "Render a cohort in memory and print each scanner's HU-vs-BMD line in the true trabecular masks, its noise, and the class shares per split.")
        {
            preset, seed, size, perScanner,
        };
        command.SetAction(parse => Summarise(context, parse.GetValue(preset)!, parse.GetValue(seed), parse.GetValue(size)!, parse.GetValue(perScanner)));
        return command;
    }

    private static int Summarise(CliContext context, string presetName, ulong seed, string size, int perScanner)
    {
        var cohort = SyntheticCohort.Create(presetName, seed);
        var options = RenderOptions.For(size == "full" ? RenderSize.Full : RenderSize.Reduced);
        var chosen = cohort.Cases.GroupBy(c => c.Scanner.Id)
            .SelectMany(g => perScanner > 0 ? g.Take(perScanner) : g)
            .OrderBy(c => c.Index)
            .ToList();
        var measurements = new CaseMeasurement[chosen.Count];
        WithProgress(context, "rendering", chosen.Count, advance =>
            Parallel.For(0, chosen.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                measurements[i] = CohortSummary.Measure(CaseRenderer.Render(chosen[i], options, maxDegreeOfParallelism: 1));
                advance();
            }));

        // Plain fixed-width text: the table stays readable in logs and narrow terminals.
        var o = context.Out;
        o.WriteLine("HU-vs-BMD line in the true L1/L2 trabecular masks (HU = slope · BMD + intercept): whole masks (all series;");
        o.WriteLine("unenhanced series only), the masks' one-voxel-eroded cores (all series); noise SD in the liver:");
        o.WriteLine($"{"site",-5} {"scanner",-8} {"cases",5} | {"slope",6} {"icept",6} {"R²",5} | {"plain",6} {"icept",6} {"R²",5} | {"core",6} {"icept",6} {"R²",5} | {"noise",5} {"expect",6}");
        foreach (var s in CohortSummary.ByScanner(measurements))
        {
            o.WriteLine($"{s.Site,-5} {s.Scanner,-8} {s.Cases,5} | {Line(s.AllSeries)} | {Line(s.Unenhanced)} | {Line(s.Core)} | " +
                $"{(s.NoiseSdMeasured is { } n ? F(n, 1) : "–"),5} {F(s.NoiseSdExpected, 1),6}");
        }
        o.WriteLine();
        o.WriteLine($"{"split",-12} {"cases",5} {"normal",8} {"osteopenia",11} {"osteoporosis",13} {"L1/L2 not both covered",23}");
        foreach (var s in CohortSummary.BySplit(cohort.Cases))
            o.WriteLine($"{s.Split.Name(),-12} {s.Cases,5} {P(s.Normal),8} {P(s.Osteopenia),11} {P(s.Osteoporosis),13} {s.NotCoveringL1L2,23}");
        context.Out.WriteLine($"{chosen.Count} cases rendered at {size} size; mean HU over the true L1 and L2 trabecular masks against the true level BMD.");
        return ExitCodes.Success;
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar on an interactive terminal, silently otherwise
    /// (scripts and tests read the output).</summary>
    private static T WithProgress<T>(CliContext context, string label, int total, Func<Action, T> work)
    {
        if (!context.Console.Profile.Capabilities.Interactive)
            return work(() => { });
        T result = default!;
        context.Console.Progress().AutoClear(true).Start(progress =>
        {
            var task = progress.AddTask(label, maxValue: total);
            result = work(() => task.Increment(1));
        });
        return result;
    }

    private static string Line(LineFit fit) => $"{F(fit.Slope, 3),6} {F(fit.Intercept, 1),6} {F(fit.RSquared, 3),5}";

    private static string F(double value, int decimals) => double.IsNaN(value) ? "–" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    private static string P(double share) => (100 * share).ToString("F1", CultureInfo.InvariantCulture) + " %";
}
