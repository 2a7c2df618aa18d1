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
        var command = new Command("validate", "Measure a shipped model through ONNX Runtime on a cohort's test and independent splits: segmentation (per-site L1/L2 Dice, level identification, failure causes) or features (a ridge read-out of BMD).")
        {
            directory, segmentation, preset, seed, perSite, cases, update,
        };
        command.SetAction((parseResult, cancel) =>
        {
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

    private static string Describe(IEnumerable<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"{s.Name} {s.ElementType}[{string.Join("×", s.Shape)}]"));
}
