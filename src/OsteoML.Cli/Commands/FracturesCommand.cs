using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OsteoML.Imaging.Nifti;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Synthesis;
using OsteoML.Validation.Fractures;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml fractures validate</c>: vertebral heights and Genant grades on a synthetic preset's test and independent
/// splits against the generator's truth. <c>osteoml fractures heights LABELS</c>: the heights of the bodies in a
/// reference label map (e.g. TotalSegmentator's), optionally beside a <c>spine_report.json</c>.
/// </summary>
internal static class FracturesCommand
{
    /// <summary>Whose masks the heights are measured on.</summary>
    internal enum MaskSource
    {
        /// <summary>VB-Net-lite through the pipeline's segmenter, as a screening run.</summary>
        Network,
        /// <summary>The case's true trabecular labels: the method's floor, without segmentation error.</summary>
        Reference,
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("fractures", "Vertebral heights and Genant fracture grades.");
        command.Subcommands.Add(Validate(context));
        command.Subcommands.Add(Heights(context));
        return command;
    }

    private static Command Validate(CliContext context)
    {
        var preset = new Option<string>("--preset") { Description = "Cohort preset.", DefaultValueFactory = _ => "paper" };
        var seed = new Option<ulong>("--seed") { Description = "Cohort seed.", DefaultValueFactory = _ => 42 };
        var splits = new Option<string>("--splits") { Description = "Comma-separated splits to score.", DefaultValueFactory = _ => "test,independent" };
        var cases = new Option<int?>("--cases") { Description = "Only the first N cases of each split." };
        var masks = new Option<MaskSource>("--masks") { Description = "network (VB-Net-lite) or reference (true trabecular labels).", DefaultValueFactory = _ => MaskSource.Network };
        var segmentation = new Option<DirectoryInfo?>("--segmentation") { Description = "Segmentation model folder (for --masks network)." };
        var rows = new Option<FileInfo?>("--rows") { Description = "Write one CSV row per vertebra here." };
        var maxSlice = new Option<double?>("--max-slice-mm")
        {
            Description = "Leave out series with thicker slices (they are refused by rule; saves segmenting them).",
        };
        var fracturedFirst = new Option<bool>("--fractured-first") { Description = "Take each split's cases with a fracture first (for a partial run)." };
        var cachedOnly = new Option<bool>("--cached-only") { Description = "Only the cases whose network segmentation is already in --cache-dir (to score a partial run)." };
        var cache = SharedOptions.Cache();
        var jobs = SharedOptions.Jobs();
        var command = new Command("validate", "Score heights and grades against a synthetic cohort's truth.")
        {
            preset, seed, splits, cases, masks, segmentation, rows, maxSlice, fracturedFirst, cachedOnly, cache, jobs,
        };
        command.SetAction(parseResult =>
        {
            var cohort = SyntheticCohort.Create(parseResult.GetValue(preset)!, parseResult.GetValue(seed));
            var wanted = parseResult.GetValue(splits)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => Enum.Parse<CohortSplit>(s, ignoreCase: true)).ToHashSet();
            var limit = parseResult.GetValue(cases) ?? int.MaxValue;
            var thickest = parseResult.GetValue(maxSlice) ?? double.PositiveInfinity;
            var indices = wanted.SelectMany(split => cohort.CasesIn(split)
                    .Where(c => c.Acquisition.Slice.ThicknessMm <= thickest + 1e-6)
                    .OrderBy(c => parseResult.GetValue(fracturedFirst) && c.Pathology.Fractures.Count > 0 ? 0 : 1).ThenBy(c => c.Index)
                    .Take(limit))
                .OrderBy(c => parseResult.GetValue(fracturedFirst) && c.Pathology.Fractures.Count > 0 ? 0 : 1) // stable: splits keep their order
                .Select(c => c.Index).ToList();
            using var segmenter = parseResult.GetValue(masks) == MaskSource.Network
                ? new VertebraSegmenter((parseResult.GetValue(segmentation) ?? throw new ArgumentException("--masks network needs --segmentation MODEL_DIR")).FullName,
                    new SegmentationOptions { Threads = 1 })
                : null;
            // Network segmentations are kept (keyed by case and model) so that re-grading does not re-segment.
            var store = new SegmentationStore(parseResult.GetValue(cache)?.FullName is { } folder ? Path.Combine(folder, "fracture-validation") : null);
            // A rendered case is fixed by preset, seed and case id, which the key already names: no content to fingerprint.
            string KeyOf(string caseId) => SegmentationStore.Key($"{cohort.Preset.Name}-{cohort.Seed}-{caseId}", segmenter!.Sha256, "rendered");
            if (parseResult.GetValue(cachedOnly) && segmenter is not null)
                indices = indices.Where(i => store.Contains(KeyOf(cohort.Cases[i].CaseId))).ToList();
            Func<SyntheticCase, VertebraSegmentation> segment = segmenter is not null
                ? c =>
                {
                    var key = KeyOf(c.CaseId);
                    if (store.Contains(key)) return store.Get(key);
                    var s = segmenter.Segment(c.Hu, c.CaseId);
                    store.Put(key, s);
                    return s;
                }
                : c => ReferenceSegmentation.FromLabels(c.Labels, ReferenceSegmentation.SyntheticLevel, c.CaseId, "reference", 2.0);
            var result = ScreenCommand.WithProgress(context, "cases", indices.Count, advance =>
                FractureValidation.Run(cohort, indices, segment, jobs: parseResult.GetValue(jobs), progress: _ => advance()));
            if (parseResult.GetValue(rows) is { } file) FractureValidation.WriteCsv(file.FullName, result);
            foreach (var split in result.GroupBy(r => r.Split).Where(_ => wanted.Count > 1))
                context.Out.Write($"## {split.Key}\n\n{FractureValidationReport.Markdown(split.ToList())}\n");
            context.Out.Write($"{(wanted.Count > 1 ? "## all\n\n" : "")}{FractureValidationReport.Markdown(result)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Heights(CliContext context)
    {
        var labels = new Argument<FileInfo>("labels") { Description = "NIfTI label map of vertebral bodies (cortex included)." };
        var level = new Option<string[]>("--level")
        {
            Description = "VALUE=LEVEL for each body label, e.g. 19=T12 20=L1 (TotalSegmentator's vertebrae task ordering).",
            AllowMultipleArgumentsPerToken = true, Required = true,
        };
        var report = new Option<FileInfo?>("--compare") { Description = "A TotalSegmentator spine_report.json to print beside the heights." };
        var command = new Command("heights", "Heights and Genant grades of the bodies in a reference label map.") { labels, level, report };
        command.SetAction(parseResult =>
        {
            var volume = NiftiFile.Read(parseResult.GetValue(labels)!.FullName).ToFloat().Map(v => (byte)Math.Clamp(Math.Round(v), 0, 255));
            var names = parseResult.GetValue(level)!.Select(p => p.Split('=')).ToDictionary(p => byte.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]);
            var map = NativeLevelMap.From(volume);
            var thickness = volume.Geometry.Spacing.Z;
            var assessed = names.OrderBy(n => n.Key).Select(n =>
            {
                var m = VertebralHeights.Measure(map, n.Key, MaskExtent.WholeBody);
                return new VertebraAssessment
                {
                    Level = n.Value, HeightsMm = m?.Heights.Rounded(),
                    Refusal = m is null ? FractureRefusal.SegmentationDoubt : m.TouchesScanEdge ? FractureRefusal.CutByScanEdge
                        : thickness > new GenantOptions().MaxSliceThicknessMm + 1e-6 ? FractureRefusal.SliceThicknessOver3Mm : null,
                };
            }).ToList();
            var graded = GenantGrader.Grade(assessed);
            Dictionary<string, double>? reference = null;
            if (parseResult.GetValue(report) is { } json)
                reference = JsonDocument.Parse(File.ReadAllText(json.FullName)).RootElement.GetProperty("results").EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble());
            context.Out.WriteLine(reference is null
                ? "| level | anterior | middle | posterior | grade | shape | loss | refusal |\n|---|---:|---:|---:|---:|---|---:|---|"
                : "| level | anterior (report) | middle (report) | posterior (report) | grade | shape | loss | refusal |\n|---|---:|---:|---:|---:|---|---:|---|");
            foreach (var a in graded)
            {
                string Cell(double? value, string site) =>
                    (value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "–")
                    + (reference is not null && reference.TryGetValue($"vertebrae_{a.Level}_height_{site}_mm", out var r)
                        ? $" ({r.ToString("F1", CultureInfo.InvariantCulture)}; {(value is { } w ? (w - r).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) : "–")})" : "");
                context.Out.WriteLine($"| {a.Level} | {Cell(a.HeightsMm?.Anterior, "anterior")} | {Cell(a.HeightsMm?.Middle, "middle")} | {Cell(a.HeightsMm?.Posterior, "posterior")} | " +
                    $"{a.GenantGrade?.ToString(CultureInfo.InvariantCulture) ?? "–"} | {a.FractureShape?.ToString() ?? ""} | {a.HeightLoss?.ToString("F2", CultureInfo.InvariantCulture) ?? "–"} | {a.Refusal?.ToString() ?? ""} |");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
