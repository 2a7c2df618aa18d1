using System.Text.Json;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Validation;
using OsteoML.Inference;
using System.CommandLine;
using OsteoML.Models;
using OsteoML.Models.Cards;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml models</c>: train, export and verify the ONNX segmentation and DenseNet models.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("models", "Train, export and verify the ONNX segmentation and DenseNet models.");
        command.Subcommands.Add(Train(context));
        command.Subcommands.Add(Verify(context));
        command.Subcommands.Add(Validate(context));
        command.Subcommands.Add(Card(context));
        return command;
    }

    private static Command Train(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Which backbone: vbnet (segmentation) or densenet (feature extractor).", Required = true };
        model.AcceptOnlyFromAmong("vbnet", "densenet");
        var preset = new Option<string>("--preset") { Description = "Cohort preset whose train split it learns from.", DefaultValueFactory = _ => "paper" };
        var seed = new Option<ulong>("--seed") { Description = "Seeds the cohort and the training.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Directory for model.onnx and card.json.", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Optimisation steps (default: the recipe's)." };
        var trainCases = new Option<int?>("--train-cases") { Description = "Use at most this many training cases (default: the recipe's)." };
        var validation = new Option<int>("--validation-per-site")
        {
            Description = "Test and independent cases validated per site (0: none).",
            DefaultValueFactory = _ => 10,
        };
        var tiny = new Option<bool>("--tiny") { Description = "The tiny recipe: a smoke run in seconds, not a usable model." };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "vbnet: every N steps write OUT/checkpoints/step-N (model.onnx + card.json) scored on held-out train cases (0: none).",
        };
        var checkpointCases = new Option<int>("--checkpoint-cases")
        {
            Description = "Train-split cases not trained on that checkpoints are scored on.",
            DefaultValueFactory = _ => 24,
        };
        var command = new Command("train", "Train a backbone on a synthetic cohort's train split and write model.onnx + card.json.")
        {
            model, preset, seed, output, steps, trainCases, validation, tiny, checkpointEvery, checkpointCases,
        };
        command.SetAction((parseResult, cancel) =>
        {
            var options = new BackboneTrainingOptions
            {
                Model = parseResult.GetValue(model)!,
                Preset = parseResult.GetValue(preset)!,
                Seed = parseResult.GetValue(seed),
                OutputDirectory = parseResult.GetValue(output)!,
                Steps = parseResult.GetValue(steps),
                TrainCases = parseResult.GetValue(trainCases),
                ValidationCasesPerSite = parseResult.GetValue(validation),
                Tiny = parseResult.GetValue(tiny),
                CheckpointEvery = parseResult.GetValue(checkpointEvery),
                CheckpointCases = parseResult.GetValue(checkpointCases),
            };
            var card = BackboneTraining.Run(options, line => context.Out.WriteLine(line), cancel);
            context.Out.WriteLine($"wrote {Path.Combine(options.OutputDirectory, card.File)} ({card.SizeBytes / 1024.0:F0} KiB, sha256 {card.Sha256}) in {card.Training.WallTimeMinutes} min");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var directories = new Argument<string[]>("DIR")
        {
            Description = "Model directories, each with model.onnx and card.json (e.g. models/vbnet-lite).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("verify", "Check each model's sha256 and IO contract against its card; exit 1 on any mismatch.") { directories };
        command.SetAction(parseResult =>
        {
            var failed = 0;
            foreach (var directory in parseResult.GetValue(directories)!)
            {
                var problems = Directory.Exists(directory) ? ModelVerifier.Verify(directory) : [$"{directory}: no such directory"];
                if (problems.Count == 0)
                {
                    var card = ModelCard.Read(Path.Combine(directory, ModelCard.FileName));
                    context.Out.WriteLine($"{directory}: ok ({card.Name}, sha256 {card.Sha256[..12]}…, inputs {Describe(card.Inputs)}, outputs {Describe(card.Outputs)})");
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
        var directory = new Argument<string>("DIR") { Description = "A model directory (model.onnx + card.json): models/vbnet-lite or models/densenet-lite." };
        var segmentation = new Option<string?>("--segmentation")
        {
            Description = "Feature extractor only: also crop around this segmentation model's L1/L2 masks, as the pipeline does (e.g. models/vbnet-lite).",
        };
        var preset = new Option<string>("--preset") { Description = "Cohort preset whose test and independent splits it is measured on.", DefaultValueFactory = _ => "paper" };
        var seed = new Option<ulong>("--seed") { Description = "Cohort seed.", DefaultValueFactory = _ => 42 };
        var perSite = new Option<int?>("--per-site") { Description = "Only the first N cases of each site (default: every case of the splits)." };
        var cases = new Option<string?>("--cases-csv") { Description = "Write one row per case (level outcome, Dice, failure diagnosis) to this CSV." };
        var update = new Option<bool>("--update-card") { Description = "Segmentation model: write the measured metrics into the card (the ONNX file is untouched)." };
        var reference = new Option<string?>("--reference")
        {
            Description = "Segmentation model: validate on real CTs with reference vertebra labels instead of the synthetic splits — a folder with "
                + $"{ReferenceCase.FileName} (case_id, ct, labels, scheme[, body]) or that file. Exit 1 when a level is named wrongly, 3 when a case is refused.",
        };
        var json = new Option<bool>("--json") { Description = "With --reference: one JSON object per case." };
        var command = new Command("validate", "Measure a shipped model through ONNX Runtime on a cohort's test and independent splits: segmentation (per-site L1/L2 Dice, level identification, failure causes) or features (a ridge read-out of BMD); or the segmentation on real CTs with reference labels (--reference).")
        {
            directory, segmentation, preset, seed, perSite, cases, update, reference, json,
        };
        command.SetAction((parseResult, cancel) =>
        {
            if (parseResult.GetValue(reference) is { } referencePath)
                return Task.FromResult(ValidateOnReference(context, parseResult.GetValue(directory)!, referencePath, parseResult.GetValue(cases), parseResult.GetValue(json)));
            var options = new BackboneValidationOptions
            {
                ModelDirectory = parseResult.GetValue(directory)!,
                SegmentationDirectory = parseResult.GetValue(segmentation),
                Preset = parseResult.GetValue(preset)!,
                Seed = parseResult.GetValue(seed),
                CasesPerSite = parseResult.GetValue(perSite),
                CasesCsv = parseResult.GetValue(cases),
                UpdateCard = parseResult.GetValue(update),
            };
            BackboneValidation.Run(options, line => context.Out.WriteLine(line), cancel);
            return Task.FromResult(ExitCodes.Success);
        });
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
