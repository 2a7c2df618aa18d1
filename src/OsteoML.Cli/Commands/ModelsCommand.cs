using System.Text.Json;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Validation;
using OsteoML.Inference;
using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml models</c>: verify the shipped ONNX models, print their cards, validate the segmentation on real CTs.
/// Training and synthetic-split validation need TorchSharp and live in <c>osteoml-train</c> (src/OsteoML.Train), so
/// this command never loads or ships libtorch.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("models", "Verify the shipped ONNX models, print their cards, validate the segmentation on real CTs (training: osteoml-train).");
        command.Subcommands.Add(Verify(context));
        command.Subcommands.Add(Validate(context));
        command.Subcommands.Add(Card(context));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var directories = new Argument<string[]>("DIR")
        {
            Description = "Model directories, each with model.onnx and card.json (e.g. models/vbnet-lite), or model bundles with bundle.json "
                          + $"(e.g. {DefaultBundle.RelativePath}). Default: every folder of the models/ that holds the default bundle (beside osteoml, "
                          + "else above the working directory).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("verify", "Check each model's sha256 and IO contract against its card, and each bundle's seal, file hashes and embedded models; exit 1 on any mismatch.") { directories };
        command.SetAction(parseResult =>
        {
            var given = parseResult.GetValue(directories) ?? [];
            var all = given.Length > 0 ? given : Shipped();
            var failed = 0;
            foreach (var directory in all)
            {
                var problems = !Directory.Exists(directory) ? [$"{directory}: no such directory"]
                    : File.Exists(Path.Combine(directory, ModelBundle.ManifestFile)) ? VerifyBundle(context, directory)
                    : ModelVerifier.Verify(directory);
                if (problems.Count == 0)
                {
                    if (!File.Exists(Path.Combine(directory, ModelBundle.ManifestFile)))
                    {
                        var card = ModelCard.ReadFolder(directory);
                        context.Out.WriteLine($"{directory}: ok ({card.Name}, sha256 {card.Sha256[..12]}…, inputs {Describe(card.Inputs)}, outputs {Describe(card.Outputs)})");
                    }
                    continue;
                }
                failed++;
                foreach (var problem in problems)
                    context.Error.WriteLine($"error: {problem}");
            }
            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>
    /// What ships: every folder of the models/ holding the default bundle. Beside a built or published osteoml that is the
    /// bundle alone (it embeds the backbones, which loading checks against their cards); in a checkout, when run from
    /// there, also the backbones' own folders.
    /// </summary>
    private static string[] Shipped()
    {
        var bundle = DefaultBundle.Locate() ?? throw new FileNotFoundException($"no DIR given and no shipped {DefaultBundle.RelativePath} found; name the models to verify.");
        var models = Path.GetDirectoryName(bundle)!;
        return Directory.GetDirectories(models).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A bundle: loading it checks the seal, every file's sha256 and the embedded ONNX models against their cards.</summary>
    private static IReadOnlyList<string> VerifyBundle(CliContext context, string directory)
    {
        ModelBundle bundle;
        try { bundle = ModelBundle.Load(directory); }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException) { return [ex.Message]; }
        var manifest = bundle.Manifest;
        context.Out.WriteLine($"{directory}: ok (bundle {manifest.Name}, pipeline {manifest.Pipeline}, {manifest.Files.Count} files sealed, "
                              + $"bundle sha256 {ModelBundle.Sha256(Path.Combine(directory, ModelBundle.ManifestFile))[..12]}…, {manifest.TrainingCases} training cases)");
        if (manifest.IntendedUse is { } use) context.Out.WriteLine($"  intended use: {use}");
        return [];
    }

    private static Command Card(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "A model directory with card.json." };
        var command = new Command("card", "Print the readable model card (Markdown, as in docs/model-cards/) rendered from card.json.") { directory };
        command.SetAction(parseResult =>
        {
            var path = Path.Combine(parseResult.GetValue(directory)!, ModelCard.FileName);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no model card");
            context.Out.Write(ModelCardMarkdown.Render(ModelCard.Read(path)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Validate(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "A segmentation model directory (model.onnx + card.json), e.g. models/vbnet-lite." };
        var reference = new Option<string>("--reference")
        {
            Description = "Real CTs with reference vertebra labels: a folder with "
                + $"{ReferenceCase.FileName} (case_id, ct, labels, scheme[, body]) or that file. Exit 1 when a level is named wrongly, 3 when a case is refused.",
            Required = true,
        };
        var cases = new Option<string?>("--cases-csv") { Description = "Write one row per case and level (outcome, Dice, HU) to this CSV." };
        var json = new Option<bool>("--json") { Description = "One JSON object per case." };
        var command = new Command("validate", "Validate the segmentation on real CTs with reference labels (synthetic-split validation: osteoml-train validate).")
        {
            directory, reference, cases, json,
        };
        command.SetAction(parseResult => ValidateOnReference(context, parseResult.GetValue(directory)!, parseResult.GetValue(reference)!,
            parseResult.GetValue(cases), parseResult.GetValue(json)));
        return command;
    }

    /// <summary><c>models validate DIR --reference REF</c>: each real case through the segmenter and level rule, judged by its labels.</summary>
    private static int ValidateOnReference(CliContext context, string modelDirectory, string referencePath, string? casesCsv, bool json)
    {
        var referenceCases = ReferenceCase.Read(referencePath);
        using var segmenter = new VertebraSegmenter(modelDirectory);
        var results = new List<ReferenceCaseResult>();
        foreach (var referenceCase in referenceCases)
        {
            var result = RealCtValidation.Run(segmenter, referenceCase);
            results.Add(result);
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(result, StudyResult.Json));
                continue;
            }
            context.Out.WriteLine($"{result.CaseId}: {result.Outcome} — {result.Status}: {result.Reason} ({ScreenCommand.F(result.Seconds, 1)} s)");
            context.Out.WriteLine($"  named {string.Join(" ", result.OurLevels)}; reference {string.Join(" ", result.ReferenceLevels)}");
            foreach (var level in result.Levels.Where(l => l.Level is "L1" or "L2" || l.ReferenceLevelAtOurs is not null))
                context.Out.WriteLine($"  {level.Level,-3} on reference {level.ReferenceLevelAtOurs ?? "–",-3} Dice {N(level.Dice, 3)} (eroded body {N(level.DiceEroded, 3)}), "
                    + $"centroid {N(level.CentroidDistanceMm, 1)} mm, mean HU {N(level.OurMeanHu, 1)} vs {N(level.ReferenceMeanHu, 1)}, "
                    + $"median {N(level.OurMedianHu, 1)} vs {N(level.ReferenceMedianHu, 1)}");
        }
        if (casesCsv is not null)
        {
            var lines = new List<string> { "case_id,outcome,status,level,reference_level_at_ours,dice,dice_eroded,centroid_mm,our_mean_hu,our_median_hu,reference_mean_hu,reference_median_hu,our_cm3,reference_cm3" };
            foreach (var r in results)
            foreach (var l in r.Levels)
                lines.Add(string.Join(",", r.CaseId, r.Outcome, r.Status, l.Level, l.ReferenceLevelAtOurs ?? "", N(l.Dice, 4, ""), N(l.DiceEroded, 4, ""),
                    N(l.CentroidDistanceMm, 2, ""), N(l.OurMeanHu, 2, ""), N(l.OurMedianHu, 2, ""), N(l.ReferenceMeanHu, 2, ""), N(l.ReferenceMedianHu, 2, ""),
                    N(l.OurVolumeCm3, 3, ""), N(l.ReferenceVolumeCm3, 3, "")));
            File.WriteAllLines(casesCsv, lines);
        }
        var wrong = results.Where(r => r.Outcome == RealCtOutcome.WrongLevel).ToList();
        foreach (var r in wrong)
            context.Error.WriteLine($"error: case {r.CaseId}: a level is named wrongly ({string.Join(", ", r.Levels.Where(l => l.ReferenceLevelAtOurs is { } x && x != l.Level).Select(l => $"our {l.Level} lies on reference {l.ReferenceLevelAtOurs}"))})");
        context.Out.WriteLine($"{results.Count} case(s): {results.Count(r => r.Outcome == RealCtOutcome.Correct)} correct, {wrong.Count} wrong level, "
            + $"{results.Count(r => r.Outcome == RealCtOutcome.Refused)} refused");
        return wrong.Count > 0 ? ExitCodes.Failure : results.Any(r => r.Outcome == RealCtOutcome.Refused) ? ExitCodes.SomeInputsFailed : ExitCodes.Success;

        static string N(double? value, int decimals, string missing = "–") => value is { } v && double.IsFinite(v) ? ScreenCommand.F(v, decimals) : missing;
    }

    private static string Describe(IEnumerable<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"{s.Name} {s.ElementType}[{string.Join("×", s.Shape)}]"));
}
